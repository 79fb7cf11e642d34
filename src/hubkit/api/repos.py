"""Repository management and browsing: ``create_repo`` ... ``list_repo_tree`` (hub-protocol.md §4-§6).

Every method sends one request (or follows one paginated listing) and parses the answer into the
dataclasses of ``types``; errors come out of the shared funnel as ``hubkit.errors`` classes, so
``RepositoryNotFoundError`` means what it means in ``huggingface_hub``.
"""

from __future__ import annotations

import functools
import inspect
import logging
import time
import warnings
from collections.abc import Callable, Iterator
from itertools import chain
from typing import Any, Literal, ParamSpec, TypeVar

from .. import constants
from .._paths import validate_repo_id
from ..errors import (
    GatedRepoError,
    HfHubHTTPError,
    RemoteEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from ._base import ApiBase, quote_segment
from .types import DatasetInfo, KernelInfo, ModelInfo, RepoFile, RepoFolder, SpaceInfo, parse_tree_entry
from .types_refs import DuplicatedRepoUrl, GitCommitInfo, GitRefs, parse_git_commit, parse_git_refs
from .urls import RepoUrl

__all__ = ["SPACES_SDK_TYPES", "RepoMixin", "validate_hf_hub_args"]

PUBLIC: tuple[str, ...] = (
    "create_repo", "delete_repo", "move_repo", "update_repo_settings", "duplicate_repo", "super_squash_history",
    "create_branch", "delete_branch", "create_tag", "delete_tag", "list_repo_refs", "list_repo_commits",
    "list_repo_files", "list_repo_tree", "get_paths_info", "repo_info", "model_info", "dataset_info", "space_info",
    "kernel_info", "repo_exists", "file_exists", "revision_exists", "get_full_repo_name", "auth_check",
)  # fmt: skip

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

SPACES_SDK_TYPES = ("gradio", "streamlit", "docker", "static")
RepoVisibility = Literal["public", "private", "protected"]
_CONFLICTING_OPERATION = "Cannot create repo: another conflicting operation is in progress"
# The Hub asks to retry a create that raced another operation on the same name; we retry for a
# while (with a short pause, unlike the reference client's tight endless loop), then give up.
_CREATE_RETRIES = 50
_CREATE_RETRY_PAUSE = 0.2
_REPO_ID_ARGS = frozenset({"repo_id", "from_id", "to_id"})


def validate_hf_hub_args(fn: Callable[P, R]) -> Callable[P, R]:
    """Check every ``repo_id``/``from_id``/``to_id`` argument before anything is sent."""
    names = list(inspect.signature(fn).parameters)

    @functools.wraps(fn)
    def checked(*args: P.args, **kwargs: P.kwargs) -> R:
        for name, value in chain(zip(names, args, strict=False), kwargs.items()):
            if name in _REPO_ID_ARGS and value is not None:
                validate_repo_id(value)
        return fn(*args, **kwargs)

    return checked


def resolve_visibility(
    private: bool | None, visibility: RepoVisibility | None, repo_type: str | None
) -> RepoVisibility | None:
    """The ``visibility`` to send, from either argument (never both)."""
    if private is not None and visibility is not None:
        raise ValueError("Pass either `private` or `visibility`, not both.")
    if visibility is None:
        return None if private is None else ("private" if private else "public")
    if visibility == "protected" and repo_type != constants.REPO_TYPE_SPACE:
        raise ValueError("Only Spaces can be 'protected': use 'public' or 'private'.")
    if visibility not in ("public", "private", "protected"):
        raise ValueError(f"Invalid visibility {visibility!r}: one of 'public', 'private', 'protected'.")
    return visibility


def _check_repo_type(repo_type: str | None, *, kernel: bool = False) -> str:
    allowed = constants.REPO_TYPES_WITH_KERNEL if kernel else constants.REPO_TYPES
    if repo_type not in allowed:
        raise ValueError(f"Invalid repo type {repo_type!r}: one of {', '.join(str(t) for t in allowed[1:])}.")
    return repo_type or constants.REPO_TYPE_MODEL


def _space_payload(repo_type: str | None, **args: Any) -> dict[str, Any]:
    """Space-only body keys; warns (and drops them) for other repo types."""
    keys = {"space_hardware": "hardware", "space_sleep_time": "sleepTimeSeconds", "space_secrets": "secrets",
            "space_variables": "variables", "space_volumes": "volumes"}  # fmt: skip
    given = {name: value for name, value in args.items() if value is not None}
    if repo_type != constants.REPO_TYPE_SPACE:
        if given:
            warnings.warn(f"Ignoring {', '.join(given)} because repo_type is not 'space'.", stacklevel=3)
        return {}
    if "space_volumes" in given:
        given["space_volumes"] = [v.to_dict() if hasattr(v, "to_dict") else v for v in given["space_volumes"]]
    hardware = str(getattr(args.get("space_hardware"), "value", args.get("space_hardware")))
    if args.get("space_sleep_time") is not None and hardware == "cpu-basic":
        warnings.warn(
            "A Space on the free 'cpu-basic' hardware sleeps after 48 hours without traffic; its sleep time "
            "cannot be changed.",
            UserWarning,
            stacklevel=3,
        )
    return {keys[name]: value for name, value in given.items()}


class RepoMixin(ApiBase):
    """Create, configure, inspect and browse repos."""

    # --- lifecycle ---------------------------------------------------------------------------

    @validate_hf_hub_args
    def create_repo(
        self,
        repo_id: str,
        *,
        token: str | bool | None = None,
        private: bool | None = None,
        visibility: RepoVisibility | None = None,
        repo_type: str | None = None,
        exist_ok: bool = False,
        resource_group_id: str | None = None,
        region: Literal["us", "eu"] | None = None,
        space_sdk: str | None = None,
        space_hardware: Any = None,
        space_sleep_time: int | None = None,
        space_secrets: list[dict[str, str]] | None = None,
        space_variables: list[dict[str, str]] | None = None,
        space_volumes: list[Any] | None = None,
        space_template: str | None = None,
    ) -> RepoUrl:
        """Create a repo on the Hub and return its URL.

        Args:
            repo_id: ``namespace/name``, or ``name`` for the token's user.
            private, visibility: who may see it (one or the other; default: the namespace's default).
            repo_type: ``"model"`` (default), ``"dataset"``, ``"space"`` or ``"kernel"``.
            exist_ok: return the existing repo's URL instead of raising when it exists.
            space_sdk: required for Spaces: ``gradio``, ``streamlit``, ``docker`` or ``static``.
            space_hardware, space_sleep_time, space_secrets, space_variables, space_volumes,
            space_template: Space settings, ignored (with a warning) for other repo types.
            resource_group_id, region: enterprise placement.

        Returns:
            ``RepoUrl``: the repo's web URL, knowing its ``repo_id`` and ``repo_type``.

        Raises:
            ``HfHubHTTPError`` (409 without ``exist_ok``, 403 without the right...), ``ValueError``.
        """
        namespace, _, name = repo_id.rpartition("/")
        _check_repo_type(repo_type, kernel=True)
        resolved = resolve_visibility(private, visibility, repo_type)
        payload: dict[str, Any] = {"name": name, "organization": namespace or None}
        if space_template is not None:
            if repo_type != constants.REPO_TYPE_SPACE:
                raise ValueError(f"space_template needs repo_type='space', not {repo_type!r}.")
            template = self._space_template(space_template, token=token)
            if space_sdk is not None and space_sdk != template.get("sdk"):
                raise ValueError(f"space_sdk {space_sdk!r} differs from the template's SDK {template.get('sdk')!r}.")
            space_sdk = template.get("sdk")
            payload["template"] = template.get("repoId")
            if template.get("preferredPrivate") and resolved is None:
                resolved = "private"
        if resolved is not None:
            payload["visibility"] = resolved
        if repo_type is not None:
            payload["type"] = repo_type
        if repo_type == constants.REPO_TYPE_SPACE:
            if space_sdk not in SPACES_SDK_TYPES:
                raise ValueError(f"Spaces need space_sdk, one of {', '.join(SPACES_SDK_TYPES)} (got {space_sdk!r}).")
            payload["sdk"] = space_sdk
        elif space_sdk is not None:
            warnings.warn("Ignoring space_sdk because repo_type is not 'space'.", stacklevel=2)
        payload.update(_space_payload(repo_type, space_hardware=space_hardware, space_sleep_time=space_sleep_time,
                                      space_secrets=space_secrets, space_variables=space_variables,
                                      space_volumes=space_volumes))  # fmt: skip
        if resource_group_id is not None:
            payload["resourceGroupId"] = resource_group_id
        if region is not None:
            payload["region"] = region
        try:
            response = self._create_with_retries(payload, token)
        except HfHubHTTPError as err:
            status = err.response.status_code
            if exist_ok and status == 409:
                response = err.response
            elif exist_ok and status in (401, 402, 403):
                # No right to create here, but the repo may already exist and be readable.
                try:
                    self.repo_info(repo_id, repo_type=repo_type, token=token)
                except HfHubHTTPError:
                    raise err from None
                prefix = constants.REPO_TYPES_URL_PREFIXES.get(repo_type or "model", "")
                return RepoUrl(f"{self.endpoint}/{prefix}{repo_id}", endpoint=self.endpoint)
            else:
                raise
        return RepoUrl(response.json()["url"], endpoint=self.endpoint)

    def _create_with_retries(self, payload: dict[str, Any], token: str | bool | None) -> Any:
        for attempt in range(_CREATE_RETRIES):
            try:
                return self._send("POST", self._api_url("repos/create"), token=token, json=payload)
            except HfHubHTTPError as err:
                retry = err.response.status_code == 409 and _CONFLICTING_OPERATION in err.response.text
                if not retry or attempt == _CREATE_RETRIES - 1:
                    raise
                logger.debug("repo creation raced another operation, retrying")
                time.sleep(_CREATE_RETRY_PAUSE)
        raise AssertionError("unreachable")

    def _space_template(self, wanted: str, *, token: str | bool | None) -> dict[str, Any]:
        templates = self._send("GET", self._api_url("spaces/templates"), token=token).json().get("templates") or []
        for template in templates:
            if template.get("repoId") == wanted or str(template.get("name", "")).lower() == wanted.lower():
                return template  # type: ignore[no-any-return]
        names = ", ".join(sorted(str(t.get("name")) for t in templates))
        raise ValueError(f"Unknown Space template {wanted!r}; known templates: {names}.")

    @validate_hf_hub_args
    def delete_repo(
        self, repo_id: str, *, token: str | bool | None = None, repo_type: str | None = None, missing_ok: bool = False
    ) -> None:
        """Delete a repo for good; with ``missing_ok`` a missing repo is not a ``RepositoryNotFoundError``."""
        namespace, _, name = repo_id.rpartition("/")
        _check_repo_type(repo_type, kernel=True)
        body: dict[str, Any] = {"name": name, "organization": namespace or None}
        if repo_type is not None:
            body["type"] = repo_type
        try:
            self._send("DELETE", self._api_url("repos/delete"), token=token, json=body)
        except RepositoryNotFoundError:
            if not missing_ok:
                raise

    def move_repo(
        self, from_id: str, to_id: str, *, repo_type: str | None = None, token: str | bool | None = None
    ) -> None:
        """Rename a repo or move it to another namespace (both ids are ``namespace/name``).

        The old URLs keep working (the Hub redirects them) until a new repo takes the name.
        """
        for repo_id in (from_id, to_id):
            if repo_id.count("/") != 1:
                raise ValueError(f"Invalid repo_id {repo_id!r}: it needs a namespace (namespace/name).")
        body = {"fromRepo": from_id, "toRepo": to_id, "type": repo_type or constants.REPO_TYPE_MODEL}
        try:
            self._send("POST", self._api_url("repos/move"), token=token, json=body)
        except HfHubHTTPError as err:
            err.append_to_message("\nMoving a repo needs admin rights on both namespaces.")
            raise

    @validate_hf_hub_args
    def update_repo_settings(
        self,
        repo_id: str,
        *,
        gated: Literal["auto", "manual", False] | None = None,
        private: bool | None = None,
        visibility: RepoVisibility | None = None,
        token: str | bool | None = None,
        repo_type: str | None = None,
    ) -> None:
        """Change a repo's settings: gating (``"auto"``, ``"manual"``, ``False``) and/or visibility.

        Raises ``ValueError`` when nothing is to change or a value is invalid.
        """
        repo_type = _check_repo_type(repo_type)
        payload: dict[str, Any] = {}
        if gated is not None:
            if gated not in ("auto", "manual", False):
                raise ValueError(f"Invalid gated value {gated!r}: one of 'auto', 'manual', False.")
            payload["gated"] = gated
        resolved = resolve_visibility(private, visibility, repo_type)
        if resolved is not None:
            payload["visibility"] = resolved
        if not payload:
            raise ValueError("At least one setting must be updated.")
        self._send("PUT", self._repo_api_url(repo_id, repo_type, "settings"), token=token, json=payload)

    @validate_hf_hub_args
    def duplicate_repo(
        self,
        from_id: str,
        to_id: str | None = None,
        *,
        repo_type: str | None = None,
        private: bool | None = None,
        visibility: RepoVisibility | None = None,
        token: bool | str | None = None,
        exist_ok: bool = False,
        resource_group_id: str | None = None,
        space_hardware: Any = None,
        space_sleep_time: int | None = None,
        space_secrets: list[dict[str, str]] | None = None,
        space_variables: list[dict[str, str]] | None = None,
        space_volumes: list[Any] | None = None,
    ) -> DuplicatedRepoUrl:
        """Copy a repo (all branches' current content) to ``to_id``.

        Args:
            from_id: the repo to copy.
            to_id: ``namespace/name``, or ``name`` in the token's namespace; default: same name there.
            private, visibility: visibility of the copy (default: the source's).
            exist_ok: return the existing target's URL instead of raising on a 409.

        Returns:
            ``DuplicatedRepoUrl`` of the new repo.
        """
        repo_type = _check_repo_type(repo_type)
        resolved = resolve_visibility(private, visibility, repo_type)
        target = to_id if to_id is not None else from_id.rpartition("/")[2]
        namespace, _, name = target.rpartition("/")
        if not namespace:
            namespace = self.whoami(token)["name"]  # type: ignore[attr-defined]
        payload: dict[str, Any] = {"repository": f"{namespace}/{name}"}
        if resolved is not None:
            payload["visibility"] = resolved
        if resource_group_id is not None:
            payload["resourceGroupId"] = resource_group_id
        payload.update(_space_payload(repo_type, space_hardware=space_hardware, space_sleep_time=space_sleep_time,
                                      space_secrets=space_secrets, space_variables=space_variables,
                                      space_volumes=space_volumes))  # fmt: skip
        try:
            response = self._send(
                "POST", self._repo_api_url(from_id, repo_type, "duplicate"), token=token, json=payload
            )
        except HfHubHTTPError as err:
            if not (exist_ok and err.response.status_code == 409):
                raise
            response = err.response
        data = response.json()
        url = DuplicatedRepoUrl(data["url"], endpoint=self.endpoint)
        url.files_copy_pending = bool(data.get("filesCopyPending", False))
        return url

    @validate_hf_hub_args
    def super_squash_history(
        self,
        repo_id: str,
        *,
        branch: str | None = None,
        commit_message: str | None = None,
        repo_type: str | None = None,
        token: str | bool | None = None,
    ) -> None:
        """Replace a branch's history (default ``main``) with one commit holding its current files.

        Irreversible: older commits of that branch are no longer reachable from it.
        """
        repo_type = _check_repo_type(repo_type)
        branch = branch or constants.DEFAULT_REVISION
        message = commit_message or f"Super-squash branch '{branch}' using hubkit"
        url = self._repo_api_url(repo_id, repo_type, "super-squash", quote_segment(branch))
        self._send("POST", url, token=token, json={"message": message})

    # --- branches and tags -------------------------------------------------------------------

    @validate_hf_hub_args
    def create_branch(
        self,
        repo_id: str,
        *,
        branch: str,
        revision: str | None = None,
        token: bool | str | None = None,
        repo_type: str | None = None,
        exist_ok: bool = False,
    ) -> None:
        """Create a branch at ``revision`` (a branch, tag or commit; default: the head of ``main``).

        ``exist_ok`` tolerates an existing branch of that name.
        """
        url = self._repo_api_url(repo_id, repo_type, "branch", quote_segment(branch))
        payload = {} if revision is None else {"startingPoint": revision}
        try:
            self._send("POST", url, token=token, json=payload)
        except HfHubHTTPError as err:
            if exist_ok and err.response.status_code == 409:
                return
            if exist_ok and err.response.status_code == 403:
                # A read token cannot create, but the branch may be there already.
                try:
                    refs = self.list_repo_refs(repo_id, repo_type=repo_type, token=token)
                except HfHubHTTPError:
                    raise err from None
                if any(ref.name == branch for ref in refs.branches):
                    return
            raise

    @validate_hf_hub_args
    def delete_branch(
        self, repo_id: str, *, branch: str, token: bool | str | None = None, repo_type: str | None = None
    ) -> None:
        """Delete a branch (not the default one)."""
        url = self._repo_api_url(repo_id, repo_type, "branch", quote_segment(branch))
        self._send("DELETE", url, token=token)

    @validate_hf_hub_args
    def create_tag(
        self,
        repo_id: str,
        *,
        tag: str,
        tag_message: str | None = None,
        revision: str | None = None,
        token: bool | str | None = None,
        repo_type: str | None = None,
        exist_ok: bool = False,
    ) -> None:
        """Tag ``revision`` (default ``main``), optionally with an annotation ``tag_message``.

        ``exist_ok`` tolerates an existing tag of that name.
        """
        url = self._repo_api_url(repo_id, repo_type, "tag", quote_segment(revision or constants.DEFAULT_REVISION))
        payload = {"tag": tag} if tag_message is None else {"tag": tag, "message": tag_message}
        try:
            self._send("POST", url, token=token, json=payload)
        except HfHubHTTPError as err:
            if not (exist_ok and err.response.status_code == 409):
                raise

    @validate_hf_hub_args
    def delete_tag(
        self, repo_id: str, *, tag: str, token: bool | str | None = None, repo_type: str | None = None
    ) -> None:
        """Delete a tag; a missing one raises ``RevisionNotFoundError``."""
        self._send("DELETE", self._repo_api_url(repo_id, repo_type, "tag", quote_segment(tag)), token=token)

    @validate_hf_hub_args
    def list_repo_refs(
        self,
        repo_id: str,
        *,
        repo_type: str | None = None,
        include_pull_requests: bool = False,
        token: str | bool | None = None,
    ) -> GitRefs:
        """The branches, tags and convert refs of a repo (and its PR refs with ``include_pull_requests``)."""
        params = {"include_prs": 1} if include_pull_requests else {}
        data = self._send("GET", self._repo_api_url(repo_id, repo_type, "refs"), token=token, params=params).json()
        return parse_git_refs(data, include_pull_requests=include_pull_requests)

    @validate_hf_hub_args
    def list_repo_commits(
        self,
        repo_id: str,
        *,
        repo_type: str | None = None,
        token: bool | str | None = None,
        revision: str | None = None,
        formatted: bool = False,
    ) -> list[GitCommitInfo]:
        """The history of ``revision`` (default ``main``), newest first.

        ``formatted`` also asks for HTML-rendered titles and messages.
        """
        rev = quote_segment(revision or constants.DEFAULT_REVISION)
        url = self._repo_api_url(repo_id, repo_type, "commits", rev)
        params = {"expand[]": "formatted"} if formatted else {}
        return [parse_git_commit(item) for item in self._paginate(url, token=token, params=params)]

    # --- files -------------------------------------------------------------------------------

    @validate_hf_hub_args
    def list_repo_files(
        self,
        repo_id: str,
        *,
        revision: str | None = None,
        repo_type: str | None = None,
        token: str | bool | None = None,
    ) -> list[str]:
        """The path of every file of a repo at ``revision`` (folders excluded)."""
        entries = self.list_repo_tree(repo_id, recursive=True, revision=revision, repo_type=repo_type, token=token)
        return [entry.path for entry in entries if isinstance(entry, RepoFile)]

    @validate_hf_hub_args
    def list_repo_tree(
        self,
        repo_id: str,
        path_in_repo: str | None = None,
        *,
        recursive: bool = False,
        expand: bool = False,
        revision: str | None = None,
        repo_type: str | None = None,
        token: str | bool | None = None,
    ) -> Iterator[RepoFile | RepoFolder]:
        """Files and folders under ``path_in_repo`` (default: the root), fetched lazily page by page.

        Args:
            recursive: list every descendant instead of direct children.
            expand: also fetch each entry's last commit and security status (slower).
            revision: branch, tag or commit (default ``main``).

        Raises:
            ``RemoteEntryNotFoundError`` for a missing folder, ``RevisionNotFoundError``...
        """
        rev = quote_segment(revision or constants.DEFAULT_REVISION)
        parts = ["tree", rev] + ([quote_segment(path_in_repo)] if path_in_repo else [])
        url = self._repo_api_url(repo_id, repo_type, *parts)
        params = {"recursive": recursive, "expand": expand}
        return (parse_tree_entry(item) for item in self._paginate(url, token=token, params=params))

    @validate_hf_hub_args
    def get_paths_info(
        self,
        repo_id: str,
        paths: list[str] | str,
        *,
        expand: bool = False,
        revision: str | None = None,
        repo_type: str | None = None,
        token: str | bool | None = None,
    ) -> list[RepoFile | RepoFolder]:
        """Information about the given paths at ``revision``; paths that do not exist are left out."""
        rev = quote_segment(revision or constants.DEFAULT_REVISION)
        form = {"paths": [paths] if isinstance(paths, str) else list(paths), "expand": expand}
        url = self._repo_api_url(repo_id, repo_type, "paths-info", rev)
        return [parse_tree_entry(item) for item in self._send("POST", url, token=token, data=form).json()]

    # --- info and existence ------------------------------------------------------------------

    def _info(
        self,
        repo_type: str,
        repo_id: str,
        revision: str | None,
        timeout: float | None,
        params: dict[str, Any],
        token: bool | str | None,
    ) -> Any:
        parts = [] if revision is None else ["revision", quote_segment(revision)]
        url = self._repo_api_url(repo_id, repo_type, *parts)
        return self._send("GET", url, token=token, params=params, timeout=timeout).json()

    @staticmethod
    def _info_params(files_metadata: bool, expand: list[str] | None, **flags: bool | None) -> dict[str, Any]:
        if expand and (files_metadata or any(flags.values())):
            raise ValueError(f"`expand` cannot be combined with `files_metadata` or {', '.join(flags) or 'it'}.")
        params: dict[str, Any] = {name: True for name, on in flags.items() if on}
        if files_metadata:
            params["blobs"] = True
        if expand:
            params["expand"] = list(expand)
        return params

    @validate_hf_hub_args
    def model_info(
        self,
        repo_id: str,
        *,
        revision: str | None = None,
        timeout: float | None = None,
        securityStatus: bool | None = None,
        files_metadata: bool = False,
        expand: list[str] | None = None,
        token: bool | str | None = None,
    ) -> ModelInfo:
        """Information about a model at ``revision`` (default: its main branch).

        Args:
            securityStatus: also return the security scan (``security_repo_status``).
            files_metadata: give each sibling its size, blob id and LFS info.
            expand: return only these properties (``["downloads", "likes"]``...); exclusive with the two above.
            timeout: seconds to wait for the answer.

        Raises:
            ``RepositoryNotFoundError``, ``RevisionNotFoundError``.
        """
        params = self._info_params(files_metadata, expand, securityStatus=securityStatus)
        return ModelInfo(**self._info("model", repo_id, revision, timeout, params, token))

    @validate_hf_hub_args
    def dataset_info(
        self,
        repo_id: str,
        *,
        revision: str | None = None,
        timeout: float | None = None,
        files_metadata: bool = False,
        expand: list[str] | None = None,
        token: bool | str | None = None,
    ) -> DatasetInfo:
        """Information about a dataset at ``revision``; arguments as for ``model_info``."""
        params = self._info_params(files_metadata, expand)
        return DatasetInfo(**self._info("dataset", repo_id, revision, timeout, params, token))

    @validate_hf_hub_args
    def space_info(
        self,
        repo_id: str,
        *,
        revision: str | None = None,
        timeout: float | None = None,
        files_metadata: bool = False,
        expand: list[str] | None = None,
        token: bool | str | None = None,
    ) -> SpaceInfo:
        """Information about a Space at ``revision``; arguments as for ``model_info``."""
        params = self._info_params(files_metadata, expand)
        return SpaceInfo(**self._info("space", repo_id, revision, timeout, params, token))

    @validate_hf_hub_args
    def kernel_info(
        self,
        repo_id: str,
        *,
        revision: str | None = None,
        timeout: float | None = None,
        token: bool | str | None = None,
    ) -> KernelInfo:
        """Information about a kernel repo at ``revision``."""
        return KernelInfo(**self._info("kernel", repo_id, revision, timeout, {}, token))

    @validate_hf_hub_args
    def repo_info(
        self,
        repo_id: str,
        *,
        revision: str | None = None,
        repo_type: str | None = None,
        timeout: float | None = None,
        files_metadata: bool = False,
        expand: list[str] | None = None,
        token: bool | str | None = None,
    ) -> ModelInfo | DatasetInfo | SpaceInfo | KernelInfo:
        """``model_info``, ``dataset_info``, ``space_info`` or ``kernel_info``, chosen by ``repo_type``."""
        if repo_type == constants.REPO_TYPE_KERNEL:
            return self.kernel_info(repo_id, revision=revision, timeout=timeout, token=token)
        methods: dict[str | None, Callable[..., Any]] = {
            None: self.model_info, "model": self.model_info, "dataset": self.dataset_info, "space": self.space_info,
        }  # fmt: skip
        if repo_type not in methods:
            raise ValueError(f"Unsupported repo type {repo_type!r}.")
        info = methods[repo_type](
            repo_id, revision=revision, timeout=timeout, files_metadata=files_metadata, expand=expand, token=token
        )
        return info  # type: ignore[no-any-return]

    @validate_hf_hub_args
    def repo_exists(self, repo_id: str, *, repo_type: str | None = None, token: str | bool | None = None) -> bool:
        """Whether the repo exists and is visible to the token (a gated repo counts as existing)."""
        try:
            self.repo_info(repo_id, repo_type=repo_type, token=token)
        except GatedRepoError:
            return True
        except RepositoryNotFoundError:
            return False
        return True

    @validate_hf_hub_args
    def revision_exists(
        self, repo_id: str, revision: str, *, repo_type: str | None = None, token: str | bool | None = None
    ) -> bool:
        """Whether the repo exists and has ``revision`` (a branch, tag or commit)."""
        try:
            self.repo_info(repo_id, revision=revision, repo_type=repo_type, token=token)
        except (RevisionNotFoundError, RepositoryNotFoundError):
            return False
        return True

    @validate_hf_hub_args
    def file_exists(
        self,
        repo_id: str,
        filename: str,
        *,
        repo_type: str | None = None,
        revision: str | None = None,
        token: str | bool | None = None,
    ) -> bool:
        """Whether ``filename`` exists in the repo at ``revision`` (one ``HEAD`` request).

        Raises ``GatedRepoError`` when the repo is gated and the token has no access: existence
        cannot be told then.
        """
        from ..download import get_hf_file_metadata, hf_hub_url

        url = hf_hub_url(repo_id, filename, repo_type=repo_type, revision=revision, endpoint=self.endpoint)
        try:
            get_hf_file_metadata(url, token=self.token if token is None else token)
        except GatedRepoError:
            raise
        except (RepositoryNotFoundError, RemoteEntryNotFoundError, RevisionNotFoundError):
            return False
        return True

    def get_full_repo_name(
        self, model_id: str, *, organization: str | None = None, token: bool | str | None = None
    ) -> str:
        """``organization/model_id``, or ``{the token's user}/model_id`` (``model_id`` kept if it has a namespace)."""
        if organization is not None:
            return f"{organization}/{model_id}"
        if "/" in model_id:
            return f"{model_id.split('/')[0]}/{model_id}"
        return f"{self.whoami(token=token)['name']}/{model_id}"  # type: ignore[attr-defined]

    @validate_hf_hub_args
    def auth_check(
        self, repo_id: str, *, repo_type: str | None = None, token: bool | str | None = None, write: bool = False
    ) -> None:
        """Raise unless the token may read the repo's files (``write=True``: push to it).

        Raises:
            ``GatedRepoError`` (gated, no access), ``RepositoryNotFoundError`` (missing or private),
            ``HfHubHTTPError`` (403: no write access).
        """
        repo_type = _check_repo_type(repo_type)
        parts = ["auth-check", "write"] if write else ["auth-check"]
        self._send("GET", self._repo_api_url(repo_id, repo_type, *parts), token=token)
