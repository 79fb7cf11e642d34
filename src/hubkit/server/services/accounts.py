"""Users, organizations, tokens, and who may do what."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db.models import Membership, Namespace, Repo, Token
from ..errors import INVALID_CREDENTIALS, BadRequest, Conflict, NotFound, Unauthorized

NAME_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?$")
# Top-level path segments the protocol uses: a namespace with such a name would be unreachable.
RESERVED_NAMES = frozenset(
    {
        "api",
        "datasets",
        "spaces",
        "kernels",
        "buckets",
        "models",
        "oauth",
        "papers",
        "collections",
        "settings",
        "join",
        "login",
        "logout",
        "new",
        "organizations",
        "docs",
        "static",
        "assets",
        "resolve-cache",
        "hub",
        "xet",
        "v1",
        "v2",
        "avatars",
    }
)
ORG_ROLES = ("admin", "write", "read")
TOKEN_ROLES = ("read", "write")


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def hash_token(token: str) -> str:
    # Tokens are 30+ random characters, so a fast hash is enough to make a stolen database
    # useless, and it keeps per-request authentication to one indexed lookup.
    return hashlib.sha256(token.encode()).hexdigest()


def new_token_value() -> str:
    return "hf_" + secrets.token_urlsafe(30).replace("-", "A").replace("_", "b")[:34]


@dataclass
class Caller:
    """The authenticated party of a request (``user`` None = anonymous)."""

    user: Namespace | None = None
    token: Token | None = None
    orgs: dict[int, str] = field(default_factory=dict)  # org id -> role

    @property
    def anonymous(self) -> bool:
        return self.user is None

    @property
    def can_write(self) -> bool:
        return self.token is not None and self.token.role == "write"

    def role_in(self, namespace_id: int) -> str | None:
        """'admin' for one's own namespace, the membership role for an org, else None."""
        if self.user is None:
            return None
        if self.user.id == namespace_id:
            return "admin"
        return self.orgs.get(namespace_id)

    def may_read(self, repo: Repo) -> bool:
        if not repo.private:
            return True
        return self.role_in(repo.owner_id) is not None or bool(self.user and self.user.is_admin)

    def may_write(self, repo: Repo) -> bool:
        if not self.can_write:
            return False
        return self.role_in(repo.owner_id) in ("admin", "write") or bool(self.user and self.user.is_admin)

    def may_admin(self, repo: Repo) -> bool:
        if not self.can_write:
            return False
        return self.role_in(repo.owner_id) == "admin" or bool(self.user and self.user.is_admin)


def resolve_caller(s: Session, token: str | None) -> Caller:
    if not token:
        return Caller()
    # one query (every authenticated request pays for it): the token, its user, their orgs
    rows = s.execute(
        select(Token, Namespace, Membership.org_id, Membership.role)
        .join(Namespace, Namespace.id == Token.user_id)
        .outerjoin(Membership, Membership.user_id == Namespace.id)
        .where(Token.token_hash == hash_token(token))
    ).all()
    if not rows:
        raise Unauthorized(INVALID_CREDENTIALS)
    row, user = rows[0][0], rows[0][1]
    orgs = {org_id: role for _, _, org_id, role in rows if org_id is not None}
    return Caller(user=user, token=row, orgs=orgs)


def validate_name(name: str, what: str = "name") -> str:
    if not NAME_RE.match(name) or "--" in name or ".." in name:
        raise BadRequest(
            f"Invalid {what} {name!r}: use letters, digits, '-', '_' and '.', "
            "start with a letter or digit, no '--' or '..', at most 96 characters"
        )
    if name.lower() in RESERVED_NAMES:
        raise BadRequest(f"{what} {name!r} is reserved")
    return name


def get_namespace(s: Session, name: str) -> Namespace | None:
    return s.scalar(select(Namespace).where(Namespace.name_lower == name.lower()))


def create_user(
    s: Session, name: str, *, fullname: str = "", email: str | None = None, is_admin: bool = False
) -> Namespace:
    validate_name(name, "user name")
    if get_namespace(s, name) is not None:
        raise Conflict(f"The name {name!r} is already taken")
    user = Namespace(
        name=name,
        name_lower=name.lower(),
        kind="user",
        fullname=fullname or name,
        email=email,
        is_admin=is_admin,
        created_at=utcnow(),
    )
    s.add(user)
    s.flush()
    return user


def create_org(s: Session, name: str, *, members: list[tuple[str, str]], fullname: str = "") -> Namespace:
    validate_name(name, "organization name")
    if get_namespace(s, name) is not None:
        raise Conflict(f"The name {name!r} is already taken")
    org = Namespace(name=name, name_lower=name.lower(), kind="org", fullname=fullname or name, created_at=utcnow())
    s.add(org)
    s.flush()
    for username, role in members:
        add_member(s, org, username, role)
    return org


def add_member(s: Session, org: Namespace, username: str, role: str) -> None:
    if role not in ORG_ROLES:
        raise BadRequest(f"Invalid role {role!r}: one of {', '.join(ORG_ROLES)}")
    user = get_namespace(s, username)
    if user is None or user.kind != "user":
        raise NotFound(f"No user named {username!r}")
    existing = s.get(Membership, (org.id, user.id))
    if existing:
        existing.role = role
    else:
        s.add(Membership(org_id=org.id, user_id=user.id, role=role))


def create_token(
    s: Session, username: str, *, role: str = "write", name: str = "", value: str | None = None
) -> tuple[Token, str]:
    """Create a token for a user; returns the row and the clear value (shown once)."""
    if role not in TOKEN_ROLES:
        raise BadRequest(f"Invalid token role {role!r}: one of {', '.join(TOKEN_ROLES)}")
    user = get_namespace(s, username)
    if user is None or user.kind != "user":
        raise NotFound(f"No user named {username!r}")
    if value is not None:
        value = value.strip()
        if len(value) < 8 or not re.fullmatch(r"[\x21-\x7e]+", value):
            raise BadRequest("A token value needs at least 8 printable characters and no spaces")
    value = value or new_token_value()
    digest = hash_token(value)
    if s.scalar(select(Token).where(Token.token_hash == digest)) is not None:
        raise Conflict("This token value is already in use")
    # default names stay distinct: clients key saved tokens by name
    default_name = f"{user.name}-{role}-{secrets.token_hex(3)}"
    token = Token(user_id=user.id, name=name or default_name, role=role, token_hash=digest, created_at=utcnow())
    s.add(token)
    s.flush()
    return token, value


def whoami(s: Session, caller: Caller, public_url: str) -> dict[str, object]:
    if caller.user is None or caller.token is None:
        raise Unauthorized(INVALID_CREDENTIALS)
    user = caller.user
    orgs = []
    for org_id, role in sorted(caller.orgs.items()):
        org = s.get(Namespace, org_id)
        if org is None:
            continue
        orgs.append(
            {
                "type": "org",
                "id": str(org.id),
                "name": org.name,
                "fullname": org.fullname,
                "email": None,
                "canPay": False,
                "periodEnd": None,
                "avatarUrl": f"{public_url}/avatars/{org.name}",
                "roleInOrg": role,
                "isEnterprise": False,
            }
        )
    return {
        "type": "user",
        "id": str(user.id),
        "name": user.name,
        "fullname": user.fullname,
        "email": user.email,
        "emailVerified": user.email is not None,
        "isPro": False,
        "canPay": False,
        "periodEnd": None,
        "avatarUrl": f"{public_url}/avatars/{user.name}",
        "orgs": orgs,
        "auth": {
            "type": "access_token",
            "accessToken": {
                "displayName": caller.token.name,
                "role": caller.token.role,
                "createdAt": iso(caller.token.created_at),
            },
        },
    }


def iso(dt: datetime) -> str:
    """ISO-8601 UTC with a trailing Z, as every Hub client expects."""
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"
