"""The message catalogue: plural forms per language, and every key in both languages."""

from __future__ import annotations

import string

import pytest

from bot.core.catalogue import CATALOGUES
from bot.core.i18n import t


@pytest.mark.parametrize(
    ("n", "word"),
    [
        (1, "1 допис"),
        (2, "2 дописи"),
        (4, "4 дописи"),
        (5, "5 дописів"),
        (11, "11 дописів"),
        (12, "12 дописів"),
        (14, "14 дописів"),
        (21, "21 допис"),
        (22, "22 дописи"),
        (25, "25 дописів"),
        (101, "101 допис"),
        (111, "111 дописів"),
        (0, "0 дописів"),
    ],
)
def test_ukrainian_plurals_one_few_many(n: int, word: str) -> None:
    assert t("uk", "digest.posts", n=n) == word


@pytest.mark.parametrize(("n", "word"), [(1, "1 post"), (2, "2 posts"), (21, "21 posts")])
def test_english_plurals(n: int, word: str) -> None:
    assert t("en", "digest.posts", n=n) == word


def test_every_key_in_both_languages_with_the_same_parameters() -> None:
    uk, en = CATALOGUES["uk"].messages, CATALOGUES["en"].messages
    assert set(uk) == set(en)

    def fields(msg: str | tuple[str, ...]) -> set[str]:
        forms = msg if isinstance(msg, tuple) else (msg,)
        return {f for form in forms for _, f, _, _ in string.Formatter().parse(form) if f}

    for key in uk:
        assert fields(uk[key]) == fields(en[key]), key
        assert isinstance(uk[key], tuple) == isinstance(en[key], tuple), key
        if isinstance(uk[key], tuple):
            assert len(uk[key]) == 3 and len(en[key]) == 2, key
