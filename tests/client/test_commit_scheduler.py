"""CommitScheduler: background commits of a folder that keeps changing."""

# Fixtures come from conftest_commit (imported below); test arguments shadow those imports.
# ruff: noqa: F811

from __future__ import annotations

import time
from pathlib import Path

import pytest
from huggingface_hub import HfApi as HfhApi

import hubkit
from hubkit import CommitScheduler

from .conftest_commit import hfh, tree  # noqa: F401


def wait_for(predicate, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_scheduler_pushes_changes_in_the_background(
    api: hubkit.HfApi, hfh: HfhApi, unique: str, tmp_path: Path
) -> None:
    repo = f"alice/scheduled-{unique}"
    folder = tmp_path / "watched"
    with CommitScheduler(
        repo_id=repo, repo_type="dataset", folder_path=folder, every=0.01, path_in_repo="logs", hf_api=api
    ) as scheduler:
        with scheduler.lock:
            (folder / "metrics.jsonl").write_text('{"step": 1}\n')
        wait_for(lambda: "logs/metrics.jsonl" in tree(hfh, repo, repo_type="dataset"))
        commits = len(hfh.list_repo_commits(repo, repo_type="dataset"))
        time.sleep(1.5)  # several ticks with nothing new: no empty commits
        assert len(hfh.list_repo_commits(repo, repo_type="dataset")) == commits
        with scheduler.lock, (folder / "metrics.jsonl").open("a") as f:
            f.write('{"step": 2}\n')
        (folder / ".git").mkdir()
        (folder / ".git" / "HEAD").write_text("ignored")
    # leaving the block pushed the last change
    path = hfh.hf_hub_download(repo, "logs/metrics.jsonl", repo_type="dataset")
    assert Path(path).read_text() == '{"step": 1}\n{"step": 2}\n'
    assert not any(".git/" in p for p in tree(hfh, repo, repo_type="dataset"))
    assert hfh.list_repo_commits(repo, repo_type="dataset")[0].title == "Scheduled Commit"
    assert scheduler.trigger().result() is None  # stopped: nothing more


def test_scheduler_arguments(api: hubkit.HfApi, tmp_path: Path, unique: str) -> None:
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(ValueError, match="directory"):
        CommitScheduler(repo_id=f"alice/s-{unique}", folder_path=tmp_path / "file.txt", hf_api=api)
    with pytest.raises(ValueError, match="every"):
        CommitScheduler(repo_id=f"alice/s-{unique}", folder_path=tmp_path / "d", every=0, hf_api=api)
