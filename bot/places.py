"""The gazetteer and its place matcher as one value the composition root builds and hands out.

Everything that reads places (subscription matching, the services behind /track and
/latest, digest labels, claims) receives a :class:`Places`; none of them fetches a
process-wide singleton. Loading the gazetteer takes seconds, so it waits for the first
place actually read: `dozor sources list` never pays for it.

A post's mentions are computed once, by the ingest that holds the post
(:meth:`Places.reading`), and read by both subscription matching and the claims hook of that
same post — not memoised on a matcher shared with everything else.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from functools import lru_cache

from bot.analysis.claims.analyze import PlaceTools
from bot.analysis.places import Gazetteer, PlaceMatcher, PlaceMention


class PostReading:
    """One post's text and its place mentions, read at most once (on first use: a post the
    ingest already holds is never read at all)."""

    def __init__(self, text: str, matcher: Callable[[], PlaceMatcher]) -> None:
        self.text = text
        self._matcher = matcher
        self._mentions: tuple[PlaceMention, ...] | None = None

    @property
    def mentions(self) -> tuple[PlaceMention, ...]:
        if self._mentions is None:
            self._mentions = tuple(self._matcher().find(self.text)) if self.text else ()
        return self._mentions


# The post the ingest is reading in this task. A context variable, because posts of several
# sources are ingested concurrently in one event loop.
_reading: ContextVar[PostReading | None] = ContextVar("dozor_post_reading", default=None)


class Places:
    def __init__(self, load: Callable[[], Gazetteer]) -> None:
        self._load = load
        self._gazetteer: Gazetteer | None = None
        self._matcher: PlaceMatcher | None = None
        # Loaded once even when a thread (a bot warming up) and the event loop ask together.
        self._lock = threading.Lock()

    @classmethod
    def of(cls, gazetteer: Gazetteer) -> Places:
        """An already loaded gazetteer (tests, tools)."""
        return cls(lambda: gazetteer)

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:
            with self._lock:
                if self._gazetteer is None:
                    self._gazetteer = self._load()
        return self._gazetteer

    @property
    def matcher(self) -> PlaceMatcher:
        if self._matcher is None:
            gazetteer = self.gazetteer
            with self._lock:
                if self._matcher is None:
                    self._matcher = PlaceMatcher(gazetteer)
        return self._matcher

    def load(self) -> None:
        """Load now (a bot about to take commands: the first /track must not stall the event
        loop for seconds); callers run it in a thread."""
        _ = self.matcher

    @contextlib.contextmanager
    def reading(self, text: str) -> Iterator[PostReading]:
        """One post's reading; while the block runs, :meth:`find` on that same text answers
        with its mentions (the claims hook asks so)."""
        reading = PostReading(text, lambda: self.matcher)
        token = _reading.set(reading)
        try:
            yield reading
        finally:
            _reading.reset(token)

    def find(self, text: str) -> Sequence[PlaceMention]:
        """Mentions in ``text``: those of the post being read when it is that post's text,
        else a fresh reading."""
        current = _reading.get()
        if current is not None and current.text == text:
            return list(current.mentions)
        return self.matcher.find(text) if text else []

    def ancestors(self, place_id: str) -> tuple[str, ...]:
        return self.gazetteer.ancestors(place_id)

    def contains(self, outer_id: str, inner_id: str) -> bool:
        return self.gazetteer.contains(outer_id, inner_id)

    def claim_tools(self) -> PlaceTools:
        """What claims need: mentions (those of the post being read), areas, containment."""
        return PlaceTools(find=self.find, ancestors=self.ancestors, contains=self.contains)


@lru_cache(maxsize=1)
def shared_places() -> Places:
    """The default for constructors called without places (tests and benchmarks that build
    their own pieces); the composition root always passes its own."""
    from bot.analysis.places import get_gazetteer

    return Places(get_gazetteer)
