"""Writing through ``HfFileSystem``: every change is a commit, and related changes share one.

A Hub repo changes only by commits, and a commit may hold many operations. fsspec's bulk methods
(``put``, ``copy``, ``pipe`` with a dict, ``rm``, ``mv``) call a per-file primitive for each file;
here those primitives add their operation to a *batch* opened by the bulk method, and the batch
becomes one commit per repo and revision when the method ends. So ``put`` of a folder is one
commit, ``mv`` is one commit holding the copies and the deletions (an atomic rename when it stays
inside one repo), and an error half-way commits nothing. A transaction (``with fs.transaction:``)
does the same for files written with ``open``.

Folders do not exist in a git tree on their own: ``mkdir`` and ``makedirs`` check the path and do
nothing else, a folder appears with its first file and disappears with its last.
"""

from __future__ import annotations

import contextlib
import errno
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fsspec.callbacks import DEFAULT_CALLBACK, Callback
from fsspec.transaction import Transaction

from ..commit.operations import CommitOperation, CommitOperationAdd, CommitOperationCopy, CommitOperationDelete
from ..errors import EntryNotFoundError, HfHubHTTPError, RepositoryNotFoundError
from ._errors import raise_file_not_found, raise_for_write
from .paths import HfFileSystemResolvedPath

if TYPE_CHECKING:
    from .filesystem import HfFileSystem

__all__ = ["CommitBatch", "HubTransaction", "WriteMixin", "describe"]


def describe(operations: list[CommitOperation]) -> str:
    """A commit title for ``operations``: ``Upload a.csv with hubkit``, ``Copy 2 files, delete 2 files ...``."""
    if len(operations) == 1:
        op = operations[0]
        if isinstance(op, CommitOperationAdd):
            return f"Upload {op.path_in_repo} with hubkit"
        if isinstance(op, CommitOperationCopy):
            return f"Copy {op.src_path_in_repo} to {op.path_in_repo} with hubkit"
        return f"Delete {op.path_in_repo} with hubkit"
    counts = {"upload": 0, "copy": 0, "delete": 0}
    for op in operations:
        kind = (
            "upload"
            if isinstance(op, CommitOperationAdd)
            else "copy"
            if isinstance(op, CommitOperationCopy)
            else "delete"
        )
        counts[kind] += 1
    parts = [f"{verb} {n} {'file' if n == 1 else 'files'}" for verb, n in counts.items() if n]
    return (", ".join(parts) + " with hubkit").capitalize()


@dataclass
class _Group:
    resolved: HfFileSystemResolvedPath
    operations: list[CommitOperation] = field(default_factory=list)
    message: str | None = None
    description: str | None = None


class CommitBatch:
    """Operations waiting for their commit: one group per (repo type, repo id, revision)."""

    def __init__(self, message: str | None = None, description: str | None = None) -> None:
        self.message = message
        self.description = description
        self.groups: dict[tuple[str, str, str], _Group] = {}
        self._cleanups: list[Callable[[], None]] = []

    def add(
        self, resolved: HfFileSystemResolvedPath, operations: list[CommitOperation], message: str | None,
        description: str | None, cleanup: Callable[[], None] | None,
    ) -> None:  # fmt: skip
        key = (resolved.repo_type, resolved.repo_id, resolved.revision)
        group = self.groups.setdefault(key, _Group(resolved.with_path("")))
        group.operations.extend(operations)
        group.message = group.message or message
        group.description = group.description or description
        if cleanup is not None:
            self._cleanups.append(cleanup)

    def cleanup(self) -> None:
        """Remove the temporary files the operations read from."""
        while self._cleanups:
            self._cleanups.pop()()


class HubTransaction(Transaction):
    """``with fs.transaction:``: the files written inside are committed together when it ends.

    One commit per repo and revision; nothing is committed if the block raises.
    """

    def complete(self, commit: bool = True) -> None:
        """Commit (or discard) every file of the transaction."""
        fs: HfFileSystem = self.fs
        with fs._batched() if commit else contextlib.nullcontext():
            super().complete(commit)


class WriteMixin:
    """The writing half of ``HfFileSystem`` (see the module docstring)."""

    # provided by HfFileSystem
    _batch_state: threading.local
    _write_ok: set[tuple[str, str]]

    # --- commits ---------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _batched(
        self: HfFileSystem, commit_message: str | None = None, commit_description: str | None = None
    ) -> Iterator[CommitBatch]:
        """Gather the commits made inside into one per repo; nested batches join the outer one."""
        outer: CommitBatch | None = getattr(self._batch_state, "batch", None)
        if outer is not None:
            yield outer
            return
        batch = CommitBatch(commit_message, commit_description)
        self._batch_state.batch = batch
        try:
            yield batch
            self._batch_state.batch = None
            for group in batch.groups.values():
                if group.operations:
                    message = group.message or batch.message or describe(group.operations)
                    self._create_commit(
                        group.resolved, group.operations, message, group.description or batch.description
                    )
        finally:
            self._batch_state.batch = None
            batch.cleanup()

    def _commit(
        self: HfFileSystem, resolved: HfFileSystemResolvedPath, operations: list[CommitOperation], *,
        commit_message: str | None = None, commit_description: str | None = None,
        cleanup: Callable[[], None] | None = None,
    ) -> None:  # fmt: skip
        """Commit ``operations`` now, or add them to the batch in progress."""
        batch: CommitBatch | None = getattr(self._batch_state, "batch", None)
        if batch is not None:
            batch.add(resolved, operations, commit_message, commit_description, cleanup)
            return
        try:
            message = commit_message or describe(operations)
            self._create_commit(resolved, operations, message, commit_description)
        finally:
            if cleanup is not None:
                cleanup()

    def _create_commit(
        self: HfFileSystem, resolved: HfFileSystemResolvedPath, operations: list[CommitOperation], message: str,
        description: str | None,
    ) -> None:  # fmt: skip
        label = resolved.with_path(operations[0].path_in_repo).unresolve() if operations else resolved.unresolve()
        try:
            self._api.create_commit(
                resolved.repo_id, operations, commit_message=message, commit_description=description,
                repo_type=resolved.repo_type, revision=resolved.revision,
            )  # fmt: skip
        except (HfHubHTTPError, EntryNotFoundError) as err:
            raise_for_write(label, err)
        finally:
            self._invalidate_repo(resolved)

    def _check_write_access(self: HfFileSystem, resolved: HfFileSystemResolvedPath) -> None:
        """Fail at ``open(..., "wb")`` rather than after the data is written, when writing is refused."""
        key = (resolved.repo_type, resolved.repo_id)
        if key in self._write_ok:
            return
        try:
            self._api.auth_check(resolved.repo_id, repo_type=resolved.repo_type, write=True)
        except RepositoryNotFoundError as err:
            raise_file_not_found(resolved.unresolve(), err)
        except HfHubHTTPError as err:
            if err.response.status_code in (401, 403):
                raise_for_write(resolved.unresolve(), err)
            return  # a hub without this check: the commit itself will tell
        self._write_ok.add(key)

    # --- adding files ----------------------------------------------------------------------------

    def pipe_file(
        self: HfFileSystem, path: str, value: bytes, mode: str = "overwrite", revision: str | None = None,
        **kwargs: Any,
    ) -> None:  # fmt: skip
        """Write ``value`` to ``path`` (one commit, unless part of a bulk call)."""
        resolved = self.resolve_path(path, revision=revision)
        if mode == "create" and self.exists(resolved.unresolve()):
            raise FileExistsError(resolved.unresolve())
        operation = CommitOperationAdd(path_in_repo=resolved.path_in_repo, path_or_fileobj=bytes(value))
        self._commit(
            resolved, [operation], commit_message=kwargs.get("commit_message"),
            commit_description=kwargs.get("commit_description"),
        )  # fmt: skip

    def pipe(self: HfFileSystem, path: str | dict[str, bytes], value: bytes | None = None, **kwargs: Any) -> None:
        """Write bytes to one path, or ``{path: bytes}`` to many: one commit per repo."""
        with self._batched(kwargs.get("commit_message"), kwargs.get("commit_description")):
            super().pipe(path, value, **kwargs)  # type: ignore[misc]

    def put_file(
        self: HfFileSystem, lpath: str, rpath: str, callback: Callback = DEFAULT_CALLBACK, mode: str = "overwrite",
        revision: str | None = None, **kwargs: Any,
    ) -> None:  # fmt: skip
        """Upload the local file ``lpath`` to ``rpath`` (a local folder: nothing, folders are implicit)."""
        if os.path.isdir(lpath):
            self.makedirs(rpath, exist_ok=True)
            return
        resolved = self.resolve_path(rpath, revision=revision)
        if mode == "create" and self.exists(resolved.unresolve()):
            raise FileExistsError(resolved.unresolve())
        size = os.path.getsize(lpath)
        callback.set_size(size)
        operation = CommitOperationAdd(path_in_repo=resolved.path_in_repo, path_or_fileobj=os.fspath(lpath))
        self._commit(
            resolved, [operation], commit_message=kwargs.get("commit_message"),
            commit_description=kwargs.get("commit_description"),
        )  # fmt: skip
        callback.relative_update(size)

    def put(self: HfFileSystem, lpath: Any, rpath: Any, recursive: bool = False, **kwargs: Any) -> None:
        """Upload local files (a folder with ``recursive=True``): one commit per repo and revision."""
        with self._batched(kwargs.get("commit_message"), kwargs.get("commit_description")):
            super().put(lpath, rpath, recursive=recursive, **kwargs)  # type: ignore[misc]

    def touch(self: HfFileSystem, path: str, truncate: bool = True, **kwargs: Any) -> None:
        """Create an empty file (or empty an existing one); touching without ``truncate`` is not supported."""
        if not truncate and self.exists(path, **kwargs):
            raise NotImplementedError("Cannot update the timestamp of a file on the Hub (commits replace files).")
        self.pipe_file(path, b"", **kwargs)

    # --- copying, moving, deleting ---------------------------------------------------------------

    def cp_file(self: HfFileSystem, path1: str, path2: str, revision: str | None = None, **kwargs: Any) -> None:
        """Copy one file. Inside a repo the Hub copies it (an LFS file's bytes never move).

        Between repos the file is downloaded into the local cache and uploaded. A folder is not
        copied on its own (folders exist through their files).
        """
        resolved1 = self.resolve_path(path1, revision=revision)
        resolved2 = self.resolve_path(path2, revision=revision)
        if self.info(resolved1.unresolve())["type"] == "directory":
            return
        if not resolved2.path_in_repo:
            raise IsADirectoryError(resolved2.unresolve())
        operation: CommitOperation
        if (resolved1.repo_type, resolved1.repo_id) == (resolved2.repo_type, resolved2.repo_id):
            operation = CommitOperationCopy(
                src_path_in_repo=resolved1.path_in_repo, path_in_repo=resolved2.path_in_repo,
                src_revision=resolved1.revision,
            )  # fmt: skip
        else:
            local = self._download(resolved1)
            operation = CommitOperationAdd(path_in_repo=resolved2.path_in_repo, path_or_fileobj=local)
        self._commit(
            resolved2, [operation], commit_message=kwargs.get("commit_message"),
            commit_description=kwargs.get("commit_description"),
        )  # fmt: skip

    def copy(self: HfFileSystem, path1: Any, path2: Any, recursive: bool = False, **kwargs: Any) -> None:
        """Copy files (a folder with ``recursive=True``): one commit per destination repo."""
        with self._batched(kwargs.get("commit_message"), kwargs.get("commit_description")):
            super().copy(path1, path2, recursive=recursive, **kwargs)  # type: ignore[misc]

    def mv(
        self: HfFileSystem, path1: Any, path2: Any, recursive: bool = False, maxdepth: int | None = None, **kwargs: Any
    ) -> None:
        """Move files: copies and deletions in one commit when source and destination share a repo."""
        if path1 == path2:
            return
        message = kwargs.pop("commit_message", None) or (
            f"Move {path1} to {path2} with hubkit" if isinstance(path1, str) and isinstance(path2, str) else None
        )
        with self._batched(message, kwargs.pop("commit_description", None)):
            self.copy(path1, path2, recursive=recursive, maxdepth=maxdepth, on_error="raise", **kwargs)
            self.rm(path1, recursive=recursive, maxdepth=maxdepth, **kwargs)

    def rm(
        self: HfFileSystem, path: Any, recursive: bool = False, maxdepth: int | None = None,
        revision: str | None = None, **kwargs: Any,
    ) -> None:  # fmt: skip
        """Delete files (folders with ``recursive=True``): one commit per repo and revision.

        Raises ``IsADirectoryError`` for a folder without ``recursive``, ``FileNotFoundError`` when
        nothing matches.
        """
        paths = self.expand_path(path, recursive=recursive, maxdepth=maxdepth, revision=revision)
        infos = {p: self.info(p, revision=revision) for p in paths}
        if not recursive and all(info["type"] == "directory" for info in infos.values()):
            raise IsADirectoryError(errno.EISDIR, "Is a directory (use recursive=True)", paths[0])
        whole_folders = recursive and maxdepth is None  # then every folder listed comes with all it holds
        gone: list[str] = []
        with self._batched(kwargs.get("commit_message"), kwargs.get("commit_description")):
            for p in sorted(paths):
                if any(p.startswith(folder + "/") for folder in gone):
                    continue
                resolved = self.resolve_path(p, revision=revision)
                if infos[p]["type"] == "file":
                    self._commit(resolved, [CommitOperationDelete(path_in_repo=resolved.path_in_repo)])
                elif whole_folders and resolved.path_in_repo:
                    self._commit(resolved, [CommitOperationDelete(path_in_repo=resolved.path_in_repo, is_folder=True)])
                    gone.append(p)

    def rm_file(self: HfFileSystem, path: str, **kwargs: Any) -> None:
        """Delete one file (one commit)."""
        resolved = self.resolve_path(path, revision=kwargs.get("revision"))
        if self.info(resolved.unresolve())["type"] != "file":
            raise IsADirectoryError(resolved.unresolve())
        self._commit(resolved, [CommitOperationDelete(path_in_repo=resolved.path_in_repo)])

    _rm = rm_file

    # --- folders ---------------------------------------------------------------------------------

    def mkdir(self: HfFileSystem, path: str, create_parents: bool = True, **kwargs: Any) -> None:
        """Check that a folder may appear at ``path``; it is created by the first file written in it."""
        self.makedirs(path, exist_ok=True)

    def makedirs(self: HfFileSystem, path: str, exist_ok: bool = False) -> None:
        """Like ``mkdir``; with ``exist_ok=False``, ``FileExistsError`` if the folder already exists.

        Raises ``FileNotFoundError`` when the repo or revision does not exist (create the repo
        with ``HfApi.create_repo`` first) and ``FileExistsError`` when a file is in the way.
        """
        resolved = self.resolve_path(path)
        name = resolved.unresolve()
        try:
            info = self.info(name)
        except FileNotFoundError:
            info = None
        if info is not None and (info["type"] == "file" or not exist_ok):
            raise FileExistsError(errno.EEXIST, "File exists", name)
        for parent in _parents(resolved.path_in_repo):
            if self.isfile(resolved.with_path(parent).unresolve()):
                raise FileExistsError(errno.EEXIST, "A file is in the way", resolved.with_path(parent).unresolve())

    def rmdir(self: HfFileSystem, path: str) -> None:
        """A folder holding files cannot be removed this way (``rm(path, recursive=True)`` can); an
        "empty folder" does not exist in git, so removing one does nothing."""
        try:
            info = self.info(path)
        except FileNotFoundError:
            return
        if info["type"] == "file":
            raise NotADirectoryError(errno.ENOTDIR, "Not a directory", info["name"])
        raise OSError(errno.ENOTEMPTY, "Directory not empty", info["name"])


def _parents(path_in_repo: str) -> list[str]:
    parts = path_in_repo.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]
