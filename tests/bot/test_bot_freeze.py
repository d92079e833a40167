"""One user cannot freeze the bot: 20 of the heaviest commands allowed (unknown 200-character
place names, each a fuzzy search over the gazetteer) do not hold up another user's /help."""

from __future__ import annotations

from bot.analysis.places import get_gazetteer
from bot.analysis.places.gazetteer import SUGGEST_MAX_KEY
from bot.services.archive import MAX_QUERY
from tests.bot_kit import OTHER, USER, Talk, bot

__all__ = ["bot"]

# Starts with the commonest first letter (the most names to score) and names no place.
HEAVY_NAME = ("кпбгжмнлдщ" * 30)[:MAX_QUERY]
HEAVY = [
    f"/{command} {HEAVY_NAME}"
    for _ in range(7)
    for command in ("claims", "latest", "track")  # every command that suggests places
][:20]


def test_suggestions_are_bounded_whatever_the_query_length() -> None:
    gaz = get_gazetteer()
    assert gaz.suggest(HEAVY_NAME) == gaz.suggest(HEAVY_NAME[:SUGGEST_MAX_KEY])
    assert gaz.suggest("") == []
    assert gaz.suggest("\x00" * 5000) == []
    assert "RU-KRS-sudzha" in {p.id for p in gaz.suggest("Sudja" + " " * 4000)}


async def test_another_users_help_is_answered_during_a_flood_of_heavy_commands(
    bot: Talk,
) -> None:
    get_gazetteer().suggest("warm up")  # loading the gazetteer is not what is measured
    for text in HEAVY:
        bot.api.inject_message(USER, text, user_id=USER, language_code="en")
    reply = await bot.say(OTHER, "/help")
    assert "What to track" in reply["text"]
    # /help was answered while the flood was still being worked through, not after it.
    answered_before = len(bot.api.calls_of("sendMessage", USER))
    assert answered_before < len(HEAVY)
    calls = await bot.api.wait_for(
        lambda _: c if len(c := bot.api.calls_of("sendMessage", USER)) >= len(HEAVY) else [],
        timeout=120,
    )
    # Every heavy command still got its proper answer, in the order it was sent.
    texts = [str(c.params["text"]) for c in calls]
    assert all("Something went wrong" not in text for text in texts)
    assert all("know" in text or "Unknown" in text for text in texts), texts[:3]
