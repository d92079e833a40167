"""/sources shows each watched channel's health: state, newest post, and why it is failing."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.excerpt import TEXT_LIMIT, tg_len
from bot.services.sources import Source
from handlers.archive_render import render_sources


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
    en = "\n".join(render_sources(sources, "en", admin=True)).splitlines()
    assert en[1] == "• @kpszsu — 🇺🇦 UA · ✅ ok · last post 2026-12-02 07:55 UTC"
    assert en[2] == "• @mod_russia — 🇷🇺 RU · 🛑 dead"
    assert en[3].strip() == (
        "Last error: markup drift: t.me/s/mod_russia: the page yields no posts &lt;x&gt;"
    )
    assert en[4] == "• @gone (stopped; archive kept)"  # not watched: no health shown
    uk = "\n".join(render_sources(sources, "uk"))
    assert "✅ працює · останній допис 2026-12-02 07:55 UTC" in uk
    assert "🛑 не працює" in uk
    assert "Last error" not in "".join(render_sources(sources, "en"))  # not an admin
    assert "Остання помилка" not in uk


def test_many_failing_sources_split_into_messages_within_telegram_limit() -> None:
    error = "HTTP 503 from http://10.0.0.7:8080/internal/s/channel_name?before=123456 " * 3
    sources = [
        Source(f"channel_{n:03}", "UA", True, 1, state="dead", failures=12, last_error=error)
        for n in range(200)
    ]
    for admin in (False, True):
        messages = render_sources(sources, "en", admin=admin)
        assert len(messages) > 1
        assert all(len(m) <= TEXT_LIMIT and tg_len(m) <= TEXT_LIMIT for m in messages)
        text = "\n".join(messages)
        # Every channel once, in order, none cut in two.
        assert [ln[3:14] for ln in text.splitlines() if ln.startswith("• @")] == [
            f"channel_{n:03}" for n in range(200)
        ]
        assert ("10.0.0.7" in text) is admin
