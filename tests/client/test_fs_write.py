"""Writing through HfFileSystem against a real ``hubkit serve``: every change is a commit."""

# ruff: noqa: F811

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from huggingface_hub import HfApi

from hubkit.fs import HfFileSystem
from hubserver import ALICE_READ, BOB

from .conftest_commit import Recorder, recorder  # noqa: F401
from .test_fs_fixtures import fs, hfh_alice, new_dataset  # noqa: F401


def commits(hfh: HfApi, root: str, revision: str | None = None) -> list[str]:
    """Titles of the commits of a repo (newest first)."""
    history = hfh.list_repo_commits(root.removeprefix("datasets/"), repo_type="dataset", revision=revision)
    return [c.title for c in history]


def test_open_wb_commits_on_close(fs: HfFileSystem, new_dataset, hfh_alice: HfApi) -> None:
    root = new_dataset()
    with fs.open(f"{root}/dir/hello.txt", "wb") as f:
        f.write(b"hello ")
        f.write(b"world")
        assert not fs.exists(f"{root}/dir/hello.txt", refresh=True)  # nothing before close
    assert fs.cat(f"{root}/dir/hello.txt") == b"hello world"
    assert commits(hfh_alice, root)[0] == "Upload dir/hello.txt with hubkit"
    with fs.open(f"{root}/notes.txt", "w", commit_message="Add notes", commit_description="why") as text:
        text.write("héllo\n")
    assert fs.cat(f"{root}/notes.txt") == "héllo\n".encode()
    assert commits(hfh_alice, root)[0] == "Add notes"
    # a big file, written in many blocks, goes through LFS
    data = os.urandom(12 * 1024 * 1024 + 5)
    with fs.open(f"{root}/big.bin", "wb", block_size=5 * 1024 * 1024) as f:
        for i in range(0, len(data), 1_000_000):
            f.write(data[i : i + 1_000_000])
    info = fs.info(f"{root}/big.bin")
    assert info["size"] == len(data) and info["lfs"]["sha256"] == hashlib.sha256(data).hexdigest()
    with fs.open(f"{root}/empty.txt", "wb"):
        pass
    assert fs.info(f"{root}/empty.txt")["size"] == 0


def test_an_exception_inside_with_commits_nothing(fs: HfFileSystem, new_dataset, hfh_alice: HfApi) -> None:
    root = new_dataset()
    before = commits(hfh_alice, root)
    with pytest.raises(RuntimeError), fs.open(f"{root}/half.txt", "wb") as f:
        f.write(b"half of it")
        raise RuntimeError("interrupted")
    assert commits(hfh_alice, root) == before and not fs.exists(f"{root}/half.txt")


def test_exclusive_create_and_append(fs: HfFileSystem, new_dataset) -> None:
    root = new_dataset({"there.txt": b"x"})
    with pytest.raises(FileExistsError):
        fs.open(f"{root}/there.txt", "xb")
    with fs.open(f"{root}/new.txt", "xb") as f:
        f.write(b"new")
    assert fs.cat(f"{root}/new.txt") == b"new"
    with pytest.raises(NotImplementedError):
        fs.open(f"{root}/there.txt", "ab")
    with pytest.raises(FileExistsError):
        fs.pipe_file(f"{root}/there.txt", b"y", mode="create")


def test_pipe_and_put_make_one_commit_per_repo(fs: HfFileSystem, new_dataset, hfh_alice: HfApi, tmp_path: Path) -> None:
    root = new_dataset()
    fs.pipe(f"{root}/one.txt", b"1")
    fs.pipe({f"{root}/a/x.txt": b"x", f"{root}/a/y.txt": b"y", f"{root}/b.txt": b"b"})
    assert commits(hfh_alice, root)[:2] == ["Upload 3 files with hubkit", "Upload one.txt with hubkit"]
    assert fs.cat(f"{root}/a/y.txt") == b"y"
    local = tmp_path / "folder"
    (local / "sub").mkdir(parents=True)
    (local / "top.txt").write_bytes(b"top")
    (local / "sub" / "inner.bin").write_bytes(os.urandom(2 * 1024 * 1024))
    fs.put(str(local), f"{root}/uploaded", recursive=True, commit_message="Upload a folder")
    assert commits(hfh_alice, root)[0] == "Upload a folder"
    assert sorted(fs.find(f"{root}/uploaded")) == [f"{root}/uploaded/sub/inner.bin", f"{root}/uploaded/top.txt"]
    assert fs.cat(f"{root}/uploaded/sub/inner.bin") == (local / "sub" / "inner.bin").read_bytes()
    fs.put(str(local / "top.txt"), f"{root}/single.txt")
    assert fs.cat(f"{root}/single.txt") == b"top"
    fs.touch(f"{root}/touched")
    assert fs.info(f"{root}/touched")["size"] == 0


def test_rm(fs: HfFileSystem, new_dataset, hfh_alice: HfApi) -> None:
    files = {f"d/{i}.txt": b"x" for i in range(5)} | {"d/sub/deep.txt": b"y", "keep.txt": b"k", "e/1.txt": b"1"}
    root = new_dataset(files)
    fs.rm(f"{root}/keep.txt")
    assert not fs.exists(f"{root}/keep.txt")
    with pytest.raises(IsADirectoryError):
        fs.rm(f"{root}/d")
    with pytest.raises(FileNotFoundError):
        fs.rm(f"{root}/nothing-here")
    fs.rm(f"{root}/d", recursive=True)
    assert commits(hfh_alice, root)[0] == "Delete d with hubkit"  # one folder deletion, one commit
    assert not fs.exists(f"{root}/d") and fs.exists(f"{root}/e/1.txt")
    fs.rm([f"{root}/e/1.txt", f"{root}/.gitattributes"])
    assert fs.find(root) == []
    assert commits(hfh_alice, root)[0] == "Delete 2 files with hubkit"


def test_rm_glob_and_maxdepth(fs: HfFileSystem, new_dataset) -> None:
    root = new_dataset({"a.csv": b"1", "b.csv": b"2", "c.txt": b"3", "d/e.csv": b"4", "d/f/g.csv": b"5"})
    fs.rm(f"{root}/*.csv")
    assert fs.find(root) == [f"{root}/.gitattributes", f"{root}/c.txt", f"{root}/d/e.csv", f"{root}/d/f/g.csv"]
    fs.rm(f"{root}/d", recursive=True, maxdepth=1)
    assert fs.find(root) == [f"{root}/.gitattributes", f"{root}/c.txt", f"{root}/d/f/g.csv"]


def test_cp_inside_a_repo_moves_no_bytes(fs: HfFileSystem, new_dataset, recorder: Recorder) -> None:
    big = os.urandom(3 * 1024 * 1024)
    root = new_dataset({"w/big.bin": big, "w/small.txt": b"small"})
    recorder.clear()
    fs.cp(f"{root}/w/big.bin", f"{root}/copy/big.bin")
    assert recorder.matching("POST", "/commit/")
    assert not recorder.matching("PUT", "") and not recorder.matching("GET", "/resolve/")  # server-side copy
    assert not recorder.matching("POST", "/preupload/")
    assert fs.info(f"{root}/copy/big.bin")["lfs"]["sha256"] == hashlib.sha256(big).hexdigest()
    assert fs.cat(f"{root}/copy/big.bin") == big
    fs.cp(f"{root}/w", f"{root}/w2", recursive=True)
    assert sorted(fs.ls(f"{root}/w2", detail=False)) == [f"{root}/w2/big.bin", f"{root}/w2/small.txt"]
    fs.cp(f"{root}/w/small.txt", f"{root}/copy/")  # into an existing folder
    assert fs.cat(f"{root}/copy/small.txt") == b"small"
    with pytest.raises(FileNotFoundError):
        fs.cp(f"{root}/w/missing.txt", f"{root}/x.txt")


def test_cp_between_repos_and_revisions(fs: HfFileSystem, new_dataset, hfh_alice: HfApi) -> None:
    src = new_dataset({"f.bin": os.urandom(2 * 1024 * 1024), "g.txt": b"g"})
    dst = new_dataset()
    fs.cp(f"{src}/f.bin", f"{dst}/copied.bin")
    assert fs.cat(f"{dst}/copied.bin") == fs.cat(f"{src}/f.bin")
    hfh_alice.create_branch(src.removeprefix("datasets/"), branch="dev", repo_type="dataset")
    fs.cp(f"{src}/g.txt", f"{src}@dev/from-main.txt")
    assert fs.cat(f"{src}@dev/from-main.txt") == b"g" and not fs.exists(f"{src}/from-main.txt")


def test_mv_is_one_commit(fs: HfFileSystem, new_dataset, hfh_alice: HfApi) -> None:
    root = new_dataset({"old/a.txt": b"a", "old/b/c.bin": os.urandom(1024 * 1024), "f.txt": b"f"})
    before = len(commits(hfh_alice, root))
    fs.mv(f"{root}/old", f"{root}/new", recursive=True)
    titles = commits(hfh_alice, root)
    assert len(titles) == before + 1 and titles[0] == f"Move {root}/old to {root}/new with hubkit"
    expected = [f"{root}/.gitattributes", f"{root}/f.txt", f"{root}/new/a.txt", f"{root}/new/b/c.bin"]
    assert fs.find(root) == sorted(expected)
    fs.mv(f"{root}/f.txt", f"{root}/g.txt")
    assert fs.cat(f"{root}/g.txt") == b"f" and not fs.exists(f"{root}/f.txt")


def test_folders_follow_git_trees(fs: HfFileSystem, new_dataset) -> None:
    root = new_dataset({"file.txt": b"x", "dir/in.txt": b"y"})
    fs.mkdir(f"{root}/empty")  # accepted, but git keeps no empty folder
    assert not fs.exists(f"{root}/empty")
    fs.makedirs(f"{root}/a/b/c", exist_ok=True)
    with pytest.raises(FileExistsError):
        fs.makedirs(f"{root}/dir")
    fs.makedirs(f"{root}/dir", exist_ok=True)
    with pytest.raises(FileExistsError):
        fs.mkdir(f"{root}/file.txt")
    with pytest.raises(FileExistsError):
        fs.makedirs(f"{root}/file.txt/sub", exist_ok=True)
    with pytest.raises(OSError, match="not empty"):
        fs.rmdir(f"{root}/dir")
    with pytest.raises(NotADirectoryError):
        fs.rmdir(f"{root}/file.txt")
    fs.rmdir(f"{root}/empty")  # nothing to remove
    with pytest.raises(FileNotFoundError, match="repository not found"):
        fs.mkdir("datasets/alice/not-a-repo-yet/dir")


def test_transaction_commits_once_or_not_at_all(fs: HfFileSystem, new_dataset, hfh_alice: HfApi) -> None:
    root = new_dataset()
    before = len(commits(hfh_alice, root))
    with fs.transaction:
        with fs.open(f"{root}/t/1.txt", "wb") as f:
            f.write(b"1")
        with fs.open(f"{root}/t/2.txt", "wb") as f:
            f.write(b"2")
        assert not fs.exists(f"{root}/t/1.txt", refresh=True)
    assert len(commits(hfh_alice, root)) == before + 1
    assert fs.cat(f"{root}/t/2.txt") == b"2"
    with pytest.raises(RuntimeError), fs.transaction:
        with fs.open(f"{root}/t/3.txt", "wb") as f:
            f.write(b"3")
        raise RuntimeError("abort")
    assert not fs.exists(f"{root}/t/3.txt", refresh=True) and len(commits(hfh_alice, root)) == before + 1


def test_write_errors(hub, new_dataset, fs: HfFileSystem, recorder: Recorder) -> None:
    root = new_dataset({"f.txt": b"f"})
    for token in (BOB, ALICE_READ):
        other = HfFileSystem(endpoint=hub.url, token=token, skip_instance_cache=True)
        recorder.clear()
        with pytest.raises(PermissionError, match="write access denied"):
            other.open(f"{root}/x.txt", "wb")  # refused before any data is written
        assert not recorder.matching("POST", "/commit/")
        with pytest.raises(PermissionError):
            other.pipe(f"{root}/x.txt", b"x")
        with pytest.raises(PermissionError):
            other.rm(f"{root}/f.txt")
    anonymous = HfFileSystem(endpoint=hub.url, token=False, skip_instance_cache=True)
    with pytest.raises(PermissionError):
        anonymous.pipe(f"{root}/x.txt", b"x")
    with pytest.raises(FileNotFoundError, match="exist before writing"):
        fs.open("datasets/alice/no-such-repo/x.txt", "wb")
    with pytest.raises(FileNotFoundError, match="revision not found"):
        fs.pipe(f"{root}@no-branch/x.txt", b"x")
    assert fs.cat(f"{root}/f.txt") == b"f"


def test_writes_refresh_this_instances_listings(fs: HfFileSystem, new_dataset) -> None:
    root = new_dataset({"a.txt": b"a"})
    assert sorted(fs.ls(root, detail=False)) == [f"{root}/.gitattributes", f"{root}/a.txt"]
    fs.pipe(f"{root}/b.txt", b"b")
    assert f"{root}/b.txt" in fs.ls(root, detail=False)
    fs.rm(f"{root}/a.txt")
    assert f"{root}/a.txt" not in fs.ls(root, detail=False)
    with fs.open(f"{root}/c.txt", "wb") as f:
        f.write(b"c")
    assert fs.isfile(f"{root}/c.txt")


def test_write_to_a_branch_and_a_pr(fs: HfFileSystem, new_dataset, hfh_alice: HfApi) -> None:
    from huggingface_hub import CommitOperationAdd

    root = new_dataset({"f.txt": b"f"})
    repo_id = root.removeprefix("datasets/")
    hfh_alice.create_branch(repo_id, branch="feat/one", repo_type="dataset")
    fs.pipe(f"{root}@feat%2Fone/branch.txt", b"b")
    assert fs.cat(f"{root}@feat%2Fone/branch.txt") == b"b" and not fs.exists(f"{root}/branch.txt")
    with fs.open(f"{root}/w.txt", "wb", revision="feat/one") as f:
        f.write(b"w")
    assert fs.cat(f"{root}@feat%2Fone/w.txt") == b"w"
    pr = hfh_alice.create_commit(
        repo_id, [CommitOperationAdd("pr.txt", b"p")], commit_message="pr", create_pr=True, repo_type="dataset"
    ).pr_revision
    fs.pipe(f"{root}@{pr}/more.txt", b"more")
    assert sorted(fs.ls(f"{root}@{pr}", detail=False))[-2:] == [f"{root}@{pr}/more.txt", f"{root}@{pr}/pr.txt"]
    assert not fs.exists(f"{root}/more.txt")
