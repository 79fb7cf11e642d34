"""Commits and uploads: ``create_commit``, ``upload_file``, ``upload_folder``, deletions, and
``upload_large_folder`` (hub-protocol.md §7-§8).

The methods here check their arguments and build operations; the work itself is done by the
stages of ``hubkit.commit`` (plan, transfer, payload, send), which never modify the caller's
operations.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from .. import constants
from .._paths import validate_repo_id
from ..commit import engine
from ..commit.folder import folder_additions, folder_deletions, with_default_ignores
from ..commit.info import CommitInfo
from ..commit.operations import CommitOperation, CommitOperationAdd, CommitOperationDelete
from ..commit.target import RepoTarget
from ..commit.validate import check_repo_type, validate_commit, validate_readme
from ._base import ApiBase

PUBLIC: tuple[str, ...] = (
    "create_commit",
    "preupload_lfs_files",
    "upload_file",
    "upload_folder",
    "delete_file",
    "delete_files",
    "delete_folder",
    "upload_large_folder",
    "run_as_future",
)

R = TypeVar("R")


class CommitMixin(ApiBase):
    # --- background jobs -----------------------------------------------------------------------

    def run_as_future(self, fn: Callable[..., R], *args: Any, **kwargs: Any) -> Future[R]:
        """Run ``fn(*args, **kwargs)`` in the background and return a ``Future``.

        Jobs of one ``HfApi`` run one at a time, in the order they were queued (so background
        commits land in order). Use your own executor to run calls in parallel.
        """
        pool = self.__dict__.get("_hubkit_jobs")
        if pool is None:
            with _jobs_lock:
                pool = self.__dict__.setdefault("_hubkit_jobs", ThreadPoolExecutor(1, thread_name_prefix="hubkit-job"))
        return pool.submit(fn, *args, **kwargs)

    def _target(
        self,
        repo_id: str,
        repo_type: str | None,
        revision: str | None,
        token: str | bool | None,
        create_pr: bool = False,
    ) -> RepoTarget:
        validate_repo_id(repo_id)
        return RepoTarget(
            endpoint=self.endpoint,
            repo_id=repo_id,
            repo_type=check_repo_type(repo_type),
            revision=revision or constants.DEFAULT_REVISION,
            create_pr=bool(create_pr),
            headers=self._build_hf_headers(token=token),
        )

    # --- commits -------------------------------------------------------------------------------

    def create_commit(
        self,
        repo_id: str,
        operations: Iterable[CommitOperation],
        *,
        commit_message: str,
        commit_description: str | None = None,
        token: str | bool | None = None,
        repo_type: str | None = None,
        revision: str | None = None,
        create_pr: bool | None = None,
        num_threads: int = 5,
        parent_commit: str | None = None,
        run_as_future: bool = False,
        _hot_reload: bool | None = None,
    ) -> Any:
        """Create one commit: add, delete and copy files in ``repo_id``.

        Regular files travel inline; LFS-mode files are uploaded first (Xet when available,
        else Git LFS with parallel multipart transfers). Additions identical to what is already
        at their path are left out; if nothing is left, no commit is made and the current head
        is returned. The operations are not modified and can be reused.

        Args:
            repo_id: the repo, e.g. ``"username/my-model"`` (it must exist).
            operations: ``CommitOperationAdd``, ``CommitOperationDelete`` and ``CommitOperationCopy``.
            commit_message: the commit title (required).
            commit_description: the commit body.
            token: a token, ``False`` for none, ``None`` for the configured one.
            repo_type: ``"model"`` (default), ``"dataset"``, ``"space"`` or ``"kernel"``.
            revision: the branch to commit to (default ``main``), or ``refs/pr/N``.
            create_pr: open a pull request with this commit instead of moving the branch.
            num_threads: how many transfers run at once.
            parent_commit: the commit the branch must still point to (5-40 hex chars); else
                the Hub refuses the commit (HTTP 412). With ``create_pr``, the PR's base.
            run_as_future: run in the background and return a ``Future``.

        Returns:
            ``CommitInfo`` (or a ``Future`` of it).

        Raises:
            ValueError: invalid arguments, an invalid README.md metadata block, a local file
                that disappeared; raised before anything is uploaded.
            RepositoryNotFoundError: the repo does not exist or is not visible.
            RevisionNotFoundError: the revision does not exist.
            HfHubHTTPError: any other refusal, e.g. 412 when ``parent_commit`` is outdated.
        """
        if run_as_future:
            return self.run_as_future(
                self.create_commit, repo_id, operations, commit_message=commit_message,
                commit_description=commit_description, token=token, repo_type=repo_type, revision=revision,
                create_pr=create_pr, num_threads=num_threads, parent_commit=parent_commit, _hot_reload=_hot_reload,
            )  # fmt: skip
        repo_type = check_repo_type(repo_type)
        ops = validate_commit(
            repo_id, operations, commit_message=commit_message, parent_commit=parent_commit, repo_type=repo_type
        )
        target = self._target(repo_id, repo_type, revision, token, bool(create_pr))
        validate_readme(target, ops)
        return engine.commit(
            target,
            ops,
            commit_message=commit_message,
            commit_description=commit_description or "",
            parent_commit=parent_commit,
            num_threads=num_threads,
            hot_reload=bool(_hot_reload),
        )

    def preupload_lfs_files(
        self,
        repo_id: str,
        additions: Iterable[CommitOperationAdd],
        *,
        token: str | bool | None = None,
        repo_type: str | None = None,
        revision: str | None = None,
        create_pr: bool | None = None,
        num_threads: int = 5,
        free_memory: bool = True,
        gitignore_content: str | None = None,
    ) -> None:
        """Upload the LFS-mode content of ``additions`` now, ahead of a later ``create_commit``.

        Useful to generate big files one by one without keeping them all in memory: upload
        each, then commit them together. ``create_commit`` with the same objects does not
        upload them again.

        Args:
            repo_id, token, repo_type, revision, create_pr, num_threads: as for ``create_commit``.
            additions: the ``CommitOperationAdd`` to upload.
            free_memory: drop the ``bytes`` content of uploaded additions (``path_or_fileobj``
                becomes ``b""``) to save memory. The only change ever made to an operation.
            gitignore_content: ``.gitignore`` rules to apply instead of the repo's (or an
                added ``.gitignore``'s).
        """
        repo_type = check_repo_type(repo_type)
        adds = list(additions)
        if not all(isinstance(op, CommitOperationAdd) for op in adds):
            raise ValueError("preupload_lfs_files only takes CommitOperationAdd objects")
        target = self._target(repo_id, repo_type, revision, token, bool(create_pr))
        engine.preupload(
            target, adds, num_threads=num_threads, gitignore_content=gitignore_content, free_memory=free_memory
        )

    def upload_file(
        self,
        *,
        path_or_fileobj: str | Path | bytes | BinaryIO,
        path_in_repo: str,
        repo_id: str,
        token: str | bool | None = None,
        repo_type: str | None = None,
        revision: str | None = None,
        commit_message: str | None = None,
        commit_description: str | None = None,
        create_pr: bool | None = None,
        parent_commit: str | None = None,
        run_as_future: bool = False,
        _hot_reload: bool | None = None,
    ) -> Any:
        """Upload one file (a path, ``bytes`` or a binary file object) to ``path_in_repo``.

        Args:
            path_or_fileobj: the content.
            path_in_repo: where it goes, e.g. ``"checkpoints/weights.bin"``.
            commit_message: default ``"Upload {path_in_repo} with hubkit"``.
            Other arguments: as for ``create_commit``.

        Returns:
            ``CommitInfo`` (or a ``Future`` of it).
        """
        if run_as_future:
            return self.run_as_future(
                self.upload_file, path_or_fileobj=path_or_fileobj, path_in_repo=path_in_repo, repo_id=repo_id,
                token=token, repo_type=repo_type, revision=revision, commit_message=commit_message,
                commit_description=commit_description, create_pr=create_pr, parent_commit=parent_commit,
                _hot_reload=_hot_reload,
            )  # fmt: skip
        check_repo_type(repo_type)
        operation = CommitOperationAdd(path_in_repo=path_in_repo, path_or_fileobj=path_or_fileobj)
        return self.create_commit(
            repo_id,
            [operation],
            commit_message=commit_message if commit_message is not None else f"Upload {path_in_repo} with hubkit",
            commit_description=commit_description,
            token=token,
            repo_type=repo_type,
            revision=revision,
            create_pr=create_pr,
            parent_commit=parent_commit,
            _hot_reload=_hot_reload,
        )

    def upload_folder(
        self,
        *,
        repo_id: str,
        folder_path: str | Path,
        path_in_repo: str | None = None,
        commit_message: str | None = None,
        commit_description: str | None = None,
        token: str | bool | None = None,
        repo_type: str | None = None,
        revision: str | None = None,
        create_pr: bool | None = None,
        parent_commit: str | None = None,
        allow_patterns: list[str] | str | None = None,
        ignore_patterns: list[str] | str | None = None,
        delete_patterns: list[str] | str | None = None,
        run_as_future: bool = False,
    ) -> Any:
        """Upload the files of a local folder in one commit, keeping its structure.

        Files unchanged on the Hub are left out. ``.git`` folders and ``.cache/huggingface``
        are never uploaded. Patterns are globs on paths relative to the folder (``*`` also
        crosses ``/``).

        Args:
            folder_path: the local folder.
            path_in_repo: the folder in the repo to upload into (default: the root).
            allow_patterns: upload only files matching one of these.
            ignore_patterns: do not upload files matching one of these.
            delete_patterns: delete remote files (below ``path_in_repo``) matching one of
                these, in the same commit; ``.gitattributes`` is always kept.
            create_pr: open a pull request against the default branch (``revision`` must
                then be left unset).
            commit_message: default ``"Upload folder using hubkit"``.
            Other arguments: as for ``create_commit``.

        Returns:
            ``CommitInfo`` (or a ``Future`` of it).
        """
        if run_as_future:
            return self.run_as_future(
                self.upload_folder, repo_id=repo_id, folder_path=folder_path, path_in_repo=path_in_repo,
                commit_message=commit_message, commit_description=commit_description, token=token,
                repo_type=repo_type, revision=revision, create_pr=create_pr, parent_commit=parent_commit,
                allow_patterns=allow_patterns, ignore_patterns=ignore_patterns, delete_patterns=delete_patterns,
            )  # fmt: skip
        check_repo_type(repo_type)
        if create_pr and revision is not None and revision != constants.DEFAULT_REVISION:
            raise ValueError(
                f"Cannot use `create_pr=True` with `revision='{revision}'`: upload_folder opens pull requests"
                " against the default branch only. Leave `revision` unset."
            )
        ignores = with_default_ignores(ignore_patterns)
        additions = folder_additions(folder_path, path_in_repo, allow_patterns=allow_patterns, ignore_patterns=ignores)
        deletions: list[CommitOperationDelete] = []
        if delete_patterns is not None:
            target = self._target(repo_id, repo_type, revision, token)
            listed_at = constants.DEFAULT_REVISION if create_pr else revision
            added = {op.path_in_repo for op in additions}
            matching = folder_deletions(target, path_in_repo, delete_patterns, listed_at)
            deletions = [op for op in matching if op.path_in_repo not in added]  # re-added paths are overwritten
        return self.create_commit(
            repo_id,
            [*deletions, *additions],
            commit_message=commit_message or "Upload folder using hubkit",
            commit_description=commit_description,
            token=token,
            repo_type=repo_type,
            revision=revision,
            create_pr=create_pr,
            parent_commit=parent_commit,
        )

    # --- deletions -----------------------------------------------------------------------------

    def delete_file(
        self,
        path_in_repo: str,
        repo_id: str,
        *,
        token: str | bool | None = None,
        repo_type: str | None = None,
        revision: str | None = None,
        commit_message: str | None = None,
        commit_description: str | None = None,
        create_pr: bool | None = None,
        parent_commit: str | None = None,
    ) -> CommitInfo:
        """Delete one file. Default message: ``"Delete {path_in_repo} with hubkit"``.

        Raises:
            RemoteEntryNotFoundError: there is no such file (a folder needs ``delete_folder``).
            Other errors: as for ``create_commit``.
        """
        return self.create_commit(  # type: ignore[no-any-return]
            repo_id,
            [CommitOperationDelete(path_in_repo=path_in_repo, is_folder=False)],
            commit_message=commit_message if commit_message is not None else f"Delete {path_in_repo} with hubkit",
            commit_description=commit_description,
            token=token,
            repo_type=repo_type,
            revision=revision,
            create_pr=create_pr,
            parent_commit=parent_commit,
        )

    def delete_files(
        self,
        repo_id: str,
        delete_patterns: list[str],
        *,
        token: bool | str | None = None,
        repo_type: str | None = None,
        revision: str | None = None,
        commit_message: str | None = None,
        commit_description: str | None = None,
        create_pr: bool | None = None,
        parent_commit: str | None = None,
    ) -> CommitInfo:
        """Delete every file matching one of ``delete_patterns`` (paths, ``folder/``, or globs
        where ``*`` also crosses ``/``), in one commit. ``.gitattributes`` is kept.
        """
        target = self._target(repo_id, check_repo_type(repo_type), revision, token)
        operations = folder_deletions(target, "", delete_patterns, revision)
        message = commit_message
        if message is None:
            message = f"Delete files {' '.join(delete_patterns)} with hubkit"
        return self.create_commit(  # type: ignore[no-any-return]
            repo_id,
            operations,
            commit_message=message,
            commit_description=commit_description,
            token=token,
            repo_type=repo_type,
            revision=revision,
            create_pr=create_pr,
            parent_commit=parent_commit,
        )

    def delete_folder(
        self,
        path_in_repo: str,
        repo_id: str,
        *,
        token: bool | str | None = None,
        repo_type: str | None = None,
        revision: str | None = None,
        commit_message: str | None = None,
        commit_description: str | None = None,
        create_pr: bool | None = None,
        parent_commit: str | None = None,
    ) -> CommitInfo:
        """Delete a folder and everything below it. Default message: ``"Delete folder {path_in_repo} with hubkit"``."""
        return self.create_commit(  # type: ignore[no-any-return]
            repo_id,
            [CommitOperationDelete(path_in_repo=path_in_repo, is_folder=True)],
            commit_message=(
                commit_message if commit_message is not None else f"Delete folder {path_in_repo} with hubkit"
            ),
            commit_description=commit_description,
            token=token,
            repo_type=repo_type,
            revision=revision,
            create_pr=create_pr,
            parent_commit=parent_commit,
        )

    # --- large folders -------------------------------------------------------------------------

    def upload_large_folder(
        self,
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
        """Upload a very large folder in many commits, resumably.

        Progress is kept next to the files, in ``folder_path/.cache/huggingface/upload/``
        (same format as huggingface_hub 1.x): after a crash, or a kill, running the same call
        again skips what was hashed, uploaded or committed already. The repo (and branch) is
        created if needed. Commit sizes adapt to how long commits take.

        Args:
            repo_id: the repo to upload to.
            folder_path: the local folder.
            repo_type: required: ``"model"``, ``"dataset"`` or ``"space"``.
            revision: the branch to commit to (created if missing; default ``main``).
            private: visibility of the repo if it has to be created.
            allow_patterns, ignore_patterns: as for ``upload_folder``.
            num_workers: worker threads (default: CPU count - 2, at least 2).
            print_report: print a progress report to stdout every ``print_report_every`` seconds.

        Raises:
            ValueError: missing ``repo_type``, or ``folder_path`` is not a folder.
        """
        from ..commit.large_folder import upload_large_folder

        if repo_type is None:
            raise ValueError(
                "For large uploads, `repo_type` is explicitly required. Please set it to `model`, `dataset` or"
                " `space`. If you are using the CLI, pass it as `--repo-type=model`."
            )
        upload_large_folder(
            self,
            repo_id,
            folder_path,
            repo_type=check_repo_type(repo_type),
            revision=revision,
            private=private,
            allow_patterns=allow_patterns,
            ignore_patterns=ignore_patterns,
            num_workers=num_workers,
            print_report=print_report,
            print_report_every=print_report_every,
        )


_jobs_lock = threading.Lock()
