"""Contradiction rules, episodes and the sentences that explain them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.analysis.claims import (
    Claim,
    ClaimHistory,
    EpisodeTracker,
    Kind,
    StoredClaimRef,
    find_contradictions,
)
from bot.analysis.claims.contradict import FIGURES, VALIDITY_WINDOW
from tests.claims_places import contains, tools

D0 = datetime(2025, 4, 26, 9, 30, tzinfo=UTC)


def claim(
    kind: str,
    place: str,
    side: str | None,
    *,
    controller: str | None = None,
    polarity: str | None = None,
    at: datetime = D0,
    name: str | None = None,
    **data: object,
) -> Claim:
    return Claim(
        kind=kind,
        place_id=place,
        place_name=name or place,
        side=side,
        controller=controller,
        polarity=polarity or controller,
        asserted_at=at,
        quote="",
        start=0,
        end=0,
        data=dict(data),
    )


def ref(c: Claim, channel: str = "mod_russia", msg: int = 1) -> StoredClaimRef:
    return StoredClaimRef(c, None, channel, msg)


RU_TAKES_TORETSK = claim(Kind.CONTROL, "ua-toretsk", "RU", controller="RU")


def clash(new: Claim, *olds: StoredClaimRef) -> list[str]:
    return [
        x.kind for x in find_contradictions(new, olds, contains, new_channel="x", new_message_id=9)
    ]


def test_control_then_other_sides_fighting_holding_denial_contradict() -> None:
    later = D0 + timedelta(days=1)
    for new in (
        claim(Kind.FIGHTING, "ua-toretsk", "UA", polarity="ongoing", at=later),
        claim(Kind.FIGHTING, "ua-toretsk", "UA", polarity="holding", at=later),
        claim(Kind.DENIAL, "ua-toretsk", "UA", polarity="control", at=later),
        claim(Kind.CONTROL, "ua-toretsk", "UA", controller="UA", at=later),
    ):
        assert clash(new, ref(RU_TAKES_TORETSK)) == ["contradiction"], new


def test_not_contradictions() -> None:
    later = D0 + timedelta(days=1)
    fighting_ua = claim(Kind.FIGHTING, "ua-toretsk", "UA", polarity="ongoing", at=later)
    # the claimant's own side reporting fighting / remnants there
    assert (
        clash(
            claim(Kind.FIGHTING, "ua-toretsk", "RU", polarity="remnants", at=later),
            ref(RU_TAKES_TORETSK),
        )
        == []
    )
    # withdrawal, then the other side's capture claim
    withdrawal = claim(Kind.WITHDRAWAL, "ua-toretsk", "UA", polarity="UA", at=D0)
    assert (
        clash(
            claim(Kind.CONTROL, "ua-toretsk", "RU", controller="RU", at=later),
            ref(withdrawal, "generalstaffzsu"),
        )
        == []
    )
    # both sides report fighting
    assert (
        clash(fighting_ua, ref(claim(Kind.FIGHTING, "ua-toretsk", "RU", polarity="ongoing"))) == []
    )
    # capture after earlier fighting: change over time
    fighting_before = claim(
        Kind.FIGHTING, "ua-toretsk", "UA", polarity="ongoing", at=D0 - timedelta(days=90)
    )
    assert clash(RU_TAKES_TORETSK, ref(fighting_before, "generalstaffzsu")) == []
    # another place; beyond the validity window; an attempt
    assert (
        clash(
            claim(Kind.FIGHTING, "ua-pokrovsk", "UA", polarity="ongoing", at=later),
            ref(RU_TAKES_TORETSK),
        )
        == []
    )
    late = claim(
        Kind.FIGHTING,
        "ua-toretsk",
        "UA",
        polarity="ongoing",
        at=D0 + VALIDITY_WINDOW + timedelta(days=1),
    )
    assert clash(late, ref(RU_TAKES_TORETSK)) == []
    attempt = claim(Kind.ATTEMPT, "ua-toretsk", "UA", at=D0)
    assert clash(fighting_ua, ref(attempt)) == []
    # a speaker we cannot place
    assert (
        clash(
            claim(Kind.FIGHTING, "ua-toretsk", None, polarity="ongoing", at=later),
            ref(RU_TAKES_TORETSK),
        )
        == []
    )


def test_a_place_inside_a_completed_operation_counts_as_the_same_place() -> None:
    oblast = claim(Kind.OPERATION_COMPLETED, "RU-KRS", "RU", controller="RU", name="Kursk Oblast")
    sudzha = claim(Kind.FIGHTING, "ru-sudzha", "UA", polarity="ongoing", at=D0 + timedelta(hours=3))
    assert clash(sudzha, ref(oblast)) == ["contradiction"]
    # but fighting in the oblast does not contradict the capture of one village in it
    gornal = claim(Kind.CONTROL, "ru-gornal", "RU", controller="RU")
    in_oblast = claim(Kind.FIGHTING, "RU-KRS", "UA", polarity="ongoing", at=D0 + timedelta(hours=3))
    assert clash(in_oblast, ref(gornal)) == []


def test_why_names_both_sides_with_dates_in_english_and_ukrainian() -> None:
    old = claim(
        Kind.OPERATION_COMPLETED,
        "RU-KRS",
        "RU",
        controller="RU",
        name="Kursk Oblast",
        place_uk="Курська область",
    )
    new = claim(
        Kind.FIGHTING,
        "RU-KRS",
        "UA",
        polarity="ongoing",
        at=D0 + timedelta(hours=3),
        name="Kursk Oblast",
        place_uk="Курська область",
    )
    (x,) = find_contradictions(
        new,
        [ref(old, "mod_russia", 51803)],
        contains,
        new_channel="generalstaffzsu",
        new_message_id=22786,
    )
    assert x.why_en == (
        "Ukraine's General Staff says fighting continues in Kursk Oblast (26 Apr 2025), "
        "contradicting the claim by Russia's MoD of 26 Apr 2025 that Russia had fully taken "
        "Kursk Oblast."
    )
    assert x.why_uk == (
        "За заявою Міноборони РФ від 26.04.2025, Курська область повністю під контролем Росії, "
        "але Генштаб ЗСУ (26.04.2025) повідомляє, що бої там тривають."
    )
    assert x.earlier.link == "https://t.me/mod_russia/51803"


def losses(day: int, cumulative: int, change: int | None) -> Claim:
    return claim(
        Kind.LOSSES,
        "~losses/tank",
        "UA",
        polarity="tank",
        at=datetime(2025, 4, day, 6, tzinfo=UTC),
        metric="tank",
        cumulative=cumulative,
        change=change,
    )


def test_figures_that_do_not_add_up() -> None:
    day1 = ref(losses(25, 10_660, 2), "generalstaffzsu", 1)
    assert clash(losses(26, 10_664, 4), day1) == []
    assert clash(losses(26, 10_650, 0), day1) == [FIGURES]  # counter went down
    assert clash(losses(26, 10_670, 4), day1) == [FIGURES]  # 10 660 + 4 != 10 670
    (x,) = find_contradictions(
        losses(26, 10_650, 0), [day1], contains, new_channel="generalstaffzsu", new_message_id=2
    )
    assert "figures don't add up" in x.why_en and "false" not in x.why_en
    # only the latest earlier figure is compared
    day0 = ref(losses(24, 10_000, 1), "generalstaffzsu", 0)
    assert clash(losses(26, 10_664, 4), day0, day1) == []


def test_episodes_group_pairs_by_place_and_period() -> None:
    ep = EpisodeTracker()
    a, opened_a = ep.assign("RU-KRS", D0)
    b, opened_b = ep.assign("RU-KRS", D0 + timedelta(days=25))
    c, opened_c = ep.assign("ua-toretsk", D0)
    d, opened_d = ep.assign("RU-KRS", D0 + timedelta(days=200))
    assert (opened_a, opened_b, opened_c, opened_d) == (True, False, True, True)
    assert a == b and len({a, c, d}) == 3


def test_history_names_earlier_posts_once_each() -> None:
    h = ClaimHistory(tools())
    h.analyze(
        channel="mod_russia",
        message_id=1,
        date=D0,
        channel_side="RU",
        text="Подразделения группировки войск «Юг» освободили Торецк.",
    )
    out = h.analyze(
        channel="generalstaffzsu",
        message_id=2,
        date=D0 + timedelta(hours=5),
        channel_side="UA",
        text="Заяви про захоплення Торецька — брехня. Бої в Торецьку тривають.",
    )
    fields = out.fields()
    assert [c["kind"] for c in fields["claims"]] == ["denial", "fighting"]
    assert fields["contradicts"] == [
        {
            "channel": "mod_russia",
            "id": 1,
            "place": "Toretsk",
            "why": "Ukraine's General Staff denies that Toretsk was taken (26 Apr 2025), "
            "contradicting the claim by Russia's MoD of 26 Apr 2025 that Russia had "
            "taken Toretsk.",
        }
    ]
