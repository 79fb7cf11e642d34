"""Embedding requests that arrive together go through the model as one batch.

While a batch runs, new requests queue; the next batch takes all of them (up to a limit), so
under load the model sees large batches and an idle hub answers a lone request at once, with
no waiting window to tune. Only requests with the same options share a batch.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

MAX_BATCH_TEXTS = 128


@dataclass
class _Pending:
    texts: list[str]
    options: tuple[Any, ...]
    future: asyncio.Future[Any]


class Batcher:
    """Feeds ``run(texts, options) -> rows`` (awaitable; one row per text) with merged requests."""

    def __init__(
        self, run: Callable[[list[str], tuple[Any, ...]], Awaitable[Any]], max_texts: int = MAX_BATCH_TEXTS
    ) -> None:
        self._run = run
        self._max = max_texts
        self._queue: deque[_Pending] = deque()
        self._task: asyncio.Task[None] | None = None

    async def submit(self, texts: list[str], options: tuple[Any, ...]) -> Any:
        """The rows for ``texts`` (computed with other requests' texts when they came together)."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.append(_Pending(texts, options, future))
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

    async def _drain(self) -> None:
        while self._queue:
            batch = [p for p in self._take() if not p.future.cancelled()]
            if not batch:
                continue
            texts = [t for p in batch for t in p.texts]
            try:
                rows = await self._run(texts, batch[0].options)
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
