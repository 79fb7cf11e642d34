"""The ``hubkit`` command as a user runs it: a subprocess against a real ``hubkit serve``.

Every command group is driven end to end; JSON output is parsed back and compared with what
the Hub holds. The ``cli`` fixture (also used by ``test_cli_cache``) runs ``python -m hubkit``
with ``HF_ENDPOINT``, ``HF_TOKEN``, ``HF_HOME`` and ``HF_HUB_CACHE`` set for the test.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import hubkit
from hubserver import ALICE, BOB

GROUPS = ["auth", "download", "upload", "upload-large-folder", "repos", "files", "models", "datasets", "spaces",
          "discussions", "cache", "env", "version", "completion", "serve", "admin"]  # fmt: skip


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)

    @property
    def last_line(self) -> str:
        return self.stdout.strip().splitlines()[-1]


@dataclass
class Cli:
    """Runs ``hubkit`` in a subprocess with this test's Hub, token, HF_HOME and cache."""

    endpoint: str
    home: Path
    cache: Path
    token: str | None = ALICE

    def env(self, token: str | None, extra: dict[str, str] | None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("HF_TOKEN", "COLUMNS")}
        env.update(HF_ENDPOINT=self.endpoint, HF_HOME=str(self.home), HF_HUB_CACHE=str(self.cache))
        if token:
            env["HF_TOKEN"] = token
        env.update(extra or {})
        return env

    def __call__(self, *args: str, token: str | bool | None = True, input: str = "", expect: int | None = 0,
                 env: dict[str, str] | None = None) -> Result:  # fmt: skip
        tok = self.token if token is True else (None if token is False else token)
        proc = subprocess.run(
            [sys.executable, "-m", "hubkit", *args], input=input, capture_output=True, text=True,
            env=self.env(tok, env), timeout=180,
        )  # fmt: skip
        result = Result(proc.returncode, proc.stdout, proc.stderr)
        if expect is not None:
            assert result.code == expect, f"hubkit {' '.join(args)} -> {result.code}\n{result.stdout}\n{result.stderr}"
        return result

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, "-m", "hubkit", *args], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=self.env(self.token, None))  # fmt: skip


@pytest.fixture
def cli(hub, tmp_path: Path) -> Cli:
    return Cli(hub.url, tmp_path / "hf_home", tmp_path / "cache")


def one_clear_error(result: Result, code: int, text: str) -> None:
    """An error is one ``Error:`` line (plus an optional ``Hint:``), never a traceback."""
    assert result.code == code, (result.code, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert lines[-2 if lines[-1].startswith("Hint:") else -1].startswith("Error: "), result.stderr
    assert text in result.stderr and "Traceback" not in result.stderr


# --- startup, help, laziness ---------------------------------------------------------------------


def test_help_lists_every_group_and_the_exit_codes(cli: Cli) -> None:
    text = cli("--help").stdout
    for group in GROUPS:
        assert f"\n    {group} " in text or f"\n    {group}\n" in text, group
    assert "exit codes:" in text and "130" in text
    assert cli("--version").stdout.strip() == f"hubkit {hubkit.__version__}"
    assert cli("version").stdout.strip() == f"hubkit {hubkit.__version__}"
    assert cli("repos").stdout.startswith("usage: hubkit repos")  # a group alone shows its help
    bad = cli("repos", "frobnicate", expect=2)
    assert "invalid choice" in bad.stderr


_MODULES = """
import sys
from hubkit.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(sorted(m for m in sys.modules if m.startswith(("hubkit", "httpx"))))
"""


@pytest.mark.parametrize(
    ("argv", "group_module"),
    [([], None), (["auth", "--help"], "auth"), (["download", "--help"], "download"), (["repos", "--help"], "repos"),
     (["spaces", "ls", "--help"], "browse"), (["cache", "ls"], "cache"), (["version"], "system")],
)  # fmt: skip
def test_imports_are_lazy(cli: Cli, argv: list[str], group_module: str | None) -> None:
    out = subprocess.run([sys.executable, "-c", _MODULES, *(argv or ["--help"])], capture_output=True, text=True,
                         env=cli.env(None, None), check=True).stdout  # fmt: skip
    modules = set(json.loads(out.strip().splitlines()[-1].replace("'", '"')))
    assert "httpx" not in modules and "hubkit.api" not in modules, modules
    groups = {m.rsplit(".", 1)[1] for m in modules if m.startswith("hubkit.cli.") and m.split(".")[-1][0] != "_"}
    assert groups - {"main"} == ({group_module} if group_module else set())


# --- auth ----------------------------------------------------------------------------------------


def test_auth_login_list_switch_token_logout(cli: Cli, hub, tokens: dict[str, str]) -> None:
    one_clear_error(cli("auth", "whoami", token=False, expect=4), 4, "Not logged in")
    cli("auth", "login", "--token", tokens["alice"], token=False)
    cli("auth", "login", "--token", "-", token=False, input=tokens["bob"] + "\n")
    listed = cli("auth", "list", "--format", "json", token=False).json()
    assert {t["active"] for t in listed} == {True, False} and len(listed) == 2
    assert all(tokens["alice"] not in json.dumps(t) and tokens["bob"] not in json.dumps(t) for t in listed)
    active = next(t["name"] for t in listed if t["active"])
    other = next(t["name"] for t in listed if not t["active"])
    assert cli("auth", "whoami", "--format", "json", token=False).json()["name"] == "bob"
    cli("auth", "switch", "--token-name", other, token=False)
    assert cli("auth", "whoami", token=False).stdout.splitlines()[0].split() == ["user", "alice"]
    assert cli("auth", "token", token=False).stdout.strip() == tokens["alice"]
    assert cli("auth", "ls", "-q", token=False).stdout.split() == [t["name"] for t in listed]
    one_clear_error(cli("auth", "switch", "--token-name", "nope", token=False, expect=3), 3, "nope")
    cli("auth", "logout", "--token-name", active, token=False)
    assert cli("auth", "list", "-q", token=False).stdout.split() == [other]
    cli("auth", "logout", token=False)
    assert "No saved tokens" in cli("auth", "list", token=False).stderr
    one_clear_error(cli("auth", "login", "--token", "hf_invalid", token=False, expect=4), 4, "Error")
    one_clear_error(cli("auth", "login", token=False, expect=2), 2, "no terminal")


def test_logins_are_shared_with_hf(cli: Cli, tokens: dict[str, str]) -> None:
    hf = str(Path(sys.executable).parent / "hf")
    env = cli.env(None, {"NO_COLOR": "1"})
    cli("auth", "login", "--token", tokens["alice"], token=False)
    seen = subprocess.run([hf, "auth", "whoami"], capture_output=True, text=True, env=env, check=True)
    assert "alice" in seen.stdout
    subprocess.run([hf, "auth", "login", "--token", tokens["bob"]], capture_output=True, env=env, check=True)
    assert cli("auth", "whoami", "--format", "json", token=False).json()["name"] == "bob"
    assert len(cli("auth", "list", "-q", token=False).stdout.split()) == 2


# --- repos, branches, tags -----------------------------------------------------------------------


def test_repos_lifecycle(cli: Cli, api: hubkit.HfApi, unique: str) -> None:
    repo = f"alice/cli-repo-{unique}"
    made = cli("repos", "create", repo, "--private", "--format", "json").json()
    assert made == {"url": f"{cli.endpoint}/{repo}", "repo_id": repo, "repo_type": "model"}
    assert api.model_info(repo).private is True
    one_clear_error(cli("repos", "create", repo, expect=1), 1, "Conflict")
    cli("repos", "create", repo, "--exist-ok")
    cli("repos", "settings", repo, "--public")
    assert cli("models", "info", repo, "--format", "json").json()["private"] is False
    cli("repos", "settings", repo, "--gated", "manual")
    assert api.model_info(repo).gated == "manual"
    one_clear_error(cli("repos", "settings", repo, expect=2), 2, "Nothing to change")

    api.upload_file(path_or_fileobj=b"one", path_in_repo="f.txt", repo_id=repo)
    cli("repos", "branch", "create", repo, "dev")
    cli("repos", "tag", "create", repo, "v1", "-m", "first", "--revision", "dev")
    refs = cli("repos", "tag", "list", repo, "--branches", "--format", "json").json()
    assert {(r["name"], r["kind"]) for r in refs} == {("v1", "tag"), ("dev", "branch"), ("main", "branch")}
    assert cli("repos", "tag", "ls", repo, "-q").stdout.split() == ["v1"]
    one_clear_error(cli("repos", "tag", "delete", repo, "v1", input="n\n", expect=1), 1, "Aborted")
    cli("repos", "tag", "delete", repo, "v1", "--yes")
    cli("repos", "branch", "delete", repo, "dev", input="y\n")
    refs_after = api.list_repo_refs(repo)
    assert refs_after.tags == [] and [b.name for b in refs_after.branches] == ["main"]

    moved = f"acme/cli-moved-{unique}"
    cli("repos", "move", repo, moved)
    assert api.model_info(moved).id == moved  # the old name now redirects, as on the Hub
    assert moved in cli("repos", "ls", "--namespace", "acme", "-q").stdout.split()
    one_clear_error(cli("repos", "delete", moved, expect=1), 1, "Aborted")  # empty stdin: no
    assert api.repo_exists(moved)
    cli("repos", "delete", moved, "--yes")
    assert not api.repo_exists(moved)
    one_clear_error(cli("repos", "delete", moved, "--yes", expect=3), 3, f"Repository not found: {moved}")
    cli("repos", "delete", moved, "--yes", "--missing-ok")


def test_space_and_dataset_repos(cli: Cli, api: hubkit.HfApi, unique: str) -> None:
    one_clear_error(cli("repos", "create", f"alice/sp-{unique}", "--repo-type", "space", expect=2), 2, "SDK")
    cli("repos", "create", f"alice/sp-{unique}", "--type", "space", "--space-sdk", "static")
    cli("repos", "create", f"datasets/alice/ds-{unique}")
    assert api.space_info(f"alice/sp-{unique}").sdk == "static"
    assert api.repo_exists(f"alice/ds-{unique}", repo_type="dataset")


# --- upload and download -------------------------------------------------------------------------


def test_upload_and_download_round_trip(cli: Cli, api: hubkit.HfApi, unique: str, tmp_path: Path) -> None:
    repo = f"alice/cli-up-{unique}"
    single = tmp_path / "single.txt"
    single.write_bytes(b"x" * 100)
    url = cli("upload", repo, str(single)).last_line  # creates the repo
    assert url.startswith(f"{cli.endpoint}/{repo}/commit/")
    folder = tmp_path / "folder"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.json").write_text("{}")
    (folder / "b.txt").write_text("b")
    (folder / "sub" / "c.json").write_text("[]")
    info = cli("upload", repo, str(folder), "data", "--include", "*.json", "--commit-message", "json only",
               "--format", "json").json()  # fmt: skip
    assert info["commit_message"] == "json only" and len(info["oid"]) == 40
    assert sorted(api.list_repo_files(repo)) == [".gitattributes", "data/a.json", "data/sub/c.json", "single.txt"]
    cli("upload", repo, str(folder), "data", "--exclude", "sub/*", "--delete", "sub/*", "-q")
    assert sorted(api.list_repo_files(repo)) == [".gitattributes", "data/a.json", "data/b.txt", "single.txt"]

    path = cli("download", repo, "single.txt", "--quiet").last_line
    assert Path(path).read_bytes() == b"x" * 100 and str(cli.cache) in path
    dry = cli("download", repo, "--dry-run", "--format", "json").json()
    assert {d["filename"]: d["will_download"] for d in dry} == {
        ".gitattributes": True, "data/a.json": True, "data/b.txt": True, "single.txt": False,
    }  # fmt: skip
    assert "will_download" not in cli("download", repo, "--dry-run").stdout  # a table, with a summary
    snapshot = Path(cli("download", repo, "--include", "data/*", "-q").last_line)
    assert sorted(p.name for p in snapshot.rglob("*") if p.is_file()) == ["a.json", "b.txt", "single.txt"]
    local = tmp_path / "local"
    cli("download", repo, "data/a.json", "data/b.txt", "--local-dir", str(local), "-q")
    assert (local / "data" / "b.txt").read_text() == "b" and not (local / "single.txt").exists()
    other_cache = tmp_path / "other-cache"
    got = cli("download", f"models/{repo}", "single.txt", "--cache-dir", str(other_cache), "--format", "json").json()
    assert got["path"].startswith(str(other_cache))

    pr = cli("upload", repo, str(single), "pr/single.txt", "--create-pr").last_line
    assert "/discussions/" in pr
    pulls = cli("discussions", "ls", repo, "--kind", "pull_request", "--format", "json").json()
    assert [p["url"] for p in pulls] == [pr] and pulls[0]["git_reference"] == f"refs/pr/{pulls[0]['num']}"
    assert "pr/single.txt" not in api.list_repo_files(repo)

    cli("upload", repo, str(single), "on-dev.txt", "--revision", "dev")  # the branch is created
    assert "on-dev.txt" in api.list_repo_files(repo, revision="dev")

    one_clear_error(cli("upload", repo, str(tmp_path / "missing"), expect=3), 3, "No such file")


def test_download_errors_are_one_line(cli: Cli, unique: str) -> None:
    one_clear_error(cli("download", f"alice/nothing-{unique}", "x.txt", expect=3), 3, "Repository not found")
    repo = f"alice/cli-dlerr-{unique}"
    cli("repos", "create", repo)
    one_clear_error(cli("download", repo, "nope.txt", expect=3), 3, "File not found")
    one_clear_error(cli("download", repo, "x", "--revision", "nope", expect=3), 3, "Revision not found")
    one_clear_error(cli("download", "not a repo", "x", expect=2), 2, "Error")
    debug = cli("download", repo, "nope.txt", "--debug", expect=1)
    assert "Traceback" in debug.stderr
    debug_env = cli("download", repo, "nope.txt", env={"HF_DEBUG": "1"}, expect=1)
    assert "Traceback" in debug_env.stderr
    private = f"alice/cli-private-{unique}"
    cli("repos", "create", private, "--private")
    one_clear_error(cli("download", private, "x", token=BOB, expect=3), 3, "Repository not found")
    one_clear_error(cli("repos", "create", f"alice/x-{unique}", token="hf_wrong", expect=4), 4, "Not authenticated")
    one_clear_error(cli("repos", "delete", repo, "--yes", token=BOB, expect=4), 4, "Not allowed")


def test_unreachable_hub_is_one_line(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    # in-process, where the suite makes retry pauses instant (a subprocess would wait ~20 s)
    from hubkit.cli.main import main
    from hubserver import free_port

    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setattr("hubkit.cli.main._setup_reporting", lambda debug: None)  # process-wide: not in pytest
    assert main(["models", "ls"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-2].startswith("Error: Cannot reach the Hub at http://127.0.0.1:") and err[-1].startswith("Hint:")


def test_upload_every_pushes_until_stopped(cli: Cli, api: hubkit.HfApi, unique: str, tmp_path: Path) -> None:
    repo = f"alice/cli-every-{unique}"
    watched = tmp_path / "watched"
    watched.mkdir()
    (watched / "one.txt").write_text("1")
    proc = cli.popen("upload", repo, str(watched), "--every", "0.005")  # 0.3 s
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if api.repo_exists(repo) and "one.txt" in api.list_repo_files(repo):
                break
            time.sleep(0.2)
        else:
            pytest.fail("the first scheduled push never came")
        (watched / "two.txt").write_text("2")
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Stopped." in err and "Traceback" not in err
    assert {"one.txt", "two.txt"} <= set(api.list_repo_files(repo))  # the last push happened


def test_upload_large_folder(cli: Cli, api: hubkit.HfApi, unique: str, tmp_path: Path) -> None:
    repo = f"alice/cli-large-{unique}"
    folder = tmp_path / "large"
    for i in range(12):
        (folder / f"d{i % 3}").mkdir(parents=True, exist_ok=True)
        (folder / f"d{i % 3}" / f"f{i}.txt").write_text(str(i) * (i + 1))
    (folder / "skip.log").write_text("no")
    cli("upload-large-folder", repo, str(folder), "--exclude", "*.log", "--no-report", "--no-bars")
    files = set(api.list_repo_files(repo))
    assert {f"d{i % 3}/f{i}.txt" for i in range(12)} <= files and "skip.log" not in files
    one_clear_error(cli("upload-large-folder", repo, str(folder / "nope"), expect=3), 3, "Not a folder")


# --- files ---------------------------------------------------------------------------------------


def test_files_ls_and_delete(cli: Cli, api: hubkit.HfApi, unique: str) -> None:
    repo = f"alice/cli-files-{unique}"
    api.create_repo(repo)
    for path in ("keep.txt", "logs/a.log", "logs/b.log", "weights/model.bin", "weights/other.bin"):
        api.upload_file(path_or_fileobj=path.encode() * 10, path_in_repo=path, repo_id=repo)
    top = cli("files", "ls", repo, "--format", "json").json()
    assert {(f["path"], f["type"]) for f in top} == {
        (".gitattributes", "file"), ("keep.txt", "file"), ("logs", "folder"), ("weights", "folder"),
    }  # fmt: skip
    everything = cli("repo-files", "ls", repo, "-R", "--format", "csv").stdout
    rows = {r["path"]: r for r in csv.DictReader(io.StringIO(everything))}
    assert rows["weights/model.bin"]["lfs"] and rows["weights/model.bin"]["size"] == "170"
    assert cli("files", "ls", repo, "logs", "-q").stdout.split() == ["logs/a.log", "logs/b.log"]
    assert cli("models", "ls", repo, "-R", "-q").stdout.split() == sorted(rows)

    one_clear_error(cli("files", "delete", repo, "*.log", expect=1), 1, "Aborted")
    assert "logs/a.log" in cli("files", "delete", repo, "*.log", input="n\n", expect=1).stderr  # listed first
    url = cli("files", "delete", repo, "*.log", "weights/model.bin", "--yes", "--commit-message", "clean").last_line
    assert url.startswith(f"{cli.endpoint}/{repo}/commit/")
    assert sorted(api.list_repo_files(repo)) == [".gitattributes", "keep.txt", "weights/other.bin"]
    pr = cli("files", "rm", repo, "weights/", "--create-pr", "-y", "--format", "json").json()
    assert pr["deleted"] == ["weights/other.bin"] and "/discussions/" in pr["pr_url"]
    assert "weights/other.bin" in api.list_repo_files(repo)
    one_clear_error(cli("files", "delete", repo, "nothing*", "-y", expect=3), 3, "No file")


# --- models, datasets, spaces --------------------------------------------------------------------


def test_listing_and_info(cli: Cli, api: hubkit.HfApi, unique: str) -> None:
    long_name = f"alice/{unique}-" + "n" * 80
    for name in (f"alice/{unique}-a", f"alice/{unique}-b", long_name):
        api.create_repo(name)
    api.upload_file(path_or_fileobj=b"x", path_in_repo="x.txt", repo_id=f"alice/{unique}-b")
    api.like(f"alice/{unique}-b")
    api.create_repo(f"alice/{unique}-ds", repo_type="dataset")
    api.create_repo(f"alice/{unique}-sp", repo_type="space", space_sdk="static")

    found = cli("models", "ls", "--search", unique, "--format", "json").json()
    assert sorted(m["id"] for m in found) == sorted([f"alice/{unique}-a", f"alice/{unique}-b", long_name])
    assert all(m["author"] == "alice" for m in found)
    assert cli("models", "ls", "--search", unique, "--sort", "likes", "--limit", "1", "-q").stdout.split() == [
        f"alice/{unique}-b"
    ]
    rows = list(csv.DictReader(io.StringIO(cli("models", "ls", "--search", unique, "--format", "csv").stdout)))
    assert {r["id"] for r in rows} == {m["id"] for m in found} and set(rows[0]) >= {"id", "likes", "downloads"}
    narrow = cli("models", "list", "--search", unique, env={"COLUMNS": "40"}).stdout
    assert long_name in narrow  # never cut to the terminal's width
    cut = cli("models", "ls", "--search", unique, "--truncate", env={"COLUMNS": "70"}).stdout
    assert long_name not in cut and all(len(line) <= 70 for line in cut.splitlines())
    limited = cli("models", "ls", "--search", unique, "--limit", "2")
    assert "pass --limit N for more" in limited.stderr

    assert cli("datasets", "ls", "--author", "alice", "--search", unique, "-q").stdout.split() == [f"alice/{unique}-ds"]
    spaces = cli("spaces", "ls", "--search", unique, "--format", "json").json()
    assert [(s["id"], s["sdk"]) for s in spaces] == [(f"alice/{unique}-sp", "static")]
    assert "No models found" in cli("models", "ls", "--search", f"{unique}-none").stderr
    assert cli("models", "ls", "--search", f"{unique}-none", "--format", "json").json() == []

    info = cli("models", "info", f"alice/{unique}-b", "--format", "json").json()
    assert info["id"] == f"alice/{unique}-b" and info["likes"] == 1 and len(info["sha"]) == 40
    assert [s["rfilename"] for s in info["siblings"]] == [".gitattributes", "x.txt"]
    text = cli("models", "info", f"alice/{unique}-b").stdout
    assert text.splitlines()[0].split() == ["id", f"alice/{unique}-b"] and "files" in text
    assert cli("datasets", "info", f"alice/{unique}-ds", "--format", "json").json()["id"] == f"alice/{unique}-ds"
    assert cli("spaces", "info", f"alice/{unique}-sp", "--format", "json").json()["sdk"] == "static"
    one_clear_error(cli("datasets", "info", f"alice/{unique}-a", expect=3), 3, "Repository not found")


# --- discussions ---------------------------------------------------------------------------------


def test_discussions(cli: Cli, api: hubkit.HfApi, unique: str, tmp_path: Path) -> None:
    repo = f"alice/cli-disc-{unique}"
    api.create_repo(repo)
    api.upload_file(path_or_fileobj=b"base", path_in_repo="base.txt", repo_id=repo)
    url = cli("discussions", "create", repo, "--title", "A question", "--body", "Why?").last_line
    num = int(url.rsplit("/", 1)[1])
    body = tmp_path / "body.md"
    body.write_text("Because **markdown**.")
    cli("discussions", "comment", repo, str(num), "--body-file", str(body), token=BOB)
    cli("discussions", "comment", repo, str(num), "--body-file", "-", input="From stdin.")
    one_clear_error(cli("discussions", "comment", repo, str(num), expect=2), 2, "empty")
    info = cli("discussions", "info", repo, str(num), "--format", "json").json()
    comments = [(e["author"], e["content"]) for e in info["events"] if e["type"] == "comment"]
    assert comments == [("alice", "Why?"), ("bob", "Because **markdown**."), ("alice", "From stdin.")]
    assert info["kind"] == "discussion" and info["title"] == "A question"
    text = cli("discussions", "info", repo, str(num)).stdout
    assert "--- bob" in text and "Because **markdown**." in text

    pr_url = cli("discussions", "create", repo, "--title", "Add file", "--pr").last_line
    pr = int(pr_url.rsplit("/", 1)[1])
    api.upload_file(path_or_fileobj=b"new", path_in_repo="new.txt", repo_id=repo, revision=f"refs/pr/{pr}")
    listed = cli("discussions", "ls", repo, "--format", "json").json()
    assert {(d["num"], d["kind"]) for d in listed} == {(num, "discussion"), (pr, "pull_request")}
    assert cli("discussions", "ls", repo, "-k", "discussion", "-q").stdout.split() == [str(num)]
    assert "new.txt" in cli("discussions", "diff", repo, str(pr)).stdout
    one_clear_error(cli("discussions", "diff", repo, str(num), expect=3), 3, "not a pull request")

    one_clear_error(cli("discussions", "close", repo, str(num), expect=1), 1, "Aborted")
    cli("discussions", "close", repo, str(num), "--comment", "Answered.", "--yes")
    assert cli("discussions", "ls", repo, "--status", "closed", "-q").stdout.split() == [str(num)]
    cli("discussions", "reopen", repo, str(num), "-y")
    cli("discussions", "rename", repo, str(num), "Renamed question")
    assert api.get_discussion_details(repo, num).title == "Renamed question"
    cli("discussions", "merge", repo, str(pr), "--yes")
    assert "new.txt" in api.list_repo_files(repo)
    assert cli("discussions", "ls", repo, "-s", "merged", "-q").stdout.split() == [str(pr)]
    one_clear_error(cli("discussions", "info", repo, "999", expect=3), 3, "Not found")


# --- env, completion, serve/admin ----------------------------------------------------------------


def test_env_reports_settings_without_the_token(cli: Cli) -> None:
    data = cli("env", "--format", "json").json()
    assert data["endpoint"] == cli.endpoint and data["hub_cache"] == str(cli.cache)
    assert data["token"] == "HF_TOKEN" and ALICE not in json.dumps(data)
    assert data["packages"]["httpx"] and data["hubkit"] == hubkit.__version__
    assert cli("env").stdout.splitlines()[0].split() == ["hubkit", hubkit.__version__]


def _bash_complete(script: str, line: str) -> list[str]:
    words = line.split(" ")
    program = f"""{script}
COMP_WORDS=({" ".join(repr(w) for w in words)})
COMP_CWORD={len(words) - 1}
_hubkit
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    out = subprocess.run(["bash", "-c", program], capture_output=True, text=True, check=True).stdout
    return [w for w in out.splitlines() if w]


def test_bash_completion(cli: Cli) -> None:
    script = cli("completion", "bash").stdout
    assert _bash_complete(script, "hubkit re") == ["repos", "repo-files"]
    assert _bash_complete(script, "hubkit repos tag ") == ["create", "delete", "list", "ls"]
    assert _bash_complete(script, "hubkit download org/x --repo-type d") == ["dataset"]
    assert "--include" in _bash_complete(script, "hubkit download org/x --inc")
    assert _bash_complete(script, "hubkit cache ls --format ") == ["table", "json", "csv"]
    assert _bash_complete(script, "hubkit download org/x ") == []  # file names, by the shell


_ZSH_STUBS = """
compdef() { :; }
compadd() { shift; print -l -- "$@"; }
_files() { print FILES; }
"""


def _zsh_complete(script: str, zsh: str, line: str) -> list[str]:
    words = line.split(" ")
    program = f"{_ZSH_STUBS}\n{script}\nwords=({' '.join(repr(w) for w in words)})\nCURRENT={len(words)}\n_hubkit\n"
    return subprocess.run([zsh, "-f", "-c", program], capture_output=True, text=True, check=True).stdout.split()


def _fish_complete(script: str, fish: str, line: str) -> list[str]:
    program = f"{script}\ncomplete -C{line!r}\n"
    out = subprocess.run([fish, "--no-config", "-c", program], capture_output=True, text=True, check=True).stdout
    return [w.split("\t")[0] for w in out.splitlines() if w]


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_completion(cli: Cli, shell: str) -> None:
    script = cli("completion", shell).stdout
    assert "repos" in script and "--repo-type" in script and "dataset" in script
    binary = shutil.which(shell)
    if binary is None:
        pytest.skip(f"{shell} is not installed: only the script's content is checked")
    subprocess.run([binary, "-n"], input=script, text=True, check=True)
    complete = _zsh_complete if shell == "zsh" else _fish_complete
    # zsh's compadd filters by the word being completed; the stub shows every candidate
    assert complete(script, binary, "hubkit repos tag ") == ["create", "delete", "list", "ls"]
    assert "dataset" in complete(script, binary, "hubkit download org/x --repo-type d")
    assert "--format" in complete(script, binary, "hubkit cache ls --fo")
    if shell == "fish":
        assert complete(script, binary, "hubkit re") == ["repos", "repo-files"]
    else:
        assert complete(script, binary, "hubkit download org/x ") == ["FILES"]


def test_serve_and_admin_keep_their_options(cli: Cli, tmp_path: Path) -> None:
    serve = cli("serve", "--help").stdout
    for option in ("--host", "--port", "--data-dir", "--public-url", "--database-url", "--storage-url", "--workers",
                   "--access-log"):  # fmt: skip
        assert option in serve
    admin = cli("admin", "--help").stdout
    for action in ("create-user", "create-org", "create-token", "migrate", "gc"):
        assert action in admin
    data = tmp_path / "data"
    assert cli("admin", "create-user", "zed", "--data-dir", str(data)).stdout.strip() == "Created user zed"
    err = cli("admin", "create-user", "zed", "--data-dir", str(data), expect=1)
    assert err.stderr.startswith("Error:") and "Traceback" not in err.stderr


def test_transfers_show_progress_bars_unless_quiet(cli: Cli, unique: str, tmp_path: Path) -> None:
    # HF_HUB_DISABLE_PROGRESS_BARS=0 forces the bars on without a terminal (they go to stderr)
    forced = {"HF_HUB_DISABLE_PROGRESS_BARS": "0"}
    repo = f"alice/cli-bars-{unique}"
    data = tmp_path / "w.bin"
    data.write_bytes(os.urandom(2_000_000))
    up = cli("upload", repo, str(data), env=forced)
    assert "100%" in up.stderr and up.last_line.startswith(cli.endpoint)
    down = cli("download", repo, "w.bin", env=forced)
    assert "w.bin: 100%" in down.stderr and Path(down.last_line).read_bytes() == data.read_bytes()
    quiet = cli("download", repo, "w.bin", "--force-download", "-q", env=forced)
    assert "100%" not in quiet.stderr and quiet.stdout.strip() == down.last_line
