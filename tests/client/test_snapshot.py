"""snapshot_download against a real ``hubkit serve``: files, patterns, tree cache, offline, local_dir."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from hubkit import DryRunFileInfo, hf_hub_download, snapshot_download
from hubkit.errors import (
    DryRunError,
    IncompleteSnapshotError,
    LocalEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

from .conftest import SeededRepo, git_blob_sha1


def files_under(folder: Path) -> dict[str, bytes]:
    out = {}
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if d != ".cache"]
        for name in names:
            p = Path(root) / name
            out[p.relative_to(folder).as_posix()] = p.read_bytes()
    return out


def test_snapshot_all_files(seeded: SeededRepo, kw: dict, cache: Path) -> None:
    folder = Path(snapshot_download(seeded.repo_id, **kw))
    assert folder == cache / f"models--{seeded.repo_id.replace('/', '--')}" / "snapshots" / seeded.main_commit
    got = files_under(folder)
    assert {k: v for k, v in got.items() if k != ".gitattributes"} == seeded.files
    for path in seeded.files:
        assert (folder / path).is_symlink()
        assert (folder / path).resolve().name == seeded.etag(path)
    assert (folder.parent.parent / "refs" / "main").read_text() == seeded.main_commit


def test_tree_cache_is_written_like_huggingface_hub(seeded: SeededRepo, kw: dict, cache: Path) -> None:
    snapshot_download(seeded.repo_id, **kw)
    tree = cache / f"models--{seeded.repo_id.replace('/', '--')}" / "trees" / f"{seeded.main_commit}.json"
    raw = tree.read_text()
    data = json.loads(raw)
    assert list(data) == ["format_version", "files"] and data["format_version"] == 1
    assert list(data["files"]) == sorted(data["files"])
    lfs = data["files"]["weights/model.bin"]
    assert list(lfs) == ["size", "blob_id", "lfs_sha256", "lfs_size"]
    assert lfs["lfs_sha256"] == seeded.etag("weights/model.bin")
    assert data["files"]["config.json"] == {"size": 15, "blob_id": git_blob_sha1(seeded.files["config.json"])}
    assert raw == json.dumps(data, indent=1)  # one-space indent, no trailing newline


def test_patterns(seeded: SeededRepo, kw: dict) -> None:
    folder = Path(snapshot_download(seeded.repo_id, allow_patterns=["*.json", "nested/"], **kw))
    assert set(files_under(folder)) == {"config.json", "nested/deeper/notes.txt"}
    folder = Path(snapshot_download(seeded.repo_id, ignore_patterns="*.bin", max_workers=1, **kw))
    assert not any(p.endswith(".bin") for p in files_under(folder)) and "README.md" in files_under(folder)


def test_revision_and_pr(seeded: SeededRepo, kw: dict, cache: Path) -> None:
    folder = Path(snapshot_download(seeded.repo_id, revision="v1", **kw))
    assert folder.name == seeded.first_commit
    assert set(files_under(folder)) - {".gitattributes"} == set(seeded.old_files)
    folder = Path(snapshot_download(seeded.repo_id, revision=seeded.pr_revision, **kw))
    assert (folder / "pr.txt").read_bytes() == b"from a pr\n"
    with pytest.raises(RevisionNotFoundError):
        snapshot_download(seeded.repo_id, revision="nope", **kw)
    with pytest.raises(RepositoryNotFoundError):
        snapshot_download("alice/missing-repo", **kw)


def test_offline(seeded: SeededRepo, kw: dict, monkeypatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(LocalEntryNotFoundError):
        snapshot_download(seeded.repo_id, **kw)
    monkeypatch.delenv("HF_HUB_OFFLINE")
    online = snapshot_download(seeded.repo_id, **kw)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert snapshot_download(seeded.repo_id, **kw) == online
    monkeypatch.delenv("HF_HUB_OFFLINE")
    assert snapshot_download(seeded.repo_id, local_files_only=True, **kw) == online
    with pytest.raises(DryRunError):
        snapshot_download(seeded.repo_id, local_files_only=True, dry_run=True, **kw)


def test_offline_incomplete_snapshot(seeded: SeededRepo, kw: dict, monkeypatch) -> None:
    folder = snapshot_download(seeded.repo_id, allow_patterns="*.json", **kw)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert snapshot_download(seeded.repo_id, allow_patterns="*.json", **kw) == folder
    with pytest.raises(IncompleteSnapshotError) as info:
        snapshot_download(seeded.repo_id, **kw)
    assert info.value.snapshot_path == folder
    assert isinstance(info.value, LocalEntryNotFoundError)


def test_snapshot_by_commit_is_offline_after_first_time(seeded: SeededRepo, kw: dict, monkeypatch) -> None:
    folder = snapshot_download(seeded.repo_id, revision=seeded.main_commit, **kw)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert snapshot_download(seeded.repo_id, revision=seeded.main_commit, **kw) == folder
    assert Path(hf_hub_download(seeded.repo_id, "config.json", revision=seeded.main_commit, **kw)).exists()


def test_dry_run(seeded: SeededRepo, kw: dict, cache: Path) -> None:
    infos = snapshot_download(seeded.repo_id, dry_run=True, **kw)
    assert isinstance(infos, list) and all(isinstance(i, DryRunFileInfo) for i in infos)
    assert {i.filename for i in infos} - {".gitattributes"} == set(seeded.files)
    assert all(i.will_download and not i.is_cached for i in infos)
    assert not list(cache.glob("*/snapshots/*/*"))
    hf_hub_download(seeded.repo_id, "config.json", **{**kw})
    infos = snapshot_download(seeded.repo_id, dry_run=True, **kw)
    cached = {i.filename for i in infos if i.is_cached}
    assert cached == {"config.json"}


def test_local_dir(seeded: SeededRepo, kw: dict, tmp_path: Path, monkeypatch) -> None:
    local = tmp_path / "local"
    out = snapshot_download(seeded.repo_id, local_dir=local, **kw)
    assert out == str(local.resolve())
    got = files_under(local)
    assert {k: v for k, v in got.items() if k != ".gitattributes"} == seeded.files
    hub_cache = local / ".cache" / "huggingface"
    assert (hub_cache / "trees" / f"{seeded.main_commit}.json").exists()
    assert (hub_cache / "download" / "weights" / "model.bin.metadata").read_text().split("\n")[1] == seeded.etag(
        "weights/model.bin"
    )
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert snapshot_download(seeded.repo_id, local_dir=local, **kw) == out


def test_listing_disagreement_falls_back_to_head(seeded: SeededRepo, kw: dict, cache: Path) -> None:
    """A tree cache that lies about a blob id costs a HEAD, never a wrong file in the cache."""
    from hubkit.cache.tree import TreeCacheEntry, read_tree_cache, write_tree_cache

    storage = cache / f"models--{seeded.repo_id.replace('/', '--')}"
    snapshot_download(seeded.repo_id, allow_patterns="README.md", **kw)
    entries = dict(read_tree_cache(str(storage), seeded.main_commit) or {})
    entries["config.json"] = TreeCacheEntry(size=15, blob_id="0" * 40)
    write_tree_cache(str(storage), seeded.main_commit, entries)
    folder = Path(snapshot_download(seeded.repo_id, allow_patterns="config.json", **kw))
    assert (folder / "config.json").read_bytes() == seeded.files["config.json"]
    assert not (storage / "blobs" / ("0" * 40)).exists()


def test_endpoint_with_a_path_prefix(fresh_hub, tmp_path: Path) -> None:
    from huggingface_hub import CommitOperationAdd, HfApi

    from hubserver import ALICE

    fresh_hub.public_url = f"http://127.0.0.1:{fresh_hub.port}/hub"
    fresh_hub.start().provision()
    api = HfApi(endpoint=fresh_hub.url, token=ALICE)
    api.create_repo("alice/prefixed", repo_type="dataset")
    files = {"a.txt": b"a\n", "deep/b.bin": os.urandom(1000)}
    ops = [CommitOperationAdd(p, d) for p, d in files.items()]
    api.create_commit("alice/prefixed", repo_type="dataset", operations=ops, commit_message="c")
    folder = Path(
        snapshot_download(
            "alice/prefixed", repo_type="dataset", endpoint=fresh_hub.url, token=ALICE, cache_dir=tmp_path
        )
    )
    assert folder.parent.parent.name == "datasets--alice--prefixed"
    assert {k: v for k, v in files_under(folder).items() if k != ".gitattributes"} == files
