"""Review fixes: who a control verb credits, intent/failure/hedge/question are not control,
loss counters per channel, and places the matcher misses right after a control verb."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.analysis.claims import Claim, Kind, StoredClaimRef, extract_claims, find_contradictions
from bot.analysis.claims.contradict import FIGURES
from tests.claims_places import real_tools

T = real_tools()
AT = datetime(2025, 4, 26, 12, 0, tzinfo=UTC)


def claims(text: str, side: str | None) -> list[Claim]:
    return extract_claims(text, channel_side=side, date=AT, find_places=T.find, contains=T.contains)


def controls(text: str, side: str | None) -> list[tuple[str, str | None]]:
    return [(c.place_name, c.controller) for c in claims(text, side) if c.kind == Kind.CONTROL]


@pytest.mark.parametrize(
    ("text", "side", "place"),
    [
        ("Росіяни захопили Новопавлівку.", "UA", "Novopavlivka"),
        ("Россияне захватили Покровск.", "UA", "Pokrovsk"),
        ("Russians captured Pokrovsk.", "UA", "Pokrovsk"),
        ("Occupiers seized Pokrovsk.", "UA", "Pokrovsk"),
        ("Окупанти захопили Покровськ.", "UA", "Pokrovsk"),
    ],
)
def test_russians_as_actor_credit_russia(text: str, side: str, place: str) -> None:
    # the Ukrainian channel concedes the place: its withdrawal, Russia holding it
    got = [(c.kind, c.place_name, c.controller, c.side) for c in claims(text, side)]
    assert got == [(Kind.WITHDRAWAL, place, "RU", side)]


@pytest.mark.parametrize(
    "text",
    [
        "Росіяни заявляють, що захопили Покровськ.",
        "Россияне заявляют, что захватили Покровск.",
        "Russians claim they captured Pokrovsk.",
    ],
)
def test_russians_reporting_a_capture_is_their_claim(text: str) -> None:
    (c,) = [c for c in claims(text, "UA") if c.kind == Kind.CONTROL]
    assert (c.controller, c.side, c.reported_side) == ("RU", "RU", "RU")


@pytest.mark.parametrize(
    ("text", "side"),
    [
        ("Захоплено Покровськ.", "UA"),
        ("Пропагандисти стверджують, що окупували Покровськ.", "UA"),
        ("Захвачен Покровск.", "UA"),
        ("Pokrovsk was captured.", "UA"),
    ],
)
def test_capture_without_actor_never_credits_the_channel(text: str, side: str) -> None:
    assert controls(text, side) == []


@pytest.mark.parametrize(
    ("text", "side", "controller"),
    [
        ("Звільнено Куп'янськ.", "UA", "UA"),
        ("Освобожден Купянск.", "RU", "RU"),
        ("Сили оборони звільнили Куп'янськ.", "UA", "UA"),
        ("Ukrainian forces captured Kupiansk.", None, "UA"),
    ],
)
def test_liberation_and_named_actors_keep_their_side(
    text: str, side: str | None, controller: str
) -> None:
    assert controls(text, side) == [("Kupiansk", controller)]


@pytest.mark.parametrize(
    "text",
    [
        "Кремль хоче окупувати Покровськ.",
        "Путін наказав захопити Покровськ.",
        "Мета ворога — захопити Покровськ.",
        "Путин приказал захватить Покровск.",
        "Putin ordered his troops to capture Pokrovsk.",
        "The Kremlin wants to seize Pokrovsk.",
    ],
)
def test_intent_and_orders_are_attempts_not_control(text: str) -> None:
    got = claims(text, "UA")
    assert not [c for c in got if c.kind == Kind.CONTROL]
    assert {c.kind for c in got} == {Kind.ATTEMPT}


@pytest.mark.parametrize(
    "text",
    [
        "Russian forces failed to capture Pokrovsk.",
        "Russian forces were unable to capture Pokrovsk.",
        "Росіяни не змогли захопити Покровськ.",
        "Окупантам не вдалося захопити Покровськ.",
        "Россияне не смогли захватить Покровск.",
    ],
)
def test_failure_negates_control(text: str) -> None:
    got = claims(text, "UA")
    assert not [c for c in got if c.kind == Kind.CONTROL]
    assert [(c.kind, c.polarity) for c in got] == [(Kind.DENIAL, Kind.CONTROL)]


@pytest.mark.parametrize(
    "text",
    [
        "ISW: Russian forces likely seized Pokrovsk.",
        "Russian forces possibly captured Pokrovsk.",
        "Росіяни ймовірно захопили Покровськ.",
        "Росіяни, імовірно, захопили Покровськ.",
        "Россияне, вероятно, захватили Покровск.",
    ],
)
def test_hedged_capture_is_not_control(text: str) -> None:
    assert controls(text, "UA") == []


@pytest.mark.parametrize(
    "text",
    [
        "Окупанти захопили Покровськ? Ні, це фейк.",
        "Оккупанты захватили Покровск? Нет, это фейк.",
        "Russians captured Pokrovsk? No, that is fake.",
    ],
)
def test_question_answered_no_is_a_denial_not_control(text: str) -> None:
    got = claims(text, "UA")
    assert not [c for c in got if c.kind == Kind.CONTROL]
    assert [(c.kind, c.place_name) for c in got] == [(Kind.DENIAL, "Pokrovsk")]


@pytest.mark.parametrize(
    ("text", "side"),
    [
        ("Российские войска освободили Суджу.", "RU"),
        ("Russian forces liberated Sudzha.", "RU"),
    ],
)
def test_place_after_control_verb_missed_by_the_matcher(text: str, side: str) -> None:
    assert controls(text, side) == [("Sudzha", "RU")]


def test_place_fallback_stays_narrow() -> None:
    # Not a place: a capitalised word the gazetteer does not know, or a country.
    assert controls("Российские войска освободили Незнайкино.", "RU") == []
    assert controls("Війська звільнили Україну.", "UA") == []


def _losses(day: int, cumulative: int, change: int | None) -> Claim:
    return Claim(
        kind=Kind.LOSSES,
        place_id="~losses/tank",
        place_name="tank",
        side="UA",
        controller=None,
        polarity="tank",
        asserted_at=datetime(2025, 4, day, 9, tzinfo=UTC),
        quote="",
        start=0,
        end=0,
        data={"metric": "tank", "cumulative": cumulative, "change": change},
    )


def _figures(new: Claim, channel: str, *olds: StoredClaimRef) -> list[str]:
    return [
        x.kind
        for x in find_contradictions(new, olds, T.contains, new_channel=channel, new_message_id=99)
    ]


def test_news_channel_reposting_yesterdays_figures_is_not_a_counter_going_down() -> None:
    gs1 = StoredClaimRef(_losses(25, 10_660, 2), None, "generalstaffzsu", 1)
    gs2 = StoredClaimRef(_losses(26, 10_664, 4), None, "generalstaffzsu", 2)
    # The news channel reposts the General Staff a day late: 10 660 after 10 664.
    assert _figures(_losses(27, 10_660, 2), "newschannel", gs1, gs2) == []
    # With its own history, a channel is compared with itself only.
    news = StoredClaimRef(_losses(26, 10_660, 2), None, "newschannel", 7)
    assert _figures(_losses(27, 10_664, 4), "newschannel", gs1, gs2, news) == []
    assert _figures(_losses(27, 10_590, 0), "newschannel", gs1, gs2, news) == [FIGURES]
    # The General Staff's own series still is checked.
    assert _figures(_losses(27, 10_650, 0), "generalstaffzsu", gs1, gs2, news) == [FIGURES]
    assert _figures(_losses(27, 10_670, 4), "generalstaffzsu", gs1, gs2, news) == [FIGURES]
    assert _figures(_losses(27, 10_668, 4), "generalstaffzsu", gs1, gs2, news) == []


def test_intent_words_need_a_control_verb_after_them() -> None:
    # "цели"/"наказ" elsewhere in the clause do not turn a report of control into intent.
    assert controls("Освобожден Купянск, поражены цели.", "RU") == [("Kupiansk", "RU")]
