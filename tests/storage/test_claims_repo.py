"""Stored claims: indexed candidates, episodes, pairs, the claim board, and the pipeline."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.analysis.claims import Claim, ClaimHistory, Kind
from bot.analysis.claims.render import render_contradiction
from bot.core.alert import contradiction_alert_from_json
from bot.core.post import Post
from bot.services.claims import ClaimsHook, analyze_with_db, process_post
from storage.models import Alert, Delivery
from storage.repos import channels as channel_repo
from storage.repos import chats as chat_repo
from storage.repos import claims as repo
from storage.repos import posts as post_repo
from storage.repos import subscriptions as sub_repo
from tests.claims_places import tools

D0 = datetime(2025, 4, 26, 9, 30, tzinfo=UTC)
SAMPLE = Path(__file__).resolve().parents[2] / "bot" / "data" / "sample" / "posts.jsonl"


async def _post(session: AsyncSession, channel: str, msg: int, at: datetime, body: str = "") -> int:
    ch = await channel_repo.ensure(session, channel)
    row = await post_repo.insert(session, ch, Post(channel=channel, id=msg, date=at, text=body))
    return row.id


def _claim(kind: str, place: str, side: str, at: datetime, **kw: object) -> Claim:
    return Claim(
        kind=kind,
        place_id=place,
        place_name=place,
        side=side,
        controller=kw.pop("controller", None),  # type: ignore[arg-type]
        polarity=kw.pop("polarity", None),  # type: ignore[arg-type]
        asserted_at=at,
        quote="q",
        start=1,
        end=5,
        data=dict(kw),
    )


async def test_add_and_find_candidates_by_place_and_time(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    msk = D0.astimezone(timezone(timedelta(hours=3)))
    async with sessions() as s, s.begin():
        pid = await _post(s, "mod_russia", 10, D0)
        ids = await repo.add_claims(
            s,
            pid,
            [
                _claim(
                    Kind.CONTROL,
                    "ua-toretsk",
                    "RU",
                    msk,
                    controller="RU",
                    polarity="RU",
                    place_uk="Торецьк",
                ),
                _claim(Kind.CONTROL, "ua-pokrovsk", "RU", msk, controller="RU", polarity="RU"),
                _claim(
                    Kind.CONTROL,
                    "ua-toretsk",
                    "RU",
                    msk - timedelta(days=100),
                    controller="RU",
                    polarity="RU",
                ),
            ],
        )
        assert len(ids) == 3
    async with sessions() as s:
        got = await repo.candidates(s, ["ua-toretsk", "UA-14"], D0 - timedelta(days=45), D0)
    assert [(r.claim.place_id, r.claim_id, r.channel, r.message_id) for r in got] == [
        ("ua-toretsk", ids[0], "mod_russia", 10)
    ]
    c = got[0].claim
    assert (c.controller, c.reported_side, c.start, c.end) == ("RU", None, 1, 5)
    assert c.asserted_at == msk and c.asserted_at.utcoffset() == timedelta(hours=3)
    assert c.data == {"place_uk": "Торецьк"}


async def test_candidates_use_the_place_time_index(
    sessions: async_sessionmaker[AsyncSession], db_url: str
) -> None:
    if not db_url.startswith("sqlite"):
        return
    async with sessions() as s:
        rows = (
            await s.execute(
                text(
                    "EXPLAIN QUERY PLAN SELECT id FROM claims WHERE place_id IN ('a','b') "
                    "AND asserted_at >= '2025-01-01' AND asserted_at <= '2025-02-01'"
                )
            )
        ).all()
    assert any("ix_claims_place_time" in str(r[-1]) for r in rows), rows


async def test_candidates_are_the_newest_per_place_however_busy_the_window(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """At 2,000 posts a day an oblast gathers thousands of claims in the window: the lookup
    reads a bounded number per place, the newest, and returns them oldest first."""
    async with sessions() as s, s.begin():
        for k in range(12):
            pid = await _post(s, "generalstaffzsu", 100 + k, D0 - timedelta(hours=k))
            await repo.add_claims(
                s,
                pid,
                [
                    _claim(Kind.FIGHTING, "UA-14", "UA", D0 - timedelta(hours=k)),
                    _claim(Kind.FIGHTING, "ua-toretsk", "UA", D0 - timedelta(hours=k)),
                ],
            )
    async with sessions() as s:
        got = await repo.candidates(
            s, ["ua-toretsk", "UA-14"], D0 - timedelta(days=45), D0, per_place=5
        )
    by_place = {
        p: [r.message_id for r in got if r.claim.place_id == p] for p in ("UA-14", "ua-toretsk")
    }
    assert by_place == {"UA-14": [104, 103, 102, 101, 100], "ua-toretsk": [104, 103, 102, 101, 100]}
    assert [r.claim.asserted_at for r in got] == sorted(r.claim.asserted_at for r in got)


async def test_episodes_open_and_stretch(sessions: async_sessionmaker[AsyncSession]) -> None:
    window = timedelta(days=45)
    async with sessions() as s, s.begin():
        a, opened_a = await repo.find_or_open_episode(s, "RU-KRS", D0, window)
        b, opened_b = await repo.find_or_open_episode(s, "RU-KRS", D0 + timedelta(days=25), window)
        c, opened_c = await repo.find_or_open_episode(s, "RU-KRS", D0 + timedelta(days=200), window)
        assert (opened_a, opened_b, opened_c) == (True, False, True)
        assert a.id == b.id != c.id
        assert b.last_at == D0 + timedelta(days=25)


async def test_contradiction_pairs_are_stored_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as s, s.begin():
        p1 = await _post(s, "mod_russia", 1, D0)
        p2 = await _post(s, "generalstaffzsu", 2, D0)
        (c1,) = await repo.add_claims(s, p1, [_claim(Kind.CONTROL, "x", "RU", D0)])
        (c2,) = await repo.add_claims(s, p2, [_claim(Kind.DENIAL, "x", "UA", D0)])
        ep, _ = await repo.find_or_open_episode(s, "x", D0, timedelta(days=45))
        first = await repo.add_contradiction(
            s, claim_id=c2, earlier_claim_id=c1, place_id="x", why="w", episode_id=ep.id
        )
        again = await repo.add_contradiction(
            s, claim_id=c2, earlier_claim_id=c1, place_id="x", why="w", episode_id=ep.id
        )
        assert first is not None and again is None
        assert len(await repo.contradictions_for_episode(s, ep.id)) == 1


async def test_claim_board_latest_per_side(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as s, s.begin():
        p1 = await _post(s, "mod_russia", 1, D0)
        p2 = await _post(s, "generalstaffzsu", 2, D0)
        await repo.add_claims(
            s,
            p1,
            [
                _claim(Kind.CONTROL, "ru-gornal", "RU", D0),
                _claim(Kind.OPERATION_COMPLETED, "RU-KRS", "RU", D0 + timedelta(minutes=1)),
            ],
        )
        await repo.add_claims(s, p2, [_claim(Kind.DENIAL, "RU-KRS", "UA", D0 + timedelta(hours=1))])
        board = await repo.claim_board(s, ["ru-gornal", "RU-KRS"])
    assert {side: (r.claim.kind, r.channel) for side, r in board.items()} == {
        "RU": (Kind.OPERATION_COMPLETED, "mod_russia"),
        "UA": (Kind.DENIAL, "generalstaffzsu"),
    }


async def test_pipeline_on_the_kursk_sample_makes_one_episode(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """The bundled sample replayed through storage: the General Staff's answers of 26 Apr
    contradict the MoD's Gornal claims, all in one episode."""
    sides = {
        "mod_russia": "RU",
        "generalstaffzsu": "UA",
        "v_zelenskiy_official": "UA",
        "kpszsu": "UA",
    }
    rows = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    rows.sort(key=lambda r: datetime.fromisoformat(r["date"]))
    found = []
    for r in rows:
        at = datetime.fromisoformat(r["date"])
        async with sessions() as s, s.begin():
            pid = await _post(s, r["channel"], r["id"], at, r["text"])
            _claims, pairs = await process_post(
                s,
                post_id=pid,
                channel=r["channel"],
                message_id=r["id"],
                date=at,
                text=r["text"],
                channel_side=sides.get(r["channel"]),
                tools=tools(),
            )
            found.extend((r["channel"], r["id"], p) for p in pairs)
    got = {(ch, msg, p.contradiction.earlier.message_id) for ch, msg, p in found}
    assert got == {
        ("generalstaffzsu", 22786, 51803),
        ("generalstaffzsu", 22786, 51810),
        ("generalstaffzsu", 22790, 51803),
        ("generalstaffzsu", 22790, 51810),
    }
    episodes = {p.episode_id for _c, _m, p in found}
    assert len(episodes) == 1
    assert [p.episode_opened for _c, _m, p in found].count(True) == 1
    # re-reading a post (an edit) replaces its claims and opens no new episode
    r = next(r for r in rows if r["id"] == 22790)
    at = datetime.fromisoformat(r["date"])
    async with sessions() as s, s.begin():
        row = await post_repo.get_by_ref(s, "generalstaffzsu", 22790)
        assert row is not None
        _claims, pairs = await process_post(
            s,
            post_id=row.id,
            channel="generalstaffzsu",
            message_id=22790,
            date=at,
            text=r["text"],
            channel_side="UA",
            tools=tools(),
        )
    assert pairs and not any(p.episode_opened for p in pairs)


async def test_analyze_with_db_names_stored_posts(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as s, s.begin():
        body = "Подразделения группировки войск «Юг» освободили Торецк."
        pid = await _post(s, "mod_russia", 5, D0, body)
        await process_post(
            s,
            post_id=pid,
            channel="mod_russia",
            message_id=5,
            date=D0,
            text=body,
            channel_side="RU",
            tools=tools(),
        )
    history = ClaimHistory(tools())
    async with sessions() as s:
        out = await analyze_with_db(
            s,
            history,
            channel="generalstaffzsu",
            message_id=9,
            date=D0 + timedelta(days=2),
            channel_side="UA",
            text="Бої в Торецьку тривають, заяви ворога — брехня.",
        )
    assert [(c["channel"], c["id"], c["place"]) for c in out.fields()["contradicts"]] == [
        ("mod_russia", 5, "Toretsk")
    ]


async def test_hook_alerts_each_tracking_chat_once_per_episode(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    sides = {"mod_russia": "RU", "generalstaffzsu": "UA"}.get
    hook = ClaimsHook(sides, tools=tools())
    async with sessions() as s, s.begin():
        await chat_repo.ensure(s, 100, type_="private")
        await chat_repo.ensure(s, 200, type_="private")
        await chat_repo.ensure(s, 300, type_="private")
        await sub_repo.add(s, 100, "place", "RU-KRS", "Курська область")
        await sub_repo.add(s, 200, "place", "ru-sudzha", "Суджа")  # not the oblast
        await sub_repo.add(s, 300, "place", "ua-toretsk", "Торецьк")
    rows = [json.loads(x) for x in SAMPLE.read_text(encoding="utf-8").splitlines()]
    rows = [r for r in rows if r["channel"] in ("mod_russia", "generalstaffzsu")]
    for r in sorted(rows, key=lambda r: datetime.fromisoformat(r["date"])):
        post = Post(
            channel=r["channel"], id=r["id"], date=datetime.fromisoformat(r["date"]), text=r["text"]
        )
        async with sessions() as s, s.begin():
            ch = await channel_repo.ensure(s, post.channel)
            row = await post_repo.insert(s, ch, post)
            await hook(s, row, post)
    async with sessions() as s:
        alerts = list(await s.scalars(select(Alert).where(Alert.kind == "contradiction")))
        deliveries = list(await s.scalars(select(Delivery)))
    assert len(alerts) == 1
    assert [d.chat_id for d in deliveries] == [100]
    c = contradiction_alert_from_json(alerts[0].payload).contradiction
    assert c.earlier.channel == "mod_russia" and c.new.channel == "generalstaffzsu"
    html_uk = render_contradiction(c, lang="uk", tz="Europe/Kyiv")
    assert html_uk.startswith("⚠️ <b>Суперечність</b> · Курська область")
    assert "Міноборони РФ" in html_uk and "https://t.me/mod_russia/51803" in html_uk
    assert "<b>Russia's MoD</b>" in render_contradiction(
        c, lang="en", tz="UTC"
    )  # text, not an attribute: no &#x27;
