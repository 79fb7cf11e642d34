"""What happens after a ref moves: one place every writer calls, whatever moved it.

An API commit, a pull-request merge, a super-squash, a branch or tag created or deleted through
the API, and (later) a ``git push`` all move refs. Whatever the hub derives from a ref move (the
listing's card index of the main branch today; webhooks, safetensors metadata and other
reactions later) is triggered here, so that no path that moves a ref can forget one. Each
reaction is one explicit call below, run inside the transaction that moved the ref: it commits
or rolls back with the move (a reaction that only records work for later, e.g. a queued webhook
delivery, must not do slow I/O here).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from ..storage.gitstore import GitStore
from . import listing

MAIN = "refs/heads/main"


@dataclass(frozen=True)
class RefUpdate:
    """``ref`` of repo ``repo_id`` went from ``old`` to ``new`` (``None``: created / deleted)."""

    repo_id: int
    ref: str  # the full name: refs/heads/..., refs/tags/..., refs/pr/N
    old: str | None
    new: str | None
    actor_id: int | None = None  # the namespace id of the user who moved it, when known

    @property
    def created(self) -> bool:
        return self.old is None and self.new is not None

    @property
    def deleted(self) -> bool:
        return self.new is None


def ref_updated(s: Session, git: GitStore, update: RefUpdate) -> None:
    """Run every reaction to ``update``, in the caller's transaction."""
    if update.ref == MAIN and update.new is not None:
        listing.index_head(s, git, update.repo_id, update.new)
