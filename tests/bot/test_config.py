"""Settings come only from the environment / .env, and .env.example documents every key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import Settings, load_settings
from bot.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def test_env_example_lists_every_setting() -> None:
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert documented == {name.upper() for name in Settings.model_fields}


def test_env_example_parses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    settings = Settings(_env_file=ROOT / ".env.example")  # type: ignore[call-arg]
    assert [s.channel for s in settings.sources][:2] == ["generalstaffzsu", "v_zelenskiy_official"]
    assert settings.side_of("mod_russia") == "RU"
    assert settings.bot_token is None or settings.bot_token.get_secret_value() == ""


def test_sources_and_admins_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCES", "@GeneralStaffZSU, https://t.me/s/Some_News:ua ,mod_russia")
    monkeypatch.setenv("ADMIN_IDS", "1, 22")
    monkeypatch.setenv("BOT_TOKEN", "123:SECRET")
    settings = load_settings(_env_file=None)
    assert [(s.channel, s.side) for s in settings.sources] == [
        ("generalstaffzsu", "UA"),
        ("some_news", "UA"),
        ("mod_russia", "RU"),
    ]
    assert settings.admin_ids == [1, 22]
    assert "SECRET" not in repr(settings)  # secrets never reach logs
    assert settings.file_url == "https://api.telegram.org/file/bot"


def test_bad_time_zone_is_a_clear_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEFAULT_TZ", "Mars/Olympus")
    with pytest.raises(ConfigError, match="DEFAULT_TZ"):
        load_settings(_env_file=None)
