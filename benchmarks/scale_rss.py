"""Peak resident memory of a long-running ``dozor run``: the real process, configured by
its environment, against the loopback Bot API and t.me servers of the tests, with three
watched channels posting and a chat tracking a place, sampled from /proc every second."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
USER = 777
CHANNELS = ("bench_a", "bench_b", "bench_c")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def _run(seconds: float) -> dict[str, float]:
    from benchmarks.scale_data import text_pool
    from tests.botapi.server import BotApiServer
    from tests.tme import FakeTme

    texts = text_pool(200)
    async with BotApiServer() as srv, FakeTme() as tme:
        for ch in CHANNELS:
            tme.publish(ch, "Початок.")
        with tempfile.TemporaryDirectory() as tmp:
            env = {
                **os.environ,
                "PYTHONPATH": str(ROOT),
                "DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/run.sqlite3",
                "MEDIA_DIR": f"{tmp}/media",
                "BOT_TOKEN": "123456:RSS-BENCH",
                "TELEGRAM_API_URL": srv.base_url,
                "TELEGRAM_WEB_URL": tme.base_url,
                "SOURCES": ",".join(f"{c}:UA" for c in CHANNELS),
                "WEB_POLL_SECONDS": "1",
                "LOG_LEVEL": "WARNING",
            }
            for key in ("TG_API_ID", "TG_API_HASH"):
                env.pop(key, None)
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "run",
                cwd=tmp,
                env=env,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
            samples: list[float] = []
            try:
                srv.inject_message(USER, "/track Харків", user_id=USER, language_code="uk")
                for k in range(int(seconds)):
                    await asyncio.sleep(1)
                    tme.publish(CHANNELS[k % 3], texts[k % len(texts)], date=datetime.now(UTC))
                    if proc.returncode is not None:
                        break
                    samples.append(_rss_mb(proc.pid))
            finally:
                if proc.returncode is None:
                    proc.terminate()
                    await proc.wait()
    return {"peak": round(max(samples, default=0.0)), "last": round(samples[-1] if samples else 0)}


def run_rss_mb(seconds: float) -> dict[str, float]:
    return asyncio.run(_run(seconds))
