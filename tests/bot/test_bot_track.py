"""/track, /keyword, /untrack, /start and the alerts they lead to, end to end through the
loopback Bot API's real getUpdates flow."""

from __future__ import annotations

from tests.bot_kit import USER, Talk, bot, buttons

__all__ = ["bot"]


async def test_places_resolve_and_alerts_say_why(bot: Talk) -> None:
    reply = await bot.say(USER, "/track Sudzha", lang="uk")
    assert "Відстежую" in reply["text"] and "Суджа" in reply["text"]
    reply = await bot.say(USER, "/track Курщина", lang="uk")
    assert "Курська область" in reply["text"]
    reply = await bot.say(USER, "/track Купянск", lang="uk")
    assert "Куп" in reply["text"]
    assert {key for _, key, _ in await bot.subs(USER)} >= {"RU-KRS-sudzha", "RU-KRS"}

    # Sudzha is tracked itself and through its oblast: still one alert, saying why.
    post_id = await bot.post("Бої тривають біля Суджі, повідомляє міністерство.")
    (alert,) = await bot.alerts_to(USER)
    text = alert.params["text"]
    assert f"https://t.me/mod_russia/{post_id}" in text
    assert "<b>Суджі</b>" in text
    assert "📍 Суджа (Курська область) — відстежується" in text
    await bot.post("Нічого про ці місця: Житомир.")
    await bot.running.dispatcher.run_once()
    assert len(await bot.alerts_to(USER)) == 1


async def test_homonyms_unknown_names_keywords_and_deep_links(bot: Talk) -> None:
    reply = await bot.say(USER, "/track Олександрівка")
    offered = [b for b in buttons(reply) if b[1].startswith("tp:")]
    assert 2 <= len(offered) <= 8 and "places called" in reply["text"]
    assert all(len(data.encode()) <= 64 for _, data in buttons(reply))
    assert any("raion" in label and "Oblast" in label for label, _ in offered)
    _, data = offered[1]
    reply = await bot.press(USER, USER, data)
    assert "Tracking" in reply["text"]
    assert ("place", data.removeprefix("tp:"), 0) in await bot.subs(USER)

    # Unknown: the closest places, and the word itself as a keyword.
    reply = await bot.say(USER, "/track Kyrsk")
    offered = buttons(reply)
    assert ("tp:RU-KRS" in {d for _, d in offered}) and ("tk:Kyrsk" in {d for _, d in offered})
    reply = await bot.press(USER, USER, "tk:Kyrsk")
    assert "Tracking words" in reply["text"]
    assert ("keyword", "kyrsk", 0) in await bot.subs(USER)

    # /keyword with operators: canonical form stored, alert bolds the words and says why.
    reply = await bot.say(USER, '/keyword "kursk region" liberated -training')
    assert "Tracking words" in reply["text"]
    post_id = await bot.post("Kursk region has been fully liberated, the Ministry says.")
    (alert,) = await bot.alerts_to(USER)
    assert f"/{post_id}" in alert.params["text"]
    assert "🔎 keyword: &quot;kursk region&quot; liberated -training" in alert.params["text"]
    assert "<b>liberated</b>" in alert.params["text"]

    # Deep link t.me/<bot>?start=track_<place id>.
    reply = await bot.say(USER, "/start track_RU-KRS-sudzha")
    assert "Tracking" in reply["text"] and "Sudzha" in reply["text"]
    # /start offers common places as buttons.
    reply = await bot.say(USER, "/start")
    assert "Dozor" in reply["text"]
    assert any(data == "tp:RU-KRS" for _, data in buttons(reply))


async def test_untrack_by_button_and_by_name(bot: Talk) -> None:
    await bot.say(USER, "/track Sudzha")
    await bot.say(USER, "/keyword kursk OR belgorod")
    reply = await bot.say(USER, "/untrack")
    offered = buttons(reply)
    assert len(offered) == 2
    keyword_button = next(d for label, d in offered if "kursk" in label)
    reply = await bot.press(USER, USER, keyword_button)
    assert "Stopped tracking" in reply["text"]
    assert [k for _, k, _ in await bot.subs(USER)] == ["RU-KRS-sudzha"]
    reply = await bot.press(USER, USER, keyword_button)  # pressed twice: already gone
    assert "already removed" in reply["text"]
    reply = await bot.say(USER, "/untrack Суджа")  # any spelling of the place
    assert "Stopped tracking" in reply["text"]
    assert await bot.subs(USER) == []
    reply = await bot.say(USER, "/untrack Sudzha")
    assert "does not track" in reply["text"]


async def test_list_shows_topics_and_settings(bot: Talk) -> None:
    await bot.say(USER, "/track Pokrovsk")
    await bot.say(USER, "/keyword Курськ")
    await bot.say(USER, "/digest 08:15")
    await bot.say(USER, "/timezone London")
    await bot.say(USER, "/mute 2h")
    reply = await bot.say(USER, "/list")
    text = reply["text"]
    assert "Pokrovsk" in text and "🔎 Курськ" in text
    assert "08:15" in text and "Europe/London" in text and "Muted until" in text
    assert "English" in text
