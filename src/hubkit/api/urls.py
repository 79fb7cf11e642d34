"""``RepoUrl``: the URL of a repo, parsed back into endpoint, type and id."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from .. import constants


def repo_type_and_id_from_url(url: str, endpoint: str | None = None) -> tuple[str | None, str | None, str]:
    """(repo_type, namespace, name) of a repo web URL on the endpoint (or huggingface.co)."""
    endpoint = (endpoint or constants.ENDPOINT).rstrip("/")
    parts = urlsplit(url)
    path = parts.path
    prefix = urlsplit(endpoint).path.rstrip("/")
    if parts.netloc and parts.netloc == urlsplit(endpoint).netloc and prefix and path.startswith(prefix + "/"):
        path = path[len(prefix) :]
    segments = [s for s in path.split("/") if s]
    repo_type: str | None = None
    if segments and segments[0] in ("datasets", "spaces", "models", "kernels"):
        repo_type = segments.pop(0)[:-1]
    if not segments or len(segments) > 2:
        raise ValueError(f"Unable to retrieve a repo id from the URL {url!r}")
    namespace = segments[0] if len(segments) == 2 else None
    return repo_type, namespace, segments[-1]


class RepoUrl(str):
    """A repo's web URL (a ``str``) that also knows its endpoint, type and id."""

    endpoint: str
    namespace: str | None
    repo_name: str
    repo_id: str
    repo_type: str
    url: str

    def __new__(cls, url: Any, endpoint: str | None = None) -> RepoUrl:
        url = str(url)
        default = constants.ENDPOINT
        if endpoint is None:
            endpoint = default
        for hub in ("https://huggingface.co", "https://hub-ci.huggingface.co"):
            if endpoint.rstrip("/") != hub:
                url = url.replace(hub, endpoint.rstrip("/"))
        return super().__new__(cls, url)

    def __init__(self, url: Any, endpoint: str | None = None) -> None:
        super().__init__()
        self.endpoint = (endpoint or constants.ENDPOINT).rstrip("/")
        repo_type, namespace, name = repo_type_and_id_from_url(str(self), self.endpoint)
        self.namespace = namespace
        self.repo_name = name
        self.repo_id = f"{namespace}/{name}" if namespace else name
        self.repo_type = repo_type or constants.REPO_TYPE_MODEL
        self.url = str(self)

    def __repr__(self) -> str:
        return f"RepoUrl('{self}', endpoint='{self.endpoint}', repo_type='{self.repo_type}', repo_id='{self.repo_id}')"
