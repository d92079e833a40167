"""sd_notify without libsystemd: datagrams to ``$NOTIFY_SOCKET`` (READY, WATCHDOG, STOPPING).

With ``Type=notify`` and ``WatchdogSec=`` systemd restarts the service when the pings stop;
they come from the event loop's heartbeat, so a stuck loop is restarted, not just a dead one.
"""

from __future__ import annotations

import logging
import socket

log = logging.getLogger(__name__)


class Notifier:
    def __init__(self, socket_path: str | None, watchdog_usec: int | None = None) -> None:
        self.address: str | None = None
        if socket_path:
            # "@name" is the abstract namespace: a leading NUL byte on the wire.
            self.address = "\0" + socket_path[1:] if socket_path.startswith("@") else socket_path
        self.watchdog_seconds = watchdog_usec / 1_000_000 if watchdog_usec else None

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def notify(self, *fields: str) -> bool:
        """Send ``KEY=VALUE`` lines; False when there is no socket or it is gone."""
        if self.address is None:
            return False
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
                sock.connect(self.address)
                sock.sendall("\n".join(fields).encode())
        except OSError as exc:
            log.warning("sd_notify failed: %s", exc)
            return False
        return True

    def ready(self, status: str = "running") -> bool:
        return self.notify("READY=1", f"STATUS={status}")

    def watchdog(self) -> bool:
        return self.notify("WATCHDOG=1")

    def stopping(self) -> bool:
        return self.notify("STOPPING=1")
