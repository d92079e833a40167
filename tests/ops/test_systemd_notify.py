"""sd_notify over a real unix datagram socket: READY at start, WATCHDOG pings from the event
loop's heartbeat, STOPPING at the end, from a real `dozor watch` process and in process."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import pytest

from bot.ops.health import Heartbeat
from bot.ops.systemd import Notifier

ROOT = Path(__file__).resolve().parents[2]


def datagram_socket(path: Path) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.setblocking(False)
    return sock


async def receive(sock: socket.socket, seconds: float = 30.0) -> str:
    loop = asyncio.get_running_loop()
    data = await asyncio.wait_for(loop.sock_recv(sock, 4096), seconds)
    return data.decode()


async def test_notifier_sends_each_state_as_one_datagram(tmp_path: Path) -> None:
    path = tmp_path / "notify.sock"
    with datagram_socket(path) as sock:
        notifier = Notifier(str(path), watchdog_usec=2_000_000)
        assert notifier.enabled and notifier.watchdog_seconds == 2.0
        assert notifier.ready("dozor run running")
        assert await receive(sock) == "READY=1\nSTATUS=dozor run running"
        assert notifier.watchdog()
        assert await receive(sock) == "WATCHDOG=1"
        assert notifier.stopping()
        assert await receive(sock) == "STOPPING=1"


async def test_abstract_socket_names_are_supported() -> None:
    name = f"dozor-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.setblocking(False)
        assert Notifier("@" + name).ready()
        assert (await receive(sock)).startswith("READY=1")


def test_without_a_socket_nothing_is_sent_and_nothing_fails(tmp_path: Path) -> None:
    assert not Notifier(None).ready()
    assert not Notifier(str(tmp_path / "gone.sock")).watchdog()  # socket vanished: logged


async def test_heartbeat_pings_the_watchdog_at_half_its_interval(tmp_path: Path) -> None:
    path = tmp_path / "notify.sock"
    with datagram_socket(path) as sock:
        beat = Heartbeat(Notifier(str(path), watchdog_usec=200_000), interval=0.02)
        task = asyncio.create_task(beat.run())
        try:
            pings = [await receive(sock, 5) for _ in range(3)]
        finally:
            task.cancel()
        assert pings == ["WATCHDOG=1"] * 3
        assert beat.age < 1.0


@pytest.mark.slow
async def test_a_real_process_reports_ready_watchdog_and_stopping(tmp_path: Path) -> None:
    path = tmp_path / "notify.sock"
    with datagram_socket(path) as sock:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'dozor.sqlite3'}",
            "MEDIA_DIR": str(tmp_path / "media"),
            "SOURCES": "",
            "NOTIFY_SOCKET": str(path),
            "WATCHDOG_USEC": "400000",
        }
        for key in ("TG_API_ID", "TG_API_HASH"):
            env.pop(key, None)
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "watch",
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            seen = [await receive(sock, 60)]
            while len([m for m in seen if m == "WATCHDOG=1"]) < 2:
                seen.append(await receive(sock, 10))
            assert any(m.startswith("READY=1\nSTATUS=dozor watch") for m in seen)
        finally:
            proc.send_signal(signal.SIGTERM)
            _, err = await asyncio.wait_for(proc.communicate(), 30)
        assert proc.returncode == 0, err.decode()
        rest = []
        while True:
            try:
                rest.append(await receive(sock, 0.5))
            except TimeoutError:
                break
        assert "STOPPING=1" in rest
