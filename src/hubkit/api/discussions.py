"""Discussions and pull requests (``create_discussion``, ``merge_pull_request``, ...): issue 10."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from ..community import (
    Discussion,
    DiscussionComment,
    DiscussionStatusChange,
    DiscussionTitleChange,
    DiscussionWithDetails,
    deserialize_event,
    details_from_json,
    discussion_from_json,
)
from ._base import ApiBase

PUBLIC: tuple[str, ...] = (
    "get_repo_discussions",
    "get_discussion_details",
    "create_discussion",
    "create_pull_request",
    "comment_discussion",
    "edit_discussion_comment",
    "hide_discussion_comment",
    "rename_discussion",
    "change_discussion_status",
    "merge_pull_request",
)
_DEFAULT_DESCRIPTION = "{} opened with the [hubkit](https://github.com/hubkit) Python library"


class DiscussionMixin(ApiBase):
    def get_repo_discussions(
        self,
        repo_id: str,
        *,
        author: str | None = None,
        discussion_type: Literal["all", "discussion", "pull_request"] | None = None,
        discussion_status: Literal["all", "open", "closed"] | None = None,
        repo_type: str | None = None,
        token: bool | str | None = None,
    ) -> Iterator[Discussion]:
        """The discussions and pull requests of a repo, newest first, fetched page by page."""
        if discussion_type not in (None, "all", "discussion", "pull_request"):
            raise ValueError("discussion_type must be 'all', 'discussion' or 'pull_request'")
        if discussion_status not in (None, "all", "open", "closed"):
            raise ValueError("discussion_status must be 'all', 'open' or 'closed'")
        params: dict[str, Any] = {}
        if discussion_type:
            params["type"] = discussion_type
        if discussion_status:
            params["status"] = discussion_status
        if author:
            params["author"] = author
        url = self._repo_api_url(repo_id, repo_type, "discussions")
        page = 0
        while True:
            body = self._send("GET", url, token=token, params={**params, "p": page}).json()
            items = body["discussions"]
            for item in items:
                yield discussion_from_json(item, self.endpoint)
            if not items or body["start"] + len(items) >= body["count"]:
                return
            page += 1

    def get_discussion_details(
        self, repo_id: str, discussion_num: int, *, repo_type: str | None = None, token: bool | str | None = None
    ) -> DiscussionWithDetails:
        """A discussion with its events; for a pull request also its target, conflicts and diff."""
        url = self._repo_api_url(repo_id, repo_type, "discussions", str(int(discussion_num)))
        return details_from_json(self._send("GET", url, token=token, params={"diff": "1"}).json(), self.endpoint)

    def create_discussion(
        self,
        repo_id: str,
        title: str,
        *,
        token: bool | str | None = None,
        description: str | None = None,
        repo_type: str | None = None,
        pull_request: bool = False,
    ) -> DiscussionWithDetails:
        """Open a discussion (or, with ``pull_request=True``, an empty draft pull request)."""
        description = (description or "").strip() or _DEFAULT_DESCRIPTION.format(
            "Pull Request" if pull_request else "Discussion"
        )
        url = self._repo_api_url(repo_id, repo_type, "discussions")
        body = {"title": title.strip(), "description": description, "pullRequest": pull_request}
        num = self._send("POST", url, token=token, json=body).json()["num"]
        return self.get_discussion_details(repo_id, num, repo_type=repo_type, token=token)

    def create_pull_request(
        self,
        repo_id: str,
        title: str,
        *,
        token: bool | str | None = None,
        description: str | None = None,
        repo_type: str | None = None,
    ) -> DiscussionWithDetails:
        """Open a draft pull request; push to its ``git_reference`` (``refs/pr/N``) to fill it."""
        return self.create_discussion(
            repo_id, title, token=token, description=description, repo_type=repo_type, pull_request=True
        )

    def _post_change(
        self, repo_id: str, num: int, resource: str, body: dict[str, Any] | None, repo_type: str | None,
        token: bool | str | None,
    ) -> dict[str, Any]:  # fmt: skip
        url = self._repo_api_url(repo_id, repo_type, "discussions", str(int(num)), resource)
        result: dict[str, Any] = self._send("POST", url, token=token, json=body).json()
        return result

    def comment_discussion(
        self, repo_id: str, discussion_num: int, comment: str, *, token: bool | str | None = None,
        repo_type: str | None = None,
    ) -> DiscussionComment:  # fmt: skip
        """Add a comment (Markdown) to a discussion or pull request."""
        data = self._post_change(repo_id, discussion_num, "comment", {"comment": comment}, repo_type, token)
        return deserialize_event(data["newMessage"])  # type: ignore[return-value]

    def edit_discussion_comment(
        self, repo_id: str, discussion_num: int, comment_id: str, new_content: str, *,
        token: bool | str | None = None, repo_type: str | None = None,
    ) -> DiscussionComment:  # fmt: skip
        """Replace the text of one's own comment."""
        resource = f"comment/{comment_id.lower()}/edit"
        data = self._post_change(repo_id, discussion_num, resource, {"content": new_content}, repo_type, token)
        return deserialize_event(data["updatedComment"])  # type: ignore[return-value]

    def hide_discussion_comment(
        self, repo_id: str, discussion_num: int, comment_id: str, *, token: bool | str | None = None,
        repo_type: str | None = None,
    ) -> DiscussionComment:  # fmt: skip
        """Hide a comment (its author or a repo writer); this cannot be undone."""
        data = self._post_change(repo_id, discussion_num, f"comment/{comment_id.lower()}/hide", None, repo_type, token)
        return deserialize_event(data["updatedComment"])  # type: ignore[return-value]

    def rename_discussion(
        self, repo_id: str, discussion_num: int, new_title: str, *, token: bool | str | None = None,
        repo_type: str | None = None,
    ) -> DiscussionTitleChange:  # fmt: skip
        data = self._post_change(repo_id, discussion_num, "title", {"title": new_title}, repo_type, token)
        return deserialize_event(data["newTitle"])  # type: ignore[return-value]

    def change_discussion_status(
        self, repo_id: str, discussion_num: int, new_status: Literal["open", "closed"], *,
        token: bool | str | None = None, comment: str | None = None, repo_type: str | None = None,
    ) -> DiscussionStatusChange:  # fmt: skip
        """Close or reopen a discussion (its author or a repo writer), optionally with a comment."""
        if new_status not in ("open", "closed"):
            raise ValueError("new_status must be 'open' or 'closed'")
        body: dict[str, Any] = {"status": new_status}
        if comment and comment.strip():
            body["comment"] = comment.strip()
        data = self._post_change(repo_id, discussion_num, "status", body, repo_type, token)
        return deserialize_event(data["newStatus"])  # type: ignore[return-value]

    def merge_pull_request(
        self, repo_id: str, discussion_num: int, *, token: bool | str | None = None, comment: str | None = None,
        repo_type: str | None = None,
    ) -> None:  # fmt: skip
        """Merge a pull request into its target branch (repo writers); 409 when it conflicts."""
        body = {"comment": comment.strip()} if comment and comment.strip() else None
        self._post_change(repo_id, discussion_num, "merge", body, repo_type, token)
