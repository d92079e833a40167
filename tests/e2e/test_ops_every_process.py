"""Every long-running process (`watch`, `serve`, `deliver`, `schedule`; `run` has its own
test) serves /healthz and /metrics on its HEALTH_PORT and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest

from tests.botapi.server import BotApiServer
from tests.e2e.test_ops_process import dozor_env, free_port, get, until
from tests.tme import FakeTme

pytestmark = pytest.mark.slow
PROCESSES = ("watch", "serve", "deliver", "schedule")


async def test_each_process_serves_health_and_metrics(tmp_path: Path) -> None:
    async with BotApiServer() as srv, FakeTme() as tme:
        tme.publish("genstaff_test", "Допис.")
        ports = {name: free_port() for name in PROCESSES}
        procs: dict[str, asyncio.subprocess.Process] = {}
        # As compose's `migrate` step: the schema first (SQLite has no advisory lock).
        migrate = await asyncio.create_subprocess_exec(
            "dozor",
            "db",
            "upgrade",
            cwd=tmp_path,
            env=dozor_env(tmp_path),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        assert await migrate.wait() == 0
        try:
            for name in PROCESSES:
                env = dozor_env(
                    tmp_path,
                    BOT_TOKEN="123456:EVERY-PROCESS",
                    TELEGRAM_API_URL=srv.base_url,
                    TELEGRAM_WEB_URL=tme.base_url,
                    SOURCES="genstaff_test",
                    WEB_POLL_SECONDS="0.3",
                    HEALTH_PORT=str(ports[name]),
                )
                with (tmp_path / f"{name}.log").open("wb") as err:
                    procs[name] = await asyncio.create_subprocess_exec(
                        "dozor",
                        name,
                        cwd=tmp_path,
                        env=env,
                        stdout=asyncio.subprocess.DEVNULL,
                        stderr=err,
                    )
            for name, port in ports.items():

                async def healthy(port: int = port) -> object:
                    status, body = await get(f"http://127.0.0.1:{port}/healthz")
                    return status == 200 and body

                body = await until(healthy, f"{name} healthy", 90)
                assert body["process"] == name and body["event_loop"] and body["database"]
                assert [s["channel"] for s in body["sources"]] == ["genstaff_test"]
                status, text = await get(f"http://127.0.0.1:{port}/metrics")
                assert status == 200 and "dozor_outbox_depth" in text
        finally:
            for proc in procs.values():
                if proc.returncode is None:
                    proc.send_signal(signal.SIGTERM)
            codes = {name: await asyncio.wait_for(proc.wait(), 60) for name, proc in procs.items()}
        for name, code in codes.items():
            assert code == 0, (tmp_path / f"{name}.log").read_text()


@pytest.mark.parametrize("name", ["deliver", "serve"])
async def test_process_answers_healthz_while_the_bot_api_is_down(tmp_path: Path, name: str) -> None:
    """The Bot API unreachable at start-up: the process keeps retrying getMe, and meanwhile
    /healthz answers (the database and the loop are fine), so no supervisor kills it."""
    port = free_port()
    dead_api = f"http://127.0.0.1:{free_port()}/bot"  # nothing listens there
    env = dozor_env(
        tmp_path,
        BOT_TOKEN="123456:API-DOWN",
        TELEGRAM_API_URL=dead_api,
        SOURCES="genstaff_test",
        HEALTH_PORT=str(port),
    )
    with (tmp_path / f"{name}.log").open("wb") as err:
        proc = await asyncio.create_subprocess_exec(
            "dozor", name, cwd=tmp_path, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=err
        )
    try:

        async def healthy() -> object:
            status, body = await get(f"http://127.0.0.1:{port}/healthz")
            return status == 200 and body

        body = await until(healthy, f"{name} healthy while the Bot API is down", 90)
        assert body["process"] == name and body["database"]

        async def retrying() -> bool:
            return "Bot API start-up" in (tmp_path / f"{name}.log").read_text()

        await until(retrying, f"{name} retries the Bot API", 30)
        status, _ = await get(f"http://127.0.0.1:{port}/healthz")
        assert status == 200
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), 60)
    assert code == 0, (tmp_path / f"{name}.log").read_text()


async def test_a_deliver_child_serves_health_on_the_port_given_on_its_command_line(
    tmp_path: Path,
) -> None:
    """`dozor deliver --workers N` gives child i the port HEALTH_PORT+i as `--health-port`
    (no environment is built for it): the option wins over HEALTH_PORT."""
    port = free_port()
    env = dozor_env(
        tmp_path,
        BOT_TOKEN="123456:CHILD-PORT",
        TELEGRAM_API_URL=f"http://127.0.0.1:{free_port()}/bot",
        HEALTH_PORT="0",
    )
    proc = await asyncio.create_subprocess_exec(
        "dozor",
        "deliver",
        "--health-port",
        str(port),
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:

        async def healthy() -> object:
            status, body = await get(f"http://127.0.0.1:{port}/healthz")
            return status == 200 and body

        assert (await until(healthy, "deliver healthy on --health-port", 90))["process"] == (
            "deliver"
        )
    finally:
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 60) == 0
