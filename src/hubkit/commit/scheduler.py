"""``CommitScheduler``: commit a local folder to the Hub in the background, every few minutes.

A daemon thread triggers a push every ``every`` minutes (and once more at exit). A push lists
the folder, keeps the files whose modification time changed since they were last pushed, and
commits them. Files are read up to the size they had when listed (``PartialFileIO``), so a
log being appended to is uploaded consistently. Pushes run through ``HfApi.run_as_future``,
hence one at a time and in order.
"""

from __future__ import annotations

import atexit
import io
import logging
import os
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._paths import filter_repo_objects
from .folder import list_local_files, with_default_ignores
from .info import CommitInfo
from .operations import CommitOperationAdd

if TYPE_CHECKING:
    from ..api import HfApi

__all__ = ["CommitScheduler", "PartialFileIO"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _FileToUpload:
    local_path: Path
    path_in_repo: str
    size_limit: int
    last_modified: float


class CommitScheduler:
    """Push ``folder_path`` to ``repo_id`` every ``every`` minutes, in the background.

    Use it as a context manager (a last push happens on exit), or call ``stop()``. Take
    ``scheduler.lock`` while writing to the folder to make sure a push does not list it
    half-written.

    Args:
        repo_id: the repo to commit to (created if missing).
        folder_path: the local folder (created if missing).
        every: minutes between pushes (default 5).
        path_in_repo: the folder in the repo to push into (default: the root).
        repo_type, revision, private, token: where to push and how the repo is created.
        allow_patterns, ignore_patterns: which files to push, as for ``upload_folder``.
        squash_history: squash the branch's history into one commit after each push.
        hf_api: the ``HfApi`` to use (default: ``HfApi(token=token)``).
    """

    def __init__(
        self,
        *,
        repo_id: str,
        folder_path: str | Path,
        every: int | float = 5,
        path_in_repo: str | None = None,
        repo_type: str | None = None,
        revision: str | None = None,
        private: bool | None = None,
        token: str | None = None,
        allow_patterns: list[str] | str | None = None,
        ignore_patterns: list[str] | str | None = None,
        squash_history: bool = False,
        hf_api: HfApi | None = None,
    ) -> None:
        if hf_api is None:
            from ..api import HfApi

            hf_api = HfApi(token=token)
        self.api = hf_api
        self.folder_path = Path(folder_path).expanduser().resolve()
        self.path_in_repo = path_in_repo or ""
        self.allow_patterns = allow_patterns
        self.ignore_patterns = with_default_ignores(ignore_patterns)
        if self.folder_path.is_file():
            raise ValueError(f"'folder_path' must be a directory, not a file: '{self.folder_path}'.")
        self.folder_path.mkdir(parents=True, exist_ok=True)
        if not every > 0:
            raise ValueError(f"'every' must be a positive number, not '{every}'.")

        create_repo = getattr(self.api, "create_repo", None)
        if callable(create_repo):
            repo_url = create_repo(repo_id=repo_id, private=private, repo_type=repo_type, exist_ok=True)
            self.repo_id = repo_url.repo_id
        else:
            self.api._target(repo_id, repo_type, revision, token).ensure_repo(private)
            self.repo_id = repo_id
        self.repo_type = repo_type
        self.revision = revision
        self.token = token
        self.every = every
        self.squash_history = squash_history

        self.last_uploaded: dict[Path, float] = {}
        self.last_future: Future[Any] | None = None
        self.lock = threading.Lock()
        self._stopped = threading.Event()
        logger.info("Scheduled job to push '%s' to '%s' every %s minutes.", self.folder_path, self.repo_id, every)
        self._thread = threading.Thread(target=self._run_scheduler, daemon=True, name="hubkit-scheduler")
        self._thread.start()
        atexit.register(self._push_to_hub)

    def stop(self) -> None:
        """Stop the scheduler (no more pushes, not even at exit). It cannot be restarted."""
        self._stopped.set()

    def __enter__(self) -> CommitScheduler:
        return self

    def __exit__(self, *exc: object) -> None:
        self.trigger().result()  # the last changes go up before leaving the block
        self.stop()

    def _run_scheduler(self) -> None:
        while not self._stopped.is_set():
            self.last_future = self.trigger()
            if self._stopped.wait(self.every * 60):
                break

    def trigger(self) -> Future[Any]:
        """Queue a push now, without waiting for the next tick; returns its ``Future``."""
        return self.api.run_as_future(self._push_to_hub)

    def _push_to_hub(self) -> CommitInfo | None:
        if self._stopped.is_set():
            return None
        logger.info("(Background) scheduled commit triggered.")
        try:
            value = self.push_to_hub()
            if self.squash_history and value is not None:
                logger.info("(Background) squashing repo history.")
                self.api.super_squash_history(repo_id=self.repo_id, repo_type=self.repo_type, branch=self.revision)
            return value
        except Exception as err:
            logger.error("Error while pushing to Hub: %s", err)  # a background thread would drop it otherwise
            raise

    def push_to_hub(self) -> CommitInfo | None:
        """Commit the files changed since the last push (``None`` when nothing changed).

        Called by the background thread; override it to push differently (e.g. to merge
        files first), keeping in mind that it runs while the folder may still be written to.
        """
        with self.lock:
            prefix = f"{self.path_in_repo.strip('/')}/" if self.path_in_repo.strip("/") else ""
            local = dict(list_local_files(self.folder_path))
            to_upload = []
            allow, ignore = self.allow_patterns, self.ignore_patterns
            selected = filter_repo_objects(local, allow_patterns=allow, ignore_patterns=ignore)
            for rel in selected:
                path = local[rel]
                st = path.stat()
                if self.last_uploaded.get(path) != st.st_mtime:
                    to_upload.append(_FileToUpload(path, prefix + rel, st.st_size, st.st_mtime))
        if not to_upload:
            logger.debug("Dropping scheduled commit: no changed file to upload.")
            return None
        operations = [
            CommitOperationAdd(path_in_repo=f.path_in_repo, path_or_fileobj=PartialFileIO(f.local_path, f.size_limit))
            for f in to_upload
        ]
        try:
            info: CommitInfo = self.api.create_commit(
                repo_id=self.repo_id,
                repo_type=self.repo_type,
                operations=operations,
                commit_message="Scheduled Commit",
                revision=self.revision,
            )
        finally:
            for op in operations:
                op.path_or_fileobj.close()  # type: ignore[union-attr]
        for f in to_upload:
            self.last_uploaded[f.local_path] = f.last_modified
        return info


class PartialFileIO(io.BufferedIOBase):
    """A read-only binary file that ends at ``size_limit`` (or the file's end, if sooner).

    Lets the scheduler upload a file that is being appended to: only the part that existed
    when the folder was listed is read.
    """

    def __init__(self, file_path: str | Path, size_limit: int) -> None:
        super().__init__()
        self._file_path = Path(file_path)
        self._file = self._file_path.open("rb")
        self._size_limit = min(size_limit, os.fstat(self._file.fileno()).st_size)

    def __repr__(self) -> str:
        return f"<PartialFileIO file_path={self._file_path} size_limit={self._size_limit}>"

    def __len__(self) -> int:
        return self._size_limit

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._file.tell()

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_END:
            offset, whence = self._size_limit + offset, io.SEEK_SET
        pos = self._file.seek(offset, whence)
        if pos > self._size_limit:
            return self._file.seek(self._size_limit)
        return pos

    def read(self, size: int | None = -1) -> bytes:
        here = self._file.tell()
        left = max(0, self._size_limit - here)
        return self._file.read(left if size is None or size < 0 else min(size, left))

    def read1(self, size: int = -1) -> bytes:
        return self.read(size)

    def close(self) -> None:
        self._file.close()
        super().close()

    def fileno(self) -> int:
        raise io.UnsupportedOperation("PartialFileIO has no file descriptor")
