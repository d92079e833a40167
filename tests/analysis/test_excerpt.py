"""Alert excerpts and length-safe HTML for Telegram."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.excerpt import (
    CAPTION_LIMIT,
    TEXT_LIMIT,
    excerpt,
    fit_html,
    safe_cut,
    tg_len,
    utf16_len,
)
from bot.core.keywords import analyse_text, parse

ALLOWED = {"b", "i", "a"}


class _Checker(HTMLParser):
    """Re-parses our output: only allowed tags, balanced, and text that survives unescaping."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in ALLOWED, tag
        assert tag not in self.stack, "nested same tag"
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (tag, self.stack)
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def check_html(out: str) -> str:
    """Assert ``out`` is well-formed Telegram HTML; return its visible text."""
    checker = _Checker()
    checker.feed(out)
    checker.close()
    assert not checker.stack, checker.stack
    # No raw specials outside tags: every & starts an entity and no stray < or >.
    stripped = out
    for tag in ("<b>", "</b>", "<i>", "</i>", "</a>"):
        stripped = stripped.replace(tag, "")
    stripped = re.sub(r'<a href="[^"<>]*">', "", stripped)
    assert "<" not in stripped and ">" not in stripped
    assert re.fullmatch(r"(?:[^&]|&(?:amp|lt|gt|quot|#x27);)*", stripped), stripped
    for ch in "".join(checker.text):
        assert not 0xD800 <= ord(ch) <= 0xDFFF
    return "".join(checker.text)


TEXT = (
    "Перше речення про погоду. Друге речення теж нудне, але довге й розлоге. "
    "Ворог атакував Суджу зранку & <вночі>. Потім ще щось сталося у Курській області "
    "🇺🇦👨‍👩‍👧. Кінець."
)


def test_short_text_is_kept_whole_with_bold_matches() -> None:
    i = TEXT.index("Суджу")
    out = excerpt(TEXT, [(i, i + 5)], 500)
    assert out.startswith("Перше речення")
    assert "<b>Суджу</b> зранку &amp; &lt;вночі&gt;." in out
    assert check_html(out) == TEXT


def test_long_text_is_centred_on_the_first_match() -> None:
    i = TEXT.index("Суджу")
    out = excerpt(TEXT, [(i, i + 5)], 60)
    assert tg_len(out) <= 60
    assert out.startswith("…Ворог атакував <b>Суджу</b>")  # starts at a sentence
    assert out.endswith("щось…")  # ends at a word
    check_html(out)


def test_excerpt_ends_at_a_sentence_when_one_is_near() -> None:
    i = TEXT.index("Суджу")
    out = excerpt(TEXT, [(i, i + 5)], 45)
    assert out == "…атакував <b>Суджу</b> зранку &amp; &lt;вночі&gt;. …"


def test_highlights_from_keyword_matching_feed_the_excerpt() -> None:
    post = "Довгий вступ. " * 30 + "Бої в Курській області тривають біля Суджі. " + "Хвіст. " * 30
    doc = analyse_text(post)
    tree = parse('"Курська область" Суджа')
    out = excerpt(post, tree.highlights(doc), 120)
    assert "<b>Курській області</b>" in out and "<b>Суджі</b>" in out
    assert tg_len(out) <= 120
    check_html(out)


def test_no_spans_gives_the_beginning() -> None:
    out = excerpt("Слово " * 100, [], 50)
    assert out.startswith("Слово") and out.endswith("…")
    assert tg_len(out) <= 50


def test_emoji_are_never_split() -> None:
    text = "👨‍👩‍👧" * 40 + " Суджа " + "🇺🇦" * 40
    i = text.index("Суджа")
    out = excerpt(text, [(i, i + 5)], 40)
    assert tg_len(out) <= 40
    body = check_html(out).strip("…")
    assert body.replace("👨‍👩‍👧", "").replace("🇺🇦", "").strip() == "Суджа"


def test_safe_cut() -> None:
    family = "👨‍👩‍👧"
    text = "ab" + family + "cd"
    for i in range(3, 2 + len(family)):
        assert safe_cut(text, i) == 2
    assert safe_cut("e\u0301", 1) == 0  # e + combining acute
    flags = "🇺🇦🇵🇱"
    assert safe_cut(flags, 1) == 0 and safe_cut(flags, 2) == 2 and safe_cut(flags, 3) == 2


def test_tg_len_counts_like_telegram() -> None:
    assert tg_len('<b>a</b> &amp; <a href="https://x.y/?a=1&amp;b=2">b</a>') == 5
    assert tg_len("🇺🇦") == 4
    assert tg_len("ї") == 1
    assert utf16_len("😀a") == 3


def test_fit_html_leaves_short_messages_alone() -> None:
    msg = "<b>Sudzha</b> &amp; co"
    assert fit_html(msg, TEXT_LIMIT, "https://t.me/x/1") == msg


def test_fit_html_cuts_at_a_sentence_and_links_the_rest() -> None:
    body = html.escape(TEXT) * 3
    msg = "<b>📍 Суджа</b>\n<i>" + body + "</i>"
    out = fit_html(msg, 200, "https://t.me/mod/1?a=1&b=2", "далі")
    assert tg_len(out) <= 200
    assert out.endswith('… <a href="https://t.me/mod/1?a=1&amp;b=2">далі</a>')
    assert "області 🇺🇦👨‍👩‍👧.</i> …" in out
    check_html(out)


def test_fit_html_never_breaks_entities_or_tags() -> None:
    msg = "<b>" + "&amp;&lt;" * 100 + "</b>"
    for limit in range(1, 60):
        out = fit_html(msg, limit)
        assert tg_len(out) <= limit
        check_html(out)


@pytest.mark.parametrize("limit", [TEXT_LIMIT, CAPTION_LIMIT])
def test_fit_html_for_telegram_limits(limit: int) -> None:
    msg = "<b>Title</b>\n" + html.escape("Речення з емодзі 😀 & знаками. ") * 400
    out = fit_html(msg, limit, "https://t.me/c/1", "more")
    assert limit - 60 < tg_len(out) <= limit
    check_html(out)


# --- properties --------------------------------------------------------------------------------

texts = st.lists(
    st.one_of(
        st.characters(),
        st.sampled_from([*" .!?\n&<>\"'", "👨‍👩‍👧", "🇺🇦", "e\u0301", "Суджа", "&amp;"]),
    ),
    max_size=120,
).map("".join)


@settings(max_examples=300)
@given(texts, st.lists(st.tuples(st.integers(-5, 320), st.integers(0, 40))), st.integers(1, 400))
def test_excerpt_is_valid_html_within_the_limit(
    text: str, raw_spans: list[tuple[int, int]], limit: int
) -> None:
    text = "".join(ch for ch in text if not 0xD800 <= ord(ch) <= 0xDFFF)
    spans = [(a, a + n) for a, n in raw_spans]
    out = excerpt(text, spans, limit)
    assert tg_len(out) <= max(limit, 3)
    visible = check_html(out)
    assert visible.strip("…").strip() in text


def _html_messages() -> st.SearchStrategy[str]:
    piece = st.one_of(
        texts.map(lambda t: html.escape(t, quote=False)),
        texts.map(lambda t: "<b>" + html.escape(t, quote=False) + "</b>"),
        texts.map(lambda t: "<i>" + html.escape(t, quote=False) + "</i>"),
        texts.map(lambda t: '<a href="https://t.me/x?a=1&amp;b=2">' + html.escape(t) + "</a>"),
    )
    return st.lists(piece, max_size=6).map("".join)


@settings(max_examples=300)
@given(_html_messages(), st.integers(1, 600), st.booleans())
def test_fit_html_is_valid_html_within_the_limit(msg: str, limit: int, link: bool) -> None:
    msg = "".join(ch for ch in msg if not 0xD800 <= ord(ch) <= 0xDFFF)
    out = fit_html(msg, limit, "https://t.me/c/1" if link else None)
    assert tg_len(out) <= limit
    check_html(out)
