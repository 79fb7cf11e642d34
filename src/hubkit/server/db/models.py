"""The mutable state of the hub: accounts, tokens, repos, refs and indexes over objects.

Everything immutable (file content, trees, commits) lives in the object store; this schema
only holds what changes, plus small indexes that make access checks cheap.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

HexOid = Annotated[str, mapped_column(String(64))]
ByteSize = Annotated[int, mapped_column(BigInteger)]  # files may exceed 2**31 bytes


class Base(DeclarativeBase):
    pass


class Namespace(Base):
    """A user or an organization: both own repos under their name."""

    __tablename__ = "namespaces"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(96))
    name_lower: Mapped[str] = mapped_column(String(96), unique=True)
    kind: Mapped[str] = mapped_column(String(8))  # "user" | "org"
    fullname: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(200), default=None)
    is_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]


class Membership(Base):
    __tablename__ = "memberships"
    org_id: Mapped[int] = mapped_column(ForeignKey("namespaces.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("namespaces.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(8))  # "admin" | "write" | "read"


class Token(Base):
    """An access token, stored as the sha256 of its value (tokens are long random strings)."""

    __tablename__ = "tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("namespaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(8))  # "read" | "write"
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]


class Repo(Base):
    __tablename__ = "repos"
    __table_args__ = (UniqueConstraint("type", "id_lower"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(8))  # model | dataset | space | kernel
    namespace: Mapped[str] = mapped_column(String(96))
    name: Mapped[str] = mapped_column(String(96))
    id_lower: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int] = mapped_column(ForeignKey("namespaces.id"))
    private: Mapped[bool] = mapped_column(default=False)
    gated: Mapped[str] = mapped_column(String(8), default="")  # "" | "auto" | "manual"
    sdk: Mapped[str | None] = mapped_column(String(20), default=None)
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    # listing and sorting without touching the object store
    last_modified: Mapped[datetime | None] = mapped_column(default=None)
    downloads: Mapped[ByteSize] = mapped_column(default=0, server_default="0")
    likes: Mapped[int] = mapped_column(default=0, server_default="0")
    # README metadata of the main branch and the tags derived from it (" tag1 tag2 ", for LIKE)
    card_data: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    tags_text: Mapped[str] = mapped_column(default=" ", server_default=" ")

    @property
    def repo_id(self) -> str:
        return f"{self.namespace}/{self.name}"


class RepoRedirect(Base):
    """Old ids of moved repos, so old URLs keep working."""

    __tablename__ = "repo_redirects"
    type: Mapped[str] = mapped_column(String(8), primary_key=True)
    id_lower: Mapped[str] = mapped_column(String(200), primary_key=True)
    repo_id: Mapped[int] = mapped_column(ForeignKey("repos.id", ondelete="CASCADE"))


class Ref(Base):
    """A branch, tag or pull-request ref. Moved only by compare-and-swap on ``target``."""

    __tablename__ = "refs"
    repo_id: Mapped[int] = mapped_column(ForeignKey("repos.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), primary_key=True)  # full: refs/heads/main
    target: Mapped[HexOid]
    message: Mapped[str | None] = mapped_column(default=None)


class RepoCommit(Base):
    """Which commits belong to which repo: object ids are global, visibility is not."""

    __tablename__ = "repo_commits"
    repo_id: Mapped[int] = mapped_column(ForeignKey("repos.id", ondelete="CASCADE"), primary_key=True)
    oid: Mapped[HexOid] = mapped_column(primary_key=True)


class LfsObject(Base):
    __tablename__ = "lfs_objects"
    oid: Mapped[HexOid] = mapped_column(primary_key=True)
    size: Mapped[ByteSize]
    created_at: Mapped[datetime]


class RepoLfsObject(Base):
    """LFS objects a repo may reference: uploaded to it, or already in its history."""

    __tablename__ = "repo_lfs_objects"
    repo_id: Mapped[int] = mapped_column(ForeignKey("repos.id", ondelete="CASCADE"), primary_key=True)
    oid: Mapped[HexOid] = mapped_column(primary_key=True)


class Discussion(Base):
    """A discussion or a pull request; both share the repo's ``num`` counter."""

    __tablename__ = "discussions"
    __table_args__ = (UniqueConstraint("repo_id", "num"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    repo_id: Mapped[int] = mapped_column(ForeignKey("repos.id", ondelete="CASCADE"))
    num: Mapped[int]
    title: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(8))  # open | closed | merged | draft
    is_pr: Mapped[bool]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("namespaces.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    # pull requests only
    target_ref: Mapped[str | None] = mapped_column(String(255), default=None)  # refs/heads/main
    base_commit: Mapped[str | None] = mapped_column(String(64), default=None)  # where the PR started
    head_commit: Mapped[str | None] = mapped_column(String(64), default=None)  # last commit of refs/pr/N
    merge_commit: Mapped[str | None] = mapped_column(String(64), default=None)


class DiscussionEvent(Base):
    __tablename__ = "discussion_events"
    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    discussion_id: Mapped[int] = mapped_column(ForeignKey("discussions.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(20))  # comment | status-change | title-change | commit
    author_id: Mapped[int | None] = mapped_column(ForeignKey("namespaces.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class XetXorb(Base):
    """A verified xorb: its chunk table (hash, raw length, stream offset per chunk) computed by us."""

    __tablename__ = "xet_xorbs"
    hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # string form
    stream_size: Mapped[int]
    raw_size: Mapped[int]
    num_chunks: Mapped[int]
    chunk_meta: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]


class XetFile(Base):
    """A file reconstruction (terms) whose sha256 the server computed from the bytes."""

    __tablename__ = "xet_files"
    file_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[ByteSize]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    terms: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]


class XetRepoFile(Base):
    """Xet content a repo may commit and read: registered by a shard uploaded for that repo."""

    __tablename__ = "xet_repo_files"
    repo_id: Mapped[int] = mapped_column(ForeignKey("repos.id", ondelete="CASCADE"), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    file_hash: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[ByteSize]


class Like(Base):
    __tablename__ = "likes"
    user_id: Mapped[int] = mapped_column(ForeignKey("namespaces.id", ondelete="CASCADE"), primary_key=True)
    repo_id: Mapped[int] = mapped_column(ForeignKey("repos.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime]


class AccessRequest(Base):
    """A user's request to access a gated repo (auto-gated repos accept it at once)."""

    __tablename__ = "access_requests"
    __table_args__ = (UniqueConstraint("repo_id", "user_id"),)
    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    repo_id: Mapped[int] = mapped_column(ForeignKey("repos.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("namespaces.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10))  # pending | accepted | rejected
    created_at: Mapped[datetime]
    fields: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    rejection_reason: Mapped[str | None] = mapped_column(default=None)


class SafetensorsFile(Base):
    """Parameter counts per dtype of one safetensors content, read once from its header.

    Keyed by content (the LFS sha256, or the git blob id of a small file), so a file committed
    again, copied or shared by several repos is never read twice.
    """

    __tablename__ = "safetensors_files"
    content_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    parameters: Mapped[dict[str, int]] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(String(300), default=None)  # why the header is unreadable


class RepoSafetensors(Base):
    """The safetensors summary of a repo's main branch: ``safetensors`` of model info and listings."""

    __tablename__ = "repo_safetensors"
    repo_id: Mapped[int] = mapped_column(ForeignKey("repos.id", ondelete="CASCADE"), primary_key=True)
    commit: Mapped[HexOid]
    parameters: Mapped[dict[str, int]] = mapped_column(JSON)
    total: Mapped[ByteSize] = mapped_column(index=True)  # parameter count, for sorting and filtering


class ServerSetting(Base):
    __tablename__ = "server_settings"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str]


Index("ix_tokens_user", Token.user_id)
Index("ix_repos_owner", Repo.owner_id)
Index("ix_events_discussion", DiscussionEvent.discussion_id, DiscussionEvent.created_at)
