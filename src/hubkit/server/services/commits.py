"""The commit API: parse the NDJSON payload, build the new tree, move the branch.

Objects (blobs, trees, the commit) are written first; the branch then moves by
compare-and-swap. A crash leaves at most unreferenced objects, never half a commit, and two
writers never lose an update: without ``parentCommit`` a lost race is replayed on the new
head (like the Hub), with it the caller gets 412.
"""

from __future__ import annotations

import base64
import binascii
import json
import random
import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db.models import Discussion, LfsObject, Namespace, Ref, Repo, RepoCommit, RepoLfsObject
from ..errors import (
    PARENT_MISMATCH,
    BadRequest,
    Conflict,
    EntryNotFound,
    Forbidden,
    PreconditionFailed,
    RevisionNotFound,
)
from ..hub import Hub
from ..storage.gitobj import (
    FILE_MODE,
    Commit,
    GitOid,
    TreeEntry,
    commit_message,
    lfs_pointer,
    parse_lfs_pointer,
)
from ..storage.gitstore import GitStore
from . import discussions, events, lfs, refs, xet
from .accounts import Caller
from .paths import check_repo_path
from .repos import find_repo, require_write, signature, url_prefix

COMMIT_DEADLINE = 120.0  # seconds a commit keeps retrying a contended branch
_BRANCH_LOCKS = [threading.Lock() for _ in range(256)]


def _branch_lock(repo_id: int, ref_name: str) -> threading.Lock:
    """Commits to one branch queue up inside a process instead of racing; across processes the
    compare-and-swap decides and the loser replays (striped locks: bounded memory)."""
    return _BRANCH_LOCKS[hash((repo_id, ref_name)) % len(_BRANCH_LOCKS)]


# --- payload -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    summary: str
    description: str
    parent_commit: str | None


@dataclass(frozen=True)
class AddRegular:
    path: str
    content: bytes


@dataclass(frozen=True)
class AddLfs:
    path: str
    oid: str
    size: int | None  # absent for copies


@dataclass(frozen=True)
class DeleteFile:
    path: str


@dataclass(frozen=True)
class DeleteFolder:
    path: str


Operation = AddRegular | AddLfs | DeleteFile | DeleteFolder
_KEYS_HINT = "Add a line with the key `lfsFile`, `file`, `deletedFile` or `deletedFolder`"


def parse_payload(body: bytes) -> tuple[Header, list[Operation]]:
    """Parse and validate a commit NDJSON body completely before anything is written."""
    header: Header | None = None
    ops: list[Operation] = []
    for lineno, raw in enumerate(body.split(b"\n"), 1):
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise BadRequest(f"Malformed commit payload: line {lineno} is not valid JSON") from None
        if not isinstance(line, dict) or not isinstance(line.get("value"), dict):
            raise BadRequest(f"Malformed commit payload: line {lineno} must be {{'key': ..., 'value': {{...}}}}")
        key, value = line.get("key"), line["value"]
        if key == "header":
            if header is not None:
                raise BadRequest("Malformed commit payload: more than one header line")
            header = _parse_header(value)
        elif key in ("file", "lfsFile", "deletedFile", "deletedFolder"):
            ops.append(_parse_op(key, value, lineno))
        else:
            raise BadRequest(f"Malformed commit payload: unknown key {key!r} on line {lineno}. {_KEYS_HINT}")
    if header is None:
        raise BadRequest("Malformed commit payload: the first line must be the header")
    return header, ops


def _parse_header(value: dict[str, Any]) -> Header:
    summary = value.get("summary")
    description = value.get("description", "") or ""
    parent = value.get("parentCommit")
    if not isinstance(summary, str) or not summary.strip():
        raise BadRequest("The commit summary (title) is required")
    if not isinstance(description, str):
        raise BadRequest("The commit description must be a string")
    if parent is not None:
        if (
            not isinstance(parent, str)
            or not (5 <= len(parent) <= 40)
            or any(c not in "0123456789abcdefABCDEF" for c in parent)
        ):
            raise BadRequest("parentCommit must be 5 to 40 hexadecimal characters")
        parent = parent.lower()
    return Header(summary.strip(), description, parent)


def _str_field(value: dict[str, Any], name: str, lineno: int) -> str:
    item = value.get(name)
    if not isinstance(item, str):
        raise BadRequest(f"Malformed commit payload: '{name}' must be a string on line {lineno}")
    return item


def _parse_op(key: str, value: dict[str, Any], lineno: int) -> Operation:
    path = _str_field(value, "path", lineno)
    if key == "deletedFolder":
        return DeleteFolder(check_repo_path(path.rstrip("/")))
    path = check_repo_path(path)
    if key == "deletedFile":
        return DeleteFile(path)
    if key == "file":
        content = _str_field(value, "content", lineno)
        encoding = str(value.get("encoding", "base64")).lower()
        if encoding == "base64":
            try:
                data = base64.b64decode(content, validate=True)
            except (binascii.Error, ValueError):
                raise BadRequest(f"Malformed commit payload: invalid base64 content for {path!r}") from None
        elif encoding in ("utf-8", "utf8"):
            data = content.encode()
        else:
            raise BadRequest(f"Unsupported encoding {encoding!r} for {path!r}")
        pointer = parse_lfs_pointer(data)
        if pointer is not None:
            # A pointer file committed as text still references an LFS object: same checks.
            return AddLfs(path, pointer.sha256, pointer.size)
        return AddRegular(path, data)
    oid = _str_field(value, "oid", lineno).lower()
    algo = value.get("algo", "sha256")
    if algo != "sha256" or len(oid) != 64 or any(c not in "0123456789abcdef" for c in oid):
        raise BadRequest(f"Malformed commit payload: lfsFile {path!r} needs a sha256 oid")
    size = value.get("size")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
        raise BadRequest(f"Malformed commit payload: invalid size for {path!r}")
    return AddLfs(path, oid, size)


# --- tree edits --------------------------------------------------------------------------


class _Dir:
    """A folder being edited: loaded lazily, written back only if something changed."""

    def __init__(self, git: GitStore, oid: str | None) -> None:
        self.git = git
        self.oid = oid
        self._entries: dict[str, TreeEntry | _Dir] | None = None
        self.dirty = False

    @property
    def entries(self) -> dict[str, TreeEntry | _Dir]:
        if self._entries is None:
            self._entries = dict(self.git.tree(self.oid)) if self.oid else {}
        return self._entries

    def _subdir(self, name: str, path: str, create: bool) -> _Dir | None:
        entry = self.entries.get(name)
        if isinstance(entry, _Dir):
            return entry
        if entry is None:
            if not create:
                return None
            sub = _Dir(self.git, None)
        elif entry.is_dir:
            sub = _Dir(self.git, entry.oid)
        else:
            raise BadRequest(f"Cannot create {path!r}: a file exists where a folder is needed")
        self.entries[name] = sub
        return sub

    def _walk(self, parts: list[str], path: str, create: bool) -> list[_Dir] | None:
        chain = [self]
        for name in parts[:-1]:
            sub = chain[-1]._subdir(name, path, create)
            if sub is None:
                return None
            chain.append(sub)
        return chain

    def set_file(self, path: str, oid: str) -> None:
        parts = path.split("/")
        chain = self._walk(parts, path, create=True)
        assert chain is not None
        existing = chain[-1].entries.get(parts[-1])
        if isinstance(existing, _Dir) or (isinstance(existing, TreeEntry) and existing.is_dir):
            raise BadRequest(f"Cannot create file {path!r}: a folder with this name exists")
        chain[-1].entries[parts[-1]] = TreeEntry(FILE_MODE, parts[-1], GitOid(oid))
        for d in chain:
            d.dirty = True

    def remove(self, path: str, *, folder: bool) -> bool:
        parts = path.split("/")
        try:
            chain = self._walk(parts, path, create=False)
        except BadRequest:
            return False
        if chain is None:
            return False
        existing = chain[-1].entries.get(parts[-1])
        is_dir = isinstance(existing, _Dir) or (isinstance(existing, TreeEntry) and existing.is_dir)
        if existing is None or is_dir != folder:
            return False
        del chain[-1].entries[parts[-1]]
        for d in chain:
            d.dirty = True
        return True

    def write(self) -> str | None:
        """The tree oid after the edits; None for a folder left empty (git drops those)."""
        if not self.dirty and self.oid is not None:
            return self.oid
        out: list[TreeEntry] = []
        for name, entry in self.entries.items():
            if isinstance(entry, _Dir):
                oid = entry.write()
                if oid is not None:
                    out.append(TreeEntry("40000", name, GitOid(oid)))
            else:
                out.append(entry)
        if not out:
            return None
        return self.git.put_tree(out)


def _apply(git: GitStore, base_tree: str, ops: list[Operation], lfs_sizes: dict[str, int]) -> str:
    root = _Dir(git, base_tree)
    for op in ops:
        if isinstance(op, AddRegular):
            root.set_file(op.path, git.put_blob(op.content))
        elif isinstance(op, AddLfs):
            size = lfs_sizes[op.oid]
            root.set_file(op.path, git.put_blob(lfs_pointer(op.oid, size)))
        elif isinstance(op, DeleteFile):
            if not root.remove(op.path, folder=False):
                raise EntryNotFound(f"A file with this name doesn't exist: {op.path}")
        elif not root.remove(op.path, folder=True):
            raise EntryNotFound(f"A folder with this name doesn't exist: {op.path}")
    root.dirty = True
    return root.write() or git.put_tree([])


# --- the commit ----------------------------------------------------------------------------


def _check_lfs(hub: Hub, s: Session, repo: Repo, ops: list[Operation]) -> dict[str, int]:
    """Sizes of the LFS objects the commit references; each must be known to this repo, as an
    LFS upload or as Xet content registered (and sha256-verified) through this repo."""
    wanted = {op.oid: op for op in ops if isinstance(op, AddLfs)}
    if not wanted:
        return {}
    rows = s.execute(
        select(LfsObject.oid, LfsObject.size)
        .join(RepoLfsObject, RepoLfsObject.oid == LfsObject.oid)
        .where(RepoLfsObject.repo_id == repo.id, LfsObject.oid.in_(list(wanted)))
    ).all()
    sizes = {oid: size for oid, size in rows}
    missing = [oid for oid in wanted if oid not in sizes]
    sizes.update(xet.xet_sizes(s, repo.id, missing))
    for oid in [oid for oid in missing if oid not in sizes]:
        op = wanted[oid]
        if op.size is not None and lfs.finalize_staged(hub, repo.id, oid, op.size):
            sizes[oid] = op.size
    for oid, op in wanted.items():
        if oid not in sizes:
            raise BadRequest(f"LFS object {oid} for {op.path!r} was not uploaded to this repo")
        if op.size is not None and op.size != sizes[oid]:
            raise BadRequest(f"Size mismatch for {op.path!r}: {op.size} given, {sizes[oid]} uploaded")
    return sizes


def create_commit(
    hub: Hub,
    caller: Caller,
    *,
    repo_type: str,
    namespace: str,
    name: str,
    revision: str,
    body: bytes,
    create_pr: bool,
) -> dict[str, Any]:
    header, ops = parse_payload(body)
    if create_pr:
        return _commit_as_new_pr(hub, caller, repo_type, namespace, name, revision, header, ops)
    git = hub.git
    with hub.db.session() as s:
        repo = find_repo(s, caller, repo_type, namespace, name)
        ref = refs.branch_ref(s, repo, revision)
        pr = discussions.pr_for_ref(s, repo, ref.name)
        _check_may_commit(caller, repo, pr)
        ref_name, head = ref.name, ref.target
        lfs_sizes = _check_lfs(hub, s, repo, ops)
        assert caller.user is not None
        author: Namespace = caller.user
        repo_id, public_id, rtype = repo.id, repo.repo_id, repo.type
    message = commit_message(header.summary, header.description)
    deadline = time.monotonic() + COMMIT_DEADLINE
    attempt = 0
    with _branch_lock(repo_id, ref_name):
        while True:
            if header.parent_commit and not head.startswith(header.parent_commit):
                raise PreconditionFailed(PARENT_MISMATCH)
            new = _write_commit(git, head, ops, lfs_sizes, author, message)
            with hub.db.session() as s:
                if refs.compare_and_swap(s, repo_id, ref_name, head, new):
                    s.add(RepoCommit(repo_id=repo_id, oid=new))
                    events.ref_updated(s, git, events.RefUpdate(repo_id, ref_name, head, new, author.id))
                    if pr is not None:
                        pr_row = s.get(Discussion, pr.id)
                        assert pr_row is not None
                        discussions.record_commit(s, pr_row, author, new, header.summary)
                    return _response(hub, rtype, public_id, new)
                current = s.get(Ref, (repo_id, ref_name))
                if current is None:
                    raise Conflict(f"The branch {revision} was deleted during the commit")
                head = current.target
            attempt += 1
            if time.monotonic() > deadline:
                raise Conflict("Too many concurrent commits on this branch, please retry")
            # another process won: back off a little (randomised, so racers spread out)
            time.sleep(random.uniform(0, min(0.5, 0.02 * attempt)))


def check_may_push(s: Session, caller: Caller, repo: Repo, revision: str, *, create_pr: bool) -> None:
    """The write check of a commit (or its preupload) to ``revision``."""
    if create_pr:
        if caller.user is None or not caller.can_write:
            raise Forbidden("Opening a pull request needs an authenticated write token")
        return
    _check_may_commit(caller, repo, discussions.pr_for_ref(s, repo, revision))


def _check_may_commit(caller: Caller, repo: Repo, pr: Discussion | None) -> None:
    """Writers commit anywhere; the author of an open pull request may also push to it."""
    if pr is not None and caller.user is not None and caller.can_write and caller.user.id == pr.author_id:
        if pr.status not in ("open", "draft"):
            raise BadRequest(f"Pull request #{pr.num} is {pr.status}: it takes no more commits")
        return
    require_write(caller, repo)
    if pr is not None and pr.status not in ("open", "draft"):
        raise BadRequest(f"Pull request #{pr.num} is {pr.status}: it takes no more commits")


def _write_commit(
    git: GitStore, parent: str, ops: list[Operation], lfs_sizes: dict[str, int], author: Namespace, message: str
) -> str:
    tree = _apply(git, git.commit(parent).tree, ops, lfs_sizes)
    sig = signature(author)
    return git.put_commit(Commit(GitOid(tree), (GitOid(parent),), sig, sig, message))


def _response(hub: Hub, repo_type: str, repo_id: str, oid: str) -> dict[str, Any]:
    url = f"{hub.settings.public_url}/{url_prefix(repo_type)}{repo_id}/commit/{oid}"
    return {"success": True, "commitOid": oid, "commitUrl": url, "hookOutput": ""}


def _commit_as_new_pr(
    hub: Hub,
    caller: Caller,
    repo_type: str,
    namespace: str,
    name: str,
    revision: str,
    header: Header,
    ops: list[Operation],
) -> dict[str, Any]:
    """``create_pr=1``: the commit lands on a new refs/pr/N branched from ``revision``."""
    with hub.db.session() as s:
        repo = find_repo(s, caller, repo_type, namespace, name)
        if caller.user is None or not caller.can_write:
            raise Forbidden("Opening a pull request needs an authenticated write token")
        target = s.get(Ref, (repo.id, f"{refs.HEADS}{revision}"))
        if target is None:
            raise RevisionNotFound(f"Invalid rev id: {revision} (a pull request targets a branch)")
        base = target.target
        if header.parent_commit:
            base = refs.resolve(s, repo, header.parent_commit).commit
        lfs_sizes = _check_lfs(hub, s, repo, ops)
        author, repo_id, target_ref = caller.user, repo.id, target.name
    message = commit_message(header.summary, header.description)
    new = _write_commit(hub.git, base, ops, lfs_sizes, author, message)
    with hub.db.session() as s:
        repo = s.get(Repo, repo_id)
        assert repo is not None
        pr = discussions.create(
            s, repo, caller, title=header.summary, description=header.description, is_pr=True,
            target_ref=target_ref, base_commit=base, head_commit=new,
        )  # fmt: skip
        pr_ref = f"{discussions.PR_REF}{pr.num}"
        s.add(Ref(repo_id=repo_id, name=pr_ref, target=new))
        events.ref_updated(s, hub.git, events.RefUpdate(repo_id, pr_ref, None, new, author.id))
        s.add(RepoCommit(repo_id=repo_id, oid=new))
        discussions.record_commit(s, pr, author, new, header.summary)
        out = _response(hub, repo.type, repo.repo_id, new)
        out["pullRequestUrl"] = discussions.web_url(hub.settings.public_url, repo, pr.num)
        return out
