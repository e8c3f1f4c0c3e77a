"""Public figures each web process may reuse for a few seconds (PUBLIC_FRESHNESS_SECONDS): a
calendar feed's fingerprint, a call's number of published responses and their countries.

They are the same for every visitor and change only when organisers act, while a popular page or
feed asks for them on every request (a count over 100,000 responses costs 45 ms). An edit shows
at most that many seconds later; 0 asks the database every time.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from starlette.requests import Request

T = TypeVar("T")


class Freshness:
    """Values by key, each kept `seconds` after it was loaded; the least recently used go first."""

    def __init__(
        self, seconds: float, size: int = 4096, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.seconds = seconds
        self.size = size
        self.clock = clock
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()

    async def get(self, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        if self.seconds <= 0:
            return await load()
        found = self._entries.get(key)
        if found is not None and self.clock() < found[0]:
            value: T = found[1]
            return value
        value = await load()
        if value is not None:  # "not found" is not kept: anyone can make up more names
            self._entries[key] = (self.clock() + self.seconds, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value


def fresh(request: Request) -> Freshness:
    """This process's store (made by create_app)."""
    store: Freshness = request.app.state.freshness
    return store
