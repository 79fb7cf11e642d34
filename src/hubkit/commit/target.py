"""Where a commit goes (``RepoTarget``), and the few read requests the commit code needs.

The commit code only needs the head of a branch, a recursive file listing (for
``delete_patterns``) and ``paths-info`` (for copies); they are small enough to send here
directly, so the upload path does not depend on the rest of ``HfApi``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

from .. import constants
from .._http import get_session, http_backoff, paginate, raise_for_status

__all__ = ["RepoTarget", "fix_hf_endpoint_in_url"]

_HUB_URLS = ("https://huggingface.co", "https://hub-ci.huggingface.co")


def fix_hf_endpoint_in_url(url: str, endpoint: str) -> str:
    """Point URLs the Hub wrote for huggingface.co at the configured endpoint instead."""
    endpoint = endpoint.rstrip("/")
    for hub in _HUB_URLS:
        if endpoint != hub:
            url = url.replace(hub, endpoint)
    return url


@dataclass(frozen=True)
class RepoTarget:
    """A repo and revision to commit to, with the headers (token, user-agent) of the caller."""

    endpoint: str
    repo_id: str
    repo_type: str
    revision: str = constants.DEFAULT_REVISION  # unquoted: "main", "refs/pr/3"
    create_pr: bool = False
    headers: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def quoted_revision(self) -> str:
        return quote(self.revision, safe="")

    def api_url(self, *parts: str) -> str:
        """``{endpoint}/api/{type}s/{repo_id}/parts...`` (parts already encoded)."""
        return "/".join([f"{self.endpoint}/api/{self.repo_type}s/{self.repo_id}", *parts])

    @property
    def web_prefix(self) -> str:
        """``{endpoint}`` for models, ``{endpoint}/datasets`` etc. otherwise (repo web URLs)."""
        if self.repo_type == constants.REPO_TYPE_MODEL:
            return self.endpoint
        return f"{self.endpoint}/{self.repo_type}s"

    @property
    def lfs_batch_url(self) -> str:
        prefix = constants.REPO_TYPES_URL_PREFIXES.get(self.repo_type, "")
        return f"{self.endpoint}/{prefix}{self.repo_id}.git/info/lfs/objects/batch"

    @property
    def pr_params(self) -> dict[str, str] | None:
        return {"create_pr": "1"} if self.create_pr else None

    def with_revision(self, revision: str, create_pr: bool = False) -> RepoTarget:
        return RepoTarget(self.endpoint, self.repo_id, self.repo_type, revision, create_pr, self.headers)

    # --- reads ---------------------------------------------------------------------------------

    def head_sha(self) -> str:
        """The commit the revision points to now."""
        response = get_session().get(self.api_url("revision", self.quoted_revision), headers=self.headers)
        raise_for_status(response)
        return str(response.json()["sha"])

    def list_files(self, revision: str | None = None) -> Iterator[str]:
        """Every file path at ``revision`` (default: the target's), recursively."""
        rev = quote(revision or self.revision, safe="")
        url = self.api_url("tree", rev)
        for entry in paginate(url, params={"recursive": "true"}, headers=self.headers):
            if entry.get("type") == "file":
                yield entry["path"]

    def paths_info(self, paths: list[str], revision: str) -> list[dict[str, Any]]:
        """The tree entries of ``paths`` at ``revision`` (missing paths are left out)."""
        url = self.api_url("paths-info", quote(revision, safe=""))
        response = http_backoff("POST", url, data={"paths": paths, "expand": "false"}, headers=self.headers)
        raise_for_status(response)
        return list(response.json())

    def download(self, path: str, revision: str) -> bytes:
        """The content of a (small, regular) file at ``revision``."""
        prefix = constants.REPO_TYPES_URL_PREFIXES.get(self.repo_type, "")
        url = f"{self.endpoint}/{prefix}{self.repo_id}/resolve/{quote(revision, safe='')}/{quote(path)}"
        response = get_session().get(url, headers=self.headers)
        raise_for_status(response)
        return response.content

    # --- writes outside commits ----------------------------------------------------------------

    def ensure_repo(self, private: bool | None = None) -> None:
        """Create the repo unless it exists (``create_repo(exist_ok=True)``)."""
        namespace, _, name = self.repo_id.rpartition("/")
        body: dict[str, Any] = {"name": name, "organization": namespace or None, "type": self.repo_type}
        if private is not None:
            body["private"] = private
        response = get_session().post(f"{self.endpoint}/api/repos/create", json=body, headers=self.headers)
        if response.status_code == 409:
            return
        raise_for_status(response)

    def ensure_branch(self, branch: str) -> None:
        """Create ``branch`` from the default branch unless it exists."""
        url = self.api_url("branch", quote(branch, safe=""))
        response = get_session().post(url, json={}, headers=self.headers)
        if response.status_code == 409:
            return
        raise_for_status(response)


def response_json(response: httpx.Response) -> Any:
    raise_for_status(response)
    return response.json()
