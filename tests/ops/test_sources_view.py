"""/sources shows each watched channel's health: state, newest post, and why it is failing."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.services.sources import Source
from handlers.archive import render_sources


def test_sources_show_state_last_post_and_last_error() -> None:
    when = datetime(2026, 12, 2, 7, 55, tzinfo=UTC)
    sources = [
        Source("kpszsu", "UA", True, 10, state="ok", last_post_at=when, last_error="old <b>"),
        Source(
            "mod_russia",
            "RU",
            True,
            5,
            state="dead",
            failures=12,
            last_error="markup drift: t.me/s/mod_russia: the page yields no posts <x>",
        ),
        Source("gone", None, False, 1, state="dead"),
    ]
    en = render_sources(sources, "en").splitlines()
    assert en[1] == "• @kpszsu — 🇺🇦 UA · ✅ ok · last post 2026-12-02 07:55 UTC"
    assert en[2] == "• @mod_russia — 🇷🇺 RU · 🛑 dead"
    assert en[3].strip() == (
        "Last error: markup drift: t.me/s/mod_russia: the page yields no posts &lt;x&gt;"
    )
    assert en[4] == "• @gone (stopped; archive kept)"  # not watched: no health shown
    uk = render_sources(sources, "uk")
    assert "✅ працює · останній допис 2026-12-02 07:55 UTC" in uk
    assert "🛑 не працює" in uk
