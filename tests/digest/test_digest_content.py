"""Digest content from a small real archive (the bundled sample), its rendering and chart,
and once-per-day under racing schedulers — on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import UTC, date, datetime, time
from pathlib import Path
from types import SimpleNamespace

import pytest
from PIL import Image
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.analysis.claims.losses import parse_losses
from bot.analysis.claims.model import LOSSES_PLACE_PREFIX, Claim, Kind
from bot.core.alert import Reasons
from bot.core.post import Post
from bot.digest.batch import DigestBatch
from bot.digest.chart import render_chart
from bot.digest.render import digest_text, render_digest, render_digest_chart
from bot.digest.service import EMPTY, QUEUED, SKIPPED, DigestService
from bot.ingest import IngestService
from bot.matching import SubscriptionMatcher
from bot.media import MediaStore
from bot.replay import html_to_terminal
from bot.watch.sample import sample_posts
from storage.models import Alert, Chat, Delivery, DigestRun
from storage.repos import chats as chat_repo
from storage.repos import claims as claim_repo
from storage.repos import posts as post_repo
from storage.repos import subscriptions as sub_repo

ROOT = Path(__file__).resolve().parents[2]
CHAT = SimpleNamespace(id=501)
# The digest due on 27 April 2025 at 08:00 Kyiv covers 26 April 08:00 -> 27 April 08:00:
# the day Russia's MoD claimed Gornal and the end of the Kursk operation, and Ukraine's
# General Staff denied it.
DAY = date(2025, 4, 27)
PNG = b"\x89PNG\r\n\x1a\n"


Sessions = async_sessionmaker[AsyncSession]


async def _archive(sessions: Sessions, media: MediaStore, tracks: list[str]) -> None:
    # Tracked first: a digest lists what the ingest path recorded as matching the chat.
    await track(sessions, CHAT.id, tracks)
    ingest = IngestService(sessions, SubscriptionMatcher())
    await ingest.new_posts(list(sample_posts(media)))
    async with sessions() as session, session.begin():
        chat = await session.get(Chat, CHAT.id)
        assert chat is not None
        chat.digest_time = time(8, 0)
        chat.timezone = "Europe/Kyiv"


async def track(
    sessions: Sessions,
    chat_id: int,
    labels: list[str],
    kind: str = "text",
    keys: list[str] | None = None,
) -> None:
    """Subscriptions as the bot stores them ("text": the plain-word kind the matcher keeps)."""
    async with sessions() as session, session.begin():
        await chat_repo.ensure(session, chat_id, type_="private", title="digest", language="uk")
        for label, key in zip(labels, keys or [x.casefold() for x in labels], strict=True):
            await sub_repo.add(session, chat_id, kind, key, label)


def _service(sessions: Sessions, media: MediaStore) -> DigestService:
    return DigestService(sessions, SubscriptionMatcher(), media, default_tz="Europe/Kyiv")


async def _post_id(sessions: Sessions, channel: str, message_id: int) -> int:
    async with sessions() as session:
        row = await post_repo.get_by_ref(session, channel, message_id)
        assert row is not None
        return row.id


def _claim(kind: str, place: str, side: str, at: str, quote: str, **extra: str) -> Claim:
    return Claim(
        kind=kind,
        place_id=f"test/{place}",
        place_name=place,
        side=side,
        controller=extra.get("controller"),
        polarity=extra.get("polarity"),
        asserted_at=datetime.fromisoformat(at),
        quote=quote,
        start=0,
        end=len(quote),
        data={"place_uk": extra.get("uk", place)},
    )


async def _contradiction(sessions: Sessions) -> None:
    """What the claims helper would store for the sample's 26 April: MoD's "Gornal taken"
    against the General Staff's "the operation goes on" (a real pair from the sample)."""
    ru = await _post_id(sessions, "mod_russia", 51810)
    ua = await _post_id(sessions, "generalstaffzsu", 22786)
    async with sessions() as session, session.begin():
        old = _claim(
            Kind.FIGHTING,
            "Kursk Oblast",
            "UA",
            "2025-04-20T10:00:00+03:00",
            "бої тривають",
            polarity="ongoing",
            uk="Курська область",
        )
        (old_id,) = await claim_repo.add_claims(session, ua, [old])
        (ru_id,) = await claim_repo.add_claims(
            session,
            ru,
            [
                _claim(
                    Kind.OPERATION_COMPLETED,
                    "Kursk Oblast",
                    "RU",
                    "2025-04-26T13:10:00+03:00",
                    "освобождён … последний населённый пункт",
                    controller="RU",
                    uk="Курська область",
                )
            ],
        )
        (ua_id,) = await claim_repo.add_claims(
            session,
            ua,
            [
                _claim(
                    Kind.DENIAL,
                    "Kursk Oblast",
                    "UA",
                    "2025-04-26T15:20:00+03:00",
                    "не відповідають дійсності",
                    uk="Курська область",
                )
            ],
        )
        assert old_id
        await claim_repo.add_contradiction(
            session,
            claim_id=ua_id,
            earlier_claim_id=ru_id,
            place_id="test/Kursk Oblast",
            why="UA says the operation goes on; RU said it was completed",
            episode_id=None,
        )


async def _losses_post(sessions: Sessions) -> None:
    """A real General Staff losses text (2022-03-10), stored as if posted on 27 April 07:00."""
    line = (ROOT / "tests/data/claims_losses.jsonl").read_text(encoding="utf-8").splitlines()[0]
    text = json.loads(line)["text"]
    when = datetime(2025, 4, 27, 4, 0, tzinfo=UTC)  # 07:00 Kyiv
    ingest = IngestService(sessions, SubscriptionMatcher())
    await ingest.new_posts([Post(channel="generalstaffzsu", id=99001, date=when, text=text)])
    post_id = await _post_id(sessions, "generalstaffzsu", 99001)
    claims = [
        Claim(
            kind=Kind.LOSSES,
            place_id=LOSSES_PLACE_PREFIX + f.metric,
            place_name=f.metric,
            side="UA",
            controller=None,
            polarity=f.metric,
            asserted_at=when,
            quote=text[f.start : f.end],
            start=f.start,
            end=f.end,
            data={
                "metric": f.metric,
                "cumulative": f.cumulative,
                "change": f.change,
                "qualifier": f.qualifier,
            },
        )
        for f in parse_losses(text)
    ]
    async with sessions() as session, session.begin():
        await claim_repo.add_claims(session, post_id, claims)


async def test_digest_content_from_the_sample(sessions: Sessions, tmp_path: Path) -> None:
    media = MediaStore(tmp_path / "media")
    await _archive(sessions, media, ["Горналь", "Курськ", "Курск", "Харків"])
    await _contradiction(sessions)
    await _losses_post(sessions)
    preview = await _service(sessions, media).preview(CHAT.id, DAY)
    assert preview is not None
    content = preview.content
    items = {i["label"]: i for i in content.items}
    # 26 April in the sample: two MoD posts name Gornal; "Курськ" matches the General
    # Staff's "Курськ" grouping post; "Курск" matches the MoD's "Курской" posts.
    assert items["Горналь"]["posts"] == 2
    assert items["Курськ"]["posts"] >= 1
    assert items["Курск"]["posts"] == 2
    assert items["Харків"]["posts"] == 0
    # Contradictions first: the MoD post in the pair leads its item.
    assert items["Курск"]["top"][0]["id"] == 51810
    assert items["Курск"]["top"][0]["contradiction"] is True
    assert len(content.contradictions) == 1
    # Claims changed: UA went from "fighting" to "denial"; RU's claim is new.
    changes = {(c["side"], c["now"]["kind"]) for c in content.claims}
    assert changes == {("UA", "denial"), ("RU", "operation_completed")}
    # The loss counters of the day's General Staff report.
    losses = {f["metric"]: f for f in content.losses}
    assert losses["tank"] == {"metric": "tank", "cumulative": 335, "change": 18}
    # The week's chart: mentions per day of the tracked items.
    assert content.week["kind"] == "mentions"
    # Bars stand on the day the posts were published (Kyiv): Gornal's two posts of 26.04
    # are on the 26.04 bar, not under 27.04 (the digest's day, whose bar is the night's).
    assert content.week["days"][-2:] == ["2025-04-26", "2025-04-27"]
    series = {s["label"]: s["values"] for s in content.week["series"]}
    assert series["Горналь"][-2:] == [2, 0]
    assert preview.chart_path and (media.root / preview.chart_path).read_bytes().startswith(PNG)

    uk = digest_text(preview.payload, lang="uk", tz="Europe/Kyiv")
    en = digest_text(preview.payload, lang="en", tz="Europe/Kyiv")
    assert uk.index("Суперечності") < uk.index("Горналь") < uk.index("Втрати противника")
    assert "Дайджест · 27.04.2025" in uk and "Digest · 27.04.2025" in en
    assert 'href="https://t.me/mod_russia/51810"' in uk
    assert "танки: 335 (+18)" in uk and "tanks: 335 (+18)" in en
    assert "Changes in claims" in en and "Курська область" in uk
    terminal = html_to_terminal(uk)
    assert "https://t.me/mod_russia/51803" in terminal and "<b>" not in terminal


async def test_empty_day_per_chat_setting(sessions: Sessions, tmp_path: Path) -> None:
    media = MediaStore(tmp_path / "media")
    await _archive(sessions, media, ["Горналь"])
    service = _service(sessions, media)
    quiet_day = date(2025, 1, 1)
    assert await service.run(CHAT.id, quiet_day) == QUEUED
    async with sessions() as session:
        alert = await session.scalar(select(Alert).where(Alert.kind == "digest"))
        assert alert is not None
        text = render_digest(alert.payload, Reasons(), lang="en", tz="Europe/Kyiv").text
    assert text == "🗞 <b>Digest · 01.01.2025</b>\nNothing new about what this chat tracks."

    async with sessions() as session, session.begin():
        chat = await session.get(Chat, CHAT.id)
        assert chat is not None
        chat.digest_when_empty = False
    assert await service.run(CHAT.id, date(2025, 1, 2)) == EMPTY
    async with sessions() as session:
        runs = {r.day: r.status for r in await session.scalars(select(DigestRun))}
        alerts = await session.scalar(
            select(func.count()).select_from(Alert).where(Alert.kind == "digest")
        )
    assert runs == {date(2025, 1, 1): "queued", date(2025, 1, 2): "empty"}
    assert alerts == 1


async def test_digest_queues_text_then_chart(sessions: Sessions, tmp_path: Path) -> None:
    media = MediaStore(tmp_path / "media")
    await _archive(sessions, media, ["Горналь"])
    assert await _service(sessions, media).run(CHAT.id, DAY) == QUEUED
    async with sessions() as session:
        rows = (
            await session.execute(
                select(Alert.kind, Alert.priority, Alert.payload, Delivery.not_before)
                .join(Delivery, Delivery.alert_id == Alert.id)
                .where(Alert.kind != "match")  # the sample's posts alerted the chat too
                .order_by(Delivery.not_before)
            )
        ).all()
    assert [(kind, prio) for kind, prio, _p, _nb in rows] == [("digest", 2), ("digest_chart", 2)]
    chart = render_digest_chart(rows[1][2], Reasons(), lang="uk", tz="Europe/Kyiv")
    assert len(chart.photos) == 1 and "27.04.2025" in chart.text
    data = (media.root / chart.photos[0]).read_bytes()
    with Image.open(io.BytesIO(data)) as img:
        assert img.format == "PNG" and img.width > 300 and img.height > 200


async def test_once_per_day_under_racing_runs(sessions: Sessions, tmp_path: Path) -> None:
    media = MediaStore(tmp_path / "media")
    await _archive(sessions, media, ["Горналь", "Курск"])
    # Two schedulers (each its own service and cache) race for the same (chat, day).
    first, second = _service(sessions, media), _service(sessions, media)
    results = await asyncio.gather(*(s.run(CHAT.id, DAY) for s in (first, second, first)))
    assert sorted(results) == [QUEUED, SKIPPED, SKIPPED]
    async with sessions() as session:
        runs = await session.scalar(select(func.count()).select_from(DigestRun))
        digests = await session.scalar(
            select(func.count())
            .select_from(Delivery)
            .join(Alert, Alert.id == Delivery.alert_id)
            .where(Alert.kind == "digest")
        )
    assert (runs, digests) == (1, 1)


def test_chart_png_is_a_valid_image() -> None:
    days = [date(2025, 4, d) for d in range(21, 28)]
    png = render_chart(
        "mentions", days, {"Курськ": [0, 1, 3, 0, 2, 5, 4], "Kursk": [1] * 7}, lang="uk"
    )
    with Image.open(io.BytesIO(png)) as img:
        img.verify()
    with Image.open(io.BytesIO(png)) as img:
        assert img.format == "PNG" and img.size == (800, 600)


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_long_digest_fits_a_message(lang: str) -> None:
    top = [
        {
            "channel": "c",
            "id": i,
            "title": "T" * 40,
            "date": "2025-04-26T10:00:00+00:00",
            "text": "слово " * 100,
            "spans": [[0, 5]],
            "echo": 3,
        }
        for i in range(3)
    ]
    payload = {
        "day": "2025-04-27",
        "since": "2025-04-26T05:00:00+00:00",
        "until": "2025-04-27T05:00:00+00:00",
        "empty": False,
        "items": [
            {"label": f"місце {i}", "kind": "text", "posts": 9, "top": top} for i in range(10)
        ],
        "contradictions": [],
        "claims": [],
        "losses": [],
        "losses_post": None,
    }
    from bot.core.excerpt import tg_len

    text = render_digest(payload, Reasons(), lang=lang, tz="Europe/Kyiv").text
    assert tg_len(text) <= 4096


async def test_cli_prints_the_digest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.app import start_core
    from bot.cli.main import main
    from bot.config import Settings

    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}"
    settings = Settings(
        _env_file=None,
        database_url=url,  # type: ignore[call-arg]
        media_dir=tmp_path / "media",
    )
    core = await start_core(settings)
    try:
        await _archive(core.sessions, core.media, ["Горналь"])
    finally:
        await core.close()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MEDIA_DIR", str(tmp_path / "media"))
    monkeypatch.setenv("DATABASE_URL", url)
    code = await asyncio.to_thread(
        main, ["digest", "--chat", str(CHAT.id), "--date", "2025-04-27", "--lang", "en"]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("🗞 Digest · 27.04.2025\nfrom 26.04 08:00 to 27.04 08:00")
    assert "📍 Горналь — 2 posts" in out
    assert "https://t.me/mod_russia/51810" in out and "<a " not in out
    assert "[chart: " in out and ".png]" in out
    async with core.sessions() as session:  # printing queues nothing
        assert await session.scalar(select(func.count()).select_from(DigestRun)) == 0


async def test_place_subscription_covers_the_places_inside(
    sessions: Sessions, tmp_path: Path
) -> None:
    """A chat tracking Kursk Oblast (a gazetteer id): posts naming Gornal or the oblast count,
    and the oblast's contradictions show even when stored under the region's id."""
    media = MediaStore(tmp_path / "media")
    await track(sessions, CHAT.id, ["Курська область"], kind="place", keys=["RU-KRS"])
    await _archive(sessions, media, [])
    ru = await _post_id(sessions, "mod_russia", 51803)
    ua = await _post_id(sessions, "generalstaffzsu", 22790)
    async with sessions() as session, session.begin():
        region = {"place_uk": "Курська область"}
        claim_ids = [
            (
                await claim_repo.add_claims(
                    session,
                    post_id,
                    [
                        Claim(
                            kind=kind,
                            place_id="RU-KRS",
                            place_name="Kursk Oblast",
                            side=side,
                            controller=controller,
                            polarity=None,
                            asserted_at=datetime.fromisoformat(at),
                            quote="…",
                            start=0,
                            end=1,
                            data=region,
                        )
                    ],
                )
            )[0]
            for post_id, kind, side, controller, at in (
                (ru, Kind.OPERATION_COMPLETED, "RU", "RU", "2025-04-26T12:30:00+03:00"),
                (ua, Kind.DENIAL, "UA", None, "2025-04-26T15:45:00+03:00"),
            )
        ]
        await claim_repo.add_contradiction(
            session,
            claim_id=claim_ids[1],
            earlier_claim_id=claim_ids[0],
            place_id="RU-KRS",
            why="UA denies that RU completed the operation",
            episode_id=None,
        )
    preview = await _service(sessions, media).preview(CHAT.id, DAY)
    assert preview is not None
    (item,) = preview.content.items
    assert item["label"] == "Курська область" and item["kind"] == "place"
    # MoD's two Gornal posts (a village inside the oblast) and the General Staff's two.
    assert item["posts"] >= 4
    # The two posts of the contradicting pair lead.
    assert {p["id"] for p in item["top"][:2]} == {51803, 22790}
    assert item["top"][0]["contradiction"] and item["top"][1]["contradiction"]
    (pair,) = preview.content.contradictions
    assert pair["place"] == {"id": "RU-KRS", "en": "Kursk Oblast", "uk": "Курська область"}
    text = digest_text(preview.payload, lang="uk", tz="Europe/Kyiv")
    assert text.index("Суперечності") < text.index("📍 <b>Курська область</b>")


async def test_chats_of_one_window_are_read_together(sessions: Sessions, tmp_path: Path) -> None:
    """The chats due in one window read their subscriptions and matches in one go and the
    day's claims once, and each digest is the one the chat gets when built alone."""
    others = {502: ["Курск", "Харків"], 503: ["Горналь"], 504: []}
    for chat_id, labels in others.items():
        await track(sessions, chat_id, labels)
    media = MediaStore(tmp_path / "media")
    await _archive(sessions, media, ["Горналь", "Курськ"])
    await _contradiction(sessions)
    await _losses_post(sessions)
    chats = [CHAT.id, *others]
    service = _service(sessions, media)
    engine = sessions.kw["bind"].sync_engine
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    def reads(table: str) -> int:
        # The match record is read through the chats' subscriptions (one join): that
        # statement counts as a read of the match record, not of the subscriptions.
        if table == "post_key_matches":
            return sum(1 for s in statements if "post_key_matches" in s)
        return sum(1 for s in statements if f"FROM {table}" in s and "post_key_matches" not in s)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        alone = {}
        for chat_id in chats:
            preview = await service.preview(chat_id, DAY)
            assert preview is not None
            alone[chat_id] = preview.content.payload()
        assert reads("subscriptions") == len(chats)
        statements.clear()
        batch = DigestBatch()
        async with sessions() as session:
            for chat_id in chats:
                chat = await chat_repo.get(session, chat_id)
                assert chat is not None
                due = service.slot_for(chat, DAY)
                batch.expect([chat_id], due.since, due.until)
        together = {}
        for chat_id in chats:
            preview = await service.preview(chat_id, DAY, batch)
            assert preview is not None
            together[chat_id] = preview.content.payload()
        assert reads("subscriptions") == 1
        assert reads("post_key_matches") == 1
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert together == alone
    assert alone[502]["items"] and alone[503]["items"] and not alone[504]["items"]
    assert alone[CHAT.id]["contradictions"] and alone[CHAT.id]["claims"]
