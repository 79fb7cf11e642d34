"""git uses the saved token for the Hub's host: hubkit's credential helper, and the user's helpers.

Real ``git`` (``git credential fill``, git's own credential machinery) runs with a private
global config; the hub is a real ``hubkit serve``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from hubkit import HfApi, _auth
from hubkit.auth import (
    auth_switch,
    install_git_credential_helper,
    list_credential_helpers,
    login,
    logout,
    uninstall_git_credential_helper,
)
from hubkit.auth.git_credential import is_helper_installed
from hubserver import admin

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


@pytest.fixture
def git_env(hub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private git configuration (no system or user config leaks in), prompts disabled."""
    config = tmp_path / "gitconfig"
    config.write_text("")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_TERMINAL_PROMPT", "0")
    for name in ("GIT_ASKPASS", "SSH_ASKPASS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.setattr(_auth, "_refresh_memo", None)
    return config


def fill(url: str) -> dict[str, str] | None:
    """What git would send for ``url``: its credential attributes, or None when it has none."""
    out = subprocess.run(["git", "credential", "fill"], input=f"url={url}\n\n", capture_output=True, text=True)
    if out.returncode != 0:
        return None
    return dict(line.split("=", 1) for line in out.stdout.splitlines() if "=" in line)


def test_helper_answers_the_current_token_for_the_hub_only(git_env: Path, hub, tokens, unique: str) -> None:
    second = admin(hub.data_dir, "create-token", "alice", "--name", f"second-{unique}", env=hub.env)
    login(tokens["alice"])
    login(second)
    key = install_git_credential_helper()
    assert key == f"credential.{hub.url}.helper" and is_helper_installed()
    answer = fill(f"{hub.url}/alice/some-repo")
    assert answer is not None and answer["username"] == "hf_user" and answer["password"] == second
    first_name = HfApi(token=tokens["alice"]).whoami()["auth"]["accessToken"]["displayName"]
    auth_switch(first_name)  # git follows the active token at once: nothing was copied to git
    assert (fill(f"{hub.url}/alice/some-repo") or {}).get("password") == tokens["alice"]
    port = urlsplit(hub.url).port
    assert fill(f"http://127.0.0.1:{port + 1}/alice/x") is None  # another host (port): not answered
    assert fill("https://example.com/repo.git") is None
    logout()
    assert fill(f"{hub.url}/alice/some-repo") is None
    uninstall_git_credential_helper()
    assert not is_helper_installed()
    assert "hubkit" not in git_env.read_text()


def test_helper_protocol_directly(git_env: Path, hub, tokens, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_TOKEN", tokens["bob"])  # HF_TOKEN counts, as for every other call

    def helper(*args: str, stdin: str) -> str:
        command = [sys.executable, "-m", "hubkit.auth.git_credential", *args]
        out = subprocess.run(command, input=stdin, capture_output=True, text=True, env=os.environ, check=True)
        return out.stdout

    host = urlsplit(hub.url).netloc
    asked = f"protocol=http\nhost={host}\npath=alice/x.git\n\n"
    assert helper("--endpoint", hub.url, "get", stdin=asked) == f"username=hf_user\npassword={tokens['bob']}\n"
    assert helper("get", stdin=asked).endswith(f"password={tokens['bob']}\n")  # HF_ENDPOINT by default
    assert helper("--endpoint", hub.url, "get", stdin=f"protocol=https\nhost={host}\n\n") == ""  # other scheme
    assert helper("--endpoint", hub.url, "get", stdin="protocol=http\nhost=evil.example\n\n") == ""
    assert helper("--endpoint", hub.url, "store", stdin=asked + "username=x\npassword=y\n") == ""
    assert helper("--endpoint", hub.url, "erase", stdin=asked) == ""


def test_login_hands_the_token_to_configured_helpers(git_env: Path, hub, tokens, tmp_path: Path) -> None:
    store = tmp_path / "git-credentials"
    subprocess.run(["git", "config", "--global", "credential.helper", f"store --file {store}"], check=True)
    assert list_credential_helpers() == ["store"]
    login(tokens["alice"], add_to_git_credential=True)
    assert store.read_text().startswith(f"http://hf_user:{tokens['alice']}@127.0.0.1")
    assert (fill(f"{hub.url}/alice/x") or {}).get("password") == tokens["alice"]  # git's store answers it
    assert not is_helper_installed()  # the user's helper is used, not hubkit's
    logout()
    assert tokens["alice"] not in store.read_text()


def test_login_installs_hubkits_helper_when_git_has_none(git_env: Path, hub, tokens) -> None:
    assert list_credential_helpers() == []
    login(tokens["alice"], add_to_git_credential=True)
    assert is_helper_installed()
    assert tokens["alice"] not in git_env.read_text()  # the config names a command, never the token
    assert (fill(f"{hub.url}/alice/x") or {}).get("password") == tokens["alice"]
