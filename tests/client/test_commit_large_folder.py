"""upload_large_folder: many commits, resumable after SIGKILL without sending committed files again."""

# Fixtures come from conftest_commit (imported below); test arguments shadow those imports.
# ruff: noqa: F811

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from huggingface_hub import HfApi as HfhApi

import hubkit
from hubkit.commit import large_folder
from hubkit.commit.large_state import read_record, upload_state_dir

from .conftest_commit import Recorder, hfh, new_repo, recorder, tree  # noqa: F401

# Runs upload_large_folder with commits slowed down (as over a slow link), so the test can
# kill it while it is half-way through.
CHILD = r"""
import sys, time
from hubkit import HfApi
from hubkit.commit import large_folder
endpoint, token, repo, folder = sys.argv[1:5]
real = large_folder.send_commit
def slow(*args, **kwargs):
    info = real(*args, **kwargs)
    time.sleep(0.4)
    return info
large_folder.send_commit = slow
HfApi(endpoint=endpoint, token=token).upload_large_folder(repo, folder, repo_type="dataset", num_workers=4,
                                                          print_report_every=1)
"""


def make_folder(root: Path, n_text: int, n_bin: int) -> dict[str, bytes]:
    files = {f"text/{i // 100:02d}/f{i:05d}.txt": f"line {i}\n".encode() * 3 for i in range(n_text)}
    files.update({f"bin/b{i:03d}.bin": os.urandom(30_000 + i) for i in range(n_bin)})
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return files


def committed_paths(recorder: Recorder) -> list[str]:
    """Paths sent in the commits recorded (file and lfsFile lines)."""
    out = []
    bodies = dict.fromkeys(r.content for r in recorder.matching("POST", "/commit/"))  # a retry sends one twice
    for body in bodies:
        for line in body.decode().splitlines():
            item = json.loads(line)
            if item["key"] in ("file", "lfsFile"):
                out.append(item["value"]["path"])
    return out


@pytest.mark.slow
def test_killed_half_way_and_restarted(
    api: hubkit.HfApi, hfh: HfhApi, new_repo, recorder: Recorder, tmp_path: Path, hub, tokens, capsys
) -> None:
    repo = new_repo(repo_type="dataset")
    folder = tmp_path / "big-folder"
    files = make_folder(folder, n_text=3000, n_bin=60)
    env = {**os.environ, "HF_HUB_DISABLE_PROGRESS_BARS": "1"}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, hub.url, tokens["alice"], repo, str(folder)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while len(hfh.list_repo_commits(repo, repo_type="dataset")) < 3:  # the initial commit + 2 parts
            assert child.poll() is None, child.stdout.read().decode() if child.stdout else ""
            assert time.monotonic() < deadline, "no commit within 60 s"
            time.sleep(0.05)
    finally:
        child.send_signal(signal.SIGKILL)
        out = child.communicate()[0].decode()
    assert child.returncode == -signal.SIGKILL
    assert "Files:" in out  # the progress report was printed

    on_hub = set(tree(hfh, repo, repo_type="dataset"))
    assert 0 < len(on_hub & set(files)) < len(files), "not killed half-way"
    state = upload_state_dir(folder)
    recorded = {rel for rel in files if read_record(state, rel, folder / rel).is_committed}
    assert recorded <= on_hub
    uploaded_oids = {
        read_record(state, rel, folder / rel).sha256
        for rel in files
        if read_record(state, rel, folder / rel).is_uploaded
    }

    api.upload_large_folder(repo, folder, repo_type="dataset", print_report_every=1)
    sent = committed_paths(recorder)
    assert not set(sent) & on_hub, "files already committed were committed again"
    assert len(sent) == len(set(sent))
    put_oids = {r.url.path.split("/")[4] for r in recorder.matching("PUT", "/api/lfs/")}
    assert not put_oids & uploaded_oids, "bytes already uploaded were sent again"
    final = tree(hfh, repo, repo_type="dataset")
    assert set(final) == set(files) | {".gitattributes"}
    assert all(read_record(state, rel, folder / rel).is_committed for rel in files)
    assert "committed: 3060/3060" in capsys.readouterr().out

    recorder.clear()  # a third run has nothing left to do
    api.upload_large_folder(repo, folder, repo_type="dataset", print_report=False)
    assert recorder.uploads == [] and recorder.matching("POST", "/preupload/") == []


def test_uploaded_but_not_committed_is_not_sent_again(
    api: hubkit.HfApi, hfh: HfhApi, new_repo, recorder: Recorder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = new_repo(repo_type="model")
    folder = tmp_path / "f"
    files = make_folder(folder, n_text=20, n_bin=8)

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("the commit endpoint is down")

    monkeypatch.setattr(large_folder, "send_commit", refuse)
    with pytest.raises(RuntimeError, match="commits failed"):
        api.upload_large_folder(repo, folder, repo_type="model", print_report=False)
    monkeypatch.undo()
    puts_before = len({r.url.path for r in recorder.matching("PUT", "/api/lfs/")})  # (a retry may repeat one)
    assert puts_before == 8
    state = upload_state_dir(folder)
    assert all(read_record(state, rel, folder / rel).is_uploaded for rel in files if rel.endswith(".bin"))

    api.upload_large_folder(repo, folder, repo_type="model", print_report=False)
    assert len({r.url.path for r in recorder.matching("PUT", "/api/lfs/")}) == puts_before
    assert set(tree(hfh, repo)) == set(files) | {".gitattributes"}

    # The same folder to another repo: the records were about the first one, everything goes up.
    other = new_repo(repo_type="model")
    recorder.clear()
    api.upload_large_folder(other, folder, repo_type="model", print_report=False)
    assert set(tree(hfh, other)) == set(files) | {".gitattributes"}
    assert sorted(committed_paths(recorder)) == sorted(files)


def test_arguments_and_revision(api: hubkit.HfApi, hfh: HfhApi, new_repo, tmp_path: Path) -> None:
    folder = tmp_path / "f"
    make_folder(folder, n_text=5, n_bin=1)
    (folder / "skip.log").write_text("log")
    with pytest.raises(ValueError, match="repo_type"):
        api.upload_large_folder("alice/x", folder, repo_type=None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not a directory"):
        api.upload_large_folder("alice/x", folder / "skip.log", repo_type="model")
    repo = new_repo()
    api.upload_large_folder(
        repo, folder, repo_type="model", revision="feature", ignore_patterns="*.log", print_report=False
    )
    files = tree(hfh, repo, revision="feature")
    assert "text/00/f00000.txt" in files and "skip.log" not in files
    assert "text/00/f00000.txt" not in tree(hfh, repo)


def test_large_folder_through_xet(
    api: hubkit.HfApi, hfh: HfhApi, new_repo, recorder: Recorder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("hf_xet")
    monkeypatch.delenv("HF_HUB_DISABLE_XET", raising=False)
    repo = new_repo()
    folder = tmp_path / "f"
    files = make_folder(folder, n_text=10, n_bin=4)
    api.upload_large_folder(repo, folder, repo_type="model", print_report=False)
    assert not recorder.matching("POST", "objects/batch") and recorder.matching("GET", "xet-write-token")
    entries = {e.path: e for e in hfh.list_repo_tree(repo, recursive=True) if hasattr(e, "blob_id")}
    assert set(entries) == set(files) | {".gitattributes"}
    assert all(entries[p].xet_hash for p in files if p.endswith(".bin"))
