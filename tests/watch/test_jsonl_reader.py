"""The JSONL post reader, format detection, and the bundled replay sample."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

import bot
from bot.core.post import ForwardOrigin, Post
from bot.core.textmatch import find_term
from bot.errors import MalformedSourceError
from bot.media import MediaStore
from bot.watch.jsonl import DELETED, detect_and_read, post_to_record, read_jsonl
from bot.watch.sample import SAMPLE_POSTS, default_tracks
from bot.watch.sample import sample_posts as bundled_sample

SAMPLE = Path(bot.__file__).parent / "data" / "sample"
EXPORT = Path(__file__).resolve().parents[1] / "data" / "export" / "kpszsu" / "result.json"


@pytest.fixture
def store(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path / "store")


def line(**fields: object) -> str:
    base: dict[str, object] = {
        "channel": "kpszsu",
        "id": 1,
        "date": "2026-06-24T08:44:38+03:00",
        "text": "Курськ",
    }
    base.update(fields)
    return json.dumps(base, ensure_ascii=False)


def png(path: Path, size: tuple[int, int] = (40, 30)) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, "red").save(path, "PNG")
    return path.read_bytes()


def test_minimal_line() -> None:
    (post,) = read_jsonl([line(channel="@KPSZSU")], None, None)
    assert post == Post(
        channel="kpszsu",
        id=1,
        date=datetime(2026, 6, 24, 5, 44, 38, tzinfo=UTC),
        text="Курськ",
    )
    assert post.date.utcoffset() == timedelta(hours=3)


def test_optional_fields_and_unknown_keys() -> None:
    (post,) = read_jsonl(
        [
            line(
                edited="2026-06-24T09:00:00+03:00",
                deleted=True,
                forward={"channel": "GeneralStaffZSU", "id": 7, "name": "Генштаб"},
                grouped_id=123,
                channel_title="Air Force",
                views=10,
                places=["Курськ"],  # e.g. `dozor analyze` output read back
            )
        ],
        None,
        None,
    )
    assert post.edit_date == datetime(2026, 6, 24, 6, 0, tzinfo=UTC)
    assert DELETED in post.extra
    assert post.forward == ForwardOrigin(channel="generalstaffzsu", message_id=7, name="Генштаб")
    assert post.origin == ("generalstaffzsu", 7)
    assert (post.grouped_id, post.channel_title, post.views) == (123, "Air Force", 10)
    (plain,) = read_jsonl([line(edited=None, deleted=False, media=[])], None, None)
    assert plain.edit_date is None and plain.extra == () and plain.media == ()


def test_media_paths_relative_to_the_file(store: MediaStore, tmp_path: Path) -> None:
    data = png(tmp_path / "in" / "media" / "map.png")
    digest = hashlib.sha256(data).hexdigest()
    lines = [
        line(id=1, media=["media/map.png"]),
        line(id=2, media=[{"path": "media/map.png", "sha256": digest.upper()}]),
    ]
    first, second = read_jsonl(lines, store, tmp_path / "in")
    assert first.media == second.media
    (media,) = first.media
    assert (media.sha256, media.mime, media.width, media.height) == (digest, "image/png", 40, 30)
    assert store.path_of(media).read_bytes() == data


def test_media_ignored_without_a_store(tmp_path: Path) -> None:
    (post,) = read_jsonl([line(media=["media/nowhere.png"])], None, tmp_path)
    assert post.media == ()


def test_missing_media_is_skipped_with_a_warning(
    store: MediaStore, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        (post,) = read_jsonl([line(media=["gone.png"])], store, tmp_path, source="f.jsonl")
    assert post.media == ()
    assert "f.jsonl:1: media file missing" in caplog.text


def test_digest_mismatch_is_refused_before_storing(store: MediaStore, tmp_path: Path) -> None:
    png(tmp_path / "m.png")
    with pytest.raises(MalformedSourceError, match=r"f.jsonl:1: m.png does not match"):
        list(
            read_jsonl(
                [line(media=[{"path": "m.png", "sha256": "0" * 64}])],
                store,
                tmp_path,
                source="f.jsonl",
            )
        )
    assert not store.root.exists()


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        (line(channel=""), "'channel' must be a non-empty string"),
        (line(id="x1"), "'id' must be an integer"),
        (line(id=True), "'id' must be an integer"),
        (line(text=None), "'text' must be a string"),
        (line(date="2026-06-24T08:44:38"), "needs a UTC offset"),
        (line(date="24.06.2026"), "not ISO 8601"),
        (line(date=None), "'date' is required"),
        (line(deleted="yes"), "'deleted' must be true or false"),
        (line(forward="kpszsu"), "'forward' must be an object"),
        (line(media="a.png"), "'media' must be a list"),
        (line(media=[{"sha256": "x"}]), "a 'media' item must be"),
    ],
)
def test_bad_lines_name_their_line_number(bad: str, message: str) -> None:
    lines = [line(id=1), "", "# a comment", bad]
    posts = read_jsonl(lines, None, None, source="posts.jsonl")
    assert next(posts).id == 1
    with pytest.raises(MalformedSourceError, match=message) as err:
        next(posts)
    assert str(err.value).startswith("posts.jsonl:4: ")


def test_ids_as_digit_strings_are_accepted() -> None:
    (post,) = read_jsonl([line(id="66144")], None, None)
    assert post.id == 66144


def test_record_round_trip(store: MediaStore, tmp_path: Path) -> None:
    media = store.put_bytes(png(tmp_path / "x.png"))
    post = Post(
        channel="generalstaffzsu",
        id=22786,
        date=datetime(2025, 4, 26, 15, 20, tzinfo=UTC),
        text="Курщина",
        edit_date=datetime(2025, 4, 26, 16, 0, tzinfo=UTC),
        media=(media,),
        grouped_id=5,
        forward=ForwardOrigin(channel="kpszsu", message_id=1, name="ПС"),
        channel_title="Генштаб",
        views=3,
    )
    text = json.dumps(post_to_record(post), ensure_ascii=False)
    (back,) = read_jsonl([text], store, store.root)
    assert back == post
    assert json.loads(text)["deleted"] is False


def test_detect_and_read_chooses_by_content(store: MediaStore, tmp_path: Path) -> None:
    jsonl = tmp_path / "posts.txt"
    jsonl.write_text("\n" + line(id=5) + "\n", encoding="utf-8")
    assert [p.id for p in detect_and_read(jsonl, store)] == [5]
    exported = list(detect_and_read(EXPORT, store))
    assert len(exported) == 25 and exported[0].channel == "kpszsu"
    one_line_export = tmp_path / "result.json"
    one_line_export.write_text(json.dumps(json.loads(EXPORT.read_text("utf-8"))), "utf-8")
    assert list(detect_and_read(one_line_export, store)) == exported
    garbage = tmp_path / "garbage.json"
    garbage.write_text("hello\n", encoding="utf-8")
    with pytest.raises(MalformedSourceError, match="not valid JSON"):
        list(detect_and_read(garbage, store))


def test_bad_jsonl_file_reports_its_path(store: MediaStore, tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text(line(id=1) + "\n" + line(id=2, date="nope") + "\n", encoding="utf-8")
    with pytest.raises(MalformedSourceError, match=r"p.jsonl:2: 'date' is not ISO 8601"):
        list(detect_and_read(path, store))


# The bundled sample `dozor replay` uses when given no file.


def sample_posts(store: MediaStore) -> list[Post]:
    posts = list(detect_and_read(SAMPLE / "posts.jsonl", store))
    assert SAMPLE_POSTS == SAMPLE / "posts.jsonl"
    assert list(bundled_sample(store)) == posts
    return posts


def test_sample_parses_with_maps(store: MediaStore) -> None:
    posts = sample_posts(store)
    assert len(posts) >= 30
    assert {p.channel for p in posts} == {
        "kpszsu",
        "mod_russia",
        "generalstaffzsu",
        "v_zelenskiy_official",
    }
    with_media = [p for p in posts if p.media]
    assert len(with_media) >= 2
    assert all(m.is_image and m.width and m.height for p in with_media for m in p.media)
    assert ("mod_russia", 49120) in {(p.channel, p.id) for p in with_media}
    assert [p.date for p in posts] == sorted(p.date for p in posts)
    assert len({(p.channel, p.id) for p in posts}) == len(posts)


def test_sample_ids_grow_with_time_per_channel(store: MediaStore) -> None:
    posts = sample_posts(store)
    for channel in {p.channel for p in posts}:
        ids = [p.id for p in posts if p.channel == channel]
        assert ids == sorted(ids), channel


def test_sample_rereads_identically(tmp_path: Path) -> None:
    assert sample_posts(MediaStore(tmp_path / "a")) == sample_posts(MediaStore(tmp_path / "b"))


def test_default_tracks_match_enough_sample_posts(store: MediaStore) -> None:
    tracks = default_tracks()
    assert {"Курськ", "Kursk", "Суджа"} <= set(tracks)
    posts = sample_posts(store)
    matched = [p for p in posts if any(find_term(p.text, t) for t in tracks)]
    assert len(matched) >= 10
    assert any(p.media for p in matched)  # an alert with a map photo
    assert {p.channel for p in matched} >= {"kpszsu", "mod_russia", "generalstaffzsu"}
