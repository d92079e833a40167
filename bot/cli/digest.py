"""`dozor digest --chat ID --date D` and `dozor schedule`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date

from bot.app import digest_service, start_core
from bot.cli.common import settings_from
from bot.config import Settings
from bot.digest.render import digest_text
from bot.digest.service import chat_zone
from bot.errors import UserInputError
from bot.replay import html_to_terminal
from storage.repos import chats as chat_repo
from storage.types import utcnow


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("digest", help="print a chat's daily digest in the terminal")
    parser.add_argument("--chat", type=int, required=True, help="the chat's id")
    parser.add_argument(
        "--date",
        type=date.fromisoformat,
        default=None,
        help="the day the digest is due on, YYYY-MM-DD (default: today)",
    )
    parser.add_argument("--lang", choices=("uk", "en"), help="default: the chat's language")
    parser.add_argument("--db", help="database URL (default: DATABASE_URL)")
    parser.set_defaults(func=_digest)

    sched = sub.add_parser(
        "schedule", help="run the digest scheduler (one leader among processes, PostgreSQL)"
    )
    sched.add_argument(
        "--refresh",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="how often the chats' digest times are re-read (default 60)",
    )
    sched.add_argument(
        "--lock-poll",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="how often a standby tries to take over (default 5)",
    )
    sched.set_defaults(func=_schedule)


def _digest(args: argparse.Namespace) -> int:
    settings = settings_from(args, database_url=args.db)
    text = asyncio.run(_render(settings, args.chat, args.date, args.lang))
    print(html_to_terminal(text, ansi=sys.stdout.isatty()))
    return 0


async def _render(settings: Settings, chat_id: int, day: date | None, lang: str | None) -> str:
    core = await start_core(settings)
    try:
        service = digest_service(core)
        async with core.sessions() as session:
            chat = await chat_repo.get(session, chat_id)
        if chat is None:
            raise UserInputError(f"no chat {chat_id} in the database")
        tz = chat_zone(chat, settings.default_tz)
        if day is None:
            day = utcnow().astimezone(tz).date()
        preview = await service.preview(chat_id, day)
        assert preview is not None
        text = digest_text(preview.payload, lang=lang or chat.language, tz=tz.key)
        if preview.chart_path:
            text += f"\n\n[chart: {settings.media_dir / preview.chart_path}]"
        return text
    finally:
        await core.close()


def _schedule(args: argparse.Namespace) -> int:
    from bot.compose.processes import schedule_forever

    asyncio.run(schedule_forever(settings_from(args), args.refresh, args.lock_poll))
    return 0
