"""One cache, two libraries: what hubkit caches, the real huggingface_hub finds offline, and back.

huggingface_hub reads its environment at import time, so its offline side runs in a subprocess
started with ``HF_HUB_OFFLINE=1``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import huggingface_hub as hfh
import pytest

import hubkit

from .conftest import SeededRepo

HFH_OFFLINE = r"""
import json, sys
import huggingface_hub as h
from huggingface_hub.file_download import _CACHED_NO_EXIST
repo, cache, missing = sys.argv[1], sys.argv[2], sys.argv[3]
info = h.scan_cache_dir(cache)
print(json.dumps({
    "config": h.hf_hub_download(repo, "config.json", cache_dir=cache),
    "old_config": h.hf_hub_download(repo, "config.json", revision="v1", cache_dir=cache),
    "snapshot": h.snapshot_download(repo, cache_dir=cache),
    "no_exist": h.try_to_load_from_cache(repo, missing, cache_dir=cache) is _CACHED_NO_EXIST,
    "scan": [len(info.repos), info.size_on_disk, len(info.warnings)],
    "revisions": sorted([r.commit_hash, sorted(r.refs), r.nb_files] for repo in info.repos for r in repo.revisions),
}))
"""


def hfh_offline(repo_id: str, cache: Path, missing: str) -> dict:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_XET": "1"}
    out = subprocess.run(
        [sys.executable, "-c", HFH_OFFLINE, repo_id, str(cache), missing],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def scan_summary(info) -> dict:
    return {
        "scan": [len(info.repos), info.size_on_disk, len(info.warnings)],
        "revisions": sorted([r.commit_hash, sorted(r.refs), r.nb_files] for repo in info.repos for r in repo.revisions),
    }


def test_hubkit_cache_read_by_huggingface_hub_offline(seeded: SeededRepo, kw: dict, cache: Path) -> None:
    snapshot = hubkit.snapshot_download(seeded.repo_id, **kw)
    old = hubkit.hf_hub_download(seeded.repo_id, "config.json", revision="v1", **kw)
    with pytest.raises(hubkit.RemoteEntryNotFoundError):
        hubkit.hf_hub_download(seeded.repo_id, "missing.txt", **kw)
    got = hfh_offline(seeded.repo_id, cache, "missing.txt")
    assert got["snapshot"] == snapshot and got["old_config"] == old
    assert got["config"] == str(Path(snapshot) / "config.json") and got["no_exist"] is True
    ours = scan_summary(hubkit.scan_cache_dir(cache))
    assert {k: got[k] for k in ("scan", "revisions")} == ours


def test_huggingface_hub_cache_read_by_hubkit_offline(
    seeded: SeededRepo, hub, tokens, cache: Path, monkeypatch
) -> None:
    ref = {"endpoint": hub.url, "token": tokens["alice"], "cache_dir": cache}
    snapshot = hfh.snapshot_download(seeded.repo_id, **ref)
    old = hfh.hf_hub_download(seeded.repo_id, "config.json", revision="v1", **ref)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    kw = {"cache_dir": cache}
    assert hubkit.snapshot_download(seeded.repo_id, **kw) == snapshot
    assert hubkit.hf_hub_download(seeded.repo_id, "config.json", revision="v1", **kw) == old
    assert hubkit.hf_hub_download(seeded.repo_id, "weights/model.bin", **kw) == str(
        Path(snapshot) / "weights/model.bin"
    )
    theirs = hfh.scan_cache_dir(cache)
    assert scan_summary(hubkit.scan_cache_dir(cache)) == scan_summary(theirs)


def _tree(root: Path) -> dict[str, tuple[str, str | bytes]]:
    """Every entry under root: ('link', target) or ('file', content) or ('dir', '')."""
    out: dict[str, tuple[str, str | bytes]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = p.relative_to(root).as_posix()
            if p.is_symlink():
                out[rel] = ("link", os.readlink(p))
            elif p.is_dir():
                out[rel] = ("dir", "")
            else:
                out[rel] = ("file", p.read_bytes())
    return out


def test_same_bytes_on_disk_as_huggingface_hub(seeded: SeededRepo, hub, tokens, tmp_path: Path) -> None:
    ref = {"endpoint": hub.url, "token": tokens["alice"]}
    theirs, ours = tmp_path / "theirs", tmp_path / "ours"
    for lib, cache in ((hfh, theirs), (hubkit, ours)):
        lib.snapshot_download(seeded.repo_id, cache_dir=cache, **ref)
        lib.hf_hub_download(seeded.repo_id, "config.json", revision="v1", cache_dir=cache, **ref)
        lib.hf_hub_download(seeded.repo_id, "pr.txt", revision=seeded.pr_revision, cache_dir=cache, **ref)
        with pytest.raises(lib.errors.EntryNotFoundError):
            lib.hf_hub_download(seeded.repo_id, "sub/missing.txt", cache_dir=cache, **ref)
    assert _tree(ours) == _tree(theirs)

    local_theirs, local_ours = tmp_path / "lt", tmp_path / "lo"
    hfh.snapshot_download(seeded.repo_id, local_dir=local_theirs, cache_dir=theirs, **ref)
    hubkit.snapshot_download(seeded.repo_id, local_dir=local_ours, cache_dir=ours, **ref)
    a, b = _tree(local_ours), _tree(local_theirs)
    # metadata files end with the time of writing: compare the first two lines only
    for tree in (a, b):
        for key, (kind, value) in tree.items():
            if key.endswith(".metadata"):
                assert isinstance(value, bytes)
                tree[key] = (kind, b"\n".join(value.split(b"\n")[:2]))
    assert a == b


def test_one_cache_shared_in_turn(seeded: SeededRepo, hub, tokens, cache: Path, monkeypatch) -> None:
    ref = {"endpoint": hub.url, "token": tokens["alice"], "cache_dir": cache}
    hubkit.snapshot_download(seeded.repo_id, allow_patterns="*.json", **ref)
    hfh.snapshot_download(seeded.repo_id, allow_patterns="*.bin", **ref)
    hubkit.hf_hub_download(seeded.repo_id, "README.md", **ref)
    path = hfh.snapshot_download(seeded.repo_id, **ref)  # completes what is missing
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert hubkit.snapshot_download(seeded.repo_id, cache_dir=cache) == path
    info = hubkit.scan_cache_dir(cache)
    assert not info.warnings and len(info.repos) == 1
