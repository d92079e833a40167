"""The Telethon account: one interactive login, then a session file the watcher reuses.

The session is Telethon's SQLite file, not a StringSession: only the SQLite one keeps the
update state (pts) and the entity cache between runs, which catching up after downtime and
resolving channels without flood waits both need. It holds the account's key, so it is
created readable by its owner only.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from telethon import TelegramClient, utils

from bot.errors import NotAuthorisedError

SESSION_SUFFIX = ".session"  # Telethon appends it to a name that lacks it


def session_file(session_path: Path) -> Path:
    """The file Telethon actually writes for ``session_path``."""
    if session_path.name.endswith(SESSION_SUFFIX):
        return session_path
    return session_path.with_name(session_path.name + SESSION_SUFFIX)


def _secure(path: Path) -> None:
    """Create the file owner-only before Telethon opens it, so no reader ever sees the key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def make_client(session_path: Path, api_id: int, api_hash: str, **kw: Any) -> TelegramClient:
    """A client on the SQLite session at ``session_path``; it does not connect.

    ``catch_up`` defaults to True, so on connect Telethon asks for what it missed since the
    stored update state; the reconciler covers what even that misses.
    """
    _secure(session_file(session_path))
    kw.setdefault("catch_up", True)
    return TelegramClient(str(session_file(session_path)), api_id, api_hash, **kw)


async def interactive_login(
    api_id: int,
    api_hash: str,
    session_path: Path,
    input_fn: Callable[[str], str] = input,
    password_fn: Callable[[str], str] = getpass.getpass,
    **client_kw: Any,
) -> str:
    """Phone, code, 2FA password; writes the session (mode 600); returns the account's name.

    An already authorised session is kept as it is. Wrong codes or passwords are asked
    again, up to three times, by Telethon.
    """
    client = make_client(session_path, api_id, api_hash, catch_up=False, **client_kw)
    try:
        await client.start(
            phone=lambda: input_fn("Phone number, international format (+380...): ").strip(),
            code_callback=lambda: input_fn("Login code Telegram sent you: ").strip(),
            password=lambda: password_fn("Two-step verification password: "),
        )
        me = await client.get_me()
    finally:
        await client.disconnect()
        os.chmod(session_file(session_path), 0o600)
    if me is None:
        raise NotAuthorisedError("login did not complete; run `dozor login` again")
    return str(utils.get_display_name(me) or me.username or me.id)
