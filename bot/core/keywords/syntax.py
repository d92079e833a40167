"""The expression language's limits and the characters its syntax gives meaning to."""

from __future__ import annotations

MAX_LENGTH = 300
MAX_TERMS = 30
MAX_DEPTH = 8

QUOTES = '"“”„«»'
MINUSES = "-−–—"  # hyphen, minus sign, en and em dash (phones substitute them)
ENGLISH_OPS = {"and": "AND", "or": "OR", "not": "NOT"}
UKRAINIAN_OPS = {"І": "AND", "АБО": "OR", "НЕ": "NOT"}
