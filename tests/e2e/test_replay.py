"""`dozor replay`: the bundled sample, offline, prints alerts in the bot's wording."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.media import MediaStore
from bot.replay import replay, scratch_settings
from bot.watch.sample import default_tracks, sample_posts

ROOT = Path(__file__).resolve().parents[2]


async def test_sample_replay_prints_alerts(settings_factory: Any, tmp_path: Path) -> None:
    with scratch_settings(settings_factory(), None, tmp_path / "media") as settings:
        posts = list(sample_posts(MediaStore(settings.media_dir)))
        out = io.StringIO()
        result = await replay(settings, posts, default_tracks(), out, lang="en")
    text = out.getvalue()
    assert result.posts == len(posts) >= 30
    assert result.stored == result.posts
    assert result.alerts >= 10
    assert text.count("─── alert") == result.alerts
    assert "Open the post: https://t.me/mod_russia/" in text
    assert "[photo: " in text  # the sample's maps come along


async def test_replay_of_a_desktop_export_with_explicit_track(
    settings_factory: Any, tmp_path: Path
) -> None:
    from bot.watch.jsonl import detect_and_read

    export = ROOT / "tests" / "data" / "export" / "kpszsu" / "result.json"
    with scratch_settings(settings_factory(), None, tmp_path / "media") as settings:
        posts = list(detect_and_read(export, MediaStore(settings.media_dir)))
        out = io.StringIO()
        result = await replay(settings, posts, ["Київщина"], out, lang="uk")
    assert result.alerts >= 1
    assert "відстежується" in out.getvalue()


@pytest.mark.slow
def test_cli_replay_runs_from_a_clean_environment(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "BOT_"))}
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "replay"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    summary = next(line for line in proc.stdout.splitlines() if line.startswith("replayed "))
    assert int(summary.split(": ")[-1].split()[0]) >= 10
    assert not list(tmp_path.iterdir())  # replay leaves the working directory alone
