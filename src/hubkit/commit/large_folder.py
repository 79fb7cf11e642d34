"""``upload_large_folder``: a folder of any size, in many commits, resumable after a kill.

Every file goes through: preupload (how it travels, what is at its path now) → hash (sha256
for LFS files; git sha1 for regular files that exist remotely) → upload (LFS files) →
commit. One thread drives the pipeline from an event queue; hashing, transfers and commits run
on pools. Commits are made one at a time, of an adaptive number of files: bigger while commits
are quick, smaller when they are slow or fail.

What must survive a crash is written to ``.cache/huggingface/upload/`` (``large_state``): a
big file's sha256 once hashed, ``is_uploaded`` once its bytes are on the Hub, and
``is_committed`` once a commit holding it landed. A restarted run skips committed files,
does not re-upload uploaded ones, and asks the Hub again about the rest, so files whose commit
landed just before the kill are recognised as unchanged and not committed twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import queue
import sys
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import filelock

from .._paths import filter_repo_objects
from .content import PathContent
from .engine import send_commit
from .folder import scan_local_files, with_default_ignores
from .hashing import git_blob_sha1, sha256_hex
from .large_state import FileRecord, read_record, upload_state_dir, write_record
from .lfs import BATCH_CHUNK, LfsObject, TransferPool, request_batch
from .operations import validate_path_in_repo
from .payload import CommitItem, InlineFile, LfsFile
from .preupload import PREUPLOAD_CHUNK, fetch_upload_modes
from .target import RepoTarget
from .xet import XetItem, upload_with_xet, xet_enabled_for

__all__ = ["CommitSizer", "upload_large_folder"]

logger = logging.getLogger(__name__)

HASH_STATE_MIN_SIZE = 1024 * 1024  # smaller files are re-hashed after a restart rather than recorded
MAX_INLINE_BYTES = 64 * 1024 * 1024  # regular content per commit (sent base64 in the NDJSON body)
FLUSH_AFTER = 300.0  # commit what is ready at least this often (seconds)
MAX_COMMIT_FAILURES = 5


class CommitSizer:
    """How many files the next commit takes: grows while commits are fast, shrinks on trouble."""

    SIZES = (10, 25, 50, 100, 200, 300, 500, 750, 1000)
    FAST, SLOW = 20.0, 60.0  # seconds

    def __init__(self) -> None:
        self._i = self.SIZES.index(50)

    @property
    def size(self) -> int:
        return self.SIZES[self._i]

    def succeeded(self, seconds: float) -> None:
        if seconds < self.FAST:
            self._i = min(self._i + 1, len(self.SIZES) - 1)
        elif seconds > self.SLOW:
            self._i = max(self._i - 1, 0)

    def failed(self) -> None:
        self._i = max(self._i - 2, 0)


@dataclass(eq=False)
class _File:
    rel: str
    path: str
    record: FileRecord
    content: PathContent
    git_oid: str | None = None  # regular files that exist remotely: to spot unchanged ones

    @property
    def is_lfs(self) -> bool:
        return self.record.upload_mode == "lfs"


@dataclass
class _Stats:
    files: int = 0
    bytes: int = 0
    committed: int = 0
    committed_bytes: int = 0
    ignored: int = 0
    known_mode: int = 0
    hashing: int = 0
    uploading: int = 0
    uploaded_bytes: int = 0
    lfs_bytes: int = 0
    commits: int = 0


def _fmt_size(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.1f}{unit}" if unit != "B" else f"{int(n)}B"
        n /= 1000
    return f"{n:.1f}TB"  # pragma: no cover


class _LargeUpload:
    def __init__(self, target: RepoTarget, folder: Path, files: list[_File], workers: int) -> None:
        self.target, self.folder, self.files, self.workers = target, folder, files, workers
        self.state_dir = upload_state_dir(folder)
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.to_preupload: deque[_File] = deque()
        self.to_upload: deque[_File] = deque()
        self.ready: deque[_File] = deque()
        self.sizer = CommitSizer()
        self.stats = _Stats(files=len(files), bytes=sum(f.record.size for f in files))
        self.committing = False
        self.commit_failures = 0
        self.use_xet: bool | None = None  # decided at the first upload: Xet if both sides can
        self.xet_pool = ThreadPoolExecutor(1, thread_name_prefix="hubkit-xet")  # hf_xet runs its own threads
        self.last_commit = time.monotonic()
        self.started = time.monotonic()

    # --- state changes ---------------------------------------------------------------------

    def _save(self, f: _File) -> None:
        write_record(self.state_dir, f.rel, f.record)

    def _done(self, f: _File, *, ignored: bool = False) -> None:
        if ignored:
            self.stats.ignored += 1
        else:
            self.stats.committed += 1
            self.stats.committed_bytes += f.record.size

    # --- the loop --------------------------------------------------------------------------

    def run(self, report: Callable[[str], None] | None, report_every: float) -> None:
        for f in self.files:
            if f.record.is_committed:
                self._done(f)
            elif f.record.should_ignore:
                self._done(f, ignored=True)
            else:
                self.to_preupload.append(f)
        if report is not None:
            report(self.report())
        next_report = time.monotonic() + report_every
        hashers = ThreadPoolExecutor(self.workers, thread_name_prefix="hubkit-hash")
        committer = ThreadPoolExecutor(1, thread_name_prefix="hubkit-commit")
        try:
            with TransferPool(self.target, self.workers, self._on_bytes) as transfers:
                self.transfers = transfers
                while self._unfinished():
                    self._advance(hashers, committer)
                    try:
                        kind, value = self.events.get(timeout=0.5)
                    except queue.Empty:
                        kind, value = "tick", None
                    while True:
                        self._handle(kind, value)
                        try:
                            kind, value = self.events.get_nowait()
                        except queue.Empty:
                            break
                    if report is not None and time.monotonic() >= next_report:
                        report(self.report())
                        next_report = time.monotonic() + report_every
        finally:
            hashers.shutdown(wait=True, cancel_futures=True)
            self.xet_pool.shutdown(wait=True, cancel_futures=True)
            committer.shutdown(wait=True)
        if report is not None:
            report(self.report())

    def _unfinished(self) -> bool:
        return self.stats.committed + self.stats.ignored < self.stats.files

    def _backlog(self) -> int:
        return self.stats.hashing + len(self.to_upload) + self.stats.uploading + len(self.ready)

    def _advance(self, hashers: ThreadPoolExecutor, committer: ThreadPoolExecutor) -> None:
        # Preupload ahead, but not so far that commits wait for the whole folder to be scanned.
        while self.to_preupload and self._backlog() < 4 * CommitSizer.SIZES[-1]:
            chunk = [self.to_preupload.popleft() for _ in range(min(PREUPLOAD_CHUNK, len(self.to_preupload)))]
            self._preupload(chunk, hashers)
        if self.to_upload and (len(self.to_upload) >= BATCH_CHUNK or self.stats.hashing == 0):
            self._upload([self.to_upload.popleft() for _ in range(min(BATCH_CHUNK, len(self.to_upload)))])
        if not self.committing and self.ready:
            upstream_idle = not self.to_preupload and not self.stats.hashing and not self.to_upload
            upstream_idle = upstream_idle and not self.stats.uploading
            due = time.monotonic() - self.last_commit > FLUSH_AFTER
            if len(self.ready) >= self.sizer.size or upstream_idle or due:
                self._commit(committer)

    def _handle(self, kind: str, value: Any) -> None:
        if kind == "hashed":
            self.stats.hashing -= 1
            self._route(value)
        elif kind == "uploaded":
            f = value
            self.stats.uploading -= 1
            f.record.is_uploaded = True
            self._save(f)
            self.ready.append(f)
        elif kind == "committed":
            files, seconds = value
            self.committing = False
            self.commit_failures = 0
            self.stats.commits += 1
            self.sizer.succeeded(seconds)
            for f in files:
                self._done(f)
            self.last_commit = time.monotonic()
        elif kind == "commit_failed":
            files, err = value
            self.committing = False
            self.commit_failures += 1
            if self.commit_failures >= MAX_COMMIT_FAILURES:
                raise RuntimeError(f"upload_large_folder: {self.commit_failures} commits failed in a row") from err
            logger.warning("Commit of %d files failed (%s): retrying with smaller commits", len(files), err)
            self.sizer.failed()
            self.ready.extendleft(reversed(files))
        elif kind == "error":
            raise value

    # --- stages ----------------------------------------------------------------------------

    def _preupload(self, chunk: list[_File], hashers: ThreadPoolExecutor) -> None:
        # Asked again after a restart: a commit that landed just before a kill shows as unchanged.
        answers = fetch_upload_modes(self.target, [_AsAddition(f) for f in chunk])
        for f in chunk:
            remote = answers[f.rel]
            rec = f.record
            rec.upload_mode, rec.should_ignore = remote.upload_mode, remote.should_ignore
            rec.remote_oid = remote.remote_oid
            self.stats.known_mode += 1
            if rec.should_ignore:
                self._save(f)
                self._done(f, ignored=True)
                continue
            if f.is_lfs:
                self.stats.lfs_bytes += rec.size
            needs_hash = (f.is_lfs and rec.sha256 is None) or (not f.is_lfs and rec.remote_oid is not None)
            if needs_hash:
                self.stats.hashing += 1
                hashers.submit(self._hash, f)
            else:
                self._route(f)

    def _hash(self, f: _File) -> None:
        try:
            if f.is_lfs:
                f.record.sha256 = sha256_hex(f.content)
                if f.record.size >= HASH_STATE_MIN_SIZE:
                    self._save(f)  # a big file is not hashed again after a restart
            else:
                f.git_oid = git_blob_sha1(f.content)
            self.events.put(("hashed", f))
        except BaseException as err:
            self.events.put(("error", err))

    def _route(self, f: _File) -> None:
        rec = f.record
        local = rec.sha256 if f.is_lfs else f.git_oid
        if rec.remote_oid is not None and rec.remote_oid == local:
            rec.is_committed = True  # already there: nothing to send
            self._save(f)
            self._done(f)
        elif f.is_lfs and not rec.is_uploaded:
            self.to_upload.append(f)
        else:
            if f.is_lfs:
                self.stats.uploaded_bytes += rec.size
            self.ready.append(f)

    def _upload(self, chunk: list[_File]) -> None:
        if self.use_xet is None:
            self.use_xet = xet_enabled_for(self.target, [chunk[0].content])
        if self.use_xet:
            self.stats.uploading += len(chunk)
            self.xet_pool.submit(self._upload_xet, chunk)
            return
        objects = [LfsObject(f.record.sha256 or "", f.record.size, f.content, f.rel) for f in chunk]
        answers = request_batch(self.target, objects)
        by_oid: dict[str, list[_File]] = {}
        for f in chunk:
            by_oid.setdefault(f.record.sha256 or "", []).append(f)
        self.stats.uploading += len(chunk)
        for oid, group in by_oid.items():
            obj = next(o for o in objects if o.oid == oid)

            def done(_: LfsObject, group: list[_File] = group) -> None:
                for f in group:
                    self.events.put(("uploaded", f))

            if not answers[oid].get("actions"):
                self.stats.uploaded_bytes += obj.size * len(group)
            else:
                self.stats.uploaded_bytes += obj.size * (len(group) - 1)
            self.transfers.add(obj, answers[oid], done)

    def _upload_xet(self, chunk: list[_File]) -> None:
        try:
            items = [XetItem(None, f.content, f.record.sha256) for f in chunk]
            for f, sha in zip(chunk, upload_with_xet(self.target, items, self._on_bytes), strict=True):
                f.record.sha256 = sha
                self.events.put(("uploaded", f))
        except BaseException as err:
            self.events.put(("error", err))

    def _on_bytes(self, n: int) -> None:
        self.stats.uploaded_bytes += n

    def _commit(self, committer: ThreadPoolExecutor) -> None:
        batch: list[_File] = []
        inline = 0
        while self.ready and len(batch) < self.sizer.size:
            f = self.ready[0]
            if not f.is_lfs and batch and inline + f.record.size > MAX_INLINE_BYTES:
                break
            inline += 0 if f.is_lfs else f.record.size
            batch.append(self.ready.popleft())
        self.committing = True
        committer.submit(self._send, batch)

    def _send(self, batch: list[_File]) -> None:
        start = time.monotonic()
        try:
            items: list[CommitItem] = [
                LfsFile(f.rel, f.record.sha256 or "", f.record.size) if f.is_lfs else InlineFile(f.rel, f.content)
                for f in batch
            ]
            n = self.stats.commits + 1
            message = "Upload folder using hubkit" + (f" (part {n})" if n > 1 else "")
            # Retried: a duplicate of this commit (same content at the same paths) would be harmless.
            send_commit(self.target, items, commit_message=message, commit_description="", retry=True)
        except Exception as err:
            self.events.put(("commit_failed", (batch, err)))
            return
        try:
            for f in batch:
                f.record.is_committed = True
                self._save(f)
        except BaseException as err:
            self.events.put(("error", err))
            return
        self.events.put(("committed", (batch, time.monotonic() - start)))

    # --- report ----------------------------------------------------------------------------

    def report(self) -> str:
        s = self.stats
        elapsed = dt.timedelta(seconds=int(time.monotonic() - self.started))
        now = dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
        return (
            f"---------- {now} ({elapsed}) ----------\n"
            f"Files:   {s.files} ({_fmt_size(s.bytes)}) | upload mode known: {s.known_mode}"
            f" | LFS bytes uploaded: {_fmt_size(s.uploaded_bytes)}/{_fmt_size(s.lfs_bytes)}"
            f" | committed: {s.committed}/{s.files} ({_fmt_size(s.committed_bytes)}) in {s.commits} commit(s)"
            f" | ignored: {s.ignored}\n"
            f"Workers: hashing: {s.hashing} | uploading: {s.uploading} | waiting to upload: {len(self.to_upload)}"
            f" | ready to commit: {len(self.ready)} | committing: {int(self.committing)}"
            f" | next commit size: {self.sizer.size}\n"
        )


class _AsAddition:
    """The view of a folder file that ``fetch_upload_modes`` needs (path, size, first bytes)."""

    def __init__(self, f: _File) -> None:
        self.path_in_repo = f.rel
        self.upload_info = self
        self.size = f.record.size
        self.sample = f.content.read(0, 512)


def _claim_state(state_dir: Path, target: RepoTarget) -> bool:
    """Record which repo the folder's records are about; False if they were about another one.

    huggingface_hub's records do not say which repo they were made for, so uploading one
    folder to a second repo would skip everything; hubkit keeps the target next to them.
    """
    marker = state_dir / ".hubkit-target"
    wanted = f"{target.endpoint} {target.repo_type} {target.repo_id} {target.revision}\n"
    try:
        previous = marker.read_text()
    except FileNotFoundError:
        previous = None
    if previous != wanted:
        marker.write_text(wanted)
    return previous is None or previous == wanted


def upload_large_folder(
    api: Any,
    repo_id: str,
    folder_path: str | Path,
    *,
    repo_type: str,
    revision: str | None = None,
    private: bool | None = None,
    allow_patterns: list[str] | str | None = None,
    ignore_patterns: list[str] | str | None = None,
    num_workers: int | None = None,
    print_report: bool = True,
    print_report_every: int = 60,
) -> None:
    """See ``HfApi.upload_large_folder``."""
    folder = Path(folder_path).expanduser().resolve()
    if not folder.is_dir():
        raise ValueError(f"Provided path: '{folder}' is not a directory")
    workers = num_workers or max((os.cpu_count() or 4) - 2, 2)
    target = api._target(repo_id, repo_type, revision, None)
    create_repo = getattr(api, "create_repo", None)
    if callable(create_repo):
        create_repo(repo_id=repo_id, repo_type=repo_type, private=private, exist_ok=True)
    else:
        target.ensure_repo(private)
    if revision is not None:
        target.ensure_branch(revision)

    state_dir = upload_state_dir(folder)
    # One run per folder at a time: two would fight over the same records.
    with filelock.FileLock(str(state_dir / ".upload_large_folder.lock"), timeout=0):
        local = dict(scan_local_files(folder))
        selected = filter_repo_objects(
            local, allow_patterns=allow_patterns, ignore_patterns=with_default_ignores(ignore_patterns)
        )
        same_target = _claim_state(state_dir, target)
        files = []
        for rel in selected:
            validate_path_in_repo(rel)
            path = local[rel]
            record = read_record(state_dir, rel, path)
            if not same_target:  # records made for another repo: only the hashes still hold
                record = FileRecord(size=record.size, sha256=record.sha256)
            files.append(_File(rel, path, record, PathContent(path, record.size)))
        logger.info("upload_large_folder: %d files to consider in %s", len(files), folder)

        def report(text: str) -> None:
            sys.stdout.write(text)
            sys.stdout.flush()

        _LargeUpload(target, folder, files, workers).run(report if print_report else None, print_report_every)
