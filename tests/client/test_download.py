"""hf_hub_download against a real ``hubkit serve``: layout, revisions, errors, offline, local_dir."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hubkit import (
    _CACHED_NO_EXIST,
    DryRunFileInfo,
    get_hf_file_metadata,
    hf_hub_download,
    hf_hub_url,
    try_to_load_from_cache,
)
from hubkit.errors import (
    EntryNotFoundError,
    HFValidationError,
    LocalEntryNotFoundError,
    RemoteEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

from .conftest import SeededRepo


def repo_dir(cache: Path, seeded: SeededRepo) -> Path:
    return cache / ("models--" + seeded.repo_id.replace("/", "--"))


def test_regular_file_layout(seeded: SeededRepo, kw: dict, cache: Path) -> None:
    path = hf_hub_download(seeded.repo_id, "config.json", **kw)
    root = repo_dir(cache, seeded)
    etag = seeded.etag("config.json")
    assert path == str(root / "snapshots" / seeded.main_commit / "config.json")
    assert Path(path).read_bytes() == seeded.files["config.json"]
    assert os.readlink(path) == f"../../blobs/{etag}"  # relative, so the cache can move
    assert (root / "blobs" / etag).read_bytes() == seeded.files["config.json"]
    assert (root / "refs" / "main").read_bytes() == seeded.main_commit.encode()  # no newline
    assert (cache / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55\n")
    assert (cache / ".locks" / root.name / f"{etag}.lock").exists()
    assert not list((root / "blobs").glob("*.incomplete"))


def test_nested_and_lfs_files(seeded: SeededRepo, kw: dict, cache: Path) -> None:
    nested = hf_hub_download(seeded.repo_id, "nested/deeper/notes.txt", **kw)
    assert os.readlink(nested) == f"../../../../blobs/{seeded.etag('nested/deeper/notes.txt')}"
    big = hf_hub_download(seeded.repo_id, "model.bin", subfolder="weights", **kw)
    assert Path(big).read_bytes() == seeded.files["weights/model.bin"]
    assert Path(big).resolve().name == seeded.etag("weights/model.bin")  # LFS blobs are named by sha256
    odd = hf_hub_download(seeded.repo_id, "with space & sign.txt", **kw)
    assert Path(odd).read_bytes() == b"odd name\n"


def test_revisions(seeded: SeededRepo, kw: dict, cache: Path) -> None:
    root = repo_dir(cache, seeded)
    old = hf_hub_download(seeded.repo_id, "config.json", revision="v1", **kw)
    assert Path(old).read_bytes() == seeded.old_files["config.json"]
    assert (root / "refs" / "v1").read_text() == seeded.first_commit
    dev = hf_hub_download(seeded.repo_id, "dev-only.txt", revision="dev", **kw)
    assert Path(dev).read_bytes() == b"dev\n"
    by_sha = hf_hub_download(seeded.repo_id, "config.json", revision=seeded.first_commit, **kw)
    assert by_sha == old
    assert not (root / "refs" / seeded.first_commit).exists()  # a commit is its own ref
    pr = hf_hub_download(seeded.repo_id, "pr.txt", revision=seeded.pr_revision, **kw)
    assert Path(pr).read_bytes() == b"from a pr\n"
    assert (root / "refs" / "refs" / "pr" / seeded.pr_revision.rsplit("/", 1)[1]).read_text() == seeded.pr_commit


def test_commit_revision_cached_needs_no_network(seeded: SeededRepo, kw: dict, monkeypatch) -> None:
    first = hf_hub_download(seeded.repo_id, "config.json", revision=seeded.main_commit, **kw)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert hf_hub_download(seeded.repo_id, "config.json", revision=seeded.main_commit, **kw) == first


def test_offline_uses_refs(seeded: SeededRepo, kw: dict, monkeypatch) -> None:
    online = hf_hub_download(seeded.repo_id, "config.json", **kw)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert hf_hub_download(seeded.repo_id, "config.json", **kw) == online
    with pytest.raises(LocalEntryNotFoundError):
        hf_hub_download(seeded.repo_id, "README.md", **kw)
    monkeypatch.delenv("HF_HUB_OFFLINE")
    assert hf_hub_download(seeded.repo_id, "config.json", local_files_only=True, **kw) == online
    with pytest.raises(LocalEntryNotFoundError):
        hf_hub_download(seeded.repo_id, "README.md", local_files_only=True, **kw)
    with pytest.raises(ValueError):
        hf_hub_download(seeded.repo_id, "config.json", local_files_only=True, force_download=True, **kw)


def test_unreachable_hub_falls_back_to_cache(seeded: SeededRepo, kw: dict) -> None:
    online = hf_hub_download(seeded.repo_id, "config.json", **kw)
    dead = {**kw, "endpoint": "http://127.0.0.1:9"}  # nothing listens on the discard port
    assert hf_hub_download(seeded.repo_id, "config.json", **dead) == online
    with pytest.raises(LocalEntryNotFoundError):
        hf_hub_download(seeded.repo_id, "README.md", etag_timeout=2, **dead)


def test_missing_file_is_cached_as_missing(seeded: SeededRepo, kw: dict, cache: Path) -> None:
    with pytest.raises(RemoteEntryNotFoundError) as info:
        hf_hub_download(seeded.repo_id, "nope/missing.txt", **kw)
    assert isinstance(info.value, EntryNotFoundError)
    assert info.value.repo_id == seeded.repo_id and info.value.response.status_code == 404
    marker = repo_dir(cache, seeded) / ".no_exist" / seeded.main_commit / "nope" / "missing.txt"
    assert marker.is_file() and marker.stat().st_size == 0
    found = try_to_load_from_cache(seeded.repo_id, "nope/missing.txt", cache_dir=cache)
    assert found is _CACHED_NO_EXIST
    assert try_to_load_from_cache(seeded.repo_id, "config.json", cache_dir=cache) is None
    path = hf_hub_download(seeded.repo_id, "config.json", **kw)
    assert try_to_load_from_cache(seeded.repo_id, "config.json", cache_dir=cache) == path
    assert try_to_load_from_cache(seeded.repo_id, "config.json", cache_dir=cache, revision="dev") is None


def test_errors(seeded: SeededRepo, kw: dict, private_repo: str, hub) -> None:
    with pytest.raises(RevisionNotFoundError):
        hf_hub_download(seeded.repo_id, "config.json", revision="no-such-branch", **kw)
    with pytest.raises(RepositoryNotFoundError):
        hf_hub_download("alice/does-not-exist", "config.json", **kw)
    anonymous = {**kw, "token": False}
    with pytest.raises(RepositoryNotFoundError):
        hf_hub_download(private_repo, "secret.txt", **anonymous)
    assert Path(hf_hub_download(private_repo, "secret.txt", **kw)).read_bytes() == b"s3cret\n"
    with pytest.raises(HFValidationError):
        hf_hub_download("a/b/c", "x", **kw)
    with pytest.raises(ValueError):
        hf_hub_download(seeded.repo_id, "x", repo_type="bucket", **kw)
    with pytest.raises(ValueError):
        hf_hub_download(seeded.repo_id, "../escape.txt", **kw)


def test_token_from_environment(private_repo: str, hub, tokens, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("HF_TOKEN", tokens["alice"])
    path = hf_hub_download(private_repo, "secret.txt", endpoint=hub.url, cache_dir=tmp_path / "a")
    assert Path(path).read_bytes() == b"s3cret\n"
    with pytest.raises(RepositoryNotFoundError):
        hf_hub_download(private_repo, "secret.txt", endpoint=hub.url, cache_dir=tmp_path / "b", token=False)
    with pytest.raises(ValueError, match="Force download failed"):  # as huggingface_hub: no cache fallback
        hf_hub_download(
            private_repo, "secret.txt", endpoint=hub.url, cache_dir=tmp_path / "a", token=False, force_download=True
        )


def test_token_file_and_endpoint_from_environment(private_repo: str, hub, tokens, tmp_path: Path, monkeypatch) -> None:
    home = Path(os.environ["HF_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    (home / "token").write_text(tokens["alice"] + "\n")
    monkeypatch.setenv("HF_ENDPOINT", hub.url + "/")
    path = hf_hub_download(private_repo, "secret.txt")  # endpoint, token and cache from the environment
    assert path.startswith(str(home / "hub"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "elsewhere"))
    assert hf_hub_download(private_repo, "secret.txt").startswith(str(tmp_path / "elsewhere"))


def test_force_download_replaces_blob(seeded: SeededRepo, kw: dict, cache: Path) -> None:
    path = Path(hf_hub_download(seeded.repo_id, "config.json", **kw))
    blob = path.resolve()
    inode = blob.stat().st_ino
    again = Path(hf_hub_download(seeded.repo_id, "config.json", force_download=True, **kw))
    assert again == path and again.read_bytes() == seeded.files["config.json"]
    assert again.resolve().stat().st_ino != inode


def test_dry_run(seeded: SeededRepo, kw: dict, cache: Path) -> None:
    info = hf_hub_download(seeded.repo_id, "weights/model.bin", dry_run=True, **kw)
    assert isinstance(info, DryRunFileInfo)
    assert info.commit_hash == seeded.main_commit and info.file_size == len(seeded.files["weights/model.bin"])
    assert not info.is_cached and info.will_download
    assert not repo_dir(cache, seeded).joinpath("snapshots").exists()
    hf_hub_download(seeded.repo_id, "weights/model.bin", **kw)
    info = hf_hub_download(seeded.repo_id, "weights/model.bin", dry_run=True, **kw)
    assert info.is_cached and not info.will_download and info.local_path.endswith("weights/model.bin")


def test_metadata_and_url(seeded: SeededRepo, hub, tokens) -> None:
    url = hf_hub_url(seeded.repo_id, "weights/model.bin", endpoint=hub.url)
    assert url == f"{hub.url}/{seeded.repo_id}/resolve/main/weights/model.bin"
    assert hf_hub_url("a/b", "c.txt", repo_type="dataset", revision="refs/pr/1", endpoint="http://h").endswith(
        "/datasets/a/b/resolve/refs%2Fpr%2F1/c.txt"
    )
    meta = get_hf_file_metadata(url, token=tokens["alice"])
    assert meta.commit_hash == seeded.main_commit
    assert meta.etag == seeded.etag("weights/model.bin")
    assert meta.size == len(seeded.files["weights/model.bin"]) and meta.location == url


def test_headers_and_tqdm_class(seeded: SeededRepo, kw: dict) -> None:
    seen: list[int] = []

    class Bar:
        def __init__(self, **kwargs: object) -> None:
            seen.append(int(kwargs["total"]))  # type: ignore[call-overload]

        def update(self, n: int) -> None:
            seen.append(n)

        def close(self) -> None:
            pass

    hf_hub_download(seeded.repo_id, "weights/model.bin", tqdm_class=Bar, headers={"x-test": "1"}, **kw)
    size = len(seeded.files["weights/model.bin"])
    assert seen[0] == size and sum(seen[1:]) == size


def test_dataset_repo(hub, alice_api, tokens, unique: str, cache: Path) -> None:
    from huggingface_hub import CommitOperationAdd

    repo_id = f"alice/ds-{unique}"
    alice_api.create_repo(repo_id, repo_type="dataset")
    alice_api.create_commit(
        repo_id, repo_type="dataset", operations=[CommitOperationAdd("data.csv", b"a,b\n1,2\n")], commit_message="d"
    )
    path = hf_hub_download(
        repo_id, "data.csv", repo_type="dataset", endpoint=hub.url, token=tokens["alice"], cache_dir=cache
    )
    assert f"datasets--alice--ds-{unique}" in path and Path(path).read_bytes() == b"a,b\n1,2\n"


def test_without_symlinks(seeded: SeededRepo, kw: dict, cache: Path, monkeypatch) -> None:
    monkeypatch.setenv("HF_HUB_DISABLE_SYMLINKS", "1")
    path = Path(hf_hub_download(seeded.repo_id, "weights/model.bin", **kw))
    assert not path.is_symlink() and path.read_bytes() == seeded.files["weights/model.bin"]
    other = Path(hf_hub_download(seeded.repo_id, "config.json", revision="v1", **kw))
    assert not other.is_symlink() and other.read_bytes() == seeded.old_files["config.json"]
    assert try_to_load_from_cache(seeded.repo_id, "weights/model.bin", cache_dir=cache) == str(path)


def test_local_dir(seeded: SeededRepo, kw: dict, tmp_path: Path, cache: Path) -> None:
    local = tmp_path / "local"
    path = hf_hub_download(seeded.repo_id, "nested/deeper/notes.txt", local_dir=local, **kw)
    assert path == str(local / "nested" / "deeper" / "notes.txt") and not Path(path).is_symlink()
    meta = local / ".cache" / "huggingface" / "download" / "nested" / "deeper" / "notes.txt.metadata"
    commit, etag, stamp, rest = meta.read_text().split("\n")
    assert (commit, etag, rest) == (seeded.main_commit, seeded.etag("nested/deeper/notes.txt"), "")
    float(stamp)
    assert (local / ".cache" / "huggingface" / ".gitignore").read_text() == "*"
    assert (local / ".cache" / "huggingface" / "CACHEDIR.TAG").exists()
    assert not repo_dir(cache, seeded).joinpath("snapshots").exists()  # the cache is not used

    # an LFS file already present without metadata is recognised by its sha256
    target = local / "weights" / "model.bin"
    target.parent.mkdir(parents=True)
    target.write_bytes(seeded.files["weights/model.bin"])
    assert hf_hub_download(seeded.repo_id, "weights/model.bin", local_dir=local, **kw) == str(target)
    # a locally modified file is replaced
    Path(path).write_bytes(b"changed")
    os.utime(path, (1e10, 1e10))
    assert (
        Path(hf_hub_download(seeded.repo_id, "nested/deeper/notes.txt", local_dir=local, **kw)).read_bytes()
        == (seeded.files["nested/deeper/notes.txt"])
    )


def test_local_dir_offline_keeps_existing_file(seeded: SeededRepo, kw: dict, tmp_path: Path, monkeypatch) -> None:
    local = tmp_path / "local"
    path = hf_hub_download(seeded.repo_id, "config.json", local_dir=local, **kw)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert hf_hub_download(seeded.repo_id, "config.json", local_dir=local, **kw) == path
    with pytest.raises(LocalEntryNotFoundError):
        hf_hub_download(seeded.repo_id, "README.md", local_dir=local, **kw)


def test_legacy_arguments_are_ignored_with_a_warning(seeded: SeededRepo, kw: dict) -> None:
    with pytest.warns(FutureWarning, match="resume_download"):
        path = hf_hub_download(seeded.repo_id, "config.json", resume_download=True, **kw)  # type: ignore[call-overload]
    assert Path(path).exists()


def test_filesystem_without_symlinks(seeded: SeededRepo, kw: dict, cache: Path, monkeypatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("symlinks are not supported here")

    monkeypatch.setattr(os, "symlink", refuse)
    with pytest.warns(UserWarning, match="Symlinks are not supported"):
        path = Path(hf_hub_download(seeded.repo_id, "config.json", **kw))
    assert not path.is_symlink() and path.read_bytes() == seeded.files["config.json"]
    monkeypatch.setenv("HF_HUB_DISABLE_SYMLINKS_WARNING", "1")
    again = Path(hf_hub_download(seeded.repo_id, "config.json", revision="dev", **kw))
    assert not again.is_symlink() and again.read_bytes() == seeded.files["config.json"]
