"""Git object codecs: blob, tree and commit ids computed exactly as git computes them.

Objects are stored by body (without git's ``"<type> <size>\\0"`` header); the header is only
used to compute the id, so the stored bytes of a blob are the file content itself and can be
served straight from the object store.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import NewType

GitOid = NewType("GitOid", str)  # 40 lower-case hex (sha1)
Sha256 = NewType("Sha256", str)  # 64 lower-case hex

FILE_MODE = "100644"
EXEC_MODE = "100755"
DIR_MODE = "40000"

_HEX40 = re.compile(r"^[0-9a-f]{40}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def is_git_oid(value: str) -> bool:
    return bool(_HEX40.match(value))


def is_sha256(value: str) -> bool:
    return bool(_HEX64.match(value))


def object_id(kind: str, body: bytes) -> GitOid:
    """The git id of an object of ``kind`` ("blob", "tree", "commit") with this body."""
    h = hashlib.sha1(f"{kind} {len(body)}\0".encode())
    h.update(body)
    return GitOid(h.hexdigest())


def blob_oid(content: bytes) -> GitOid:
    return object_id("blob", content)


# --- trees -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TreeEntry:
    mode: str
    name: str
    oid: GitOid

    @property
    def is_dir(self) -> bool:
        return self.mode == DIR_MODE


def _sort_key(entry: TreeEntry) -> bytes:
    # git orders a directory as if its name ended with "/"
    name = entry.name.encode()
    return name + b"/" if entry.is_dir else name


def encode_tree(entries: list[TreeEntry]) -> bytes:
    out = bytearray()
    for e in sorted(entries, key=_sort_key):
        out += f"{e.mode} {e.name}".encode() + b"\0" + bytes.fromhex(e.oid)
    return bytes(out)


def decode_tree(body: bytes) -> list[TreeEntry]:
    entries: list[TreeEntry] = []
    i = 0
    n = len(body)
    while i < n:
        sp = body.index(b" ", i)
        nul = body.index(b"\0", sp)
        mode = body[i:sp].decode()
        name = body[sp + 1 : nul].decode("utf-8", "surrogateescape")
        oid = body[nul + 1 : nul + 21].hex()
        entries.append(TreeEntry(mode, name, GitOid(oid)))
        i = nul + 21
    return entries


# --- commits ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Signature:
    name: str
    email: str
    timestamp: int  # unix seconds, UTC

    def encode(self) -> str:
        return f"{self.name} <{self.email}> {self.timestamp} +0000"

    @classmethod
    def decode(cls, text: str) -> Signature:
        m = re.match(r"^(.*) <(.*)> (\d+) ([+-]\d{4})$", text)
        if not m:
            return cls(text, "", 0)
        return cls(m.group(1), m.group(2), int(m.group(3)))


@dataclass(frozen=True)
class Commit:
    tree: GitOid
    parents: tuple[GitOid, ...]
    author: Signature
    committer: Signature
    message: str
    extra: tuple[tuple[str, str], ...] = field(default=())

    @property
    def title(self) -> str:
        return self.message.split("\n", 1)[0]

    @property
    def body(self) -> str:
        parts = self.message.split("\n", 1)
        return parts[1].strip("\n") if len(parts) > 1 else ""

    def encode(self) -> bytes:
        lines = [f"tree {self.tree}"]
        lines += [f"parent {p}" for p in self.parents]
        lines.append(f"author {self.author.encode()}")
        lines.append(f"committer {self.committer.encode()}")
        head = "\n".join(lines) + "\n\n"
        return (head + self.message).encode()


def decode_commit(body: bytes) -> Commit:
    text = body.decode("utf-8", "replace")
    head, _, message = text.partition("\n\n")
    tree = ""
    parents: list[GitOid] = []
    author = committer = Signature("", "", 0)
    for line in head.split("\n"):
        key, _, value = line.partition(" ")
        if key == "tree":
            tree = value
        elif key == "parent":
            parents.append(GitOid(value))
        elif key == "author":
            author = Signature.decode(value)
        elif key == "committer":
            committer = Signature.decode(value)
    return Commit(GitOid(tree), tuple(parents), author, committer, message)


def commit_message(summary: str, description: str) -> str:
    summary = summary.strip()
    description = description.strip()
    return f"{summary}\n\n{description}\n" if description else f"{summary}\n"


# --- LFS pointers ----------------------------------------------------------------------

_POINTER_RE = re.compile(rb"^version https://git-lfs\.github\.com/spec/v1\noid sha256:([0-9a-f]{64})\nsize (\d+)\n$")
MAX_POINTER_SIZE = 200


def lfs_pointer(sha256: str, size: int) -> bytes:
    """The pointer file the Hub (and git-lfs) stores in the tree for an LFS object."""
    return f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha256}\nsize {size}\n".encode()


@dataclass(frozen=True)
class LfsPointer:
    sha256: Sha256
    size: int
    pointer_size: int


def parse_lfs_pointer(data: bytes) -> LfsPointer | None:
    if len(data) > MAX_POINTER_SIZE:
        return None
    m = _POINTER_RE.match(data)
    if not m:
        return None
    return LfsPointer(Sha256(m.group(1).decode()), int(m.group(2)), len(data))
