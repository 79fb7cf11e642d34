"""HfFileSystem reads against a real ``hubkit serve``: listings, info, revisions, errors, caches."""

# Fixtures come from the helper modules (imported below); test arguments shadow those imports.
# ruff: noqa: F811

from __future__ import annotations

import threading

import pytest

from hubkit.api.types import LastCommitInfo
from hubkit.errors import RepositoryNotFoundError, RevisionNotFoundError
from hubkit.fs import HfFileSystem, HfFileSystemResolvedPath
from hubserver import ALICE, ALICE_READ, BOB

from .conftest_commit import Recorder, recorder  # noqa: F401
from .test_fs_fixtures import BIG_SIZE, SeededDataset, fs, hfh_alice, new_dataset, seeded_ds  # noqa: F401


def test_ls_details_and_names(fs: HfFileSystem, seeded_ds: SeededDataset) -> None:
    root = seeded_ds.root
    entries = {e["name"]: e for e in fs.ls(root)}
    names = ("data", "nested", "README.md", "file@1.txt", "big.bin", ".gitattributes")
    assert set(entries) == {f"{root}/{p}" for p in names}
    big = entries[f"{root}/big.bin"]
    assert (big["type"], big["size"], big["lfs"]["size"]) == ("file", BIG_SIZE, BIG_SIZE)
    assert entries[f"{root}/data"] == {
        "name": f"{root}/data", "size": 0, "type": "directory", "tree_id": entries[f"{root}/data"]["tree_id"],
        "last_commit": None,
    }  # fmt: skip
    assert sorted(fs.ls(f"hf://{root}/data", detail=False)) == [f"{root}/data/test.csv", f"{root}/data/train.csv"]
    # listing a file gives the file
    assert fs.ls(f"{root}/data/test.csv", detail=False) == [f"{root}/data/test.csv"]


def test_info_exists_isdir_isfile(fs: HfFileSystem, seeded_ds: SeededDataset) -> None:
    root = seeded_ds.root
    info = fs.info(f"{root}/data/train.csv")
    assert (info["name"], info["size"], info["type"], info["lfs"]) == (f"{root}/data/train.csv", 12, "file", None)
    assert fs.info(root) == {"name": root, "size": 0, "type": "directory", "last_commit": None}
    assert fs.info(f"{root}/nested/deeper")["type"] == "directory"
    assert fs.isdir(f"{root}/nested") and not fs.isfile(f"{root}/nested") and fs.isdir(root)
    assert fs.isfile(f"{root}/file@1.txt") and fs.exists(f"{root}/file@1.txt")
    assert not fs.exists(f"{root}/nope") and not fs.isdir(f"{root}/nope") and not fs.isfile(f"{root}/nope")
    assert not fs.exists(f"{root}/data/train.csv/below")
    assert not fs.exists("datasets/alice/no-such-repo/x") and not fs.exists("datasets/al ice/bad")


def test_expand_info_and_modified(fs: HfFileSystem, seeded_ds: SeededDataset) -> None:
    root = seeded_ds.root
    info = fs.info(f"{root}/big.bin", expand_info=True)
    assert isinstance(info["last_commit"], LastCommitInfo)
    assert (info["last_commit"].oid, info["last_commit"].title) == (seeded_ds.main_commit, "big")
    assert fs.modified(f"{root}/big.bin") == info["last_commit"].date
    assert fs.modified(f"{root}/data/test.csv") <= info["last_commit"].date
    head = fs.info(root, expand_info=True)["last_commit"]
    assert head.oid == seeded_ds.main_commit  # the newest commit of the revision
    listed = fs.ls(f"{root}/data", expand_info=True)
    assert all(e["last_commit"] is not None for e in listed)
    expanded = HfFileSystem(endpoint=fs.endpoint, token=ALICE, expand_info=True, skip_instance_cache=True)
    assert expanded.info(f"{root}/README.md")["last_commit"].title == "first"


def test_find_glob_walk_du(fs: HfFileSystem, seeded_ds: SeededDataset) -> None:
    root = seeded_ds.root
    files = sorted(f"{root}/{p}" for p in seeded_ds.files)
    assert fs.find(root) == files
    assert fs.find(f"hf://{root}/") == files
    with_dirs = fs.find(root, withdirs=True)
    assert with_dirs == sorted([*files, root, f"{root}/data", f"{root}/nested", f"{root}/nested/deeper"])
    assert fs.find(root, maxdepth=1) == sorted(f for f in files if f.count("/") == 3)
    assert fs.find(root, maxdepth=2, withdirs=True) == sorted(n for n in with_dirs if n.count("/") <= 4)
    assert fs.find(f"{root}/README.md") == [f"{root}/README.md"]  # a file finds itself
    assert fs.find(f"{root}/missing") == []
    detail = fs.find(f"{root}/data", detail=True)
    assert detail[f"{root}/data/test.csv"]["size"] == 8
    assert fs.glob(f"{root}/**/*.csv") == [f"{root}/data/test.csv", f"{root}/data/train.csv"]
    assert fs.glob(f"hf://{root}/*.md") == [f"{root}/README.md"]
    assert fs.glob(f"{root}/ne*/*/*.txt") == [f"{root}/nested/deeper/notes.txt"]
    walked = {top: (sorted(dirs), sorted(files)) for top, dirs, files in fs.walk(root)}
    assert walked == {
        root: (["data", "nested"], [".gitattributes", "README.md", "big.bin", "file@1.txt"]),
        f"{root}/data": ([], ["test.csv", "train.csv"]),
        f"{root}/nested": (["deeper"], []),
        f"{root}/nested/deeper": ([], ["notes.txt"]),
    }
    assert [top for top, _, _ in fs.walk(root, maxdepth=1)] == [root]
    sizes = {p: len(d) for p, d in seeded_ds.files.items() if p != ".gitattributes"}
    assert fs.du(f"{root}/data") == sizes["data/train.csv"] + sizes["data/test.csv"]
    assert fs.du(root, total=False)[f"{root}/big.bin"] == BIG_SIZE


def test_revisions(fs: HfFileSystem, seeded_ds: SeededDataset) -> None:
    repo = seeded_ds.root
    # a branch with "/" is written percent-encoded, and names keep that form
    assert fs.cat(f"{repo}@feature%2Fx/branch.txt") == b"on a branch\n"
    assert f"{repo}@feature%2Fx/branch.txt" in fs.ls(f"{repo}@feature%2Fx", detail=False)
    assert not fs.exists(f"{repo}/branch.txt")
    # special refs, unencoded or encoded; tags; commit ids; the revision argument
    assert fs.cat(f"{repo}@{seeded_ds.pr_revision}/pr.txt") == b"in a pr\n"
    assert fs.ls(f"{repo}@{seeded_ds.pr_revision}", detail=False)[0].startswith(f"{repo}@{seeded_ds.pr_revision}/")
    encoded = seeded_ds.pr_revision.replace("/", "%2F")
    assert fs.cat(f"{repo}@{encoded}/pr.txt") == b"in a pr\n"
    assert not fs.exists(f"{repo}@v1/big.bin") and fs.exists(f"{repo}@v1/README.md")
    assert fs.exists(f"{repo}@{seeded_ds.tag_commit}/README.md")
    assert fs.find(repo, revision="v1") == sorted(f"{repo}@v1/{p}" for p in seeded_ds.files if p not in ("big.bin",))
    assert fs.cat(f"{repo}/pr.txt", revision=seeded_ds.pr_revision) == b"in a pr\n"
    resolved = fs.resolve_path(f"hf://{repo}@main/data/train.csv")
    assert resolved == HfFileSystemResolvedPath("dataset", seeded_ds.repo_id, "main", "data/train.csv", "main")
    assert resolved.unresolve() == f"{repo}@main/data/train.csv"
    assert fs.resolve_path(f"{repo}/x", revision="v1").unresolve() == f"{repo}@v1/x"
    with pytest.raises(ValueError, match="not the same"):
        fs.resolve_path(f"{repo}@v1/x", revision="main")


def test_missing_repo_revision_or_path_is_file_not_found_with_its_cause(
    fs: HfFileSystem, seeded_ds: SeededDataset
) -> None:
    with pytest.raises(FileNotFoundError, match="repository not found") as missing_repo:
        fs.ls("datasets/alice/does-not-exist")
    assert isinstance(missing_repo.value.__cause__, RepositoryNotFoundError)
    with pytest.raises(FileNotFoundError, match="revision not found") as missing_rev:
        fs.info(f"{seeded_ds.root}@no-such-branch/README.md")
    assert isinstance(missing_rev.value.__cause__, RevisionNotFoundError)
    for call in (fs.info, fs.ls, fs.cat, fs.open):
        with pytest.raises(FileNotFoundError, match=r"nope\.csv"):
            call(f"{seeded_ds.root}/data/nope.csv")
    with pytest.raises(FileNotFoundError):
        fs.ls(f"{seeded_ds.root}/no-folder/")
    with pytest.raises(FileNotFoundError):
        fs.get(f"{seeded_ds.root}/nope.bin", "/tmp/never-written")
    with pytest.raises(ValueError, match="plural"):
        fs.ls("dataset/alice/x")
    with pytest.raises(NotImplementedError):
        fs.ls("")


def test_private_repo_is_missing_for_others(hub, new_dataset) -> None:
    root = new_dataset({"secret.txt": b"s3cret"}, private=True)
    assert HfFileSystem(endpoint=hub.url, token=ALICE_READ, skip_instance_cache=True).cat(f"{root}/secret.txt")
    for token in (BOB, False):
        other = HfFileSystem(endpoint=hub.url, token=token, skip_instance_cache=True)
        with pytest.raises(FileNotFoundError, match="repository not found"):
            other.cat(f"{root}/secret.txt")
        assert not other.exists(f"{root}/secret.txt")


def test_listing_cache_and_invalidation(fs: HfFileSystem, new_dataset, hfh_alice, recorder: Recorder) -> None:
    root = new_dataset({"a/1.txt": b"1", "a/2.txt": b"2", "b.txt": b"b"})
    repo_id = root.removeprefix("datasets/")
    fs.find(root)
    recorder.clear()
    # everything below was listed once: answered from the cache
    assert fs.ls(f"{root}/a", detail=False) and fs.info(f"{root}/a/1.txt")["size"] == 1 and fs.isdir(f"{root}/a")
    assert list(fs.walk(root)) and fs.glob(f"{root}/**/*.txt")
    assert recorder.requests == []
    hfh_alice.upload_file(path_or_fileobj=b"3", path_in_repo="a/3.txt", repo_id=repo_id, repo_type="dataset")
    assert f"{root}/a/3.txt" not in fs.ls(f"{root}/a", detail=False)  # still the cached listing
    assert f"{root}/a/3.txt" in fs.ls(f"{root}/a", detail=False, refresh=True)
    hfh_alice.upload_file(path_or_fileobj=b"c", path_in_repo="c.txt", repo_id=repo_id, repo_type="dataset")
    assert not fs.exists(f"{root}/c.txt")
    assert fs.exists(f"{root}/c.txt", refresh=True)
    hfh_alice.upload_file(path_or_fileobj=b"4", path_in_repo="a/4.txt", repo_id=repo_id, repo_type="dataset")
    fs.invalidate_cache(f"{root}/a/1.txt")  # drops the file's folder and every parent
    assert f"{root}/a/4.txt" in fs.find(root)
    fs.invalidate_cache()
    assert not list(fs.dircache)
    no_cache = HfFileSystem(endpoint=fs.endpoint, token=ALICE, use_listings_cache=False, skip_instance_cache=True)
    recorder.clear()
    no_cache.ls(root)
    no_cache.ls(root)
    assert len(recorder.matching("GET", "/tree/")) == 2


def test_repo_existence_is_checked_once(fs: HfFileSystem, seeded_ds: SeededDataset, recorder: Recorder) -> None:
    for _ in range(3):
        fs.resolve_path(f"{seeded_ds.root}/README.md")
        fs.resolve_path(f"{seeded_ds.root}@v1/README.md")
    checks = recorder.matching("GET", f"/api/datasets/{seeded_ds.repo_id}")
    assert len(checks) == 2 and all("expand=sha" in str(r.url) for r in checks)
    with pytest.raises(FileNotFoundError):
        fs.resolve_path(f"{seeded_ds.root}@later/x")
    fs.invalidate_cache(f"{seeded_ds.root}@later")  # a miss is forgotten, so a later branch is seen


def test_big_tree_is_listed_in_parallel_and_completely(fs: HfFileSystem, new_dataset, recorder: Recorder) -> None:
    files = {f"part{d}/f{i:04d}.txt": b"x" for d in range(4) for i in range(900)}
    files.update({f"small/{i}.txt": b"y" for i in range(30)}, top=b"z")
    root = new_dataset(files)
    recorder.clear()
    found = fs.find(root)
    assert found == sorted(f"{root}/{p}" for p in [*files, ".gitattributes"])
    tree_calls = [str(r.url) for r in recorder.matching("GET", "/tree/")]
    # split after two pages: folders listed on their own (one page each) instead of 4 pages in a row
    assert any("part2" in url and "recursive=true" in url for url in tree_calls)
    assert len(tree_calls) <= 9
    recorder.clear()
    assert len(fs.find(f"{root}/part3")) == 900 and recorder.requests == []  # filled from the split listing
    sequential = HfFileSystem(endpoint=fs.endpoint, token=ALICE, max_workers=1, skip_instance_cache=True)
    assert sequential.find(root) == found


def test_instances_are_cached_per_endpoint_token_and_thread(hub, monkeypatch: pytest.MonkeyPatch) -> None:
    a = HfFileSystem(endpoint=hub.url, token=ALICE)
    assert HfFileSystem(endpoint=hub.url, token=ALICE) is a
    assert HfFileSystem(endpoint=hub.url, token=BOB) is not a
    assert HfFileSystem(endpoint=hub.url + "/", token=ALICE) is not a
    assert HfFileSystem(endpoint="http://127.0.0.1:1", token=ALICE) is not a
    other_thread: list[HfFileSystem] = []
    t = threading.Thread(target=lambda: other_thread.append(HfFileSystem(endpoint=hub.url, token=ALICE)))
    t.start()
    t.join()
    assert other_thread[0] is not a
    # without arguments, the configured endpoint and token are part of the key
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.setenv("HF_TOKEN", ALICE)
    default = HfFileSystem()
    assert HfFileSystem() is default and default.endpoint == hub.url
    monkeypatch.setenv("HF_TOKEN", BOB)
    assert HfFileSystem() is not default
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:1")
    moved = HfFileSystem()
    assert moved is not default and moved.endpoint == "http://127.0.0.1:1"


def test_url(fs: HfFileSystem, seeded_ds: SeededDataset) -> None:
    base = f"{fs.endpoint}/datasets/{seeded_ds.repo_id}"
    assert fs.url(f"{seeded_ds.root}/data/train.csv") == f"{base}/resolve/main/data/train.csv"
    assert fs.url(f"{seeded_ds.root}/data") == f"{base}/tree/main/data"
    assert fs.url(f"{seeded_ds.root}@feature%2Fx/branch.txt") == f"{base}/resolve/feature%2Fx/branch.txt"


def test_pickled_filesystem_keeps_its_hub(fs: HfFileSystem, seeded_ds: SeededDataset) -> None:
    import pickle

    clone = pickle.loads(pickle.dumps(fs))
    assert (clone.endpoint, clone.token) == (fs.endpoint, ALICE)
    assert clone.cat(f"{seeded_ds.root}/README.md") == b"# seed\n"
