"""Differential: the same operations through huggingface_hub and through hubkit, on two repos of
the same hub, must leave identical trees (paths, blob ids, sizes, LFS sha256)."""

# Fixtures come from conftest_commit (imported below); test arguments shadow those imports.
# ruff: noqa: F811

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import huggingface_hub as hfh_lib
import pytest
from huggingface_hub import HfApi as HfhApi

import hubkit

from .conftest_commit import hfh, new_repo, tree  # noqa: F401

MiB = 1024 * 1024


@pytest.fixture(scope="module")
def material(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Local content shared by both sides: a folder with text, binary and big files."""
    root = tmp_path_factory.mktemp("material")
    big = root / "big.bin"
    big.write_bytes(os.urandom(70 * MiB))  # above the hub's multipart threshold
    folder = root / "folder"
    files = {
        "README.md": b"---\nlicense: mit\n---\n# Model\n",
        "config.json": b'{"hidden": 64}\n',
        "sub/deeper/notes.txt": b"notes\n" * 100,
        "sub/weights.safetensors": os.urandom(200_000),
        "sub/scratch.tmp": b"never uploaded",
        "text_but_lfs.bin": b"plain text in a *.bin file\n",
        "data/a.csv": b"x,y\n1,2\n",
        "data/b.csv": b"x,y\n3,4\n",
        "empty.txt": b"",
        "mid.dat": os.urandom(11 * 1000 * 1000),  # above the 10 MB inline limit
        "unicodé/файл.txt": "ünïcode ✓\n".encode(),
        ".git/config": b"[core]\n",
    }
    for rel, data in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)
    return {"big": big, "folder": folder, "random": os.urandom(5000)}


def _run_both(
    hfh: HfhApi, api: hubkit.HfApi, new_repo: Callable[..., str], steps: Callable[[Any, Any, str], None], **kw: Any
) -> tuple[dict, dict]:
    theirs, ours = new_repo("theirs", **kw), new_repo("ours", **kw)
    steps(hfh, hfh_lib, theirs)
    steps(api, hubkit, ours)
    repo_type = kw.get("repo_type")
    return tree(hfh, theirs, repo_type=repo_type), tree(hfh, ours, repo_type=repo_type)


def test_create_commit_same_tree(hfh: HfhApi, api: hubkit.HfApi, new_repo, material: dict) -> None:
    def steps(client: Any, lib: Any, repo: str) -> None:
        add, delete, copy = lib.CommitOperationAdd, lib.CommitOperationDelete, lib.CommitOperationCopy
        client.create_commit(
            repo,
            [
                add("big/big.bin", material["big"]),
                add("random.bin", material["random"]),
                add("stream.bin", io.BytesIO(material["random"][:1234])),
                add("a.txt", b"a\n"),
                add("dir/b.txt", b"b\n"),
                add("dir/sub/c.txt", b"c\n"),
                add("gone/x.txt", b"x\n"),
                add("ü/ß.txt", "text ✓".encode()),
                add("zero.bin", b""),
            ],
            commit_message="first",
        )
        client.create_commit(
            repo,
            [
                delete("gone/"),
                delete("dir/b.txt"),
                copy("big/big.bin", "copies/big.bin"),
                copy("a.txt", "copies/a.txt"),
                add("a.txt", b"a, edited\n"),
                add("dir/sub/c.txt", b"c\n"),  # unchanged: left out by both
            ],
            commit_message="second",
        )

    theirs, ours = _run_both(hfh, api, new_repo, steps)
    assert ours == theirs
    assert {"copies/big.bin", "stream.bin", "zero.bin", "ü/ß.txt"} <= set(ours) and "gone/x.txt" not in ours


def test_upload_folder_same_tree(hfh: HfhApi, api: hubkit.HfApi, new_repo, material: dict) -> None:
    def steps(client: Any, lib: Any, repo: str) -> None:
        client.upload_file(
            path_or_fileobj=b"old", path_in_repo="models/data/old.csv", repo_id=repo, repo_type="dataset"
        )
        client.upload_folder(
            repo_id=repo,
            repo_type="dataset",
            folder_path=material["folder"],
            path_in_repo="models",
            ignore_patterns=["*.tmp"],
            delete_patterns=["data/*.csv"],
        )
        client.upload_folder(repo_id=repo, repo_type="dataset", folder_path=material["folder"], allow_patterns="*.json")
        client.delete_files(repo, delete_patterns=["models/sub/deeper/"], repo_type="dataset")
        client.delete_folder("models/data", repo_id=repo, repo_type="dataset")

    theirs, ours = _run_both(hfh, api, new_repo, steps, repo_type="dataset")
    assert ours == theirs
    assert "models/mid.dat" in ours and "config.json" in ours and "models/data/old.csv" not in ours
    assert not any(".git/" in p or p.endswith(".tmp") for p in ours)


def test_upload_large_folder_same_tree_as_upload_folder(
    hfh: HfhApi, api: hubkit.HfApi, new_repo, material: dict, tmp_path: Path
) -> None:
    """hubkit's many-commit path ends where one huggingface_hub upload_folder commit does."""
    folder = tmp_path / "copy"
    for path in material["folder"].rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            (folder / path.relative_to(material["folder"])).parent.mkdir(parents=True, exist_ok=True)
            (folder / path.relative_to(material["folder"])).write_bytes(path.read_bytes())
    theirs, ours = new_repo("theirs"), new_repo("ours")
    hfh.upload_folder(repo_id=theirs, folder_path=folder)
    api.upload_large_folder(ours, folder, repo_type="model", print_report=False)
    assert tree(hfh, ours) == tree(hfh, theirs)
