"""``HfFileSystem``: the repos of a Hub as an fsspec filesystem (``hf://``).

Paths are ``[datasets/|spaces/]namespace/name[@revision]/path`` (see ``paths.py``). fsspec derives
``glob``, ``walk``, ``du``, ``expand_path``... from a few primitives; this class implements them on
the Hub's HTTP API: tree listings (``ls``, ``find``), paths-info (``info``), ranged GETs on resolve
URLs (``open``, ``cat_file``), the cache-aware downloader (``get_file``) and commits (writes, in
``writes.py``).

Listings are kept per instance in ``dircache`` (fsspec's ``DirCache``: ``use_listings_cache``,
``listings_expiry_time``, ``max_paths`` apply) until ``invalidate_cache`` or a write through this
instance. Instances are shared per (arguments, endpoint, configured token, thread, process).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import fsspec
from fsspec.callbacks import DEFAULT_CALLBACK, Callback
from fsspec.utils import isfilelike

from .. import _http, constants
from .._auth import get_token
from .._paths import validate_relative_filename
from ..api import HfApi
from ..api._base import quote_segment
from ..api.types import LastCommitInfo
from ..api.types_refs import parse_git_commit
from ..download import hf_hub_download, hf_hub_url
from ..errors import (
    HfHubHTTPError,
    HFValidationError,
    RemoteEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from ._errors import raise_file_not_found
from .file import HfFileSystemFile, HfFileSystemStreamFile
from .listing import Lister, entry_info, parent_of
from .paths import HfFileSystemResolvedPath, parse_path, repo_root
from .writes import HubTransaction, WriteMixin

__all__ = ["HfFileSystem"]

_Listing = list[dict[str, Any]]


class _CachedPerHub(type(fsspec.AbstractFileSystem)):  # type: ignore[misc]
    """fsspec's instance cache, also keyed by the configured endpoint and token.

    fsspec already keys instances by their arguments, thread and process. ``HfFileSystem()``
    without arguments talks to ``HF_ENDPOINT`` with the configured token: once either changes,
    the next call must not hand back an instance (and listings) made for the other hub or user.
    """

    @property
    def _hub_config(cls) -> tuple[str, str]:
        token = get_token()
        return constants.ENDPOINT, hashlib.sha256(token.encode()).hexdigest()[:16] if token else ""


class HfFileSystem(WriteMixin, fsspec.AbstractFileSystem, metaclass=_CachedPerHub):
    """The repos of a Hub as a filesystem, for fsspec users (pandas, pyarrow, datasets, dask...).

    Paths: ``hf://[datasets/|spaces/]namespace/name[@revision]/path`` (``hf://`` is optional
    here); a revision with ``/`` is percent-encoded (``@feature%2Fx``), except ``refs/pr/N`` and
    ``refs/convert/name``.

    Args:
        endpoint: the Hub's URL (default ``HF_ENDPOINT``, else https://huggingface.co).
        token: a token, ``False`` for none, ``None`` for the configured one.
        block_size: default block size of opened files (``0``: stream, no random access).
        expand_info: list with each entry's last commit (slower); default ``False``.
        max_workers: requests in flight at once when listing big trees and downloading many files.
        live_follow: accepted for compatibility with huggingface_hub (buckets only); no effect.
        **storage_options: fsspec options (``use_listings_cache``, ``listings_expiry_time``...).

    Writes are commits: ``open(path, "wb")`` commits on close, ``put``/``copy``/``rm``/``mv``
    make one commit per repo, and so does a ``with fs.transaction:`` block.
    """

    root_marker = ""
    protocol = "hf"
    transaction_type = HubTransaction
    _extra_tokenize_attributes = ("_hub_config",)

    def __init__(
        self,
        *args: Any,
        endpoint: str | None = None,
        token: bool | str | None = None,
        block_size: int | None = None,
        expand_info: bool | None = None,
        max_workers: int = 16,
        live_follow: bool | None = None,
        **storage_options: Any,
    ) -> None:
        super().__init__(*args, **storage_options)
        self.endpoint = (endpoint or constants.ENDPOINT).rstrip("/")
        self.token = token
        self._api = HfApi(endpoint=self.endpoint, token=token)
        self.block_size = block_size
        self.expand_info = expand_info
        self.max_workers = max(1, max_workers)
        # Ranged GETs in flight per open file. Two keep a remote link busy; more only add thread
        # contention when client and server share a few cores (measured in bench/fs).
        self.read_workers = min(self.max_workers, 2)
        self.live_follow = live_follow
        # (repo type, repo id, revision or None) -> (exists, the error saying why not)
        self._repo_cache: dict[tuple[str, str, str | None], tuple[bool, Exception | None]] = {}
        self._write_ok: set[tuple[str, str]] = set()
        self._batch_state = threading.local()

    # --- paths -----------------------------------------------------------------------------------

    def resolve_path(self, path: str, revision: str | None = None) -> HfFileSystemResolvedPath:
        """Split a path into repo type, repo id, revision and path in the repo.

        The repo and the revision are checked on the Hub (once per instance, then cached).

        Raises:
            FileNotFoundError: the repo or the revision does not exist (or is not visible).
            ValueError: a malformed path, or a revision in the path that contradicts ``revision``.
            NotImplementedError: the empty path (listing repos) and buckets.
        """
        parsed = parse_path(self._strip_protocol(path))
        if revision is not None and parsed.revision is not None and parsed.revision != revision:
            raise ValueError(
                f'Revision specified in path ("{parsed.revision}") and in `revision` argument ("{revision}") are not'
                " the same."
            )
        wanted = revision if revision is not None else parsed.revision
        exists, err = self._repo_and_revision_exist(parsed.repo_type, parsed.repo_id, wanted)
        if not exists:
            raise_file_not_found(self._strip_protocol(path), err)
        return HfFileSystemResolvedPath(
            parsed.repo_type, parsed.repo_id, wanted or constants.DEFAULT_REVISION, parsed.path_in_repo,
            _raw_revision=parsed.raw_revision if wanted == parsed.revision else None,
        )  # fmt: skip

    def _repo_and_revision_exist(
        self, repo_type: str, repo_id: str, revision: str | None
    ) -> tuple[bool, Exception | None]:
        key = (repo_type, repo_id, revision)
        if key not in self._repo_cache:
            try:
                # expand=sha keeps the answer small (no list of every file of the repo)
                self._api.repo_info(
                    repo_id, revision=revision, repo_type=repo_type, timeout=constants.HF_HUB_ETAG_TIMEOUT,
                    expand=None if repo_type == constants.REPO_TYPE_KERNEL else ["sha"],
                )  # fmt: skip
            except (RepositoryNotFoundError, HFValidationError) as err:
                self._repo_cache[key] = self._repo_cache[(repo_type, repo_id, None)] = (False, err)
            except RevisionNotFoundError as err:
                self._repo_cache[key] = (False, err)
                self._repo_cache[(repo_type, repo_id, None)] = (True, None)
            else:
                self._repo_cache[key] = self._repo_cache[(repo_type, repo_id, None)] = (True, None)
        return self._repo_cache[key]

    def invalidate_cache(self, path: str | None = None) -> None:
        """Forget cached listings: all of them, or those of ``path``, its parents and what is below it.

        For a repo root, also forget that the repo and revision exist (or not).
        """
        if not path:
            self.dircache.clear()
            self._repo_cache.clear()
            self._write_ok.clear()
            return
        try:
            resolved = self.resolve_path(path)
        except (FileNotFoundError, ValueError, NotImplementedError):
            # a repo or revision remembered as missing: look again next time
            self._repo_cache = {k: v for k, v in self._repo_cache.items() if v[0]}
            return
        name = resolved.unresolve()
        for key in list(self.dircache):
            if key.startswith(name + "/"):
                self.dircache.pop(key, None)
        while True:
            self.dircache.pop(name, None)
            if len(name) <= len(resolved.root):
                break
            name = parent_of(name)
        if not resolved.path_in_repo:
            for key in [k for k in self._repo_cache if k[:2] == (resolved.repo_type, resolved.repo_id)]:
                del self._repo_cache[key]

    def _invalidate_repo(self, resolved: HfFileSystemResolvedPath) -> None:
        """Forget every listing of a repo (all revisions): called after each commit to it."""
        base = repo_root(resolved.repo_type, resolved.repo_id)
        for key in list(self.dircache):
            if key == base or key.startswith((base + "/", base + "@")):
                self.dircache.pop(key, None)

    # --- listings --------------------------------------------------------------------------------

    def _expand(self, kwargs: dict[str, Any]) -> bool:
        expand = kwargs.get("expand_info", self.expand_info)
        return bool(expand)

    def _lister(self, resolved: HfFileSystemResolvedPath, expand: bool) -> Lister:
        return Lister(self._api, resolved, expand=expand, max_workers=self.max_workers)

    def _cached_listing(self, name: str, expand: bool = False) -> _Listing | None:
        try:
            listing: _Listing = self.dircache[name]
        except KeyError:
            return None
        if expand and any(entry["last_commit"] is None for entry in listing):
            return None
        return listing

    @contextlib.contextmanager
    def _hub_errors(self, name: str) -> Iterator[None]:
        """A repo or revision that vanished since it was checked: ``FileNotFoundError``."""
        try:
            yield
        except (RepositoryNotFoundError, RevisionNotFoundError) as err:
            self._repo_cache.clear()
            raise_file_not_found(name, err)

    def ls(
        self, path: str, detail: bool = True, refresh: bool = False, revision: str | None = None, **kwargs: Any
    ) -> list[Any]:
        """List a folder: info dicts (``detail=True``) or names. Listing a file gives the file."""
        resolved = self.resolve_path(path, revision=revision)
        name = resolved.unresolve()
        expand = self._expand(kwargs)
        out = None if refresh else self._cached_listing(name, expand)
        if out is None and resolved.path_in_repo and not refresh:
            siblings = self._cached_listing(parent_of(name), expand) or []
            out = [e for e in siblings if e["name"] == name and e["type"] == "file"] or None
        if out is None:
            try:
                with self._hub_errors(name):
                    out = self._lister(resolved, expand).children(resolved.path_in_repo)
                self.dircache[name] = out
            except RemoteEntryNotFoundError as err:
                if not resolved.path_in_repo:
                    raise_file_not_found(name, err)
                entry = self._entry(resolved, refresh=refresh, expand=expand)
                if entry["type"] != "file":
                    raise_file_not_found(name, err)
                out = [entry]
        return out if detail else [entry["name"] for entry in out]

    def _descendants(
        self, resolved: HfFileSystemResolvedPath, maxdepth: int | None, refresh: bool, expand: bool
    ) -> _Listing:
        """Every entry below a folder, from the cache when it holds all of them, else from the Hub."""
        name = resolved.unresolve()
        if not refresh:
            cached = self._assemble(name, maxdepth, expand)
            if cached is not None:
                return cached
        with self._hub_errors(name):
            lister = self._lister(resolved, expand)
            entries = (
                lister.children(resolved.path_in_repo)
                if maxdepth == 1
                else lister.descendants(resolved.path_in_repo, maxdepth)
            )
        by_parent: dict[str, _Listing] = {name: []}
        for entry in entries:
            by_parent.setdefault(parent_of(entry["name"]), []).append(entry)
            depth = entry["name"].count("/") - name.count("/")
            if entry["type"] == "directory" and (maxdepth is None or depth < maxdepth):
                by_parent.setdefault(entry["name"], [])  # listed (git has no empty folders, but be exact)
        for folder, listing in by_parent.items():
            self.dircache[folder] = listing
        return entries

    def _assemble(self, name: str, maxdepth: int | None, expand: bool) -> _Listing | None:
        out: _Listing = []
        pending = [(name, 1)]
        while pending:
            folder, depth = pending.pop()
            listing = self._cached_listing(folder, expand)
            if listing is None:
                return None
            out.extend(listing)
            if maxdepth is None or depth < maxdepth:
                pending += [(e["name"], depth + 1) for e in listing if e["type"] == "directory"]
        return out

    def find(
        self,
        path: str,
        maxdepth: int | None = None,
        withdirs: bool = False,
        detail: bool = False,
        refresh: bool = False,
        revision: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """Every file below ``path`` (and folders with ``withdirs``), sorted; names or ``{name: info}``.

        Big trees are listed sub-tree by sub-tree in parallel (``max_workers``).
        """
        if maxdepth is not None and maxdepth < 1:
            raise ValueError("maxdepth must be at least 1")
        resolved = self.resolve_path(path, revision=revision)
        name = resolved.unresolve()
        expand = self._expand(kwargs)
        out: dict[str, dict[str, Any]]
        try:
            entries = self._descendants(resolved, maxdepth, refresh, expand)
        except RemoteEntryNotFoundError:  # not a folder: a file, or nothing
            try:
                info = self.info(name, **kwargs)
            except FileNotFoundError:
                info = {"type": "missing"}
            out = {name: info} if info["type"] == "file" else {}
        else:
            entries = [self.info(name), *entries] if withdirs else [e for e in entries if e["type"] != "directory"]
            out = {e["name"]: e for e in entries}
        names = sorted(out)
        return {n: out[n] for n in names} if detail else names

    def walk(
        self, path: str, maxdepth: int | None = None, topdown: bool = True, on_error: str = "omit", **kwargs: Any
    ) -> Iterator[Any]:
        """Like ``os.walk``: ``(folder, subfolders, files)`` for each folder below ``path``."""
        name = self.resolve_path(path, revision=kwargs.get("revision")).unresolve()
        if not kwargs.get("refresh"):
            # One recursive listing fills the cache for every folder below: the walk then reads
            # it instead of sending one request per folder.
            with contextlib.suppress(FileNotFoundError):
                self.find(name, maxdepth=maxdepth, withdirs=True, **kwargs)
        yield from super().walk(name, maxdepth=maxdepth, topdown=topdown, on_error=on_error, **kwargs)

    def glob(self, path: str, maxdepth: int | None = None, **kwargs: Any) -> Any:
        """Names matching a glob pattern (``*``, ``**``, ``?``, ``[...]``) below a repo."""
        name = self.resolve_path(path, revision=kwargs.get("revision")).unresolve()
        return super().glob(name, maxdepth=maxdepth, **kwargs)

    def info(self, path: str, refresh: bool = False, revision: str | None = None, **kwargs: Any) -> dict[str, Any]:
        """The info dict of a file or folder: ``name``, ``size``, ``type`` and the Hub's details.

        Read from the listing of the parent folder (listed once, then cached), or asked with
        paths-info. With ``expand_info=True``, ``last_commit`` is filled too.
        """
        resolved = self.resolve_path(path, revision=revision)
        name = resolved.unresolve()
        expand = self._expand(kwargs)
        if not resolved.path_in_repo:
            out: dict[str, Any] = {"name": name, "size": 0, "type": "directory", "last_commit": None}
            if expand:
                out.update(tree_id=None, last_commit=self._head_commit(resolved))
            return out
        return self._entry(resolved, refresh=refresh, expand=expand)

    def _entry(self, resolved: HfFileSystemResolvedPath, *, refresh: bool, expand: bool) -> dict[str, Any]:
        name = resolved.unresolve()
        parent = parent_of(name)
        if not refresh:
            listing = self._cached_listing(parent)
            if listing is None and not expand:
                try:  # list the parent: one request, and its siblings are then known too
                    listing = self.ls(parent, detail=True)
                except FileNotFoundError as err:
                    raise_file_not_found(name, err.__cause__)
            if listing is not None:
                entry = next((e for e in listing if e["name"] == name), None)
                if entry is None:
                    raise_file_not_found(name)
                if not expand or entry["last_commit"] is not None:
                    return entry
        with self._hub_errors(name):
            found = self._api.get_paths_info(
                resolved.repo_id, resolved.path_in_repo, expand=expand, revision=resolved.revision,
                repo_type=resolved.repo_type,
            )  # fmt: skip
        if not found:
            raise_file_not_found(name)
        return entry_info(found[0], f"{resolved.root}/{found[0].path}")

    def _head_commit(self, resolved: HfFileSystemResolvedPath) -> LastCommitInfo | None:
        url = self._api._repo_api_url(resolved.repo_id, resolved.repo_type, "commits", quote_segment(resolved.revision))
        with self._hub_errors(resolved.unresolve()):
            first = next(iter(self._api._paginate(url)), None)  # newest first: one page is enough
        if first is None:
            return None
        commit = parse_git_commit(first)
        return LastCommitInfo(oid=commit.commit_id, title=commit.title, date=commit.created_at)

    def exists(self, path: str, **kwargs: Any) -> bool:
        """Whether ``path`` is a file or folder (``refresh=True`` asks the Hub again)."""
        try:
            if kwargs.pop("refresh", False):
                self.invalidate_cache(path)
            self.info(path, **kwargs)
            return True
        except (OSError, ValueError):
            return False

    def isdir(self, path: str) -> bool:
        """Whether ``path`` is a folder (a repo root is one)."""
        try:
            return bool(self.info(path)["type"] == "directory")
        except (OSError, ValueError):
            return False

    def isfile(self, path: str) -> bool:
        """Whether ``path`` is a file."""
        try:
            return bool(self.info(path)["type"] == "file")
        except (OSError, ValueError):
            return False

    def modified(self, path: str, **kwargs: Any) -> datetime:
        """When ``path`` last changed: the date of the last commit that touched it."""
        info = self.info(path, **{**kwargs, "expand_info": True})
        if info.get("last_commit") is None:
            raise NotImplementedError(f"No last commit known for '{path}'")
        return info["last_commit"]["date"]  # type: ignore[no-any-return]

    def url(self, path: str) -> str:
        """The HTTP URL of a file (its resolve URL), or of a folder (its tree page)."""
        resolved = self.resolve_path(path)
        url = hf_hub_url(
            resolved.repo_id, resolved.path_in_repo, repo_type=resolved.repo_type, revision=resolved.revision,
            endpoint=self.endpoint,
        )  # fmt: skip
        return url.replace("/resolve/", "/tree/", 1) if self.isdir(path) else url

    # --- reading ---------------------------------------------------------------------------------

    def _open(  # type: ignore[override]
        self, path: str, mode: str = "rb", block_size: int | None = None, revision: str | None = None, **kwargs: Any
    ) -> HfFileSystemFile | HfFileSystemStreamFile:
        block_size = block_size if block_size is not None else self.block_size
        if block_size is not None:
            kwargs["block_size"] = block_size
        if "a" in mode:
            raise NotImplementedError("Appending to remote files is not supported (a commit replaces whole files).")
        if block_size == 0:
            return HfFileSystemStreamFile(self, path, mode=mode, revision=revision, **kwargs)
        return HfFileSystemFile(self, path, mode=mode, revision=revision, **kwargs)

    def cat_file(
        self, path: str, start: int | None = None, end: int | None = None, revision: str | None = None, **kwargs: Any
    ) -> bytes:
        """The bytes of a file (``[start, end)`` with one ranged GET; negative bounds count from the end)."""
        if (start is not None and start < 0) or (end is not None and end < 0):
            return super().cat_file(path, start=start, end=end, revision=revision, **kwargs)  # type: ignore[no-any-return]
        resolved = self.resolve_path(path, revision=revision)
        start = start or 0
        if end is not None and start >= end:
            return b""
        headers = self._api._build_hf_headers()
        if start or end is not None:
            headers["range"] = f"bytes={start}-{'' if end is None else end - 1}"
        url = hf_hub_url(
            resolved.repo_id, resolved.path_in_repo, repo_type=resolved.repo_type, revision=resolved.revision,
            endpoint=self.endpoint,
        )  # fmt: skip
        response = _http.http_backoff("GET", url, headers=headers, timeout=constants.HF_HUB_DOWNLOAD_TIMEOUT)
        if response.status_code == 416:
            return b""
        try:
            _http.raise_for_status(response)
        except HfHubHTTPError as err:
            if response.status_code == 404:
                raise_file_not_found(resolved.unresolve(), err)
            raise
        if response.status_code == 200 and "range" in headers:
            return response.content[start:end]  # the range was ignored
        return response.content

    def _download(self, resolved: HfFileSystemResolvedPath, **kwargs: Any) -> str:
        """Fetch a file into the local cache (or find it there) and return the cached path."""
        validate_relative_filename(resolved.path_in_repo)  # the name becomes a local path
        try:
            return hf_hub_download(  # type: ignore[no-any-return]
                resolved.repo_id, resolved.path_in_repo, repo_type=resolved.repo_type, revision=resolved.revision,
                endpoint=self.endpoint, token=self.token, cache_dir=kwargs.get("cache_dir"),
            )  # fmt: skip
        except (RepositoryNotFoundError, RevisionNotFoundError, RemoteEntryNotFoundError) as err:
            raise_file_not_found(resolved.unresolve(), err)

    def get_file(
        self, rpath: str, lpath: Any = None, callback: Callback = DEFAULT_CALLBACK, outfile: Any = None, **kwargs: Any
    ) -> None:
        """Download one file to ``lpath`` (or into the file object ``outfile``), through the local cache.

        The file is fetched by ``hf_hub_download`` (resumable, parallel ranges, checked against
        its hash) into the shared Hugging Face cache, then copied: a second ``get`` of the same
        version costs one metadata request. A folder becomes a local folder.
        """
        jobs = getattr(self._batch_state, "downloads", None)
        if jobs is not None:  # ``get`` is planning: record the file, it is fetched in parallel afterwards
            _record(self, jobs, rpath, lpath)
            return
        resolved = self.resolve_path(rpath, revision=kwargs.get("revision"))
        if outfile is None and isfilelike(lpath):
            outfile = lpath
        info = self.info(resolved.unresolve())
        if info["type"] == "directory":
            if outfile is None:
                os.makedirs(lpath, exist_ok=True)
            return
        callback.set_size(info["size"])
        cached = self._download(resolved, **kwargs)
        if outfile is not None:
            with open(cached, "rb") as src:
                shutil.copyfileobj(src, outfile, 8 * 1024 * 1024)
        else:
            os.makedirs(os.path.dirname(os.path.abspath(lpath)), exist_ok=True)
            shutil.copyfile(cached, lpath)
        callback.relative_update(info["size"])

    def get(
        self, rpath: Any, lpath: Any, recursive: bool = False, callback: Callback = DEFAULT_CALLBACK,
        maxdepth: int | None = None, **kwargs: Any,
    ) -> None:  # fmt: skip
        """Download files (a folder with ``recursive=True``), ``max_workers`` files at a time."""
        jobs: list[tuple[str, Any]] = []
        self._batch_state.downloads = jobs
        try:
            super().get(rpath, lpath, recursive=recursive, callback=callback, maxdepth=maxdepth, **kwargs)
        finally:
            self._batch_state.downloads = None
        if not jobs:
            return
        with ThreadPoolExecutor(min(self.max_workers, 8), thread_name_prefix="hubkit-fs-get") as pool:
            for future in [pool.submit(self.get_file, r, local, **kwargs) for r, local in jobs]:
                future.result()


def _record(fs: HfFileSystem, jobs: list[tuple[str, Any]], rpath: str, lpath: Any) -> None:
    if isinstance(lpath, str) and fs.isdir(rpath):
        os.makedirs(lpath, exist_ok=True)  # folders first, so that empty ones exist too
    else:
        jobs.append((rpath, lpath))
