"""Settings: the only module that reads the environment (and ``.env``).

Everything else receives a ``Settings`` instance from the composition root.
"""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.core.post import normalise_channel
from bot.errors import ConfigError

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///dozor.sqlite3"

# Sides of the channels whose allegiance is public knowledge; SOURCES may override
# ("name:SIDE"). A claim is attributed to the side of the channel that asserts it.
KNOWN_SIDES: dict[str, str] = {
    "generalstaffzsu": "UA",
    "v_zelenskiy_official": "UA",
    "kpszsu": "UA",
    "mod_russia": "RU",
    "mod_russia_en": "RU",
}


class SourceSpec(tuple[str, str | None]):
    """A watched channel and the side it speaks for (None for news channels)."""

    @property
    def channel(self) -> str:
        return self[0]

    @property
    def side(self) -> str | None:
        return self[1]


def parse_sources(raw: str | list[str]) -> list[SourceSpec]:
    items = raw.split(",") if isinstance(raw, str) else raw
    specs: list[SourceSpec] = []
    for raw_item in items:
        item = raw_item.strip()
        if not item:
            continue
        name, sep, side = item.rpartition(":")
        if not sep or "/" in side:  # no side given ("https://t.me/x" has a colon too)
            name, side = item, ""
        channel = normalise_channel(name)
        if not channel:
            raise ValueError(f"empty channel name in SOURCES item {item!r}")
        resolved = side.strip().upper() or KNOWN_SIDES.get(channel)
        specs.append(SourceSpec((channel, resolved)))
    return specs


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    database_url: str = DEFAULT_DATABASE_URL
    bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_file_url: str | None = None
    telegram_web_url: str = "https://t.me"
    tg_api_id: SecretStr | None = None
    tg_api_hash: SecretStr | None = None
    tg_session_file: SecretStr = SecretStr("dozor.session")
    sources: Annotated[list[SourceSpec], NoDecode] = Field(default_factory=list)
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    media_dir: Path = Path("media")
    # The built place gazetteer is cached here between runs (empty: no cache).
    cache_dir: Path | None = Path.home() / ".cache" / "dozor"
    default_tz: str = "Europe/Kyiv"
    default_digest_time: time = time(8, 0)
    log_level: str = "INFO"

    # Telegram's published limits; delivery paces itself under them.
    rate_global_per_s: float = 30.0
    rate_private_per_s: float = 1.0
    rate_group_per_min: float = 20.0

    # Finished deliveries (and alerts no delivery refers to) are deleted after this many days.
    outbox_keep_days: float = 30.0

    # Posts older than this when they arrive from a live source are archived without alerts.
    alert_max_age_hours: float = 48.0

    web_poll_seconds: float = 60.0
    reconcile_seconds: float = 300.0

    @field_validator("sources", mode="before")
    @classmethod
    def _split_sources(cls, value: object) -> object:
        if isinstance(value, str | list):
            return parse_sources(value)
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(v) for v in value.replace(" ", "").split(",") if v]
        return value

    @field_validator("cache_dir", mode="before")
    @classmethod
    def _cache_path(cls, value: object) -> object:
        if value == "":
            return None
        return Path(value).expanduser() if isinstance(value, str) else value

    @field_validator("default_tz")
    @classmethod
    def _check_tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @property
    def file_url(self) -> str:
        if self.telegram_file_url:
            return self.telegram_file_url
        return self.telegram_api_url.replace("/bot", "/file/bot", 1)

    @property
    def has_telethon_credentials(self) -> bool:
        return self.tg_api_id is not None and self.tg_api_hash is not None

    def side_of(self, channel: str) -> str | None:
        for spec in self.sources:
            if spec.channel == channel:
                return spec.side
        return KNOWN_SIDES.get(channel)


def load_settings(**overrides: object) -> Settings:
    """Read the environment once; turn pydantic's errors into a ConfigError without secrets."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']).upper()}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"invalid configuration: {problems}") from None
