"""The deployment files cannot be built here (no image registry): what can be checked is. The
compose file parses and names only real `dozor` commands and documented variables; the image
runs as a non-root user, carries no secret or state, and checks its health with a real
command; the systemd unit is a notify service with a watchdog."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli.main import build_parser

ROOT = Path(__file__).resolve().parents[2]
DOZOR_SERVICES = {"migrate", "watch", "serve", "deliver", "schedule", "run", "login"}


def _documented() -> set[str]:
    return set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "compose.yaml").read_text())
    assert isinstance(data, dict)
    return data


def test_compose_runs_postgres_and_the_five_processes(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == DOZOR_SERVICES | {"postgres"}
    assert services["postgres"]["image"].startswith("postgres:")
    # `run` is the one-process alternative, never started beside the four.
    assert services["run"]["profiles"] == ["single"]
    assert services["login"]["profiles"] == ["login"]
    for name in DOZOR_SERVICES - {"run", "login"}:
        assert "profiles" not in services[name]
    for name in ("watch", "serve", "deliver", "schedule"):
        needs = services[name]["depends_on"]
        assert needs["migrate"]["condition"] == "service_completed_successfully"


def test_compose_commands_are_real_dozor_commands(compose: dict[str, Any]) -> None:
    parser = build_parser()
    seen = set()
    for name in DOZOR_SERVICES:
        command = compose["services"][name]["command"]
        args = parser.parse_args(command)  # exits (fails the test) on an unknown command
        seen.add(args.command)
    assert seen == {"db", "watch", "serve", "deliver", "schedule", "run", "login"}


def _dockerfile_env(key: str) -> str:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    found = re.search(rf"\b{key}=(\S+)", text)
    assert found, key
    return found.group(1)


def test_compose_keeps_session_and_media_in_one_named_volume(compose: dict[str, Any]) -> None:
    """The Telethon session written by `login` must survive for `watch` and `run`, and the
    media the watchers save must be readable by `deliver`: all of /data is one named volume."""
    assert "data" in compose["volumes"]
    session = _dockerfile_env("TG_SESSION_FILE")
    for name in DOZOR_SERVICES:
        service = compose["services"][name]
        assert "data:/data" in service["volumes"], name
        env = service["environment"]
        assert env.get("TG_SESSION_FILE", session).startswith("/data/"), name
        assert env["MEDIA_DIR"].startswith("/data/"), name
    assert compose["services"]["login"]["stdin_open"] is True


def test_compose_gives_dozor_time_to_stop_cleanly(compose: dict[str, Any]) -> None:
    for name in DOZOR_SERVICES:
        assert compose["services"][name]["stop_grace_period"] == "30s", name


def test_compose_sets_only_documented_variables(compose: dict[str, Any]) -> None:
    documented = _documented()
    for name in DOZOR_SERVICES:
        service = compose["services"][name]
        assert service["env_file"] == ".env"
        assert set(service["environment"]) <= documented, name
        assert service["environment"]["DATABASE_URL"].startswith("postgresql+asyncpg://")
        assert service["environment"]["HEALTH_HOST"] == "0.0.0.0"


def _dockerfile() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    return [(ln.split(None, 1)[0], ln.split(None, 1)[1]) for ln in lines]


def test_image_runs_as_a_user_and_copies_only_what_it_needs() -> None:
    steps = _dockerfile()
    users = [arg for op, arg in steps if op == "USER"]
    assert users and users[-1] not in ("root", "0")
    copies = [arg.split() for op, arg in steps if op == "COPY"]
    sources = {part for args in copies for part in args[:-1]}
    assert sources == {"pyproject.toml", "README.md", "bot", "handlers", "storage"}
    env = " ".join(arg for op, arg in steps if op == "ENV")
    assert (
        set(re.findall(r"\b([A-Z_]+)=", env))
        - {
            "PYTHONDONTWRITEBYTECODE",
            "PYTHONUNBUFFERED",
            "PIP_NO_CACHE_DIR",
            "PIP_DISABLE_PIP_VERSION_CHECK",
        }
        <= _documented()
    )
    (health,) = [arg for op, arg in steps if op == "HEALTHCHECK"]
    assert health.split("CMD", 1)[1].strip() == '["dozor", "health", "--quiet"]'
    parser = build_parser()
    assert parser.parse_args(["health", "--quiet"]).command == "health"


def test_dockerignore_keeps_secrets_and_state_out() -> None:
    patterns = {
        ln.strip()
        for ln in (ROOT / ".dockerignore").read_text().splitlines()
        if ln.strip() and not ln.startswith("#")
    }
    for needed in (".env", "*.session", "*.sqlite3", "media/", ".git", ".venv"):
        assert needed in patterns


def test_systemd_unit_is_a_notify_service_with_a_watchdog() -> None:
    unit = (ROOT / "deploy" / "dozor.service").read_text()
    options = dict(
        ln.split("=", 1) for ln in unit.splitlines() if "=" in ln and not ln.startswith("#")
    )
    assert options["Type"] == "notify"
    assert int(options["WatchdogSec"]) > 0
    assert options["Restart"] == "on-failure"
    assert options["User"] != "root"
    command = options["ExecStart"].split()
    assert command[0].endswith("/dozor")
    assert build_parser().parse_args(command[1:]).command == "run"
