"""The pure parts of the commit code: operations, payload, CommitInfo, records, sizing (no server)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import pickle
from pathlib import Path

import pytest
from huggingface_hub import _commit_api as hfh_commit
from huggingface_hub import _local_folder as hfh_local

from hubkit import CommitInfo, CommitOperationAdd, CommitOperationCopy, CommitOperationDelete
from hubkit.commit.content import BytesContent, FileobjContent, PathContent
from hubkit.commit.hashing import git_blob_sha1, sha256_hex
from hubkit.commit.large_folder import CommitSizer
from hubkit.commit.large_state import FileRecord, read_record, upload_state_dir, write_record
from hubkit.commit.payload import Deletion, InlineFile, LfsFile, commit_lines, encode_ndjson
from hubkit.commit.scheduler import PartialFileIO

# --- paths -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["..", "../x", "a/../b", "a/..", ".", ".git/config", "sub/.git/x", ".cache/huggingface/x", "", "/", "a\x00b"],
)
def test_bad_paths_rejected_at_construction(path: str) -> None:
    with pytest.raises(ValueError, match="path_in_repo"):
        CommitOperationAdd(path_in_repo=path, path_or_fileobj=b"x")
    with pytest.raises(ValueError, match="path_in_repo"):
        CommitOperationDelete(path_in_repo=path)


@pytest.mark.parametrize(("given", "kept"), [("/a.txt", "a.txt"), ("./a.txt", "a.txt"), ("a..b/c.txt", "a..b/c.txt")])
def test_paths_normalised_like_huggingface_hub(given: str, kept: str) -> None:
    assert CommitOperationAdd(path_in_repo=given, path_or_fileobj=b"x").path_in_repo == kept
    assert hfh_commit.CommitOperationAdd(path_in_repo=given, path_or_fileobj=b"x").path_in_repo == kept


def test_missing_local_file_and_text_fileobj_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="is not a file"):
        CommitOperationAdd(path_in_repo="a.txt", path_or_fileobj=tmp_path / "missing.txt")
    with pytest.raises(ValueError, match="binary"):
        CommitOperationAdd(path_in_repo="a.txt", path_or_fileobj=io.StringIO("text"))  # type: ignore[arg-type]


def test_delete_is_folder_auto_and_copy_arguments() -> None:
    assert CommitOperationDelete("dir/").is_folder is True
    assert CommitOperationDelete("file.txt").is_folder is False
    assert CommitOperationDelete("dir", is_folder=True).path_in_repo == "dir"
    with pytest.raises(ValueError, match="is_folder"):
        CommitOperationDelete("x", is_folder="maybe")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="src_repo_type"):
        CommitOperationCopy("a", "b", src_repo_id="alice/x")


# --- contents and hashes ---------------------------------------------------------------------


def test_contents_hash_like_hashlib(tmp_path: Path) -> None:
    data = bytes(range(256)) * 40_000 + b"tail"  # spans several read blocks
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    expected = hashlib.sha256(data).hexdigest()
    fileobj = io.BytesIO(data)
    fileobj.seek(17)
    for content in (PathContent(str(path)), BytesContent(data), FileobjContent(fileobj)):
        assert content.size == len(data)
        assert sha256_hex(content) == expected
        assert content.read(5, 10) == data[5:15]
        assert git_blob_sha1(content) == hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()
    assert fileobj.tell() == 17  # the caller's position is left alone


def test_upload_info_matches_huggingface_hub(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(b"\x00" * 700 + b"end")
    ours = CommitOperationAdd("f.bin", str(path)).upload_info
    theirs = hfh_commit.CommitOperationAdd("f.bin", str(path)).upload_info
    assert (ours.size, ours.sample, ours.is_hashed) == (theirs.size, theirs.sample, False)
    assert ours.sha256 == theirs.sha256 and ours.is_hashed
    with_fileobj = CommitOperationAdd("f.bin", io.BytesIO(b"abc"))
    assert with_fileobj.upload_info.sha256 == hashlib.sha256(b"abc").digest()
    assert with_fileobj.b64content() == base64.b64encode(b"abc")


# --- payload ---------------------------------------------------------------------------------


def test_payload_is_byte_identical_to_huggingface_hub() -> None:
    """Same lines, same key order, same JSON spelling (non-ASCII escaped) as the reference."""
    reg = hfh_commit.CommitOperationAdd("dir/ü é.txt", b"hello")
    reg._upload_mode = "regular"
    lfs = hfh_commit.CommitOperationAdd("w.bin", b"\x00\x01")
    lfs._upload_mode = "lfs"
    theirs_ops = [reg, lfs, hfh_commit.CommitOperationDelete("old.txt"), hfh_commit.CommitOperationDelete("dir/")]
    theirs = hfh_commit._prepare_commit_payload(theirs_ops, {}, "title ✓", "body", parent_commit="abc1234")
    ours = commit_lines(
        [
            InlineFile("dir/ü é.txt", BytesContent(b"hello")),
            LfsFile("w.bin", hashlib.sha256(b"\x00\x01").hexdigest(), 2),
            Deletion("old.txt", False),
            Deletion("dir/", True),
        ],
        summary="title ✓",
        description="body",
        parent_commit="abc1234",
    )
    expected = b"".join(json.dumps(line).encode() + b"\n" for line in theirs)
    assert encode_ndjson(ours) == expected


def test_payload_copy_line_has_no_size() -> None:
    lines = list(commit_lines([LfsFile("copy.bin", "a" * 64, None)], summary="s"))
    assert lines[0] == {"key": "header", "value": {"summary": "s", "description": ""}}
    assert lines[1] == {"key": "lfsFile", "value": {"path": "copy.bin", "algo": "sha256", "oid": "a" * 64}}


# --- CommitInfo ------------------------------------------------------------------------------


def test_commit_info_fields_and_pickle() -> None:
    url = "http://hub.local/datasets/alice/data/commit/" + "a" * 40
    info = CommitInfo(url, "msg", "", "a" * 40, _endpoint="http://hub.local", pr_url="http://hub.local/x/discussions/7")
    assert info == url and isinstance(info, str)
    assert (info.pr_revision, info.pr_num) == ("refs/pr/7", 7)
    assert (info.repo_url.repo_id, info.repo_url.repo_type) == ("alice/data", "dataset")
    again = pickle.loads(pickle.dumps(info))
    assert (again.oid, again.pr_num, again.repo_url.repo_id) == (info.oid, 7, "alice/data")


# --- upload_large_folder records -------------------------------------------------------------


def test_records_are_interchangeable_with_huggingface_hub(tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "a.bin").write_bytes(b"abc")
    state = upload_state_dir(folder)
    write_record(state, "sub/a.bin", FileRecord(size=3, sha256="f" * 64, upload_mode="lfs", is_uploaded=True))
    theirs = hfh_local.read_upload_metadata(folder, "sub/a.bin")
    assert (theirs.sha256, theirs.upload_mode, theirs.is_uploaded, theirs.is_committed) == (
        "f" * 64,
        "lfs",
        True,
        False,
    )
    theirs.is_committed = True
    theirs.save(hfh_local.get_local_upload_paths(folder, "sub/a.bin"))
    ours = read_record(state, "sub/a.bin", folder / "sub" / "a.bin")
    assert (ours.sha256, ours.upload_mode, ours.is_uploaded, ours.is_committed) == ("f" * 64, "lfs", True, True)


def test_record_of_a_modified_file_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"abc")
    state = upload_state_dir(tmp_path)
    write_record(state, "a.txt", FileRecord(size=3, is_committed=True))
    assert read_record(state, "a.txt", path).is_committed
    path.write_bytes(b"abcd")
    assert read_record(state, "a.txt", path) == FileRecord(size=4)
    (state / "a.txt.metadata").write_text("garbage")
    assert read_record(state, "a.txt", path) == FileRecord(size=4)


def test_commit_sizer_adapts() -> None:
    sizer = CommitSizer()
    start = sizer.size
    sizer.succeeded(1.0)
    assert sizer.size > start
    for _ in range(20):
        sizer.succeeded(1.0)
    assert sizer.size == CommitSizer.SIZES[-1]
    sizer.succeeded(600.0)
    assert sizer.size < CommitSizer.SIZES[-1]
    for _ in range(20):
        sizer.failed()
    assert sizer.size == CommitSizer.SIZES[0]


def test_partial_file_io_stops_at_its_limit(tmp_path: Path) -> None:
    path = tmp_path / "log.txt"
    path.write_bytes(b"0123456789")
    f = PartialFileIO(path, 4)
    with path.open("ab") as out:
        out.write(b"more")
    assert f.read() == b"0123"
    assert f.seek(0, io.SEEK_END) == 4 and len(f) == 4
    f.seek(2)
    assert f.read(100) == b"23"
    op = CommitOperationAdd("log.txt", f)
    assert op.upload_info.size == 4 and op.content.read_all() == b"0123"
    f.close()


# --- the public surface ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "create_commit",
        "preupload_lfs_files",
        "upload_file",
        "upload_folder",
        "delete_file",
        "delete_files",
        "delete_folder",
        "run_as_future",
    ],
)
def test_method_signatures_match_huggingface_hub(name: str) -> None:
    import inspect

    import huggingface_hub

    import hubkit

    ours = inspect.signature(getattr(hubkit.HfApi, name)).parameters
    theirs = inspect.signature(getattr(huggingface_hub.HfApi, name)).parameters
    assert list(ours) == list(theirs)
    for param in ours:
        assert ours[param].kind == theirs[param].kind, param
        assert ours[param].default == theirs[param].default, param
    assert callable(getattr(hubkit, name))  # also a module-level function


@pytest.mark.parametrize("name", ["CommitOperationAdd", "CommitOperationDelete", "CommitInfo", "CommitScheduler"])
def test_classes_match_huggingface_hub(name: str) -> None:
    import dataclasses
    import inspect

    import huggingface_hub

    import hubkit

    ours, theirs = getattr(hubkit, name), getattr(huggingface_hub, name)
    if dataclasses.is_dataclass(theirs):
        # private fields are where huggingface_hub keeps upload state on the operation: not here
        assert [f.name for f in dataclasses.fields(ours) if f.name[0] != "_"] == [
            f.name for f in dataclasses.fields(theirs) if f.name[0] != "_"
        ]
    else:
        assert list(inspect.signature(ours).parameters) == list(inspect.signature(theirs).parameters)
    public_copy = [f.name for f in dataclasses.fields(hubkit.CommitOperationCopy)]
    assert public_copy == [f.name for f in dataclasses.fields(huggingface_hub.CommitOperationCopy) if f.name[0] != "_"]
