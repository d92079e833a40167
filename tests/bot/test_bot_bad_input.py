"""Bad input of every kind gets a clear reply, and the database is unchanged."""

from __future__ import annotations

from tests.bot_kit import GROUP, OTHER, USER, Talk, bot, buttons

__all__ = ["bot"]

LONG = "x" * 5000

# (command, words the reply must contain)
PRIVATE_CASES = [
    ("/track", "Tell me what to track"),
    ("/track    ", "Tell me what to track"),
    ("/track " + LONG, "Too long"),
    ("/keyword", "Send an expression"),
    ("/keyword " + LONG, "too long: 5000 characters"),
    ('/keyword "kursk region', "never closed"),
    ("/keyword kursk AND (sudzha OR", "must be followed"),
    ("/keyword NOT NOT kursk", "Double negation"),
    ("/keyword kursk (NOT (NOT sudzha))", "Double negation"),
    ("/keyword -training", "only says what to leave out"),
    ("/keyword kursk )", "no matching"),
    ("/untrack " + LONG, "Too long"),
    ("/timezone Mars/Olympus_Mons", "don't know that time zone"),
    ("/timezone", "Give a time zone"),
    ("/timezone " + LONG, "don't know that time zone"),
    ("/digest 25:00", "HH:MM"),
    ("/digest", "HH:MM"),
    ("/digest " + LONG, "HH:MM"),
    ("/mute forever", "for how long"),
    ("/mute 90d", "for how long"),
    ("/mute", "for how long"),
    ("/lang fr", "/lang uk"),
    ("/lang " + LONG, "/lang uk"),
]


async def test_bad_input_in_private_changes_nothing(bot: Talk) -> None:
    await bot.say(USER, "/track Sudzha")
    before = await bot.snapshot()
    for command, expected in PRIVATE_CASES:
        reply = await bot.say(USER, command)
        assert expected in reply["text"], (command[:40], reply["text"])
        assert len(reply["text"]) < 1000
    assert await bot.snapshot() == before


async def test_expression_errors_point_at_the_mistake(bot: Talk) -> None:
    reply = await bot.say(USER, '/keyword kursk "sudzha', lang="uk")
    assert "не закрито" in reply["text"]
    pre = reply["text"].split("<pre>")[1].split("</pre>")[0]
    line, caret = pre.split("\n")
    assert line == "kursk &quot;sudzha"
    assert caret.index("^") == 'kursk "sudzha'.index('"')
    # HTML in the expression is escaped, not interpreted.
    reply = await bot.say(USER, "/keyword <b>kursk (")
    assert "<b>kursk" not in reply["text"] and "&lt;b&gt;" in reply["text"]
    assert await bot.snapshot() == ([], [])


async def test_unknown_place_changes_nothing(bot: Talk) -> None:
    reply = await bot.say(USER, "/track Qwxzvbn")
    assert "don't know a place" in reply["text"]
    assert [d for _, d in buttons(reply)][-1] == "tk:Qwxzvbn"
    long_word = "Щщщщщщщщщщщщщщщщщщщщщщщщщщщщщщщщщщ"  # too long for a button's data
    reply = await bot.say(USER, f"/track {long_word}")
    assert "/keyword" in reply["text"]
    assert all(len(d.encode()) <= 64 for _, d in buttons(reply))
    assert await bot.snapshot() == ([], [])


async def test_non_admin_in_a_group_changes_nothing(bot: Talk) -> None:
    bot.api.set_admins(GROUP, [USER])
    await bot.say(GROUP, "/track Sudzha", user_id=USER, chat_type="supergroup")
    before = await bot.snapshot()
    for command in (
        "/track Kursk",
        "/keyword kursk",
        "/untrack",
        "/untrack Sudzha",
        "/digest 09:00",
        "/timezone London",
        "/mute 1h",
        "/lang uk",
        "/start track_RU-KRS",
    ):
        reply = await bot.say(GROUP, command, user_id=OTHER, chat_type="supergroup")
        assert "Only group admins" in reply["text"], command
    # A linked channel posting in the group is not an admin either.
    reply = await bot.say(
        GROUP,
        "/track Kursk",
        user_id=OTHER,
        chat_type="supergroup",
        sender_chat={"id": -100999, "type": "channel", "title": "Linked"},
    )
    assert "Only group admins" in reply["text"]
    # Buttons too: a non-admin pressing an admin's button.
    await bot.say(GROUP, "/untrack", user_id=USER, chat_type="supergroup")
    answer = await bot.press(GROUP, OTHER, "ut:1")
    assert "Only group admins" in answer["text"] and answer["show_alert"]
    assert await bot.snapshot() == before
    # Everyone may read.
    reply = await bot.say(GROUP, "/list", user_id=OTHER, chat_type="supergroup")
    assert "Sudzha" in reply["text"]
