"""What every part of ``HfApi`` builds on: endpoint, token, headers, and one way to send.

The methods of ``HfApi`` live in mixins, one module per protocol area (repos, listing, users,
commits, discussions); each builds a request with these helpers, sends it through the shared
client and parses the answer into the dataclasses of its area.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx

from .. import constants
from .._http import build_hf_headers, get_session, paginate, raise_for_status


def quote_segment(value: str) -> str:
    """Percent-encode one path segment (revisions, branch names: ``/`` becomes ``%2F``)."""
    return quote(value, safe="")


def api_type(repo_type: str | None) -> str:
    """'model' for None, validated against the types the Hub knows."""
    repo_type = repo_type or constants.REPO_TYPE_MODEL
    if repo_type not in constants.REPO_TYPES_WITH_KERNEL:
        raise ValueError(f"Invalid repo type {repo_type!r}: one of model, dataset, space")
    return repo_type


class ApiBase:
    """Client state shared by every ``HfApi`` method: endpoint, token and header options."""

    def __init__(
        self,
        endpoint: str | None = None,
        token: str | bool | None = None,
        library_name: str | None = None,
        library_version: str | None = None,
        user_agent: dict[str, Any] | str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self._endpoint = endpoint.rstrip("/") if endpoint else None
        self.token = token
        self.library_name = library_name
        self.library_version = library_version
        self.user_agent = user_agent
        self.headers = headers

    @property
    def endpoint(self) -> str:
        """The Hub's base URL: given at construction, else ``HF_ENDPOINT`` (read at call time)."""
        return self._endpoint or constants.ENDPOINT

    def _build_hf_headers(
        self, token: str | bool | None = None, library_name: str | None = None, library_version: str | None = None,
        user_agent: dict[str, Any] | str | None = None,
    ) -> dict[str, str]:  # fmt: skip
        """Headers for a request; a per-call ``token`` wins over the instance's."""
        return build_hf_headers(
            token=self.token if token is None else token,
            library_name=library_name or self.library_name,
            library_version=library_version or self.library_version,
            user_agent=user_agent or self.user_agent,
            headers=self.headers,
        )

    def _api_url(self, path: str) -> str:
        return f"{self.endpoint}/api/{path.lstrip('/')}"

    def _repo_api_url(self, repo_id: str, repo_type: str | None, *parts: str) -> str:
        """``{endpoint}/api/{type}s/{repo_id}[/parts...]`` (parts are already encoded)."""
        base = f"{self.endpoint}/api/{api_type(repo_type)}s/{repo_id}"
        return "/".join([base, *parts]) if parts else base

    def _send(
        self, method: str, url: str, *, token: str | bool | None = None, endpoint_name: str | None = None,
        **kwargs: Any,
    ) -> httpx.Response:  # fmt: skip
        """One request through the shared client; errors raised as ``hubkit.errors`` classes."""
        headers = {**self._build_hf_headers(token=token), **(kwargs.pop("headers", None) or {})}
        response = get_session().request(method, url, headers=headers, **kwargs)
        raise_for_status(response, endpoint_name=endpoint_name)
        return response

    def _paginate(
        self, url: str, *, token: str | bool | None = None, params: dict[str, Any] | None = None
    ) -> Iterator[Any]:
        """Items of a ``Link``-paginated listing, fetched page by page as they are consumed."""
        return paginate(url, params=params, headers=self._build_hf_headers(token=token))
