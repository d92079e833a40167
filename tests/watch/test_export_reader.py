"""The Telegram Desktop export reader, on the fixtures of scripts/make_export_fixtures.py."""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.core.post import Post
from bot.errors import ConfigError, MalformedSourceError, SourceError
from bot.media import MediaStore
from bot.watch.export import channel_for, flatten_text, read_export

DATA = Path(__file__).resolve().parents[1] / "data" / "export"
KPSZSU = DATA / "kpszsu" / "result.json"
SYNTHETIC = DATA / "synthetic" / "result.json"
TRICKY = DATA / "tricky" / "result.json"


@pytest.fixture
def store(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path / "media")


def by_id(posts: list[Post], channel: str) -> dict[int, Post]:
    return {p.id: p for p in posts if p.channel == channel}


def test_single_chat_layout_reads_the_real_channel_posts(store: MediaStore) -> None:
    posts = list(read_export(KPSZSU, store))
    assert len(posts) == 25
    assert {p.channel for p in posts} == {"kpszsu"}  # mapped from chat id 1223955273
    first = posts[0]
    assert first.id == 66144
    assert first.date == datetime(2026, 6, 24, 5, 44, 38, tzinfo=UTC)
    assert first.channel_title is not None and first.channel_title.startswith("Повітряні Сили")
    assert "Орел, Курськ" in first.text
    assert first.link == "https://t.me/kpszsu/66144"
    assert [p.id for p in posts] == sorted(p.id for p in posts)
    assert all(p.date.tzinfo is not None and not p.media for p in posts)


def test_channel_override_is_normalised(store: MediaStore) -> None:
    posts = list(read_export(KPSZSU, store, channel="https://t.me/KpsZSU_Mirror"))
    assert {p.channel for p in posts} == {"kpszsu_mirror"}


def test_full_account_with_chat_list_fixture(
    store: MediaStore, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        posts = list(read_export(SYNTHETIC, store))
    crew = by_id(posts, "gaming_crew")
    assert sorted(crew) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13]  # 10 is a service message
    assert [p.text for p in posts if p.channel == "saved_messages"] == ["buy milk"]
    # text_entities win and are flattened
    assert crew[1].text == "hello everyone?"
    assert crew[2].text == "check this link"
    assert crew[5].text == "code: x = 1"
    # date_unixtime, not the exporting machine's wall clock (which was UTC+1)
    assert crew[1].date == datetime(2021, 1, 1, 9, 0, tzinfo=UTC)
    # `edited` has no unixtime: the message's own date pair gives that machine's offset
    assert crew[7].date == datetime(2021, 1, 4, 12, 0, tzinfo=UTC)
    assert crew[7].edit_date == crew[7].date + timedelta(minutes=5)
    assert crew[6].forward is not None and crew[6].forward.name == "Meme Bot"
    assert crew[6].forward.channel is None
    assert ("reply_to", "3") in crew[4].extra
    # the missing document is skipped with a warning, the post itself is kept
    assert crew[13].text == "see attachment" and crew[13].media == ()
    assert any("documents/missing.pdf" in r.getMessage() for r in caplog.records)


def test_photos_are_copied_into_the_store_with_digest_and_size(store: MediaStore) -> None:
    posts = by_id(list(read_export(SYNTHETIC, store)), "gaming_crew")
    source = DATA / "synthetic" / "photos" / "photo_1.jpg"
    (photo,) = posts[3].media
    assert photo.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert (photo.mime, photo.width, photo.height) == ("image/jpeg", 1920, 1080)
    assert photo.is_image
    assert store.path_of(photo).read_bytes() == source.read_bytes()
    (sticker,) = posts[6].media
    assert (sticker.mime, sticker.width, sticker.height) == ("image/webp", 512, 512)
    # not an image the store can measure: the export's dimensions are kept
    (video,) = posts[9].media
    assert (video.mime, video.width, video.height) == ("video/mp4", 640, 640)


def test_real_full_account_layout_and_tricky_messages(
    store: MediaStore, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        posts = list(read_export(TRICKY, store))
    chan = by_id(posts, "dozor_test_channel")
    assert 104 not in chan  # service message
    assert chan[100].text == "Ворог атакував Харків та Суми."
    assert chan[101].text == "Дивіться #Курщина @kpszsu"
    assert chan[102].edit_date == datetime(2024, 8, 12, 7, 30, tzinfo=UTC)
    assert chan[103].forward is not None
    assert chan[103].forward.name == "Повітряні Сили ЗС України"
    assert chan[105].media == ()  # "(File not included...)"
    assert chan[112].media == ()  # listed but not on disk
    assert chan[110].media == ()  # ../outside.txt leaves the export folder
    assert not any(store.root.rglob("*.txt"))
    (pdf,) = chan[111].media
    assert pdf.mime == "application/pdf" and not pdf.is_image
    messages = " | ".join(r.getMessage() for r in caplog.records)
    assert "not in the export" in messages
    assert "leaves the export folder" in messages
    # a chat the account left, and a known channel id inside a full-account export
    assert by_id(posts, "chat1000000002")[5].text == "Старий пост про Бєлгород"
    assert by_id(posts, "kpszsu")[66144].text == "Курськ, Брянськ"


def test_album_items_become_one_post_like_the_live_sources(store: MediaStore) -> None:
    chan = by_id(list(read_export(TRICKY, store)), "dozor_test_channel")
    # One post under the first item's id, as web and Telethon store an album.
    assert 106 in chan and 107 not in chan and 108 not in chan
    album = chan[106]
    assert album.grouped_id == -106
    assert album.text == "Альбом: три мапи"
    assert len(album.media) == 3 and all(m.width == 64 for m in album.media)
    # every item's photo, in id order
    files = [
        TRICKY.parent / "photos" / f
        for f in (
            "photo_1@12-08-2024_10-06-00.png",
            "photo_2@12-08-2024_10-06-00.png",
            "photo_3@12-08-2024_10-06-01.png",
        )
    ]
    assert [m.sha256 for m in album.media] == [
        hashlib.sha256(f.read_bytes()).hexdigest() for f in files
    ]
    others = [p for i, p in chan.items() if i != 106]
    assert all(p.grouped_id is None for p in others)


def test_date_without_unixtime_is_read_in_the_given_zone(store: MediaStore) -> None:
    kyiv = by_id(list(read_export(TRICKY, store)), "dozor_test_channel")[109]
    assert kyiv.date == datetime(2024, 8, 12, 7, 0, tzinfo=UTC)
    assert kyiv.date.utcoffset() == timedelta(hours=3)
    utc = by_id(list(read_export(TRICKY, store, tz="UTC")), "dozor_test_channel")[109]
    assert utc.date == datetime(2024, 8, 12, 10, 0, tzinfo=timezone.utc)  # noqa: UP017


def test_unknown_zone_is_a_config_error(store: MediaStore) -> None:
    with pytest.raises(ConfigError, match="Mars/Olympus"):
        read_export(KPSZSU, store, tz="Mars/Olympus")


def test_channel_override_refused_for_several_chats(store: MediaStore) -> None:
    with pytest.raises(SourceError, match="single-chat"):
        read_export(TRICKY, store, channel="x")


def test_rereading_yields_identical_posts(tmp_path: Path) -> None:
    first_store = MediaStore(tmp_path / "a")
    first = list(read_export(TRICKY, first_store)) + list(read_export(SYNTHETIC, first_store))
    again = list(read_export(TRICKY, first_store)) + list(read_export(SYNTHETIC, first_store))
    fresh_store = MediaStore(tmp_path / "b")
    fresh = list(read_export(TRICKY, fresh_store)) + list(read_export(SYNTHETIC, fresh_store))
    assert first == again == fresh
    files = sorted(
        p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file()
    )
    assert files == sorted(
        p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file()
    )


def test_media_is_copied_only_as_posts_are_consumed(store: MediaStore) -> None:
    posts = read_export(SYNTHETIC, store)
    assert not store.root.exists()
    list(posts)
    assert any(store.root.rglob("*.jpg"))


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("truncated.json", "not valid JSON"),
        ("not_export.json", "not a Telegram Desktop export"),
        ("not_utf8.json", "not UTF-8"),
        ("top_list.json", "JSON object at the top"),
        ("bad_chats.json", "'chats' should hold a list"),
        ("bad_id.json", "'id' is missing or not an integer"),
        ("bad_text.json", "message 1: text is neither"),
        ("bad_date.json", "bad 'date'"),
    ],
)
def test_malformed_exports_raise_clear_errors(store: MediaStore, name: str, message: str) -> None:
    path = DATA / "malformed" / name
    with pytest.raises(MalformedSourceError, match=message) as err:
        list(read_export(path, store))
    assert str(path) in str(err.value)


def test_missing_file_is_a_source_error(store: MediaStore, tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="cannot read") as err:
        read_export(tmp_path / "nope.json", store)
    assert not isinstance(err.value, MalformedSourceError)


def test_flatten_text_forms() -> None:
    assert flatten_text("plain") == "plain"
    assert flatten_text(None) == ""
    assert flatten_text(["a ", {"type": "italic", "text": "b"}, {"type": "strikethrough"}]) == "a b"
    with pytest.raises(ValueError, match="neither"):
        flatten_text([1])
    with pytest.raises(ValueError, match="neither"):
        flatten_text({"text": "x"})


def test_channel_for_known_id_slug_and_fallback() -> None:
    assert channel_for(1223955273, "anything") == "kpszsu"
    assert channel_for(5, "Gaming Crew!") == "gaming_crew"
    assert channel_for(5, "Café Ünïcode") == "cafe_unicode"
    assert channel_for(77, "Генштаб") == "chat77"


def test_edited_without_unixtime_uses_the_machines_offset(
    store: MediaStore, tmp_path: Path
) -> None:
    export = tmp_path / "result.json"
    export.write_text(
        '{"name": "X", "type": "public_channel", "id": 9, "messages": [{"id": 1, '
        '"type": "message", "date": "2024-01-01T12:00:00", "date_unixtime": "1704103200", '
        '"edited": "2024-01-01T12:30:00", "text": "x"}]}',
        encoding="utf-8",
    )
    (post,) = read_export(export, store, tz="UTC")
    assert post.date == datetime(2024, 1, 1, 10, 0, tzinfo=UTC)  # the machine was at +02:00
    assert post.edit_date == datetime(2024, 1, 1, 10, 30, tzinfo=UTC)
