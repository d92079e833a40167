"""Homonyms as a user meets them, through the loopback Bot API: regions first, a region's
nickname tracked at once, buttons that lead with what differs, pages of 8, qualifiers that
narrow the choice, and /latest and /claims that ask instead of guessing."""

from __future__ import annotations

import os

from tests.bot_kit import USER, Talk, bot, buttons

__all__ = ["bot"]


def _show(label: str, params: dict[str, object]) -> None:
    if os.environ.get("DOZOR_SHOW"):
        print(f"--- {label} ---\n{params['text']}")
        for text, data in buttons(params):  # type: ignore[arg-type]
            print(f"  [{text}] → {data}")


async def test_region_nickname_tracks_the_oblast_at_once(bot: Talk) -> None:
    reply = await bot.say(USER, "/track Харківщина", lang="uk")
    assert "Відстежую: Харківська область" in reply["text"]
    assert ("place", "UA-63", 0) in await bot.subs(USER)
    reply = await bot.say(USER, "/track Курщину", lang="uk")
    assert "Курська область" in reply["text"] and "Яке саме" not in reply["text"]


async def test_city_and_region_before_villages(bot: Talk) -> None:
    reply = await bot.say(USER, "/track Запоріжжя", lang="uk")
    offered = buttons(reply)
    assert offered[0][0].startswith("Запоріжжя · ")  # the city, named as such
    assert all(len(text) <= 48 for text, _ in offered)


async def test_pages_of_eight_with_more_and_back(bot: Talk) -> None:
    reply = await bot.say(USER, "/track Олександрівка", lang="uk")
    _show("homonyms (uk)", reply)
    places = [b for b in buttons(reply) if b[1].startswith("tp:")]
    assert len(places) == 8 and "з 108" in reply["text"]
    assert buttons(reply)[-1] == ("Ще ▶", "hm:tp:8:Олександрівка")
    page2 = await bot.press(USER, USER, "hm:tp:8:Олександрівка", lang="uk")
    second = [b for b in buttons(page2) if b[1].startswith("tp:")]
    assert len(second) == 8 and not set(second) & set(places)
    assert "Показано 9–16 з 108" in page2["text"]
    assert ("◀ Назад", "hm:tp:0:Олександрівка") in buttons(page2)
    reply = await bot.say(USER, "/track Олександрівка", lang="en")
    _show("homonyms (en)", reply)
    assert "There are 108 places called “Олександрівка”" in reply["text"]


async def test_qualifiers_narrow_the_choice(bot: Talk) -> None:
    reply = await bot.say(USER, "/track Олександрівка Краматорський", lang="uk")
    offered = buttons(reply)
    assert len(offered) == 4 and "таких місць 4" in reply["text"]
    assert all("гр." in text for text, _ in offered)  # the hromada is what differs here
    reply = await bot.say(USER, "/track Олександрівка, Донецька", lang="uk")
    assert "таких місць 6" in reply["text"]
    reply = await bot.say(USER, "/track Oleksandrivka (Kramatorsk raion)", lang="en")
    assert "There are 4 places" in reply["text"]


async def test_latest_and_claims_ask_instead_of_guessing(bot: Talk) -> None:
    reply = await bot.say(USER, "/latest Олександрівка", lang="en")
    offered = buttons(reply)
    assert "Which one?" in reply["text"]
    assert all(d.startswith(("ls:", "hm:ls:")) for _, d in offered)
    latest = await bot.press(USER, USER, offered[0][1])
    assert "Oleksandrivka" in latest["text"]
    reply = await bot.say(USER, "/claims Олександрівка", lang="en")
    offered = buttons(reply)
    assert all(d.startswith(("cb:", "hm:cb:")) for _, d in offered)
    board = await bot.press(USER, USER, offered[0][1])
    assert "No claims about Oleksandrivka" in board["text"]
    # A city and its own oblast are not homonyms: /claims Zhytomyr means the city.
    reply = await bot.say(USER, "/claims Житомир", lang="en")
    assert "Which one?" not in reply["text"]
