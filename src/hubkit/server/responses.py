"""Serving file content with single-range support, from memory or from a local file.

The ETag is the content id (git blob sha1, or sha256 for LFS), never a stat-derived value:
clients name their cache blobs after it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from .errors import RangeNotSatisfiable

_RANGE_RE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.I)
CHUNK = 4 * 1024 * 1024


def parse_range(header: str | None, size: int, etag: str, if_range: str | None) -> tuple[int, int] | None:
    """The (start, end-exclusive) of a satisfiable single range, or None to send everything.

    Several ranges, or an ``If-Range`` that does not match the ETag, are answered with the
    whole content (allowed by RFC 9110); an unsatisfiable range raises RangeNotSatisfiable.
    """
    if not header:
        return None
    if if_range is not None and if_range.strip() != f'"{etag}"':
        return None
    m = _RANGE_RE.match(header)
    if not m:
        return None  # multi-range or malformed: ignore the header
    first, last = m.group(1), m.group(2)
    if first == "" and last == "":
        return None
    if first == "":  # suffix: the last N bytes
        n = int(last)
        if n == 0:
            raise _unsatisfiable(size)
        return max(0, size - n), size
    start = int(first)
    end = min(int(last) + 1, size) if last != "" else size
    if start >= size or (last != "" and int(last) < start):
        raise _unsatisfiable(size)
    return start, end


def _unsatisfiable(size: int) -> RangeNotSatisfiable:
    return RangeNotSatisfiable(
        f"Requested range not satisfiable (size {size})", headers={"Content-Range": f"bytes */{size}"}
    )


class ContentResponse(Response):
    """200 or 206 with the requested slice of ``data`` or of the file at ``path``."""

    def __init__(
        self,
        *,
        size: int,
        headers: dict[str, str],
        byte_range: tuple[int, int] | None,
        head: bool,
        data: bytes | None = None,
        path: Path | None = None,
    ) -> None:
        start, end = byte_range if byte_range else (0, size)
        # Built as raw bytes directly (no Response.__init__): this is the download hot path, and
        # starlette's header normalisation is a measurable share of a HEAD.
        raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        raw += [(b"accept-ranges", b"bytes"), (b"content-length", str(end - start).encode())]
        if byte_range:
            raw.append((b"content-range", f"bytes {start}-{end - 1}/{size}".encode()))
        self.status_code = 206 if byte_range else 200
        self.raw_headers = raw
        self.background = None
        self.body = b""
        self._data = data
        self._path = path
        self._start, self._end = start, end
        self._head = head

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        if self._head or self._start == self._end:
            await send({"type": "http.response.body", "body": b""})
            return
        if self._data is not None:
            await send({"type": "http.response.body", "body": self._data[self._start : self._end]})
            return
        assert self._path is not None
        fd = os.open(self._path, os.O_RDONLY)
        try:
            pos = self._start
            while pos < self._end:
                n = min(CHUNK, self._end - pos)
                chunk = await run_in_threadpool(os.pread, fd, n, pos)
                if not chunk:
                    break
                pos += len(chunk)
                await send({"type": "http.response.body", "body": chunk, "more_body": pos < self._end})
            if pos < self._end:  # file shorter than announced: end the stream
                await send({"type": "http.response.body", "body": b""})
        finally:
            os.close(fd)


class StreamResponse(ContentResponse):
    """Like ContentResponse, with the body produced by a (blocking) iterator of byte blocks,
    each pulled off the event loop: used to reconstruct Xet files on the fly."""

    def __init__(
        self,
        *,
        size: int,
        headers: dict[str, str],
        byte_range: tuple[int, int] | None,
        chunks: Iterator[bytes] | None,
    ) -> None:
        super().__init__(size=size, headers=headers, byte_range=byte_range, head=chunks is None)
        self._chunks = chunks

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._chunks is None:
            await super().__call__(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        done = object()
        while True:
            block = await run_in_threadpool(next, self._chunks, done)
            if block is done:
                break
            await send({"type": "http.response.body", "body": block, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
