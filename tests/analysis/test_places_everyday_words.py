"""Review fixes in the place matcher: everyday words must not become places.

A weak preposition alone ("до Перемоги"), a comma after another place ("Харкову, Слава
ЗСУ") or a conjunction ("Мир і Злагода") used to turn ordinary words into villages, which
then alerted everyone tracking the oblast that contains them.
"""

from __future__ import annotations

import pytest

from bot.analysis.places import PlaceMention, get_matcher


def find(text: str) -> list[PlaceMention]:
    return get_matcher().find(text)


def surfaces(text: str) -> list[str]:
    return [m.surface for m in find(text)]


def regions_of(m: PlaceMention) -> set[str]:
    """The region(s) a mention points at, resolved or still ambiguous."""
    gaz = get_matcher().gaz
    if m.place is not None:
        return {m.place.region}
    return {gaz.get(c).region for c in m.candidates}


@pytest.mark.parametrize(
    "text, word",
    [
        ("Шлях до Перемоги", "Перемоги"),
        ("З Новим Роком", "Новим"),
        ("від Степового командування", "Степового"),
        ("Удар по Харкову, Слава ЗСУ", "Слава"),
        ("Курськ, Перемога буде за нами", "Перемога"),
        ("Покровськ та Надія на краще", "Надія"),
        ("Мир і Злагода", "Злагода"),
        ("Мир і Злагода", "Мир"),
        ("Згода та Злагода", "Згода"),
        ("Згода та Злагода", "Злагода"),
        ("ЗСУ звільнили Надію", "Надію"),  # a person: a capture verb is no cue for a name
        ("ЗСУ звільнили Перемогу", "Перемогу"),  # an everyday word stays one
    ],
)
def test_everyday_words_are_not_places(text: str, word: str) -> None:
    assert word not in surfaces(text)


@pytest.mark.parametrize(
    "text, keep",
    [
        ("Удар по Харкову, Слава ЗСУ", "UA63120270010096107"),
        ("Курськ, Перемога буде за нами", "RU-KRS-kursk"),
        ("Покровськ та Надія на краще", "UA14160210010099403"),
    ],
)
def test_the_real_place_before_the_comma_stays(text: str, keep: str) -> None:
    assert [m.place.id for m in find(text) if m.place is not None] == [keep]


@pytest.mark.parametrize(
    "text, place_id",
    [
        ("в Слов'янську", "UA14120210010032554"),
        ("у Сумах", "UA59080270010036634"),
        ("в Ізюмі", "UA63040090010029555"),
        ("у Рівному", "UA56060470010041018"),
        ("Слава Чернігівської області", "UA74020050420076080"),
        ("с. Злагода", "UA12140250380025561"),
    ],
)
def test_real_uses_still_found(text: str, place_id: str) -> None:
    assert place_id in {m.place.id for m in find(text) if m.place is not None}


@pytest.mark.parametrize(
    "text, word, region",
    [
        ("Перемога Харківської області", "Перемога", "UA-63"),
        ("бої біля Мирного Запорізької області", "Мирного", "UA-23"),
    ],
)
def test_common_word_with_its_region(text: str, word: str, region: str) -> None:
    got = [m for m in find(text) if m.surface == word]
    assert got and regions_of(got[0]) == {region}


@pytest.mark.parametrize(
    "text, word",
    [
        ("с. Перемога", "Перемога"),
        ("у селі Мирне", "Мирне"),
    ],
)
def test_strong_cue_finds_a_common_word(text: str, word: str) -> None:
    got = [m for m in find(text) if m.surface == word]
    assert got and got[0].kind == "village"


def test_strong_cue_still_carries_along_a_list() -> None:
    for text in ("сіл Мирне, Веселе та Перемога", "с. Курилівка, Перемога та Мирне"):
        assert {"Мирне", "Перемога"} <= set(surfaces(text)), text


def test_a_list_of_plain_names_vouches_for_cities() -> None:
    ids = {
        m.place.id
        for m in find("Маріуполь, Волноваха, Ізюм, Суми й область")
        if m.place is not None
    }
    assert {"UA63040090010029555", "UA59080270010036634"} <= ids  # Ізюм, Суми


@pytest.mark.parametrize(
    "text",
    [
        "Российские войска освободили Суджу.",
        "Russian forces captured Sudzha",
    ],
)
def test_capture_verb_is_a_cue(text: str) -> None:
    assert [m.place.id for m in find(text) if m.place is not None] == ["RU-KRS-sudzha"]


def test_a_text_read_twice_is_matched_once_and_results_stay_independent() -> None:
    from bot.analysis.places import get_matcher

    m = get_matcher()
    text = "Бої в районі Суджі та Горналя тривають."
    first = m.find(text)
    first.clear()  # a caller changing its list must not change what the next caller gets
    again = m.find(text)
    assert [x.surface for x in again] == ["Суджі", "Горналя"]
    assert [x.surface for x in m.find("Удар по Сумах.")] == ["Сумах"]
    assert m.find(text) == again
