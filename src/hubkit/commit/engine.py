"""``create_commit`` as stages that pass data along: validate → plan → transfer → payload → send.

* validate: arguments and operations, README metadata (``/api/validate-yaml``): nothing moves
  if any of it is wrong.
* plan: preupload answers (upload mode, ignored, remote oid) for every addition; an addition
  whose content is already at its path is dropped before any byte is read for transfer.
* transfer: LFS-mode files through Xet or the LFS batch API (hashing pipelined with it).
* payload and send: the NDJSON body from the planned items, one POST.

The caller's operations are never modified. What ``preupload_lfs_files`` learns (upload mode,
uploaded or not) is kept in a registry keyed by the operation object, so a later
``create_commit`` with the same objects does not upload them again.
"""

from __future__ import annotations

import logging
import os
import threading
import weakref
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from .._http import get_session, http_backoff, raise_for_status
from .._progress import Progress
from ..errors import RemoteEntryNotFoundError, RepositoryNotFoundError
from .content import BytesContent, PathContent
from .copies import plan_copies
from .info import CommitInfo
from .lfs import BATCH_CHUNK, LfsObject, TransferPool, request_batch
from .operations import CommitOperation, CommitOperationAdd, CommitOperationCopy, CommitOperationDelete
from .payload import CommitItem, Deletion, InlineFile, LfsFile, commit_lines, encode_ndjson
from .preupload import NO_REPO_HINT, RemoteFile, fetch_upload_modes
from .target import RepoTarget
from .xet import XetItem, upload_with_xet, xet_enabled_for

__all__ = ["commit", "head_commit_info", "preupload", "send_commit"]

logger = logging.getLogger(__name__)

HASH_WORKERS = min(8, os.cpu_count() or 2)


# --- what preupload_lfs_files learnt, per operation object -----------------------------------


@dataclass(frozen=True)
class _Known:
    target: tuple[str, str, str]  # endpoint, repo type, repo id: uploads are per repo
    remote: RemoteFile
    uploaded: bool


_known: dict[int, _Known] = {}
_known_lock = threading.Lock()


def _target_key(target: RepoTarget) -> tuple[str, str, str]:
    return (target.endpoint, target.repo_type, target.repo_id)


def _remember(op: CommitOperationAdd, known: _Known) -> None:
    key = id(op)
    with _known_lock:
        fresh = key not in _known
        _known[key] = known
    if fresh:
        weakref.finalize(op, _forget, key)


def _forget(key: int) -> None:
    with _known_lock:
        _known.pop(key, None)


def _recall(op: CommitOperationAdd, target: RepoTarget) -> _Known | None:
    with _known_lock:
        known = _known.get(id(op))
    return known if known is not None and known.target == _target_key(target) else None


# --- plan ----------------------------------------------------------------------------------


@dataclass
class _Planned:
    op: CommitOperationAdd
    remote: RemoteFile
    uploaded: bool  # bytes already on the Hub (preupload_lfs_files did it)
    sha256: str | None = None


def _gitignore_of(additions: Iterable[CommitOperationAdd]) -> str | None:
    for op in additions:
        if op.path_in_repo == ".gitignore":
            return op.content.read_all().decode()
    return None


def plan_additions(
    target: RepoTarget, additions: Sequence[CommitOperationAdd], gitignore_content: str | None = None
) -> list[_Planned]:
    """The Hub's answer for each addition (from an earlier preupload when there was one)."""
    recalled = [_recall(op, target) for op in additions]
    unknown = [op for op, known in zip(additions, recalled, strict=True) if known is None]
    answers: dict[str, RemoteFile] = {}
    if unknown:
        if gitignore_content is None:
            gitignore_content = _gitignore_of(additions)
        answers = fetch_upload_modes(target, unknown, gitignore_content)
    return [
        _Planned(op, known.remote, known.uploaded) if known else _Planned(op, answers[op.path_in_repo], False)
        for op, known in zip(additions, recalled, strict=True)
    ]


def _deleted_checker(operations: Sequence[CommitOperation]) -> Callable[[str], bool]:
    deleted = {op.path_in_repo.rstrip("/") for op in operations if isinstance(op, CommitOperationDelete)}

    def is_deleted(path: str) -> bool:
        return path in deleted or any(str(parent) in deleted for parent in PurePosixPath(path).parents)

    return is_deleted


# --- transfer ------------------------------------------------------------------------------


def _hash_all(
    planned: Sequence[_Planned], tqdm_class: Any, pool: ThreadPoolExecutor
) -> tuple[list[Future[str]], Progress]:
    """Start hashing every item (in order) on ``pool``; returns the futures and the bar."""
    total = sum(p.op.upload_info.size for p in planned if not p.op.upload_info.is_hashed)
    bar = Progress.create(tqdm_class, unit="B", unit_scale=True, total=total, desc="Hashing") if total else None
    progress = bar or Progress.silent()
    futures = [pool.submit(lambda op: op.upload_info.compute_sha256(progress.update).hex(), p.op) for p in planned]
    return futures, progress


def transfer_lfs(
    target: RepoTarget,
    planned: Sequence[_Planned],
    *,
    is_deleted: Callable[[str], bool],
    num_threads: int,
    tqdm_class: Any = None,
    on_uploaded: Callable[[_Planned], None] | None = None,
) -> list[_Planned]:
    """Hash and upload LFS-mode additions; returns those still worth committing (with sha256).

    An addition whose sha256 equals what is at its path already is dropped before its bytes
    are sent (unless the same commit deletes that path).
    """
    if not planned:
        return []
    contents = [p.op.content for p in planned if not p.uploaded]
    if contents and xet_enabled_for(target, contents):
        return _transfer_xet(target, planned, is_deleted=is_deleted, tqdm_class=tqdm_class, on_uploaded=on_uploaded)
    kept: list[_Planned] = []
    with ThreadPoolExecutor(HASH_WORKERS, thread_name_prefix="hubkit-hash") as hashers:
        futures, hash_bar = _hash_all(planned, tqdm_class, hashers)
        to_send = sum(p.op.upload_info.size for p in planned if not p.uploaded)
        bar = Progress.silent()
        if to_send:
            bar = Progress.create(tqdm_class, unit="B", unit_scale=True, total=to_send, desc="Uploading")
        try:
            with TransferPool(target, num_threads, bar.update) as pool:
                for start in range(0, len(planned), BATCH_CHUNK):
                    chunk: list[_Planned] = []
                    window = slice(start, start + BATCH_CHUNK)
                    for p, future in zip(planned[window], futures[window], strict=True):
                        p.sha256 = future.result()
                        if p.remote.remote_oid == p.sha256 and not is_deleted(p.op.path_in_repo):
                            logger.debug("Skipping '%s': unchanged on the Hub", p.op.path_in_repo)
                            bar.update(0 if p.uploaded else p.op.upload_info.size)
                            continue
                        kept.append(p)
                        if p.uploaded:
                            continue
                        chunk.append(p)
                    _send_chunk(target, pool, chunk, bar, on_uploaded)
                pool.join()
        finally:
            hash_bar.close()
            bar.close()
    return kept


def _send_chunk(
    target: RepoTarget,
    pool: TransferPool,
    chunk: list[_Planned],
    bar: Progress,
    on_uploaded: Callable[[_Planned], None] | None,
) -> None:
    if not chunk:
        return
    objects = [LfsObject(p.sha256 or "", p.op.upload_info.size, p.op.content, p.op.path_in_repo) for p in chunk]
    answers = request_batch(target, objects)
    by_oid: dict[str, list[_Planned]] = {}
    for p in chunk:
        by_oid.setdefault(p.sha256 or "", []).append(p)
    seen: set[str] = set()

    def done(obj: LfsObject) -> None:
        for p in by_oid.get(obj.oid, []):
            if on_uploaded:
                on_uploaded(p)

    for obj in objects:
        if obj.oid in seen:  # the same content twice in one commit: send it once
            bar.update(obj.size)
            continue
        seen.add(obj.oid)
        answer = answers[obj.oid]
        if not answer.get("actions"):
            bar.update(obj.size)
        pool.add(obj, answer, done)


def _transfer_xet(
    target: RepoTarget,
    planned: Sequence[_Planned],
    *,
    is_deleted: Callable[[str], bool],
    tqdm_class: Any,
    on_uploaded: Callable[[_Planned], None] | None,
) -> list[_Planned]:
    # Only a file that exists remotely can be unchanged: hash those first; hf_xet hashes the rest.
    kept: list[_Planned] = []
    for p in planned:
        if p.remote.remote_oid is not None or p.op.upload_info.is_hashed:
            p.sha256 = p.op.upload_info.sha256.hex()
            if p.sha256 == p.remote.remote_oid and not is_deleted(p.op.path_in_repo):
                continue
        kept.append(p)
    todo = [p for p in kept if not p.uploaded]
    bar = Progress.create(
        tqdm_class, unit="B", unit_scale=True, total=sum(p.op.upload_info.size for p in todo), desc="Uploading"
    )
    try:
        items = []
        for p in todo:
            content = p.op.content
            assert isinstance(content, (PathContent, BytesContent))
            items.append(XetItem(None, content, p.sha256))
        shas = upload_with_xet(target, items, bar.update)
    finally:
        bar.close()
    for p, sha in zip(todo, shas, strict=True):
        p.sha256 = sha
        if on_uploaded:
            on_uploaded(p)
    return kept


# --- the stages together -------------------------------------------------------------------


def preupload(
    target: RepoTarget,
    additions: Sequence[CommitOperationAdd],
    *,
    num_threads: int = 5,
    gitignore_content: str | None = None,
    free_memory: bool = False,
    tqdm_class: Any = None,
) -> None:
    """Upload the LFS-mode additions now and remember it, for a later commit of the same objects."""
    planned = plan_additions(target, additions, gitignore_content)
    key = _target_key(target)
    for p in planned:
        if p.remote.upload_mode == "regular" or p.remote.should_ignore:
            _remember(p.op, _Known(key, p.remote, p.uploaded))
    lfs = [p for p in planned if p.remote.upload_mode == "lfs" and not p.remote.should_ignore and not p.uploaded]

    def uploaded(p: _Planned) -> None:
        _remember(p.op, _Known(key, p.remote, True))

    kept = transfer_lfs(target, lfs, is_deleted=lambda _: False, num_threads=num_threads, on_uploaded=uploaded)
    kept_ids = {id(p.op) for p in kept}
    for p in lfs:
        if id(p.op) not in kept_ids:  # unchanged on the Hub: nothing to send, ever
            _remember(p.op, _Known(key, p.remote, True))
        if free_memory and isinstance(p.op.path_or_fileobj, bytes):
            # Documented contract of preupload_lfs_files: the bytes are dropped once uploaded.
            p.op.upload_info.compute_sha256()
            p.op.path_or_fileobj = b""
            p.op.upload_info._content = None


def head_commit_info(target: RepoTarget, commit_message: str, commit_description: str) -> CommitInfo:
    """A ``CommitInfo`` for the current head of the revision (when there was nothing to commit)."""
    try:
        sha = target.head_sha()
    except RepositoryNotFoundError as err:
        err.append_to_message(NO_REPO_HINT)
        raise
    return CommitInfo(
        commit_url=f"{target.web_prefix}/{target.repo_id}/commit/{sha}",
        commit_message=commit_message,
        commit_description=commit_description,
        oid=sha,
        _endpoint=target.endpoint,
    )


def send_commit(
    target: RepoTarget,
    items: Sequence[CommitItem],
    *,
    commit_message: str,
    commit_description: str,
    parent_commit: str | None = None,
    hot_reload: bool = False,
    retry: bool = False,
) -> CommitInfo:
    """POST the commit; ``retry`` only where a duplicate commit would be harmless."""
    lines = commit_lines(items, summary=commit_message, description=commit_description, parent_commit=parent_commit)
    body = encode_ndjson(lines)
    params = {"create_pr": "1"} if target.create_pr else {}
    if hot_reload:
        params["hot_reload"] = "1"
    headers = {"Content-Type": "application/x-ndjson", **target.headers}
    url = target.api_url("commit", target.quoted_revision)
    if retry:
        response = http_backoff("POST", url, content=body, headers=headers, params=params)
    else:  # not retried: a lost answer to a commit that landed would make a second commit
        response = get_session().post(url, content=body, headers=headers, params=params)
    raise_for_status(response, endpoint_name="commit")
    data = response.json()
    return CommitInfo(
        commit_url=data["commitUrl"],
        commit_message=commit_message,
        commit_description=commit_description,
        oid=data["commitOid"],
        pr_url=data["pullRequestUrl"] if target.create_pr else None,
        _endpoint=target.endpoint,
    )


def commit(
    target: RepoTarget,
    operations: Sequence[CommitOperation],
    *,
    commit_message: str,
    commit_description: str,
    parent_commit: str | None = None,
    num_threads: int = 5,
    hot_reload: bool = False,
    tqdm_class: Any = None,
) -> CommitInfo:
    """Plan, transfer and send one commit (the operations are already validated)."""
    additions = [op for op in operations if isinstance(op, CommitOperationAdd)]
    copies = [op for op in operations if isinstance(op, CommitOperationCopy)]
    is_deleted = _deleted_checker(operations)
    planned = plan_additions(target, additions)
    # Copies are resolved before any upload: a missing source fails the commit with nothing sent.
    item_of: dict[int, CommitItem] = {}
    for planned_copy in plan_copies(target, copies):
        if not (planned_copy.unchanged and not is_deleted(planned_copy.op.path_in_repo)):
            item_of[id(planned_copy.op)] = planned_copy.item

    lfs = [p for p in planned if p.remote.upload_mode == "lfs" and not p.remote.should_ignore]
    kept_lfs = transfer_lfs(target, lfs, is_deleted=is_deleted, num_threads=num_threads, tqdm_class=tqdm_class)
    for p in kept_lfs:
        item_of[id(p.op)] = LfsFile(p.op.path_in_repo, p.sha256 or p.op.upload_info.sha256.hex(), p.op.upload_info.size)
    for p in planned:
        if p.remote.upload_mode != "regular" or p.remote.should_ignore:
            continue
        unchanged = p.remote.remote_oid is not None and p.remote.remote_oid == p.op.local_oid("regular")
        if unchanged and not is_deleted(p.op.path_in_repo):
            continue
        item_of[id(p.op)] = InlineFile(p.op.path_in_repo, p.op.content)
    ignored = sum(1 for p in planned if p.remote.should_ignore)
    if ignored:
        logger.info("Skipped %d file(s) ignored by the repo's .gitignore.", ignored)

    items: list[CommitItem] = []
    for op in operations:
        if isinstance(op, CommitOperationDelete):
            items.append(Deletion(op.path_in_repo, bool(op.is_folder)))
        elif id(op) in item_of:
            items.append(item_of[id(op)])
    if not items:
        logger.warning("No files have been modified since the last commit: no commit created, returning the head.")
        return head_commit_info(target, commit_message, commit_description)
    try:
        return send_commit(
            target,
            items,
            commit_message=commit_message,
            commit_description=commit_description,
            parent_commit=parent_commit,
            hot_reload=hot_reload,
        )
    except RepositoryNotFoundError as err:
        err.append_to_message(NO_REPO_HINT)
        raise
    except RemoteEntryNotFoundError as err:
        if any(isinstance(op, CommitOperationDelete) for op in operations) and "doesn't exist" in str(err):
            err.append_to_message(
                "\nMake sure to tell file and folder deletions apart: end a folder path with '/' or pass is_folder."
            )
        raise
