"""Place rules learnt from real reporting (issue 10): each case is one class of text."""

from __future__ import annotations

import pytest

from bot.analysis.places import get_matcher


def _found(text: str) -> set[str]:
    return {m.place.id for m in get_matcher().find(text) if m.place and m.kind != "axis"}


POKROVSK = "UA14160210010099403"
MYRNOHRAD = "UA14160150010065527"
SLOVIANSK = "UA14120210010032554"
KRAMATORSK = "UA14120090010038661"


@pytest.mark.parametrize(
    ("text", "towns"),
    [
        ("бої в районі Покровсько-Мирноградської агломерації.", {POKROVSK, MYRNOHRAD}),
        ("окружение в районе красноармейско-димитровской агломерации.", {POKROVSK, MYRNOHRAD}),
        ("the defence of the Pokrovsko-Myrnograd agglomeration continues", {POKROVSK, MYRNOHRAD}),
        ("открыт путь к Славянско-Краматорской агломерации", {SLOVIANSK, KRAMATORSK}),
    ],
)
def test_compound_adjectives_of_an_agglomeration_name_each_town(text: str, towns: set[str]) -> None:
    assert towns <= _found(text)


@pytest.mark.parametrize(
    ("text", "region", "city"),
    [
        ("The settlements were Ivanivka and Netailove in Donetsk.", "UA-14", None),
        ("the Moscow-appointed governor of the neighboring region of Zaporizhia", "UA-23", None),
        ("fighting seen in Donetsk, Kherson, Lugansk, and Crimea.", "UA-65", None),
        ("Donetsk: Ukraine reports recapture of villages", "UA-14", None),
        ("No city in Donetsk is safe", "UA-14", None),
        ("strikes on the industrial city of Dnipro killed five", None, "UA12020010010037010"),
    ],
)
def test_english_names_an_oblast_by_its_centre_only_where_the_text_says_so(
    text: str, region: str | None, city: str | None
) -> None:
    found = _found(text)
    if region:
        assert region in found
    if city:
        assert city in found and "UA-12" not in found


def test_a_head_noun_before_region_adjectives_makes_them_oblasts() -> None:
    text = "Донбасу, що складається зі східних областей – Донецької та Луганської."
    assert {"UA-14", "UA-09"} <= _found(text)


def test_a_long_list_of_region_adjectives_shares_its_head_noun() -> None:
    text = (
        "Дрони збивали у Київській, Харківській, Полтавській, Сумській, Черкаській, "
        "Чернігівській, Кіровоградській, Вінницькій, Житомирській, Хмельницькій, Запорізькій, "
        "Дніпропетровській, Донецькій та Одеській областях."
    )
    assert {"UA-32", "UA-63", "UA-51", "UA-14"} <= _found(text)


def test_names_joined_by_a_dash_are_both_places() -> None:
    assert "UA44120010020096222" in _found("резерви в напрямок Тошківка-Золоте. Нині там бої")


def test_compound_names_inflect_only_their_last_part() -> None:
    text = "у районах Часова Яру та Олександро-Шультиного, біля Олександро-Калинового"
    assert {"UA14020130010015598", "UA14120070140014536", "UA14120050100023805"} <= _found(text)


def test_the_word_village_prefers_a_village_to_a_city_of_that_name() -> None:
    assert "UA05080110010069634" not in _found("окупанти розпочали наступ на село Ямпіль")


def test_a_cue_word_does_not_reach_past_punctuation() -> None:
    text = "отошли от Суджи и окрестных сел, Силы обороны продолжают"
    assert _found(text) == {"RU-KRS-sudzha"}


def test_crossing_a_river_is_not_the_city() -> None:
    assert _found("ДРГ пыталась пересечь Днепр в районе плавен") == set()


def test_a_surname_that_spells_a_village_does_not_make_the_first_name_a_town() -> None:
    assert "UA07020010010041660" not in _found("повідомив Володимир Когут у Telegram")


def test_capitals_named_as_governments_are_not_places() -> None:
    text = "before Moscow launched its offensive. According to Kiev, reserves are sent."
    assert _found(text) == set()
