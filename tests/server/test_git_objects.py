"""Commit, tree and blob ids are exactly git's: real `git` accepts the hub's objects."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from hubkit.server.hub import make_store
from hubkit.server.storage.gitobj import decode_commit, decode_tree
from hubkit.server.storage.objects import ObjectStore

from .conftest import file_line, header

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _import(git_dir: Path, store: ObjectStore, kind: str, oid: str) -> None:
    """Write one object (and what it references) into a real git repo, checking its id."""
    body = store.get_bytes(f"{kind}/{oid}")
    got = (
        subprocess.run(
            ["git", "hash-object", "-w", "-t", kind, "--stdin"],
            input=body,
            cwd=git_dir,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .strip()
    )
    assert got == oid, f"{kind} id differs from git's: {oid} != {got}"
    if kind == "commit":
        commit = decode_commit(body)
        _import(git_dir, store, "tree", commit.tree)
        for parent in commit.parents:
            _import(git_dir, store, "commit", parent)
    elif kind == "tree":
        for entry in decode_tree(body):
            _import(git_dir, store, "tree" if entry.is_dir else "blob", entry.oid)


def test_git_fsck_accepts_the_history(hub, client, auth, new_repo, commit, tmp_path: Path) -> None:
    repo = new_repo()
    lines = [
        file_line("a/b/c.txt", b"c"),
        file_line("a/b.txt", b"file beside the folder a/b"),
        file_line("a-b.txt", b"sorts between a and a/"),
        file_line("unicode/\u00fc\u00e9.txt", "ü".encode()),
        file_line("empty.txt", b""),
    ]
    assert commit(repo, header("first", description="body"), *lines).status_code == 200
    assert commit(repo, header("second"), {"key": "deletedFile", "value": {"path": "a/b/c.txt"}}).status_code == 200
    head = client.get(f"/api/models/{repo}", headers=auth()).json()["sha"]

    git_dir = tmp_path / "g"
    subprocess.run(["git", "init", "-q", "--bare", str(git_dir)], check=True)
    _import(git_dir, make_store(hub.settings()), "commit", head)
    subprocess.run(["git", "update-ref", "refs/heads/main", head], cwd=git_dir, check=True)
    fsck = subprocess.run(["git", "fsck", "--strict", "--no-dangling"], cwd=git_dir, capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stderr
    listed = subprocess.run(
        ["git", "-c", "core.quotepath=off", "ls-tree", "-r", "--name-only", "main"],
        cwd=git_dir,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    assert [p for p in listed if p] == [".gitattributes", "a-b.txt", "a/b.txt", "empty.txt", "unicode/üé.txt"]
    log = subprocess.run(
        ["git", "log", "--format=%an|%s|%b", "main"], cwd=git_dir, capture_output=True, text=True, check=True
    ).stdout
    assert "alice|second|" in log and "alice|first|body" in log and "alice|initial commit|" in log
