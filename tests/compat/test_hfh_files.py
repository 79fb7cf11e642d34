"""Uploads, commits, downloads and browsing with the real huggingface_hub on hubkit serve."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from huggingface_hub import (
    CommitOperationAdd,
    CommitOperationCopy,
    CommitOperationDelete,
    HfApi,
    hf_hub_download,
    snapshot_download,
)
from huggingface_hub.errors import EntryNotFoundError, HfHubHTTPError, RevisionNotFoundError

BIG = 11 * 1000 * 1000  # above the 10 MB regular-file limit: goes through LFS


@pytest.fixture
def repo(alice: HfApi, unique: str) -> str:
    repo_id = f"alice/f-{unique}"
    alice.create_repo(repo_id)
    return repo_id


def _folder(tmp_path: Path) -> tuple[Path, bytes]:
    folder = tmp_path / "folder"
    (folder / "weights").mkdir(parents=True)
    (folder / "config.json").write_text('{"a": 1}')
    (folder / "notes.txt").write_text("hello\n")
    (folder / "old" / "stale.txt").parent.mkdir()
    (folder / "old" / "stale.txt").write_text("stale")
    big = os.urandom(BIG)
    (folder / "weights" / "model.safetensors").write_bytes(big)
    (folder / "tiny.bin").write_bytes(b"\x00\x01")  # LFS by .gitattributes, 2 bytes
    return folder, big


def test_upload_folder_lfs_and_download(hub, alice: HfApi, repo: str, tmp_path: Path) -> None:
    folder, big = _folder(tmp_path)
    info = alice.upload_folder(folder_path=folder, repo_id=repo, commit_message="add folder")
    assert len(info.oid) == 40 and info.commit_url.endswith(info.oid)
    entries = {e.path: e for e in alice.list_repo_tree(repo, recursive=True)}
    sha = hashlib.sha256(big).hexdigest()
    model = entries["weights/model.safetensors"]
    assert model.lfs is not None and model.lfs.sha256 == sha and model.size == BIG
    assert entries["tiny.bin"].lfs is not None and entries["tiny.bin"].size == 2
    assert entries["config.json"].lfs is None and entries["config.json"].size == 8
    assert "weights" in entries and "old" in entries  # folders are listed when recursive

    cache = tmp_path / "cache"
    path = hf_hub_download(repo, "weights/model.safetensors", endpoint=hub.url, token=alice.token, cache_dir=cache)
    assert hashlib.sha256(Path(path).read_bytes()).hexdigest() == sha
    # the blob is named after the sha256 (the cache keys on the etag); with Xet, 2.4.0 makes
    # that blob a link into its shared store, so look at the snapshot link itself
    assert Path(os.readlink(path)).name == sha
    small = hf_hub_download(repo, "config.json", endpoint=hub.url, token=alice.token, cache_dir=cache)
    assert Path(os.readlink(small)).name == entries["config.json"].blob_id

    local = tmp_path / "local"
    p = hf_hub_download(repo, "tiny.bin", endpoint=hub.url, token=alice.token, local_dir=local)
    assert Path(p) == local / "tiny.bin" and Path(p).read_bytes() == b"\x00\x01"


def test_upload_folder_delete_patterns(alice: HfApi, repo: str, tmp_path: Path) -> None:
    folder, _ = _folder(tmp_path)
    alice.upload_folder(folder_path=folder, repo_id=repo)
    (folder / "old" / "stale.txt").unlink()
    (folder / "weights" / "model.safetensors").unlink()
    alice.upload_folder(folder_path=folder, repo_id=repo, delete_patterns=["old/*", "*.safetensors"])
    files = set(alice.list_repo_files(repo))
    assert files == {".gitattributes", "config.json", "notes.txt", "tiny.bin"}


def test_snapshot_download_patterns(hub, alice: HfApi, repo: str, tmp_path: Path) -> None:
    folder, _ = _folder(tmp_path)
    alice.upload_folder(folder_path=folder, repo_id=repo)
    d = snapshot_download(
        repo, endpoint=hub.url, token=alice.token, cache_dir=tmp_path / "c", allow_patterns=["*.txt", "*.json"]
    )
    got = sorted(str(p.relative_to(d)) for p in Path(d).rglob("*") if p.is_file() or p.is_symlink())
    assert got == ["config.json", "notes.txt", "old/stale.txt"]
    d2 = snapshot_download(
        repo, endpoint=hub.url, token=alice.token, local_dir=tmp_path / "ld", ignore_patterns=["weights/*"]
    )
    assert (Path(d2) / "tiny.bin").read_bytes() == b"\x00\x01"
    assert not (Path(d2) / "weights").exists()


def test_create_commit_every_operation(alice: HfApi, repo: str) -> None:
    payload = os.urandom(BIG)
    alice.create_commit(
        repo,
        operations=[
            CommitOperationAdd("a/one.txt", b"one"),
            CommitOperationAdd("a/two.txt", b"two"),
            CommitOperationAdd("big.bin", payload),
            CommitOperationAdd("empty.txt", b""),
        ],
        commit_message="first",
        commit_description="with a description",
    )
    alice.create_commit(
        repo,
        operations=[
            CommitOperationCopy("big.bin", "copies/big.bin"),
            CommitOperationCopy("a/one.txt", "copies/one.txt"),
            CommitOperationDelete("a/two.txt"),
            CommitOperationDelete("empty.txt"),
        ],
        commit_message="second",
    )
    files = set(alice.list_repo_files(repo))
    assert files == {".gitattributes", "a/one.txt", "big.bin", "copies/big.bin", "copies/one.txt"}
    infos = {i.path: i for i in alice.get_paths_info(repo, ["big.bin", "copies/big.bin", "copies/one.txt"])}
    assert infos["copies/big.bin"].lfs.sha256 == hashlib.sha256(payload).hexdigest()
    assert infos["copies/big.bin"].blob_id == infos["big.bin"].blob_id
    alice.create_commit(repo, operations=[CommitOperationDelete("copies/")], commit_message="folder delete")
    assert set(alice.list_repo_files(repo)) == {".gitattributes", "a/one.txt", "big.bin"}
    commits = alice.list_repo_commits(repo)
    assert [c.title for c in commits][:3] == ["folder delete", "second", "first"]
    assert commits[2].message == "with a description"


def test_delete_missing_file_is_entry_not_found(alice: HfApi, repo: str) -> None:
    with pytest.raises(EntryNotFoundError):
        alice.delete_file("nope.txt", repo_id=repo)


def test_parent_commit_conflict(alice: HfApi, repo: str) -> None:
    first = alice.upload_file(path_or_fileobj=b"1", path_in_repo="f.txt", repo_id=repo)
    alice.upload_file(path_or_fileobj=b"2", path_in_repo="f.txt", repo_id=repo)
    with pytest.raises(HfHubHTTPError) as err:
        alice.create_commit(
            repo, operations=[CommitOperationAdd("g.txt", b"g")], commit_message="x", parent_commit=first.oid
        )
    assert err.value.response.status_code == 412
    head = alice.repo_info(repo).sha
    ok = alice.create_commit(
        repo, operations=[CommitOperationAdd("g.txt", b"g")], commit_message="x", parent_commit=head[:7]
    )
    assert alice.repo_info(repo).sha == ok.oid


def test_branches_tags_refs_and_revisions(hub, alice: HfApi, repo: str, tmp_path: Path) -> None:
    alice.upload_file(path_or_fileobj=b"main", path_in_repo="f.txt", repo_id=repo)
    alice.create_branch(repo, branch="dev")
    alice.create_branch(repo, branch="dev", exist_ok=True)
    with pytest.raises(HfHubHTTPError):
        alice.create_branch(repo, branch="dev")
    alice.upload_file(path_or_fileobj=b"dev only", path_in_repo="dev.txt", repo_id=repo, revision="dev")
    alice.create_branch(repo, branch="feature/x", revision="dev")
    alice.create_tag(repo, tag="v1", revision="dev", tag_message="first")
    with pytest.raises(HfHubHTTPError):
        alice.create_tag(repo, tag="v1")
    refs = alice.list_repo_refs(repo)
    assert {b.name for b in refs.branches} == {"main", "dev", "feature/x"}
    assert [t.name for t in refs.tags] == ["v1"]
    dev = next(b for b in refs.branches if b.name == "dev")
    assert next(t for t in refs.tags).target_commit == dev.target_commit

    cache = tmp_path / "cache"
    for rev in ("dev", "feature/x", "v1", dev.target_commit, dev.target_commit[:8]):
        p = hf_hub_download(repo, "dev.txt", revision=rev, endpoint=hub.url, token=alice.token, cache_dir=cache)
        assert Path(p).read_bytes() == b"dev only"
    with pytest.raises(EntryNotFoundError):
        hf_hub_download(repo, "dev.txt", endpoint=hub.url, token=alice.token, cache_dir=cache)
    with pytest.raises(RevisionNotFoundError):
        hf_hub_download(repo, "f.txt", revision="nope", endpoint=hub.url, token=alice.token, cache_dir=cache)
    assert alice.revision_exists(repo, "feature/x") and not alice.revision_exists(repo, "nope")
    assert alice.file_exists(repo, "dev.txt", revision="v1") and not alice.file_exists(repo, "dev.txt")

    alice.delete_tag(repo, tag="v1")
    alice.delete_branch(repo, branch="feature/x")
    with pytest.raises(HfHubHTTPError):
        alice.delete_branch(repo, branch="main")
    with pytest.raises(RevisionNotFoundError):
        alice.delete_tag(repo, tag="v1")
    refs = alice.list_repo_refs(repo)
    assert {b.name for b in refs.branches} == {"main", "dev"} and refs.tags == []


def test_tree_listing_folders_and_files_metadata(alice: HfApi, repo: str) -> None:
    alice.create_commit(
        repo,
        operations=[CommitOperationAdd(f"d/sub/f{i}.txt", str(i).encode()) for i in range(3)]
        + [CommitOperationAdd("d/top.txt", b"top")],
        commit_message="tree",
    )
    top = {e.path for e in alice.list_repo_tree(repo)}
    assert top == {".gitattributes", "d"}
    sub = {e.path for e in alice.list_repo_tree(repo, path_in_repo="d/sub")}
    assert sub == {"d/sub/f0.txt", "d/sub/f1.txt", "d/sub/f2.txt"}
    expanded = list(alice.list_repo_tree(repo, path_in_repo="d", expand=True))
    assert all(e.last_commit is not None and e.last_commit.title == "tree" for e in expanded)
    with pytest.raises(EntryNotFoundError):
        list(alice.list_repo_tree(repo, path_in_repo="missing"))
    info = alice.model_info(repo, files_metadata=True)
    sizes = {s.rfilename: s.size for s in info.siblings}
    assert sizes["d/top.txt"] == 3
    paths = alice.get_paths_info(repo, ["d/top.txt", "missing.txt", "d"])
    assert [p.path for p in paths] == ["d/top.txt", "d"]


def test_readme_card_data_and_validation(alice: HfApi, repo: str) -> None:
    alice.upload_file(
        path_or_fileobj=b"---\nlicense: mit\ntags: [demo]\nlibrary_name: transformers\n---\n# Hi\n",
        path_in_repo="README.md",
        repo_id=repo,
    )
    info = alice.model_info(repo)
    assert info.card_data is not None and info.card_data["license"] == "mit"
    assert "demo" in info.tags and "license:mit" in info.tags and info.library_name == "transformers"
    with pytest.raises(ValueError, match="Invalid metadata"):
        alice.upload_file(path_or_fileobj=b"---\nfoo: [unclosed\n---\n", path_in_repo="README.md", repo_id=repo)


def test_read_token_and_other_users_cannot_write(hub, tokens, repo: str) -> None:
    for token in (tokens["alice_read"], tokens["bob"]):
        api = HfApi(endpoint=hub.url, token=token)
        with pytest.raises(HfHubHTTPError) as err:
            api.upload_file(path_or_fileobj=b"x", path_in_repo="evil.txt", repo_id=repo)
        assert err.value.response.status_code == 403
    assert "evil.txt" not in HfApi(endpoint=hub.url, token=tokens["alice"]).list_repo_files(repo)
