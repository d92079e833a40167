"""A loopback t.me web-preview server for tests (see ``server.py``)."""

from __future__ import annotations

from typing import Any

__all__ = ["FakeMessage", "FakeTme", "format_count", "png_bytes"]


def __getattr__(name: str) -> Any:
    # Imported lazily so that ``python -m tests.tme.server`` runs without a double import.
    if name in __all__:
        from tests.tme import server

        return getattr(server, name)
    raise AttributeError(name)
