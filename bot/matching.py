"""Which chats a stored post concerns: subscriptions evaluated against the post."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.post import Post
from bot.core.textmatch import find_term, fold
from storage.repos import subscriptions as sub_repo

TEXT = "text"


@dataclass(frozen=True, slots=True)
class ChatMatch:
    """One subscription of one chat that a post satisfies, with what matched."""

    chat_id: int
    thread_id: int
    subscription_id: int
    kind: str
    label: str
    spans: tuple[tuple[int, int], ...] = field(default=())


class SubscriptionMatcher:
    """Finds the subscriptions a post matches.

    ``extra`` matchers (places, keyword expressions) plug in here without the ingest path
    knowing about them.
    """

    def __init__(self, extra: Sequence[KindMatcher] = ()) -> None:
        self.extra = tuple(extra)

    async def match(self, session: AsyncSession, post: Post) -> list[ChatMatch]:
        matches: list[ChatMatch] = []
        folded = fold(post.text)
        for sub in await sub_repo.of_kinds(session, [TEXT]):
            spans = find_term(post.text, sub.key, folded=folded)
            if spans:
                matches.append(
                    ChatMatch(sub.chat_id, sub.thread_id, sub.id, sub.kind, sub.label,
                              tuple(spans))
                )
        for extra in self.extra:
            matches.extend(await extra.match(session, post))
        return matches


class KindMatcher:
    """A matcher for one subscription kind (protocol-like base)."""

    async def match(self, session: AsyncSession, post: Post) -> list[ChatMatch]:
        raise NotImplementedError


def group_by_chat(matches: Sequence[ChatMatch]) -> dict[tuple[int, int], list[ChatMatch]]:
    """One delivery per chat: the topic of the first (oldest) subscription wins."""
    by_chat: dict[int, list[ChatMatch]] = {}
    for m in sorted(matches, key=lambda m: m.subscription_id):
        by_chat.setdefault(m.chat_id, []).append(m)
    return {(chat_id, ms[0].thread_id): ms for chat_id, ms in by_chat.items()}
