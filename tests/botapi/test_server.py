"""The loopback Bot API fake, exercised through real python-telegram-bot objects."""

from __future__ import annotations

import asyncio
import datetime as dtm
import io
import time

import aiohttp
import pytest
from PIL import Image
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes
from telegram.warnings import PTBDeprecationWarning

from tests.botapi import (
    BOT_USERNAME,
    BotApiServer,
    Failure,
    Limits,
    ManualClock,
    bad_request,
    blocked,
    migrate,
    retry_after,
    server_error,
    slow,
)
from tests.botapi.fixtures import application_builder, botapi, make_bot, polling, ptb_bot

__all__ = ["botapi", "ptb_bot"]  # fixtures imported for pytest, not unused

# RetryAfter.retry_after warns about its future timedelta type; as_seconds handles both.
pytestmark = pytest.mark.filterwarnings("ignore", category=PTBDeprecationWarning)


def png(color: str, size: tuple[int, int] = (64, 48)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format="PNG")
    return buf.getvalue()


def as_seconds(value: int | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


# Bot methods


async def test_get_me_names_the_bot(ptb_bot: Bot, botapi: BotApiServer) -> None:
    me = await ptb_bot.get_me()
    assert me.is_bot and me.username == BOT_USERNAME
    assert ptb_bot.username == BOT_USERNAME  # initialize() called getMe too
    assert [c.method for c in botapi.calls] == ["getMe", "getMe"]


async def test_send_message_echoes_options_and_numbers_per_chat(
    ptb_bot: Bot, botapi: BotApiServer
) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Stop", callback_data="stop:1")]])
    first = await ptb_bot.send_message(
        -1001,
        "<b>Курськ</b> &amp; more",
        parse_mode=ParseMode.HTML,
        reply_markup=markup,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
        message_thread_id=7,
    )
    second = await ptb_bot.send_message(
        -1001, "reply", reply_parameters=ReplyParameters(message_id=first.message_id)
    )
    other = await ptb_bot.send_message(55, "private")

    assert (first.message_id, second.message_id, other.message_id) == (1, 2, 1)
    assert first.text == "Курськ & more"
    assert first.entities[0].type == "bold" and first.entities[0].length == 6
    assert first.reply_markup == markup and first.message_thread_id == 7
    assert first.from_user.username == BOT_USERNAME and first.chat.type == "group"
    assert second.reply_to_message is not None and second.reply_to_message.message_id == 1
    assert other.chat.type == "private"

    call = botapi.calls_of("sendMessage")[0]
    assert call.chat_id == -1001 and call.ok
    assert call.params["text"] == "<b>Курськ</b> &amp; more" and call.params["parse_mode"] == "HTML"
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "stop:1"
    assert call.params["link_preview_options"] == {"is_disabled": True}
    assert call.params["message_thread_id"] == 7
    assert [m["text"] for m in botapi.sent_messages(-1001)] == ["Курськ & more", "reply"]


async def test_malformed_html_is_refused_like_telegram(ptb_bot: Bot, botapi: BotApiServer) -> None:
    with pytest.raises(BadRequest, match="parse entities"):
        await ptb_bot.send_message(1, "<b>open", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="parse entities"):
        await ptb_bot.send_message(1, "a <br> b", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="too long"):
        await ptb_bot.send_message(1, "x" * 4097)
    assert botapi.sent_messages() == []
    assert {c.outcome for c in botapi.calls_of("sendMessage")} == {"error"}


async def test_send_photo_upload_arrives_intact_and_downloads(
    ptb_bot: Bot, botapi: BotApiServer
) -> None:
    data = png("red", (120, 80))
    msg = await ptb_bot.send_photo(3, data, caption="<i>map</i>", parse_mode="HTML")

    call = botapi.calls_of("sendPhoto")[0]
    assert call.files == {"photo": data}
    assert msg.caption == "map" and msg.caption_entities[0].type == "italic"
    assert (msg.photo[-1].width, msg.photo[-1].height) == (120, 80)
    assert botapi.photo_bytes(botapi.sent_messages(3)[0]) == data

    file = await msg.photo[-1].get_file()
    assert bytes(await file.download_as_bytearray()) == data

    again = await ptb_bot.send_photo(4, msg.photo[-1].file_id)  # reuse by file_id
    assert again.photo[-1].file_unique_id == msg.photo[-1].file_unique_id
    by_url = await ptb_bot.send_photo(4, "https://example.org/map.jpg")
    assert by_url.photo
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await ptb_bot.send_photo(4, "no-such-file-id")


async def test_send_media_group_resolves_attach_references(
    ptb_bot: Bot, botapi: BotApiServer
) -> None:
    red, blue = png("red"), png("blue")
    msgs = await ptb_bot.send_media_group(
        -1000000000200, [InputMediaPhoto(red, caption="first"), InputMediaPhoto(blue)]
    )
    assert len(msgs) == 2
    assert msgs[0].media_group_id == msgs[1].media_group_id is not None
    assert [m.message_id for m in msgs] == [1, 2] and msgs[0].caption == "first"
    call = botapi.calls_of("sendMediaGroup")[0]
    assert sorted(call.files.values()) == sorted([red, blue])
    assert all(item["media"].startswith("attach://") for item in call.params["media"])
    assert [botapi.photo_bytes(m) for m in botapi.sent_messages(-1000000000200)] == [red, blue]


async def test_edit_message_text(ptb_bot: Bot) -> None:
    msg = await ptb_bot.send_message(9, "one")
    edited = await ptb_bot.edit_message_text("two", chat_id=9, message_id=msg.message_id)
    assert isinstance(edited, type(msg)) and edited.text == "two" and edited.edit_date
    with pytest.raises(BadRequest, match="not modified"):
        await ptb_bot.edit_message_text("two", chat_id=9, message_id=msg.message_id)
    with pytest.raises(BadRequest, match="not found"):
        await ptb_bot.edit_message_text("x", chat_id=9, message_id=99)


async def test_commands_are_stored_per_scope_and_language(
    ptb_bot: Bot, botapi: BotApiServer
) -> None:
    await ptb_bot.set_my_commands([BotCommand("track", "Track a place")])
    await ptb_bot.set_my_commands(
        [BotCommand("list", "Список")], scope=BotCommandScopeAllGroupChats(), language_code="uk"
    )
    assert [c["command"] for c in botapi.my_commands()] == ["track"]
    assert botapi.my_commands({"type": "all_group_chats"}, "uk")[0]["description"] == "Список"
    got = await ptb_bot.get_my_commands(scope=BotCommandScopeAllGroupChats(), language_code="uk")
    assert got == (BotCommand("list", "Список"),)
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await ptb_bot.set_my_commands([BotCommand("Bad-Name", "x")])


async def test_admin_checks(ptb_bot: Bot, botapi: BotApiServer) -> None:
    botapi.set_admins(-1000000000300, [5], owner_id=6)
    admins = await ptb_bot.get_chat_administrators(-1000000000300)
    assert {(m.user.id, m.status) for m in admins} == {(5, "administrator"), (6, "creator")}
    assert (await ptb_bot.get_chat_member(-1000000000300, 5)).status == "administrator"
    assert (await ptb_bot.get_chat_member(-1000000000300, 7)).status == "member"
    botapi.set_member(-1000000000300, 7, "left")
    assert (await ptb_bot.get_chat_member(-1000000000300, 7)).status == "left"
    assert await ptb_bot.send_chat_action(-1000000000300, "typing") is True


async def test_unknown_method_is_not_found(ptb_bot: Bot, botapi: BotApiServer) -> None:
    with pytest.raises(EndPointNotFound):
        await ptb_bot.do_api_request("noSuchMethod")
    assert botapi.calls[-1].status == 404


async def test_keyboard_edits_and_deletes(ptb_bot: Bot) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="x")]])
    msg = await ptb_bot.send_message(9, "one", reply_markup=markup)
    edited = await ptb_bot.edit_message_text("two", chat_id=9, message_id=msg.message_id)
    assert isinstance(edited, Message) and edited.reply_markup is None  # as on Telegram
    again = await ptb_bot.edit_message_reply_markup(9, msg.message_id, reply_markup=markup)
    assert isinstance(again, Message) and again.reply_markup == markup
    assert await ptb_bot.delete_message(9, msg.message_id) is True
    with pytest.raises(BadRequest, match="not found"):
        await ptb_bot.delete_message(9, msg.message_id)


async def test_json_and_query_string_requests(botapi: BotApiServer) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.post(
            f"{botapi.base_url}T/sendMessage", json={"chat_id": 5, "text": "json body"}
        ) as resp:
            body = await resp.json()
        assert body["ok"] and body["result"]["text"] == "json body"
        async with http.get(f"{botapi.base_url}T/getme") as resp:
            assert (await resp.json())["result"]["username"] == BOT_USERNAME
        async with http.post(f"{botapi.base_url}T/sendMessage", data={"chat_id": "5"}) as resp:
            assert resp.status == 400
            assert await resp.json() == {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: message text is empty",
            }
    assert [c.method for c in botapi.calls] == ["sendMessage", "getMe", "sendMessage"]


# Updates


async def test_long_poll_returns_as_soon_as_an_update_is_injected(
    ptb_bot: Bot, botapi: BotApiServer
) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(ptb_bot.get_updates(timeout=5))
    await botapi.wait_for(lambda calls: calls[-1].method == "getUpdates")
    uid = botapi.inject_message(
        -1000000000400,
        "/track@dozor_test_bot Kursk",
        user_id=8,
        chat_type="supergroup",
        message_thread_id=3,
        is_topic_message=True,
    )
    (update,) = await poll
    assert time.monotonic() - started < 2
    assert update.update_id == uid
    msg = update.message
    assert msg.text.startswith("/track") and msg.entities[0].type == "bot_command"
    assert msg.entities[0].length == len("/track@dozor_test_bot")
    assert msg.is_topic_message and msg.message_thread_id == 3 and msg.chat.is_forum
    assert msg.from_user.id == 8 and msg.from_user.language_code == "en"

    # The offset confirms it; an empty poll honours its timeout.
    assert await ptb_bot.get_updates(offset=uid + 1, timeout=0) == ()


async def test_get_updates_honours_limit_and_allowed_updates(
    ptb_bot: Bot, botapi: BotApiServer
) -> None:
    first = botapi.inject_message(1, "a")
    botapi.inject_message(1, "b")
    botapi.inject_callback(1, 1, "cb:1", message_id=1)
    assert [u.update_id for u in await ptb_bot.get_updates(limit=1)] == [first]
    only = await ptb_bot.get_updates(allowed_updates=["callback_query"])
    assert [u.callback_query.data for u in only] == ["cb:1"]
    assert only[0].callback_query.message.text == "a"


async def test_other_injected_updates_parse(ptb_bot: Bot, botapi: BotApiServer) -> None:
    botapi.inject_message(-1000000000500, "/list", sender_chat=True, chat_type="supergroup")
    botapi.inject_membership(-1000000000500, by_user_id=4, old_status="left", new_status="member")
    botapi.inject_membership(
        77, by_user_id=77, old_status="member", new_status="kicked", chat_type="private"
    )
    botapi.inject_migration(-600, -1000000000600)
    botapi.inject_update(
        {
            "edited_message": {
                "message_id": 1,
                "date": 1,
                "edit_date": 2,
                "chat": {"id": 1, "type": "private"},
                "text": "x",
            }
        }
    )
    anon, added, blocked_upd, migrated, edited = await ptb_bot.get_updates()
    assert anon.message.sender_chat.id == -1000000000500
    assert anon.message.from_user.username == "GroupAnonymousBot"
    assert added.my_chat_member.new_chat_member.status == "member"
    assert added.my_chat_member.new_chat_member.user.username == BOT_USERNAME
    assert blocked_upd.my_chat_member.new_chat_member.status == "kicked"
    assert migrated.message.migrate_to_chat_id == -1000000000600
    assert edited.edited_message.text == "x"


async def test_second_poller_conflicts(botapi: BotApiServer) -> None:
    async with make_bot(botapi) as first, make_bot(botapi) as second:
        waiting = asyncio.create_task(first.get_updates(timeout=5))
        await botapi.wait_for(lambda calls: calls[-1].method == "getUpdates")
        assert await second.get_updates(timeout=0) == ()
        with pytest.raises(Conflict, match="only one bot instance"):
            await waiting


async def test_application_answers_start_via_polling(botapi: BotApiServer) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"hello {context.args}")

    app = application_builder(botapi).build()
    app.add_handler(CommandHandler("start", start))
    async with polling(app):
        botapi.inject_message(101, "/start now", language_code="uk")
        (reply,) = await botapi.wait_for_sent(1, chat_id=101)
    assert reply["text"] == "hello ['now']"
    methods = [c.method for c in botapi.calls]
    assert methods[0] == "getMe" and "deleteWebhook" in methods
    assert botapi.store.updates == []  # the updater confirmed what it handled


async def test_callback_query_reaches_handler(botapi: BotApiServer) -> None:
    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("ok")
        await query.edit_message_text(f"pressed {query.data}")

    app = application_builder(botapi).build()
    app.add_handler(CallbackQueryHandler(pressed))
    async with polling(app):
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="untrack:5")]])
        await app.bot.send_message(202, "pick", reply_markup=markup)
        botapi.inject_callback(202, 202, "untrack:5")
        await botapi.wait_for(
            lambda calls: any(c.method == "editMessageText" and c.ok for c in calls)
        )
    assert botapi.calls_of("answerCallbackQuery")[0].ok
    assert botapi.sent_messages(202)[0]["text"] == "pressed untrack:5"


# Failure injection


@pytest.mark.parametrize(
    ("failure", "exc_type"),
    [
        (retry_after(3), RetryAfter),
        (bad_request("Bad Request: chat not found"), BadRequest),
        (blocked(), Forbidden),
        (migrate(-100999), ChatMigrated),
        (server_error(500), NetworkError),
        (server_error(502), NetworkError),
        ("403", Forbidden),
    ],
)
async def test_injected_failure_raises_matching_ptb_error(
    ptb_bot: Bot, botapi: BotApiServer, failure: Failure | str, exc_type: type[Exception]
) -> None:
    botapi.fail_next("sendMessage", chat_id=10, kind=failure)
    await ptb_bot.send_message(11, "other chat is unaffected")
    with pytest.raises(exc_type) as info:
        await ptb_bot.send_message(10, "hi")
    await ptb_bot.send_message(10, "only once")

    if isinstance(info.value, RetryAfter):
        assert as_seconds(info.value.retry_after) == 3
    if isinstance(info.value, ChatMigrated):
        assert info.value.new_chat_id == -100999
    if isinstance(info.value, Forbidden):
        assert "blocked" in info.value.message
    outcomes = [(c.chat_id, c.outcome) for c in botapi.calls_of("sendMessage")]
    assert outcomes == [(11, "ok"), (10, "failed"), (10, "ok")]
    assert [m["text"] for m in botapi.sent_messages(10)] == ["only once"]


async def test_fail_next_times(ptb_bot: Bot, botapi: BotApiServer) -> None:
    botapi.fail_next("sendPhoto", kind="502", times=2)
    for _ in range(2):
        with pytest.raises(NetworkError):
            await ptb_bot.send_photo(1, png("green"))
    await ptb_bot.send_photo(1, png("green"))
    assert [c.outcome for c in botapi.calls_of("sendPhoto")] == ["failed", "failed", "ok"]


async def test_slow_answer_times_out_client_but_still_delivers(
    ptb_bot: Bot, botapi: BotApiServer
) -> None:
    botapi.fail_next("sendMessage", kind=slow(0.6))
    with pytest.raises(TimedOut):
        await ptb_bot.send_message(12, "late", read_timeout=0.2)
    assert botapi.calls_of("sendMessage")[0].outcome == "pending"
    # Like Telegram, the message went out even though the client gave up waiting.
    await botapi.wait_for(lambda calls: calls[-1].ok, timeout=3)
    assert [m["text"] for m in botapi.sent_messages(12)] == ["late"]


async def test_blocked_and_migrated_chats_stay_refused(ptb_bot: Bot, botapi: BotApiServer) -> None:
    botapi.block(20)
    botapi.inject_message(-30, "/start", chat_type="group")
    botapi.block(-30)
    botapi.migrate_chat(-40, -1000000000040)
    for _ in range(2):
        with pytest.raises(Forbidden, match="blocked by the user"):
            await ptb_bot.send_message(20, "x")
        with pytest.raises(Forbidden, match="kicked from the group"):
            await ptb_bot.send_photo(-30, png("red"))
        with pytest.raises(ChatMigrated) as info:
            await ptb_bot.send_message(-40, "x")
        assert info.value.new_chat_id == -1000000000040
    new_chat = (await ptb_bot.send_message(-1000000000040, "moved")).chat
    assert new_chat.type == "supergroup"
    botapi.unblock(20)
    await ptb_bot.send_message(20, "back")
    assert botapi.count_429 == 0


async def test_wait_for_times_out_with_a_summary(botapi: BotApiServer) -> None:
    with pytest.raises(TimeoutError, match="condition not met"):
        await botapi.wait_for(lambda calls: len(calls) > 0, timeout=0.05)


# Limit enforcement


async def test_limits_are_off_by_default(ptb_bot: Bot, botapi: BotApiServer) -> None:
    await asyncio.gather(*(ptb_bot.send_message(1, str(i)) for i in range(40)))
    assert botapi.count_429 == 0 and len(botapi.sent_messages(1)) == 40


async def test_private_chat_limit_with_real_clock() -> None:
    async with BotApiServer(Limits(private_per_s=1)) as srv, make_bot(srv) as bot:
        await bot.send_message(1, "a")
        await bot.send_message(2, "other chat is independent")
        with pytest.raises(RetryAfter) as info:
            await bot.send_message(1, "b")
        assert as_seconds(info.value.retry_after) == 1
        assert srv.count_429 == 1 and srv.calls_of("sendMessage")[-1].outcome == "rate_limited"
        assert [m["text"] for m in srv.sent_messages(1)] == ["a"]


async def test_private_window_slides() -> None:
    clock = ManualClock()
    async with BotApiServer(Limits(private_per_s=2), clock=clock) as srv, make_bot(srv) as bot:
        await bot.send_message(1, "a")
        clock.advance(0.5)
        await bot.send_message(1, "b")
        clock.advance(0.4)
        with pytest.raises(RetryAfter):
            await bot.send_message(1, "c")
        clock.advance(0.2)  # "a" left the window, "b" has not
        await bot.send_message(1, "d")
        with pytest.raises(RetryAfter):
            await bot.send_message(1, "e")
        assert srv.count_429 == 2
        assert [m["text"] for m in srv.sent_messages(1)] == ["a", "b", "d"]


async def test_group_limit_counts_album_items() -> None:
    clock = ManualClock()
    async with BotApiServer(Limits(group_per_min=3), clock=clock) as srv, make_bot(srv) as bot:
        album = [InputMediaPhoto(png("red")), InputMediaPhoto(png("blue"))]
        await bot.send_media_group(-5, album)
        clock.advance(10)
        with pytest.raises(RetryAfter) as info:  # 2 + 2 > 3: refused as a whole
            await bot.send_media_group(-5, album)
        assert as_seconds(info.value.retry_after) == 50  # until the first album leaves
        await bot.send_message(-5, "third fits")
        with pytest.raises(RetryAfter):
            await bot.send_message(-5, "fourth does not")
        await bot.send_message(-6, "another group is independent")
        clock.advance(50)
        await bot.send_media_group(-5, album)
        assert srv.count_429 == 2 and len(srv.sent_messages(-5)) == 5


async def test_global_limit_and_scale() -> None:
    clock = ManualClock()
    limits = Limits(global_per_s=2, private_per_s=1, scale=3)  # 6/s overall, 3/s per chat
    async with BotApiServer(limits, clock=clock) as srv, make_bot(srv) as bot:
        for _ in range(3):
            await bot.send_message(1, "x")
        with pytest.raises(RetryAfter):
            await bot.send_message(1, "fourth to one chat")
        for chat in range(2, 5):
            await bot.send_message(chat, "x")
        with pytest.raises(RetryAfter):
            await bot.send_message(5, "seventh overall")
        clock.advance(1.0)
        await bot.send_message(5, "next second")
        assert srv.count_429 == 2


async def test_stop_releases_a_pending_long_poll() -> None:
    srv = BotApiServer()
    await srv.start()
    async with make_bot(srv) as bot:
        poll = asyncio.create_task(bot.get_updates(timeout=30))
        await srv.wait_for(lambda calls: calls[-1].method == "getUpdates")
        started = time.monotonic()
        await srv.stop()
        assert await poll == ()
        assert time.monotonic() - started < 2
