"""`dozor watch`, `dozor login`, `dozor backfill`, `dozor sources`: the ingest side."""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.common import settings_from
from bot.cli.export import parse_date
from bot.core.post import normalise_channel
from bot.errors import ConfigError, UserInputError

if TYPE_CHECKING:
    from bot.config import Settings


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    watch = sub.add_parser("watch", help="run only the watchers")
    watch.set_defaults(func=_watch)

    login = sub.add_parser("login", help="log the Telethon account in once (interactive)")
    login.set_defaults(func=_login)

    backfill = sub.add_parser("backfill", help="fetch a channel's history into the archive")
    backfill.add_argument("channel", type=normalise_channel)
    backfill.add_argument("--since", type=parse_date, required=True, help="ISO date")
    backfill.add_argument(
        "--source",
        choices=("telethon", "web"),
        default=None,
        help="default: telethon when credentials are set, else web",
    )
    backfill.add_argument(
        "--retries", type=int, default=4, help="web: retries per page before giving up"
    )
    backfill.set_defaults(func=_backfill)

    sources = sub.add_parser("sources", help="manage watched channels")
    actions = sources.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add")
    add.add_argument("channel")
    add.add_argument("--side", help="whose statements it carries: UA, RU, …")
    add.set_defaults(func=_sources_add)
    remove = actions.add_parser("remove")
    remove.add_argument("channel")
    remove.set_defaults(func=_sources_remove)
    listing = actions.add_parser("list")
    listing.set_defaults(func=_sources_list)


def _watch(args: argparse.Namespace) -> int:
    from bot.compose.processes import watch_forever

    asyncio.run(watch_forever(settings_from(args)))
    return 0


def _credentials(settings: Settings) -> tuple[int, str, Path]:
    if settings.tg_api_id is None or settings.tg_api_hash is None:
        raise ConfigError("TG_API_ID and TG_API_HASH are not set (get them at my.telegram.org)")
    return (
        int(settings.tg_api_id.get_secret_value()),
        settings.tg_api_hash.get_secret_value(),
        Path(settings.tg_session_file.get_secret_value()),
    )


def _login(args: argparse.Namespace) -> int:
    from bot.watch.telethon_login import interactive_login

    api_id, api_hash, session = _credentials(settings_from(args))
    name = asyncio.run(interactive_login(api_id, api_hash, session))
    print(f"logged in as {name}; session saved (mode 600)")
    return 0


async def backfill(
    settings: Settings, channel: str, since: datetime, source: str, *, retries: int = 4
) -> int:
    import aiohttp
    from tqdm import tqdm

    from bot.app import start_core

    core = await start_core(settings, quiet=True)  # history is archived, not alerted
    try:
        # Two bars: pages move the first while they are fetched, storing moves the second.
        with (
            tqdm(unit="post", desc=f"{channel} fetched", position=0) as pages,
            tqdm(unit="post", desc=f"{channel} stored ", position=1) as bar,
        ):
            if source == "web":
                from bot.watch.web import WebSource

                async with aiohttp.ClientSession() as http:
                    web = WebSource(
                        settings.telegram_web_url,
                        [channel],
                        core.ingest,
                        core.media,
                        http,
                        retries=retries,
                    )
                    return await web.backfill(channel, since, bar.update, pages.update)
            from bot.watch.telethon_login import make_client
            from bot.watch.telethon_source import TelethonSource

            api_id, api_hash, session = _credentials(settings)
            client = make_client(session, api_id, api_hash)
            await client.connect()
            try:
                src = TelethonSource(client, [channel], core.ingest, core.media)
                await src.start()
                try:
                    return await src.backfill(channel, since, bar.update)
                finally:
                    await src.stop()
            finally:
                await client.disconnect()
    finally:
        await core.close()


def _backfill(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    source = args.source or ("telethon" if settings.has_telethon_credentials else "web")
    new = asyncio.run(backfill(settings, args.channel, args.since, source, retries=args.retries))
    print(f"{args.channel}: {new} new posts stored")
    return 0


def _sources_call(args: argparse.Namespace, action: str) -> int:
    from bot.app import start_core
    from bot.services.sources import SourceService
    from bot.watch.check import ChannelStatus, check_channel

    async def go() -> int:
        core = await start_core(settings_from(args))
        try:
            svc = SourceService(core.sessions)
            if action == "add":
                status = await check_channel(core.settings.telegram_web_url, args.channel)
                if status is ChannelStatus.MISSING:
                    raise UserInputError(
                        f"there is no public channel @{normalise_channel(args.channel)} "
                        "(checked on t.me; private channels cannot be read)"
                    )
                if status is ChannelStatus.UNREACHABLE:
                    raise UserInputError(
                        f"could not check @{normalise_channel(args.channel)} on "
                        f"{core.settings.telegram_web_url}; try again (see the warning above)"
                    )
                src = await svc.add(args.channel, args.side)
                print(f"watching {src.channel}" + (f" ({src.side})" if src.side else ""))
            elif action == "remove":
                ok = await svc.remove(args.channel)
                print(f"stopped watching {args.channel}" if ok else f"unknown: {args.channel}")
                return 0 if ok else 1
            else:
                print(
                    f"{'channel':32} {'side':4} {'watch':8} {'health':8} {'fails':>5} "
                    f"{'last id':>8} {'last post (UTC)':16}  last error"
                )
                for s in await svc.all():
                    watching = "active" if s.active else "stopped"
                    last_post = (
                        s.last_post_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
                        if s.last_post_at
                        else "-"
                    )
                    error = (s.last_error or "-").replace("\n", " ")[:80]
                    print(
                        f"{s.channel:32} {s.side or '-':4} {watching:8} {s.state:8} "
                        f"{s.failures:>5} {s.last_message_id:>8} {last_post:16}  {error}"
                    )
            return 0
        finally:
            await core.close()

    return asyncio.run(go())


def _sources_add(args: argparse.Namespace) -> int:
    return _sources_call(args, "add")


def _sources_remove(args: argparse.Namespace) -> int:
    return _sources_call(args, "remove")


def _sources_list(args: argparse.Namespace) -> int:
    return _sources_call(args, "list")
