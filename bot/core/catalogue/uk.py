"""Українською. Множина: one (1, 21, 101), few (2–4, 22–24), many (0, 5–20, 11–14, 25…)."""

from __future__ import annotations

LANG = "uk"


def plural(n: int) -> int:
    """Index of the form for ``n``: 0 one, 1 few, 2 many."""
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return 0
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return 1
    return 2


MESSAGES: dict[str, str | tuple[str, ...]] = {
    # --- Conversation, settings, alerts ---
    "welcome": (
        "👋 Це Дозор. Я стежу за офіційними каналами й повідомляю, коли згадують "
        "місця чи слова, які ви відстежуєте, або коли нова заява суперечить "
        "попередній.\n"
        "\n"
        "Оберіть місце нижче або напишіть: /track Курськ\n"
        "Довідка: /help"
    ),
    "help": (
        "<b>Що відстежувати</b>\n"
        "/track &lt;місце&gt; — місто, село, район чи область (область охоплює "
        "все в ній)\n"
        "/keyword &lt;вираз&gt; — слова: <code>Курськ Суджа</code>, "
        '<code>"Курська область"</code>, <code>Курськ OR Бєлгород</code>, '
        "<code>Курськ -навчання</code>, дужки\n"
        "/untrack — припинити\n"
        "/list — що відстежує цей чат і налаштування\n"
        "\n"
        "<b>Архів</b>\n"
        "/latest [місце] — останні дописи\n"
        "/search &lt;текст&gt; — пошук\n"
        "/claims &lt;місце&gt; — заяви сторін\n"
        "/sources — канали\n"
        "\n"
        "<b>Налаштування</b>\n"
        "/digest ГГ:ХХ | off — щоденний підсумок\n"
        "/timezone &lt;пояс або місто&gt; — часовий пояс\n"
        "/mute 30m | 2h | 1d | off — тиша\n"
        "/lang uk | en — мова\n"
        "\n"
        "У групах змінювати підписки й налаштування можуть лише адміністратори; у "
        "гілці форуму сповіщення приходять у гілку, де зроблено /track."
    ),
    "track_usage": "Напишіть, що відстежувати: /track Курськ",
    "tracked": "✅ Відстежую: {label}",
    "tracked_area": "Це охоплює всі населені пункти всередині.",
    "also_region": "＋ Уся {name}",
    "already_tracked": "Уже відстежую: {label}",
    "homonyms": "«{query}» — таких місць {total}. Яке саме?",
    "unknown_place": "Не знаю місця «{query}».",
    "did_you_mean": "Можливо, ви мали на увазі одне з цих:",
    "or_keyword": "Або відстежуйте це як слово в дописах.",
    "use_keyword": "Щоб шукати це як слова, скористайтеся /keyword.",
    "as_keyword": "🔎 Як слово: {word}",
    "place_gone": "Цього місця більше немає в довіднику. Спробуйте /track ще раз.",
    "keyword_usage": 'Напишіть вираз: /keyword Курськ Суджа або /keyword "Курська область" -навчання',
    "keyword_tracked": "✅ Відстежую слова: <code>{label}</code>",
    "keyword_too_complex": "Вираз завеликий, спростіть його.",
    "too_many_keywords": "Забагато виразів: не більше {limit} на чат.",
    "untracked": "🗑 Більше не відстежую: {label}",
    "untrack_usage": "Оберіть, що прибрати, або напишіть /untrack &lt;назва&gt;.",
    "untrack_pick": "Що прибрати?",
    "untrack_gone": "Цього вже немає в підписках.",
    "not_tracked": "Цей чат не відстежує «{label}».",
    "list_empty": "Цей чат поки нічого не відстежує. /track Курськ",
    "list_head": "<b>Відстежується:</b>",
    "list_main": "у чаті",
    "list_topic": "у гілці #{id}",
    "list_digest": "🗞 Підсумок щодня о {time}",
    "list_digest_off": "🗞 Щоденний підсумок вимкнено (/digest 09:00)",
    "list_tz": "🕒 Часовий пояс: {tz}",
    "list_lang": "🌐 Мова: українська",
    "list_muted": "🔕 Тиша до {until}",
    "digest_usage": "Вкажіть час у форматі ГГ:ХХ (наприклад, /digest 09:00) або /digest off.",
    "digest_set": "🗞 Підсумок щодня о {time} ({tz}).",
    "digest_off": "🗞 Щоденний підсумок вимкнено.",
    "tz_usage": "Вкажіть часовий пояс або місто, наприклад: {examples}",
    "tz_unknown": "Не знаю такого часового поясу. Приклади: {examples}",
    "tz_set": "🕒 Часовий пояс: {tz}",
    "mute_usage": "Вкажіть, на скільки: /mute 30m, 2h, 1d (до 30 днів) або /mute off.",
    "muted": "🔕 Тиша до {until} ({tz}). Підсумки приходитимуть.",
    "unmuted": "🔔 Сповіщення знову увімкнено.",
    "lang_usage": "Оберіть мову: /lang uk або /lang en",
    "lang_set": "🌐 Тепер я пишу тут українською.",
    "intro_group": (
        "👋 Я Дозор: стежу за офіційними каналами й повідомляю про згадки місць і "
        "слів, які відстежує ця група. Адміністратори можуть почати з /track "
        "Курськ. Довідка: /help"
    ),
    "rate_limited": "Забагато команд поспіль. Зачекайте хвилину, будь ласка.",
    "too_long": "Задовго: не більше {limit} символів.",
    "too_many": "Забагато підписок: не більше {limit} на чат.",
    "admins_only": "Змінювати підписки й налаштування в групі можуть лише адміністратори.",
    "alert_open": "Відкрити допис",
    "alert_more": "далі",
    "alert_tracked": "відстежується",
    "alert_keyword": "слова",
    "alert_edited": "✏️ Допис змінено",
    "alert_was": "Було",
    "alert_now": "Стало",
    "alert_forwarded": "переслано з",
    "error_generic": "Щось пішло не так. Спробуйте ще раз пізніше.",
    # --- The daily digest ---
    "digest.title": "🗞 <b>Дайджест · {day}</b>",
    "digest.window": "<i>з {since} до {until}</i>",
    "digest.empty": "Нічого нового про те, що відстежує цей чат.",
    "digest.contradictions": "⚠️ <b>Суперечності</b>",
    "digest.claims": "🔄 <b>Зміни в заявах</b>",
    "digest.losses": "📉 <b>Втрати противника за добу</b>",
    "digest.new": "нова",
    "digest.earlier": "попередня",
    "digest.was": "було",
    "digest.source": "джерело",
    "digest.more": "далі",
    "digest.echo": "повторено {n}×",
    "digest.chart": "📊 Згадки за тиждень · {day}",
    "digest.chart_losses": "📊 Втрати противника за тиждень · {day}",
    # --- Claim kinds, as the digest names them ---
    "kind.control": "контроль",
    "kind.operation_completed": "операцію завершено",
    "kind.withdrawal": "відхід",
    "kind.fighting": "бої",
    "kind.attempt": "спроба",
    "kind.denial": "спростування",
    # --- Loss counters ---
    "metric.personnel": "особовий склад",
    "metric.tank": "танки",
    "metric.APC": "ББМ",
    "metric.field artillery": "артсистеми",
    "metric.MRL": "РСЗВ",
    "metric.anti-aircraft warfare": "засоби ППО",
    "metric.aircraft": "літаки",
    "metric.helicopter": "гелікоптери",
    "metric.drone": "БпЛА",
    "metric.cruise missiles": "крилаті ракети",
    "metric.naval ship": "кораблі / катери",
    "metric.submarines": "підводні човни",
    "metric.vehicles and fuel tanks": "автотехніка й автоцистерни",
    "metric.military auto": "автотехніка",
    "metric.fuel tank": "цистерни з ПММ",
    "metric.special equipment": "спецтехніка",
    "metric.ground robotic systems": "НРК",
    # --- Archive commands: /search, /latest, /sources, /claims ---
    "archive.search_usage": (
        "Що шукати? Наприклад: <code>/search Харків обстріл</code>\n"
        "Лише в одному каналі: <code>/search @kpszsu Харків</code>"
    ),
    "archive.too_long": "Задовго: до {max} символів.",
    "archive.too_many_words": "Забагато слів: до {max}.",
    "archive.no_words": "У запиті немає слів, які можна шукати.",
    "archive.found": "Знайдено: {total} · сторінка {page} з {pages}",
    "archive.not_found": "Нічого не знайдено за запитом «{query}».",
    "archive.expired": "Цей пошук застарів, повторіть /search.",
    "archive.post": "допис",
    "archive.edited": "змінено",
    "archive.latest_place": "🕑 Останні дописи: {place}",
    "archive.latest_subs": "🕑 Останні дописи про те, що відстежує цей чат",
    "archive.latest_none_place": "{place}: нічого серед останніх {scanned} дописів.",
    "archive.latest_none_subs": "Відколи чат це відстежує, про це ще нічого не було.",
    "archive.tracks_nothing": "Цей чат ще нічого не відстежує. Спробуйте <code>/latest Суджа</code> або /track.",
    "archive.place_usage": "Яке місце? Наприклад: <code>/{command} Курська область</code>",
    "archive.unknown_place": "Не знаю місця «{query}».",
    "archive.did_you_mean": "Можливо, ви мали на увазі:",
    "archive.sources": "📡 Канали, за якими я стежу:",
    "archive.sources_none": "Я ще не стежу за жодним каналом.",
    "archive.stopped": "припинено; архів зберігається",
    "archive.admins_only": "Це можуть лише адміністратори бота.",
    "archive.sources_add_usage": "Як: <code>/sources_add &lt;канал&gt; [UA|RU]</code>",
    "archive.sources_remove_usage": "Як: <code>/sources_remove &lt;канал&gt;</code>",
    "archive.bad_channel": "«{channel}» — не ім'я каналу.",
    "archive.bad_side": "Сторона — це 2–8 латинських літер, напр. UA або RU, а не «{side}».",
    "archive.source_added": "✅ Стежу за @{channel}{side}.",
    "archive.source_removed": "Більше не стежу за @{channel}; його архів зберігається.",
    "archive.source_unknown": "Я й не стежив за @{channel}.",
    "archive.claims_title": "⚖️ Заяви: {place}",
    "archive.claims_scope": "Остання заява кожної сторони про це місце і про {areas}.",
    "archive.claims_scope_self": "Остання заява кожної сторони.",
    "archive.claims_none": "{place}: заяв ще немає, як і про {areas}.",
    "archive.claims_none_self": "{place}: заяв ще немає.",
    "archive.about": "📍 {place}",
    # --- Claim kinds on the claim board ---
    "board.control": "контроль: {controller}",
    "board.operation_completed": "операцію завершено, контроль: {controller}",
    "board.withdrawal": "відхід",
    "board.attempt": "спроба наступу",
    "board.denial": "заперечує заяву",
    "board.fighting": "бої тривають",
    # --- Fighting, by polarity, on the claim board ---
    "fighting.holding": "утримують позиції",
    "fighting.repelled": "атаки відбито",
    "fighting.remnants": "залишки противника",
    # --- The command menu (setMyCommands) ---
    "menu.track": "Відстежувати місце",
    "menu.keyword": "Відстежувати слова: Курськ AND Суджа",
    "menu.untrack": "Припинити відстеження",
    "menu.list": "Що відстежує цей чат і налаштування",
    "menu.latest": "Останні дописи про місце",
    "menu.search": "Пошук в архіві",
    "menu.claims": "Заяви про місце",
    "menu.sources": "Канали, за якими стежу",
    "menu.digest": "Щоденний підсумок: ГГ:ХХ або off",
    "menu.timezone": "Часовий пояс",
    "menu.mute": "Тиша на час: 30m, 2h, 1d, off",
    "menu.lang": "Мова: uk або en",
    "menu.help": "Довідка",
    # --- Chart titles ---
    "chart.mentions": "Згадки за тиждень",
    "chart.losses": "Втрати противника за добу: особовий склад",
    # --- Contradiction alerts ---
    "contradiction.title": "Суперечність",
    "contradiction.figures": "Цифри не сходяться",
    "contradiction.open": "допис",
    # --- Digest: counts and "more" ---
    "digest.posts": ("{n} допис", "{n} дописи", "{n} дописів"),
    "digest.and_more": (
        "…і ще {n} допис: <code>{command}</code>",
        "…і ще {n} дописи: <code>{command}</code>",
        "…і ще {n} дописів: <code>{command}</code>",
    ),
    "digest.pairs": ("{n} пара дописів", "{n} пари дописів", "{n} пар дописів"),
    "chart.axis_day": "День (за вашим часом)",
    "chart.axis_mentions": "Дописів за день",
    "chart.axis_losses": "Особовий склад за добу",
    # --- Adding a source ---
    "archive.channel_missing": "Каналу @{channel} немає серед публічних: перевірте назву (приватні канали я не читаю).",
    "archive.channel_unchecked": "Не вдалося перевірити @{channel} на t.me; спробуйте ще раз за хвилину.",
    # --- Homonyms: pages ---
    "homonyms_page": "Показано {first}–{last} з {total}. Щоб звузити, додайте область чи район: <code>{query}, Донецька</code> або <code>{query} Краматорський</code>.",
    "homonyms_next": "Ще ▶",
    "homonyms_prev": "◀ Назад",
    # --- Plain text and unknown commands ---
    "offer_place": "📍 {label}\nЩо зробити?",
    "offer_track": "🔔 Відстежувати",
    "offer_latest": "🕑 Останні дописи",
    "offer_claims": "⚖️ Заяви сторін",
    "offer_words": "Такого місця не знаю. Що зробити зі словами «{words}»?",
    "offer_words_long": "Такого місця не знаю. Щоб стежити за словами, скористайтеся /keyword, щоб шукати — /search.",
    "offer_keyword": "🔎 Відстежувати як слова",
    "offer_search": "🗂 Знайти в архіві",
    "unknown_command": "Не знаю команди {command}. Ось що я вмію:",
    # --- Стан каналів (експлуатація) ---
    "source_state_ok": "працює",
    "source_state_degraded": "збоїть",
    "source_state_dead": "не працює",
    "source_ok": "✅ Канал @{channel} знову читається (був: {previous}).",
    "source_degraded": "⚠️ Канал @{channel} збоїть: невдалих спроб поспіль — {failures} (був: {previous}).",
    "source_dead": "🛑 Канал @{channel} не працює: невдалих спроб поспіль — {failures} (був: {previous}).",
    "source_last_post": "останній допис {when}",
    "source_last_error": "Остання помилка: {error}",
    # --- Alert buttons and long posts ---
    "btn_untrack": "✖ Не стежити: {name}",
    "btn_claims": "⚖️ Заяви сторін",
    "btn_mute": "🔕 Тиша на годину",
    "btn_share": "↗ Поділитися",
    "alert_continued": "<i>Повний текст — наступним повідомленням.</i>",
    "alert_diff_legend": "<s>прибрано</s>, <u>додано</u>",
    "alert_more_changes": ("і ще {n} зміна", "і ще {n} зміни", "і ще {n} змін"),
    "alert_untracked_place": "🗑 Більше не відстежую: {label}",
}
