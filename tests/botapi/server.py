"""A loopback Telegram Bot API server that python-telegram-bot really talks to.

Point PTB at it with ``base_url(f"{srv.url}/bot")`` and ``base_file_url(f"{srv.url}/file/bot")``.
Every call is recorded; tests inject updates, failures and (optionally) Telegram's flood limits.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any, Self, TypeVar

from aiohttp import web

from tests.botapi import objects, updates
from tests.botapi.failures import ApiError, Failure, FailurePlan, as_failure, migrate
from tests.botapi.inject import UpdateInjector
from tests.botapi.limits import Limits, RateLimiter
from tests.botapi.methods import SEND_COUNT, make_methods
from tests.botapi.params import read_params
from tests.botapi.state import Call, Store

T = TypeVar("T")

_CHAT_BOUND = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendMediaGroup",
        "sendChatAction",
        "editMessageText",
        "editMessageReplyMarkup",
        "deleteMessage",
    }
)
_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
_BLOCKED_TEXT = {
    "private": "Forbidden: bot was blocked by the user",
    "group": "Forbidden: bot was kicked from the group chat",
    "supergroup": "Forbidden: bot was kicked from the supergroup chat",
    "channel": "Forbidden: bot is not a member of the channel chat",
}


class _Signal:
    """Wakes every waiter; usable from synchronous test code (no lock to take)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, timeout: float) -> None:  # noqa: ASYNC109
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), max(timeout, 0))


class BotApiServer(UpdateInjector):
    def __init__(
        self,
        limits: Limits | None = None,
        *,
        token: str | None = None,
        strict_photos: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``limits`` None means no flood limits. ``token`` None accepts any token; otherwise a
        different one is answered 401 (PTB raises InvalidToken). ``strict_photos`` refuses
        uploads Pillow cannot open, as Telegram does (IMAGE_PROCESS_FAILED). ``clock`` stamps
        calls and drives the limit windows; pass a fake one to test limits without sleeping."""
        self.limits = limits
        self.clock = clock
        self.token = token
        self.store = Store()
        self.calls: list[Call] = []
        self.count_429 = 0
        self._limiter = RateLimiter(limits) if limits else None
        self._poll_generation = 0
        self._blocked: dict[int | str, str] = {}
        self._migrated: dict[int | str, int] = {}
        self._methods = make_methods(strict_photos)
        self._failures = FailurePlan()
        self._updates_signal = _Signal()
        self._calls_signal = _Signal()
        self._stopping = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._port = 0

    # lifecycle

    @property
    def url(self) -> str:
        if not self._port:
            raise RuntimeError("BotApiServer is not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    async def start(self) -> None:
        self._stopping = asyncio.Event()
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        # Long polls are woken on stop, so a short grace period is enough.
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self._port)
        await site.start()
        # Port 0: ask the bound socket which port the OS chose.
        sockets = getattr(site._server, "sockets", None)
        assert sockets
        self._port = int(sockets[0].getsockname()[1])

    async def stop(self) -> None:
        self._stopping.set()
        self._updates_signal.fire()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def go_down(self) -> None:
        """The Bot API is unreachable: the port refuses connections (requests under way are
        cut off) until come_back(). Calls, chats and messages are kept."""
        await self.stop()

    async def come_back(self) -> None:
        """Listen again on the same port."""
        await self.start()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # HTTP

    async def _handle_api(self, request: web.Request) -> web.Response:
        try:
            params, files = await read_params(request)
        except ValueError as exc:  # undecodable JSON or form
            params, files = {"_unparsed": repr(exc)}, {}
        name = request.match_info["method"]
        canonical, handler = self._methods.get(name.lower(), (name, None))
        if name.lower() == "getupdates":
            canonical = "getUpdates"
        call = Call(canonical, params, files, self.clock(), params.get("chat_id"))
        self.calls.append(call)
        try:
            if "_unparsed" in params:
                raise ApiError(400, "Bad Request: can't parse request body")
            try:
                result = await self._answer(request.match_info["token"], call, handler)
            except (LookupError, TypeError, ValueError, AttributeError) as exc:
                # A request the fake cannot make sense of; say so instead of a bare 500.
                raise ApiError(400, f"Bad Request: the fake Bot API failed on it: {exc!r}") from exc
        except ApiError as err:
            if call.outcome == "pending":
                call.outcome = "error"
            call.status, call.description = err.status, err.description
            call.answered_at = self.clock()
            self._calls_signal.fire()
            return web.json_response(err.body(), status=err.status)
        call.outcome, call.status, call.result = "ok", 200, result
        call.answered_at = self.clock()
        self._calls_signal.fire()
        return web.json_response({"ok": True, "result": result})

    async def _answer(self, token: str, call: Call, handler: Any) -> Any:
        if self.token is not None and token != self.token:
            raise ApiError(401, "Unauthorized")
        if handler is None and call.method != "getUpdates":
            raise ApiError(404, "Not Found")
        self._calls_signal.fire()
        failure = self._failures.take(call.method, call.chat_id)
        if failure is not None and failure.delay:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), failure.delay)
        if failure is not None and failure.error is not None:
            call.outcome = "failed"
            raise failure.error
        self._standing_refusal(call)
        self._enforce_limits(call)
        if call.method == "getUpdates":
            return await self._get_updates(call.params)
        return handler(self.store, call.params, call.files)

    def _standing_refusal(self, call: Call) -> None:
        """Chats made unreachable with block() or migrate_chat() refuse every chat-bound call."""
        if call.chat_id in (None, "") or call.method not in _CHAT_BOUND:
            return
        chat = self.store.chat(call.chat_id)
        if chat["id"] in self._blocked:
            call.outcome = "failed"
            raise ApiError(403, self._blocked[chat["id"]])
        if chat["id"] in self._migrated:
            call.outcome = "failed"
            raise migrate(self._migrated[chat["id"]]).error or ApiError(400, "migrated")

    def _enforce_limits(self, call: Call) -> None:
        count = SEND_COUNT.get(call.method)
        if self._limiter is None or count is None or call.chat_id in (None, ""):
            return
        chat = self.store.chat(call.chat_id)
        retry = self._limiter.try_acquire(
            chat["id"], objects.chat_kind(chat), count(call.params), self.clock()
        )
        if retry is not None:
            self.count_429 += 1
            call.outcome = "rate_limited"
            raise ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = params.get("offset")
        if isinstance(offset, int):
            self.store.confirm(offset)
        if "allowed_updates" in params:
            self.store.allowed_updates = params["allowed_updates"] or None
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        # A newer getUpdates ends a waiting one with 409, as when two bot instances poll.
        self._poll_generation += 1
        generation = self._poll_generation
        self._updates_signal.fire()
        while True:
            if generation != self._poll_generation:
                raise ApiError(409, _CONFLICT)
            ready = self.store.deliverable(limit)
            remaining = deadline - time.monotonic()
            if ready or remaining <= 0 or self._stopping.is_set():
                return ready
            await self._updates_signal.wait(remaining)

    async def _handle_file(self, request: web.Request) -> web.Response:
        stored = self.store.file_by_path(request.match_info["path"])
        if stored is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        return web.Response(body=stored.data, content_type="image/jpeg")

    def _wake_pollers(self) -> None:
        self._updates_signal.fire()

    # inspection

    def calls_of(self, method: str, chat_id: int | str | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method == method and (chat_id is None or str(c.chat_id) == str(chat_id))
        ]

    def sent_messages(self, chat_id: int | str | None = None) -> list[dict[str, Any]]:
        """Messages the bot successfully sent (text, photos, album items), in order."""
        return [m for m in self.store.sent if chat_id is None or m["chat"]["id"] == chat_id]

    def file_bytes(self, file_id: str) -> bytes:
        stored = self.store.find_file(file_id)
        if stored is None:
            raise KeyError(file_id)
        return stored.data

    def photo_bytes(self, message: dict[str, Any]) -> bytes:
        return self.file_bytes(message["photo"][-1]["file_id"])

    def my_commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]]:
        return self.store.commands.get((Store.scope_key(scope), language_code), [])

    async def wait_for(self, predicate: Callable[[list[Call]], T], timeout: float = 5.0) -> T:  # noqa: ASYNC109
        """Wait until ``predicate(calls)`` is truthy and return its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate(self.calls)
            if value:
                return value
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                seen = ", ".join(f"{c.method}:{c.outcome}" for c in self.calls[-15:])
                raise TimeoutError(f"condition not met within {timeout}s; last calls: {seen}")
            await self._calls_signal.wait(remaining)

    async def wait_for_sent(
        self,
        count: int = 1,
        chat_id: int | str | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[dict[str, Any]]:
        """Wait until at least ``count`` messages were sent (to ``chat_id``) and return them."""
        return await self.wait_for(
            lambda _: msgs if len(msgs := self.sent_messages(chat_id)) >= count else [],
            timeout,
        )

    # failure injection

    def fail_next(
        self,
        method: str,
        chat_id: int | str | None = None,
        kind: Failure | str | int = "429",
        times: int = 1,
    ) -> None:
        """The next ``times`` calls of ``method`` (to ``chat_id``, if given) fail with ``kind``:
        a Failure from tests.botapi.failures (retry_after(n), bad_request(text), blocked(),
        migrate(new_id), server_error(502), slow(seconds)) or a shortcut string
        "429", "400", "403", "500", "502"."""
        self._failures.add(method, chat_id, as_failure(kind), times)

    def block(self, chat_id: int) -> None:
        """From now on the bot cannot reach ``chat_id``: the user blocked it (private) or
        removed it (group), so every chat-bound call answers 403 until unblock()."""
        kind = self.store.chat(chat_id)["type"]
        self._blocked[chat_id] = _BLOCKED_TEXT.get(kind, _BLOCKED_TEXT["private"])

    def unblock(self, chat_id: int) -> None:
        self._blocked.pop(chat_id, None)

    def migrate_chat(self, chat_id: int, new_chat_id: int) -> None:
        """The group became supergroup ``new_chat_id``: calls to the old id answer 400 with
        ``migrate_to_chat_id`` (PTB raises ChatMigrated) from now on."""
        self._migrated[chat_id] = new_chat_id
        old = self.store.chat(chat_id)
        self.store.chats[new_chat_id] = updates.chat_for(
            new_chat_id, "supergroup", title=old.get("title")
        )

    # membership

    def set_admins(self, chat_id: int, admin_ids: list[int], owner_id: int | None = None) -> None:
        members = self.store.members.setdefault(chat_id, {})
        for uid, status in list(members.items()):
            if status in ("creator", "administrator"):
                del members[uid]
        for uid in admin_ids:
            members[uid] = "administrator"
        if owner_id is not None:
            members[owner_id] = "creator"

    def set_member(self, chat_id: int, user_id: int, status: str) -> None:
        """status: creator, administrator, member, left or kicked."""
        self.store.members.setdefault(chat_id, {})[user_id] = status
