"""Moving one file's bytes from a URL to a verified temporary file: resumable, parallel, checked.

``fetch(transfer)`` returns the path of a complete temporary file whose size and content hash
match what the Hub announced; the caller then renames it into place. Along the way:

* The data goes to a file name no other process uses (``{base}.{8hex}.incomplete``), so
  concurrent downloads of one blob never write into the same file, with or without locks.
* An interrupted download leaves its bytes in ``{base}.resumable.incomplete`` (the name carries
  the ETag). The next download claims it with an atomic rename (only one process can win) and
  asks for the rest with ``Range``, validated by ``If-Range`` on the Hub's own origin and by the
  ``Content-Range`` it gets back; anything else restarts from zero.
* Big files are fetched as parallel ranged GETs written with ``pwrite`` into a preallocated
  file; a hashing thread follows the contiguous written prefix, so the digest is ready almost
  as soon as the last byte lands.
* The result is checked against the ETag: sha256 for LFS files (64 hex), git blob sha1 for
  regular files (40 hex). A mismatch discards the data and downloads once more from scratch.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from . import _http, constants
from ._progress import Progress

__all__ = ["Transfer", "fetch"]

logger = logging.getLogger(__name__)

# Transient failures of a body in flight: the transfer resumes where it stopped.
STREAM_ERRORS: tuple[type[Exception], ...] = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
STREAM_RETRIES = 5  # attempts in a row without receiving a byte, before giving up
RETRY_PAUSE = 1.0
HASH_BLOCK = 8 * 1024 * 1024
NOTIFY_STEP = 4 * 1024 * 1024
READ_CHUNK = 1024 * 1024
_CONTENT_RANGE_RE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)", re.IGNORECASE)


class ConsistencyError(OSError):
    """The bytes received do not have the announced size or hash."""


class _RangeRefused(Exception):
    """The server answered a ranged request with something else than the exact slice."""


@dataclass
class Transfer:
    """One file to fetch. ``incomplete_base`` is ``.../{etag}.incomplete`` (temporary names derive from it)."""

    url: str
    headers: dict[str, str]
    etag: str
    expected_size: int | None
    incomplete_base: Path
    displayed_filename: str
    tqdm_class: Any = None
    use_if_range: bool = True  # only where the server's ETag is the content id (the Hub itself)
    check_etag_header: bool = False  # metadata came from a listing: make sure the server agrees
    resume: bool = True
    progress: Progress | None = field(default=None, repr=False)

    @property
    def parked_path(self) -> Path:
        return self.incomplete_base.with_name(f"{self.incomplete_base.stem}.resumable.incomplete")

    def new_temp_path(self) -> Path:
        return self.incomplete_base.with_name(f"{self.incomplete_base.stem}.{os.urandom(4).hex()}.incomplete")


# --- digests -------------------------------------------------------------------------------


class _Digest:
    """The content id an ETag promises: sha256 (LFS) or git's blob sha1 (needs the size first)."""

    def __init__(self, etag: str, size: int | None) -> None:
        self.expected = etag
        self.kind = (
            "sha256"
            if constants.REGEX_SHA256.fullmatch(etag)
            else "git-sha1"
            if constants.REGEX_COMMIT_HASH.fullmatch(etag)
            else None
        )
        self._h: Any = None
        self.reset(size)

    def reset(self, size: int | None) -> None:
        self._h = None
        if self.kind == "sha256":
            self._h = hashlib.sha256()
        elif self.kind == "git-sha1" and size is not None:
            self._h = hashlib.sha1(b"blob %d\x00" % size)

    @property
    def inline(self) -> bool:
        return self._h is not None

    def update(self, data: bytes | memoryview) -> None:
        if self._h is not None:
            self._h.update(data)

    def check(self, path: Path, size: int) -> None:
        if self.kind is None:
            return  # an ETag that is not a content id: size is all we can check
        if self._h is None:  # git sha1 with a size learnt only at the end
            self.reset(size)
            _hash_file_range(path, self, 0, size)
        got = self._h.hexdigest()
        if got != self.expected:
            raise ConsistencyError(f"Consistency check failed: expected {self.kind} {self.expected}, got {got}.")


def check_content(path: Path, etag: str, size: int) -> None:
    """Raise ``ConsistencyError`` unless the file at ``path`` is the content ``etag`` names
    (sha256 for LFS files, git's blob sha1 otherwise), for files written by someone else."""
    digest = _Digest(etag, size)
    _hash_file_range(path, digest, 0, size)
    digest.check(path, size)


def _hash_file_range(path: Path, digest: _Digest, start: int, end: int) -> None:
    with open(path, "rb", buffering=0) as f:
        f.seek(start)
        pos = start
        while pos < end:
            block = f.read(min(HASH_BLOCK, end - pos))
            if not block:
                raise ConsistencyError(f"File {path} is shorter than expected while hashing.")
            digest.update(block)
            pos += len(block)


def _pwrite(fd: int, data: bytes, offset: int) -> None:
    view = memoryview(data)
    while view:
        if hasattr(os, "pwrite"):
            n = os.pwrite(fd, view, offset)
        else:  # Windows: no pwrite (and so no parallel ranges: one writer per descriptor)
            os.lseek(fd, offset, os.SEEK_SET)
            n = os.write(fd, view)
        view = view[n:]
        offset += n


# --- claiming, parking ---------------------------------------------------------------------


def _open_temp(t: Transfer, force_fresh: bool) -> tuple[Path, int, int]:
    """A private temporary file, seeded with a parked partial download when one can be claimed."""
    tmp = t.new_temp_path()
    if t.resume and not force_fresh:
        with contextlib.suppress(FileNotFoundError):
            os.rename(t.parked_path, tmp)  # atomic: if two processes race, exactly one gets it
            fd = os.open(tmp, os.O_RDWR | getattr(os, "O_BINARY", 0))
            have = os.fstat(fd).st_size
            if t.expected_size is not None and have > t.expected_size:
                os.ftruncate(fd, 0)
                have = 0
            logger.info("Resuming %s from byte %d", t.displayed_filename, have)
            return tmp, fd, have
    # 0o666 lets the umask decide, which is the mode any new file in this folder gets
    fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    return tmp, fd, 0


def _park(t: Transfer, tmp: Path, fd: int, keep: int) -> None:
    """Keep the first ``keep`` bytes for a later resume; drop them if nothing useful is left."""
    try:
        if keep <= 0 or not t.resume:
            return
        os.ftruncate(fd, keep)
        os.close(fd)
        fd = -1
        try:
            if os.path.getsize(t.parked_path) >= keep:
                return  # someone parked more than we have
        except OSError:
            pass
        os.replace(tmp, t.parked_path)
        logger.info("Kept %d bytes of %s to resume later", keep, t.displayed_filename)
    except OSError as err:
        logger.debug("could not keep the partial download %s: %s", tmp, err)
    finally:
        if fd >= 0:
            with contextlib.suppress(OSError):
                os.close(fd)


# --- requests ------------------------------------------------------------------------------


def _range_headers(t: Transfer, start: int, end: int | None) -> dict[str, str]:
    headers = dict(t.headers)
    headers["Range"] = f"bytes={start}-{'' if end is None else end - 1}"
    headers["Accept-Encoding"] = "identity"  # ranges address the stored bytes, never an encoding
    if t.use_if_range:
        headers["If-Range"] = f'"{t.etag}"'
    return headers


def _check_partial(response: httpx.Response, start: int, end: int | None, size: int | None) -> int | None:
    """Validate a 206 against the range asked for; return the total size it announces."""
    if response.status_code != 206:
        raise _RangeRefused(f"status {response.status_code}")
    m = _CONTENT_RANGE_RE.fullmatch(response.headers.get("content-range", "").strip())
    if not m or int(m.group(1)) != start:
        raise _RangeRefused(f"Content-Range {response.headers.get('content-range')!r} for start {start}")
    total = None if m.group(3) == "*" else int(m.group(3))
    if size is not None and total is not None and total != size:
        raise _RangeRefused(f"total {total} instead of {size}")
    if end is not None and int(m.group(2)) != end - 1:
        raise _RangeRefused(f"Content-Range {response.headers.get('content-range')!r} for end {end}")
    return total


def _normalized_etag(response: httpx.Response) -> str | None:
    raw = response.headers.get(constants.HUGGINGFACE_HEADER_X_LINKED_ETAG) or response.headers.get("etag")
    return None if raw is None else raw.lstrip("W/").strip('"')


class EtagMismatch(OSError):
    """The server now describes the file with another ETag than the one we were told to expect."""


@contextlib.contextmanager
def _open(t: Transfer, headers: dict[str, str]) -> Iterator[httpx.Response]:
    """A streamed GET, error-checked. 408/429 are retried here; network errors by the callers."""
    with _http.http_stream_backoff(
        "GET",
        t.url,
        headers=headers,
        timeout=constants.HF_HUB_DOWNLOAD_TIMEOUT,
        retry_on_exceptions=(),
        retry_on_status_codes=(408, 429),
    ) as response:
        _http.raise_for_status(response)
        # Checked only when no redirect left the origin: a CDN has ETags of its own.
        if t.check_etag_header and _http.same_origin(str(response.url), t.url):
            got = _normalized_etag(response)
            if got is not None and got != t.etag:
                raise EtagMismatch(f"{t.displayed_filename}: server ETag {got!r}, expected {t.etag!r}")
        yield response


def _size_from(response: httpx.Response) -> int | None:
    if response.headers.get("content-encoding", "identity").lower() != "identity":
        return None
    m = _CONTENT_RANGE_RE.fullmatch(response.headers.get("content-range", "").strip())
    if m and m.group(3) != "*":
        return int(m.group(3))
    length = response.headers.get("content-length", "")
    return int(length) if length.isdigit() else None


def _raw_chunks(response: httpx.Response) -> Iterator[bytes]:
    """The body as stored bytes, streamed; a response already read in memory is sliced instead."""
    if response.is_stream_consumed:  # e.g. built by a custom transport with its content preloaded
        content = response.content
        for i in range(0, len(content), READ_CHUNK):
            yield content[i : i + READ_CHUNK]
    else:
        # No re-chunking: what arrived is written at once, so a broken connection loses nothing.
        yield from response.iter_raw()


# --- one stream ----------------------------------------------------------------------------


class _Sequential:
    """Fetch from ``offset`` to the end on one connection, resuming after transient errors."""

    def __init__(self, t: Transfer, path: Path, fd: int, offset: int, digest: _Digest, progress: Progress) -> None:
        self.t, self.path, self.fd, self.offset = t, path, fd, offset
        self.digest, self.progress = digest, progress
        self.size = t.expected_size
        self.resumable = True  # False while the body is content-encoded (offsets are not the file's)

    def restart(self) -> None:
        self.progress.update(-self.offset)
        self.offset = 0
        os.ftruncate(self.fd, 0)
        self.digest.reset(self.size)

    def run(self, first: httpx.Response | None = None) -> None:
        """Fetch everything that is missing; ``first`` is an already open full-body (200) answer."""
        failures, last_failure_at = 0, -1
        while True:
            try:
                if first is not None:
                    response, first = first, None
                    self._consume(response)
                else:
                    self._attempt()
                return
            except STREAM_ERRORS as err:
                # give up after STREAM_RETRIES failures in a row with no byte received in between
                failures = failures + 1 if self.offset == last_failure_at else 1
                last_failure_at = self.offset
                if failures > STREAM_RETRIES:
                    raise
                logger.warning("%s while downloading %s: resuming", type(err).__name__, self.t.displayed_filename)
                if not self.resumable:
                    self.restart()
                time.sleep(RETRY_PAUSE)

    def _attempt(self) -> None:
        start = self.offset
        if self.size is not None and start >= self.size:
            return
        headers = _range_headers(self.t, start, None) if start else dict(self.t.headers)
        with _open(self.t, headers) as response:
            if start:
                try:
                    total = _check_partial(response, start, None, self.size)
                    self.size = self.size if self.size is not None else total
                except _RangeRefused as why:
                    logger.info("Cannot resume %s (%s): starting over", self.t.displayed_filename, why)
                    self.restart()
                    if response.status_code != 200:
                        raise httpx.RemoteProtocolError(f"unusable ranged answer ({why})") from None
            self._consume(response)

    def _consume(self, response: httpx.Response) -> None:
        if self.size is None:
            self.size = _size_from(response)
            if self.size is not None and self.offset == 0:
                self.digest.reset(self.size)
        encoded = response.headers.get("content-encoding", "identity").lower() != "identity"
        self.resumable = not encoded
        chunks = response.iter_bytes() if encoded else _raw_chunks(response)
        for chunk in chunks:
            if self.size is not None and self.offset + len(chunk) > self.size:
                raise ConsistencyError(f"Received more than the {self.size} bytes announced for {self.path.name}.")
            _pwrite(self.fd, chunk, self.offset)
            self.digest.update(chunk)
            self.offset += len(chunk)
            self.progress.update(len(chunk))
        self.resumable = True
        if self.size is not None and self.offset < self.size:
            # the body ended early without a transport error: same as a broken connection
            raise httpx.RemoteProtocolError(f"Body ended at byte {self.offset} of {self.size}")


# --- parallel ranges -----------------------------------------------------------------------


class _Cancelled(Exception):
    """Another range failed: stop this one."""


class _Parallel:
    """Fetch ``[start, size)`` as fixed-size ranges on a few connections, hashing in order.

    Each range records how far it has written (``filled``); the hashing thread trails the
    lowest unfinished range, so the digest is ready soon after the last byte is written.
    """

    def __init__(self, t: Transfer, path: Path, fd: int, start: int, digest: _Digest, progress: Progress) -> None:
        assert t.expected_size is not None
        self.t, self.path, self.fd, self.start = t, path, fd, start
        self.digest, self.progress = digest, progress
        self.size: int = t.expected_size
        step = constants.HUBKIT_PARALLEL_CHUNK
        self.ranges = [(a, min(a + step, self.size)) for a in range(start, self.size, step)]
        self.step = step
        self.filled = {a: a for a, _ in self.ranges}  # range start -> end of its written prefix
        self.ends = dict(self.ranges)
        self.cond = threading.Condition()
        self.error: BaseException | None = None

    def frontier(self) -> int:
        """End of the contiguous written prefix of the file (what a later resume can keep)."""
        with self.cond:
            pos = self.start
            while pos in self.filled and self.filled[pos] == self.ends[pos]:
                pos = self.ends[pos]
            return self.filled.get(pos, pos)

    def _written_from(self, pos: int) -> int:
        """How far the data is written, continuously, from ``pos`` (under ``cond``)."""
        a = self.start + (pos - self.start) // self.step * self.step
        return self.filled[a]

    def _fail(self, err: BaseException) -> None:
        with self.cond:
            if self.error is None:
                self.error = err
            self.cond.notify_all()

    def _hash_in_order(self) -> None:
        try:
            with open(self.path, "rb", buffering=0) as f:
                pos = self.start
                while pos < self.size:
                    with self.cond:
                        while self.error is None and self._written_from(pos) <= pos:
                            self.cond.wait()
                        if self.error is not None:
                            return
                        end = self._written_from(pos)
                    f.seek(pos)
                    while pos < end:  # read back from the page cache, outside the lock
                        block = f.read(min(HASH_BLOCK, end - pos))
                        if not block:
                            raise ConsistencyError(f"{self.path} is shorter than what was written")
                        self.digest.update(block)
                        pos += len(block)
        except BaseException as err:
            self._fail(err)

    def _fetch_range(self, a: int, b: int, first: httpx.Response | None = None) -> None:
        if self.error is not None:
            return
        try:
            pos, failures = a, 0
            while pos < b:
                try:
                    if first is not None:
                        response, first = first, None
                        pos = self._consume(response, a, pos, b)
                    else:
                        with _open(self.t, _range_headers(self.t, pos, b)) as response:
                            _check_partial(response, pos, b, self.size)
                            pos = self._consume(response, a, pos, b)
                except STREAM_ERRORS as err:
                    failures += 1
                    if failures > STREAM_RETRIES:
                        raise
                    logger.warning("%s on bytes %d-%d of %s: resuming", type(err).__name__, pos, b - 1, self.path.name)
                    time.sleep(RETRY_PAUSE)
                else:
                    failures = 0
        except _Cancelled:
            pass
        except BaseException as err:
            self._fail(err)

    def _consume(self, response: httpx.Response, a: int, pos: int, b: int) -> int:
        told = pos
        for chunk in _raw_chunks(response):
            if self.error is not None:
                raise _Cancelled
            if pos + len(chunk) > b:
                raise ConsistencyError(f"Received more than bytes {pos}-{b - 1} of {self.path.name}")
            _pwrite(self.fd, chunk, pos)
            pos += len(chunk)
            self.filled[a] = pos  # grows only; read under the lock by the hasher and frontier()
            self.progress.update(len(chunk))
            if pos - told >= NOTIFY_STEP or pos == b:  # wake the hasher every few MiB, not per piece
                told = pos
                with self.cond:
                    self.cond.notify_all()
        if pos < b:
            raise httpx.RemoteProtocolError(f"Range ended at byte {pos} instead of {b}")
        return pos

    def run(self, first: httpx.Response) -> None:
        """Fetch all ranges; ``first`` is the open, validated 206 answer for the first one."""
        _preallocate(self.fd, self.size)
        hasher = threading.Thread(target=self._hash_in_order, name="hubkit-hash", daemon=True)
        hasher.start()
        workers = max(1, min(constants.HUBKIT_PARALLEL_WORKERS, len(self.ranges) - 1))
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hubkit-range")
        try:
            futures = [pool.submit(self._fetch_range, a, b) for a, b in self.ranges[1:]]
            self._fetch_range(*self.ranges[0], first=first)
            for future in futures:
                future.result()  # _fetch_range never raises: failures are in self.error
        except BaseException as err:  # KeyboardInterrupt in the main thread: stop the others
            self._fail(err)
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=self.error is not None)
            hasher.join()
        if self.error is not None:
            raise self.error


def _preallocate(fd: int, size: int) -> None:
    try:
        os.posix_fallocate(fd, 0, size)  # reserve the space now: no ENOSPC halfway, less fragmentation
    except (AttributeError, OSError):
        os.ftruncate(fd, size)


# --- entry point ---------------------------------------------------------------------------


def fetch(t: Transfer) -> Path:
    """Download ``t`` into a private temporary file and return it, complete and verified.

    On failure the trustworthy part of the data is kept for a later resume and the error
    propagates. The caller owns the returned file (it renames or deletes it).
    """
    try:
        return _fetch_once(t, force_fresh=False)
    except ConsistencyError as err:
        if t.check_etag_header:
            raise  # the metadata came from a listing: let the caller ask the Hub instead
        logger.warning("%s Downloading %s again from scratch.", err, t.displayed_filename)
        return _fetch_once(t, force_fresh=True)


def _fetch_once(t: Transfer, *, force_fresh: bool) -> Path:
    tmp, fd, have = _open_temp(t, force_fresh)
    digest = _Digest(t.etag, t.expected_size)
    progress = t.progress or Progress.for_file(t.tqdm_class, t.displayed_filename, t.expected_size, have)
    keep, ok = have, False
    try:
        if have and digest.inline:
            _hash_file_range(tmp, digest, 0, have)
        size = _run(t, tmp, fd, have, digest, progress)
        if t.expected_size is not None and size != t.expected_size:
            raise ConsistencyError(
                f"Consistency check failed: file should be of size {t.expected_size} but has size {size}"
                f" ({t.displayed_filename})."
            )
        digest.check(tmp, size)
        ok = True
        return tmp
    except ConsistencyError:
        keep = 0  # never resume from data that failed a check
        raise
    except BaseException as err:
        keep = getattr(err, "_hubkit_keep", keep)
        raise
    finally:
        if t.progress is None:
            progress.close()
        if ok:
            os.close(fd)
        else:
            _park(t, tmp, fd, keep)
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _run(t: Transfer, tmp: Path, fd: int, have: int, digest: _Digest, progress: Progress) -> int:
    """Fetch from byte ``have`` to the end and return the final size.

    An exception leaving here carries ``_hubkit_keep``: how many leading bytes are trustworthy.
    """
    size = t.expected_size
    if size is not None and have >= size:
        return have
    if size is None or size - have <= constants.HUBKIT_PARALLEL_THRESHOLD or not hasattr(os, "pwrite"):
        return _run_sequential(t, tmp, fd, have, digest, progress)
    first_end = min(have + constants.HUBKIT_PARALLEL_CHUNK, size)
    failures = 0
    while True:
        try:
            return _run_parallel(t, tmp, fd, have, first_end, digest, progress)
        except STREAM_ERRORS as err:
            if hasattr(err, "_hubkit_keep"):
                raise  # raised after the transfer's own retries
            failures += 1  # the first request could not even be opened
            if failures > STREAM_RETRIES:
                raise
            logger.warning("%s while starting %s: retrying", type(err).__name__, t.displayed_filename)
            time.sleep(RETRY_PAUSE)


def _run_parallel(
    t: Transfer, tmp: Path, fd: int, have: int, first_end: int, digest: _Digest, progress: Progress
) -> int:
    size = t.expected_size
    assert size is not None
    with _open(t, _range_headers(t, have, first_end)) as response:
        try:
            _check_partial(response, have, first_end, size)
        except _RangeRefused as why:
            # No usable ranges here (or the object changed): a 200 is the whole file, take it.
            logger.info("No parallel download for %s (%s)", t.displayed_filename, why)
            if response.status_code == 200:
                return _run_sequential(t, tmp, fd, have, digest, progress, first=response)
            raise ConsistencyError(f"Unusable answer to a ranged request for {t.displayed_filename}: {why}") from None
        par = _Parallel(t, tmp, fd, have, digest, progress)
        try:
            par.run(first=response)
        except BaseException as err:
            err._hubkit_keep = par.frontier()  # type: ignore[attr-defined]
            raise
    return size


def _run_sequential(
    t: Transfer,
    tmp: Path,
    fd: int,
    have: int,
    digest: _Digest,
    progress: Progress,
    first: httpx.Response | None = None,
) -> int:
    seq = _Sequential(t, tmp, fd, have, digest, progress)
    if first is not None and have:
        seq.restart()  # a full body replaces whatever prefix we had
    try:
        seq.run(first=first)
    except BaseException as err:
        err._hubkit_keep = seq.offset if seq.resumable else 0  # type: ignore[attr-defined]
        raise
    return seq.offset
