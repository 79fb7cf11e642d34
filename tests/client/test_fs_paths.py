"""The hf:// path grammar (pure: no server)."""

from __future__ import annotations

import pytest

from hubkit.errors import HFValidationError
from hubkit.fs.paths import HfFileSystemResolvedPath, ParsedPath, parse_path, safe_revision


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("alice/model", ParsedPath("model", "alice/model", None, "")),
        ("alice/model/", ParsedPath("model", "alice/model", None, "")),
        ("alice/model/a/b.txt", ParsedPath("model", "alice/model", None, "a/b.txt")),
        ("models/alice/model/x", ParsedPath("model", "alice/model", None, "x")),
        ("datasets/acme/data/train.csv", ParsedPath("dataset", "acme/data", None, "train.csv")),
        ("spaces/alice/app/app.py", ParsedPath("space", "alice/app", None, "app.py")),
        ("kernels/alice/k", ParsedPath("kernel", "alice/k", None, "")),
        ("datasets/alice/d@main", ParsedPath("dataset", "alice/d", "main", "", "main")),
        ("datasets/alice/d@v1.0/x/y", ParsedPath("dataset", "alice/d", "v1.0", "x/y", "v1.0")),
        # a "/" in a branch name is written %2F; the name is decoded
        ("alice/m@feature%2Fx/f.txt", ParsedPath("model", "alice/m", "feature/x", "f.txt", "feature%2Fx")),
        ("alice/m@refs%2Fpr%2F3/f", ParsedPath("model", "alice/m", "refs/pr/3", "f", "refs%2Fpr%2F3")),
        # special refs are accepted as they are
        ("alice/m@refs/pr/12", ParsedPath("model", "alice/m", "refs/pr/12", "", "refs/pr/12")),
        ("alice/m@refs/pr/12/a/b", ParsedPath("model", "alice/m", "refs/pr/12", "a/b", "refs/pr/12")),
        (
            "datasets/a/d@refs/convert/parquet/x",
            ParsedPath("dataset", "a/d", "refs/convert/parquet", "x", "refs/convert/parquet"),
        ),
        (
            "alice/m@refs/convert/duckdb.v1",
            ParsedPath("model", "alice/m", "refs/convert/duckdb.v1", "", "refs/convert/duckdb.v1"),
        ),
        # "refs/pr/12abc" is no special ref: the revision stops at the first "/"
        ("alice/m@refs/pr/12abc", ParsedPath("model", "alice/m", "refs", "pr/12abc", "refs")),
        # "@" past the repo id is part of a file name
        ("alice/m/file@1.txt", ParsedPath("model", "alice/m", None, "file@1.txt")),
        ("alice/m@dev/file@1.txt", ParsedPath("model", "alice/m", "dev", "file@1.txt", "dev")),
        ("alice/m/sub/a@b/c", ParsedPath("model", "alice/m", None, "sub/a@b/c")),
        # a commit id
        ("alice/m@" + "a" * 40 + "/x", ParsedPath("model", "alice/m", "a" * 40, "x", "a" * 40)),
    ],
)
def test_parse_path(path: str, expected: ParsedPath) -> None:
    assert parse_path(path) == expected


@pytest.mark.parametrize(
    ("path", "error", "match"),
    [
        ("", NotImplementedError, "repositories lists"),
        ("buckets/alice/b/x", NotImplementedError, "Buckets"),
        ("gpt2", ValueError, "namespace/name"),
        ("datasets", ValueError, "missing 'namespace/name'"),
        ("datasets/alice", ValueError, "namespace/name"),
        ("dataset/alice/d", ValueError, "plural"),
        ("model/alice/m", ValueError, "plural"),
        ("alice/m@", ValueError, "empty revision"),
        ("alice/m@/x", ValueError, "empty revision"),
        ("alice/m//x", ValueError, "empty path segment"),
        ("alice/m@a/b@c", ValueError, None),  # fine: "b@c" is a file name
        ("al ice/m", HFValidationError, "Repo id"),
        ("alice/m--x", HFValidationError, "--"),
    ],
)
def test_parse_path_errors(path: str, error: type[Exception], match: str | None) -> None:
    if match is None:
        parse_path(path)
        return
    with pytest.raises(error, match=match):
        parse_path(path)


@pytest.mark.parametrize(
    ("revision", "rendered"),
    [
        ("main", "main"),
        ("feature/x", "feature%2Fx"),
        ("refs/pr/1", "refs/pr/1"),
        ("refs/convert/parquet", "refs/convert/parquet"),
        ("refs/pr/1x", "refs%2Fpr%2F1x"),
        ("v 1#2", "v%201%232"),
    ],
)
def test_safe_revision(revision: str, rendered: str) -> None:
    assert safe_revision(revision) == rendered
    assert parse_path(f"alice/m@{rendered}/f").revision == revision


def test_unresolve_renders_the_revision_only_when_needed() -> None:
    assert HfFileSystemResolvedPath("dataset", "a/d", "main", "x/y").unresolve() == "datasets/a/d/x/y"
    assert HfFileSystemResolvedPath("model", "a/m", "main", "").unresolve() == "a/m"
    assert HfFileSystemResolvedPath("space", "a/s", "dev", "app.py").unresolve() == "spaces/a/s@dev/app.py"
    assert HfFileSystemResolvedPath("model", "a/m", "feature/x", "f").unresolve() == "a/m@feature%2Fx/f"
    assert HfFileSystemResolvedPath("model", "a/m", "refs/pr/2", "f").root == "a/m@refs/pr/2"
    # the revision as the caller wrote it is kept, so names match what was asked
    kept = HfFileSystemResolvedPath("model", "a/m", "refs/pr/2", "f", _raw_revision="refs%2Fpr%2F2")
    assert kept.unresolve() == "a/m@refs%2Fpr%2F2/f"
    assert HfFileSystemResolvedPath("model", "a/m", "main", "", _raw_revision="main").unresolve() == "a/m@main"
    resolved = HfFileSystemResolvedPath("dataset", "a/d", "v1", "x")
    assert (resolved.path, resolved.with_path("y/z").unresolve()) == ("x", "datasets/a/d@v1/y/z")
