"""Repositories: lookup with access control, create, delete, move, settings."""

from __future__ import annotations

import calendar
import re

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ..db.models import Namespace, Ref, Repo, RepoCommit, RepoRedirect
from ..errors import BadRequest, Conflict, Forbidden, NotFound, RepoMoved, RepoNotFound
from ..storage.gitobj import FILE_MODE, Commit, GitOid, Signature, TreeEntry, commit_message
from ..storage.gitstore import GitStore
from .accounts import Caller, get_namespace, utcnow
from .defaults import default_gitattributes

REPO_TYPES = ("model", "dataset", "space", "kernel")
SPACE_SDKS = ("gradio", "streamlit", "docker", "static")
_REPO_NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,96}$")


def type_from_segment(segment: str) -> str:
    """'models' -> 'model' (API segments are always the plural)."""
    return segment[:-1]


def url_prefix(repo_type: str) -> str:
    """The web/resolve URL prefix of a repo type: '' for models, 'datasets/' otherwise."""
    return "" if repo_type == "model" else f"{repo_type}s/"


def check_repo_name(name: str) -> str:
    if (
        not _REPO_NAME_RE.match(name)
        or "--" in name
        or ".." in name
        or name.endswith(".git")
        or name[0] in ".-"
        or name[-1] in ".-"
    ):
        raise BadRequest(
            f"Invalid repo name {name!r}: use letters, digits, '-', '_' and '.' (max 96), "
            "no '--' or '..', not ending with '.git'"
        )
    return name


def find_repo(s: Session, caller: Caller, repo_type: str, namespace: str, name: str, *, write: bool = False) -> Repo:
    """The repo the caller may see; private repos are indistinguishable from missing ones."""
    id_lower = f"{namespace}/{name}".lower()
    repo = s.scalar(select(Repo).where(Repo.type == repo_type, Repo.id_lower == id_lower))
    if repo is None:
        moved = s.get(RepoRedirect, (repo_type, id_lower))
        target = s.get(Repo, moved.repo_id) if moved else None
        if target is not None and caller.may_read(target):
            raise RepoMoved(target.repo_id)
        raise RepoNotFound(anonymous=caller.anonymous)
    if not caller.may_read(repo):
        raise RepoNotFound(anonymous=caller.anonymous)
    if write:
        require_write(caller, repo)
    return repo


def require_write(caller: Caller, repo: Repo) -> None:
    if caller.anonymous:
        raise Forbidden("You must be authenticated to write to this repo")
    if not caller.can_write:
        raise Forbidden("This token has read access only: use a write token")
    if not caller.may_write(repo):
        raise Forbidden(f"You don't have the rights to write to {repo.repo_id}")


def _writable_namespace(s: Session, caller: Caller, namespace: str | None) -> Namespace:
    if caller.user is None:
        raise Forbidden("You must be authenticated to create a repo")
    if not caller.can_write:
        raise Forbidden("This token has read access only: use a write token")
    if namespace is None or namespace.lower() == caller.user.name_lower:
        return caller.user
    ns = get_namespace(s, namespace)
    if ns is None:
        raise NotFound(f"No user or organization named {namespace!r}")
    if caller.role_in(ns.id) not in ("admin", "write") and not caller.user.is_admin:
        raise Forbidden(f"You don't have the rights to create repos in {ns.name}")
    return ns


def parse_visibility(body: dict[str, object], default: bool | None, repo_type: str = "model") -> bool | None:
    vis = body.get("visibility")
    if vis is not None:
        allowed = ("public", "private", "protected") if repo_type == "space" else ("public", "private")
        if vis not in allowed:
            raise BadRequest(f"visibility must be one of {', '.join(allowed)} for a {repo_type}")
        return vis != "public"  # a protected space keeps its files private
    private = body.get("private")
    if private is not None:
        if not isinstance(private, bool):
            raise BadRequest("private must be a boolean")
        return private
    return default


def write_initial_commit(git: GitStore, repo: Repo, author: Namespace) -> str:
    blob = git.put_blob(default_gitattributes(repo.type).encode())
    tree = git.put_tree([TreeEntry(FILE_MODE, ".gitattributes", blob)])
    sig = signature(author)
    return git.put_commit(Commit(tree, (), sig, sig, commit_message("initial commit", "")))


def signature(user: Namespace) -> Signature:
    when = calendar.timegm(utcnow().timetuple())
    return Signature(user.name, user.email or f"{user.name}@users.noreply.hubkit", when)


def create_repo(
    s: Session,
    git: GitStore,
    caller: Caller,
    *,
    repo_type: str,
    namespace: str | None,
    name: str,
    private: bool | None,
    sdk: str | None,
) -> tuple[Repo, bool]:
    """Create a repo with its initial commit. Returns (repo, created); created=False if it existed."""
    if repo_type not in REPO_TYPES:
        raise BadRequest(f"Invalid repo type {repo_type!r}")
    owner = _writable_namespace(s, caller, namespace)
    check_repo_name(name)
    id_lower = f"{owner.name}/{name}".lower()
    existing = s.scalar(select(Repo).where(Repo.type == repo_type, Repo.id_lower == id_lower))
    if existing is not None:
        return existing, False
    if repo_type == "space":
        if sdk is None:
            raise BadRequest(f"A space needs an sdk: one of {', '.join(SPACE_SDKS)}")
        if sdk not in SPACE_SDKS:
            raise BadRequest(f"Invalid sdk {sdk!r}: one of {', '.join(SPACE_SDKS)}")
    repo = Repo(
        type=repo_type,
        namespace=owner.name,
        name=name,
        id_lower=id_lower,
        owner_id=owner.id,
        private=bool(private),
        sdk=sdk if repo_type == "space" else None,
        created_at=utcnow(),
    )
    s.add(repo)
    s.flush()
    assert caller.user is not None
    head = write_initial_commit(git, repo, caller.user)
    s.add(Ref(repo_id=repo.id, name="refs/heads/main", target=head))
    s.add(RepoCommit(repo_id=repo.id, oid=head))
    repo.last_modified = repo.created_at
    # A repo that reuses the id of a moved one takes the id back from the redirect.
    s.execute(delete(RepoRedirect).where(RepoRedirect.type == repo_type, RepoRedirect.id_lower == id_lower))
    return repo, True


def delete_repo(s: Session, caller: Caller, *, repo_type: str, namespace: str, name: str) -> None:
    repo = find_repo(s, caller, repo_type, namespace, name)
    if not caller.may_admin(repo):
        raise Forbidden(f"You don't have the rights to delete {repo.repo_id}")
    s.execute(delete(RepoRedirect).where(RepoRedirect.repo_id == repo.id))
    s.delete(repo)


def move_repo(s: Session, caller: Caller, *, repo_type: str, from_id: str, to_id: str) -> Repo:
    try:
        src_ns, src_name = from_id.split("/")
        dst_ns, dst_name = to_id.split("/")
    except ValueError:
        raise BadRequest("fromRepo and toRepo must be of the form 'namespace/name'") from None
    repo = find_repo(s, caller, repo_type, src_ns, src_name)
    if not caller.may_admin(repo):
        raise Forbidden(f"You don't have the rights to move {repo.repo_id}")
    owner = _writable_namespace(s, caller, dst_ns)
    check_repo_name(dst_name)
    new_lower = f"{owner.name}/{dst_name}".lower()
    clash = s.scalar(select(Repo).where(Repo.type == repo_type, Repo.id_lower == new_lower))
    if clash is not None and clash.id != repo.id:
        raise Conflict(f"A repo named {owner.name}/{dst_name} already exists")
    old_lower = repo.id_lower
    repo.namespace, repo.name, repo.id_lower, repo.owner_id = owner.name, dst_name, new_lower, owner.id
    s.execute(delete(RepoRedirect).where(RepoRedirect.type == repo_type, RepoRedirect.id_lower == new_lower))
    if old_lower != new_lower:
        s.merge(RepoRedirect(type=repo_type, id_lower=old_lower, repo_id=repo.id))
    return repo


def update_settings(s: Session, caller: Caller, repo: Repo, body: dict[str, object]) -> None:
    # visibility and gating are the owner's decisions: org admins, not every writer
    if not caller.may_admin(repo):
        raise Forbidden(f"You don't have the rights to change the settings of {repo.repo_id}")
    private = parse_visibility(body, None, repo.type)
    gated = body.get("gated")
    if private is None and gated is None and not any(k in body for k in ("discussionsDisabled",)):
        raise BadRequest("Nothing to update: give 'visibility', 'private' or 'gated'")
    values: dict[str, object] = {}
    if private is not None:
        values["private"] = private
    if gated is not None:
        if gated not in (False, "auto", "manual"):
            raise BadRequest("gated must be false, 'auto' or 'manual'")
        values["gated"] = gated or ""
    if values:
        s.execute(update(Repo).where(Repo.id == repo.id).values(**values))


def duplicate_repo(
    s: Session, git: GitStore, caller: Caller, source: Repo, *, to_id: str, private: bool | None
) -> tuple[Repo, bool]:
    """A new repo whose main branch starts at the source's main head, with its history, its
    LFS objects and Xet content (objects are shared, nothing is copied in the store)."""
    from ..db.models import RepoLfsObject, XetRepoFile

    namespace, _, name = to_id.rpartition("/")
    repo, created = create_repo(
        s, git, caller, repo_type=source.type, namespace=namespace or None, name=name,
        private=source.private if private is None else private, sdk=source.sdk,
    )  # fmt: skip
    if not created:
        return repo, False
    head = s.scalar(select(Ref.target).where(Ref.repo_id == source.id, Ref.name == "refs/heads/main"))
    if head is None:
        return repo, True
    s.execute(delete(RepoCommit).where(RepoCommit.repo_id == repo.id))
    known = set(s.scalars(select(RepoCommit.oid).where(RepoCommit.repo_id == source.id)).all())
    s.add_all(RepoCommit(repo_id=repo.id, oid=oid) for oid in known)
    s.execute(update(Ref).where(Ref.repo_id == repo.id, Ref.name == "refs/heads/main").values(target=head))
    lfs = s.scalars(select(RepoLfsObject.oid).where(RepoLfsObject.repo_id == source.id)).all()
    s.add_all(RepoLfsObject(repo_id=repo.id, oid=oid) for oid in lfs)
    for row in s.scalars(select(XetRepoFile).where(XetRepoFile.repo_id == source.id)).all():
        s.add(XetRepoFile(repo_id=repo.id, sha256=row.sha256, file_hash=row.file_hash, size=row.size))
    repo.card_data, repo.tags_text, repo.last_modified = source.card_data, source.tags_text, source.last_modified
    return repo, True


def super_squash(s: Session, git: GitStore, caller: Caller, repo: Repo, branch: str, message: str) -> str:
    """Replace a branch's history by one commit holding its current tree."""
    from ..errors import RevisionNotFound
    from . import events, refs

    if branch.startswith(refs.TAGS) or s.get(Ref, (repo.id, refs.TAGS + branch)) is not None:
        raise BadRequest("Tags cannot be squashed: give a branch")
    full = branch if branch.startswith("refs/") else refs.HEADS + branch
    ref = s.get(Ref, (repo.id, full))
    if ref is None:
        raise RevisionNotFound(f"Invalid rev id: {branch}")
    assert caller.user is not None
    sig = signature(caller.user)
    tree = git.commit(ref.target).tree
    new = git.put_commit(Commit(GitOid(tree), (), sig, sig, commit_message(message, "")))
    if not refs.compare_and_swap(s, repo.id, full, ref.target, new):
        raise Conflict("The branch moved during the squash, please retry")
    s.add(RepoCommit(repo_id=repo.id, oid=new))
    events.ref_updated(s, git, events.RefUpdate(repo.id, full, ref.target, new, caller.user.id))
    return new
