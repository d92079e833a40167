"""Settings: the only module that reads the environment (and ``.env``).

Everything else receives a ``Settings`` instance from the composition root.
"""

from __future__ import annotations

import os
import re
from datetime import time
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.core.post import normalise_channel
from bot.errors import ConfigError

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///dozor.sqlite3"
# Telegram accepts 1-256 of these; we ask for at least 16 so it cannot be guessed.
WEBHOOK_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{16,256}")

# Sides of the channels whose allegiance is public knowledge; SOURCES may override
# ("name:SIDE"). A claim is attributed to the side of the channel that asserts it.
KNOWN_SIDES: dict[str, str] = {
    "generalstaffzsu": "UA",
    "v_zelenskiy_official": "UA",
    "kpszsu": "UA",
    "mod_russia": "RU",
    "mod_russia_en": "RU",
}


def known_side(channel: str) -> str | None:
    """The publicly known side of a channel, whatever its spelling ("@GeneralStaffZSU")."""
    return KNOWN_SIDES.get(normalise_channel(channel))


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
    # Required by `dozor serve --webhook-url`: Telegram sends it back with every update, and
    # anything POSTed without it is refused (403). Never a flag: flags show in `ps`.
    webhook_secret: SecretStr | None = None
    sources: Annotated[list[SourceSpec], NoDecode] = Field(default_factory=list)
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    media_dir: Path = Path("media")
    # The built place gazetteer is cached here between runs (empty: no cache).
    cache_dir: Path | None = Path.home() / ".cache" / "dozor"
    default_tz: str = "Europe/Kyiv"
    default_digest_time: time = time(8, 0)
    log_level: str = "INFO"
    log_format: Literal["plain", "json"] = "plain"

    # /healthz and /metrics on every long-running process; port 0 turns them off.
    health_port: int = Field(default=9108, ge=0, le=65535)
    health_host: str = "127.0.0.1"
    # A source is degraded after this many failed polls in a row, dead after the second.
    source_degraded_after: int = Field(default=3, ge=1)
    source_dead_after: int = Field(default=10, ge=1)
    # Back to ok only after this many good polls in a row (a flapping channel stays degraded).
    source_recover_after: int = Field(default=2, ge=1)
    # At most one admin message per channel per this many seconds; a recovery is always told.
    source_alert_min_interval: float = Field(default=900.0, ge=0)
    # systemd's sd_notify socket and watchdog interval (set by systemd, not by hand).
    notify_socket: str | None = None
    watchdog_usec: int | None = None

    # Telegram's published limits; delivery paces itself under them.
    rate_global_per_s: float = 30.0
    rate_private_per_s: float = 1.0
    rate_group_per_min: float = 20.0
    # … and, within that, at most this many a second to one group (no bursts).
    rate_group_per_s: float = 1.0

    # The longest wait between tries while the Bot API or the database is unreachable
    # (delivery and start-up back off exponentially up to this, then keep trying).
    retry_cap_seconds: float = 10.0
    # SQLite: how long a write waits for another's lock before failing (then retried).
    sqlite_busy_seconds: float = 30.0

    # Finished deliveries (and alerts no delivery refers to) are deleted after this many days.
    outbox_keep_days: float = 30.0

    # Posts older than this when they arrive from a live source are archived without alerts.
    alert_max_age_hours: float = 48.0

    web_poll_seconds: float = 60.0
    # Base of the web preview's retry backoff (doubles per attempt).
    web_retry_seconds: float = Field(default=2.0, gt=0)
    reconcile_seconds: float = 300.0

    @field_validator("sources", mode="before")
    @classmethod
    def _split_sources(cls, value: object) -> object:
        if isinstance(value, str | list):
            return parse_sources(value)
        return value

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower_format(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("notify_socket", "watchdog_usec", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(v) for v in value.replace(" ", "").split(",") if v]
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _check_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        # Telegram's rule for secret_token; the value itself never goes into the message.
        if not WEBHOOK_SECRET_RE.fullmatch(value.get_secret_value()):
            raise ValueError("must be 16-256 characters of A-Z, a-z, 0-9, _ and -")
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
        """The side ``channel`` speaks for; channel names are case-insensitive."""
        name = normalise_channel(channel)
        for spec in self.sources:
            if spec.channel == name:
                return spec.side
        return KNOWN_SIDES.get(name)


def load_settings(**overrides: object) -> Settings:
    """Read the environment once; turn pydantic's errors into a ConfigError without secrets."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']).upper()}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"invalid configuration: {problems}") from None


def inherited_environment() -> dict[str, str]:
    """The environment a child process (pg_dump, pg_restore) starts from: ours, unchanged.
    Read here because this module is the one reader of the environment."""
    return dict(os.environ)
