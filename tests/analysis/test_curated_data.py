"""Internal consistency of the hand-curated gazetteer inputs in scripts/curated/.

Only the committed CSV files are read (no reference data outside the repository), so this runs
anywhere; the KATOTTG cross-check lives in scripts/curated/check_curated.py.
"""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

CURATED = Path(__file__).resolve().parents[2] / "scripts" / "curated"


def _load_checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_curated", CURATED / "check_curated.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


checker = _load_checker()


def _rows(name: str) -> list[dict[str, str]]:
    with (CURATED / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_curated_files_are_consistent() -> None:
    assert checker.run(CURATED, None) == []


@pytest.mark.parametrize(
    ("name", "minimum"),
    [
        ("regions.csv", 30),
        ("ua_aliases.csv", 250),
        ("ru_places.csv", 300),
    ],
)
def test_minimum_sizes(name: str, minimum: int) -> None:
    assert len(_rows(name)) >= minimum


def test_at_least_150_border_villages() -> None:
    villages = [
        r
        for r in _rows("ru_places.csv")
        if r["kind"] == "village" and r["region"] in {"RU-KRS", "RU-BEL", "RU-BRY"}
    ]
    assert len(villages) >= 150


def test_issue_examples_are_present() -> None:
    ru = {r["name_ru"]: r for r in _rows("ru_places.csv")}
    for name in ("Суджа", "Горналь", "Олешня", "Гуево", "Теткино", "Демидовка", "Поповка"):
        assert name in ru, name
    assert ru["Суджа"]["parent_id"] == "RU-KRS-sudzhansky-raion"
    assert ru["Демидовка"]["region"] == "RU-BEL"
    aliases = _rows("ua_aliases.csv")
    old = {a for r in aliases for a in r["alt_ru"].split("|")}
    for name in ("Красноармейск", "Артемовск", "Димитров", "Дзержинск"):
        assert name in old, name
    names = {r["name_ru"] for r in aliases}
    for name in ("Купянск", "Часов Яр", "Волчанск", "Северск", "Гуляйполе"):
        assert name in names, name


def test_iso_codes_that_differ_from_katottg_digits() -> None:
    iso = {r["katottg_prefix"]: r["iso"] for r in _rows("katottg_iso.csv")}
    assert iso["UA59"] == "UA-59"
    assert iso["UA01"] == "UA-43"
    assert iso["UA44"] == "UA-09"
    assert iso["UA73"] == "UA-77"
    assert iso["UA74"] == "UA-74"
    assert iso["UA80"] == "UA-30"
    assert iso["UA85"] == "UA-40"


def test_nicknames_from_the_issue() -> None:
    regions = {r["id"]: r for r in _rows("regions.csv")}
    assert "Курщина" in regions["RU-KRS"]["nicknames_uk"].split("|")
    assert "Курское приграничье" in regions["RU-KRS"]["nicknames_ru"].split("|")
    assert "Бєлгородщина" in regions["RU-BEL"]["nicknames_uk"].split("|")
    assert "Сумщина" in regions["UA-59"]["nicknames_uk"].split("|")
    assert "Запоріжжя" in regions["UA-23"]["nicknames_uk"].split("|")


def test_checker_reports_broken_rows(tmp_path: Path) -> None:
    for name in checker.COLUMNS:
        (tmp_path / name).write_bytes((CURATED / name).read_bytes())
    with (tmp_path / "ru_places.csv").open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerow(
            [
                "RU-KRS-sudzha",
                "hamlet",
                "RU-KRS",
                "RU-KRS-nowhere-raion",
                "Суджа",
                "Суджа",
                "Sudzha",
                "a | b",
                "",
                "",
                "x",
            ]
        )
    errors = "\n".join(checker.run(tmp_path, None))
    assert "duplicate id RU-KRS-sudzha" in errors
    assert "bad kind 'hamlet'" in errors
    assert "bad list syntax" in errors
    assert "not found" in errors
