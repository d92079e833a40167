"""`dozor analyze`: the documented contract, with claims and contradictions, in and out of a DB."""

from __future__ import annotations

import asyncio
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.cli.analyze import run_stream
from bot.config import Settings
from bot.errors import MalformedSourceError
from tests.conftest import reset_database

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "bot" / "data" / "sample" / "posts.jsonl"


def kursk_lines() -> list[str]:
    rows = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    rows = [r for r in rows if r["channel"] != "kpszsu"]
    rows.sort(key=lambda r: r["date"])
    return [
        json.dumps({k: r[k] for k in ("channel", "id", "date", "text")}, ensure_ascii=False)
        for r in rows
    ]


def settings() -> Settings:
    return Settings(_env_file=None)  # type: ignore[call-arg]


def test_kursk_statements_contradict_earlier_posts_of_the_input() -> None:
    lines = kursk_lines()
    dst = io.StringIO()
    assert run_stream(io.StringIO("\n".join(lines) + "\n"), dst, settings()) == 0
    out = [json.loads(x) for x in dst.getvalue().splitlines()]
    assert [(o["channel"], o["id"]) for o in out] == [
        (json.loads(x)["channel"], json.loads(x)["id"]) for x in lines
    ]
    for o in out:
        assert set(o) >= {"channel", "id", "places", "claims", "contradicts"}
        for p in o["places"]:
            assert set(p) == {"name", "region", "kind", "id", "start", "end"}
    gornal = next(
        o
        for o in out
        if o["channel"] == "mod_russia"
        and any(p["name"] in ("Gornal", "Hornal") for p in o["places"])
    )
    assert any(c["side"] == "RU" for c in gornal["claims"])
    answers = [o for o in out if o["contradicts"]]
    assert answers, "the General Staff's answer must contradict the MoD's claim"
    seen = {(o["channel"], o["id"]) for o in out}
    for o in answers:
        for c in o["contradicts"]:
            assert (c["channel"], c["id"]) in seen and c["why"]
    assert any(c["channel"] == "mod_russia" for o in answers for c in o["contradicts"])


def test_bad_lines_are_clear_errors() -> None:
    with pytest.raises(MalformedSourceError, match="line 1"):
        run_stream(io.StringIO("{not json\n"), io.StringIO(), settings())
    with pytest.raises(MalformedSourceError, match="offset"):
        run_stream(
            io.StringIO(
                json.dumps({"channel": "a", "id": 1, "date": "2025-01-01", "text": ""}) + "\n"
            ),
            io.StringIO(),
            settings(),
        )


def test_cli_reads_stdin_and_checks_a_database(tmp_path: Path, db_url: str) -> None:
    """Claims stored by an earlier run (the replay pipeline) are contradicted with --db."""
    asyncio.run(reset_database(db_url))  # PostgreSQL is shared: start from an empty schema
    lines = kursk_lines()
    claim = next(x for x in lines if json.loads(x)["id"] == 51803)  # MoD: Gornal taken
    answer = next(x for x in lines if json.loads(x)["id"] == 22786)  # GS: not true
    env: dict[str, Any] = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": db_url,
        "MEDIA_DIR": str(tmp_path / "m"),
    }
    first = tmp_path / "claim.jsonl"
    first.write_text(claim + "\n", encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "bot", "import", str(first)],
        env=env,
        check=True,
        capture_output=True,
        cwd=tmp_path,
        timeout=120,
    )
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "analyze", "-", "--db", db_url],
        input=answer + "\n",
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    (out,) = [json.loads(x) for x in proc.stdout.splitlines()]
    assert [(c["channel"], c["id"]) for c in out["contradicts"]] == [("mod_russia", 51803)]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"channel": "a", "id": "x2", "date": "2025-01-01T00:00:00+00:00", "text": ""}, "'id'"),
        ({"id": 1, "date": "2025-01-01T00:00:00+00:00", "text": ""}, "'channel'"),
    ],
)
def test_bad_fields_name_the_line_and_field(line: dict[str, object], message: str) -> None:
    src = io.StringIO(json.dumps(line) + "\n")
    with pytest.raises(MalformedSourceError, match=f"line 1: {message}"):
        run_stream(src, io.StringIO(), settings())
