"""Read-ahead for remote files: block-aligned ranged GETs, fetched in parallel while reads are sequential.

fsspec's default ``readahead`` cache fetches one range at a time, in the reader's thread: a
sequential reader waits for every request in turn, and the network sits idle while it consumes
the data. ``PrefetchCache`` splits the file into blocks of ``blocksize`` bytes and keeps a window
of upcoming blocks in flight on a small thread pool. The window starts empty, doubles with each
sequential read (up to ``max_ahead`` bytes) and closes on a seek elsewhere, so random access (a
parquet footer, then a column chunk) costs no more than the blocks it touches. Once the window
is wide, neighbouring blocks are asked for in one request (a *run*, up to ``max_request``
bytes): fewer, larger requests cost the server and the client less per byte.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from fsspec.caching import BaseCache

__all__ = ["PrefetchCache"]

DEFAULT_MAX_AHEAD = 32 * 1024 * 1024
DEFAULT_MAX_REQUEST = 8 * 1024 * 1024
DEFAULT_WORKERS = 2

Buffer = bytes | bytearray


class PrefetchCache(BaseCache):
    """Block cache with adaptive, parallel read-ahead (see the module docstring).

    Args:
        blocksize: size of one block: the unit of random access.
        fetcher: ``fetcher(start, end)`` returns the bytes ``[start, end)`` of the file.
        size: size of the file.
        max_ahead: bytes fetched ahead of the reader at most (memory bound: about ``max_ahead``
            plus the blocks of the current read and two spare blocks).
        max_workers: requests in flight at once.
        max_request: largest range asked for in one request while reading ahead.
    """

    name = "hubkit-prefetch"

    def __init__(
        self,
        blocksize: int,
        fetcher: Callable[[int, int], Buffer],
        size: int,
        max_ahead: int = DEFAULT_MAX_AHEAD,
        max_workers: int = DEFAULT_WORKERS,
        max_request: int = DEFAULT_MAX_REQUEST,
    ) -> None:
        super().__init__(blocksize, fetcher, size)  # type: ignore[arg-type]
        self.nblocks = math.ceil(size / blocksize) if blocksize else 0
        self._max_ahead_blocks = max(1, max_ahead // max(blocksize, 1))
        self._max_run = max(1, max_request // max(blocksize, 1))
        self._max_workers = max(1, max_workers)
        # block -> (the request that brings it, where the block starts in that request's bytes)
        self._blocks: OrderedDict[int, tuple[Future[Buffer], int]] = OrderedDict()
        self._pool: ThreadPoolExecutor | None = None
        self._last_block = -1  # last block of the previous read: -1 makes a read from offset 0 sequential
        self._ahead = 0  # blocks to keep in flight past the current read

    def _fetch(self, start: int | None, stop: int | None) -> bytes:
        start = 0 if start is None else start
        stop = self.size if stop is None else min(stop, self.size)
        if start >= stop:
            return b""
        first, last = start // self.blocksize, (stop - 1) // self.blocksize
        sequential = first in (self._last_block, self._last_block + 1)
        self._ahead = min(self._max_ahead_blocks, max(1, 2 * self._ahead)) if sequential else 0
        self._last_block = last
        upcoming_end = min(last + 1 + self._ahead, self.nblocks)
        needed = range(first, last + 1)
        # One block and no read-ahead: fetch it in this thread, a pool would only add latency.
        inline = first == last and upcoming_end == last + 1
        run = max(1, min(self._max_run, self._ahead // self._max_workers))
        # blocks needed now are all sent at once: in runs, but enough runs to keep every worker busy
        self._request(needed, max(run, min(self._max_run, len(needed) // self._max_workers)), inline=inline, whole=True)
        self._request(range(last + 1, upcoming_end), run, inline=False, whole=upcoming_end == self.nblocks)
        parts = []
        for i in needed:
            future, offset = self._blocks[i]
            try:
                data = future.result()
            except BaseException:
                for j in [j for j, (f, _) in self._blocks.items() if f is future]:
                    del self._blocks[j]  # a failed request must be sent again next time
                raise
            lo = offset + max(start - i * self.blocksize, 0)
            hi = offset + min(stop - i * self.blocksize, self.blocksize)
            parts.append(memoryview(data)[lo:hi])
        self._evict(keep=len(needed) + (upcoming_end - last - 1) + 2)
        return parts[0].tobytes() if len(parts) == 1 else b"".join(parts)

    def _request(self, blocks: range, run: int, *, inline: bool, whole: bool) -> None:
        """Make sure every block is fetched or on its way; missing neighbours share requests of ``run`` blocks.

        Unless ``whole``, a last group shorter than ``run`` waits for the window to grow, so that
        read-ahead keeps sending full-size requests.
        """
        missing: list[int] = []
        for i in blocks:
            if i in self._blocks:
                self.hit_count += 1
                self._blocks.move_to_end(i)
            else:
                self.miss_count += 1
                missing.append(i)
        groups: list[list[int]] = []
        for i in missing:
            if groups and groups[-1][-1] == i - 1 and len(groups[-1]) < run:
                groups[-1].append(i)
            else:
                groups.append([i])
        if groups and not whole and len(groups[-1]) < run:
            groups.pop()
        for group in groups:
            start = group[0] * self.blocksize
            end = min((group[-1] + 1) * self.blocksize, self.size)
            self.total_requested_bytes += end - start
            future = self._submit(start, end, inline)
            for n, i in enumerate(group):
                self._blocks[i] = (future, n * self.blocksize)

    def _submit(self, start: int, end: int, inline: bool) -> Future[Buffer]:
        if not inline:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._max_workers, thread_name_prefix="hubkit-fs-read")
            return self._pool.submit(self.fetcher, start, end)
        future: Future[Buffer] = Future()
        try:
            future.set_result(self.fetcher(start, end))
        except BaseException as err:
            future.set_exception(err)
        return future

    def _evict(self, keep: int) -> None:
        while len(self._blocks) > keep:
            _, (future, _) = self._blocks.popitem(last=False)
            if all(f is not future for f, _ in self._blocks.values()):
                future.cancel()  # no block needs it any more; not sent yet: never sent

    def close(self) -> None:
        """Drop the blocks and stop the pending requests (called when the file closes)."""
        for future, _ in self._blocks.values():
            future.cancel()
        self._blocks.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
