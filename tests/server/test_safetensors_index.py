"""The hub's safetensors index, in process: only header bytes are read, each content once.

A 64 MiB weights file with a small header is committed into an object store that counts what is
read; indexing the branch must read a few kilobytes, and indexing it again (another commit that
keeps the file) nothing at all.
"""

from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from hubkit.server.db.engine import Database
from hubkit.server.db.models import Namespace, Repo, RepoSafetensors, SafetensorsFile
from hubkit.server.services import safetensors
from hubkit.server.storage.gitobj import FILE_MODE, Commit, Signature, TreeEntry, lfs_pointer
from hubkit.server.storage.gitstore import GitStore
from hubkit.server.storage.objects import LocalObjectStore

BIG = 64 * 1024 * 1024


class CountingStore(LocalObjectStore):
    """A local store that counts the bytes read from LFS objects."""

    read = 0

    def read_range(self, key: str, start: int, end: int) -> bytes:
        data = super().read_range(key, start, end)
        if key.startswith("lfs/"):
            self.read += len(data)
        return data

    def get_bytes(self, key: str) -> bytes:
        data = super().get_bytes(key)
        if key.startswith("lfs/"):
            self.read += len(data)
        return data


def weights_file(path: Path) -> tuple[str, int, dict[str, int]]:
    """A safetensors file of 64 MiB (one big F16 tensor, a few small ones), written sparse."""
    header = {
        "__metadata__": {"format": "pt"},
        "big": {"dtype": "F16", "shape": [BIG // 2], "data_offsets": [0, BIG]},
        "ids": {"dtype": "I64", "shape": [4, 2], "data_offsets": [BIG, BIG + 64]},
        "scalar": {"dtype": "F32", "shape": [], "data_offsets": [BIG + 64, BIG + 68]},
    }
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)) + raw)
        f.truncate(8 + len(raw) + BIG + 68)
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest(), path.stat().st_size, {"F16": BIG // 2, "I64": 8, "F32": 1}


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Database, CountingStore, GitStore, int]:
    db = Database(f"sqlite:///{tmp_path / 'hub.db'}")
    store = CountingStore(tmp_path / "objects")
    with db.session() as s:
        from datetime import datetime

        owner = Namespace(name="alice", name_lower="alice", kind="user", created_at=datetime(2026, 1, 1))
        s.add(owner)
        s.flush()
        repo = Repo(type="model", namespace="alice", name="m", id_lower="alice/m", owner_id=owner.id,
                    created_at=datetime(2026, 1, 1))  # fmt: skip
        s.add(repo)
        s.flush()
        repo_id = repo.id
    return db, store, GitStore(store), repo_id


def commit(git: GitStore, files: dict[str, bytes], parent: str | None = None) -> str:
    entries = [TreeEntry(FILE_MODE, name, git.put_blob(data)) for name, data in sorted(files.items())]
    me = Signature("alice", "alice@example.org", 1_700_000_000)
    return git.put_commit(Commit(git.put_tree(entries), (parent,) if parent else (), me, me, "c"))


def index(db: Database, git: GitStore, repo_id: int, oid: str) -> None:
    with db.session() as s:
        safetensors.index_head(s, git, repo_id, oid)


def test_only_headers_are_read_once(setup: tuple[Database, CountingStore, GitStore, int], tmp_path: Path) -> None:
    db, store, git, repo_id = setup
    sha, size, counts = weights_file(tmp_path / "w.safetensors")
    store.put_file(f"lfs/{sha}", tmp_path / "w.safetensors")
    first = commit(git, {"model.safetensors": lfs_pointer(sha, size), "README.md": b"# m\n"})
    index(db, git, repo_id, first)
    assert 0 < store.read < 4096  # the 8-byte length and the JSON header, not 64 MiB
    with db.session() as s:
        row = s.get(RepoSafetensors, repo_id)
        assert row is not None and row.parameters == counts and row.total == sum(counts.values())
        assert row.commit == first

    store.read = 0
    second = commit(git, {"model.safetensors": lfs_pointer(sha, size), "README.md": b"# changed\n"}, first)
    index(db, git, repo_id, second)
    assert store.read == 0  # the content is known: no read at all
    with db.session() as s:
        assert summary_of(s, repo_id) == {"parameters": counts, "total": sum(counts.values())}

    third = commit(git, {"README.md": b"# no weights\n"}, second)
    index(db, git, repo_id, third)
    with db.session() as s:
        assert s.get(RepoSafetensors, repo_id) is None
        repo = s.get(Repo, repo_id)
        assert repo is not None
        assert safetensors.repo_summary(s, repo, git, second) == {"parameters": counts, "total": sum(counts.values())}


def summary_of(s: Session, repo_id: int) -> dict[str, object] | None:
    row = s.get(RepoSafetensors, repo_id)
    return None if row is None else {"parameters": row.parameters, "total": row.total}


@pytest.mark.parametrize(
    "header",
    [
        b"\xff\xfe not utf-8",
        b"[1, 2]",
        json.dumps({"t": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}).encode(),
        json.dumps({"t": {"dtype": "F32", "shape": ["2"], "data_offsets": [0, 4]}}).encode(),
        json.dumps({"t": {"dtype": "F32", "shape": [1]}}).encode(),
    ],
)
def test_bad_headers_are_recorded_not_counted(setup: tuple[Database, CountingStore, GitStore, int],
                                              header: bytes) -> None:  # fmt: skip
    db, _, git, repo_id = setup
    data = struct.pack("<Q", len(header)) + header
    oid = commit(git, {"model.safetensors": data})
    index(db, git, repo_id, oid)
    with db.session() as s:
        assert s.get(RepoSafetensors, repo_id) is None
        rows = list(s.query(SafetensorsFile))
        assert len(rows) == 1 and rows[0].error and rows[0].parameters == {}
    lying = struct.pack("<Q", 10**6) + b"{}"  # a length past the end of the file
    index(db, git, repo_id, commit(git, {"model.safetensors": lying}))
    with db.session() as s:
        assert s.get(RepoSafetensors, repo_id) is None


def test_index_files_choose_the_shards(setup: tuple[Database, CountingStore, GitStore, int]) -> None:
    db, _, git, repo_id = setup

    def shard(n: int) -> bytes:
        header = json.dumps({f"t{n}": {"dtype": "BF16", "shape": [n, 2], "data_offsets": [0, 4 * n]}}).encode()
        return struct.pack("<Q", len(header)) + header + bytes(4 * n)

    index_json = json.dumps(
        {"metadata": {"total_size": 12}, "weight_map": {"t1": "a.safetensors", "t2": "b.safetensors"}}
    )
    files = {"model.safetensors.index.json": index_json.encode(), "a.safetensors": shard(1), "b.safetensors": shard(2),
             "other.safetensors": shard(50)}  # fmt: skip
    index(db, git, repo_id, commit(git, files))
    with db.session() as s:
        assert summary_of(s, repo_id) == {"parameters": {"BF16": 6}, "total": 6}  # other.safetensors not a shard
    del files["b.safetensors"]  # the index names a missing shard: no count rather than a wrong one
    index(db, git, repo_id, commit(git, files))
    with db.session() as s:
        assert summary_of(s, repo_id) is None
    del files["model.safetensors.index.json"]  # two loose .safetensors files: which is the model? none
    index(db, git, repo_id, commit(git, files))
    with db.session() as s:
        assert summary_of(s, repo_id) is None
