"""The bot's own words, in Ukrainian and English."""

from __future__ import annotations

LANGS = ("uk", "en")
DEFAULT_LANG = "uk"

_MESSAGES: dict[str, dict[str, str]] = {
    "welcome": {
        "uk": "👋 Це Дозор. Я стежу за офіційними каналами й повідомляю, коли згадують "
        "місця чи слова, які ви відстежуєте, або коли нова заява суперечить попередній.\n\n"
        "Оберіть місце нижче або напишіть: /track Курськ\nДовідка: /help",
        "en": "👋 This is Dozor. I watch official channels and tell you when they mention the "
        "places or words you track, or when a new statement contradicts an earlier one.\n\n"
        "Pick a place below or send: /track Kursk\nHelp: /help",
    },
    "help": {
        "uk": "<b>Що відстежувати</b>\n"
        "/track &lt;місце&gt; — місто, село, район чи область (область охоплює все в ній)\n"
        "/keyword &lt;вираз&gt; — слова: <code>Курськ Суджа</code>, "
        '<code>"Курська область"</code>, <code>Курськ OR Бєлгород</code>, '
        "<code>Курськ -навчання</code>, дужки\n"
        "/untrack — припинити\n/list — що відстежує цей чат і налаштування\n\n"
        "<b>Архів</b>\n/latest [місце] — останні дописи\n/search &lt;текст&gt; — пошук\n"
        "/claims &lt;місце&gt; — заяви сторін\n/sources — канали\n\n"
        "<b>Налаштування</b>\n/digest ГГ:ХХ | off — щоденний підсумок\n"
        "/timezone &lt;пояс або місто&gt; — часовий пояс\n"
        "/mute 30m | 2h | 1d | off — тиша\n/lang uk | en — мова\n\n"
        "У групах змінювати підписки й налаштування можуть лише адміністратори; "
        "у гілці форуму сповіщення приходять у гілку, де зроблено /track.",
        "en": "<b>What to track</b>\n"
        "/track &lt;place&gt; — a town, village, district or region (a region covers "
        "everything in it)\n"
        "/keyword &lt;expression&gt; — words: <code>kursk sudzha</code>, "
        '<code>"kursk region"</code>, <code>kursk OR belgorod</code>, '
        "<code>kursk -training</code>, brackets\n"
        "/untrack — stop tracking\n/list — what this chat tracks, and its settings\n\n"
        "<b>Archive</b>\n/latest [place] — latest posts\n/search &lt;text&gt; — search\n"
        "/claims &lt;place&gt; — what each side claims\n/sources — the channels\n\n"
        "<b>Settings</b>\n/digest HH:MM | off — daily digest\n"
        "/timezone &lt;zone or city&gt; — time zone\n"
        "/mute 30m | 2h | 1d | off — quiet time\n/lang uk | en — language\n\n"
        "In groups only admins change subscriptions and settings; in a forum topic, "
        "alerts go to the topic where /track was sent.",
    },
    "track_usage": {
        "uk": "Напишіть, що відстежувати: /track Курськ",
        "en": "Tell me what to track: /track Kursk",
    },
    "tracked": {"uk": "✅ Відстежую: {label}", "en": "✅ Tracking: {label}"},
    "tracked_area": {
        "uk": "Це охоплює всі населені пункти всередині.",
        "en": "This covers every place inside it.",
    },
    "also_region": {"uk": "＋ Уся {name}", "en": "＋ All of {name}"},
    "already_tracked": {"uk": "Уже відстежую: {label}", "en": "Already tracking: {label}"},
    "homonyms": {
        "uk": "«{query}» — таких місць {total}. Яке саме?",
        "en": "There are {total} places called “{query}”. Which one?",
    },
    "homonyms_more": {
        "uk": "Показано перші {shown}; уточніть назву, щоб звузити.",
        "en": "Showing the first {shown}; be more specific to narrow it down.",
    },
    "unknown_place": {
        "uk": "Не знаю місця «{query}».",
        "en": "I don't know a place called “{query}”.",
    },
    "did_you_mean": {
        "uk": "Можливо, ви мали на увазі одне з цих:",
        "en": "Did you mean one of these?",
    },
    "or_keyword": {
        "uk": "Або відстежуйте це як слово в дописах.",
        "en": "Or track it as a word in posts.",
    },
    "use_keyword": {
        "uk": "Щоб шукати це як слова, скористайтеся /keyword.",
        "en": "To look for it as words, use /keyword.",
    },
    "as_keyword": {"uk": "🔎 Як слово: {word}", "en": "🔎 As a word: {word}"},
    "place_gone": {
        "uk": "Цього місця більше немає в довіднику. Спробуйте /track ще раз.",
        "en": "That place is no longer in the gazetteer. Try /track again.",
    },
    "keyword_usage": {
        "uk": 'Напишіть вираз: /keyword Курськ Суджа або /keyword "Курська область" -навчання',
        "en": 'Send an expression: /keyword kursk sudzha or /keyword "kursk region" -training',
    },
    "keyword_tracked": {
        "uk": "✅ Відстежую слова: <code>{label}</code>",
        "en": "✅ Tracking words: <code>{label}</code>",
    },
    "keyword_too_complex": {
        "uk": "Вираз завеликий, спростіть його.",
        "en": "The expression is too big; simplify it.",
    },
    "too_many_keywords": {
        "uk": "Забагато виразів: не більше {limit} на чат.",
        "en": "Too many keyword expressions: at most {limit} per chat.",
    },
    "untracked": {"uk": "🗑 Більше не відстежую: {label}", "en": "🗑 Stopped tracking: {label}"},
    "untrack_usage": {
        "uk": "Оберіть, що прибрати, або напишіть /untrack &lt;назва&gt;.",
        "en": "Pick what to remove, or send /untrack &lt;name&gt;.",
    },
    "untrack_pick": {"uk": "Що прибрати?", "en": "What should I stop tracking?"},
    "untrack_gone": {"uk": "Цього вже немає в підписках.", "en": "That was already removed."},
    "not_tracked": {
        "uk": "Цей чат не відстежує «{label}».",
        "en": "This chat does not track “{label}”.",
    },
    "list_empty": {
        "uk": "Цей чат поки нічого не відстежує. /track Курськ",
        "en": "This chat tracks nothing yet. /track Kursk",
    },
    "list_head": {"uk": "<b>Відстежується:</b>", "en": "<b>Tracked:</b>"},
    "list_main": {"uk": "у чаті", "en": "in the chat"},
    "list_topic": {"uk": "у гілці #{id}", "en": "in topic #{id}"},
    "list_digest": {"uk": "🗞 Підсумок щодня о {time}", "en": "🗞 Daily digest at {time}"},
    "list_digest_off": {
        "uk": "🗞 Щоденний підсумок вимкнено (/digest 09:00)",
        "en": "🗞 Daily digest off (/digest 09:00)",
    },
    "list_tz": {"uk": "🕒 Часовий пояс: {tz}", "en": "🕒 Time zone: {tz}"},
    "list_lang": {"uk": "🌐 Мова: українська", "en": "🌐 Language: English"},
    "list_muted": {"uk": "🔕 Тиша до {until}", "en": "🔕 Muted until {until}"},
    "digest_usage": {
        "uk": "Вкажіть час у форматі ГГ:ХХ (наприклад, /digest 09:00) або /digest off.",
        "en": "Give a time as HH:MM (e.g. /digest 09:00), or /digest off.",
    },
    "digest_set": {
        "uk": "🗞 Підсумок щодня о {time} ({tz}).",
        "en": "🗞 Daily digest at {time} ({tz}).",
    },
    "digest_off": {"uk": "🗞 Щоденний підсумок вимкнено.", "en": "🗞 Daily digest is off."},
    "tz_usage": {
        "uk": "Вкажіть часовий пояс або місто, наприклад: {examples}",
        "en": "Give a time zone or a city, e.g. {examples}",
    },
    "tz_unknown": {
        "uk": "Не знаю такого часового поясу. Приклади: {examples}",
        "en": "I don't know that time zone. Examples: {examples}",
    },
    "tz_set": {"uk": "🕒 Часовий пояс: {tz}", "en": "🕒 Time zone set: {tz}"},
    "mute_usage": {
        "uk": "Вкажіть, на скільки: /mute 30m, 2h, 1d (до 30 днів) або /mute off.",
        "en": "Say for how long: /mute 30m, 2h, 1d (up to 30 days), or /mute off.",
    },
    "muted": {
        "uk": "🔕 Тиша до {until} ({tz}). Підсумки приходитимуть.",
        "en": "🔕 Muted until {until} ({tz}). Digests still arrive.",
    },
    "unmuted": {"uk": "🔔 Сповіщення знову увімкнено.", "en": "🔔 Alerts are back on."},
    "lang_usage": {
        "uk": "Оберіть мову: /lang uk або /lang en",
        "en": "Choose a language: /lang uk or /lang en",
    },
    "lang_set": {
        "uk": "🌐 Тепер я пишу тут українською.",
        "en": "🌐 I will write in English here now.",
    },
    "intro_group": {
        "uk": "👋 Я Дозор: стежу за офіційними каналами й повідомляю про згадки місць і слів, "
        "які відстежує ця група. Адміністратори можуть почати з /track Курськ. "
        "Довідка: /help",
        "en": "👋 I'm Dozor: I watch official channels and report mentions of the places and "
        "words this group tracks. Admins can start with /track Kursk. Help: /help",
    },
    "rate_limited": {
        "uk": "Забагато команд поспіль. Зачекайте хвилину, будь ласка.",
        "en": "Too many commands in a row. Please wait a minute.",
    },
    "too_long": {
        "uk": "Задовго: не більше {limit} символів.",
        "en": "Too long: at most {limit} characters.",
    },
    "too_many": {
        "uk": "Забагато підписок: не більше {limit} на чат.",
        "en": "Too many subscriptions: at most {limit} per chat.",
    },
    "admins_only": {
        "uk": "Змінювати підписки й налаштування в групі можуть лише адміністратори.",
        "en": "Only group admins can change subscriptions and settings here.",
    },
    "alert_open": {"uk": "Відкрити допис", "en": "Open the post"},
    "alert_more": {"uk": "далі", "en": "more"},
    "alert_tracked": {"uk": "відстежується", "en": "tracked"},
    "alert_keyword": {"uk": "слова", "en": "keyword"},
    "alert_edited": {"uk": "✏️ Допис змінено", "en": "✏️ The post was edited"},
    "alert_was": {"uk": "Було", "en": "Was"},
    "alert_now": {"uk": "Стало", "en": "Now"},
    "alert_forwarded": {"uk": "переслано з", "en": "forwarded from"},
    "source_state_ok": {"uk": "працює", "en": "ok"},
    "source_state_degraded": {"uk": "збоїть", "en": "degraded"},
    "source_state_dead": {"uk": "не працює", "en": "dead"},
    "source_ok": {
        "uk": "✅ Канал @{channel} знову читається (був: {previous}).",
        "en": "✅ Channel @{channel} is read again (was: {previous}).",
    },
    "source_degraded": {
        "uk": "⚠️ Канал @{channel} збоїть: {failures} невдалих спроб поспіль (був: {previous}).",
        "en": "⚠️ Channel @{channel} is degraded: {failures} failed polls in a row "
        "(was: {previous}).",
    },
    "source_dead": {
        "uk": "🛑 Канал @{channel} не працює: {failures} невдалих спроб поспіль (був: {previous}).",
        "en": "🛑 Channel @{channel} is dead: {failures} failed polls in a row (was: {previous}).",
    },
    "source_last_post": {"uk": "останній допис {when}", "en": "last post {when}"},
    "source_last_error": {"uk": "Остання помилка: {error}", "en": "Last error: {error}"},
    "error_generic": {
        "uk": "Щось пішло не так. Спробуйте ще раз пізніше.",
        "en": "Something went wrong. Please try again later.",
    },
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
