"""A bounded mapping that forgets the least recently used key: the one cache shape we need.

Watchers remember entities, photos and failures per message; the keyword matcher remembers
parsed expressions; the private-chat pacer remembers limiters. Each must stay bounded in a
process that runs for months, and each wants "touch on read, evict the oldest".
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class LRU(Mapping[K, V], Generic[K, V]):
    """``get`` touches a key; ``put`` inserts and evicts the oldest beyond ``size``.

    ``evictable`` may veto evicting the oldest entry (e.g. an album still being assembled);
    eviction then stops for now, and the mapping briefly holds more than ``size`` entries.
    """

    def __init__(self, size: int, evictable: Callable[[V], bool] | None = None) -> None:
        if size < 1:
            raise ValueError("an LRU holds at least one entry")
        self.size = size
        self._evictable = evictable
        self._data: OrderedDict[K, V] = OrderedDict()

    def __getitem__(self, key: K) -> V:
        return self._data[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def get(self, key: K, default: V | None = None) -> V | None:  # type: ignore[override]
        if key not in self._data:
            return default
        self._data.move_to_end(key)
        return self._data[key]

    def put(self, key: K, value: V) -> V:
        self._data[key] = value
        self._data.move_to_end(key)
        while len(self._data) > self.size:
            oldest = next(iter(self._data.values()))
            if self._evictable is not None and not self._evictable(oldest):
                break
            self._data.popitem(last=False)
        return value

    def pop(self, key: K, default: V | None = None) -> V | None:
        return self._data.pop(key, default)
