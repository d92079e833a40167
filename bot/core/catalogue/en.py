"""In English. Plurals: one (1), other (0, 2, 3…)."""

from __future__ import annotations

LANG = "en"


def plural(n: int) -> int:
    """Index of the form for ``n``: 0 one, 1 other."""
    return 0 if abs(n) == 1 else 1


MESSAGES: dict[str, str | tuple[str, ...]] = {
    # --- Conversation, settings, alerts ---
    "welcome": (
        "👋 This is Dozor. I watch official channels and tell you when they "
        "mention the places or words you track, or when a new statement "
        "contradicts an earlier one.\n"
        "\n"
        "Pick a place below or send: /track Kursk\n"
        "Help: /help"
    ),
    "help": (
        "<b>What to track</b>\n"
        "/track &lt;place&gt; — a town, village, district or region (a region "
        "covers everything in it)\n"
        "/keyword &lt;expression&gt; — words: <code>kursk sudzha</code>, "
        '<code>"kursk region"</code>, <code>kursk OR belgorod</code>, <code>kursk '
        "-training</code>, brackets\n"
        "/untrack — stop tracking\n"
        "/list — what this chat tracks, and its settings\n"
        "\n"
        "<b>Archive</b>\n"
        "/latest [place] — latest posts\n"
        "/search &lt;text&gt; — search\n"
        "/claims &lt;place&gt; — what each side claims\n"
        "/sources — the channels\n"
        "\n"
        "<b>Settings</b>\n"
        "/digest HH:MM | off — daily digest\n"
        "/timezone &lt;zone or city&gt; — time zone\n"
        "/mute 30m | 2h | 1d | off — quiet time\n"
        "/lang uk | en — language\n"
        "\n"
        "In groups only admins change subscriptions and settings; in a forum "
        "topic, alerts go to the topic where /track was sent."
    ),
    "track_usage": "Tell me what to track: /track Kursk",
    "tracked": "✅ Tracking: {label}",
    "tracked_area": "This covers every place inside it.",
    "also_region": "＋ All of {name}",
    "already_tracked": "Already tracking: {label}",
    "homonyms": "There are {total} places called “{query}”. Which one?",
    "unknown_place": "I don't know a place called “{query}”.",
    "did_you_mean": "Did you mean one of these?",
    "or_keyword": "Or track it as a word in posts.",
    "use_keyword": "To look for it as words, use /keyword.",
    "as_keyword": "🔎 As a word: {word}",
    "place_gone": "That place is no longer in the gazetteer. Try /track again.",
    "keyword_usage": 'Send an expression: /keyword kursk sudzha or /keyword "kursk region" -training',
    "keyword_tracked": "✅ Tracking words: <code>{label}</code>",
    "keyword_too_complex": "The expression is too big; simplify it.",
    "too_many_keywords": "Too many keyword expressions: at most {limit} per chat.",
    "untracked": "🗑 Stopped tracking: {label}",
    "untrack_usage": "Pick what to remove, or send /untrack &lt;name&gt;.",
    "untrack_pick": "What should I stop tracking?",
    "untrack_gone": "That was already removed.",
    "not_tracked": "This chat does not track “{label}”.",
    "list_empty": "This chat tracks nothing yet. /track Kursk",
    "list_head": "<b>Tracked:</b>",
    "list_main": "in the chat",
    "list_topic": "in topic #{id}",
    "list_digest": "🗞 Daily digest at {time}",
    "list_digest_off": "🗞 Daily digest off (/digest 09:00)",
    "list_tz": "🕒 Time zone: {tz}",
    "list_lang": "🌐 Language: English",
    "list_muted": "🔕 Muted until {until}",
    "digest_usage": "Give a time as HH:MM (e.g. /digest 09:00), or /digest off.",
    "digest_set": "🗞 Daily digest at {time} ({tz}).",
    "digest_off": "🗞 Daily digest is off.",
    "tz_usage": "Give a time zone or a city, e.g. {examples}",
    "tz_unknown": "I don't know that time zone. Examples: {examples}",
    "tz_set": "🕒 Time zone set: {tz}",
    "mute_usage": "Say for how long: /mute 30m, 2h, 1d (up to 30 days), or /mute off.",
    "muted": "🔕 Muted until {until} ({tz}). Digests still arrive.",
    "unmuted": "🔔 Alerts are back on.",
    "lang_usage": "Choose a language: /lang uk or /lang en",
    "lang_set": "🌐 I will write in English here now.",
    "intro_group": (
        "👋 I'm Dozor: I watch official channels and report mentions of the places "
        "and words this group tracks. Admins can start with /track Kursk. Help: "
        "/help"
    ),
    "rate_limited": "Too many commands in a row. Please wait a minute.",
    "too_long": "Too long: at most {limit} characters.",
    "too_many": "Too many subscriptions: at most {limit} per chat.",
    "admins_only": "Only group admins can change subscriptions and settings here.",
    "alert_open": "Open the post",
    "alert_more": "more",
    "alert_tracked": "tracked",
    "alert_keyword": "keyword",
    "alert_edited": "✏️ The post was edited",
    "alert_was": "Was",
    "alert_now": "Now",
    "alert_forwarded": "forwarded from",
    "error_generic": "Something went wrong. Please try again later.",
    # --- The daily digest ---
    "digest.title": "🗞 <b>Digest · {day}</b>",
    "digest.window": "<i>from {since} to {until}</i>",
    "digest.empty": "Nothing new about what this chat tracks.",
    "digest.contradictions": "⚠️ <b>Contradictions</b>",
    "digest.claims": "🔄 <b>Changes in claims</b>",
    "digest.losses": "📉 <b>Enemy losses over the day</b>",
    "digest.new": "new",
    "digest.earlier": "earlier",
    "digest.was": "was",
    "digest.source": "source",
    "digest.more": "more",
    "digest.echo": "repeated {n}×",
    "digest.chart": "📊 Mentions over the week · {day}",
    "digest.chart_losses": "📊 Enemy losses over the week · {day}",
    # --- Claim kinds, as the digest names them ---
    "kind.control": "control",
    "kind.operation_completed": "operation completed",
    "kind.withdrawal": "withdrawal",
    "kind.fighting": "fighting",
    "kind.attempt": "attempt",
    "kind.denial": "denial",
    # --- Loss counters ---
    "metric.personnel": "personnel",
    "metric.tank": "tanks",
    "metric.APC": "armoured vehicles",
    "metric.field artillery": "artillery systems",
    "metric.MRL": "MLRS",
    "metric.anti-aircraft warfare": "air defence",
    "metric.aircraft": "aircraft",
    "metric.helicopter": "helicopters",
    "metric.drone": "drones",
    "metric.cruise missiles": "cruise missiles",
    "metric.naval ship": "warships / boats",
    "metric.submarines": "submarines",
    "metric.vehicles and fuel tanks": "vehicles and fuel tanks",
    "metric.military auto": "vehicles",
    "metric.fuel tank": "fuel tanks",
    "metric.special equipment": "special equipment",
    "metric.ground robotic systems": "ground robotic systems",
    # --- Archive commands: /search, /latest, /sources, /claims ---
    "archive.search_usage": (
        "What should I look for? For example: <code>/search Kharkiv "
        "shelling</code>\n"
        "In one channel only: <code>/search @kpszsu Kharkiv</code>"
    ),
    "archive.too_long": "Too long: {max} characters at most.",
    "archive.too_many_words": "Too many words: {max} at most.",
    "archive.no_words": "The query has no words to look for.",
    "archive.found": "{total} found · page {page} of {pages}",
    "archive.not_found": "Nothing found for “{query}”.",
    "archive.expired": "This search has expired; run /search again.",
    "archive.post": "post",
    "archive.edited": "edited",
    "archive.latest_place": "🕑 Latest posts about {place}",
    "archive.latest_subs": "🕑 Latest posts about what this chat tracks",
    "archive.latest_none_place": "Nothing about {place} among the latest {scanned} posts.",
    "archive.latest_none_subs": "Nothing this chat tracks has been posted since it started tracking it.",
    "archive.tracks_nothing": "This chat tracks nothing yet. Try <code>/latest Sudzha</code> or /track.",
    "archive.place_usage": "Which place? For example: <code>/{command} Kursk Oblast</code>",
    "archive.unknown_place": "I don't know a place called “{query}”.",
    "archive.did_you_mean": "Did you mean:",
    "archive.sources": "📡 The channels I watch:",
    "archive.sources_none": "I am not watching any channel yet.",
    "archive.stopped": "stopped; archive kept",
    "archive.admins_only": "Only the bot's administrators can do this.",
    "archive.sources_add_usage": "Usage: <code>/sources_add &lt;channel&gt; [UA|RU]</code>",
    "archive.sources_remove_usage": "Usage: <code>/sources_remove &lt;channel&gt;</code>",
    "archive.bad_channel": "“{channel}” is not a channel username.",
    "archive.bad_side": "A side is 2–8 Latin letters such as UA or RU, not “{side}”.",
    "archive.source_added": "✅ Watching @{channel}{side}.",
    "archive.source_removed": "Stopped watching @{channel}; its archive stays.",
    "archive.source_unknown": "I was not watching @{channel}.",
    "archive.claims_title": "⚖️ Claims about {place}",
    "archive.claims_scope": "The latest claim of each side about it and about {areas}.",
    "archive.claims_scope_self": "The latest claim of each side.",
    "archive.claims_none": "No claims about {place} or {areas} yet.",
    "archive.claims_none_self": "No claims about {place} yet.",
    "archive.about": "📍 {place}",
    # --- Claim kinds on the claim board ---
    "board.control": "control: {controller}",
    "board.operation_completed": "operation completed, control: {controller}",
    "board.withdrawal": "withdrawal",
    "board.attempt": "attempt to advance",
    "board.denial": "denies the claim",
    "board.fighting": "fighting goes on",
    # --- Fighting, by polarity, on the claim board ---
    "fighting.holding": "holding positions",
    "fighting.repelled": "attacks repelled",
    "fighting.remnants": "enemy remnants remain",
    # --- The command menu (setMyCommands) ---
    "menu.track": "Track a place",
    "menu.keyword": "Track words: kursk AND sudzha",
    "menu.untrack": "Stop tracking",
    "menu.list": "What this chat tracks, settings",
    "menu.latest": "Latest posts about a place",
    "menu.search": "Search the archive",
    "menu.claims": "Claims about a place",
    "menu.sources": "The watched channels",
    "menu.digest": "Daily digest: HH:MM or off",
    "menu.timezone": "Time zone",
    "menu.mute": "Mute for: 30m, 2h, 1d, off",
    "menu.lang": "Language: uk or en",
    "menu.help": "Help",
    # --- Chart titles ---
    "chart.mentions": "Mentions over the week",
    "chart.losses": "Enemy losses per day: personnel",
    # --- Contradiction alerts ---
    "contradiction.title": "Contradiction",
    "contradiction.figures": "Figures don't add up",
    "contradiction.open": "post",
    # --- Digest: counts and "more" ---
    "digest.posts": ("{n} post", "{n} posts"),
    "digest.and_more": (
        "…and {n} more: <code>{command}</code>",
        "…and {n} more: <code>{command}</code>",
    ),
    "digest.pairs": ("{n} pair of posts", "{n} pairs of posts"),
    "chart.axis_day": "Day (your time zone)",
    "chart.axis_mentions": "Posts per day",
    "chart.axis_losses": "Personnel per day",
    # --- Adding a source ---
    "archive.channel_missing": "There is no public channel @{channel}: check the name (I cannot read private channels).",
    "archive.channel_unchecked": "Could not check @{channel} on t.me; try again in a minute.",
    # --- Homonyms: pages ---
    "homonyms_page": "Showing {first}–{last} of {total}. To narrow it, add the oblast or raion: <code>{query}, Donetsk</code> or <code>{query} Kramatorsk</code>.",
    "homonyms_next": "More ▶",
    "homonyms_prev": "◀ Back",
    # --- Plain text and unknown commands ---
    "offer_place": "📍 {label}\nWhat should I do?",
    "offer_track": "🔔 Track it",
    "offer_latest": "🕑 Latest posts",
    "offer_claims": "⚖️ Claims",
    "offer_words": "I don't know a place called that. What should I do with “{words}”?",
    "offer_words_long": "I don't know a place called that. To follow words use /keyword; to look them up, /search.",
    "offer_keyword": "🔎 Track these words",
    "offer_search": "🗂 Search the archive",
    "unknown_command": "I don't know the command {command}. Here is what I can do:",
    # --- Source health (operations) ---
    "source_state_ok": "ok",
    "source_state_degraded": "degraded",
    "source_state_dead": "dead",
    "source_ok": "✅ Channel @{channel} is read again (was: {previous}).",
    "source_degraded": "⚠️ Channel @{channel} is degraded: {failures} failed polls in a row (was: {previous}).",
    "source_dead": "🛑 Channel @{channel} is dead: {failures} failed polls in a row (was: {previous}).",
    "source_last_post": "last post {when}",
    "source_last_error": "Last error: {error}",
    # --- Alert buttons and long posts ---
    "btn_untrack": "✖ Untrack {name}",
    "btn_claims": "⚖️ Claims",
    "btn_mute": "🔕 Mute for an hour",
    "btn_share": "↗ Share",
    "alert_continued": "<i>The full text follows.</i>",
    "alert_diff_legend": "<s>removed</s>, <u>added</u>",
    "alert_more_changes": ("and {n} more change", "and {n} more changes"),
    "alert_untracked_place": "🗑 Stopped tracking: {label}",
}
