"""`dozor import` against hostile input: media paths leaving the folder, devices, FIFOs and
oversized files are skipped, and malformed JSON ends in one line naming the file and line,
never a traceback or a hang."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.errors import MalformedSourceError, RefusedFileError
from bot.media import MediaStore
from bot.watch.confine import MAX_MEDIA_BYTES, inside, read_inside
from bot.watch.jsonl import MAX_LINE, read_jsonl_file
from storage.engine import make_engine, make_sessionmaker
from storage.models import Media, PostMedia
from tests.tme import png_bytes

ROOT = Path(__file__).resolve().parents[2]
LINE = {"channel": "c", "id": 1, "date": "2025-01-01T10:00:00+00:00", "text": "t"}


def _import(path: Path, db_url: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": db_url,
        "MEDIA_DIR": str(tmp / "store"),
    }
    # A hang (a FIFO read) fails the test through the timeout instead of blocking the suite.
    return subprocess.run(
        [sys.executable, "-m", "bot", "import", str(path)],
        cwd=tmp,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def _hostile_folder(tmp: Path) -> Path:
    src = tmp / "src"
    (tmp / "outside").mkdir()
    (tmp / "outside" / "x.png").write_bytes(png_bytes(10, 10, (1, 2, 3)))
    src.mkdir()
    (src / "ok.png").write_bytes(png_bytes(12, 12))
    (src / "link.png").symlink_to(tmp / "outside" / "x.png")
    os.mkfifo(src / "pipe.png")
    with (src / "huge.png").open("wb") as fh:  # sparse: costs no disk
        fh.truncate(MAX_MEDIA_BYTES + 1)
    return src


async def test_jsonl_media_is_confined_to_its_folder(db_url: str, tmp_path: Path) -> None:
    from tests.conftest import reset_database

    await reset_database(db_url)
    src = _hostile_folder(tmp_path)
    media = [
        "../outside/x.png",
        str(tmp_path / "outside" / "x.png"),
        "/etc/passwd",
        "/dev/zero",
        "link.png",
        "pipe.png",
        "huge.png",
        "sub/../../outside/x.png",
        "ok.png",
    ]
    (src / "posts.jsonl").write_text(json.dumps({**LINE, "media": media}) + "\n", "utf-8")
    done = _import(src / "posts.jsonl", db_url, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "read 1 posts, stored 1 new" in done.stdout
    assert "Traceback" not in done.stderr
    engine = make_engine(db_url)
    try:
        async with make_sessionmaker(engine)() as session:
            sizes = list(await session.scalars(select(Media.size)))
            links = await session.scalar(select(func.count()).select_from(PostMedia))
    finally:
        await engine.dispose()
    assert sizes == [len((src / "ok.png").read_bytes())] and links == 1
    stored = [p for p in (tmp_path / "store").rglob("*") if p.is_file()]
    assert [p.read_bytes() for p in stored] == [(src / "ok.png").read_bytes()]


async def test_desktop_export_with_a_fifo_and_a_device_does_not_hang(
    db_url: str, tmp_path: Path
) -> None:
    from tests.conftest import reset_database

    await reset_database(db_url)
    src = _hostile_folder(tmp_path)
    messages = [
        {"id": i, "type": "message", "date": f"2025-01-01T10:0{i}:00", "text": "m", "photo": p}
        for i, p in enumerate(["pipe.png", "/dev/zero", "link.png", "huge.png", "ok.png"], 1)
    ]
    export = {"name": "Chan", "type": "public_channel", "id": 1, "messages": messages}
    (src / "result.json").write_text(json.dumps(export), "utf-8")
    done = _import(src / "result.json", db_url, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "read 5 posts" in done.stdout
    stored = [p for p in (tmp_path / "store").rglob("*") if p.is_file()]
    assert [p.read_bytes() for p in stored] == [(src / "ok.png").read_bytes()]


@pytest.mark.parametrize(
    ("line", "said"),
    [
        (
            '{"channel": "c", "id": ' + "9" * 5000 + ', "date": "x", "text": ""}',
            "more than 4,300 digits",
        ),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        (json.dumps({**LINE, "id": 2**70}), "out of range"),
        (json.dumps({**LINE, "id": "1" * 5000}), "must be an integer"),
        (json.dumps({**LINE, "views": -(2**70)}), "out of range"),
        (json.dumps({**LINE, "forward": {"channel": "x", "id": 2**64}}), "out of range"),
    ],
    ids=["5000-digit int", "100k-deep", "2^70 id", "5000-digit string id", "views", "forward"],
)
def test_malformed_jsonl_is_one_line_naming_file_and_line(
    line: str, said: str, tmp_path: Path
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(LINE) + "\n" + line + "\n", "utf-8")
    done = _import(path, f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}", tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    # (Alembic's INFO lines about the migration may come before it.)
    (message,) = [x for x in done.stderr.splitlines() if x.startswith("dozor:")]
    assert f"{path}:2:" in message and said in message
    assert len(message) < 400


def test_export_file_itself_a_fifo_or_too_deep_is_one_line(tmp_path: Path) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}"
    os.mkfifo(tmp_path / "result.json")
    done = _import(tmp_path / "result.json", db, tmp_path)
    assert done.returncode == 2 and "not a regular file" in done.stderr
    deep = tmp_path / "deep.json"
    deep.write_text("{\n" + '"messages": ' + "[" * 100_000 + "]" * 100_000 + "}", "utf-8")
    done = _import(deep, db, tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "nested too deeply" in done.stderr and str(deep) in done.stderr


def test_confinement_rules(tmp_path: Path) -> None:
    src = _hostile_folder(tmp_path)
    for rel in ("../outside/x.png", "/etc/passwd", "link.png", "C:\\x.png", "a/../../b", ""):
        with pytest.raises(RefusedFileError) as err:
            inside(src, rel)
        assert err.value.outside
    for rel, why in (("pipe.png", "not a regular file"), ("huge.png", "more than")):
        with pytest.raises(RefusedFileError, match=why):
            read_inside(src, rel)
    assert read_inside(src, "ok.png") == (src / "ok.png").read_bytes()


def test_reader_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps({**LINE, "grouped_id": 2**70}) + "\n", "utf-8")
    with pytest.raises(MalformedSourceError, match=r"p\.jsonl:1: 'grouped_id' is out of range"):
        list(read_jsonl_file(path, MediaStore(tmp_path / "m")))


def test_an_endless_line_is_refused_before_it_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps(LINE) + "\n")
        fh.write('{"text": "' + "x" * (MAX_LINE + 10))
    with pytest.raises(MalformedSourceError, match=r"long\.jsonl:2: line longer than"):
        list(read_jsonl_file(path, MediaStore(tmp_path / "m")))
