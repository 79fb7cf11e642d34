"""A model's files laid out in a folder, read from the hub's own storage (never the network).

The folder is keyed by commit id (immutable), written to a temporary sibling and renamed, so
concurrent loads and crashes never leave a half folder. Only what the runtimes read is copied:
configs, tokenizers, and safetensors weights. Pickled weights (``*.bin``, ``*.pt``) are never
copied nor loaded: unpickling a file someone pushed would run their code on the hub.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from ..services import xet as cas
from ..storage.gitstore import LRU, PathEntry
from .catalog import NotServed

if TYPE_CHECKING:
    from ..db.models import Repo
    from ..hub import Hub

# folders and files no CPU runtime here reads (other frameworks, exports)
_SKIP_DIRS = {"onnx", "openvino", "coreml", "tflite", "tf", "flax", ".git"}
_SKIP_SUFFIXES = (".onnx", ".h5", ".msgpack", ".ot", ".gguf", ".tflite", ".bin", ".pt", ".pth", ".pkl", ".ckpt")
_KEEP_SUFFIXES = (".json", ".txt", ".model", ".safetensors", ".jinja", ".py", ".md", ".tiktoken", ".vocab", ".merges")
MAX_FILES = 2000
_PIECE = 16 * 1024 * 1024


@dataclass(frozen=True)
class ModelFiles:
    """What is needed to lay the folder out: the commit and its files (read under the caller's rights)."""

    repo_id: str
    commit: str
    entries: tuple[tuple[PathEntry, Any], ...]  # (entry, XetEntry or None)


def wanted(path: str) -> bool:
    parts = PurePosixPath(path).parts
    if any(p in _SKIP_DIRS or p.startswith(".") for p in parts[:-1]):
        return False
    name = parts[-1].lower()
    return not name.endswith(_SKIP_SUFFIXES) and name.endswith(_KEEP_SUFFIXES) and name != "readme.md"


_LISTED: LRU[tuple[int, str], ModelFiles] = LRU(256)


def list_files(s: Session, hub: Hub, repo: Repo, commit: str) -> ModelFiles:
    """The files of ``commit`` the runtimes need (run inside the caller's session, after the
    access check). A commit never changes: the listing is remembered per repo and commit."""
    key = (repo.id, commit)
    found = _LISTED.get(key)
    if found is None or found.repo_id != repo.repo_id:
        found = _list_files(s, hub, repo, commit)
        _LISTED.put(key, found)
    return found


def _list_files(s: Session, hub: Hub, repo: Repo, commit: str) -> ModelFiles:
    tree = hub.git.commit(commit).tree
    entries = []
    for entry in hub.git.files(tree):
        if not wanted(entry.path):
            continue
        info = hub.git.blob_info(entry.oid)
        xet = cas.repo_file_by_sha256(s, repo.id, info.lfs.sha256) if info.lfs else None
        entries.append((entry, xet))
        if len(entries) > MAX_FILES:
            raise NotServed(f"Model {repo.repo_id} has more than {MAX_FILES} files: not served.")
    if not any(e.path.endswith(".safetensors") for e, _ in entries):
        raise NotServed(
            f"Model {repo.repo_id} has no safetensors weights: this hub only runs safetensors (pickled weights"
            " could run code on the server)."
        )
    return ModelFiles(repo.repo_id, commit, tuple(entries))


def folder_for(hub: Hub, commit: str) -> Path:
    return hub.settings.data_dir / "inference" / "models" / commit


def materialize(hub: Hub, files: ModelFiles) -> Path:
    """The folder holding ``files`` (made on first use; later calls find it ready)."""
    target = folder_for(hub, files.commit)
    if (target / ".complete").exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{files.commit}-", dir=target.parent))
    try:
        root = tmp.resolve()
        for entry, xet in files.entries:
            dest = (tmp / entry.path).resolve()
            if root not in dest.parents:  # paths were validated at commit time; still, never outside
                raise NotServed(f"Refusing file path {entry.path!r}")
            dest.parent.mkdir(parents=True, exist_ok=True)
            _write(hub, entry, xet, dest)
        (tmp / ".complete").write_text(files.repo_id)
        try:
            os.replace(tmp, target)
        except OSError:  # another loader finished first: theirs is identical
            if not (target / ".complete").exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _write(hub: Hub, entry: PathEntry, xet: Any, dest: Path) -> None:
    info = hub.git.blob_info(entry.oid)
    if info.lfs is None:
        dest.write_bytes(hub.git.blob_bytes(entry.oid))
        return
    key = f"lfs/{info.lfs.sha256}"
    local = hub.store.local_path(key)
    if local is not None and local.exists():
        try:
            os.link(local, dest)  # same file system: no copy of gigabytes
            return
        except OSError:
            shutil.copyfile(local, dest)
            return
    size = hub.store.size(key)
    if size is not None:
        with open(dest, "wb") as f:
            for start in range(0, size, _PIECE):
                f.write(hub.store.read_range(key, start, min(size, start + _PIECE)))
        return
    if xet is None:
        raise NotServed(f"The content of {entry.path} is not in this hub's storage.")
    with open(dest, "wb") as f:
        for chunk in cas.file_bytes(hub, xet.terms, 0, info.lfs.size):
            f.write(chunk)
