"""Parse errors that point at the mistake, worded in Ukrainian or English."""

from __future__ import annotations

from bot.errors import ExpressionError, KeywordExpressionError

# --- errors ----------------------------------------------------------------------------------

_MESSAGES: dict[str, dict[str, str]] = {
    "empty": {
        "en": "The expression is empty: give at least one word to look for, e.g. Kursk.",
        "uk": "Вираз порожній: вкажіть хоча б одне слово, наприклад Курськ.",
    },
    "too_long": {
        "en": "The expression is too long: {length} characters, at most {limit}.",
        "uk": "Вираз задовгий: {length} символів, а можна щонайбільше {limit}.",
    },
    "too_many_terms": {
        "en": "Too many words: at most {limit}; the one at character {col} is over the limit.",
        "uk": "Забагато слів: щонайбільше {limit}; слово на позиції {col} — зайве.",
    },
    "too_deep": {
        "en": "Brackets are nested too deeply at character {col}: at most {limit} levels.",
        "uk": "Задовга вкладеність дужок на позиції {col}: щонайбільше {limit} рівнів.",
    },
    "unclosed_quote": {
        "en": "The quote at character {col} is never closed: add the closing quote.",
        "uk": "Лапки на позиції {col} не закрито: додайте закривні лапки.",
    },
    "empty_phrase": {
        "en": "The quotes at character {col} hold no words: put words inside or remove them.",
        "uk": "У лапках на позиції {col} немає слів: додайте слова або приберіть лапки.",
    },
    "unclosed_paren": {
        "en": "The bracket “(” at character {col} is never closed: add “)”.",
        "uk": "Дужку «(» на позиції {col} не закрито: додайте «)».",
    },
    "unmatched_close": {
        "en": "The bracket “)” at character {col} has no matching “(”.",
        "uk": "Дужка «)» на позиції {col} не має пари «(».",
    },
    "empty_parens": {
        "en": "The brackets at character {col} are empty.",
        "uk": "Дужки на позиції {col} порожні.",
    },
    "missing_operand": {
        "en": "“{op}” at character {col} must be followed by a word, a phrase or brackets.",
        "uk": "Після «{op}» на позиції {col} має бути слово, фраза в лапках або дужки.",
    },
    "missing_left": {
        "en": "“{op}” at character {col} needs a word before it as well as after it.",
        "uk": "Перед «{op}» на позиції {col} теж має бути слово.",
    },
    "double_not": {
        "en": "Double negation at character {col}: “NOT NOT x” is just “x”; "
        "write it without the NOTs.",
        "uk": "Подвійне заперечення на позиції {col}: «НЕ НЕ x» — це просто «x»; "
        "напишіть без заперечень.",
    },
    "dangling_minus": {
        "en": "“{op}” at character {col} must be attached to what it excludes, e.g. -training.",
        "uk": "«{op}» на позиції {col} треба писати впритул до слова, яке виключаєте: -навчання.",
    },
    "only_negative": {
        "en": "The expression only says what to leave out, so it would match almost every "
        "post. Add a word to look for, e.g. Kursk -training.",
        "uk": "Вираз лише виключає слова, тож підійде майже кожен допис. Додайте слово, "
        "яке шукати, наприклад: Курськ -навчання.",
    },
}


def fail(code: str, position: int | None, **params: object) -> KeywordExpressionError:
    if position is not None:
        params.setdefault("col", position + 1)
    message = _MESSAGES[code]["en"].format(**params)
    return KeywordExpressionError(message, position, code, params)


def describe(err: ExpressionError, lang: str) -> str:
    """The error in ``lang`` ("uk" or "en"; anything else gets English)."""
    if isinstance(err, KeywordExpressionError) and err.code in _MESSAGES:
        templates = _MESSAGES[err.code]
        return templates.get(lang, templates["en"]).format(**err.params)
    return str(err)


def pointer(expression: str, position: int | None, width: int = 40) -> str:
    """Two lines for a monospace block: a window of ``expression`` and a caret under the
    mistake. Empty when there is no position."""
    if position is None or not expression:
        return ""
    position = max(0, min(position, len(expression)))
    start = max(0, position - width // 2)
    window = expression[start : start + width]
    prefix = "…" if start else ""
    suffix = "…" if start + width < len(expression) else ""
    line = prefix + window.replace("\n", " ") + suffix
    return line + "\n" + " " * (len(prefix) + position - start) + "^"
