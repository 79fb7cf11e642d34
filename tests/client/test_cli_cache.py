"""``hubkit cache`` on a real cache: several repos and revisions, downloaded from a real hub.

The cache is built once per module (two models, one with a tagged old revision and one with a
detached revision, and a dataset); blob times are then set so that the ``accessed``/``modified``
filters and sorts have known answers. Tests that delete work on a copy.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

import hubkit
from hubserver import ALICE

from .test_cli import Cli, one_clear_error

DAY = 86400


@dataclass
class Cached:
    root: Path
    a: str  # model, main + tag v1 (older commit)
    b: str  # model, main + a detached older revision, the biggest
    d: str  # dataset
    a_old: str
    b_old: str


def _age(folder: Path, accessed_days: float, modified_days: float) -> None:
    now = time.time()
    for blob in (folder / "blobs").iterdir():
        os.utime(blob, (now - accessed_days * DAY, now - modified_days * DAY))


@pytest.fixture(scope="module")
def cached(hub, tmp_path_factory: pytest.TempPathFactory) -> Cached:
    root = tmp_path_factory.mktemp("cli-cache") / "hub"
    api = hubkit.HfApi(endpoint=hub.url, token=ALICE)
    suffix = os.urandom(4).hex()
    a, b, d = f"alice/cache-a-{suffix}", f"alice/cache-b-{suffix}", f"alice/cache-d-{suffix}"

    def fetch(repo_id: str, revision: str | None = None, repo_type: str | None = None) -> None:
        hubkit.snapshot_download(repo_id, revision=revision, repo_type=repo_type, cache_dir=root, endpoint=hub.url,
                                 token=ALICE)  # fmt: skip

    api.create_repo(a)
    a_old = api.upload_file(path_or_fileobj=b"a" * 1000, path_in_repo="a.txt", repo_id=a).oid
    api.create_tag(a, tag="v1", revision=a_old)
    api.upload_file(path_or_fileobj=b"A" * 2000, path_in_repo="a.txt", repo_id=a)
    api.create_repo(b)
    b_old = api.upload_file(path_or_fileobj=os.urandom(300_000), path_in_repo="w.bin", repo_id=b).oid
    api.upload_file(path_or_fileobj=os.urandom(400_000), path_in_repo="w.bin", repo_id=b)
    api.create_repo(d, repo_type="dataset")
    api.upload_file(path_or_fileobj=b"d" * 50_000, path_in_repo="d.csv", repo_id=d, repo_type="dataset")
    fetch(a)
    fetch(a, "v1")
    fetch(b)
    fetch(b, b_old)  # by commit: no ref points at it (detached)
    fetch(d, repo_type="dataset")
    _age(root / f"models--alice--cache-a-{suffix}", accessed_days=40, modified_days=50)
    _age(root / f"models--alice--cache-b-{suffix}", accessed_days=1 / 24, modified_days=2)
    _age(root / f"datasets--alice--cache-d-{suffix}", accessed_days=10, modified_days=10)
    return Cached(root, a, b, d, a_old, b_old)


@pytest.fixture
def ccli(hub, tmp_path: Path, cached: Cached) -> Cli:
    """A CLI on the shared cache (read-only tests)."""
    return Cli(hub.url, tmp_path / "hf_home", cached.root)


@pytest.fixture
def own(hub, tmp_path: Path, cached: Cached) -> Cli:
    """A CLI on a private copy of the cache (tests that delete)."""
    copy = tmp_path / "cache"
    shutil.copytree(cached.root, copy, symlinks=True)
    return Cli(hub.url, tmp_path / "hf_home", copy)


def _ids(cli: Cli, *args: str) -> list[str]:
    return [r["repo_id"] for r in cli("cache", "ls", *args, "--format", "json").json()]


def test_ls_lists_repos_with_sizes_refs_and_dates(ccli: Cli, cached: Cached) -> None:
    repos = {r["repo_id"]: r for r in ccli("cache", "ls", "--format", "json").json()}
    assert set(repos) == {cached.a, cached.b, cached.d}
    assert repos[cached.a]["refs"] == ["main", "v1"] and len(repos[cached.a]["revisions"]) == 2
    assert repos[cached.b]["refs"] == ["main"] and cached.b_old in repos[cached.b]["revisions"]
    assert repos[cached.d]["repo_type"] == "dataset" and repos[cached.d]["id"] == f"dataset/{cached.d}"
    # every revision also holds the 1519-byte .gitattributes the hub adds
    assert repos[cached.b]["size_on_disk"] == 701_519 and repos[cached.a]["size_on_disk"] == 4519
    assert repos[cached.a]["last_accessed"].startswith(time.strftime("%Y", time.gmtime(time.time() - 40 * DAY)))
    table = ccli("cache", "ls")
    assert table.stdout.splitlines()[0].split() == ["ID", "TYPE", "SIZE", "FILES", "ACCESSED", "MODIFIED", "REFS"]
    row = next(line for line in table.stdout.splitlines() if line.startswith(cached.a))
    assert "4.5 kB" in row and "1 month ago" in row and "main, v1" in row
    total = sum(r["size_on_disk"] for r in repos.values())
    assert f"3 repo(s), {total / 1000:.1f} kB on disk" in table.stderr
    assert ccli("cache", "ls", "-q").stdout.split() == [f"model/{cached.a}", f"model/{cached.b}", f"dataset/{cached.d}"]
    rows = list(csv.DictReader(io.StringIO(ccli("cache", "ls", "--format", "csv").stdout)))
    assert [r["repo_id"] for r in rows] == [cached.a, cached.b, cached.d] and rows[0]["refs"] == "main;v1"


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (["type==dataset"], "d"),
        (["type=model"], "ab"),
        (["type!=model"], "d"),
        (["size>100kB"], "b"),
        (["size<=60kB"], "ad"),
        (["size>1KiB", "size<100KiB"], "ad"),
        (["accessed>30d"], "a"),
        (["accessed<1d"], "b"),
        (["accessed>5d", "accessed<20d"], "d"),
        (["modified>=9d"], "ad"),
        (["modified<1w"], "b"),
        (["refs==v1"], "a"),
        (["refs!=v1", "type==model"], "b"),
        (["name==*cache-b*"], "b"),
        (["type==model", "size>100MB"], ""),
    ],
)
def test_ls_filters(ccli: Cli, cached: Cached, filters: list[str], expected: str) -> None:
    args = [arg for f in filters for arg in ("--filter", f)]
    assert _ids(ccli, *args) == [getattr(cached, k) for k in expected]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", "abd"),
        ("name:desc", "dba"),
        ("size", "bda"),
        ("size:asc", "adb"),
        ("accessed", "bda"),
        ("accessed:asc", "adb"),
        ("modified", "bda"),
        ("modified:asc", "adb"),
    ],
)
def test_ls_sorts(ccli: Cli, cached: Cached, sort: str, expected: str) -> None:
    assert _ids(ccli, "--sort", sort) == [getattr(cached, k) for k in expected]


def test_ls_revisions_filter_sort_limit(ccli: Cli, cached: Cached) -> None:
    revisions = ccli("cache", "ls", "--revisions", "--format", "json").json()
    assert len(revisions) == 5
    by_hash = {r["revision"]: r for r in revisions}
    assert by_hash[cached.a_old]["refs"] == ["v1"] and by_hash[cached.b_old]["refs"] == []
    assert by_hash[cached.a_old]["size_on_disk"] == 2519
    mains = ccli("cache", "ls", "--revisions", "--filter", "refs==main", "--format", "json").json()
    assert sorted(r["repo_id"] for r in mains) == sorted([cached.a, cached.b, cached.d])
    biggest = ccli("cache", "ls", "--revisions", "--sort", "size", "--limit", "2", "-q").stdout.split()
    assert biggest[1] == cached.b_old and len(biggest) == 2  # 400 kB main, then the 300 kB old one
    table = ccli("cache", "ls", "--revisions", "--filter", f"name=={cached.a}").stdout
    assert cached.a_old in table and "REVISION" in table.splitlines()[0]


def test_ls_empty_missing_and_bad_arguments(hub, tmp_path: Path) -> None:
    cli = Cli(hub.url, tmp_path / "home", tmp_path / "missing")
    assert "The cache is empty" in cli("cache", "ls").stderr
    assert cli("cache", "ls", "--format", "json").json() == []
    assert cli("cache", "ls", "-q").stdout == ""
    (tmp_path / "empty" / ".locks").mkdir(parents=True)
    assert Cli(hub.url, tmp_path / "home", tmp_path / "empty")("cache", "ls", "--format", "json").json() == []
    one_clear_error(cli("cache", "ls", "--filter", "size>>1", expect=2), 2, "Cannot read")
    one_clear_error(cli("cache", "ls", "--sort", "color", expect=2), 2, "Unknown sort key")
    one_clear_error(cli("cache", "rm", "org/x", "--yes", expect=3), 3, "empty")


def test_rm_repos_and_revisions(own: Cli, cached: Cached) -> None:
    before = own("cache", "ls", "--revisions", "-q").stdout.split()
    dry = own("cache", "rm", cached.b, "--dry-run")
    assert "whole repo (2 revision(s))" in dry.stderr and "Frees 701.5 kB" in dry.stderr
    one_clear_error(own("cache", "rm", cached.b, input="no\n", expect=1), 1, "Aborted")
    assert own("cache", "ls", "--revisions", "-q").stdout.split() == before

    own("cache", "rm", f"{cached.a}@v1", "--yes")  # one revision, by ref
    left = own("cache", "ls", "--revisions", "--format", "json").json()
    assert cached.a_old not in {r["revision"] for r in left} and len(left) == 4
    own("cache", "rm", cached.b_old[:10], "-y")  # one revision, by short hash
    own("cache", "rm", f"datasets/{cached.d}", "--yes")  # a whole repo, typed
    assert _ids(own) == [cached.a, cached.b]
    removed = own("cache", "rm", f"model/{cached.b}", f"{cached.a}@nope", input="y\n")
    assert f"Not in the cache: model/{cached.a}@nope" in removed.stderr
    assert _ids(own) == [cached.a]
    one_clear_error(own("cache", "rm", "alice/absent", "--yes", expect=3), 3, "Nothing to delete")


def test_prune_detached_revisions_and_unfinished_downloads(own: Cli, cached: Cached) -> None:
    blobs = own.cache / f"models--{cached.b.replace('/', '--')}" / "blobs"
    (blobs / ("f" * 64 + ".incomplete")).write_bytes(b"partial" * 100)
    assert "1 unfinished download(s)" in own("cache", "ls").stderr
    dry = own("cache", "prune", "--dry-run")
    assert "1 detached revision(s), 1 unfinished download(s)" in dry.stderr and cached.b_old in dry.stderr
    own("cache", "prune", "--yes")
    hashes = own("cache", "ls", "--revisions", "-q").stdout.split()
    assert cached.b_old not in hashes and cached.a_old in hashes and len(hashes) == 4
    assert not list(blobs.glob("*.incomplete"))
    assert "Nothing to prune" in own("cache", "prune").stderr


def test_verify_cache_and_local_dir(own: Cli, cached: Cached, tmp_path: Path) -> None:
    ok = own("cache", "verify", cached.a, "--format", "json").json()
    assert ok["ok"] is True and ok["counts"]["ok"] == 2 and ok["counts"]["mismatch"] == 0
    assert own("cache", "verify", cached.a, "--revision", "v1", "--format", "json").json()["revision"] == cached.a_old
    own("cache", "verify", f"datasets/{cached.d}")

    snapshot = own.cache / f"models--{cached.b.replace('/', '--')}" / "snapshots"
    main = next(p for p in snapshot.iterdir() if p.name != cached.b_old)
    blob = (main / "w.bin").resolve()
    blob.chmod(0o644)
    blob.write_bytes(b"tampered")
    bad = own("cache", "verify", cached.b, expect=5)
    assert bad.stdout.splitlines()[2].split() == ["w.bin", "mismatch"] and "1 mismatched" in bad.stderr

    (main / "extra.txt").write_text("not from the hub")
    (main / "w.bin").unlink()
    relaxed = own("cache", "verify", cached.b, "--format", "json").json()
    assert relaxed["ok"] is True and relaxed["counts"] == {"ok": 1, "mismatch": 0, "missing": 1, "extra": 1}
    own("cache", "verify", cached.b, "--fail-on-missing-files", expect=5)
    own("cache", "verify", cached.b, "--fail-on-extra-files", expect=5)

    local = tmp_path / "local"
    own("download", cached.a, "--local-dir", str(local), "-q")
    assert own("cache", "verify", cached.a, "--local-dir", str(local), "--format", "json").json()["ok"] is True
    (local / "a.txt").write_text("changed")
    own("cache", "verify", cached.a, "--local-dir", str(local), expect=5)
    one_clear_error(own("cache", "verify", cached.a, "--revision", cached.a_old, "--local-dir",
                        str(tmp_path / "none"), expect=3), 3, "not in that folder")  # fmt: skip
