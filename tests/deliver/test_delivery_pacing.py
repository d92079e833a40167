"""The pacer's windows on a hand-moved clock: no sleeping, exact figures."""

from __future__ import annotations

import asyncio

import pytest

from bot.deliver.pacing import Limits, Pacer, SlidingWindow


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_window_counts_a_send_until_a_period_after_its_answer() -> None:
    window = SlidingWindow(2, 1.0)
    a, b = window.book(1), window.book(1)
    assert window.delay(100.0) == float("inf")  # both in flight: depends on their answers
    a[0].at = 100.2
    assert window.delay(100.5) == pytest.approx(0.7)  # a's answer + 1 s
    b[0].at = 100.3
    assert window.delay(101.25) == 0.0


def test_album_costs_one_per_item_and_a_big_one_waits_for_an_empty_window() -> None:
    window = SlidingWindow(3, 1.0)
    for slot in window.book(2):
        slot.at = 10.0
    assert window.delay(10.5, cost=2) == 0.5
    assert window.delay(10.5, cost=1) == 0.0
    assert window.delay(11.0, cost=10) == 0.0  # larger than the window: goes alone


async def test_private_group_and_global_limits() -> None:
    clock = Clock()
    pacer = Pacer(
        Limits(global_per_s=3, private_per_s=1, group_per_min=2, group_per_s=100), clock=clock
    )
    (await pacer.acquire(1, True)).done()
    assert pacer.chat_delay(1, True) == 1.0  # one a second in a private chat
    assert pacer.chat_delay(2, True) == 0.0  # another chat is free
    for _ in range(2):
        (await pacer.acquire(-5, False)).done()
    assert pacer.chat_delay(-5, False) == 60.0  # twenty a minute, here two
    assert pacer._global.delay(clock.now) == 1.0  # three a second overall, all used
    clock.now += 1.0
    assert pacer.chat_delay(1, True) == 0.0
    assert pacer.chat_delay(-5, False) == pytest.approx(59.0)


async def test_a_group_gets_at_most_one_message_a_second_within_its_minute() -> None:
    clock = Clock()
    pacer = Pacer(Limits(), clock=clock)
    (await pacer.acquire(-5, False)).done()
    assert pacer.chat_delay(-5, False) == 1.0
    clock.now += 1.0
    assert pacer.chat_delay(-5, False) == 0.0


async def test_retry_after_blocks_one_chat_unless_many_are_refused() -> None:
    clock = Clock()
    pacer = Pacer(Limits(), clock=clock)
    pacer.block(1, 5)
    assert pacer.chat_delay(1, True) == 5.0
    assert pacer.chat_delay(2, True) == 0.0
    pacer.block(2, 5)
    pacer.block(3, 5)  # three chats refused within a second: it was the global limit
    assert pacer.chat_delay(4, True) == 5.0


async def test_waiters_for_the_global_budget_are_served_by_priority() -> None:
    pacer = Pacer(Limits(global_per_s=1, private_per_s=100))
    first = await pacer.acquire(1, True)
    order: list[int] = []

    async def one(chat: int, priority: int) -> None:
        (await pacer.acquire(chat, True, priority=priority)).done()
        order.append(priority)

    tasks = [asyncio.create_task(one(10 + p, p)) for p in (2, 1, 0)]
    await asyncio.sleep(0.05)
    first.done()
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=6)
    # The first waiter to arrive holds the turn; the rest go by priority.
    assert order == [2, 0, 1]
