"""create_commit, upload_file/folder and the deletions, against a real ``hubkit serve``."""

# Fixtures come from conftest_commit (imported below); test arguments shadow those imports.
# ruff: noqa: F811

from __future__ import annotations

import hashlib
import io
import os
import threading
from pathlib import Path

import pytest
from huggingface_hub import HfApi as HfhApi

import hubkit
from hubkit import CommitOperationAdd, CommitOperationCopy, CommitOperationDelete
from hubkit.errors import EntryNotFoundError, HfHubHTTPError, RemoteEntryNotFoundError, RepositoryNotFoundError

from .conftest_commit import Recorder, hfh, new_repo, recorder, tree  # noqa: F401

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def sha1_blob(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()


def test_create_commit_adds_deletes_and_copies(api: hubkit.HfApi, hfh: HfhApi, new_repo, tmp_path: Path) -> None:
    repo = new_repo()
    local = tmp_path / "weights.bin"
    local.write_bytes(os.urandom(3 * 1024 * 1024))
    info = api.create_commit(
        repo,
        [
            CommitOperationAdd("README.md", b"# hello\n"),
            CommitOperationAdd("nested/config.json", b'{"a": 1}\n'),
            CommitOperationAdd("weights.bin", local),
            CommitOperationAdd("from_fileobj.bin", io.BytesIO(b"\x00\x01\x02")),
            CommitOperationAdd("empty.txt", b""),
        ],
        commit_message="first",
        commit_description="with a body",
    )
    assert info.oid == hfh.repo_info(repo).sha and info.commit_url.endswith(f"/{repo}/commit/{info.oid}")
    assert (info.repo_url.repo_id, info.pr_url, info.commit_message) == (repo, None, "first")
    files = tree(hfh, repo)
    assert files["nested/config.json"][0] == sha1_blob(b'{"a": 1}\n')
    assert files["weights.bin"][2] == hashlib.sha256(local.read_bytes()).hexdigest()
    assert files["from_fileobj.bin"][2] == hashlib.sha256(b"\x00\x01\x02").hexdigest()
    assert files["empty.txt"] == (sha1_blob(b""), 0, None)

    second = api.create_commit(
        repo,
        [
            CommitOperationCopy("weights.bin", "copies/weights.bin"),
            CommitOperationCopy("nested/config.json", "copies/config.json"),
            CommitOperationDelete("README.md"),
            CommitOperationDelete("nested/"),
        ],
        commit_message="second",
    )
    files = tree(hfh, repo)
    assert "README.md" not in files and "nested/config.json" not in files
    assert files["copies/weights.bin"] == files["weights.bin"]
    assert files["copies/config.json"][0] == sha1_blob(b'{"a": 1}\n')
    commits = hfh.list_repo_commits(repo)
    assert [c.commit_id for c in commits[:2]] == [second.oid, info.oid]
    assert commits[1].title == "first" and commits[1].message.strip() == "with a body"


def test_unchanged_files_are_not_uploaded_again(
    api: hubkit.HfApi, hfh: HfhApi, new_repo, recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    repo = new_repo()
    ops = [CommitOperationAdd("a.txt", b"same\n"), CommitOperationAdd("b.bin", os.urandom(50_000))]
    first = api.create_commit(repo, ops, commit_message="first")
    recorder.clear()
    again = api.create_commit(repo, ops, commit_message="again")  # the same objects: not mutated, reusable
    assert again.oid == first.oid == hfh.repo_info(repo).sha
    assert recorder.uploads == [] and recorder.matching("POST", "objects/batch") == []
    assert "No files have been modified" in caplog.text
    assert len(hfh.list_repo_commits(repo)) == 2  # the initial commit and "first"
    third = api.create_commit(repo, [*ops, CommitOperationAdd("c.txt", b"new\n")], commit_message="third")
    body = recorder.matching("POST", "/commit/")[0].content.decode()
    assert '"c.txt"' in body and '"a.txt"' not in body and '"b.bin"' not in body
    assert third.oid != first.oid


@pytest.mark.parametrize(
    "make",
    [
        lambda: CommitOperationAdd("../evil.txt", b"x"),
        lambda: CommitOperationAdd(".git/config", b"x"),
        lambda: CommitOperationAdd("a/.git/hooks/post-commit", b"x"),
        lambda: CommitOperationAdd("ok.txt", "/definitely/missing/file.bin"),
        lambda: CommitOperationDelete("x/../../y"),
    ],
)
def test_bad_input_fails_before_any_request(make) -> None:
    with pytest.raises(ValueError):
        make()


def test_bad_commit_arguments_fail_before_bytes_move(
    api: hubkit.HfApi, new_repo, recorder: Recorder, tmp_path: Path
) -> None:
    repo = new_repo()
    ok = CommitOperationAdd("a.bin", os.urandom(1000))
    with pytest.raises(ValueError, match="commit_message"):
        api.create_commit(repo, [ok], commit_message="")
    with pytest.raises(ValueError, match="parent_commit"):
        api.create_commit(repo, [ok], commit_message="m", parent_commit="not-a-sha")
    with pytest.raises(ValueError, match="repo type"):
        api.create_commit(repo, [ok], commit_message="m", repo_type="bucket")
    gone = tmp_path / "gone.bin"
    gone.write_bytes(b"soon deleted")
    op = CommitOperationAdd("gone.bin", gone)
    gone.unlink()
    with pytest.raises(ValueError, match="gone"):
        api.create_commit(repo, [ok, op], commit_message="m")
    bad_card = CommitOperationAdd("README.md", b"---\nlicense: [unclosed\n---\n# card\n")
    with pytest.raises(ValueError, match=r"Invalid metadata in README\.md"):
        api.create_commit(repo, [ok, bad_card], commit_message="m")
    assert recorder.uploads == [] and recorder.matching("POST", "/preupload/") == []
    with pytest.raises(EntryNotFoundError, match=r"missing\.bin"):
        api.create_commit(repo, [ok, CommitOperationCopy("missing.bin", "copy.bin")], commit_message="m")
    with pytest.raises(RepositoryNotFoundError, match="create the repo"):
        api.create_commit("alice/does-not-exist-at-all", [ok], commit_message="m")
    assert recorder.uploads == []


def test_two_writers_racing_with_parent_commit(api: hubkit.HfApi, hfh: HfhApi, new_repo, hub, tokens) -> None:
    repo = new_repo()
    head = hfh.repo_info(repo).sha
    other = hubkit.HfApi(endpoint=hub.url, token=tokens["alice"])
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def writer(name: str, client: hubkit.HfApi) -> None:
        op = CommitOperationAdd(f"{name}.txt", name.encode())
        barrier.wait()
        try:
            results[name] = client.create_commit(repo, [op], commit_message=name, parent_commit=head)
        except Exception as err:
            results[name] = err

    threads = [threading.Thread(target=writer, args=(n, c)) for n, c in (("one", api), ("two", other))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    errors = [r for r in results.values() if isinstance(r, Exception)]
    wins = [r for r in results.values() if isinstance(r, hubkit.CommitInfo)]
    assert len(wins) == 1 and len(errors) == 1, results
    assert isinstance(errors[0], HfHubHTTPError) and errors[0].response.status_code == 412
    assert hfh.repo_info(repo).sha == wins[0].oid
    # a short, upper-case parent is accepted too
    nxt = api.create_commit(
        repo, [CommitOperationAdd("z.txt", b"z")], commit_message="z", parent_commit=wins[0].oid[:7].upper()
    )
    assert hfh.repo_info(repo).sha == nxt.oid


def test_pull_requests_and_branches(api: hubkit.HfApi, hfh: HfhApi, new_repo, hub, tokens) -> None:
    repo = new_repo()
    base = hfh.repo_info(repo).sha
    pr = api.upload_file(path_or_fileobj=b"proposal", path_in_repo="p.txt", repo_id=repo, create_pr=True)
    assert pr.pr_revision == f"refs/pr/{pr.pr_num}" and pr.pr_url.endswith(f"/discussions/{pr.pr_num}")
    assert hfh.repo_info(repo).sha == base
    assert "p.txt" in tree(hfh, repo, revision=pr.pr_revision)
    more = api.upload_file(
        path_or_fileobj=os.urandom(2000), path_in_repo="more.bin", repo_id=repo, revision=pr.pr_revision
    )
    assert more.pr_url is None and set(tree(hfh, repo, revision=pr.pr_revision)) >= {"p.txt", "more.bin"}
    hfh.create_branch(repo, branch="dev")
    api.upload_file(path_or_fileobj=b"dev", path_in_repo="dev.txt", repo_id=repo, revision="dev")
    assert "dev.txt" in tree(hfh, repo, revision="dev") and "dev.txt" not in tree(hfh, repo)
    # a read token may open a PR but not push to the branch
    reader = hubkit.HfApi(endpoint=hub.url, token=tokens["alice_read"])
    with pytest.raises(HfHubHTTPError):
        reader.upload_file(path_or_fileobj=b"x", path_in_repo="x.txt", repo_id=repo)


def test_preupload_then_commit_uploads_once(api: hubkit.HfApi, hfh: HfhApi, new_repo, recorder: Recorder) -> None:
    repo = new_repo()
    shards = [CommitOperationAdd(f"shard_{i}.bin", os.urandom(100_000)) for i in range(3)]
    expected = {op.path_in_repo: op.upload_info.sha256.hex() for op in shards}
    for op in shards:
        api.preupload_lfs_files(repo, additions=[op])
    assert all(op.path_or_fileobj == b"" for op in shards)  # free_memory (the default)
    with pytest.raises(ValueError, match="released"):
        shards[0].content.read_all()
    puts = len({r.url.path for r in recorder.matching("PUT", "/api/lfs/")})  # (a retry may repeat one)
    assert puts == 3
    api.create_commit(repo, shards, commit_message="shards")
    assert len({r.url.path for r in recorder.matching("PUT", "/api/lfs/")}) == puts
    assert {p: v[2] for p, v in tree(hfh, repo).items() if p.startswith("shard")} == expected


def test_upload_folder_patterns_and_deletions(api: hubkit.HfApi, hfh: HfhApi, new_repo, tmp_path: Path) -> None:
    repo = new_repo(repo_type="dataset")
    hfh.create_commit(
        repo,
        [
            hfh_op("data/old.csv", b"old"),
            hfh_op("data/logs/a.log", b"log"),
            hfh_op("keep.txt", b"keep"),
        ],
        commit_message="seed",
        repo_type="dataset",
    )
    folder = tmp_path / "local"
    for rel, data in {
        "a.csv": b"1,2\n",
        "sub/b.csv": b"3,4\n",
        "sub/skip.tmp": b"tmp",
        ".git/HEAD": b"ref",
        "sub/.cache/huggingface/x": b"meta",
        "logs/new.log": b"new log",
    }.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)
    info = api.upload_folder(
        repo_id=repo,
        repo_type="dataset",
        folder_path=folder,
        path_in_repo="data",
        ignore_patterns="*.tmp",
        delete_patterns=["*.csv", "logs/"],
    )
    files = tree(hfh, repo, repo_type="dataset")
    assert set(files) == {".gitattributes", "keep.txt", "data/a.csv", "data/sub/b.csv", "data/logs/new.log"}
    assert hfh.list_repo_commits(repo, repo_type="dataset")[0].title == "Upload folder using hubkit"
    assert info.repo_url.repo_type == "dataset"
    only = api.upload_folder(repo_id=repo, repo_type="dataset", folder_path=folder, allow_patterns="sub/*.csv")
    assert "sub/b.csv" in tree(hfh, repo, repo_type="dataset") and "a.csv" not in tree(hfh, repo, repo_type="dataset")
    assert only.oid == hfh.repo_info(repo, repo_type="dataset").sha
    with pytest.raises(ValueError, match="create_pr"):
        api.upload_folder(repo_id=repo, repo_type="dataset", folder_path=folder, create_pr=True, revision="dev")


def hfh_op(path: str, data: bytes):
    from huggingface_hub import CommitOperationAdd as HfhAdd

    return HfhAdd(path, data)


def test_delete_file_folder_and_patterns(api: hubkit.HfApi, hfh: HfhApi, new_repo) -> None:
    repo = new_repo()
    names = ["a.txt", "b.txt", "dir/c.txt", "dir/sub/d.bin", "other/e.json", "other/f.json"]
    api.create_commit(repo, [CommitOperationAdd(n, n.encode()) for n in names], commit_message="seed")
    api.delete_file("a.txt", repo)
    with pytest.raises(RemoteEntryNotFoundError, match="folder"):
        api.delete_file("dir", repo)
    api.delete_folder("dir", repo)
    api.delete_files(repo, delete_patterns=["other/*.json", ".gitattributes"])
    assert set(tree(hfh, repo)) == {".gitattributes", "b.txt"}
    messages = [c.title for c in hfh.list_repo_commits(repo)[:3]]
    assert messages == [
        "Delete files other/*.json .gitattributes with hubkit",
        "Delete folder dir with hubkit",
        "Delete a.txt with hubkit",
    ]


def test_gitignore_and_run_as_future(api: hubkit.HfApi, hfh: HfhApi, new_repo) -> None:
    repo = new_repo()
    future = api.create_commit(
        repo,
        [
            CommitOperationAdd(".gitignore", b"*.log\n"),
            CommitOperationAdd("x.log", b"l"),
            CommitOperationAdd("y.txt", b"y"),
        ],
        commit_message="ignored",
        run_as_future=True,
    )
    info = future.result(timeout=60)
    assert info.oid == hfh.repo_info(repo).sha
    assert set(tree(hfh, repo)) == {".gitattributes", ".gitignore", "y.txt"}


def test_module_level_functions_and_progress_bars(
    hub, new_repo, hfh: HfhApi, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    repo = new_repo()
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.setenv("HF_TOKEN", hfh.token)
    monkeypatch.setenv("HF_HUB_DISABLE_PROGRESS_BARS", "0")
    hubkit.upload_file(path_or_fileobj=os.urandom(300_000), path_in_repo="w.bin", repo_id=repo)
    err = capsys.readouterr().err
    assert "Hashing" in err and "Uploading" in err
    monkeypatch.setenv("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    hubkit.upload_file(path_or_fileobj=os.urandom(300_000), path_in_repo="w2.bin", repo_id=repo)
    assert capsys.readouterr().err == ""
