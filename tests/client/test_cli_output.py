"""The CLI's pure parts from fixed data: rendering, error descriptions, cache filters and sorts."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from types import SimpleNamespace

import httpx
import pytest

from hubkit.cli import _errors
from hubkit.cli._cache_query import CacheQueryError, Target, parse_filter, parse_size, parse_sort, parse_target
from hubkit.cli._output import Column, format_age, format_size, render, render_key_values, render_table, to_jsonable
from hubkit.cli.cache import resolve_targets, select
from hubkit.cli.main import CliError
from hubkit.errors import (
    GatedRepoError,
    HfHubHTTPError,
    LocalEntryNotFoundError,
    LocalTokenNotFoundError,
    RemoteEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

LONG = "org/" + "n" * 150

# --- tables --------------------------------------------------------------------------------------


def test_table_never_cuts_values_by_default() -> None:
    text = render_table(["ID", "LIKES"], [[LONG, "3"], ["a/b", "12"]])
    lines = text.splitlines()
    assert lines[0].split() == ["ID", "LIKES"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert LONG in lines[2] and lines[2].split() == [LONG, "3"]
    assert lines[3].startswith("a/b ") and lines[3].endswith("12")
    # columns line up: LIKES starts at the same offset everywhere
    assert lines[0].index("LIKES") == lines[2].index("3") == lines[3].index("12")


def test_table_truncates_only_when_asked() -> None:
    text = render_table(["ID", "LIKES"], [[LONG, "3"]], max_width=40)
    assert all(len(line) <= 40 for line in text.splitlines())
    assert "…" in text and LONG not in text
    assert text.splitlines()[0].split() == ["ID", "LIKES"]  # headers are never cut


def test_table_cells_stay_on_one_line_and_wide_chars_align() -> None:
    text = render_table(["A", "B"], [["line1\nline2", "x"], ["日本語", "y"]])
    lines = text.splitlines()
    assert len(lines) == 4 and "line1 line2" in lines[2]
    # 日本語 takes 6 terminal columns, so "y" lines up with "x"
    assert lines[2].index("x") == len("line1 line2  ")
    assert lines[3].endswith("  y") and lines[3].index("y") == lines[2].index("x") - 3


RECORDS = [
    {"id": "a/one", "downloads": 1200, "private": False, "tags": ["x", "y"], "when": datetime(2024, 1, 2, 3, 4)},
    {"id": "b/two", "downloads": None, "private": True, "tags": [], "when": None},
]
COLUMNS = [Column("id", "ID"), Column("downloads", "DL", format_size), Column("private", "PRIVATE"),
           Column("tags", "TAGS"), Column("when", "WHEN")]  # fmt: skip


def test_render_formats_from_the_same_records() -> None:
    table = render(RECORDS, COLUMNS).splitlines()
    assert table[0].split() == ["ID", "DL", "PRIVATE", "TAGS", "WHEN"]
    assert table[2].split() == ["a/one", "1.2", "kB", "no", "x,", "y", "2024-01-02", "03:04"]
    assert table[3].split() == ["b/two", "yes"]
    assert render(RECORDS, COLUMNS, quiet=True) == "a/one\nb/two"
    assert render(RECORDS, COLUMNS, fmt="json", quiet=True) == "a/one\nb/two"  # -q wins
    data = json.loads(render(RECORDS, COLUMNS, fmt="json"))
    assert data[0] == {"id": "a/one", "downloads": 1200, "private": False, "tags": ["x", "y"],
                       "when": "2024-01-02T03:04:00"}  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(render(RECORDS, COLUMNS, fmt="csv"))))
    assert rows == [
        {"id": "a/one", "downloads": "1200", "private": "false", "tags": "x;y", "when": "2024-01-02T03:04:00"},
        {"id": "b/two", "downloads": "", "private": "true", "tags": "", "when": ""},
    ]
    with pytest.raises(ValueError):
        render(RECORDS, COLUMNS, fmt="yaml")


def test_key_values_and_jsonable() -> None:
    text = render_key_values([("id", LONG), ("private", True), ("tags", ["a", "b"])])
    assert text.splitlines() == [f"id       {LONG}", "private  yes", "tags     a, b"]

    class Thing:
        def __init__(self) -> None:
            self.name = "n"
            self._hidden = 1
            self.when = datetime(2024, 5, 6, tzinfo=timezone.utc)

    assert to_jsonable({"t": Thing(), "s": {3, 1}, "_x": 1}) == {
        "t": {"name": "n", "when": "2024-05-06T00:00:00+00:00"},
        "s": [1, 3],
    }


def test_sizes_and_ages() -> None:
    assert [format_size(n) for n in (0, 999, 1000, 1_500_000, 3.2e9)] == ["0 B", "999 B", "1.0 kB", "1.5 MB", "3.2 GB"]
    now = 1_000_000.0
    assert format_age(now - 30, now=now) == "30 seconds ago"
    assert format_age(now - 3600, now=now) == "1 hour ago"
    assert format_age(now - 3 * 86400, now=now) == "3 days ago"
    assert format_age(now + 100, now=now) == "in the future"
    assert format_age(None) == ""


# --- errors --------------------------------------------------------------------------------------


def _response(status: int, url: str = "http://hub/api/models/a/b") -> httpx.Response:
    return httpx.Response(status, request=httpx.Request("GET", url))


@pytest.mark.parametrize(
    ("error", "code", "starts"),
    [
        (RepositoryNotFoundError("404 Client Error.\n\nRepository Not Found", response=_response(404)), 3,
         "Repository not found"),
        (GatedRepoError("403", response=_response(403)), 4, "Access to the gated repo"),
        (RevisionNotFoundError("404", response=_response(404), server_message="Invalid rev id: x"), 3,
         "Revision not found"),
        (RemoteEntryNotFoundError("404", response=_response(404), server_message="no x.txt"), 3, "File not found"),
        (LocalEntryNotFoundError("Cannot find the file in the cache"), 3, "Cannot find the file"),
        (LocalTokenNotFoundError("no token"), 4, "no token"),
        (HfHubHTTPError("401", response=_response(401), server_message="Invalid credentials"), 4, "Not authenticated"),
        (HfHubHTTPError("403", response=_response(403), server_message="read-only token"), 4, "Not allowed"),
        (HfHubHTTPError("409", response=_response(409), server_message="exists"), 1, "Conflict: exists"),
        (HfHubHTTPError("500", response=_response(500), server_message="boom"), 1, "Hub error 500: boom"),
        (ValueError("Invalid repo id"), 2, "Invalid repo id"),
        (FileNotFoundError("no such file"), 3, "no such file"),
        (httpx.ConnectError("refused", request=httpx.Request("GET", "http://hub:9/x")), 1,
         "Cannot reach the Hub at http://hub:9"),
        (RuntimeError("odd\nsecond line"), 1, "RuntimeError: odd"),
    ],
)  # fmt: skip
def test_describe_gives_one_line_a_hint_and_a_code(error: Exception, code: int, starts: str) -> None:
    message, hint, exit_code = _errors.describe(error)
    assert message.startswith(starts), message
    assert "\n" not in message and (hint is None or "\n" not in hint)
    assert exit_code == code


def test_describe_names_the_repo_of_the_command() -> None:
    err = RepositoryNotFoundError("404", response=_response(404, "http://hub/api/repos/delete"))
    assert _errors.describe(err, "alice/gone")[0] == "Repository not found: alice/gone"


def test_cli_error_carries_hint_and_code() -> None:
    err = CliError("bad", hint="do this", code=2)
    assert (str(err), err.hint, err.code) == ("bad", "do this", 2)


# --- cache filters, sorts and targets ------------------------------------------------------------

NOW = 10_000_000.0
DAY = 86400.0
CACHE = [
    {"repo_id": "org/big", "repo_type": "model", "size_on_disk": 5_000_000_000, "last_accessed": NOW - 40 * DAY,
     "last_modified": NOW - 50 * DAY, "refs": ["main"]},
    {"repo_id": "org/small", "repo_type": "model", "size_on_disk": 2_000, "last_accessed": NOW - 3600,
     "last_modified": NOW - 2 * DAY, "refs": ["main", "v1"]},
    {"repo_id": "Other/data", "repo_type": "dataset", "size_on_disk": 30_000_000, "last_accessed": NOW - 10 * DAY,
     "last_modified": NOW - 10 * DAY, "refs": []},
]  # fmt: skip


def _ids(records: list[dict]) -> list[str]:  # type: ignore[type-arg]
    return [r["repo_id"] for r in records]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (["type==model"], ["org/big", "org/small"]),
        (["type=dataset"], ["Other/data"]),
        (["type!=model"], ["Other/data"]),
        (["type==datasets"], ["Other/data"]),
        (["size>1GB"], ["org/big"]),
        (["size<=30MB"], ["org/small", "Other/data"]),
        (["size>1KiB", "size<1MiB"], ["org/small"]),
        (["accessed>30d"], ["org/big"]),
        (["accessed<1d"], ["org/small"]),
        (["modified>=10d"], ["org/big", "Other/data"]),
        (["modified<1w", "type==model"], ["org/small"]),
        (["refs==v1"], ["org/small"]),
        (["refs!=main"], ["Other/data"]),
        (["name==org/*"], ["org/big", "org/small"]),
        (["name!=org/*"], ["Other/data"]),
    ],
)
def test_cache_filters(filters: list[str], expected: list[str]) -> None:
    assert _ids(select(CACHE, filters, None, None, NOW)) == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (None, ["org/big", "org/small", "Other/data"]),  # name, case-insensitive, ascending
        ("name:desc", ["Other/data", "org/small", "org/big"]),
        ("size", ["org/big", "Other/data", "org/small"]),  # biggest first by default
        ("size:asc", ["org/small", "Other/data", "org/big"]),
        ("accessed", ["org/small", "Other/data", "org/big"]),  # most recent first
        ("accessed:asc", ["org/big", "Other/data", "org/small"]),
        ("modified:desc", ["org/small", "Other/data", "org/big"]),
        ("modified:asc", ["org/big", "Other/data", "org/small"]),
    ],
)
def test_cache_sorts(sort: str | None, expected: list[str]) -> None:
    assert _ids(select(CACHE, [], sort, None, NOW)) == expected


def test_cache_limit_applies_after_sorting() -> None:
    assert _ids(select(CACHE, [], "size:asc", 2, NOW)) == ["org/small", "Other/data"]


@pytest.mark.parametrize(
    "bad", ["size", "size>>1", "size>1XB", "type>model", "type==car", "color==red", "accessed==3d", "name>a"]
)
def test_bad_filters_are_refused(bad: str) -> None:
    with pytest.raises(CacheQueryError):
        parse_filter(bad)


def test_sort_and_size_parsing() -> None:
    assert parse_size("1.5GB") == 1_500_000_000 and parse_size("2MiB") == 2 * 1024 * 1024 and parse_size("12") == 12
    assert parse_sort("size")[1] is True and parse_sort("name")[1] is False and parse_sort("name:desc")[1] is True
    for bad in ("color", "size:up"):
        with pytest.raises(CacheQueryError):
            parse_sort(bad)


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("model/org/name", Target("org/name", "model")),
        ("datasets/org/name", Target("org/name", "dataset")),
        ("hf://spaces/org/name", Target("org/name", "space")),
        ("org/name", Target("org/name", "model")),
        ("gpt2", Target("gpt2", "model")),
        ("org/name@v1", Target("org/name", "model", "v1")),
        ("abcdef1234567", Target(None, None, "abcdef1234567")),
    ],
)
def test_rm_targets(text: str, target: Target) -> None:
    assert parse_target(text) == target


def test_rm_target_resolution() -> None:
    def rev(commit: str, *refs: str) -> SimpleNamespace:
        return SimpleNamespace(commit_hash=commit, refs=frozenset(refs))

    a1, a2, b1 = rev("a" * 40, "main"), rev("ab" + "0" * 38), rev("b" * 40, "main")
    repo_a = SimpleNamespace(repo_id="org/a", repo_type="model", revisions=(a1, a2))
    repo_b = SimpleNamespace(repo_id="org/b", repo_type="dataset", revisions=(b1,))
    info = SimpleNamespace(repos=(repo_a, repo_b))
    assert resolve_targets(info, [parse_target("org/a")]) == (set(), [repo_a], [])
    assert resolve_targets(info, [parse_target("org/a@main")]) == ({"a" * 40}, [], [])
    assert resolve_targets(info, [parse_target("bbbbbbb")]) == ({"b" * 40}, [], [])
    assert resolve_targets(info, [parse_target("org/b")]) == (set(), [], ["model/org/b"])  # it is a dataset
    assert resolve_targets(info, [parse_target("dataset/org/b"), parse_target("cccccccc")]) == (
        set(), [repo_b], ["cccccccc"],
    )  # fmt: skip
    twin = SimpleNamespace(repo_id="x/y", repo_type="model", revisions=(rev("a" * 40),))
    with pytest.raises(CliError, match="matches 2 revisions"):  # a short hash must not pick at random
        resolve_targets(SimpleNamespace(repos=(repo_a, twin)), [parse_target("aaaaaaa")])
