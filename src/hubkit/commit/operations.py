"""The operations of a commit: add (upload), delete and copy, validated when they are built.

``CommitOperationAdd``, ``CommitOperationDelete`` and ``CommitOperationCopy`` have the fields
and constructors of their ``huggingface_hub`` namesakes. Unlike there, the commit code never
writes into them: what the Hub says about an addition (upload mode, remote oid) travels in
separate plan objects, so one operation list can be reused, inspected or retried safely.

Paths are checked at construction (and again by the server): no ``..`` segment, not ``.``,
nothing inside a ``.git`` or ``.cache`` folder. A leading ``/`` or ``./`` is dropped.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import threading
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Literal

from .content import Content, content_of
from .hashing import git_blob_sha1, sha256_hex

__all__ = [
    "FORBIDDEN_FOLDERS",
    "CommitOperation",
    "CommitOperationAdd",
    "CommitOperationCopy",
    "CommitOperationDelete",
    "UploadInfo",
    "UploadMode",
    "validate_path_in_repo",
    "warn_on_overwriting_operations",
]

logger = logging.getLogger(__name__)

UploadMode = Literal["lfs", "regular"]
FORBIDDEN_FOLDERS = (".git", ".cache")
SAMPLE_SIZE = 512


def validate_path_in_repo(path_in_repo: str) -> str:
    """The normalised repo path, or ``ValueError`` for a path that could escape or hit ``.git``."""
    if not isinstance(path_in_repo, str):
        raise ValueError(f"Invalid `path_in_repo` in CommitOperation: must be a string, not {type(path_in_repo)}.")
    path = path_in_repo[1:] if path_in_repo.startswith("/") else path_in_repo
    parts = path.split("/")
    if path == "." or ".." in parts:
        raise ValueError(f"Invalid `path_in_repo` in CommitOperation: '{path_in_repo}' ('..' is not allowed).")
    if path.startswith("./"):
        path = path[2:]
    if not path.strip("/"):
        raise ValueError(f"Invalid `path_in_repo` in CommitOperation: '{path_in_repo}' is empty.")
    if "\x00" in path:
        raise ValueError(f"Invalid `path_in_repo` in CommitOperation: {path_in_repo!r} contains a NUL byte.")
    for forbidden in FORBIDDEN_FOLDERS:
        if forbidden in path.split("/"):
            raise ValueError(
                f"Invalid `path_in_repo` in CommitOperation: cannot update files under a '{forbidden}/' folder"
                f" (path: '{path_in_repo}')."
            )
    return path


class UploadInfo:
    """Size, first 512 bytes and sha256 of an addition's content.

    The sha256 is computed on first access (once, even if several threads ask at the same
    time) unless it was given: a file that goes to the Hub inline never needs it.
    """

    def __init__(
        self,
        size: int,
        sample: bytes,
        sha256: bytes | None = None,
        source_path: str | None = None,
        *,
        content: Content | None = None,
    ) -> None:
        if content is None and source_path is not None:
            content = content_of(source_path)
        if sha256 is None and content is None:
            raise ValueError("Either `sha256` or `source_path` must be provided.")
        self.size = size
        self.sample = sample
        self._sha256 = sha256
        self._content = content
        self._lock = threading.Lock()

    @property
    def sha256(self) -> bytes:
        """The sha256 digest (32 bytes); reads the whole content the first time if needed."""
        return self.compute_sha256()

    @sha256.setter
    def sha256(self, value: bytes) -> None:
        self._sha256 = value

    @property
    def is_hashed(self) -> bool:
        """Whether the sha256 is known already (reading ``sha256`` will not read the content)."""
        return self._sha256 is not None

    def compute_sha256(self, on_bytes: Callable[[int], None] | None = None) -> bytes:
        """The sha256, hashing the content now if needed; ``on_bytes`` reports progress."""
        if self._sha256 is not None:
            return self._sha256
        with self._lock:
            if self._sha256 is None:
                assert self._content is not None
                self._sha256 = bytes.fromhex(sha256_hex(self._content, on_bytes))
            return self._sha256

    @classmethod
    def from_path(cls, path: str) -> UploadInfo:
        content = content_of(path)
        return cls(content.size, content.read(0, SAMPLE_SIZE), content=content)

    @classmethod
    def from_bytes(cls, data: bytes) -> UploadInfo:
        return cls(len(data), data[:SAMPLE_SIZE], content=content_of(data))

    @classmethod
    def from_fileobj(cls, fileobj: BinaryIO) -> UploadInfo:
        content = content_of(fileobj)
        return cls(content.size, content.read(0, SAMPLE_SIZE), content=content)

    def __repr__(self) -> str:
        sha = self._sha256.hex() if self._sha256 is not None else "<not computed>"
        return f"UploadInfo(size={self.size}, sha256={sha})"


@dataclass
class CommitOperationAdd:
    """Upload a file to ``path_in_repo``.

    Args:
        path_in_repo: where the file goes in the repo, e.g. ``"checkpoints/1fec34a/weights.bin"``.
        path_or_fileobj: the content: a path to a local file (``str`` or ``Path``), ``bytes``,
            or a binary file object opened for reading that supports ``seek`` and ``tell``
            (its content is read from offset 0 to its end).

    Raises:
        ValueError: the path is invalid, the local file does not exist, or the object is not
            binary and seekable.
    """

    path_in_repo: str
    path_or_fileobj: str | Path | bytes | BinaryIO
    upload_info: UploadInfo = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.path_in_repo = validate_path_in_repo(self.path_in_repo)
        if self.path_in_repo.endswith("/"):
            raise ValueError(f"Invalid `path_in_repo` in CommitOperationAdd: '{self.path_in_repo}' names a folder.")
        source = self.path_or_fileobj
        if isinstance(source, Path):
            source = str(source)
        if isinstance(source, str):
            source = os.path.normpath(os.path.expanduser(source))
            if not os.path.isfile(source):
                raise ValueError(f"Provided path: '{source}' is not a file on the local file system")
            self.path_or_fileobj = source
            self.upload_info = UploadInfo.from_path(source)
        elif isinstance(source, bytes):
            self.upload_info = UploadInfo.from_bytes(source)
        elif isinstance(source, io.BufferedIOBase):
            try:
                source.tell()
                source.seek(0, os.SEEK_CUR)
            except (OSError, AttributeError) as err:
                raise ValueError("path_or_fileobj is a file object but does not implement seek() and tell()") from err
            self.upload_info = UploadInfo.from_fileobj(source)  # type: ignore[arg-type]
        else:
            raise ValueError(
                "path_or_fileobj must be a path (str or Path), bytes or a binary file object (io.BufferedIOBase);"
                " a file object must be opened in binary mode."
            )

    @property
    def content(self) -> Content:
        """Random-access reads of the content (hubkit only)."""
        content = self.upload_info._content
        if content is None:
            raise ValueError(
                f"The content of '{self.path_in_repo}' was released after preupload_lfs_files(free_memory=True):"
                " it can only be committed to the repo it was uploaded to."
            )
        return content

    @contextlib.contextmanager
    def as_file(self, with_tqdm: bool = False) -> Iterator[BinaryIO]:
        """A binary file object reading the content from its start.

        ``with_tqdm`` is accepted for compatibility; hubkit reports progress per transfer instead.
        """
        source = self.path_or_fileobj
        if isinstance(source, (str, Path)):
            with open(source, "rb") as f:
                yield f
        elif isinstance(source, bytes):
            yield io.BytesIO(source)
        else:
            here = source.tell()
            try:
                yield source
            finally:
                source.seek(here, io.SEEK_SET)

    def b64content(self) -> bytes:
        """The content, base64-encoded."""
        import base64

        return base64.b64encode(self.content.read_all())

    def local_oid(self, upload_mode: UploadMode) -> str:
        """The id the Hub reports for this content: sha256 in LFS mode, git blob sha1 otherwise."""
        if upload_mode == "lfs":
            return self.upload_info.sha256.hex()
        return git_blob_sha1(self.content)


@dataclass
class CommitOperationDelete:
    """Delete a file, or a folder and everything below it.

    Args:
        path_in_repo: the path in the repo, e.g. ``"checkpoints/1fec34a/weights.bin"`` or
            ``"checkpoints/1fec34a/"``.
        is_folder: ``True``, ``False``, or ``"auto"`` (the default): a folder iff the path ends with ``/``.
    """

    path_in_repo: str
    is_folder: bool | Literal["auto"] = "auto"

    def __post_init__(self) -> None:
        self.path_in_repo = validate_path_in_repo(self.path_in_repo)
        if self.is_folder == "auto":
            self.is_folder = self.path_in_repo.endswith("/")
        if not isinstance(self.is_folder, bool):
            raise ValueError(f"Wrong value for `is_folder`: must be True, False or 'auto', not {self.is_folder!r}.")


@dataclass
class CommitOperationCopy:
    """Copy a file already on the Hub to ``path_in_repo``.

    LFS files are copied without moving their bytes; regular files are downloaded and sent
    again inline. Combined with a ``CommitOperationDelete`` it renames a file.

    Args:
        src_path_in_repo: the file to copy.
        path_in_repo: where the copy goes.
        src_revision: the revision to copy from (default: the revision of the commit, or
            ``main`` for a copy from another repo).
        src_repo_id, src_repo_type: the repo to copy from (default: the same repo); both or neither.
    """

    src_path_in_repo: str
    path_in_repo: str
    src_revision: str | None = None
    src_repo_id: str | None = None
    src_repo_type: str | None = None

    def __post_init__(self) -> None:
        self.src_path_in_repo = validate_path_in_repo(self.src_path_in_repo)
        self.path_in_repo = validate_path_in_repo(self.path_in_repo)
        if self.src_repo_id is not None and self.src_repo_type is None:
            raise ValueError("`src_repo_type` is required when `src_repo_id` is set.")
        if self.src_repo_type is not None and self.src_repo_id is None:
            raise ValueError("`src_repo_id` is required when `src_repo_type` is set.")


CommitOperation = CommitOperationAdd | CommitOperationCopy | CommitOperationDelete


def warn_on_overwriting_operations(operations: Iterable[CommitOperation]) -> None:
    """Warn when a commit adds one path twice, or deletes what it just added."""
    added: Counter[str] = Counter()
    for op in operations:
        if isinstance(op, CommitOperationAdd):
            if added[op.path_in_repo]:
                warnings.warn(
                    f"About to update the same file several times in one commit: '{op.path_in_repo}'."
                    " The last addition wins; this is probably not intended.",
                    stacklevel=3,
                )
            added[op.path_in_repo] += 1
            for parent in PurePosixPath(op.path_in_repo).parents:
                added[str(parent)] += 1
        elif isinstance(op, CommitOperationDelete) and added[str(PurePosixPath(op.path_in_repo))]:
            what = "a folder containing files" if op.is_folder else "a file"
            warnings.warn(
                f"About to delete {what} added earlier in the same commit: '{op.path_in_repo}'.",
                stacklevel=3,
            )
