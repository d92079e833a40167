"""The bot's own words, in Ukrainian and English."""

from __future__ import annotations

LANGS = ("uk", "en")
DEFAULT_LANG = "uk"

_MESSAGES: dict[str, dict[str, str]] = {
    "welcome": {
        "uk": "👋 Це Дозор. Я стежу за офіційними каналами й повідомляю, коли згадують "
              "місця чи слова, які ви відстежуєте, або коли нова заява суперечить попередній.\n\n"
              "Спробуйте: /track Курськ\nДовідка: /help",
        "en": "👋 This is Dozor. I watch official channels and tell you when they mention the "
              "places or words you track, or when a new statement contradicts an earlier one.\n\n"
              "Try: /track Kursk\nHelp: /help",
    },
    "help": {
        "uk": "<b>Команди</b>\n/track &lt;місце або слово&gt; — відстежувати\n"
              "/untrack — припинити\n/list — що відстежує цей чат\n/help — ця довідка",
        "en": "<b>Commands</b>\n/track &lt;place or word&gt; — start tracking\n"
              "/untrack — stop tracking\n/list — what this chat tracks\n/help — this help",
    },
    "track_usage": {
        "uk": "Напишіть, що відстежувати: /track Курськ",
        "en": "Tell me what to track: /track Kursk",
    },
    "tracked": {"uk": "✅ Відстежую: {label}", "en": "✅ Tracking: {label}"},
    "already_tracked": {"uk": "Уже відстежую: {label}", "en": "Already tracking: {label}"},
    "untracked": {"uk": "🗑 Більше не відстежую: {label}", "en": "🗑 Stopped tracking: {label}"},
    "untrack_usage": {
        "uk": "Оберіть, що прибрати, або напишіть /untrack &lt;назва&gt;.",
        "en": "Pick what to remove, or send /untrack &lt;name&gt;.",
    },
    "not_tracked": {"uk": "Цей чат не відстежує «{label}».",
                    "en": "This chat does not track “{label}”."},
    "list_empty": {"uk": "Цей чат поки нічого не відстежує. /track Курськ",
                   "en": "This chat tracks nothing yet. /track Kursk"},
    "list_head": {"uk": "<b>Відстежується:</b>", "en": "<b>Tracked:</b>"},
    "too_long": {"uk": "Задовго: не більше {limit} символів.",
                 "en": "Too long: at most {limit} characters."},
    "too_many": {"uk": "Забагато підписок: не більше {limit} на чат.",
                 "en": "Too many subscriptions: at most {limit} per chat."},
    "admins_only": {"uk": "Змінювати підписки в групі можуть лише адміністратори.",
                    "en": "Only group admins can change subscriptions here."},
    "alert_open": {"uk": "Відкрити допис", "en": "Open the post"},
    "alert_more": {"uk": "далі", "en": "more"},
    "alert_tracked": {"uk": "відстежується", "en": "tracked"},
    "alert_edited": {"uk": "✏️ Допис змінено", "en": "✏️ The post was edited"},
    "alert_was": {"uk": "Було", "en": "Was"},
    "alert_now": {"uk": "Стало", "en": "Now"},
    "alert_forwarded": {"uk": "переслано з", "en": "forwarded from"},
    "error_generic": {"uk": "Щось пішло не так. Спробуйте ще раз пізніше.",
                      "en": "Something went wrong. Please try again later."},
}


def pick_lang(code: str | None) -> str:
    """Ukrainian for uk/ru speakers and unknown users, English for everyone else."""
    if not code:
        return DEFAULT_LANG
    code = code.lower().split("-")[0]
    if code in ("uk", "ru"):
        return "uk"
    return "en" if code in LANGS or code else DEFAULT_LANG


def t(lang: str, key: str, **params: object) -> str:
    entry = _MESSAGES[key]
    text = entry.get(lang) or entry[DEFAULT_LANG]
    return text.format(**params) if params else text
