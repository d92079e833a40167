"""Groups, forum topics, membership changes, 403s and group → supergroup migration."""

from __future__ import annotations

from tests.bot_kit import ADMIN, FORUM, GROUP, OTHER, USER, Talk, bot, eventually

__all__ = ["bot"]


async def test_admins_and_anonymous_admins_change_subscriptions(bot: Talk) -> None:
    bot.api.set_admins(GROUP, [ADMIN], owner_id=USER)
    reply = await bot.say(GROUP, "/track Sudzha", user_id=ADMIN, chat_type="supergroup")
    assert "Tracking" in reply["text"]
    reply = await bot.say(GROUP, "/keyword kursk", user_id=USER, chat_type="supergroup")
    assert "Tracking words" in reply["text"]
    # An anonymous admin writes as the group itself.
    reply = await bot.say(GROUP, "/digest 07:00", chat_type="supergroup", sender_chat=True)
    assert "07:00" in reply["text"]
    reply = await bot.say(GROUP, "/track Kupiansk", user_id=OTHER, chat_type="supergroup")
    assert "Only group admins" in reply["text"]
    assert {k for _, k, _ in await bot.subs(GROUP)} == {"RU-KRS-sudzha", "kursk"}
    chat = await bot.chat(GROUP)
    assert chat is not None and chat.digest_time is not None and chat.type == "supergroup"


async def test_topic_alerts_go_to_the_topic_and_403_deactivates(bot: Talk) -> None:
    bot.api.set_admins(FORUM, [ADMIN])
    reply = await bot.say(
        FORUM,
        "/track Pokrovsk",
        user_id=ADMIN,
        chat_type="supergroup",
        message_thread_id=7,
        is_topic_message=True,
    )
    assert "Tracking" in reply["text"] and reply.get("message_thread_id") == 7
    assert await bot.subs(FORUM) == [("place", reply_key := (await bot.subs(FORUM))[0][1], 7)]
    assert reply_key.startswith("UA")
    # A homonym pressed in the topic also lands in the topic.
    reply = await bot.say(
        FORUM,
        "/track Олександрівка",
        user_id=ADMIN,
        chat_type="supergroup",
        message_thread_id=9,
        is_topic_message=True,
    )
    data = reply["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await bot.press(FORUM, ADMIN, data)
    assert (await bot.subs(FORUM))[-1][2] == 9

    post_id = await bot.post("Бої в районі Покровська тривають.")
    (alert,) = await bot.alerts_to(FORUM)
    assert alert.params["message_thread_id"] == 7 and f"/{post_id}" in alert.params["text"]

    # The group removes the bot without an update reaching us: the next alert gets 403.
    bot.api.block(FORUM)
    await bot.post("Покровськ: нова заява.")
    await bot.api.wait_for(
        lambda calls: any(
            c.chat_id == FORUM and c.outcome != "ok" for c in calls if c.method == "sendMessage"
        )
    )

    async def inactive() -> bool:
        await bot.running.dispatcher.run_once()
        chat = await bot.chat(FORUM)
        return chat is not None and not chat.active

    assert await eventually(inactive)


async def test_membership_intro_removal_and_block(bot: Talk) -> None:
    bot.api.inject_membership(
        GROUP, USER, "left", "member", chat_type="supergroup", title="Watchers"
    )
    await bot.api.wait_for(
        lambda calls: any(
            "I'm Dozor" in str(c.params.get("text")) for c in bot.api.calls_of("sendMessage", GROUP)
        )
    )
    chat = await bot.chat(GROUP)
    assert chat is not None and chat.active and chat.title == "Watchers"

    bot.api.inject_membership(GROUP, USER, "member", "left")
    await _until(bot, GROUP, active=False)
    bot.api.inject_membership(GROUP, USER, "left", "administrator")  # added back
    await _until(bot, GROUP, active=True)

    await bot.say(USER, "/track Sudzha")
    bot.api.inject_membership(USER, USER, "member", "kicked")  # the user blocked the bot
    await _until(bot, USER, active=False)
    await bot.post("Суджа: нова заява.")
    await bot.running.dispatcher.run_once()
    assert not [
        c for c in bot.api.calls_of("sendMessage", USER) if "t.me/" in str(c.params.get("text"))
    ]


async def test_migration_moves_subscriptions(bot: Talk) -> None:
    old, new = -4242, -1004242
    bot.api.set_admins(old, [ADMIN])
    await bot.say(old, "/track Sudzha", user_id=ADMIN, chat_type="group")
    await bot.say(old, "/timezone Berlin", user_id=ADMIN, chat_type="group")
    bot.api.inject_migration(old, new)
    moved = await eventually(lambda: bot.subs(new))
    assert moved == [("place", "RU-KRS-sudzha", 0)]
    assert await bot.subs(old) == []
    old_chat, new_chat = await bot.chat(old), await bot.chat(new)
    assert old_chat is not None and old_chat.migrated_to == new and not old_chat.active
    assert new_chat is not None and new_chat.timezone == "Europe/Berlin"
    post_id = await bot.post("Суджа: нова заява.")
    (alert,) = await bot.alerts_to(new)
    assert f"/{post_id}" in alert.params["text"]


async def _until(bot: Talk, chat_id: int, *, active: bool) -> None:
    async def check() -> bool:
        chat = await bot.chat(chat_id)
        return chat is not None and chat.active == active

    await eventually(check)


async def test_menus_per_language(bot: Talk) -> None:
    uk = [c["command"] for c in bot.api.my_commands(language_code="uk")]
    en = bot.api.my_commands(language_code="en")
    default = bot.api.my_commands()
    assert {
        "track",
        "keyword",
        "untrack",
        "list",
        "digest",
        "timezone",
        "mute",
        "lang",
        "help",
    } <= set(uk)
    assert [c["command"] for c in en] == uk == [c["command"] for c in default]
    assert bot.api.my_commands(language_code="uk")[0]["description"] != en[0]["description"]
