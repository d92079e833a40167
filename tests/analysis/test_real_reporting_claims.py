"""Claims as real reporting words them (issue 10): who says it, real denials, fighting.

Each test is one class of error the real corpus (tests/data/real/) showed, in wording of the
kind published; the sentences here are written for the tests, the corpus is scored by
benchmarks/eval_detection.py.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest

from bot.analysis.claims import ClaimHistory, Kind, default_place_tools, extract_claims
from bot.cli.analyze import run_stream
from bot.config import Settings, known_side

T = default_place_tools()
AT = datetime(2025, 4, 26, 12, 0, tzinfo=UTC)


def claims(text: str, side: str | None = None) -> set[tuple[str, str, str | None]]:
    got = extract_claims(text, channel_side=side, date=AT, find_places=T.find, contains=T.contains)
    return {(c.kind, c.place_name, c.side) for c in got}


# --- who says it ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "У Міноборони РФ заявили про захоплення Торецька. Генштаб ЗСУ спростував цю "
            "заяву: бої в місті тривають.",
            {
                ("control", "Toretsk", "RU"),
                ("denial", "Toretsk", "UA"),
                ("fighting", "Toretsk", "UA"),
            },
        ),
        (
            "Putin said Russian forces had captured Kupiansk. Ukraine's General Staff said the "
            "claims are false.",
            {("control", "Kupiansk", "RU"), ("denial", "Kupiansk", "UA")},
        ),
        (
            "Сирський повідомив, що ніякого захоплення Покровська немає.",
            {("denial", "Pokrovsk", "UA")},
        ),
        (
            "По данным Минобороны России, подразделения освободили Малорязанцево.",
            {("control", "Maloriazantseve", "RU")},
        ),
    ],
)
def test_a_news_post_gives_each_claim_its_speakers_side(
    text: str, expected: set[tuple[str, str, str | None]]
) -> None:
    assert claims(text) == expected


def test_a_quotation_speaks_with_its_attribution() -> None:
    text = (
        "«Підрозділи Сил оборони продовжують утримувати позиції у Покровську», — "
        "повідомив Генштаб ЗСУ."
    )
    assert ("fighting", "Pokrovsk", "UA") in claims(text)


def test_about_this_names_the_speaker_of_the_sentences_before() -> None:
    text = "Освобождение Торецка завершено.\nОб этом сообщило Министерство обороны России."
    assert claims(text) == {("control", "Toretsk", "RU")}


def test_an_object_is_not_the_speaker() -> None:
    text = "Песков заявил об освобождении Часова Яра от подразделений Вооруженных сил Украины."
    assert claims(text) == {("control", "Chasiv Yar", "RU")}


def test_the_author_of_a_denied_claim_is_not_the_denier() -> None:
    text = "Генштаб опроверг сообщение Путина об освобождении Торецка."
    assert ("denial", "Toretsk", "UA") in claims(text)


def test_a_post_reporting_both_sides_never_contradicts_itself() -> None:
    history = ClaimHistory(T)
    text = (
        "Russia's Defence Ministry said its forces had captured Toretsk, while Ukraine's "
        "General Staff said fighting continues in Toretsk."
    )
    out = history.analyze(channel="news", message_id=1, date=AT, text=text, channel_side=None)
    assert {(c.kind, c.side) for c in out.claims} == {("control", "RU"), ("fighting", "UA")}
    assert out.contradictions == []
    later = history.analyze(
        channel="news",
        message_id=2,
        date=AT,
        text="Генштаб ЗСУ: бої за Торецьк тривають.",
        channel_side=None,
    )
    assert [x.earlier.message_id for x in later.contradictions] == [1]


# --- channel names -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["GeneralStaffZSU", "generalstaffzsu", "@GeneralStaffZSU"])
def test_channel_names_are_case_insensitive(name: str) -> None:
    assert known_side(name) == "UA"
    assert Settings(_env_file=None).side_of(name) == "UA"  # type: ignore[call-arg]


def test_dozor_analyze_gives_telegrams_spelling_its_side() -> None:
    posts = [
        {
            "channel": "mod_russia",
            "id": 1,
            "date": "2025-04-26T10:00:00+03:00",
            "text": "Завершено освобождение населенного пункта Торецк.",
        },
        {
            "channel": "GeneralStaffZSU",
            "id": 2,
            "date": "2025-04-26T18:00:00+03:00",
            "text": "Бої за Торецьк тривають.",
        },
    ]
    dst = io.StringIO()
    src = io.StringIO("\n".join(json.dumps(p, ensure_ascii=False) for p in posts) + "\n")
    assert run_stream(src, dst, Settings(_env_file=None)) == 0  # type: ignore[call-arg]
    second = json.loads(dst.getvalue().splitlines()[1])
    assert {
        "kind": "fighting",
        "place": "Toretsk",
        "side": "UA",
        "polarity": "ongoing",
        "speaker": None,  # the channel speaks: no speaker named in the text
    } in second["claims"]
    assert [(x["channel"], x["id"]) for x in second["contradicts"]] == [("mod_russia", 1)]


# --- real wording --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Заяви ворога про захоплення Торецька не відповідають дійсності.",
        "Росіяни збрехали, заявивши про захоплення Торецька.",
        "Ніякого захоплення Торецька немає.",
        "Russia's claims that it captured Toretsk are false.",
    ],
)
def test_real_denials_deny(text: str) -> None:
    assert ("denial", "Toretsk", "UA") in claims(text, "UA")


@pytest.mark.parametrize(
    ("text", "side"),
    [
        ("Наші воїни тримають оборону в Торецьку.", "UA"),
        ("Подразделения ВСУ держатся на окраине Часова Яра.", "RU"),
        ("У Торецьку тривають бої.", "UA"),
        ("Оборона Торецька триває.", "UA"),
    ],
)
def test_real_fighting_wording(text: str, side: str) -> None:
    assert {k for k, _p, _s in claims(text, side)} == {Kind.FIGHTING}


def test_the_situation_under_control_is_holding_not_capture() -> None:
    got = claims("У Торецьку тривають бої, ситуація під контролем ЗСУ.", "UA")
    assert got == {("fighting", "Toretsk", "UA")}


def test_attempts_to_dislodge_defenders_are_fighting_at_those_places() -> None:
    text = (
        "Окупанти здійснили 12 спроб потіснити наших захисників із займаних позицій у "
        "районах населених пунктів Торецьк та Щербинівка."
    )
    assert claims(text, "UA") == {
        ("fighting", "Toretsk", "UA"),
        ("fighting", "Shcherbynivka", "UA"),
    }


def test_fighting_told_as_history_is_not_a_claim() -> None:
    assert claims("Бои за Угледар шли более двух лет.", "RU") == set()


def test_withdrawal_then_we_continue_the_fight_is_no_fighting_in_the_town_left() -> None:
    text = "Наші війська вийшли з Авдіївки на більш вигідні рубежі. Ми продовжуємо боротьбу."
    assert claims(text, "UA") == {("withdrawal", "Avdiivka", "UA")}
    for goes_on in ("Ми продовжуємо оборону.", "Бої тривають.", "Оборонна операція триває."):
        text = f"Наші війська вийшли з Авдіївки на більш вигідні рубежі. {goes_on}"
        assert claims(text, "UA") == {("withdrawal", "Avdiivka", "UA")}, goes_on


def test_the_enemys_strongholds_listed_are_taken_from_the_enemy() -> None:
    text = "Освобождены опорные пункты противника – Малорязанцево и Вольное Поле."
    got = extract_claims(text, channel_side="RU", date=AT, find_places=T.find)
    assert {(c.kind, c.place_name, c.controller) for c in got} == {
        ("control", "Maloriazantseve", "RU"),
        ("control", "Vilne Pole", "RU"),
    }


def test_partial_control_is_a_control_claim() -> None:
    text = (
        "Russia's Defence Ministry claimed its forces had taken control of more than 80% "
        "of Vovchansk."
    )
    assert claims(text) == {("control", "Vovchansk", "RU")}


def test_an_area_liberated_whole_is_an_operation_completed() -> None:
    assert claims("Завершено освобождение Курской области.", "RU") == {
        ("operation_completed", "Kursk Oblast", "RU")
    }


def test_a_headlines_source_after_a_dash_speaks() -> None:
    assert claims("Росіяни окупували Суджу – DeepState") == {("withdrawal", "Sudzha", "UA")}


def test_a_named_speaker_granting_the_enemy_a_place_reports_a_loss() -> None:
    text = "У Генштабі ЗСУ повідомили, що місто Суджа тепер перебуває під контролем Росії."
    assert claims(text) == {("withdrawal", "Sudzha", "UA")}


def test_there_points_at_the_posts_one_town() -> None:
    text = "Міноборони РФ заявило про захоплення Торецька. Генштаб ЗСУ: там тривають бої."
    assert ("fighting", "Toretsk", "UA") in claims(text)


def test_a_control_word_takes_the_name_after_it_not_every_place_in_the_clause() -> None:
    text = (
        "Russia's defence ministry said its troops had taken the village of Voznesenka, "
        "north of Kurakhove, a town west of Donetsk city."
    )
    assert claims(text) == {("control", "Voznesenka", "RU")}


def test_the_headline_question_claims_nothing() -> None:
    assert claims("Селидове окуповане чи ні") == set()
