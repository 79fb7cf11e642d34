"""Embedding requests that arrive together go through the model as one batch.

While a batch runs, new requests queue; the next batch takes all of them (up to a limit). Clients
answered together come back a little apart, so when fewer requests wait than the last batch
held, the next batch waits for them: at most half the time the last batch took (bounded by
``max_gather_s``), since waiting longer would cost more than running two batches. A lone client
(batches of one) never waits; when clients go away, one short wait lowers the target. Only
requests with the same options share a batch.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

MAX_BATCH_TEXTS = 128
MAX_GATHER_S = 0.05


@dataclass
class _Pending:
    texts: list[str]
    options: tuple[Any, ...]
    future: asyncio.Future[Any]


class Batcher:
    """Feeds ``run(texts, options) -> rows`` (awaitable; one row per text) with merged requests."""

    def __init__(
        self,
        run: Callable[[list[str], tuple[Any, ...]], Awaitable[Any]],
        max_texts: int = MAX_BATCH_TEXTS,
        max_gather_s: float = MAX_GATHER_S,
    ) -> None:
        self._run = run
        self._max = max_texts
        self._max_gather_s = max_gather_s
        self._last_run_s = 0.0
        self._queue: deque[_Pending] = deque()
        self._task: asyncio.Task[None] | None = None
        self._arrived = asyncio.Event()
        self._last = 1  # requests in the previous batch
        self.batches = 0  # counters, for tests and logs
        self.requests = 0

    async def submit(self, texts: list[str], options: tuple[Any, ...]) -> Any:
        """The rows for ``texts`` (computed with other requests' texts when they came together)."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.append(_Pending(texts, options, future))
        self._arrived.set()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain())
        return await future

    def _take(self) -> list[_Pending]:
        first = self._queue.popleft()
        batch, count, kept = [first], len(first.texts), deque()
        while self._queue:
            item = self._queue.popleft()
            if item.options == first.options and count + len(item.texts) <= self._max:
                batch.append(item)
                count += len(item.texts)
            else:
                kept.append(item)
        self._queue.extendleft(reversed(kept))
        return batch

    async def _gather(self) -> None:
        """Wait (briefly) for as many requests as the last batch held."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(self._max_gather_s, self._last_run_s / 2)
        while len(self._queue) < self._last:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except asyncio.TimeoutError:
                return

    async def _drain(self) -> None:
        while self._queue:
            await self._gather()
            batch = [p for p in self._take() if not p.future.cancelled()]
            self._last = max(1, len(batch))
            self.batches += 1
            self.requests += len(batch)
            if not batch:
                continue
            texts = [t for p in batch for t in p.texts]
            started = asyncio.get_running_loop().time()
            try:
                rows = await self._run(texts, batch[0].options)
                self._last_run_s = asyncio.get_running_loop().time() - started
            except Exception as err:
                for p in batch:
                    if not p.future.done():
                        p.future.set_exception(err)
                continue
            start = 0
            for p in batch:
                if not p.future.done():
                    p.future.set_result(rows[start : start + len(p.texts)])
                start += len(p.texts)
