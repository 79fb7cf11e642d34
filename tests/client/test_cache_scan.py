"""scan_cache_dir and deletion strategies, on caches filled from the real hub and on broken ones."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from hubkit import CachedRepoInfo, CacheNotFound, HFCacheInfo, hf_hub_download, scan_cache_dir, snapshot_download
from hubkit.errors import CorruptedCacheException

from .conftest import SeededRepo


def test_scan_sizes_refs_and_dates(seeded: SeededRepo, kw: dict, cache: Path) -> None:
    snapshot_download(seeded.repo_id, **kw)
    hf_hub_download(seeded.repo_id, "config.json", revision="v1", **kw)
    info = scan_cache_dir(cache)
    assert isinstance(info, HFCacheInfo) and not info.warnings and not info.incomplete_files
    (repo,) = info.repos
    assert isinstance(repo, CachedRepoInfo)
    assert (repo.repo_id, repo.repo_type, repo.cache_id) == (seeded.repo_id, "model", f"model/{seeded.repo_id}")
    blobs = list((repo.repo_path / "blobs").iterdir())
    assert repo.nb_files == len(blobs) and repo.size_on_disk == sum(b.stat().st_size for b in blobs)
    assert info.size_on_disk == repo.size_on_disk
    by_commit = {r.commit_hash: r for r in repo.revisions}
    main, v1 = by_commit[seeded.main_commit], by_commit[seeded.first_commit]
    assert main.refs == frozenset({"main"}) and v1.refs == frozenset({"v1"})
    assert set(repo.refs) == {"main", "v1"}
    assert v1.nb_files == 1 and v1.size_on_disk == len(seeded.old_files["config.json"])
    model = next(f for f in main.files if f.file_name == "model.bin")
    assert model.size_on_disk == len(seeded.files["weights/model.bin"]) and model.blob_path.parent.name == "blobs"
    assert model.size_on_disk_str == "3.1M" and repo.last_accessed_str and main.last_modified_str
    with pytest.raises(dataclasses.FrozenInstanceError):
        repo.nb_files = 0  # type: ignore[misc]
    table = info.export_as_table()
    assert seeded.repo_id in table.splitlines()[2] and "main, v1" in table
    assert seeded.main_commit in info.export_as_table(verbosity=1)


def test_delete_revisions(seeded: SeededRepo, kw: dict, cache: Path) -> None:
    snapshot_download(seeded.repo_id, **kw)
    hf_hub_download(seeded.repo_id, "config.json", revision="v1", **kw)
    info = scan_cache_dir(cache)
    (repo,) = info.repos
    old_blob = repo.repo_path / "blobs" / seeded.etag("config.json", seeded.old_files)
    strategy = info.delete_revisions(seeded.first_commit, "0" * 40)
    assert strategy.expected_freed_size == len(seeded.old_files["config.json"])
    assert strategy.blobs == frozenset({old_blob}) and strategy.expected_freed_size_str == "15.0"
    assert old_blob.exists()  # nothing happens before execute()
    strategy.execute()
    assert not old_blob.exists() and not (repo.repo_path / "refs" / "v1").exists()
    after = scan_cache_dir(cache)
    assert not after.warnings and {r.commit_hash for r in next(iter(after.repos)).revisions} == {seeded.main_commit}

    whole = after.delete_revisions(seeded.main_commit)
    assert whole.repos == frozenset({repo.repo_path}) and whole.expected_freed_size == after.size_on_disk
    whole.execute()
    assert not repo.repo_path.exists() and not scan_cache_dir(cache).repos


def test_delete_files_keeps_shared_blobs(seeded: SeededRepo, kw: dict, cache: Path) -> None:
    snapshot_download(seeded.repo_id, **kw)
    hf_hub_download(seeded.repo_id, "config.json", revision="dev", **kw)  # same content as main
    info = scan_cache_dir(cache)
    main_config = next(
        f
        for r in next(iter(info.repos)).revisions
        if r.commit_hash == seeded.main_commit
        for f in r.files
        if f.file_name == "config.json"
    )
    strategy = info.delete_files(main_config)
    assert strategy.expected_freed_size == 0 and not strategy.blobs  # dev still uses the blob
    strategy.execute()
    assert not main_config.file_path.exists() and main_config.blob_path.exists()


def test_scan_reports_problems_without_failing(seeded: SeededRepo, kw: dict, cache: Path) -> None:
    hf_hub_download(seeded.repo_id, "config.json", **kw)
    with pytest.raises(Exception):  # noqa: B017 - only the .no_exist side effect matters here
        hf_hub_download("alice/does-not-exist", "x", **kw)
    (cache / "not-a-repo").mkdir()
    (cache / "models--broken").mkdir()
    (cache / "models--broken" / "refs").mkdir()
    (cache / "models--broken" / "refs" / "main").write_text("f" * 40)
    (cache / "models--broken" / "snapshots").mkdir()
    (cache / "weird--thing").mkdir()
    repo_path = cache / f"models--{seeded.repo_id.replace('/', '--')}"
    os.symlink("../../blobs/missing", repo_path / "snapshots" / seeded.main_commit / "dangling.txt")
    (repo_path / "blobs" / "0123abcd.1234abcd.incomplete").write_bytes(b"partial")
    info = scan_cache_dir(cache)
    assert not info.repos and len(info.warnings) == 4
    assert all(isinstance(w, CorruptedCacheException) for w in info.warnings)
    assert {f.size_on_disk for f in info.incomplete_files} == {7} and info.incomplete_size_on_disk == 7


def test_scan_errors(tmp_path: Path) -> None:
    with pytest.raises(CacheNotFound) as info:
        scan_cache_dir(tmp_path / "nope")
    assert info.value.cache_dir == tmp_path / "nope"
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError):
        scan_cache_dir(tmp_path / "file")
    (tmp_path / "empty").mkdir()
    empty = scan_cache_dir(tmp_path / "empty")
    assert empty.size_on_disk == 0 and not empty.repos and not empty.warnings


def test_scan_default_cache_follows_environment(seeded: SeededRepo, hub, tokens, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "env-cache"))
    hf_hub_download(seeded.repo_id, "config.json", endpoint=hub.url, token=tokens["alice"])
    assert len(scan_cache_dir().repos) == 1
