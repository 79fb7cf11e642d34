"""The ``hf://`` path grammar: parsing a path into repo, revision and file, and rendering it back.

::

    hf://[<TYPE>/]<NAMESPACE>/<NAME>[@<REVISION>][/<PATH>]        TYPE: models | datasets | spaces | kernels

A revision containing ``/`` is written percent-encoded (``@feature%2Fx``), except the special refs
``refs/pr/<N>`` and ``refs/convert/<name>``, which are accepted as they are. ``@`` marks a revision
only right after ``namespace/name``: an ``@`` further down is part of a file name. Everything here
is pure (no network): checking that the repo and revision exist is ``HfFileSystem.resolve_path``'s
job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

from .. import constants
from .._paths import validate_repo_id

__all__ = ["HfFileSystemResolvedPath", "ParsedPath", "parse_path", "safe_revision"]

PROTOCOL = "hf"

# Revisions that contain "/" and are still written unencoded: pull requests and conversions. The
# lookahead keeps "refs/pr/12abc" from being read as revision "refs/pr/12" + file "abc".
SPECIAL_REFS_RE = re.compile(r"refs/(?:convert/[\w.-]+|pr/\d+)(?=/|$)")

# Plural type prefixes of a path -> repo type. Buckets are a newer Hub storage that hubkit does not
# implement (neither does its server): they are recognised only to say so clearly.
TYPE_PREFIXES: dict[str, str] = {"models": "model", "datasets": "dataset", "spaces": "space", "kernels": "kernel"}
_SINGULAR_TYPES = {"model", "dataset", "space", "kernel", "bucket"}


def safe_revision(revision: str) -> str:
    """A revision as it appears in a path: special refs verbatim, anything else percent-encoded."""
    return revision if SPECIAL_REFS_RE.fullmatch(revision) else quote(revision, safe="")


def repo_root(repo_type: str, repo_id: str) -> str:
    """``[datasets/|spaces/|kernels/]namespace/name`` (models have no prefix)."""
    return constants.REPO_TYPES_URL_PREFIXES.get(repo_type, "") + repo_id


@dataclass(frozen=True)
class ParsedPath:
    """A path split into its parts, before anything is checked on the Hub.

    ``revision`` is decoded (``None`` when the path names none); ``raw_revision`` is the text written
    after ``@``, kept so that names handed back to the caller look like the ones it used.
    """

    repo_type: str
    repo_id: str
    revision: str | None
    path_in_repo: str
    raw_revision: str | None = None


def parse_path(path: str) -> ParsedPath:
    """Split a path (``hf://`` prefix already stripped) into repo type, repo id, revision and path.

    Raises:
        NotImplementedError: for the empty path (listing every repo) and for buckets.
        ValueError: for anything that is not a well-formed repo path (``HFValidationError`` for an
            invalid repo id).
    """
    path = path.strip("/")
    if not path:
        raise NotImplementedError("Access to repositories lists is not implemented.")
    first, sep, rest = path.partition("/")
    if first == "buckets":
        raise NotImplementedError(f"Buckets are not supported by hubkit's HfFileSystem: '{path}'.")
    if first in _SINGULAR_TYPES and sep:
        raise ValueError(f"Invalid path '{path}': the type prefix must be plural ('{first}s/').")
    repo_type, location = (TYPE_PREFIXES[first], rest) if first in TYPE_PREFIXES else ("model", path)
    if not location:
        raise ValueError(f"Invalid path '{path}': missing 'namespace/name' after '{first}/'.")
    if "//" in location:
        raise ValueError(f"Invalid path '{path}': empty path segment.")

    at = location.find("@")
    revision: str | None = None
    raw_revision: str | None = None
    if at != -1 and location[:at].count("/") <= 1:
        repo_id, after = location[:at], location[at + 1 :]
        special = SPECIAL_REFS_RE.match(after)
        raw_revision = special.group() if special else after.split("/", 1)[0]
        path_in_repo = after[len(raw_revision) + 1 :]
        revision = unquote(raw_revision)
        if not revision:
            raise ValueError(f"Invalid path '{path}': empty revision after '@'.")
    else:
        parts = location.split("/", 2)
        repo_id = "/".join(parts[:2])
        path_in_repo = parts[2] if len(parts) > 2 else ""
    if repo_id.count("/") != 1:
        raise ValueError(
            f"Invalid path '{path}': the repository id must be 'namespace/name', got '{repo_id}'"
            " (single-segment ids such as 'gpt2' are not supported)."
        )
    validate_repo_id(repo_id)
    return ParsedPath(repo_type, repo_id, revision, path_in_repo, raw_revision)


@dataclass
class HfFileSystemResolvedPath:
    """A path of ``HfFileSystem`` resolved into repo type, repo id, revision and path in the repo.

    ``unresolve()`` renders it back: ``[datasets/|spaces/]namespace/name[@revision][/path]``, with
    the revision shown as it was written (or, when none was, only if it is not ``main``). ``root``
    is that rendering without the path, ``path`` the path in the repo.
    """

    repo_type: str
    repo_id: str
    revision: str
    path_in_repo: str
    _raw_revision: str | None = field(default=None, repr=False)

    @property
    def root(self) -> str:
        """The repo part of the path, with its ``@revision`` when one applies."""
        base = repo_root(self.repo_type, self.repo_id)
        if self._raw_revision:
            return f"{base}@{self._raw_revision}"
        if self.revision != constants.DEFAULT_REVISION:
            return f"{base}@{safe_revision(self.revision)}"
        return base

    @property
    def path(self) -> str:
        """The path in the repo (``""`` for the repo root)."""
        return self.path_in_repo

    def unresolve(self) -> str:
        """The path as ``HfFileSystem`` names it (no ``hf://``, no trailing ``/``)."""
        return f"{self.root}/{self.path_in_repo}".rstrip("/")

    def with_path(self, path_in_repo: str) -> HfFileSystemResolvedPath:
        """The same repo and revision, another path in it."""
        return HfFileSystemResolvedPath(
            self.repo_type, self.repo_id, self.revision, path_in_repo, _raw_revision=self._raw_revision
        )
