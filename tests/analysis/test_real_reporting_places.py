"""Places as real reporting names them (issue 10): what a name means in context."""

from __future__ import annotations

import pytest

from bot.analysis.places import get_gazetteer, get_matcher
from bot.analysis.places.forms import uk_to_ru, uk_to_ru_variants


def places(text: str) -> list[tuple[str, str | None, str]]:
    return [(m.surface, m.place.id if m.place else None, m.kind) for m in get_matcher().find(text)]


def ids(text: str) -> set[str]:
    return {m.place.id for m in get_matcher().find(text) if m.place and m.kind != "axis"}


VOLODYMYR = "UA07020010010041660"
UKRAINSK = "UA14160230020031369"
DNIPRO = "UA12020010010037010"
KYIV = "UA80000000000093317"


@pytest.mark.parametrize(
    "text",
    [
        "Президент Володимир Зеленський заявив про ситуацію.",
        "Russian President Vladimir Putin said on Friday.",
        "Заяву зробив російський диктатор Володимир Путін.",
    ],
)
def test_peoples_names_are_not_places(text: str) -> None:
    assert VOLODYMYR not in ids(text)


def test_the_city_of_volodymyr_is_still_found() -> None:
    assert VOLODYMYR in ids("Ракетний удар по Володимиру.")


@pytest.mark.parametrize(
    "text", ["Українські війська тримають оборону.", "Українські захисники відбили штурм."]
)
def test_adjectives_are_not_towns(text: str) -> None:
    assert UKRAINSK not in ids(text)


@pytest.mark.parametrize(
    "text",
    [
        "Бої на лівому березі Дніпра.",
        "Війська форсували річку Дніпро.",
        "Войска группировки «Днепр» заняли позиции.",
        "Подразделения группировки войск Днепр нанесли поражение.",
        "the Dnipro river",
    ],
)
def test_rivers_and_force_groupings_are_not_cities(text: str) -> None:
    assert DNIPRO not in ids(text)


def test_the_river_oskil_is_not_the_village() -> None:
    assert not ids("Противник намагався переправитися через річку Оскіл.")


@pytest.mark.parametrize(
    "text", ["Бои в ДНР.", "в Донецкой Народной Республике", "in the Donetsk People's Republic"]
)
def test_the_peoples_republic_is_the_oblast(text: str) -> None:
    assert ids(text) == {"UA-14"}


@pytest.mark.parametrize(
    "text",
    [
        "MOSCOW, 18 Dec - Russian forces advanced.",
        "Москва. 7 июля. ИНТЕРФАКС - Войска продвинулись.",
        "Moscow said its forces advanced.",
        "Moscow's forces advanced.",
        "The Kyiv regime's plans have failed.",
        "KYIV – Ukraine's military said on Friday.",
    ],
)
def test_capitals_speaking_for_governments_are_not_places(text: str) -> None:
    assert not ids(text) & {KYIV, "RU-MOW"}


def test_a_capital_as_a_place_stays() -> None:
    assert KYIV in ids("Ракетний удар по Києву вночі.")


@pytest.mark.parametrize(
    ("name", "russian"),
    [
        ("Малорязанцеве", "Малорязанцево"),
        ("Біла Гора", "Белая Гора"),
        ("Вільне Поле", "Вольное Поле"),
        ("Андріївка", "Андреевка"),
        ("Іванопілля", "Иванополье"),
        ("Куп'янськ", "Купянск"),
        ("Мирне", "Мирное"),
        ("Кліщіївка", "Клещеевка"),
        ("Піщане", "Песчаное"),
    ],
)
def test_russian_names_follow_the_languages_rules(name: str, russian: str) -> None:
    assert uk_to_ru(name) == russian


def test_adjectival_and_possessive_readings_are_both_offered() -> None:
    assert {"Берестово", "Берестовое"} <= set(uk_to_ru_variants("Берестове"))


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Войска освободили Малорязанцево.", "UA44120050060063141"),
        ("Бои за Вольное Поле продолжаются.", "UA14040070030010923"),
        ("ВСУ держатся в Часовом Яру.", "UA14020130010015598"),
        ("Сообщения о Часовом Яре.", "UA14020130010015598"),
    ],
)
def test_russian_reporting_finds_ukrainian_places(text: str, place: str) -> None:
    assert place in ids(text)


def test_a_raion_after_a_list_locates_every_name_in_it() -> None:
    got = places("Ивановка и Синьковка Купянского района подверглись обстрелам.")
    assert ("Ивановка", "UA63080130040020621", "village") in got


def test_homonyms_in_a_list_go_to_the_raion_the_list_shares() -> None:
    text = "Бої тривають у районах Веселого, Вільного, Рубіжного та Кучерового Яру."
    assert "UA14160070120036235" in ids(text)  # Рубіжне of Pokrovsk raion, not the Luhansk city


def test_hyphenated_road_names_both_places() -> None:
    got = ids("Russian troops are advancing along the Kupiansk–Shevchenkove road.")
    assert {"UA63080090010026457", "UA63080150010082504"} <= got


@pytest.mark.parametrize(
    "text",
    [
        "hostilities continued in the Kupyansk, Lymansk and Kramatorsk directions",
        "fighting in the Pokrovsk direction",
    ],
)
def test_front_sectors_are_axes_not_towns(text: str) -> None:
    assert all(kind == "axis" for _s, _id, kind in places(text))


def test_a_regional_name_means_the_region_first() -> None:
    gaz = get_gazetteer()
    assert gaz.resolve("Харківщина")[0].id == "UA-63"
    assert gaz.resolve("Курщина")[0].id == "RU-KRS"
    assert ids("На Харківщині тривають бої.") == {"UA-63"}


def test_two_names_joined_by_a_hyphen_are_both_places() -> None:
    got = ids("interdicting the H-26 Kupiansk-Shevchenkove highway")
    assert {"UA63080090010026457", "UA63080150010082504"} <= got


def test_a_compound_word_with_a_lower_case_first_part_is_no_place() -> None:
    assert not ids("пів-Європи")
