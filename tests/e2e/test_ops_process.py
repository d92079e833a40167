"""The Docker image's entrypoint (`dozor run`) as a real process against the loopback Bot API
and t.me servers: /healthz and /metrics while posts flow; the t.me server killed turns the
source degraded, then dead, and its restart brings it back to ok, with an admin message each
way; the image's health check command answers; `dozor sources list` shows the state."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.botapi.server import BotApiServer
from tests.tme import FakeTme

ROOT = Path(__file__).resolve().parents[2]
ADMIN = 9001
CHANNEL = "genstaff_test"
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def dockerfile_json(instruction: str) -> list[str]:
    """The exec-form argument list of a Dockerfile instruction (HEALTHCHECK: its CMD)."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    line = next(ln for ln in text.splitlines() if ln.startswith(instruction + " "))
    found = re.search(r"\[(.*)\]\s*$", line)
    assert found, line
    return [part.strip().strip('"') for part in found.group(1).split(",")]


def dozor_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        # The image installs the `dozor` script on PATH; here it is the virtualenv's.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'dozor.sqlite3'}",
        "MEDIA_DIR": str(tmp_path / "media"),
        **extra,
    }
    for key in ("TG_API_ID", "TG_API_HASH"):
        env.pop(key, None)
    return env


async def get(url: str) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as http, http.get(url) as resp:
        if resp.content_type == "application/json":
            return resp.status, await resp.json()
        return resp.status, await resp.text()


async def run_cmd(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        *argv, env=env, cwd=cwd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    return proc.returncode or 0, out.decode(), err.decode()


async def until(check: Callable[[], Any], what: str, seconds: float = 60.0) -> Any:
    async with asyncio.timeout(seconds):
        while True:
            try:
                value = await check()
            except aiohttp.ClientError:
                value = None
            if value:
                return value
            await asyncio.sleep(0.2)
    raise AssertionError(what)  # pragma: no cover - the timeout raises first


def source_state(body: Any) -> str | None:
    if not isinstance(body, dict):
        return None
    states = {s["channel"]: s["state"] for s in body.get("sources", [])}
    return states.get(CHANNEL)


def metric(text: str, name: str, labels: str = "") -> float | None:
    pattern = "^" + re.escape(name) + (re.escape("{" + labels + "}") if labels else "") + r" (\S+)$"
    found = re.search(pattern, text, re.M)
    return float(found.group(1)) if found else None


def admin_texts(srv: BotApiServer) -> list[str]:
    return [str(c.params.get("text") or "") for c in srv.calls_of("sendMessage", ADMIN)]


async def test_health_metrics_and_source_states_of_a_running_process(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with BotApiServer() as srv, FakeTme() as tme:
        tme_port = int(tme.base_url.rsplit(":", 1)[1])
        tme.publish(CHANNEL, "Старий допис до запуску.")
        env = dozor_env(
            tmp_path,
            BOT_TOKEN="123456:OPS-TEST",
            TELEGRAM_API_URL=srv.base_url,
            TELEGRAM_WEB_URL=tme.base_url,
            SOURCES=f"{CHANNEL}:UA",
            ADMIN_IDS=str(ADMIN),
            WEB_POLL_SECONDS="0.3",
            WEB_RETRY_SECONDS="0.05",
            SOURCE_DEGRADED_AFTER="2",
            SOURCE_DEAD_AFTER="5",
            SOURCE_ALERT_MIN_INTERVAL="0",  # degraded and dead both told, seconds apart
            HEALTH_PORT=str(port),
            HEALTH_HOST="127.0.0.1",
            LOG_FORMAT="json",
        )
        entrypoint = dockerfile_json("ENTRYPOINT") + dockerfile_json("CMD")
        assert entrypoint == ["dozor", "run"]
        log = tmp_path / "run.log"
        with log.open("wb") as err:
            proc = await asyncio.create_subprocess_exec(
                *entrypoint,
                cwd=tmp_path,
                env=env,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=err,
            )
        try:
            # Healthy, and the source polled fine at least once.
            async def healthy_and_ok() -> Any:
                status, body = await get(f"{base}/healthz")
                return status == 200 and source_state(body) == "ok" and body

            body = await until(healthy_and_ok, "healthy with the source ok")
            assert body["status"] == "ok" and body["database"] and body["event_loop"]
            assert body["process"] == "run"

            # Posts flow: the counters and the lag follow.
            for n in range(3):
                tme.publish(CHANNEL, f"Зведення {n}.", date=datetime.now(UTC))

            async def three_more() -> Any:
                _, text = await get(f"{base}/metrics")
                value = metric(text, "dozor_posts_ingested_total", f'channel="{CHANNEL}"')
                return value is not None and value >= 4 and text

            text = await until(three_more, "posts counted")
            lag = metric(text, "dozor_source_lag_seconds", f'channel="{CHANNEL}"')
            assert lag is not None and 0 <= lag < 60
            assert metric(text, "dozor_outbox_depth") is not None
            assert metric(text, "dozor_outbox_oldest_age_seconds") is not None
            assert metric(text, "dozor_source_state", f'channel="{CHANNEL}",state="ok"') == 1.0
            assert metric(text, "dozor_analysis_seconds_count") is not None
            for name in (
                "dozor_alerts_queued_total",
                "dozor_alerts_sent_total",
                "dozor_telegram_429_total",
                "dozor_delivery_retries_total",
                "dozor_flood_waits_total",
            ):
                assert metric(text, name) == 0.0, name

            # The image's HEALTHCHECK command, as Docker would run it.
            check = dockerfile_json("HEALTHCHECK --interval=30s --timeout=10s")
            code, _, err = await run_cmd(check, env, tmp_path)
            assert code == 0, err

            # The t.me server dies: degraded, then dead; the process itself stays healthy.
            await tme.close()

            def state_is(*wanted: str) -> Callable[[], Any]:
                async def check() -> Any:
                    status, body = await get(f"{base}/healthz")
                    return status == 200 and source_state(body) in wanted and body

                return check

            # A slow machine may poll past the short degraded spell; the admin messages below
            # prove the order.
            await until(state_is("degraded", "dead"), "degraded")
            body = await until(state_is("dead"), "dead")
            (dead,) = [s for s in body["sources"] if s["channel"] == CHANNEL]
            assert dead["failures"] >= 5 and "network error" in dead["last_error"]
            await srv.wait_for(lambda _c: len(admin_texts(srv)) >= 2, timeout=30)
            assert "@genstaff_test збоїть" in admin_texts(srv)[0]
            assert "@genstaff_test не працює" in admin_texts(srv)[1]
            _, text = await get(f"{base}/metrics")
            failures = metric(text, "dozor_source_failures_total", f'channel="{CHANNEL}"')
            assert failures is not None and failures >= 5
            assert metric(text, "dozor_source_state", f'channel="{CHANNEL}",state="dead"') == 1.0

            # It comes back on the same address: ok again, and the admin hears so.
            await tme.start(tme_port)
            await until(state_is("ok"), "ok again")
            await srv.wait_for(lambda _c: len(admin_texts(srv)) >= 3, timeout=30)
            assert "@genstaff_test знову читається" in admin_texts(srv)[2]
        finally:
            proc.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(proc.wait(), timeout=30)
        output = log.read_text()
        assert code == 0, output
        assert "123456:OPS-TEST" not in output
        lines = output.splitlines()
        assert lines and all(line.startswith("{") for line in lines)  # LOG_FORMAT=json
        assert any('"message": "post stored: genstaff_test/' in line for line in lines)
        assert any('"message": "alert delivered: alert ' in line for line in lines)

    # `dozor sources list` reads the state from the database after the process is gone.
    code, out, err = await run_cmd(
        ["dozor", "sources", "list"], dozor_env(tmp_path, HEALTH_PORT="0"), tmp_path
    )
    assert code == 0, err
    (row,) = [ln for ln in out.splitlines() if ln.startswith(CHANNEL)]
    assert row.split()[1:4] == ["UA", "active", "ok"]


async def test_health_check_fails_when_nothing_answers(tmp_path: Path) -> None:
    env = dozor_env(tmp_path, HEALTH_PORT=str(free_port()))
    argv = dockerfile_json("HEALTHCHECK --interval=30s --timeout=10s")
    assert argv[-1] == "--quiet"
    code, _, err = await run_cmd(argv[:-1], env, tmp_path)  # without --quiet: says why
    assert code == 1
    assert "no answer from http://127.0.0.1:" in err
