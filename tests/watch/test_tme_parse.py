"""The t.me/s page parser, on a real block, a hand-written page and broken HTML."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.core.post import ForwardOrigin
from bot.errors import MalformedSourceError
from bot.watch.tme_parse import EDIT_DATE_UNKNOWN, parse_count, parse_page
from tests.tme.server import FakeTme

DATA = Path(__file__).resolve().parents[1] / "data" / "tme"


def _page(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


# -- the real kpszsu block -------------------------------------------------------------------


def test_real_kpszsu_block() -> None:
    page = parse_page(_page("kpszsu_79455_page.html"), "@kpszsu")
    assert page.channel == "kpszsu"
    assert page.ids == (79455,)
    assert page.before == 79455
    assert page.complete and page.skipped == 0
    msg = page.messages[0]
    post = msg.post
    assert post.date == datetime(2026, 9, 22, 5, 1, 1, tzinfo=UTC)
    assert post.views == 129_000
    assert (
        post.channel_title == "Повітряні Сили ЗС України / Air Force of the Armed Forces of Ukraine"
    )
    assert post.edit_date is None and post.forward is None and post.grouped_id is None
    assert post.media == ()
    # <br/> -> newline, emoji kept from <i class="emoji"><b>…</b></i>, entities decoded.
    assert post.text.startswith(
        "⚡️ ЗБИТО/ПОДАВЛЕНО 186 ЦІЛЕЙ ПРОТИВНИКА\n➖➖➖➖➖➖➖➖➖➖\nУ ніч на 22 вересня"
    )
    assert '4 крилатими ракетами морського базування "Калібр"' in post.text
    assert "❗️Основні напрямки удару - Дніпропетровщина" in post.text
    assert post.text.endswith("✊ Тримаймо небо!\n🇺🇦 Разом – до перемоги!")
    assert "<" not in post.text and "&quot;" not in post.text
    # Reactions are not part of the text.
    assert "🙏" not in post.text and "1.38K" not in post.text
    assert len(msg.photo_urls) == 1
    assert msg.photo_urls[0].startswith("https://cdn4.telesco.pe/file/Ifmmg83BzK7pNM52")
    assert msg.photo_urls[0].endswith("8dzePfg.jpg")


def test_raw_fragment_without_block_opening_is_unusable() -> None:
    # The verbatim fragment starts inside the message div's opening tag: no block to read.
    with pytest.raises(MalformedSourceError):
        parse_page(_page("kpszsu_79455_block_raw.html"), "kpszsu")


# -- hand-written page -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def handmade():
    return parse_page(_page("handmade_page.html"), "Dozor_Test")


def test_handmade_page_metadata(handmade) -> None:
    assert handmade.ids == (500, 501, 502, 506, 507)  # 505 broken, 508 a service message
    assert handmade.skipped == 1
    assert handmade.before == 500 and handmade.after is None
    assert handmade.title == "Dozor Test"
    assert handmade.complete
    assert handmade.min_id == 500 and handmade.max_id == 507


def test_text_br_emoji_links(handmade) -> None:
    post = handmade.messages[0].post
    assert post.channel == "dozor_test"
    assert post.text == "🔥 Сумщина: вибухи в Шостці!\nДеталі: @kpszsu\n\nТримаймо небо\xa0!"
    assert post.views == 1200


def test_photo_and_reply_not_confused(handmade) -> None:
    msg = handmade.messages[1]
    assert msg.post.text == "Карта загроз"  # not the quoted parent's text
    assert msg.photo_urls == ("https://cdn4.example/file/map-501.jpg",)  # '//' made absolute
    assert msg.post.date == datetime(2026, 9, 28, 13, 56, 13, tzinfo=timezone(timedelta(hours=3)))
    assert msg.post.date.utcoffset() is not None
    assert msg.post.views == 702


def test_album_is_one_post_with_every_photo(handmade) -> None:
    msg = handmade.messages[2]
    assert msg.post.id == 502
    assert msg.post.grouped_id == 502
    assert msg.album_ids == (502, 503, 504)
    assert msg.photo_urls == (
        "https://cdn4.example/file/a1.jpg",
        "https://cdn4.example/file/a3.jpg",
    )
    assert msg.post.text == "Наслідки атаки\nфото і відео"  # nested text div read once
    assert msg.post.views == 79_800


def test_forward_and_edited(handmade) -> None:
    post = handmade.messages[3].post
    assert post.forward == ForwardOrigin("v_zelenskiy_official", 12345, "Володимир Зеленський")
    assert post.origin == ("v_zelenskiy_official", 12345)
    assert post.edit_date == post.date  # no edit time on the web: stable lower bound
    assert EDIT_DATE_UNKNOWN in post.extra
    assert post.views == 2_620_000


def test_hidden_forward_keeps_only_the_name(handmade) -> None:
    post = handmade.messages[4].post
    assert post.forward == ForwardOrigin(name="Прихований автор")
    assert post.origin == ("dozor_test", 507)
    assert post.views is None
    assert post.channel_title == "Dozor Test"  # from the page header


def test_broken_block_is_logged(caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.watch.tme_parse"):
        parse_page(_page("handmade_page.html"), "dozor_test")
    assert any("505" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("129K", 129_000),
        ("1.2K", 1_200),
        ("4.85K", 4_850),
        ("79.8K", 79_800),
        ("2.62M", 2_620_000),
        ("702", 702),
        ("0", 0),
        ("1,5K", 1_500),
        ("n/a", None),
        ("", None),
    ],
)
def test_parse_count(raw: str, value: int | None) -> None:
    assert parse_count(raw) == value


# -- malformed and truncated HTML ------------------------------------------------------------


def _server_page(count: int = 6) -> str:
    tme = FakeTme()
    for i in range(count):
        tme.publish("chan", f"post {i}<br>&amp; more\nline two", views=100 + i)
    return tme.render_page(tme.channels["chan"])


def test_truncated_page_keeps_whole_blocks_and_says_so(caplog) -> None:
    full = _server_page()
    assert parse_page(full, "chan").ids == (1, 2, 3, 4, 5, 6)
    for cut in range(len(full) // 3, len(full) - 30, 97):
        with caplog.at_level(logging.WARNING):
            page = parse_page(full[:cut], "chan")
        # "complete" only when the cut fell after the history section closed
        assert page.complete == (cut >= full.index("</section>") + len("</section>"))
        if page.complete:
            assert page.ids == (1, 2, 3, 4, 5, 6)
        # whatever came through is exact and in order
        assert list(page.ids) == sorted(page.ids)
        for msg in page.messages:
            assert msg.post.text == f"post {msg.post.id - 1}<br>&amp; more\nline two"


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "<html><body><h1>502 Bad Gateway</h1></body></html>",
        "\x00\ufffd<<<>>> <div",
        '{"ok": false}',
        "<div class='tgme_widget_message'",
    ],
)
def test_garbage_raises_malformed(garbage: str) -> None:
    with pytest.raises(MalformedSourceError):
        parse_page(garbage, "chan")


def test_empty_channel_page_is_not_an_error() -> None:
    html = (
        '<html><body><section class="tgme_channel_history js-message_history">'
        '<div class="tme_no_messages_found">No posts found</div></section></body></html>'
    )
    page = parse_page(html, "chan")
    assert page.messages == () and page.empty_marker and page.before is None


def test_blocks_of_another_channel_and_bad_ids_are_skipped(caplog) -> None:
    good = _server_page(2)
    bad = good.replace('data-post="chan/1"', 'data-post="other/1"').replace(
        'data-post="chan/2"', 'data-post="chan/x2"'
    )
    page = parse_page(bad, "chan")
    assert page.messages == () and page.skipped == 2


def test_mangled_markup_inside_blocks_never_raises() -> None:
    full = _server_page(5)
    mangled = full.replace("</div>", "", 7).replace("<time", "<tim", 1).replace('="', "=", 9)
    page = parse_page(mangled, "chan")  # must not raise
    assert all(m.post.date.tzinfo is not None for m in page.messages)
