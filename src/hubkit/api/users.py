"""Identity and people: ``whoami``, user and organization pages, likes, gated-repo access requests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from .. import constants
from .._auth import get_token, token_from_environment, token_from_file
from ..errors import HfHubHTTPError, LocalTokenNotFoundError
from ._base import ApiBase
from .repos import validate_hf_hub_args
from .types_refs import AccessRequest, Organization, User, UserLikes, parse_access_request

__all__ = ["UserMixin"]

PUBLIC: tuple[str, ...] = (
    "whoami", "get_user_overview", "get_organization_overview", "list_organization_members", "like", "unlike",
    "list_liked_repos", "list_repo_likers", "list_pending_access_requests", "list_accepted_access_requests",
    "list_rejected_access_requests", "accept_access_request", "reject_access_request", "cancel_access_request",
    "grant_access",
)  # fmt: skip

RequestStatus = Literal["pending", "accepted", "rejected"]


def _type_for_access_requests(repo_type: str | None) -> str:
    if repo_type not in constants.REPO_TYPES:
        raise ValueError(f"Invalid repo type {repo_type!r}: one of model, dataset, space.")
    return repo_type or constants.REPO_TYPE_MODEL


class UserMixin(ApiBase):
    """Who the token is, who is on the Hub, and who may use a gated repo."""

    # ``whoami`` answers per token, cached only on request (the Hub rate-limits it hard).
    _whoami_cache: dict[str, dict[str, Any]]

    def whoami(self, token: bool | str | None = None, *, cache: bool = False) -> dict[str, Any]:
        """The account behind the token: ``name``, ``type``, ``orgs``, ``auth.accessToken.role``...

        Args:
            token: the token to check (default: the client's, else the configured one).
            cache: remember the answer for this token for the life of this client (the Hub
                rate-limits this endpoint hard); errors are never cached.

        Raises:
            ``LocalTokenNotFoundError`` without any token, ``ValueError`` for ``token=False``,
            ``HfHubHTTPError`` ("Invalid user token.") when the Hub rejects it.
        """
        token = self.token if token is None else token
        if token is False:
            raise ValueError("whoami needs a token: token=False is not allowed here.")
        if token is True or token is None:
            token = get_token()
        if token is None:
            raise LocalTokenNotFoundError(
                "whoami needs a token but none is configured: pass token=..., set HF_TOKEN or log in "
                "(`hubkit.login()`)."
            )
        cached = self.__dict__.setdefault("_whoami_cache", {})
        if cache and token in cached:
            return cached[token]  # type: ignore[no-any-return]
        try:
            data = self._send("GET", self._api_url("whoami-v2"), token=token).json()
        except HfHubHTTPError as err:
            clearer = _whoami_error(err, token)
            if clearer is err:
                raise
            raise clearer from err
        if cache:
            cached[token] = data
        return data  # type: ignore[no-any-return]

    def get_user_overview(self, username: str, token: bool | str | None = None) -> User:
        """A user's public profile: names, avatar, counts of repos, organizations."""
        return User(**self._send("GET", self._api_url(f"users/{username}/overview"), token=token).json())

    def get_organization_overview(self, organization: str, token: bool | str | None = None) -> Organization:
        """An organization's public profile: names, avatar, member and repo counts."""
        url = self._api_url(f"organizations/{organization}/overview")
        return Organization(**self._send("GET", url, token=token).json())

    def list_organization_members(self, organization: str, token: bool | str | None = None) -> Iterator[User]:
        """The members of an organization, fetched lazily (each ``User`` also carries its ``role``)."""
        url = self._api_url(f"organizations/{organization}/members")
        return (User(**member) for member in self._paginate(url, token=token))

    # --- likes -------------------------------------------------------------------------------

    @validate_hf_hub_args
    def like(self, repo_id: str, *, token: bool | str | None = None, repo_type: str | None = None) -> None:
        """Like a repo (hubkit's own server allows it; huggingface.co refuses likes from scripts)."""
        self._send("POST", self._repo_api_url(repo_id, repo_type, "like"), token=token)

    @validate_hf_hub_args
    def unlike(self, repo_id: str, *, token: bool | str | None = None, repo_type: str | None = None) -> None:
        """Remove the token's user's like from a repo (a no-op when it was not liked)."""
        self._send("DELETE", self._repo_api_url(repo_id, repo_type, "like"), token=token)

    def list_liked_repos(self, user: str | None = None, *, token: bool | str | None = None) -> UserLikes:
        """The repos ``user`` likes (default: the token's user), grouped by repo type.

        Raises ``ValueError`` when no user is given and the token belongs to an organization.
        """
        if user is None:
            me = self.whoami(token=token)
            if me.get("type") != "user":
                raise ValueError("Give a `user`: the token does not belong to a user.")
            user = str(me["name"])
        likes = list(self._paginate(self._api_url(f"users/{user}/likes"), token=token))
        by_type: dict[str, list[str]] = {"model": [], "dataset": [], "space": [], "kernel": []}
        for item in likes:
            repo = item.get("repo") if isinstance(item, dict) else None
            if isinstance(repo, dict) and repo.get("type") in by_type:
                by_type[repo["type"]].append(repo.get("name", ""))
        return UserLikes(user=user, total=len(likes), datasets=by_type["dataset"], kernels=by_type["kernel"],
                         models=by_type["model"], spaces=by_type["space"])  # fmt: skip

    @validate_hf_hub_args
    def list_repo_likers(
        self, repo_id: str, *, repo_type: str | None = None, token: bool | str | None = None
    ) -> Iterator[User]:
        """The users who like a repo, fetched lazily."""
        url = self._repo_api_url(repo_id, repo_type, "likers")
        return (User(**liker) for liker in self._paginate(url, token=token))

    # --- gated repos: access requests --------------------------------------------------------

    def _access_requests(
        self, repo_id: str, status: RequestStatus, repo_type: str | None, token: bool | str | None
    ) -> Iterator[AccessRequest]:
        repo_type = _type_for_access_requests(repo_type)
        url = self._repo_api_url(repo_id, repo_type, "user-access-request", status)
        return (parse_access_request(item) for item in self._paginate(url, token=token))

    @validate_hf_hub_args
    def list_pending_access_requests(
        self, repo_id: str, *, repo_type: str | None = None, token: bool | str | None = None
    ) -> Iterator[AccessRequest]:
        """Access requests to a gated repo that wait for a decision (needs write access to the repo)."""
        return self._access_requests(repo_id, "pending", repo_type, token)

    @validate_hf_hub_args
    def list_accepted_access_requests(
        self, repo_id: str, *, repo_type: str | None = None, token: bool | str | None = None
    ) -> Iterator[AccessRequest]:
        """Users who may use a gated repo (requests accepted, and access granted directly)."""
        return self._access_requests(repo_id, "accepted", repo_type, token)

    @validate_hf_hub_args
    def list_rejected_access_requests(
        self, repo_id: str, *, repo_type: str | None = None, token: bool | str | None = None
    ) -> Iterator[AccessRequest]:
        """Access requests to a gated repo that were rejected."""
        return self._access_requests(repo_id, "rejected", repo_type, token)

    def _handle_access_request(
        self,
        repo_id: str,
        user: str | None,
        request_id: str | None,
        status: RequestStatus,
        repo_type: str | None,
        token: bool | str | None,
        rejection_reason: str | None = None,
    ) -> None:
        repo_type = _type_for_access_requests(repo_type)
        if (user is None) == (request_id is None):
            raise ValueError("Give exactly one of `user` or `request_id`.")
        payload: dict[str, Any] = {"user": user} if user is not None else {"requestId": request_id}
        payload["status"] = status
        if rejection_reason is not None:
            if status != "rejected":
                raise ValueError("`rejection_reason` only goes with a rejection.")
            payload["rejectionReason"] = rejection_reason
        url = self._repo_api_url(repo_id, repo_type, "user-access-request", "handle")
        self._send("POST", url, token=token, json=payload)

    @validate_hf_hub_args
    def accept_access_request(
        self,
        repo_id: str,
        user: str | None = None,
        *,
        request_id: str | None = None,
        repo_type: str | None = None,
        token: bool | str | None = None,
    ) -> None:
        """Accept a user's request (by ``user`` or ``request_id``) to a gated repo."""
        self._handle_access_request(repo_id, user, request_id, "accepted", repo_type, token)

    @validate_hf_hub_args
    def reject_access_request(
        self,
        repo_id: str,
        user: str | None = None,
        *,
        request_id: str | None = None,
        repo_type: str | None = None,
        rejection_reason: str | None,
        token: bool | str | None = None,
    ) -> None:
        """Reject a user's request to a gated repo, with an optional reason shown to them."""
        self._handle_access_request(repo_id, user, request_id, "rejected", repo_type, token, rejection_reason)

    @validate_hf_hub_args
    def cancel_access_request(
        self,
        repo_id: str,
        user: str | None = None,
        *,
        request_id: str | None = None,
        repo_type: str | None = None,
        token: bool | str | None = None,
    ) -> None:
        """Move an accepted or rejected request back to pending (access is withdrawn meanwhile)."""
        self._handle_access_request(repo_id, user, request_id, "pending", repo_type, token)

    @validate_hf_hub_args
    def grant_access(
        self, repo_id: str, user: str, *, repo_type: str | None = None, token: bool | str | None = None
    ) -> None:
        """Give ``user`` access to a gated repo without a request from them."""
        repo_type = _type_for_access_requests(repo_type)
        url = self._repo_api_url(repo_id, repo_type, "user-access-request", "grant")
        self._send("POST", url, token=token, json={"user": user})


def _whoami_error(err: HfHubHTTPError, token: str) -> HfHubHTTPError:
    """A clearer error for the two failures users hit: a bad token, and the rate limit."""
    status = err.response.status_code
    if status == 401:
        message = "Invalid user token."
        if token == token_from_environment():
            message += " It comes from the HF_TOKEN environment variable, which takes precedence over `login()`."
        elif token == token_from_file():
            message += " It is the token saved on this machine: log in again with `hubkit.login(token=...)`."
        return HfHubHTTPError(message, response=err.response, server_message=err.server_message)
    if status == 429:
        message = "Rate limit reached on /api/whoami-v2: call `whoami(cache=True)` to reuse the first answer."
        return HfHubHTTPError(message, response=err.response, server_message=err.server_message)
    return err
