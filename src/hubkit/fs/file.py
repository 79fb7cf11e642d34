"""Files of ``HfFileSystem``: ranged reads with read-ahead, and writes committed on close.

Reading, a file is a series of ranged GETs on its resolve URL (``PrefetchCache`` decides which).
The first answer names the commit it was served from (``X-Repo-Commit``): later ranges ask for
that commit, so a file read while someone pushes to its branch is still one version of the file.
Every answer's ETag (the content id) is checked against the listing the file was opened from, so
stale sizes never produce a silently mixed or truncated read.

Writing, the bytes go to a local temporary file; closing the file makes one commit (or hands the
file to the filesystem's transaction, which commits all its files together).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

import httpx
from fsspec.spec import AbstractBufferedFile

from .. import _http, _transfer, constants
from ..commit.operations import CommitOperationAdd
from ..download import hf_hub_url
from ..errors import HfHubHTTPError
from ._errors import raise_file_not_found
from .paths import HfFileSystemResolvedPath
from .prefetch import PrefetchCache

if TYPE_CHECKING:
    from .filesystem import HfFileSystem

__all__ = ["HfFileSystemFile", "HfFileSystemStreamFile"]

RANGE_RETRIES = 3  # a range whose transfer breaks is asked again, up to this many times


class StaleFileError(OSError):
    """The file changed on the Hub since it was listed: its cached size and content id are outdated."""


def _content_id(details: dict[str, Any]) -> str | None:
    """What the Hub's ETag is for this file: sha256 for LFS files, the git blob id otherwise."""
    lfs = details.get("lfs")
    if lfs:
        return str(lfs["sha256"] if "sha256" in lfs else lfs.get("oid"))
    blob_id = details.get("blob_id")
    return str(blob_id) if blob_id else None


def _header(response: httpx.Response, name: str) -> str | None:
    """A header of the response, or of the redirect that led to it (a CDN does not name commits)."""
    for r in (response, *reversed(response.history)):
        if name in r.headers:
            return r.headers[name]
    return None


class _Remote:
    """How one open file reaches its bytes: URL (pinned to a commit once known), headers, checks."""

    def __init__(self, fs: HfFileSystem, resolved: HfFileSystemResolvedPath, details: dict[str, Any] | None) -> None:
        self.fs = fs
        self.resolved = resolved
        self.expected_etag = _content_id(details) if details else None
        self.commit: str | None = None

    def url(self) -> str:
        r = self.resolved
        revision = self.commit or r.revision
        return hf_hub_url(
            r.repo_id, r.path_in_repo, repo_type=r.repo_type, revision=revision, endpoint=self.fs.endpoint
        )

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {**self.fs._api._build_hf_headers(), **(extra or {})}

    def check(self, response: httpx.Response) -> None:
        """Pin the commit, and refuse content that is not the listed file."""
        if self.commit is None:
            commit = _header(response, constants.HUGGINGFACE_HEADER_X_REPO_COMMIT)
            if commit and constants.REGEX_COMMIT_HASH.fullmatch(commit):
                self.commit = commit
        etag = _header(response, constants.HUGGINGFACE_HEADER_X_LINKED_ETAG) or _header(response, "etag")
        etag = etag.removeprefix("W/").strip('"') if etag else None
        if self.expected_etag and etag and etag != self.expected_etag and _is_content_id(etag):
            raise StaleFileError(
                f"{self.resolved.unresolve()} changed on the Hub since it was listed (content {etag}, expected"
                f" {self.expected_etag}): call invalidate_cache() and open it again."
            )

    def raise_for_status(self, response: httpx.Response) -> None:
        try:
            _http.raise_for_status(response)
        except HfHubHTTPError as err:
            if response.status_code == 404:
                raise_file_not_found(self.resolved.unresolve(), err)
            raise


def _is_content_id(etag: str) -> bool:
    return bool(constants.REGEX_SHA256.fullmatch(etag) or constants.REGEX_COMMIT_HASH.fullmatch(etag))


class HfFileSystemFile(AbstractBufferedFile):
    """A file of a Hub repo opened through ``HfFileSystem.open`` (modes ``rb``, ``wb``, ``xb``).

    Reads are ranged GETs with read-ahead (``cache_type`` other than the default selects one of
    fsspec's caches instead). Writes go to a local temporary file, committed when the file is
    closed: ``commit_message`` and ``commit_description`` given to ``open`` name that commit.
    Leaving a ``with`` block on an exception discards the written data instead of committing it.
    """

    def __init__(self, fs: HfFileSystem, path: str, revision: str | None = None, **kwargs: Any) -> None:
        mode = kwargs.get("mode", "rb")
        try:
            self.resolved_path = fs.resolve_path(path, revision=revision)
        except FileNotFoundError as err:
            if "w" in mode or "x" in mode:
                raise FileNotFoundError(
                    f"{err}.\nMake sure the repository and revision exist before writing data."
                ) from err
            raise
        name = self.resolved_path.unresolve()
        if "a" in mode:
            raise NotImplementedError("Appending to remote files is not supported (a commit replaces whole files).")
        self._temp_path: str | None = None
        details: dict[str, Any] | None = None
        if mode == "rb":
            details = fs.info(name, revision=revision)
            if details["type"] != "file":
                raise IsADirectoryError(f"{name} is a directory")
            kwargs["size"] = details["size"]
            self._details = details
        else:
            if mode == "xb" and fs.exists(name, revision=revision):
                raise FileExistsError(name)
            fs._check_write_access(self.resolved_path)
        self._remote = _Remote(fs, self.resolved_path, details)
        cache_type = kwargs.pop("cache_type", None)
        cache_options = kwargs.pop("cache_options", None) or {}
        ours = mode == "rb" and cache_type in (None, "default", PrefetchCache.name)
        super().__init__(
            fs, name, cache_type="none" if ours else cache_type or "readahead",
            cache_options=None if ours else cache_options, **kwargs,
        )  # fmt: skip
        self.fs: HfFileSystem
        if ours:
            options = {"max_workers": fs.read_workers, **cache_options}
            self.cache = PrefetchCache(self.blocksize, self._fetch_buffer, self.size, **options)

    # --- reading ---------------------------------------------------------------------------------

    def _fetch_range(self, start: int, end: int) -> bytes:
        """The bytes ``[start, end)`` of the file (what fsspec's caches ask for)."""
        return bytes(self._fetch_buffer(start, end))

    def _fetch_buffer(self, start: int, end: int) -> bytearray:
        """The bytes ``[start, end)``, received straight into one buffer; a broken transfer is sent again."""
        end = min(end, self.size)
        if start >= end:
            return bytearray()
        for attempt in range(RANGE_RETRIES + 1):
            try:
                return self._get_range(start, end)
            except _transfer.STREAM_ERRORS:
                if attempt == RANGE_RETRIES:
                    raise
                time.sleep(_transfer.RETRY_PAUSE)
        raise AssertionError("unreachable")

    def _get_range(self, start: int, end: int) -> bytearray:
        headers = self._remote.headers({"range": f"bytes={start}-{end - 1}", "accept-encoding": "identity"})
        url = self._remote.url()
        with _http.http_stream_backoff("GET", url, headers=headers, timeout=constants.HF_HUB_DOWNLOAD_TIMEOUT) as r:
            if r.status_code == 416:
                return bytearray()
            self._remote.raise_for_status(r)
            self._remote.check(r)
            if r.status_code == 200:  # the range was ignored: the body is the whole file
                return bytearray(r.read()[start:end])
            buffer = bytearray(end - start)
            view, received = memoryview(buffer), 0
            for chunk in r.iter_bytes():
                if received + len(chunk) > len(buffer):
                    break
                view[received : received + len(chunk)] = chunk
                received += len(chunk)
            else:
                if received == len(buffer):
                    return buffer
        raise StaleFileError(
            f"{self.path}: asked for bytes {start}-{end - 1} of {self.size}, got another amount"
            " (the file may have changed: call invalidate_cache() and open it again)."
        )

    def url(self) -> str:
        """The resolve URL of the file (at the commit being read, once known)."""
        return self._remote.url()

    # --- writing ---------------------------------------------------------------------------------

    def _initiate_upload(self) -> None:
        fd, self._temp_path = tempfile.mkstemp(prefix="hubkit-fs-", suffix=".part")
        os.close(fd)

    def _upload_chunk(self, final: bool = False) -> bool:
        assert self._temp_path is not None
        self.buffer.seek(0)
        with open(self._temp_path, "ab") as f:
            while chunk := self.buffer.read(8 * 1024 * 1024):
                f.write(chunk)
        if final and self.autocommit:
            self.commit()
        return True

    def commit(self) -> None:
        """Commit the written file (at close, or when the transaction that holds it ends)."""
        if self._temp_path is None:  # nothing was ever flushed: an empty file
            self._initiate_upload()
        temp_path, self._temp_path = self._temp_path, None
        assert temp_path is not None
        operation = CommitOperationAdd(path_in_repo=self.resolved_path.path_in_repo, path_or_fileobj=temp_path)
        self.fs._commit(
            self.resolved_path,
            [operation],
            commit_message=self.kwargs.get("commit_message"),
            commit_description=self.kwargs.get("commit_description"),
            cleanup=lambda: _remove(temp_path),
        )

    def discard(self) -> None:
        """Forget the written data (transaction rolled back, or an exception in a ``with`` block)."""
        if self._temp_path is not None:
            _remove(self._temp_path)
            self._temp_path = None

    def __exit__(self, exc_type: Any, *args: Any) -> None:
        if exc_type is not None and self.mode != "rb" and not self.closed:
            # A half-written file must not become a commit: drop it instead of closing normally.
            self.discard()
            self.closed = True
            return
        self.close()

    def __del__(self) -> None:
        if not hasattr(self, "resolved_path"):
            return  # the constructor failed: nothing to close
        super().__del__()


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.remove(path)


class HfFileSystemStreamFile(AbstractBufferedFile):
    """A file read as one streamed GET, for ``open(path, block_size=0)``: no seeking, no ranges.

    The cheapest way to read a file once from start to end. A connection that breaks mid-way is
    reopened once from the current position (``Range: bytes={pos}-``).
    """

    def __init__(
        self, fs: HfFileSystem, path: str, mode: str = "rb", revision: str | None = None, block_size: int = 0,
        cache_type: str = "none", **kwargs: Any,
    ) -> None:  # fmt: skip
        if block_size != 0:
            raise ValueError(f"HfFileSystemStreamFile only supports block_size=0 but got {block_size}")
        if cache_type != "none":
            raise ValueError(f"HfFileSystemStreamFile only supports cache_type='none' but got {cache_type}")
        if "w" in mode:
            raise ValueError(f"HfFileSystemStreamFile only supports reading but got mode='{mode}'")
        self.resolved_path = fs.resolve_path(path, revision=revision)
        self.details = {"name": self.resolved_path.unresolve(), "size": None}  # known once the GET answers
        super().__init__(
            fs, self.resolved_path.unresolve(), mode=mode, block_size=block_size, cache_type=cache_type, **kwargs
        )
        self.fs: HfFileSystem
        self._remote = _Remote(fs, self.resolved_path, None)
        self._exit_stack = ExitStack()
        self._chunks: Iterator[bytes] | None = None
        self._buffer = bytearray()
        self._eof = False

    def seek(self, loc: int, whence: int = 0) -> int:
        if (loc == 0 and whence == 1) or (loc == self.loc and whence == 0):
            return self.loc
        raise ValueError("Cannot seek a streamed file: open it with a block_size > 0 for random access")

    def read(self, length: int = -1) -> bytes:
        """Read ``length`` bytes (all that is left when negative) from the stream."""
        if self.closed:
            raise ValueError("I/O operation on closed file.")
        for attempt in range(2):
            try:
                out = self._read(length)
                self.loc += len(out)
                return out
            except (httpx.TransportError, httpx.StreamError):
                self._close_stream()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def _read(self, length: int) -> bytes:
        if self._chunks is None and not self._eof:
            self._open_stream()
        while (length < 0 or len(self._buffer) < length) and self._chunks is not None:
            chunk = next(self._chunks, None)
            if chunk is None:
                self._close_stream()
                self._eof = True
                break
            self._buffer += chunk
        size = len(self._buffer) if length < 0 else min(length, len(self._buffer))
        out = bytes(self._buffer[:size])
        del self._buffer[:size]
        return out

    def _open_stream(self) -> None:
        position = self.loc + len(self._buffer)
        headers = self._remote.headers({"range": f"bytes={position}-"} if position else None)
        response = self._exit_stack.enter_context(
            _http.http_stream_backoff(
                "GET", self._remote.url(), headers=headers, timeout=constants.HF_HUB_DOWNLOAD_TIMEOUT
            )
        )
        if response.status_code == 416:  # asked past the end: nothing left to read
            self._eof = True
            return
        self._remote.raise_for_status(response)
        self._remote.check(response)
        if position and response.status_code == 200:
            raise OSError(f"{self.path}: the server ignored the range when resuming the stream")
        if self.size is None:
            total = response.headers.get("content-range", "").rpartition("/")[2]
            length = response.headers.get("content-length")
            self.size = int(total) if total.isdigit() else (int(length) if length and length.isdigit() else None)
        self._chunks = response.iter_bytes()

    def _close_stream(self) -> None:
        self._chunks = None
        self._exit_stack.close()
        self._exit_stack = ExitStack()

    def close(self) -> None:
        """Close the file and its connection."""
        if not self.closed:
            self._close_stream()
        super().close()

    def url(self) -> str:
        """The resolve URL of the file."""
        return self._remote.url()

    def __del__(self) -> None:
        if not hasattr(self, "resolved_path"):
            return
        super().__del__()
