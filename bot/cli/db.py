"""`dozor db upgrade|current|backup|restore`."""

from __future__ import annotations

import argparse
import asyncio
import os
from datetime import UTC, datetime
from pathlib import Path

from bot.cli.common import settings_from
from bot.errors import ConfigError
from bot.ops import backup
from storage.engine import current_revision, make_engine, upgrade_schema


def _backup(args: argparse.Namespace) -> int:
    url = settings_from(args).database_url
    path: Path = args.path
    if path.is_dir() or str(path).endswith(("/", os.sep)):
        print(backup.backup_into(url, path, args.keep, datetime.now(UTC)))
    elif args.keep is not None:
        raise ConfigError("--keep needs a directory PATH (the backups are dated files in it)")
    else:
        print(backup.backup(url, path))
    return 0


def _restore(args: argparse.Namespace) -> int:
    print(backup.restore(settings_from(args).database_url, args.path))
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("db", help="database schema")
    actions = parser.add_subparsers(dest="action", required=True)
    up = actions.add_parser("upgrade", help="migrate the schema to the latest revision")
    up.add_argument("--revision", default="head")
    up.set_defaults(func=_upgrade)
    cur = actions.add_parser("current", help="print the schema revision")
    cur.set_defaults(func=_current)
    back = actions.add_parser("backup", help="write a consistent copy of the database to PATH")
    back.add_argument(
        "path", type=Path, help="a file, or a directory (or PATH/) for a dated dozor-*.backup"
    )
    back.add_argument(
        "--keep",
        type=int,
        metavar="N",
        help="with a directory: keep only the newest N dated backups in it",
    )
    back.set_defaults(func=_backup)
    rest = actions.add_parser(
        "restore", help="replace the database's contents with the backup at PATH (bot stopped)"
    )
    rest.add_argument("path", type=Path)
    rest.set_defaults(func=_restore)


async def _do_upgrade(url: str, revision: str) -> str | None:
    engine = make_engine(url)
    try:
        await upgrade_schema(engine, revision)
        return await current_revision(engine)
    finally:
        await engine.dispose()


def _upgrade(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    print(f"schema at revision {asyncio.run(_do_upgrade(settings.database_url, args.revision))}")
    return 0


async def _do_current(url: str) -> str | None:
    engine = make_engine(url)
    try:
        return await current_revision(engine)
    finally:
        await engine.dispose()


def _current(args: argparse.Namespace) -> int:
    print(asyncio.run(_do_current(settings_from(args).database_url)) or "empty database")
    return 0
