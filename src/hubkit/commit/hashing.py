"""Content ids of additions: sha256 (the LFS oid) and the git blob sha1 (a regular file's id).

Each file is read once, sequentially, in large blocks into a reused buffer: ``hashlib`` drops
the GIL while it digests a block, so a thread per file hashes several files on several cores,
and one large file is hashed as fast as OpenSSL goes (faster than ``sha256sum`` here).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable

from .content import BytesContent, Content, PathContent

__all__ = ["HASH_BLOCK", "git_blob_sha1", "sha256_hex"]

HASH_BLOCK = 8 * 1024 * 1024

Progress = Callable[[int], None]


def _feed(h: hashlib._Hash, content: Content, on_bytes: Progress | None) -> None:
    if isinstance(content, BytesContent):
        h.update(content.read_all())
        if on_bytes:
            on_bytes(content.size)
        return
    if isinstance(content, PathContent):
        _feed_path(h, content, on_bytes)
        return
    for block in content.blocks(block=HASH_BLOCK):
        h.update(block)
        if on_bytes:
            on_bytes(len(block))


def _feed_path(h: hashlib._Hash, content: PathContent, on_bytes: Progress | None) -> None:
    buf = bytearray(min(HASH_BLOCK, max(content.size, 1)))
    view = memoryview(buf)
    left = content.size
    with open(content.path, "rb", buffering=0) as f:
        if hasattr(os, "posix_fadvise"):
            os.posix_fadvise(f.fileno(), 0, 0, os.POSIX_FADV_SEQUENTIAL)
        while left > 0:
            n = f.readinto(view[: min(len(buf), left)])  # type: ignore[attr-defined]
            if not n:
                done = content.size - left
                raise OSError(f"{content.path} shrank while being hashed ({done} of {content.size} bytes)")
            h.update(view[:n])
            left -= n
            if on_bytes:
                on_bytes(n)


def sha256_hex(content: Content, on_bytes: Progress | None = None) -> str:
    """The sha256 of the whole content, lower-case hex; ``on_bytes(n)`` is called as bytes are read."""
    h = hashlib.sha256()
    _feed(h, content, on_bytes)
    return h.hexdigest()


def git_blob_sha1(content: Content) -> str:
    """The id git gives this content as a blob: sha1 of ``b"blob <size>\\0" + content``."""
    h = hashlib.sha1(b"blob %d\x00" % content.size)
    _feed(h, content, None)
    return h.hexdigest()
