"""``snapshot_download``: every file of a repo at one commit, in the cache or in a ``local_dir``.

The revision is resolved to a commit once, the commit's file list is read from the cached tree
listing (``trees/{sha}.json``) or fetched and cached, and the files are downloaded by a pool of
threads. Unlike ``huggingface_hub``, small files skip the per-file metadata ``HEAD``: the tree
listing already gives each file's ETag (LFS sha256 or git blob id) and size, so one ``GET`` is
enough, and the content is verified against that id before it enters the cache. Anything
surprising (another ETag on the wire, a hash mismatch) falls back to the usual ``HEAD`` path.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal, overload
from urllib.parse import quote

import httpx

from . import _http, constants
from ._paths import check_commit_hash, check_etag, filter_repo_objects, validate_relative_filename, validate_repo_id
from ._paths import validate_revision as _validate_revision
from ._progress import Progress
from ._transfer import ConsistencyError, EtagMismatch
from .cache.layout import read_ref, storage_folder, write_ref
from .cache.tree import TreeCacheEntry, read_tree_cache, tree_cache_folder_for_local_dir, write_tree_cache
from .download import DryRunFileInfo, _Job, _Remote, _run_job, accept_legacy_arguments, hf_hub_url
from .errors import (
    DryRunError,
    FileMetadataError,
    GatedRepoError,
    HfHubHTTPError,
    IncompleteSnapshotError,
    LocalEntryNotFoundError,
    OfflineModeIsEnabled,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

__all__ = ["snapshot_download"]

logger = logging.getLogger(__name__)

_API_TIMEOUT = 60  # seconds without a byte before giving up on the revision and tree calls


def _api_base(endpoint: str | None, repo_type: str, repo_id: str) -> str:
    return f"{(endpoint or constants.ENDPOINT).rstrip('/')}/api/{repo_type}s/{repo_id}"


def _resolve_commit(base: str, revision: str, headers: dict[str, str]) -> str:
    # Not retried, as in huggingface_hub: when the Hub is down, fall back to the cache at once.
    url = f"{base}/revision/{quote(revision, safe='')}"
    response = _http.get_session().get(url, headers=headers, timeout=_API_TIMEOUT)
    _http.raise_for_status(response)
    return check_commit_hash(response.json().get("sha"), f"Repo info from {url}")


def _list_files(base: str, commit: str, headers: dict[str, str]) -> dict[str, TreeCacheEntry]:
    url = f"{base}/tree/{quote(commit, safe='')}"
    entries: dict[str, TreeCacheEntry] = {}
    for item in _http.paginate(url, params={"recursive": "true", "expand": "false"}, headers=headers):
        if not isinstance(item, dict) or item.get("type") != "file":
            continue
        path, source = item["path"], f"Tree listing of {url}"
        validate_relative_filename(path)  # before anything is cached or written
        lfs = item.get("lfs") or None
        entries[path] = TreeCacheEntry(
            size=int(item["size"]),
            blob_id=check_etag(item["oid"], source),
            lfs_sha256=check_etag(lfs["oid"], source) if lfs else None,
            lfs_size=int(lfs["size"]) if lfs else None,
            xet_hash=item.get("xetHash"),
        )
    return entries


def _raise_if_incomplete(
    tree_folder: str,
    commit: str,
    base_dir: str,
    allow_patterns: list[str] | str | None,
    ignore_patterns: list[str] | str | None,
    repo_id: str,
    revision: str,
    error: Exception | None,
) -> None:
    """Offline, refuse a snapshot folder that the cached tree listing proves incomplete."""
    entries = read_tree_cache(tree_folder, commit)
    if entries is None:
        return  # nothing to compare with: the folder is taken as it is
    expected = filter_repo_objects(entries, allow_patterns=allow_patterns, ignore_patterns=ignore_patterns)
    missing = [p for p in expected if not os.path.isfile(os.path.join(base_dir, *p.split("/")))]
    if not missing:
        return
    sample = ", ".join(missing[:3]) + (f", ... ({len(missing) - 3} more)" if len(missing) > 3 else "")
    reason = (
        f"The Hub could not be reached ({type(error).__name__}: {error})."
        if error is not None
        else "Outgoing traffic is disabled (local_files_only=True)."
    )
    raise IncompleteSnapshotError(
        f"The cached snapshot of '{repo_id}' (revision '{revision}', commit {commit}) misses {len(missing)}"
        f" file(s): {sample}. {reason} Download again with network access to complete it.",
        snapshot_path=base_dir,
    ) from error


def _offline_answer(
    *,
    repo_id: str,
    revision: str,
    commit: str | None,
    storage: str,
    tree_folder: str,
    local_dir: str | None,
    local_files_only: bool,
    allow_patterns: list[str] | str | None,
    ignore_patterns: list[str] | str | None,
    error: Exception | None,
) -> str:
    """What the cache can offer when the Hub could not (or may not) be asked; else the right error."""
    if commit is None:
        commit = read_ref(storage, revision)
    if commit is not None and local_dir is None:
        snapshot = os.path.join(storage, "snapshots", commit)
        if os.path.isdir(snapshot):
            args = (allow_patterns, ignore_patterns, repo_id, revision, error)
            _raise_if_incomplete(tree_folder, commit, snapshot, *args)
            return snapshot
    if local_dir is not None and os.path.isdir(local_dir) and os.listdir(local_dir):
        if commit is not None:
            args = (allow_patterns, ignore_patterns, repo_id, revision, error)
            _raise_if_incomplete(tree_folder, commit, local_dir, *args)
        logger.warning("Returning the existing local_dir %s: the Hub cannot be reached (%s).", local_dir, error)
        return os.path.realpath(local_dir)
    if local_files_only:
        raise LocalEntryNotFoundError(
            "No cached snapshot for this revision and outgoing traffic has been disabled (local_files_only=True)."
        )
    if isinstance(error, OfflineModeIsEnabled):
        raise LocalEntryNotFoundError(
            "No cached snapshot for this revision and outgoing traffic has been disabled (HF_HUB_OFFLINE=1)."
        ) from error
    if isinstance(error, (RepositoryNotFoundError, GatedRepoError)) or (
        isinstance(error, HfHubHTTPError) and error.response.status_code == 401
    ):
        raise error
    raise LocalEntryNotFoundError(
        f"Got {type(error).__name__}: {error}\nThe Hub could not be reached to list the files, and no cached"
        " snapshot matches the revision. Check your connection and try again."
    ) from error


def _download_one(job: _Job) -> str | DryRunFileInfo:
    try:
        return _run_job(job)
    except (EtagMismatch, ConsistencyError, FileMetadataError) as err:
        if job.known is None:
            raise
        logger.info("Listing and server disagree on %s (%s): asking the Hub", job.filename, err)
        job.known = None
        return _run_job(job)


@overload
def snapshot_download(
    repo_id: str,
    *,
    repo_type: str | None = ...,
    revision: str | None = ...,
    cache_dir: str | Path | None = ...,
    local_dir: str | Path | None = ...,
    library_name: str | None = ...,
    library_version: str | None = ...,
    user_agent: dict[str, Any] | str | None = ...,
    etag_timeout: float = ...,
    force_download: bool = ...,
    token: bool | str | None = ...,
    local_files_only: bool = ...,
    allow_patterns: list[str] | str | None = ...,
    ignore_patterns: list[str] | str | None = ...,
    max_workers: int = ...,
    tqdm_class: Any = ...,
    headers: dict[str, str] | None = ...,
    endpoint: str | None = ...,
    dry_run: Literal[False] = ...,
) -> str: ...


@overload
def snapshot_download(
    repo_id: str,
    *,
    repo_type: str | None = ...,
    revision: str | None = ...,
    cache_dir: str | Path | None = ...,
    local_dir: str | Path | None = ...,
    library_name: str | None = ...,
    library_version: str | None = ...,
    user_agent: dict[str, Any] | str | None = ...,
    etag_timeout: float = ...,
    force_download: bool = ...,
    token: bool | str | None = ...,
    local_files_only: bool = ...,
    allow_patterns: list[str] | str | None = ...,
    ignore_patterns: list[str] | str | None = ...,
    max_workers: int = ...,
    tqdm_class: Any = ...,
    headers: dict[str, str] | None = ...,
    endpoint: str | None = ...,
    dry_run: Literal[True],
) -> list[DryRunFileInfo]: ...


@accept_legacy_arguments
def snapshot_download(
    repo_id: str,
    *,
    repo_type: str | None = None,
    revision: str | None = None,
    cache_dir: str | Path | None = None,
    local_dir: str | Path | None = None,
    library_name: str | None = None,
    library_version: str | None = None,
    user_agent: dict[str, Any] | str | None = None,
    etag_timeout: float = constants.DEFAULT_ETAG_TIMEOUT,
    force_download: bool = False,
    token: bool | str | None = None,
    local_files_only: bool = False,
    allow_patterns: list[str] | str | None = None,
    ignore_patterns: list[str] | str | None = None,
    max_workers: int = 8,
    tqdm_class: Any = None,
    headers: dict[str, str] | None = None,
    endpoint: str | None = None,
    dry_run: bool = False,
) -> str | list[DryRunFileInfo]:
    """Download every file of a repo at one revision (optionally filtered) and return the folder.

    Files land in the shared cache (``snapshots/{commit}/``) or in ``local_dir``. Offline or when
    the Hub is unreachable, a cached snapshot is returned if the cached tree listing shows it is
    complete.

    Args:
        repo_id: ``namespace/name`` of the repo.
        repo_type: ``"model"`` (default), ``"dataset"``, ``"space"`` or ``"kernel"``.
        revision: branch, tag, ``refs/pr/N`` or commit sha (default ``"main"``).
        cache_dir: the cache folder (default ``HF_HUB_CACHE``).
        local_dir: put the files under this folder instead of the cache.
        library_name, library_version, user_agent: added to the user-agent.
        etag_timeout: seconds for each metadata request.
        force_download: download even what is cached.
        token: token to send (``False``: none; ``None``: the configured one).
        local_files_only: never touch the network.
        allow_patterns: keep only paths matching one of these globs.
        ignore_patterns: drop paths matching one of these globs.
        max_workers: files downloaded at once.
        tqdm_class: progress bar class for the file count (a ``tqdm`` look-alike).
        headers: extra headers for every request.
        endpoint: Hub URL (default ``HF_ENDPOINT``).
        dry_run: only report what would happen, as a list of ``DryRunFileInfo``.

    Returns:
        The snapshot folder (or ``local_dir``), or the ``DryRunFileInfo`` list with ``dry_run=True``.

    Raises:
        RepositoryNotFoundError, GatedRepoError: the repo is missing or not accessible.
        RevisionNotFoundError: the revision does not exist.
        IncompleteSnapshotError: offline, and the cached snapshot is known to miss files.
        LocalEntryNotFoundError: offline or unreachable, and nothing suitable is cached.
        DryRunError: ``dry_run`` while the Hub cannot be reached.
        ValueError: invalid arguments, or a repo file name that would escape the target folder.
    """
    validate_repo_id(repo_id)
    cache = str(Path(cache_dir if cache_dir is not None else constants.HF_HUB_CACHE).expanduser().resolve())
    target = str(Path(local_dir).expanduser().resolve()) if local_dir is not None else None
    revision = revision or constants.DEFAULT_REVISION
    _validate_revision(revision)
    repo_type = repo_type or "model"
    if repo_type not in constants.REPO_TYPES_WITH_KERNEL:
        raise ValueError(f"Invalid repo type: {repo_type}. Accepted: {constants.REPO_TYPES_WITH_KERNEL}")
    storage = storage_folder(cache, repo_id, repo_type)
    tree_folder = tree_cache_folder_for_local_dir(target) if target is not None else storage
    hf_headers = _http.build_hf_headers(
        token=token, library_name=library_name, library_version=library_version, user_agent=user_agent, headers=headers
    )
    if constants.HF_HUB_ETAG_TIMEOUT != constants.DEFAULT_ETAG_TIMEOUT:
        etag_timeout = constants.HF_HUB_ETAG_TIMEOUT

    commit: str | None = revision if constants.REGEX_COMMIT_HASH.fullmatch(revision) else None
    entries: dict[str, TreeCacheEntry] | None = None
    error: Exception | None = None
    if not local_files_only:
        base = _api_base(endpoint, repo_type, repo_id)
        try:
            with _http.download_call():
                if commit is None:
                    commit = _resolve_commit(base, revision, hf_headers)
                entries = read_tree_cache(tree_folder, commit)
                if entries is None:
                    entries = _list_files(base, commit, hf_headers)
                    if not dry_run:
                        write_tree_cache(tree_folder, commit, entries)
        except httpx.ProxyError:
            raise
        except (httpx.ConnectError, httpx.TimeoutException, OfflineModeIsEnabled) as err:
            error = err
        except RevisionNotFoundError:
            raise
        except HfHubHTTPError as err:
            error = err

    if entries is None or local_files_only:
        if dry_run:
            raise DryRunError("A dry run needs the Hub, which cannot be reached (connection or token).") from error
        return _offline_answer(
            repo_id=repo_id,
            revision=revision,
            commit=commit,
            storage=storage,
            tree_folder=tree_folder,
            local_dir=target,
            local_files_only=local_files_only,
            allow_patterns=allow_patterns,
            ignore_patterns=ignore_patterns,
            error=error,
        )
    assert commit is not None

    for path in entries:  # a listing read back from disk is checked as well
        validate_relative_filename(path)
    wanted = list(filter_repo_objects(entries, allow_patterns=allow_patterns, ignore_patterns=ignore_patterns))
    if entries and not wanted and (allow_patterns is not None or ignore_patterns is not None):
        logger.warning("No files matched allow_patterns=%r ignore_patterns=%r.", allow_patterns, ignore_patterns)
    try:
        write_ref(storage, revision, commit)
    except OSError as err:
        logger.warning("Could not record refs/%s: %s", revision, err)

    def job_for(path: str) -> _Job:
        entry = entries[path]
        known = None
        # Big files keep the HEAD: it reveals a CDN location, where parallel ranges work best.
        if entry.file_size <= constants.HUBKIT_PARALLEL_THRESHOLD:
            url = hf_hub_url(repo_id, path, repo_type=repo_type, revision=commit, endpoint=endpoint)
            known = _Remote(url, entry.etag, commit, entry.file_size, dict(hf_headers), True, from_listing=True)
        return _Job(
            repo_id=repo_id,
            repo_type=repo_type,
            revision=commit,
            filename=path,
            endpoint=endpoint,
            headers=hf_headers,
            cache_dir=cache,
            local_dir=target,
            force_download=force_download,
            local_files_only=False,
            etag_timeout=etag_timeout,
            tqdm_class=None,
            dry_run=dry_run,
            known=known,
            silent=True,
        )

    desc = f"{'[dry-run] ' if dry_run else ''}Fetching {len(wanted)} files"
    progress = Progress.create(tqdm_class, total=len(wanted), desc=desc)
    results: list[str | DryRunFileInfo] = []

    def one(path: str) -> None:
        results.append(_download_one(job_for(path)))
        progress.update(1)

    pool = ThreadPoolExecutor(max_workers=max(1, max_workers), thread_name_prefix="hubkit-snapshot")
    try:
        for future in [pool.submit(one, path) for path in wanted]:
            future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # after a failure, do not start the rest
        progress.close()

    if dry_run:
        return [r for r in results if isinstance(r, DryRunFileInfo)]
    if target is not None:
        return os.path.realpath(target)
    return os.path.join(storage, "snapshots", commit)
