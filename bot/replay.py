"""`dozor replay`: the live pipeline, offline, printing the alerts instead of sending them."""

from __future__ import annotations

import html
import re
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bot.app import build_dispatcher, start_core
from bot.config import Settings
from bot.core.alert import AlertKind, ContradictionNote, contradiction_alert_from_json
from bot.core.post import Post
from bot.deliver.pacing import Limits, Pacer
from bot.deliver.render import Rendered
from bot.services.subscriptions import ChatRef, SubscriptionService
from storage.repos import outbox

UNLIMITED = Limits(1e6, 1e6, 1e6, 1e6)
REPLAY_CHAT = ChatRef(id=1, type="private", title="replay", language="en")
_TAG = re.compile(r"<[^>]+>")
_LINK = re.compile(r'<a href="([^"]+)">([^<]*)</a>')


def html_to_terminal(text: str, *, ansi: bool = False) -> str:
    """The alert as a terminal shows it: links spelled out, bold kept on a real terminal."""
    text = _LINK.sub(lambda m: f"{m.group(2)}: {html.unescape(m.group(1))}", text)
    if ansi:
        text = text.replace("<b>", "\033[1m").replace("</b>", "\033[0m")
    return html.unescape(_TAG.sub("", text))


class ConsoleSender:
    """Prints what the bot would send, in the bot's own wording."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.sent = 0

    async def send(self, chat_id: int, thread_id: int, msg: Rendered) -> int:
        self.sent += 1
        self.out.write(f"─── alert {self.sent} " + "─" * 50 + "\n")
        self.out.write(html_to_terminal(msg.text, ansi=self.out.isatty()) + "\n")
        for photo in msg.photos:
            self.out.write(f"[photo: {photo}]\n")
        if msg.follow:
            self.out.write(html_to_terminal(msg.follow, ansi=self.out.isatty()) + "\n")
        self.out.write("\n")
        return self.sent


async def track_like_a_user(svc: SubscriptionService, chat: ChatRef, text: str) -> None:
    """What /track does, minus the buttons: a place when the name is one (every reading of
    a name like "Kursk": the city and the oblast), else the words as a keyword."""
    resolution = svc.resolve(text, chat.language)
    places = [resolution.place] if resolution.place else list(resolution.choices[:3])
    for choice in places:
        await svc.track_place(chat, choice.place_id)
    if not places:
        await svc.track_keyword(chat, text)


@dataclass(frozen=True, slots=True)
class ReplayResult:
    posts: int
    stored: int
    alerts: int
    # One line per contradiction found: "Kursk Oblast: <why> (@a/1 ↔ @b/2)".
    contradictions: tuple[str, ...] = ()


def contradiction_line(c: ContradictionNote, lang: str) -> str:
    place, why = c.place.say(lang), c.why.say(lang)
    old, new = c.earlier, c.new
    lead = "" if place in why else f"{place}: "
    return f"{lead}{why} (@{old.channel}/{old.id} ↔ @{new.channel}/{new.id})"


async def replay(
    settings: Settings,
    posts: Iterable[Post],
    tracks: Iterable[str],
    out: TextIO,
    *,
    lang: str = "en",
) -> ReplayResult:
    core = await start_core(settings)
    try:
        chat = ChatRef(REPLAY_CHAT.id, REPLAY_CHAT.type, REPLAY_CHAT.title, lang)
        subscriptions = SubscriptionService(core.sessions, core.places)
        await subscriptions.register_chat(chat)
        for track in tracks:
            await track_like_a_user(subscriptions, chat, track)
        sender = ConsoleSender(out)
        # Unlimited pacing: nothing goes to Telegram.
        dispatcher = build_dispatcher(core, sender, Pacer(UNLIMITED))
        ordered = sorted(posts, key=lambda p: (p.date, p.channel, p.id))
        stored = 0
        for post in ordered:
            stored += await core.ingest.new_posts([post])
            while await dispatcher.run_once():
                pass
        async with core.sessions() as session:
            found = await outbox.alerts_of_kind(session, AlertKind.CONTRADICTION)
        lines = tuple(
            contradiction_line(contradiction_alert_from_json(a.payload).contradiction, lang)
            for a in found
            if a.payload
        )
        return ReplayResult(len(ordered), stored, sender.sent, lines)
    finally:
        await core.close()


@contextmanager
def scratch_settings(
    base: Settings, database_url: str | None, media_dir: Path | None
) -> Iterator[Settings]:
    """Replay works in a scratch database and media folder, removed afterwards, unless a
    database (and media folder) are given."""
    with tempfile.TemporaryDirectory(prefix="dozor-replay-") as tmp:
        scratch = Path(tmp)
        yield base.model_copy(
            update={
                "database_url": database_url or f"sqlite+aiosqlite:///{scratch / 'replay.sqlite3'}",
                "media_dir": media_dir or scratch / "media",
            }
        )
