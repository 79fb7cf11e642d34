"""``CommitInfo``: what a commit returns (a ``str``, the commit URL, that also knows the details)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..api.urls import RepoUrl

__all__ = ["CommitInfo", "pr_revision_from_url"]

_PR_URL_RE = re.compile(r".*/discussions/(\d+)")


def pr_revision_from_url(pr_url: str) -> str:
    """``refs/pr/N`` from a pull request URL ``.../discussions/N``."""
    m = _PR_URL_RE.match(pr_url)
    if m is None:
        raise ValueError(f"Unable to parse a pull request number from the URL '{pr_url}'.")
    return f"refs/pr/{m.group(1)}"


@dataclass
class CommitInfo(str):
    """A commit just created (or, when nothing changed, the current head of the branch).

    The value of the string is ``commit_url``. Attributes: ``commit_url``, ``commit_message``,
    ``commit_description``, ``oid`` (the commit sha), ``pr_url``, ``pr_revision``
    (``refs/pr/N``) and ``pr_num`` when a pull request was opened, and ``repo_url`` (a
    ``RepoUrl`` with the repo's id and type).
    """

    commit_url: str
    commit_message: str
    commit_description: str
    oid: str
    _endpoint: str | None = field(default=None, repr=False)
    pr_url: str | None = None

    repo_url: RepoUrl = field(init=False)
    pr_revision: str | None = field(init=False)
    pr_num: int | None = field(init=False)

    def __new__(cls, commit_url: str, *args: Any, **kwargs: Any) -> CommitInfo:
        return str.__new__(cls, commit_url)

    def __reduce__(self) -> Any:
        # pickle and copy would otherwise rebuild the object from the string alone
        args = (self.commit_url, self.commit_message, self.commit_description, self.oid, self._endpoint, self.pr_url)
        return self.__class__, args

    def __post_init__(self) -> None:
        from ..api.urls import RepoUrl  # here: hubkit.api imports this module

        self.repo_url = RepoUrl(self.commit_url.split("/commit/")[0], endpoint=self._endpoint)
        if self.pr_url is not None:
            self.pr_revision = pr_revision_from_url(self.pr_url)
            self.pr_num = int(self.pr_revision.split("/")[-1])
        else:
            self.pr_revision = None
            self.pr_num = None
