"""One line per event: plain text by default, one JSON object per line with LOG_FORMAT=json;
a traceback stays inside its event's line."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from bot.ops.logs import setup_logging

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _restore_root() -> None:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


def _emit(capsys: pytest.CaptureFixture[str], fmt: str) -> list[str]:
    setup_logging("INFO", fmt)
    log = logging.getLogger("dozor.test")
    log.info("post stored: %s/%s (row %s)", "kpszsu", 12, 3)
    try:
        raise ValueError("bad\nthing")
    except ValueError:
        log.exception("poll failed")
    log.debug("not shown at INFO")
    return capsys.readouterr().err.splitlines()


def test_json_format_is_one_object_per_event(capsys: pytest.CaptureFixture[str]) -> None:
    lines = _emit(capsys, "json")
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["level"] == "INFO" and first["logger"] == "dozor.test"
    assert first["message"] == "post stored: kpszsu/12 (row 3)"
    assert first["time"].endswith("+00:00")
    assert second["message"] == "poll failed" and "ValueError: bad\nthing" in second["exc"]


def test_plain_format_keeps_a_traceback_on_its_line(capsys: pytest.CaptureFixture[str]) -> None:
    lines = _emit(capsys, "plain")
    assert len(lines) == 2
    assert lines[0].endswith("INFO dozor.test: post stored: kpszsu/12 (row 3)")
    assert "poll failed\\nTraceback" in lines[1]


def test_setting_up_again_replaces_the_format(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging("INFO", "plain")
    setup_logging("INFO", "json")
    logging.getLogger("x").warning("once")
    (line,) = capsys.readouterr().err.splitlines()
    assert json.loads(line)["message"] == "once"


def test_log_format_comes_from_the_environment(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "LOG_FORMAT": "JSON",
        "LOG_LEVEL": "INFO",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}",
        "BOT_TOKEN": "123456:SECRET-TOKEN",
        "HEALTH_PORT": "0",
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot", "-v", "db", "upgrade"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert lines and all(json.loads(line)["level"] for line in lines)
    assert "SECRET-TOKEN" not in done.stderr + done.stdout


def test_an_uncaught_exception_is_one_redacted_json_line() -> None:
    program = "\n".join(
        [
            "from bot import logsafe",
            "from bot.ops.logs import setup_logging",
            "setup_logging('INFO', 'json')",
            "logsafe.REDACT.add(['SUPERSECRET-VALUE'])",
            "logsafe.install()",
            "def deep():",
            "    raise RuntimeError('cannot reach postgresql://dozor:SUPERSECRET-VALUE@db\\nnext')",
            "deep()",
        ]
    )
    done = subprocess.run(
        [sys.executable, "-c", program],
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 1
    (line,) = done.stderr.splitlines()
    event = json.loads(line)
    assert event["level"] == "CRITICAL" and event["message"] == "uncaught exception"
    assert "SUPERSECRET-VALUE" not in done.stderr and "***" in line
    assert "in deep" in line and "RuntimeError" in line
