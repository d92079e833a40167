"""The gazetteer and the place matcher: forms, matching rules, /track resolution, analyze."""

from __future__ import annotations

import argparse
import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.analysis.analyze import analyze_post
from bot.analysis.places import Gazetteer, PlaceMatcher, get_gazetteer, get_matcher
from bot.analysis.places.forms import ru_forms, ru_to_latin, uk_forms, uk_to_latin, uk_to_ru
from bot.analysis.places.normalise import norm_key, norm_text
from bot.cli.analyze import register, run_stream
from bot.config import Settings

KUPIANSK = "UA63080090010026457"
POKROVSK = "UA14160210010099403"
SUMY = "UA59080270010036634"


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return get_gazetteer()


@pytest.fixture(scope="module")
def matcher() -> PlaceMatcher:
    return get_matcher()


def found(matcher: PlaceMatcher, text: str) -> list[tuple[str, str | None, str]]:
    out = []
    for m in matcher.find(text):
        assert text[m.start : m.end] == m.surface
        out.append((m.surface, m.place.id if m.place else None, m.kind))
    return out


# --- normalisation and forms --------------------------------------------------------------


def test_normalisation_keeps_length_and_unifies_spellings() -> None:
    text = "Куп’янськ — «Київ», Ёлки, İzmir's 🇺🇦Суми"
    assert len(norm_text(text)) == len(text)
    assert norm_key("Куп’янськ") == norm_key("Куп'янськ") == norm_key("КУПʼЯНСЬК")
    assert norm_key("Приморсько-Ахтарськ") == "приморсько ахтарськ"


def test_ukrainian_paradigms_cover_names_the_dictionary_lacks() -> None:
    assert {"горналі", "горналлю"} <= uk_forms("Горналь")
    assert {"олешні", "олешню", "олешнею"} <= uk_forms("Олешня")
    assert {"покровську", "покровська", "покровськом"} <= uk_forms("Покровськ")
    assert {"сум", "сумах", "сумами"} <= uk_forms("Суми")
    assert {"мирного", "мирному", "мирним"} <= uk_forms("Мирне")
    assert {"олександрівці", "олександрівки"} <= uk_forms("Олександрівка")
    assert {"часового яру", "часовим яром"} <= uk_forms("Часів Яр")
    assert {"курщині", "курщину", "курщиною"} <= uk_forms("Курщина")
    assert {"харкова", "харкові"} <= uk_forms("Харків")


def test_russian_paradigms() -> None:
    assert {"судже", "суджи", "суджу"} <= ru_forms("Суджа")
    assert {"курской области", "курскую область"} <= ru_forms("Курская область")
    assert {"купянске", "купянска"} <= ru_forms("Купянск")


def test_transliteration() -> None:
    assert uk_to_ru("Куп'янськ") == "Купянск"
    assert uk_to_ru("Мирне") == "Мирное"
    assert uk_to_ru("Олександрівка") == "Александровка"
    assert ru_to_latin("Купянск") == "Kupyansk"
    assert ru_to_latin("Горналь") == "Gornal"
    assert ru_to_latin("Харьков") == "Kharkov"
    assert uk_to_latin("Згорани") == "Zghorany"
    assert uk_to_latin("Горналь") == "Hornal"
    assert uk_to_latin("Олешня") == "Oleshnia"


# --- the gazetteer ------------------------------------------------------------------------


def test_hierarchy_and_regions(gaz: Gazetteer) -> None:
    kup = gaz.get(KUPIANSK)
    assert (kup.kind, kup.region, kup.name_ru, kup.frontline) == ("city", "UA-63", "Купянск", True)
    chain = gaz.ancestors(KUPIANSK)
    assert chain[-2:] == ("UA-63", "UA")
    assert gaz.get(chain[1]).kind == "raion"
    assert gaz.contains("UA-63", KUPIANSK) and not gaz.contains("UA-59", KUPIANSK)
    assert gaz.get("UA80000000000093317").region == "UA-30"  # Kyiv city
    assert gaz.get("UA-30").id == "UA80000000000093317"
    assert gaz.get("UA85000000000065278").region == "UA-40"  # Sevastopol
    assert gaz.get("RU-KRS-sudzha").region == "RU-KRS"
    assert gaz.contains("RU-KRS", "RU-KRS-sudzha")
    assert len(gaz.places) > 31_000


@pytest.mark.parametrize(
    "query, expected",
    [
        ("Kursk", "RU-KRS-kursk"),
        ("Kursk Oblast", "RU-KRS"),
        ("Курщина", "RU-KRS"),
        ("Курській області", "RU-KRS"),
        ("Sudzha", "RU-KRS-sudzha"),
        ("Суджа", "RU-KRS-sudzha"),
        ("Купянск", KUPIANSK),
        ("Kupyansk", KUPIANSK),
        ("Куп'янськ", KUPIANSK),
        ("Красноармейск", POKROVSK),
        ("Бахмут", "UA14020010010059145"),
        ("Артемовск", "UA14020010010059145"),
        ("Дзержинск", "UA14020110010025394"),
        ("Kiev", "UA80000000000093317"),
        ("Odessa", "UA51100270010076757"),
        ("Сумщина", "UA-59"),
        ("Sumy region", "UA-59"),
        ("Gornal", "RU-KRS-gornal"),
    ],
)
def test_resolve(gaz: Gazetteer, query: str, expected: str) -> None:
    assert gaz.resolve(query)[0].id == expected


def test_resolve_homonyms_and_suggestions(gaz: Gazetteer) -> None:
    many = gaz.resolve("Олександрівка")
    assert len(many) > 50
    labels = {gaz.label(p.id, "uk") for p in many}
    assert len(labels) >= len(many) - 2  # hromada, raion and oblast tell them apart
    assert gaz.label("RU-KRS-sudzha", "en").startswith("Sudzha (")
    assert gaz.resolve("Xyzzyville") == []
    assert "RU-KRS-sudzha" in {p.id for p in gaz.suggest("Sudja")}
    assert KUPIANSK in {p.id for p in gaz.suggest("Kupjansk")}


# --- matching -------------------------------------------------------------------------------


def test_inflected_regions_and_nicknames(matcher: PlaceMatcher) -> None:
    got = found(matcher, "з Брянської, Курської обл., рф; по Київщині та Полтавщині")
    assert [g[1] for g in got] == ["RU-BRY", "RU-KRS", "RU", "UA-32", "UA-53"]
    got = found(matcher, "операції в Курській області; на Курщині; Курское приграничье")
    assert [g[1] for g in got] == ["RU-KRS", "RU-KRS", "RU-KRS"]
    assert got[0][0] == "Курській області"
    got = found(matcher, "Харківська область, Донецька, Луганська – ніде")
    assert [g[1] for g in got] == ["UA-63", "UA-14", "UA-09"]


def test_surface_forms_not_first_parse(matcher: PlaceMatcher) -> None:
    got = found(matcher, "у Покровську, Куп'янську і Харкові; Kupyansk; Купянск")
    ids = [g[1] for g in got]
    assert ids == [POKROVSK, KUPIANSK, "UA63120270010096107", KUPIANSK, KUPIANSK]


@pytest.mark.parametrize(
    "text",
    [
        "Разом – до перемоги! Перемога буде за нами.",
        "Суми грошей вражають. Мирне населення. Веселе свято.",
        "Olexandr Syrskyi reported. Victory Day. Bar staff.",
        "Ракета з акваторії Чорного моря.",
        "Зараз Ілля – з бабусею.",
        "угруповання військ “Курськ”",
        "Заступник командувача Чорноморського флоту. Пам'ятаємо Бабин Яр.",
        "Нагородити орденом Богдана Хмельницького. Працюють 12 ТЕС. Новий пакет. Ленд-ліз.",
    ],
)
def test_common_words_are_not_places(matcher: PlaceMatcher, text: str) -> None:
    assert [m for m in matcher.find(text) if m.kind != "country"] == []


def test_common_word_names_with_a_cue_or_region(matcher: PlaceMatcher) -> None:
    got = found(matcher, "Ворог атакував с. Перемога Сумського району.")
    assert got[0][1] == "UA59080030540028027"
    assert found(matcher, "У Сумах вибухи.")[0][1] == SUMY
    assert found(matcher, "У Рівному вибухи.")[0][1] == "UA56060470010041018"
    assert found(matcher, "Сьогодні в Макарові на Київщині")[0][1] == "UA32080190010023112"
    got = found(matcher, "Рубіжне, Попасна, Золоте, Лисичанськ – з Україною")
    assert [g[1] is not None for g in got if g[2] != "country"] == [True] * 4
    assert found(matcher, "Суми та Сумщина під обстрілом")[0][1] == SUMY
    assert found(matcher, "освобождены населённые пункты Меловой, Подол и Суджа")[1][1] == (
        "RU-KRS-podol"
    )


def test_homonyms_resolved_by_context_or_reported(matcher: PlaceMatcher) -> None:
    got = found(matcher, "Бої біля Іванівки Херсонської області")
    assert got[0][1] is not None and got[0][1].startswith("UA65")
    ms = matcher.find("Обстріляли Олександрівку.")
    assert ms[0].place is None and len(ms[0].candidates) > 10


def test_axes(matcher: PlaceMatcher) -> None:
    text = "на Покровському напрямку; на Курском направлении; the Pokrovsk direction"
    got = found(matcher, text)
    assert got == [
        ("Покровському напрямку", POKROVSK, "axis"),
        ("Курском направлении", "RU-KRS", "axis"),
        ("Pokrovsk direction", POKROVSK, "axis"),
    ]


def test_countries_and_word_boundaries(matcher: PlaceMatcher) -> None:
    got = found(matcher, "Росія, России, Russia, рф і Україна")
    assert [g[1] for g in got] == ["RU", "RU", "RU", "RU", "UA"]
    assert found(matcher, "Сумська-ський сумовитий Курськийград") == []


# --- analyze ---------------------------------------------------------------------------------


def test_analyze_contract() -> None:
    text = "Удар по Сумах. Бої на Курщині."
    out = analyze_post(
        {"channel": "kpszsu", "id": 7, "date": "2026-07-01T08:00:00+03:00", "text": text}
    )
    assert list(out)[:5] == ["channel", "id", "places", "claims", "contradicts"]
    assert out["places"] == [
        {"name": "Sumy", "region": "UA-59", "kind": "city", "id": SUMY, "start": 8, "end": 13},
        {
            "name": "Kursk Oblast",
            "region": "RU-KRS",
            "kind": "region",
            "id": "RU-KRS",
            "start": 22,
            "end": 29,
        },
    ]
    assert text[8:13] == "Сумах"


def test_analyze_command_streams_jsonl_in_order() -> None:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(["analyze", "-"])
    assert callable(args.func)
    date = "2025-11-20T10:00:00+02:00"
    src = io.StringIO(
        json.dumps({"channel": "a", "id": 1, "date": date, "text": "Kupyansk"})
        + "\n\n"
        + json.dumps({"channel": "a", "id": 2, "date": date, "text": "нічого"})
        + "\n"
    )
    dst = io.StringIO()
    assert run_stream(src, dst, Settings(_env_file=None)) == 0  # type: ignore[call-arg]
    lines = [json.loads(x) for x in dst.getvalue().splitlines()]
    assert [x["id"] for x in lines] == [1, 2]
    assert lines[0]["places"][0]["id"] == KUPIANSK and lines[1]["places"] == []


def test_raions_and_hromadas_by_their_head_noun(matcher: PlaceMatcher) -> None:
    text = (
        "на території Великописарівської селищної громади, Сумського та Охтирського "
        "районів; Краматорського р-ну"
    )
    got = found(matcher, text)
    assert [(g[0], g[2]) for g in got] == [
        ("Великописарівської селищної громади", "hromada"),
        ("Сумського", "raion"),
        ("Охтирського районів", "raion"),
        ("Краматорського р-ну", "raion"),
    ]
    en = found(matcher, "Kramatorsk district; Belgorod and Bryansk regions")
    assert [g[1] for g in en] == ["UA14120000000070232", "RU-BEL", "RU-BRY"]


def test_resolve_offers_the_oblast_after_its_capital(gaz: Gazetteer) -> None:
    assert [p.id for p in gaz.resolve("Kursk")] == ["RU-KRS-kursk", "RU-KRS"]


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet="Суми Курськ Kursk'’-,.«»\n ієїґабвгґдеёжзийклмнопрстуфхцчшщьюяABCz0", max_size=80
    )
)
def test_offsets_always_point_into_the_text(text: str) -> None:
    for m in get_matcher().find(text):
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start : m.end] == m.surface


def test_track_choices_and_unknown_names(gaz: Gazetteer) -> None:
    from bot.analysis.places.resolve import track_choices
    from bot.errors import UnknownPlaceError

    assert [c.place_id for c in track_choices(gaz, "Sudzha")] == ["RU-KRS-sudzha"]
    assert track_choices(gaz, "Курщина", "uk")[0].label == "Курська область"
    many = track_choices(gaz, "Іванівка", "uk")
    assert len(many) == 8 and len({c.label for c in many}) == 8
    with pytest.raises(UnknownPlaceError) as err:
        track_choices(gaz, "Kupjansk")
    assert any("Kupiansk" in s for s in err.value.suggestions)
