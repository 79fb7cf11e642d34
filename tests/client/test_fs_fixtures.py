"""Fixtures of the HfFileSystem tests (imported by the ``test_fs_*`` modules that use them).

Repos are seeded with the real huggingface_hub, so a bug in hubkit's own upload path cannot
hide a bug in the filesystem: what the tests read back was written by the reference client.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from huggingface_hub import CommitOperationAdd, HfApi

from hubkit.fs import HfFileSystem
from hubserver import ALICE

BIG_SIZE = 3 * 1024 * 1024 + 1234  # an LFS file spanning several read blocks


@dataclass
class SeededDataset:
    """A dataset repo: regular, nested and LFS files; a branch with a "/", a tag and a PR."""

    repo_id: str
    files: dict[str, bytes]  # at main
    branch: str  # "feature/x", holding branch.txt on top of main
    tag_commit: str  # the commit of tag "v1": main before big.bin
    pr_revision: str  # refs/pr/N, holding pr.txt on top of main
    main_commit: str

    @property
    def root(self) -> str:
        return f"datasets/{self.repo_id}"


@pytest.fixture(scope="session")
def hfh_alice(hub) -> HfApi:
    return HfApi(endpoint=hub.url, token=ALICE)


@pytest.fixture(scope="session")
def seeded_ds(hfh_alice: HfApi) -> SeededDataset:
    # Each module importing this fixture gets its own instance (and repo): names must differ.
    repo_id = f"alice/fs-seed-{uuid.uuid4().hex[:8]}"
    hfh_alice.create_repo(repo_id, repo_type="dataset")
    first = {
        "data/train.csv": b"a,b\n1,x\n2,y\n",
        "data/test.csv": b"a,b\n3,z\n",
        "nested/deeper/notes.txt": b"deep\n",
        "README.md": b"# seed\n",
        "file@1.txt": b"at sign\n",
    }
    tag_commit = hfh_alice.create_commit(
        repo_id, [CommitOperationAdd(p, d) for p, d in first.items()], commit_message="first", repo_type="dataset"
    ).oid
    hfh_alice.create_tag(repo_id, tag="v1", revision=tag_commit, repo_type="dataset")
    big = os.urandom(BIG_SIZE)
    main = hfh_alice.create_commit(
        repo_id, [CommitOperationAdd("big.bin", big)], commit_message="big", repo_type="dataset"
    ).oid
    hfh_alice.create_branch(repo_id, branch="feature/x", repo_type="dataset")
    hfh_alice.create_commit(
        repo_id, [CommitOperationAdd("branch.txt", b"on a branch\n")], commit_message="b", revision="feature/x",
        repo_type="dataset",
    )  # fmt: skip
    pr = hfh_alice.create_commit(
        repo_id, [CommitOperationAdd("pr.txt", b"in a pr\n")], commit_message="pr", create_pr=True,
        repo_type="dataset",
    )  # fmt: skip
    files = {**first, "big.bin": big, ".gitattributes": b""}
    return SeededDataset(repo_id, files, "feature/x", tag_commit, pr.pr_revision or "", main)


@pytest.fixture
def fs(hub) -> HfFileSystem:
    """A fresh filesystem as alice (its own listing cache)."""
    return HfFileSystem(endpoint=hub.url, token=ALICE, skip_instance_cache=True)


@pytest.fixture
def new_dataset(hfh_alice: HfApi, unique: str) -> Callable[..., str]:
    """Create a dataset repo (``new_dataset(files={...})``); returns its path root ``datasets/alice/...``."""
    counter = iter(range(1000))

    def make(files: dict[str, bytes] | None = None, private: bool = False, name: str = "fs") -> str:
        repo_id = f"alice/{name}-{unique}-{next(counter)}"
        hfh_alice.create_repo(repo_id, repo_type="dataset", private=private)
        if files:
            ops = [CommitOperationAdd(p, d) for p, d in files.items()]
            hfh_alice.create_commit(repo_id, ops, commit_message="seed", repo_type="dataset")
        return f"datasets/{repo_id}"

    return make
