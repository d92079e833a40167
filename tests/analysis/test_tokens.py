"""Tokeniser, normaliser and lemma keys shared by keyword matching and archive search."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core import tokens as tk
from bot.core.tokens import (
    index_terms,
    lemmas,
    normalise,
    query_terms,
    search_query,
    tokenize,
)

SAMPLE = Path(__file__).resolve().parents[2] / "bot" / "data" / "sample" / "posts.jsonl"


def norms(text: str) -> list[str]:
    return [t.norm for t in tokenize(text)]


def finds(query: str, text: str) -> bool:
    return all(group & index_terms(text) for group in search_query(query))


# --- normalisation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "norm"),
    [
        ("Харків", "харків"),
        ("ХАРКІВ", "харків"),
        ("Ёлка", "елка"),
        ("всё", "все"),
        ("п’ять", "п'ять"),
        ("пʼять", "п'ять"),
        ("п`ять", "п'ять"),
        ("п‘ять", "п'ять"),
        ("Київ", "київ"),  # ї keeps its diaeresis
        ("Ки\u0457в", "київ"),
        ("Кі\u0308ев", "кїев"),  # decomposed ї (і + U+0308) recomposes
        ("Мико\u0301лаїв", "миколаїв"),  # stress accent dropped
        ("зайнятий", "зайнятий"),  # й keeps its breve
        ("за\u0438\u0306нятий", "зайнятий"),
        ("Café", "cafe"),
        ("Харкiв", "харків"),  # Latin i inside a Cyrillic word
        ("Kharkiv", "kharkiv"),  # a Latin word stays Latin
        ("Straße", "strasse"),
        ("Гуляй‑Поле", "гуляй-поле"),  # non-breaking hyphen
        ("Ку\u00adрськ", "курськ"),  # soft hyphen
    ],
)
def test_normalise(raw: str, norm: str) -> None:
    assert normalise(raw) == norm


def test_tokenize_offsets_point_into_original_text() -> None:
    text = "Ударили по Ха\u0301ркову — «Івано-Франківськ», п’ять Kupiansk's 🇺🇦 2024-08-12!"
    toks = tokenize(text)
    assert [t.norm for t in toks] == [
        "ударили",
        "по",
        "харкову",
        "івано-франківськ",
        "п'ять",
        "kupiansk's",
        "2024-08-12",
    ]
    assert [text[t.start : t.end] for t in toks][2:4] == ["Ха\u0301ркову", "Івано-Франківськ"]
    for t in toks:
        assert normalise(text[t.start : t.end]) == t.norm


def test_tokenize_separators() -> None:
    assert norms("a-b c- -d 'e' f'g x_y") == ["a-b", "c", "d", "e", "f'g", "x_y"]
    assert norms("Kursk,Sudzha/Belgorod.") == ["kursk", "sudzha", "belgorod"]
    assert norms("") == []
    assert norms("—  !!! …") == []


@given(st.text(max_size=80))
def test_tokens_are_stable_under_normalisation(text: str) -> None:
    for t in tokenize(text):
        assert t.start < t.end
        assert normalise(t.norm) == t.norm
        again = tokenize(t.norm)
        assert [x.norm for x in again] == [t.norm]


# --- lemmas and matching keys ----------------------------------------------------------------

SAME_WORD = [
    ("Харків", "Харкова"),
    ("Харків", "Харкові"),
    ("Харків", "Харькове"),  # uk query, ru text
    ("Харьков", "Харкова"),
    ("Курська", "Курській"),
    ("Курська", "Курской"),
    ("область", "області"),
    ("область", "области"),
    ("Покровськ", "Покровську"),
    ("Покровськ", "Покровске"),
    ("Покровськ", "Покровском"),
    ("Курщина", "Курщині"),
    ("Суджа", "Судже"),
    ("Суджа", "Суджі"),
    ("Київ", "Києві"),
    ("Київ", "Киеве"),
    ("Львів", "Львове"),
    ("удар", "ударів"),
    ("ракета", "ракети"),
    ("дрон", "дронів"),
    ("шахед", "шахедів"),  # unknown to the dictionaries: stems meet
    ("Kupiansk", "Kupiansk's"),
    ("Kupiansk", "Kupiansk’s"),
    ("strike", "strikes"),
    ("city", "cities"),
    ("attack", "attacks"),
    ("drone", "drones"),
    ("Гуляйполе", "Гуляй-Поле"),
    ("Гуляй-Поле", "Гуляйполі"),
    ("Гуляй-Поле", "Гуляй-Полі"),
    ("Івано-Франківськ", "Івано-Франківську"),
    ("Харкiв", "Харкова"),  # Latin i
    ("Куп'янськ", "Купʼянську"),
    ("Куп’янськ", "Купянске"),  # ru spelling has no apostrophe
]


@pytest.mark.parametrize(("query", "text"), SAME_WORD)
def test_inflected_and_cross_language_forms_meet(query: str, text: str) -> None:
    assert query_terms(query) & index_terms(text)
    assert query_terms(text) & index_terms(query)


DIFFERENT_WORD = [
    ("Харків", "Херсон"),
    ("Курськ", "Київ"),
    ("Суджа", "суд"),
    ("область", "обстріл"),
    ("strike", "street"),
    ("ракета", "рак"),
    ("Покровськ", "Покров"),
    ("дрон", "дорога"),
]


@pytest.mark.parametrize(("query", "text"), DIFFERENT_WORD)
def test_different_words_do_not_meet(query: str, text: str) -> None:
    assert not query_terms(query) & index_terms(text)


def test_lemmas_use_all_parses_of_both_dictionaries() -> None:
    keys = lemmas("курська")
    assert {"курськ", "курська", "курський"} <= keys  # three Ukrainian parses
    assert "курский" in lemmas("курской")  # Russian
    assert "область" in lemmas("области") and "область" in lemmas("області")


def test_unknown_word_guesses_are_not_keys() -> None:
    # pymorphy's predictor would say "харківый" for the Russian analyser; that is noise.
    assert all(not k.endswith("ый") for k in lemmas("харків"))
    assert lemmas("kupiansk") == frozenset({"~kupiansk"})


def test_words_with_digits_are_their_own_key() -> None:
    assert lemmas("155") == frozenset({"155"})
    assert query_terms("Су-34") == {"су34"}
    assert "су34" in index_terms("збито Су-34 над морем")


def test_hyphenated_words_index_their_parts_but_query_as_a_whole() -> None:
    assert query_terms("Франківськ") & index_terms("в Івано-Франківську")
    assert not query_terms("Гуляй-Поле") & index_terms("поле бою")


def test_search_query_is_and_of_ors() -> None:
    groups = search_query("Курська область, Курська")
    assert len(groups) == 2
    assert finds("Курська область", "бої в Курской области тривають")
    assert not finds("Курська область Суджа", "бої в Курской области тривають")
    assert search_query("  !!! ") == []


def test_guarantee_for_dictionary_words() -> None:
    """Any form of a lexeme finds a text holding any other form of it (see module doc)."""
    analysers = tk._analysers()
    words = [
        "харків",
        "область",
        "ракета",
        "удар",
        "курська",
        "суджа",
        "покровськ",
        "обстріл",
        "наступ",
        "позиція",
        "населений",
        "курская",
        "наступление",
        "бригада",
    ]
    checked = 0
    for word in words:
        for morph in analysers:
            for parse in morph.parse(word):  # type: ignore[attr-defined]
                if not parse.is_known:
                    continue
                forms = {f.word for f in parse.lexeme}
                for form in forms:
                    text = f"Повідомлення: {form.upper()}, подробиці згодом."
                    index = index_terms(text)
                    for other in list(forms)[:12]:
                        assert query_terms(other) & index, (other, form)
                        checked += 1
    assert checked > 1000


@given(st.text(max_size=200))
def test_index_and_query_terms_are_total(text: str) -> None:
    terms = index_terms(text)
    for token in tokenize(text):
        assert query_terms(token.norm) <= terms or "-" in token.norm


@given(
    st.text(
        st.sampled_from(list("абвгґдеєжзиіїйклмнопрстуфхцчшщьюяёъыэ'’-‑ \u0301Ѐ҂ӿ")), max_size=40
    )
)
def test_cyrillic_noise_never_breaks_the_lemmatiser(text: str) -> None:
    for token in tokenize(text):
        assert tk.token_keys(token.norm)
        assert tk.query_keys(token.norm)


def test_lemmatiser_loads_lazily() -> None:
    import subprocess
    import sys

    code = (
        "import sys, bot.core.tokens, bot.core.keywords, bot.core.excerpt;"
        "print('pymorphy3' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=SAMPLE.parents[3],
    )
    assert out.stdout.strip() == "False"
