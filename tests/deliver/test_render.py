"""Alert rendering: valid Telegram HTML, within caption/text limits, match in bold."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from bot.analysis.places import get_gazetteer
from bot.core.alert import reasons_from_json
from bot.core.excerpt import CAPTION_LIMIT, TEXT_LIMIT, tg_len
from bot.deliver.render import Rendered
from bot.deliver.renderers import alert_renderers

ALLOWED = {"b", "i", "a", "s", "u"}  # what Telegram HTML allows and alerts use


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in ALLOWED, tag
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack.pop() == tag


def assert_valid(html_text: str) -> None:
    checker = _Checker()
    checker.feed(html_text)
    checker.close()
    assert checker.stack == []


def render_alert(
    kind: str, payload: dict[str, Any], reasons: dict[str, Any], *, lang: str, tz: str
) -> Rendered:
    """Renders the JSON an outbox row stores, as the dispatcher does."""
    render = alert_renderers(get_gazetteer)[kind]
    return render(payload, reasons_from_json(reasons), lang=lang, tz=tz)


def payload(text: str, media: list[str] | None = None) -> dict[str, Any]:
    return {
        "channel": "generalstaffzsu",
        "id": 21404,
        "title": "Генштаб ЗСУ <official>",
        "date": "2025-04-26T10:15:00+00:00",
        "text": text,
        "media": media or [],
        "forward": None,
    }


def test_match_alert_in_english_kyiv_time() -> None:
    text = "Заяви про завершення бойових дій у Курській області не відповідають дійсності."
    start = text.index("Курській")
    msg = render_alert(
        "match",
        payload(text),
        {"labels": ["Kursk"], "spans": [[start, start + 8]]},
        lang="en",
        tz="Europe/Kyiv",
    )
    assert "<b>Курській</b>" in msg.text
    assert "26.04.2025 13:15" in msg.text  # Kyiv summer time, UTC+3
    assert "Генштаб ЗСУ &lt;official&gt;" in msg.text
    assert "📍 Kursk — tracked" in msg.text
    assert 'href="https://t.me/generalstaffzsu/21404"' in msg.text
    assert_valid(msg.text)


def test_long_post_with_map_keeps_its_start_and_follows_with_the_whole_text() -> None:
    text = (
        ("Бойові дії тривають. " * 40)
        + "Сили оборони утримують позиції біля Горналя. "
        + ("Противник зазнає втрат. " * 60)
    )
    start = text.index("Горналя")
    msg = render_alert(
        "match",
        payload(text, ["ab/cd/map.png"]),
        {"labels": ["Горналь"], "spans": [[start, start + 7]]},
        lang="uk",
        tz="Europe/Kyiv",
    )
    assert msg.photos == ("ab/cd/map.png",)
    assert tg_len(msg.text) <= CAPTION_LIMIT
    # The caption keeps the post's start (its headline), not a window around the match…
    assert msg.text.split("\n\n")[1].startswith("Бойові дії тривають.")
    assert "https://t.me/generalstaffzsu/21404" in msg.text
    assert_valid(msg.text)
    # …and the whole text follows, the match in bold.
    assert msg.follow is not None and tg_len(msg.follow) <= 4096
    assert "<b>Горналя</b>" in msg.follow and "Противник зазнає втрат." in msg.follow
    assert_valid(msg.follow)
    assert msg.messages == 2


def test_text_only_alert_fits_a_message_and_escapes_html() -> None:
    text = "<script>alert(1)</script> & Kursk " * 300
    msg = render_alert(
        "match", payload(text), {"labels": ["Kursk"], "spans": [[29, 34]]}, lang="en", tz="UTC"
    )
    assert "<script>" not in msg.text
    assert tg_len(msg.text) <= TEXT_LIMIT
    assert_valid(msg.text)


def test_edit_alert_marks_what_changed() -> None:
    body = payload("Над Курщиною збито 21 БпЛА.") | {"old_text": "Над Курщиною збито 12 БпЛА."}
    msg = render_alert(
        "edit", body, {"labels": ["Курщина"], "spans": [[4, 12]]}, lang="uk", tz="Europe/Kyiv"
    )
    # What changed, word by word: the old figure struck through, the new one underlined.
    assert "Над Курщиною збито <s>12</s> <u>21</u> БпЛА." in msg.text
    assert "Було" not in msg.text
    assert_valid(msg.text)


def test_rewritten_post_shows_old_and_new() -> None:
    body = payload("Зовсім інший текст тепер.") | {"old_text": "Над Курщиною збито 12 БпЛА."}
    msg = render_alert("edit", body, {"labels": [], "spans": []}, lang="en", tz="Europe/Kyiv")
    assert "Was" in msg.text and "Now" in msg.text and "<s>" not in msg.text


def test_long_edit_diff_stays_within_limits() -> None:
    old = " ".join(f"слово{i}" for i in range(3000))
    new = " ".join(f"слово{i}" if i % 7 else f"нове{i}" for i in range(3000))
    msg = render_alert(
        "edit", payload(new) | {"old_text": old}, {"labels": []}, lang="en", tz="Europe/Kyiv"
    )
    assert tg_len(msg.text) <= 4096
    assert "more changes" in msg.text
    assert_valid(msg.text)
