"""Immutable, content-addressed object storage.

Keys are ``<kind>/<hex id>``: ``blob``, ``tree`` and ``commit`` hold git object bodies by
sha1, ``lfs`` holds large-file content by sha256, ``xorb`` holds Xet chunk streams by their
merkle hash (string form). An object is written once and never
changed, which makes it safe to cache anywhere and to share between repositories.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

_KEY_RE = re.compile(r"^(blob|tree|commit)/[0-9a-f]{40}$|^(lfs|xorb)/[0-9a-f]{64}$")


class InvalidKey(ValueError):
    pass


def check_key(key: str) -> str:
    """Refuse anything that is not a well-formed content key before it becomes a path."""
    if not _KEY_RE.match(key):
        raise InvalidKey(f"invalid object key: {key!r}")
    return key


class ObjectStore(Protocol):
    def exists(self, key: str) -> bool: ...
    def size(self, key: str) -> int | None: ...
    def get_bytes(self, key: str) -> bytes: ...
    def read_range(self, key: str, start: int, end: int) -> bytes:
        """Bytes [start, end) of an object."""
        ...

    def put_bytes(self, key: str, data: bytes) -> None: ...
    def put_file(self, key: str, src: Path) -> None:
        """Move ``src`` (a verified temporary file) into the store under ``key``."""
        ...

    def local_path(self, key: str) -> Path | None:
        """A path the server can read the object from directly, or None (remote store)."""
        ...

    def temp_dir(self) -> Path:
        """A scratch folder for in-flight uploads."""
        ...

    def delete(self, key: str) -> None: ...
    def list_keys(self, kind: str) -> Iterator[tuple[str, int, Any]]:
        """(key, size, modification time) of every object of a kind."""
        ...


class LocalObjectStore:
    """Objects as files under ``root/<kind>/<ab>/<rest of id>``, written by atomic rename."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._tmp = self.root / "tmp"
        self._tmp.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        check_key(key)
        kind, oid = key.split("/", 1)
        return self.root / kind / oid[:2] / oid[2:]

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def size(self, key: str) -> int | None:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            return None

    def get_bytes(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise KeyError(key) from None

    def read_range(self, key: str, start: int, end: int) -> bytes:
        with open(self._path(key), "rb") as f:
            return os.pread(f.fileno(), end - start, start)

    def put_bytes(self, key: str, data: bytes) -> None:
        path = self._path(key)
        if path.is_file():
            # Reused content counts as new for garbage collection, which spares young objects.
            os.utime(path)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._tmp / f"put-{secrets.token_hex(8)}"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)

    def put_file(self, key: str, src: Path) -> None:
        path = self._path(key)
        if path.is_file():
            # Same content already stored (content addressing): keep the existing copy.
            Path(src).unlink(missing_ok=True)
            os.utime(path)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(src, path)
        except OSError:
            # different filesystem: copy then rename, never expose a partial object
            tmp = self._tmp / f"put-{secrets.token_hex(8)}"
            shutil.copyfile(src, tmp)
            os.replace(tmp, path)
            Path(src).unlink(missing_ok=True)

    def local_path(self, key: str) -> Path | None:
        return self._path(key)

    def relative_path(self, key: str) -> str:
        """The object's path under the store's root (for a front server's internal location)."""
        check_key(key)
        kind, oid = key.split("/", 1)
        return f"{kind}/{oid[:2]}/{oid[2:]}"

    def temp_dir(self) -> Path:
        return self._tmp

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def list_keys(self, kind: str) -> Iterator[tuple[str, int, float]]:
        """(key, size, modification time) of every object of a kind, for garbage collection."""
        root = self.root / kind
        if not root.is_dir():
            return
        for sub in root.iterdir():
            for f in sub.iterdir():
                st = f.stat()
                yield f"{kind}/{sub.name}{f.name}", st.st_size, st.st_mtime
