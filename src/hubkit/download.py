"""``hf_hub_download`` and its helpers: file URLs, file metadata, cache and ``local_dir`` downloads.

The algorithm is the one of ``huggingface_hub`` (hub-protocol.md §2-3): a metadata ``HEAD`` on
the resolve URL gives the commit, the ETag (the blob's name in the cache) and the size; the
content is then fetched by ``_transfer`` into a private temporary file, verified, and renamed
into ``blobs/{etag}``, with ``snapshots/{commit}/{path}`` linking to it. When the Hub cannot be
reached the cache answers instead, following the same fallback rules.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import shutil
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar, overload
from urllib.parse import quote

import httpx

from . import _http, _xet, constants
from ._paths import check_commit_hash, check_etag, repo_folder_name, validate_relative_filename, validate_repo_id
from ._paths import validate_revision as _validate_revision
from ._transfer import ConsistencyError, Transfer, check_content, fetch
from .cache.layout import (
    are_symlinks_supported,
    create_cachedir_tag,
    link_or_copy,
    mark_missing,
    pointer_path,
    read_ref,
    storage_folder,
    try_to_load_from_cache,
    unique_suffix,
    weak_file_lock,
    write_ref,
)
from .cache.local_dir import get_local_download_paths, read_download_metadata, write_download_metadata
from .errors import (
    FileMetadataError,
    GatedRepoError,
    HfHubHTTPError,
    LocalEntryNotFoundError,
    OfflineModeIsEnabled,
    RemoteEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

__all__ = [
    "DryRunFileInfo",
    "HfFileMetadata",
    "XetFileData",
    "get_hf_file_metadata",
    "hf_hub_download",
    "hf_hub_url",
    "repo_folder_name",
    "try_to_load_from_cache",
]

logger = logging.getLogger(__name__)

_ETAG_RETRY_TIMEOUT = 60  # the second metadata attempt, when nothing is cached, is more patient


class _Unset:
    def __repr__(self) -> str:
        return "<from HF_HUB_ETAG_TIMEOUT>"


_UNSET: Any = _Unset()


@dataclass(frozen=True)
class XetFileData:
    """Xet identifiers announced by a Hub for a file (downloaded through hf_xet when installed)."""

    file_hash: str
    refresh_route: str


@dataclass(frozen=True)
class HfFileMetadata:
    """What a metadata request says about a file (returned by ``get_hf_file_metadata``).

    ``etag`` is normalised (no ``W/``, no quotes); ``location`` is where the content is (the URL
    itself, or a redirect target such as a CDN); ``size`` is the content size (LFS: the real
    file, not its pointer).
    """

    commit_hash: str | None
    etag: str | None
    location: str
    size: int | None
    xet_file_data: XetFileData | None = None


@dataclass
class DryRunFileInfo:
    """What ``hf_hub_download(..., dry_run=True)`` would do for one file."""

    commit_hash: str
    file_size: int | None
    filename: str
    local_path: str
    is_cached: bool
    will_download: bool


def hf_hub_url(
    repo_id: str,
    filename: str,
    *,
    subfolder: str | None = None,
    repo_type: str | None = None,
    revision: str | None = None,
    endpoint: str | None = None,
) -> str:
    """The resolve URL of a file: ``{endpoint}/{prefix}{repo_id}/resolve/{revision}/{filename}``.

    The revision is percent-encoded entirely (``refs/pr/1`` → ``refs%2Fpr%2F1``); the file path
    keeps its ``/``. ``endpoint`` defaults to ``HF_ENDPOINT``.
    """
    validate_repo_id(repo_id)
    if subfolder:
        filename = f"{subfolder}/{filename}"
    if repo_type not in constants.REPO_TYPES_WITH_KERNEL:
        raise ValueError("Invalid repo type")
    prefix = constants.REPO_TYPES_URL_PREFIXES.get(repo_type or "model", "")
    base = (endpoint or constants.ENDPOINT).rstrip("/")
    rev = quote(revision or constants.DEFAULT_REVISION, safe="")
    return f"{base}/{prefix}{repo_id}/resolve/{rev}/{quote(filename)}"


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value is not None and int(value) >= 0 else None
    except ValueError:
        return None


def _normalize_etag(etag: str | None) -> str | None:
    # a character-set strip, as huggingface_hub does: lstrip("W/") then the quotes
    return None if etag is None else etag.lstrip("W/").strip('"')


def _xet_data(response: httpx.Response) -> XetFileData | None:
    file_hash = response.headers.get("x-xet-hash")
    link = response.links.get("xet-auth", {}).get("url") if response.headers.get("link") else None
    route = link or response.headers.get("x-xet-refresh-route")
    return XetFileData(file_hash, route) if file_hash and route else None


def _metadata_from_response(response: httpx.Response) -> HfFileMetadata:
    headers = response.headers
    return HfFileMetadata(
        commit_hash=headers.get(constants.HUGGINGFACE_HEADER_X_REPO_COMMIT),
        etag=_normalize_etag(headers.get(constants.HUGGINGFACE_HEADER_X_LINKED_ETAG) or headers.get("etag")),
        location=headers.get("location") or str(response.request.url),
        size=_int_or_none(
            headers.get(constants.HUGGINGFACE_HEADER_X_LINKED_SIZE)
            or (None if response.is_redirect else headers.get("content-length"))
        ),
        xet_file_data=_xet_data(response),
    )


def get_hf_file_metadata(
    url: str,
    token: bool | str | None = None,
    timeout: float | None = _UNSET,
    library_name: str | None = None,
    library_version: str | None = None,
    user_agent: dict[str, Any] | str | None = None,
    headers: dict[str, str] | None = None,
    endpoint: str | None = None,
    retry_on_errors: bool = False,
) -> HfFileMetadata:
    """Fetch a file's metadata with a ``HEAD`` on its URL (see ``hf_hub_url``).

    Redirects are followed only while they stay on the same origin; a redirect elsewhere (a
    CDN) is itself the answer, and its ``Location`` is the download location.

    Args:
        url: the file URL.
        token: token to send (``False``: none; ``None``: the configured one).
        timeout: seconds to wait for the answer (default ``HF_HUB_ETAG_TIMEOUT``).
        library_name, library_version, user_agent: added to the user-agent.
        headers: extra headers, sent last.
        endpoint: unused, accepted for compatibility.
        retry_on_errors: retry 429/5xx, timeouts and network errors with backoff.

    Raises:
        RepositoryNotFoundError, GatedRepoError, RevisionNotFoundError, RemoteEntryNotFoundError,
        HfHubHTTPError: as answered by the Hub.
    """
    if timeout is _UNSET:
        timeout = constants.HF_HUB_ETAG_TIMEOUT
    hf_headers = _http.build_hf_headers(
        token=token, library_name=library_name, library_version=library_version, user_agent=user_agent, headers=headers
    )
    return _head(url, hf_headers, timeout, retry_on_errors)


def _head(url: str, hf_headers: dict[str, str], timeout: float | None, retry: bool) -> HfFileMetadata:
    headers = {**hf_headers, "Accept-Encoding": "identity"}  # the size must be the real one
    response = _http.head_following_same_origin(url, headers=headers, timeout=timeout, retry_on_errors=retry)
    return _metadata_from_response(response)


# --- the shared algorithm ------------------------------------------------------------------


@dataclass
class _Remote:
    """Where and what to download, once the metadata is known and checked."""

    url: str
    etag: str
    commit_hash: str
    size: int | None
    headers: dict[str, str]  # for the GET: no token if the content is on another origin
    same_origin: bool
    from_listing: bool = False
    xet: XetFileData | None = None  # when the Hub offers the file through its Xet CAS


@dataclass
class _Job:
    """One file to materialise, with every argument of the public call normalised."""

    repo_id: str
    repo_type: str
    revision: str
    filename: str
    endpoint: str | None
    headers: dict[str, str]
    cache_dir: str
    local_dir: str | None
    force_download: bool
    local_files_only: bool
    etag_timeout: float
    tqdm_class: Any
    dry_run: bool
    known: _Remote | None = None  # metadata already known (from a tree listing): no HEAD
    silent: bool = field(default=False)

    @property
    def url(self) -> str:
        return hf_hub_url(
            self.repo_id, self.filename, repo_type=self.repo_type, revision=self.revision, endpoint=self.endpoint
        )

    @property
    def storage(self) -> str:
        return storage_folder(self.cache_dir, self.repo_id, self.repo_type)


_FALLBACK_ERRORS = (httpx.ConnectError, httpx.TimeoutException, OfflineModeIsEnabled, FileMetadataError)


def _remote_or_error(job: _Job, *, retry: bool = False) -> tuple[_Remote | None, Exception | None]:
    """The checked metadata of ``job``'s file, or the error that the cache may make up for."""
    if job.local_files_only:
        return None, OfflineModeIsEnabled(
            f"Cannot access {job.filename} of {job.repo_id} since local_files_only=True was passed."
        )
    if job.known is not None:
        return job.known, None
    url = job.url
    try:
        try:
            meta = _head(url, job.headers, _ETAG_RETRY_TIMEOUT if retry else job.etag_timeout, retry)
        except RemoteEntryNotFoundError as missing:
            commit = missing.response.headers.get(constants.HUGGINGFACE_HEADER_X_REPO_COMMIT)
            if job.local_dir is None and commit is not None:
                with contextlib.suppress(FileMetadataError, OSError, ValueError):
                    check_commit_hash(commit, url)
                    mark_missing(job.storage, commit, job.filename)
                    write_ref(job.storage, job.revision, commit)
            raise
        commit = check_commit_hash(meta.commit_hash, f"Response from {url}")
        etag = check_etag(meta.etag, f"Response from {url}")
        headers = dict(job.headers)
        same = _http.same_origin(url, meta.location)
        if not same:
            headers.pop("authorization", None)  # signed CDN URLs need no token, and must not see it
        return _Remote(meta.location, etag, commit, meta.size, headers, same, xet=meta.xet_file_data), None
    except httpx.ProxyError:
        raise
    except (RevisionNotFoundError, RemoteEntryNotFoundError):
        raise
    except (*_FALLBACK_ERRORS, HfHubHTTPError) as err:
        err.__traceback__ = None  # returned, not raised: do not keep the frames alive
        return None, err


def _retryable(err: Exception) -> bool:
    if isinstance(err, _http.RETRY_ON_EXCEPTIONS):
        return True
    return isinstance(err, HfHubHTTPError) and err.response.status_code in _http.RETRY_ON_STATUS_CODES


def _raise_head_error(err: Exception, force_download: bool, local_files_only: bool) -> None:
    if force_download:
        if local_files_only:
            raise ValueError("Cannot pass 'force_download=True' and 'local_files_only=True' at the same time.")
        if isinstance(err, OfflineModeIsEnabled):
            raise ValueError("Cannot pass 'force_download=True' when offline mode is enabled.") from err
        raise ValueError("Force download failed due to the above error.") from err
    if local_files_only:
        raise LocalEntryNotFoundError(
            "Cannot find the requested file in the local cache and outgoing traffic has been disabled"
            " (local_files_only=True)."
        )
    if isinstance(err, (RepositoryNotFoundError, GatedRepoError)) or (
        isinstance(err, HfHubHTTPError) and err.response.status_code == 401
    ):
        raise err
    if isinstance(err, FileMetadataError):
        raise LocalEntryNotFoundError(f"{err} The file is not in the local cache either.") from err
    raise LocalEntryNotFoundError(
        "The Hub could not be reached to locate the file and it is not in the local cache."
        " Check your connection (or HF_HUB_OFFLINE) and try again."
    ) from err


def _publish_atomically(src: str | Path, dst: str | Path) -> None:
    """Copy ``src`` over ``dst`` so that readers never see a half-written ``dst``."""
    tmp = f"{dst}.{unique_suffix()}.tmp"
    try:
        shutil.copyfile(src, tmp)
        os.replace(tmp, dst)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _transfer(job: _Job, remote: _Remote, incomplete_base: Path) -> Path:
    if remote.size is not None:
        _check_disk_space(remote.size, str(incomplete_base.parent))
    if remote.xet is not None and _xet.is_xet_available():
        return _xet_transfer(job, remote, incomplete_base)
    return fetch(
        Transfer(
            url=remote.url,
            headers=remote.headers,
            etag=remote.etag,
            expected_size=remote.size,
            incomplete_base=incomplete_base,
            displayed_filename=job.filename,
            tqdm_class=job.tqdm_class,
            use_if_range=remote.same_origin,
            check_etag_header=remote.from_listing,
            progress=_silent() if job.silent else None,
        )
    )


def _xet_transfer(job: _Job, remote: _Remote, incomplete_base: Path) -> Path:
    """Reconstruct the file through hf_xet, then check it as an HTTP download would be checked
    (hf_xet trusts the CAS; we check size and content id before the file enters the cache)."""
    assert remote.xet is not None
    tmp = incomplete_base.with_name(f"{incomplete_base.stem}.{os.urandom(4).hex()}.incomplete")
    progress = _silent() if job.silent else _progress_for(job, remote)
    try:
        _xet.download_xet_file(
            xet_hash=remote.xet.file_hash,
            size=remote.size,
            refresh_url=remote.xet.refresh_route,
            headers=job.headers,  # the refresh route is on the Hub: it takes the token
            dest=str(tmp),
            progress=progress.update,
        )
        size = tmp.stat().st_size
        if remote.size is not None and size != remote.size:
            raise ConsistencyError(f"Consistency check failed: Xet wrote {size} bytes, expected {remote.size}.")
        check_content(tmp, remote.etag, size)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    finally:
        progress.close()
    return tmp


def _progress_for(job: _Job, remote: _Remote) -> Any:
    from ._progress import Progress

    return Progress.for_file(job.tqdm_class, job.filename, remote.size)


def _silent() -> Any:
    from ._progress import Progress

    return Progress.silent()


def _dry(commit: str, size: int | None, job: _Job, path: str, cached: bool, will: bool) -> DryRunFileInfo:
    return DryRunFileInfo(
        commit_hash=commit, file_size=size, filename=job.filename, local_path=path, is_cached=cached, will_download=will
    )


def _to_cache(job: _Job) -> str | DryRunFileInfo:
    storage = job.storage
    if constants.REGEX_COMMIT_HASH.fullmatch(job.revision):
        pointer = pointer_path(storage, job.revision, job.filename)
        if os.path.exists(pointer):
            if job.dry_run:
                return _dry(job.revision, os.path.getsize(pointer), job, pointer, True, job.force_download)
            if not job.force_download:
                return pointer

    remote, err = _remote_or_error(job)
    if err is not None:
        if not job.force_download:
            commit = (
                job.revision if constants.REGEX_COMMIT_HASH.fullmatch(job.revision) else read_ref(storage, job.revision)
            )
            if commit is not None:
                with contextlib.suppress(ValueError):
                    pointer = pointer_path(storage, commit, job.filename)
                    if os.path.exists(pointer):
                        if job.dry_run:
                            return _dry(commit, os.path.getsize(pointer), job, pointer, True, False)
                        return pointer
            if _retryable(err):
                logger.info("File not cached: asking the Hub again")
                remote, err = _remote_or_error(job, retry=True)
        if err is not None:
            _raise_head_error(err, job.force_download, job.local_files_only)
    assert remote is not None

    blob = os.path.join(storage, "blobs", remote.etag)
    pointer = pointer_path(storage, remote.commit_hash, job.filename)
    if job.dry_run:
        cached = os.path.exists(pointer) or os.path.exists(blob)
        return _dry(remote.commit_hash, remote.size, job, pointer, cached, job.force_download or not cached)
    if not job.force_download and os.path.exists(pointer):
        with contextlib.suppress(OSError):  # a read-only cache that is up to date must keep working
            write_ref(storage, job.revision, remote.commit_hash)
        return pointer

    os.makedirs(os.path.dirname(blob), exist_ok=True)
    create_cachedir_tag(job.cache_dir)
    write_ref(storage, job.revision, remote.commit_hash)
    symlinks = are_symlinks_supported(job.cache_dir)
    folder = repo_folder_name(repo_id=job.repo_id, repo_type=job.repo_type)
    lock = os.path.join(job.cache_dir, ".locks", folder, f"{remote.etag}.lock")
    with weak_file_lock(lock):
        if job.force_download or not os.path.exists(blob):
            tmp = _transfer(job, remote, Path(f"{blob}.incomplete"))
            try:
                if symlinks:
                    os.replace(tmp, blob)
                    link_or_copy(blob, pointer, new_blob=True, symlinks=True)
                else:  # the snapshot holds the only copy, as huggingface_hub does without symlinks
                    os.makedirs(os.path.dirname(pointer), exist_ok=True)
                    os.replace(tmp, pointer)
            finally:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
        elif not os.path.exists(pointer) or job.force_download:
            link_or_copy(blob, pointer, new_blob=False, symlinks=symlinks)
    return pointer


def _sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb", buffering=0) as f:
        while block := f.read(8 * 1024 * 1024):
            h.update(block)
    return h.hexdigest()


def _to_local_dir(job: _Job) -> str | DryRunFileInfo:
    assert job.local_dir is not None
    local_dir = Path(job.local_dir)
    paths = get_local_download_paths(local_dir, job.filename)
    local_meta = read_download_metadata(local_dir, job.filename)
    file_path = str(paths.file_path)
    is_sha = constants.REGEX_COMMIT_HASH.fullmatch(job.revision) is not None
    if is_sha and paths.file_path.is_file() and local_meta is not None and local_meta.commit_hash == job.revision:
        if job.dry_run:
            return _dry(job.revision, os.path.getsize(file_path), job, file_path, True, job.force_download)
        if not job.force_download:
            return file_path

    remote, err = _remote_or_error(job)
    if err is not None:
        if paths.file_path.is_file():
            if job.dry_run or not job.force_download:
                logger.warning("Could not reach the Hub (%s): using the existing file %s", err, file_path)
            if job.dry_run and local_meta is not None:
                return _dry(
                    local_meta.commit_hash, os.path.getsize(file_path), job, file_path, True, job.force_download
                )
            if not job.force_download:
                return file_path
        elif not job.force_download and _retryable(err):
            remote, err = _remote_or_error(job, retry=True)
        if err is not None:
            _raise_head_error(err, job.force_download, job.local_files_only)
    assert remote is not None

    if not job.force_download and paths.file_path.is_file():
        up_to_date = local_meta is not None and local_meta.etag == remote.etag
        if not up_to_date and local_meta is None and constants.REGEX_SHA256.fullmatch(remote.etag):
            up_to_date = _sha256_of(paths.file_path) == remote.etag  # an LFS file: its hash is its etag
        if up_to_date:
            write_download_metadata(local_dir, job.filename, remote.commit_hash, remote.etag)
            if job.dry_run:
                return _dry(remote.commit_hash, remote.size, job, file_path, True, False)
            return file_path

    if not job.force_download:
        cached = try_to_load_from_cache(
            job.repo_id, job.filename, cache_dir=job.cache_dir, revision=remote.commit_hash, repo_type=job.repo_type
        )
        if isinstance(cached, str):
            if job.dry_run:
                return _dry(remote.commit_hash, remote.size, job, file_path, True, False)
            with weak_file_lock(paths.lock_path):
                _publish_atomically(cached, file_path)
            write_download_metadata(local_dir, job.filename, remote.commit_hash, remote.etag)
            return file_path

    if job.dry_run:
        return _dry(remote.commit_hash, remote.size, job, file_path, paths.file_path.is_file(), True)
    with weak_file_lock(paths.lock_path):
        tmp = _transfer(job, remote, paths.incomplete_path(remote.etag))
        try:
            os.replace(tmp, file_path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    write_download_metadata(local_dir, job.filename, remote.commit_hash, remote.etag)
    return file_path


def _run_job(job: _Job) -> str | DryRunFileInfo:
    validate_relative_filename(job.filename)
    with _http.download_call():
        return _to_local_dir(job) if job.local_dir is not None else _to_cache(job)


def _check_disk_space(expected: int, folder: str) -> None:
    with contextlib.suppress(OSError):
        free = shutil.disk_usage(folder).free
        if free < expected:
            warnings.warn(
                f"Not enough free disk space to download the file: {expected / 1e6:.2f} MB expected,"
                f" {free / 1e6:.2f} MB free in {folder}.",
                stacklevel=3,
            )


# --- the public function -------------------------------------------------------------------

_F = TypeVar("_F")
_LEGACY_ARGUMENTS = {
    "proxies": "configure proxies with HTTP(S)_PROXY or hubkit.set_client_factory",
    "resume_download": "downloads always resume when they can",
    "force_filename": "files keep their name in the repo",
    "local_dir_use_symlinks": "local_dir downloads never use symlinks",
}


def accept_legacy_arguments(fn: _F) -> _F:
    """Ignore, with a warning, the arguments huggingface_hub accepts for backward compatibility."""

    @functools.wraps(fn)  # type: ignore[arg-type]
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        for name, why in _LEGACY_ARGUMENTS.items():
            if kwargs.pop(name, None) is not None:
                warnings.warn(f"The `{name}` argument is ignored: {why}.", FutureWarning, stacklevel=2)
        return fn(*args, **kwargs)  # type: ignore[operator]

    return wrapper  # type: ignore[return-value]


@overload
def hf_hub_download(
    repo_id: str,
    filename: str,
    *,
    subfolder: str | None = ...,
    repo_type: str | None = ...,
    revision: str | None = ...,
    library_name: str | None = ...,
    library_version: str | None = ...,
    cache_dir: str | Path | None = ...,
    local_dir: str | Path | None = ...,
    user_agent: dict[str, Any] | str | None = ...,
    force_download: bool = ...,
    etag_timeout: float = ...,
    token: bool | str | None = ...,
    local_files_only: bool = ...,
    headers: dict[str, str] | None = ...,
    endpoint: str | None = ...,
    tqdm_class: Any = ...,
    dry_run: Literal[False] = ...,
) -> str: ...


@overload
def hf_hub_download(
    repo_id: str,
    filename: str,
    *,
    subfolder: str | None = ...,
    repo_type: str | None = ...,
    revision: str | None = ...,
    library_name: str | None = ...,
    library_version: str | None = ...,
    cache_dir: str | Path | None = ...,
    local_dir: str | Path | None = ...,
    user_agent: dict[str, Any] | str | None = ...,
    force_download: bool = ...,
    etag_timeout: float = ...,
    token: bool | str | None = ...,
    local_files_only: bool = ...,
    headers: dict[str, str] | None = ...,
    endpoint: str | None = ...,
    tqdm_class: Any = ...,
    dry_run: Literal[True],
) -> DryRunFileInfo: ...


@accept_legacy_arguments
def hf_hub_download(
    repo_id: str,
    filename: str,
    *,
    subfolder: str | None = None,
    repo_type: str | None = None,
    revision: str | None = None,
    library_name: str | None = None,
    library_version: str | None = None,
    cache_dir: str | Path | None = None,
    local_dir: str | Path | None = None,
    user_agent: dict[str, Any] | str | None = None,
    force_download: bool = False,
    etag_timeout: float = constants.DEFAULT_ETAG_TIMEOUT,
    token: bool | str | None = None,
    local_files_only: bool = False,
    headers: dict[str, str] | None = None,
    endpoint: str | None = None,
    tqdm_class: Any = None,
    dry_run: bool = False,
) -> str | DryRunFileInfo:
    """Download a file of a Hub repo into the cache (or ``local_dir``) unless it is already there.

    The cache is the one of ``huggingface_hub`` (``models--org--name/{blobs,refs,snapshots}``),
    so files cached by either library are found by the other. Offline (``HF_HUB_OFFLINE``,
    ``local_files_only``) or when the Hub is unreachable, the cached copy is returned if any.

    Args:
        repo_id: ``namespace/name`` of the repo.
        filename: path of the file in the repo.
        subfolder: folder inside the repo, prefixed to ``filename``.
        repo_type: ``"model"`` (default), ``"dataset"``, ``"space"`` or ``"kernel"``.
        revision: branch, tag, ``refs/pr/N`` or commit sha (default ``"main"``).
        library_name, library_version, user_agent: added to the user-agent.
        cache_dir: the cache folder (default ``HF_HUB_CACHE``).
        local_dir: put the file at ``local_dir/filename`` instead of the cache.
        force_download: download even if cached.
        etag_timeout: seconds for the metadata request (``HF_HUB_ETAG_TIMEOUT`` wins when set).
        token: token to send (``False``: none; ``None``: the configured one).
        local_files_only: never touch the network.
        headers: extra headers for every request.
        endpoint: Hub URL (default ``HF_ENDPOINT``).
        tqdm_class: progress bar class (a ``tqdm`` look-alike).
        dry_run: only report what would happen, as a ``DryRunFileInfo``.

    Returns:
        The local path of the file, or a ``DryRunFileInfo`` with ``dry_run=True``.

    Raises:
        RepositoryNotFoundError: the repo does not exist or is not visible with this token.
        GatedRepoError: the repo is gated and access was not granted.
        RevisionNotFoundError: the revision does not exist.
        RemoteEntryNotFoundError: the file does not exist at that revision.
        LocalEntryNotFoundError: the Hub cannot be reached (or may not be) and the file is not cached.
        ValueError: invalid arguments, or a file name that would escape the cache.
        OSError: the downloaded content does not match its size or hash, even after a retry.
    """
    validate_repo_id(repo_id)
    if constants.HF_HUB_ETAG_TIMEOUT != constants.DEFAULT_ETAG_TIMEOUT:
        etag_timeout = constants.HF_HUB_ETAG_TIMEOUT  # the environment wins over the argument
    revision = revision or constants.DEFAULT_REVISION
    _validate_revision(revision)
    if subfolder:
        filename = f"{subfolder}/{filename}"
    repo_type = repo_type or "model"
    if repo_type not in constants.REPO_TYPES_WITH_KERNEL:
        raise ValueError(f"Invalid repo type: {repo_type}. Accepted: {constants.REPO_TYPES_WITH_KERNEL}")
    job = _Job(
        repo_id=repo_id,
        repo_type=repo_type,
        revision=revision,
        filename=filename,
        endpoint=endpoint,
        headers=_http.build_hf_headers(
            token=token,
            library_name=library_name,
            library_version=library_version,
            user_agent=user_agent,
            headers=headers,
        ),
        cache_dir=str(Path(cache_dir if cache_dir is not None else constants.HF_HUB_CACHE).expanduser().resolve()),
        local_dir=str(Path(local_dir).expanduser().resolve()) if local_dir is not None else None,
        force_download=force_download,
        local_files_only=local_files_only,
        etag_timeout=etag_timeout,
        tqdm_class=tqdm_class,
        dry_run=dry_run,
    )
    return _run_job(job)
