"""Claim extraction: triggers by lemma, scope by clause and by who speaks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.analysis.claims import Claim, Kind, extract_claims
from bot.analysis.claims.extract import segment
from bot.analysis.claims.lexicon import detect_lang, lemmas
from tests.claims_places import real_tools, tools

T = real_tools() or tools()
AT = datetime(2025, 4, 26, 12, 0, tzinfo=UTC)


def claims(text: str, side: str | None = None) -> list[Claim]:
    return extract_claims(text, channel_side=side, date=AT, find_places=T.find, contains=T.contains)


def kinds(text: str, side: str | None = None) -> set[tuple[str, str]]:
    return {(c.kind, c.place_name) for c in claims(text, side)}


@pytest.mark.parametrize("word", ["звільнено", "звільнили", "звільнення"])
def test_ukrainian_forms_share_a_lemma(word: str) -> None:
    assert lemmas(word, "uk") & {"звільнити", "звільнення"}


def test_language_by_letters() -> None:
    assert detect_lang("Звільнено Куп'янськ, бої тривають") == "uk"
    assert detect_lang("Освобождён населённый пункт") == "ru"
    assert detect_lang("Liberated") == "en"
    assert detect_lang("Окупанти захопили Торецьк") == "cy"  # both analysers


@pytest.mark.parametrize(
    ("text", "side", "controller"),
    [
        ("Сили оборони звільнили Куп'янськ.", "UA", "UA"),
        ("Подразделения группировки войск «Запад» освободили Купянск.", "RU", "RU"),
        ("Сегодня освобожден от украинских подразделений населенный пункт Горналь.", "RU", "RU"),
    ],
)
def test_control_records_who_holds_not_the_verb(text: str, side: str, controller: str) -> None:
    (c,) = [c for c in claims(text, side) if c.kind == Kind.CONTROL]
    assert c.controller == controller
    assert c.side == side


@pytest.mark.parametrize("text", ["Окупанти захопили Торецьк.", "Ворог захопив Торецьк."])
def test_a_channel_granting_the_enemy_a_place_concedes_it(text: str) -> None:
    (c,) = claims(text, "UA")
    assert (c.kind, c.controller, c.side) == (Kind.WITHDRAWAL, "RU", "UA")


def test_every_place_of_a_list_is_claimed() -> None:
    text = (
        'Подразделениями группировки войск "Север" в ходе наступательных действий '
        "освобождены населённые пункты Меловой, Подол и Суджа"
    )
    assert kinds(text, "RU") == {
        ("control", "Melovoy"),
        ("control", "Podol"),
        ("control", "Sudzha"),
    }


def test_last_settlement_completes_the_operation_over_its_area() -> None:
    text = (
        "Сегодня освобожден от украинских подразделений последний населенный пункт на "
        "территории Курской области — село Горналь"
    )
    assert kinds(text, "RU") == {("control", "Gornal"), ("operation_completed", "Kursk Oblast")}


def test_area_named_as_a_locator_is_not_claimed() -> None:
    text = "Войска завершили освобождение города Торецк Донецкой Народной Республики."
    assert kinds(text, "RU") == {("control", "Toretsk")}


def test_fully_liberated_area() -> None:
    assert kinds("Курская область полностью освобождена.", "RU") == {
        ("operation_completed", "Kursk Oblast")
    }


def test_withdrawal() -> None:
    text = "Наші підрозділи вийшли з Авдіївки на більш вигідні рубежі."
    (c,) = claims(text, "UA")
    assert (c.kind, c.place_name, c.polarity) == ("withdrawal", "Avdiivka", "UA")


@pytest.mark.parametrize(
    ("text", "polarity"),
    [
        ("Бої за Торецьк тривають.", "ongoing"),
        ("Fighting continues in Toretsk.", "ongoing"),
        ("Ведутся бои за Торецк.", "ongoing"),
        ("Сили оборони утримують позиції в Покровську.", "holding"),
        ("Our units continue to hold positions in Pokrovsk.", "holding"),
        ("Біля Торецька відбито п'ять атак противника.", "repelled"),
        ("Отбиты атаки ВСУ в районе Торецка.", "repelled"),
        ("У Торецьку залишаються рештки ворожих підрозділів.", "remnants"),
    ],
)
def test_fighting_kinds(text: str, polarity: str) -> None:
    got = [(c.kind, c.polarity) for c in claims(text, "UA")]
    assert got == [("fighting", polarity)]


@pytest.mark.parametrize(
    "text",
    [
        "Противник намагається захопити Мирноград.",
        "Противник пытается захватить Мирноград.",
        "Russian forces are attempting to capture Myrnohrad.",
    ],
)
def test_attempts_never_count_as_control(text: str) -> None:
    assert {c.kind for c in claims(text, "UA")} == {"attempt"}


@pytest.mark.parametrize(
    "text",
    [
        "Якщо ворог захопить Костянтинівку, відкриється шлях на Краматорськ.",
        "If Russian forces capture Kostiantynivka, the road to Kramatorsk would open.",
    ],
)
def test_conditionals_claim_nothing(text: str) -> None:
    assert [c for c in claims(text, "UA") if c.kind == Kind.CONTROL] == []


def test_reported_speech_in_a_news_channel_asserts_for_the_side_named() -> None:
    text = (
        "Russia's Defence Ministry said its forces had captured Toretsk, while Ukraine's "
        "General Staff said fighting continues in Toretsk."
    )
    got = {(c.kind, c.side, c.controller) for c in claims(text, None)}
    assert got == {("control", "RU", "RU"), ("fighting", "UA", None)}
    fighting = next(c for c in claims(text, None) if c.kind == Kind.FIGHTING)
    assert fighting.reported_side == "UA"
    assert fighting.data["speaker_en"] == "Ukraine's General Staff"


def test_russian_reported_speech() -> None:
    (c,) = claims("В Минобороны РФ заявили, что освобожден Торецк.", None)
    assert (c.kind, c.side, c.controller) == ("control", "RU", "RU")


def test_quoting_the_other_side_to_deny_it_is_a_denial_not_their_claim() -> None:
    text = "Міноборони рф заявило про захоплення Вовчанська. Це брехня, місто не захоплене."
    got = claims(text, "UA")
    assert {(c.kind, c.place_name, c.side) for c in got} == {("denial", "Vovchansk", "UA")}


def test_denial_naming_no_place_inherits_the_main_place_and_the_claim_it_answers() -> None:
    text = (
        "Повідомлення представників країни-агресорки про нібито завершення бойових дій "
        "на території Курської області рф не відповідають дійсності. Оборонна операція "
        "на Курщині триває"
    )
    got = {(c.kind, c.place_name, c.polarity) for c in claims(text, "UA")}
    assert got == {
        ("denial", "Kursk Oblast", "operation_completed"),
        ("fighting", "Kursk Oblast", "ongoing"),
    }
    text2 = "Бої за Покровськ тривають. Заяви ворога — брехня і пропаганда."
    denial = next(c for c in claims(text2, "UA") if c.kind == Kind.DENIAL)
    assert denial.place_name == "Pokrovsk"
    assert denial.data["inherited"] is True


def test_negated_control_is_a_denial() -> None:
    got = {(c.kind, c.place_name) for c in claims("Красногорівка не захоплена.", "UA")}
    assert got == {("denial", "Krasnohorivka")}


def test_trigger_and_place_must_share_a_clause() -> None:
    text = "Ворог захопив кілька позицій. Бахмут — місто, яке ми пам'ятаємо."
    assert claims(text, "UA") == []


def test_air_defence_report_is_not_ground_fighting() -> None:
    text = "Повітряний напад на Запорізьку область відбито, збито 12 дронів."
    assert claims(text, "UA") == []


def test_grouping_name_is_not_a_place() -> None:
    text = "В операційній зоні угруповання військ «Покровськ» відбито п'ять атак."
    assert claims(text, "UA") == []


def test_sentences_do_not_end_at_abbreviations() -> None:
    text = "Бої тривають біля м. Покровськ. Ворог відступив."
    assert [text[c.start : c.end] for c in segment(text)] == [
        "Бої тривають біля м. Покровськ.",
        "Ворог відступив.",
    ]


def test_clause_offsets_and_quote() -> None:
    text = "Ворог атакує. Сили оборони звільнили Куп'янськ."
    (c,) = claims(text, "UA")
    assert text[c.start : c.end].strip() == c.quote == "Сили оборони звільнили Куп'янськ."
    assert c.asserted_at == AT


def test_and_before_a_verb_starts_a_new_clause() -> None:
    text = "Сили оборони звільнили Кучерів Яр та ведуть бої за Новопавлівку."
    assert kinds(text, "UA") == {("control", "Kucheriv Yar"), ("fighting", "Novopavlivka")}
    # "and" between two names keeps one clause
    text2 = "Освобождены населённые пункты Меловой и Подол."
    assert kinds(text2, "RU") == {("control", "Melovoy"), ("control", "Podol")}


def test_an_axis_or_front_is_not_the_town_and_lends_it_nothing() -> None:
    text = (
        "The General Staff reported 35 clashes on the Pokrovsk front, where Russian "
        "troops attempted to advance toward Myrnohrad."
    )
    assert kinds(text, "UA") == {("attempt", "Myrnohrad")}


def test_a_clause_without_a_place_speaks_of_the_posts_only_place() -> None:
    text = (
        "Russia claims it captured Kurakhove, but Ukrainian forces say clashes continue "
        "on the city's outskirts."
    )
    got = {(c.kind, c.place_name, c.side) for c in claims(text, None)}
    assert got == {("control", "Kurakhove", "RU"), ("fighting", "Kurakhove", "UA")}
