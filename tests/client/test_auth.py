"""login / logout / auth_switch / auth_list against a real ``hubkit serve``, and token files shared
with the real huggingface_hub in both directions (run in a subprocess with the same ``HF_HOME``).
"""

from __future__ import annotations

import configparser
import json
import logging
import os
import stat
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

import hubkit
from hubkit import HfApi, _auth
from hubkit._http import build_hf_headers
from hubkit.auth import _login as login_module
from hubkit.auth import auth_list, auth_switch, get_stored_tokens, get_token, interpreter_login, login, logout
from hubkit.errors import HfHubHTTPError, LocalTokenNotFoundError
from hubserver import admin


@pytest.fixture
def home(hub, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HF_HOME (per test, from the root conftest) with HF_ENDPOINT pointing at our hub."""
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.setattr(_auth, "_refresh_memo", None)
    return Path(os.environ["HF_HOME"])


@pytest.fixture
def named(hub, unique: str) -> dict[str, str]:
    """Two tokens of alice with names (the names login stores them under)."""
    out = {}
    for name in (f"laptop {unique}", f"ci-{unique}"):  # names may contain spaces
        out[name] = admin(hub.data_dir, "create-token", "alice", "--name", name, env=hub.env)
    return out


def real_hf(code: str, **env: str) -> Any:
    """Run code with the real huggingface_hub in a fresh interpreter; returns what it prints (JSON)."""
    full_env = {**os.environ, **env}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full_env, check=False)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def read_ini(path: Path) -> dict[str, dict[str, str]]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path, encoding="utf-8")
    return {s: dict(parser.items(s)) for s in parser.sections()}


def test_login_writes_the_files_huggingface_hub_uses(home: Path, named: dict[str, str]) -> None:
    home.mkdir(mode=0o755, parents=True)  # an existing, too open folder gets tightened
    name, token = next(iter(named.items()))
    login(token)
    token_file, stored = home / "token", home / "stored_tokens"
    assert token_file.read_bytes() == token.encode()  # no newline
    assert read_ini(stored) == {name: {"hf_token": token}}
    text = stored.read_text()
    assert text == f"[{name}]\nhf_token = {token}\n\n"
    if os.name == "posix":
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        assert stat.S_IMODE(stored.stat().st_mode) == 0o600
        assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert get_token() == token and get_stored_tokens() == {name: token}
    assert HfApi().whoami()["name"] == "alice"  # the saved token is used implicitly
    assert hubkit.whoami()["name"] == "alice"


def _token_name(token: str) -> str:
    """The name the hub gave a token (provisioned without --name: a distinct generated one)."""
    return str(HfApi(token=token).whoami()["auth"]["accessToken"]["displayName"])


def test_login_names_and_refusals(home: Path, tokens: dict[str, str]) -> None:
    bob, alice_read = _token_name(tokens["bob"]), _token_name(tokens["alice_read"])
    login(tokens["bob"])  # saved under the name the hub gives the token
    assert get_stored_tokens() == {bob: tokens["bob"]}
    with pytest.raises(ValueError, match="organization"):
        login("api_org_abcdefghijklmnop")
    with pytest.raises(HfHubHTTPError):
        login("hf_thisTokenDoesNotExist00000")
    assert get_stored_tokens() == {bob: tokens["bob"]} and get_token() == tokens["bob"]
    login(f"  {tokens['alice_read']}\n")  # pasted with blanks
    assert get_stored_tokens() == {bob: tokens["bob"], alice_read: tokens["alice_read"]}
    assert (home / "token").read_text() == tokens["alice_read"]


def test_real_huggingface_hub_reads_a_hubkit_login(home: Path, hub, named: dict[str, str]) -> None:
    (first, first_token), (second, second_token) = named.items()
    login(first_token)
    login(second_token)
    seen = real_hf(
        "import json, huggingface_hub as h; from huggingface_hub.utils import get_stored_tokens;"
        "print(json.dumps([h.get_token(), get_stored_tokens(), h.whoami()['name']]))"
    )
    assert seen == [second_token, {first: first_token, second: second_token}, "alice"]
    # huggingface_hub switches between tokens hubkit stored, and hubkit follows
    real_hf(f"import huggingface_hub as h; h.auth_switch({first!r}); print(1)")
    assert get_token() == first_token


def test_hubkit_reads_a_real_huggingface_hub_login(home: Path, hub, named: dict[str, str], capsys) -> None:
    (first, first_token), (second, second_token) = named.items()
    real_hf(f"import huggingface_hub as h; h.login({first_token!r}); h.login({second_token!r}); print(1)")
    assert get_token() == second_token
    assert get_stored_tokens() == {first: first_token, second: second_token}
    auth_switch(first)
    assert get_token() == first_token
    assert real_hf("import json, huggingface_hub as h; print(json.dumps(h.get_token()))") == first_token
    logout(first)  # the active one: the token file goes too
    seen = real_hf(
        "import json, huggingface_hub as h; from huggingface_hub.utils import get_stored_tokens;"
        "print(json.dumps([h.get_token(), get_stored_tokens()]))"
    )
    assert seen == [None, {second: second_token}]


def test_logout(home: Path, named: dict[str, str], monkeypatch: pytest.MonkeyPatch, caplog) -> None:
    (first, first_token), (second, second_token) = named.items()
    login(first_token)
    login(second_token)
    logout(first)  # not the active one: the token file stays
    assert get_stored_tokens() == {second: second_token} and get_token() == second_token
    with pytest.raises(ValueError, match="not found"):
        logout("no such name")
    logout()
    assert not (home / "token").exists() and not (home / "stored_tokens").exists()
    with caplog.at_level(logging.WARNING):
        logout()
    assert "Not logged in" in caplog.text
    login(first_token)
    monkeypatch.setenv("HF_TOKEN", first_token)
    with pytest.raises(OSError, match="HF_TOKEN"):
        logout()
    assert not (home / "token").exists()


def test_auth_switch_and_list(home: Path, named: dict[str, str], capsys, caplog) -> None:
    (first, first_token), (second, second_token) = named.items()
    with caplog.at_level(logging.INFO):
        auth_list()
    assert "No access tokens" in caplog.text
    login(first_token)
    login(second_token)
    capsys.readouterr()
    auth_list()
    out = capsys.readouterr().out
    assert first_token not in out and second_token not in out  # never the secret itself
    assert f"{second_token[:3]}****{second_token[-4:]}" in out and first in out
    active = [line for line in out.splitlines() if line.startswith("*")]
    assert len(active) == 1 and second in active[0]
    auth_switch(first)
    assert get_token() == first_token
    with pytest.raises(ValueError, match="not found"):
        auth_switch("unknown")


def test_token_discovery_order(home: Path, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    login(tokens["alice"])
    monkeypatch.setenv("HUGGING_FACE_HUB_TOKEN", tokens["bob"])
    assert get_token() == tokens["bob"]
    monkeypatch.setenv("HF_TOKEN", tokens["alice_read"])
    assert get_token() == tokens["alice_read"]  # HF_TOKEN first, then the legacy name, then the file
    assert HfApi().whoami()["auth"]["accessToken"]["role"] == "read"
    monkeypatch.delenv("HF_TOKEN")
    monkeypatch.delenv("HUGGING_FACE_HUB_TOKEN")
    monkeypatch.setenv("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")
    assert "authorization" not in build_hf_headers()
    assert build_hf_headers(token=True)["authorization"] == f"Bearer {tokens['alice']}"
    monkeypatch.delenv("HF_HUB_DISABLE_IMPLICIT_TOKEN")
    custom = home / "elsewhere" / "tok"
    monkeypatch.setenv("HF_TOKEN_PATH", str(custom))
    assert get_token() is None
    with pytest.raises(LocalTokenNotFoundError):
        build_hf_headers(token=True)
    login(tokens["bob"])  # HF_TOKEN_PATH moves both files
    assert custom.read_text() == tokens["bob"] and (custom.parent / "stored_tokens").is_file()
    custom.write_text(f"\r\n  {tokens['alice']}\r\n")  # another tool's newline is tolerated
    assert get_token() == tokens["alice"]


def test_interpreter_login_reads_a_token(home: Path, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    monkeypatch.setattr(login_module, "getpass", lambda prompt: asked.append(prompt) or tokens["alice"])
    # no terminal: the browser login is tried first; our hub has no /oauth/device, so a token is read
    interpreter_login()
    assert len(asked) == 1 and get_token() == tokens["alice"]
    interpreter_login()  # already logged in: nothing asked
    assert len(asked) == 1
    monkeypatch.setattr(login_module, "getpass", lambda prompt: tokens["bob"])
    login(skip_if_logged_in=False)
    assert get_token() == tokens["bob"]


class _Widget:
    def __init__(self, *children: Any, **kwargs: Any) -> None:
        self.children, self.value, self.clicks = children, kwargs.get("value", ""), []

    def on_click(self, fn: Any) -> None:
        self.clicks.append(fn)


def test_notebook_login_widget(home: Path, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[Any] = []
    widgets = types.SimpleNamespace(Password=_Widget, Checkbox=_Widget, Button=_Widget, HTML=_Widget,
                                    VBox=lambda children: _Widget(*children))  # fmt: skip
    display = types.ModuleType("IPython.display")
    display.display = shown.append  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ipywidgets", widgets)
    monkeypatch.setitem(sys.modules, "IPython", types.ModuleType("IPython"))
    monkeypatch.setitem(sys.modules, "IPython.display", display)
    hubkit.notebook_login()
    (box,) = shown
    status, field, _git, button = box.children
    field.value = "hf_wrongToken000000000"
    button.clicks[0](button)
    assert "color:red" in status.value and field.value == "" and get_token() is None
    field.value = tokens["alice"]
    button.clicks[0](button)
    assert "successful" in status.value and get_token() == tokens["alice"] and field.value == ""


def test_notebook_login_without_ipywidgets(home: Path, tokens, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # not importable
    monkeypatch.setattr(login_module, "getpass", lambda prompt: tokens["alice"])
    hubkit.notebook_login()
    assert get_token() == tokens["alice"]


def test_tokens_never_logged(home: Path, tokens: dict[str, str], caplog, capsys) -> None:
    with caplog.at_level(logging.DEBUG):
        login(tokens["alice"])
        HfApi().whoami()
        auth_list()
        logout()
    assert tokens["alice"] not in caplog.text and tokens["alice"] not in capsys.readouterr().out


@pytest.mark.parametrize(
    "name",
    ["login", "logout", "interpreter_login", "notebook_login", "auth_list", "auth_switch", "get_token",
     "get_stored_tokens", "list_credential_helpers", "set_git_credential", "unset_git_credential"],
)  # fmt: skip
def test_signatures_match_huggingface_hub(name: str) -> None:
    import inspect

    import huggingface_hub
    import huggingface_hub.utils

    theirs_fn = getattr(huggingface_hub, name, None) or getattr(huggingface_hub.utils, name)
    ours, theirs = inspect.signature(getattr(hubkit, name)).parameters, inspect.signature(theirs_fn).parameters
    assert [(p.name, p.kind, p.default) for p in ours.values()] == [
        (p.name, p.kind, p.default) for p in theirs.values()
    ]
    assert getattr(hubkit, name).__doc__
