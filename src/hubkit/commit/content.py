"""Read access to the bytes of one addition, whatever the caller handed us.

An addition's content is a local file, a ``bytes`` buffer or a seekable binary file object.
Hashing, sampling and every transfer read it through a ``Content``, which offers random-access
reads of ``[start, end)`` so that several threads can read different parts at once: a file is
read with ``os.pread`` on a descriptor per call (no shared offset), a buffer is sliced, and a
file object, which has a single offset, is read under a lock and left where it was found.
"""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Iterator
from typing import BinaryIO

__all__ = ["READ_BLOCK", "BytesContent", "Content", "FileobjContent", "PathContent", "content_of"]

# Reads of a few MiB keep per-call overhead negligible while staying cache-friendly.
READ_BLOCK = 4 * 1024 * 1024


class Content:
    """Random-access, read-only view of an addition's bytes (the whole content is ``[0, size)``)."""

    size: int

    def read(self, start: int, length: int) -> bytes:
        raise NotImplementedError

    def blocks(self, start: int = 0, end: int | None = None, block: int = READ_BLOCK) -> Iterator[bytes]:
        """The bytes of ``[start, end)`` in blocks of at most ``block`` bytes."""
        end = self.size if end is None else end
        pos = start
        while pos < end:
            data = self.read(pos, min(block, end - pos))
            if not data:
                raise OSError(f"Content shrank while being read ({pos} of {end} bytes)")
            pos += len(data)
            yield data

    def read_all(self) -> bytes:
        return b"".join(self.blocks())


class PathContent(Content):
    """A local file. Its size is taken once: later growth is not read (the commit is a snapshot)."""

    def __init__(self, path: str, size: int | None = None) -> None:
        self.path = path
        self.size = os.path.getsize(path) if size is None else size

    def read(self, start: int, length: int) -> bytes:
        fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        try:
            return _pread_all(fd, start, min(length, self.size - start))
        finally:
            os.close(fd)

    def blocks(self, start: int = 0, end: int | None = None, block: int = READ_BLOCK) -> Iterator[bytes]:
        # One descriptor for the whole walk, told that reading is sequential (bigger read-ahead).
        end = self.size if end is None else end
        fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        try:
            if hasattr(os, "posix_fadvise"):
                os.posix_fadvise(fd, start, end - start, os.POSIX_FADV_SEQUENTIAL)
            pos = start
            while pos < end:
                data = _pread_all(fd, pos, min(block, end - pos))
                if not data:
                    raise OSError(f"{self.path} shrank while being read ({pos} of {end} bytes)")
                pos += len(data)
                yield data
        finally:
            os.close(fd)


def _pread_all(fd: int, start: int, length: int) -> bytes:
    if length <= 0:
        return b""
    if not hasattr(os, "pread"):  # Windows: no pread, but the descriptor is private to this call
        os.lseek(fd, start, os.SEEK_SET)
        return os.read(fd, length)
    data = os.pread(fd, length, start)
    if len(data) == length or not data:
        return data
    parts = [data]  # short read (a signal, a network filesystem): finish it
    got = len(data)
    while got < length:
        more = os.pread(fd, length - got, start + got)
        if not more:
            break
        parts.append(more)
        got += len(more)
    return b"".join(parts)


class BytesContent(Content):
    def __init__(self, data: bytes) -> None:
        self._data = data
        self.size = len(data)

    def read(self, start: int, length: int) -> bytes:
        return self._data[start : start + length]

    def read_all(self) -> bytes:
        return self._data


class FileobjContent(Content):
    """A seekable binary file object; its content runs from offset 0 to its end."""

    def __init__(self, fileobj: BinaryIO) -> None:
        self._f = fileobj
        self._lock = threading.Lock()
        with self._lock:
            here = fileobj.tell()
            self.size = fileobj.seek(0, io.SEEK_END)
            fileobj.seek(here, io.SEEK_SET)

    def read(self, start: int, length: int) -> bytes:
        with self._lock:
            here = self._f.tell()
            try:
                self._f.seek(start, io.SEEK_SET)
                return self._f.read(max(0, min(length, self.size - start)))
            finally:
                self._f.seek(here, io.SEEK_SET)


def content_of(source: str | bytes | BinaryIO) -> Content:
    """The ``Content`` for a normalised ``path_or_fileobj`` (a path string, bytes or a file object)."""
    if isinstance(source, str):
        return PathContent(source)
    if isinstance(source, bytes):
        return BytesContent(source)
    return FileobjContent(source)
