"""Browser (device-code) login and refreshing its tokens.

``hubkit serve`` has no OAuth endpoints (a self-hosted hub logs in with pasted tokens), so the
Hub's side of RFC 8628 is played here by ``httpx.MockTransport``: an ``/oauth/device`` and
``/oauth/token`` answering as huggingface.co does (hub-protocol.md §10.2, §10.5).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest

from hubkit import _auth
from hubkit.auth import DeviceCodeError, get_stored_tokens, get_token, interpreter_login, oauth
from hubkit.auth.tokens import save_token, write_secret

ENDPOINT = "https://hub.example"
DAY = 24 * 3600


class FakeHub:
    """The OAuth side of a Hub: device codes, polling, refresh, and whoami for the tokens it issued."""

    def __init__(self, polls: list[dict[str, object]], refresh_lifetime: int = 30 * DAY) -> None:
        self.polls = polls
        self.refresh_lifetime = refresh_lifetime
        self.issued = 0
        self.refreshes: list[str] = []

    def _token(self, lifetime: int) -> dict[str, object]:
        self.issued += 1
        return {"access_token": f"hf_oauth_{self.issued}", "refresh_token": f"r{self.issued}",
                "expires_in": lifetime, "token_type": "bearer"}  # fmt: skip

    def __call__(self, request: httpx.Request) -> httpx.Response:
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        if request.url.path == "/oauth/device":
            assert form["client_id"] == oauth.DEFAULT_CLIENT_ID and "authorization" not in request.headers
            return httpx.Response(200, json={"device_code": "dev-1", "user_code": "WXYZ-1234",
                                             "verification_uri": f"{ENDPOINT}/device", "interval": 1})  # fmt: skip
        if request.url.path == "/oauth/token" and form["grant_type"].endswith("device_code"):
            assert form["device_code"] == "dev-1"
            step = self.polls.pop(0)
            return (
                httpx.Response(step.get("status", 400), json=step)
                if "error" in step
                else httpx.Response(
                    200,
                    json=self._token(int(step["lifetime"])),  # type: ignore[call-overload]
                )
            )
        if request.url.path == "/oauth/token" and form["grant_type"] == "refresh_token":
            self.refreshes.append(form["refresh_token"])
            if form["refresh_token"] == "revoked":
                return httpx.Response(400, json={"error": "invalid_grant", "error_description": "session over"})
            return httpx.Response(200, json=self._token(self.refresh_lifetime))
        if request.url.path == "/api/whoami-v2":
            assert request.headers["authorization"].startswith("Bearer hf_oauth_")
            return httpx.Response(200, json={"name": "alice", "type": "user", "orgs": [], "auth": {"type": "oauth"}})
        return httpx.Response(404, json={"error": "not here"})


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HF_ENDPOINT", ENDPOINT)
    monkeypatch.setattr(oauth, "_sleep", lambda s: None)
    monkeypatch.setattr(_auth, "_refresh_memo", None)
    return Path(os.environ["HF_HOME"])


def test_device_login_then_refresh(env: Path, mock_transport, capsys) -> None:
    hub = FakeHub([{"error": "authorization_pending"}, {"error": "slow_down"}, {"lifetime": 3600}])
    mock_transport(hub)
    interpreter_login()  # no terminal: the browser flow
    out = capsys.readouterr().out
    assert f"{ENDPOINT}/device" in out and "WXYZ-1234" in out and "hf_oauth" not in out
    stored = (env / "stored_tokens").read_text()
    assert "[oauth-alice]" in stored and "refresh_token = r1" in stored and "expires_at = " in stored
    # one hour left, less than a day: the next get_token refreshes, and both files follow
    assert get_token() == "hf_oauth_2"
    assert (env / "token").read_text() == "hf_oauth_2" and hub.refreshes == ["r1"]
    assert get_stored_tokens() == {"oauth-alice": "hf_oauth_2"}
    assert "refresh_token = r2" in (env / "stored_tokens").read_text()
    assert get_token() == "hf_oauth_2" and hub.refreshes == ["r1"]  # 30 days left: no new refresh
    # the real huggingface_hub reads the refreshed token and its OAuth fields
    code = (
        "import json, huggingface_hub as h; from huggingface_hub.utils._auth import _read_stored_tokens_full as r;"
        "print(json.dumps([h.get_token(), r()]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ, check=True)
    token, sections = json.loads(out.stdout.splitlines()[-1])
    assert token == "hf_oauth_2" and sections["oauth-alice"]["refresh_token"] == "r2"
    assert int(sections["oauth-alice"]["expires_at"]) > time.time() + 29 * DAY


def test_refresh_failure_keeps_the_token(env: Path, mock_transport, caplog) -> None:
    hub = FakeHub([])
    mock_transport(hub)
    save_token("hf_oauth_old", "oauth-alice", refresh_token="revoked", expires_at=int(time.time()) + 60)
    write_secret(env / "token", "hf_oauth_old")
    assert get_token() == "hf_oauth_old" and hub.refreshes == ["revoked"]
    assert "Could not refresh" in caplog.text and "hf_oauth_old" not in caplog.text
    assert get_token() == "hf_oauth_old" and hub.refreshes == ["revoked"]  # not retried at every call


def test_plain_tokens_are_never_refreshed(env: Path, mock_transport) -> None:
    hub = FakeHub([])
    mock_transport(hub)
    save_token("hf_plain", "laptop")  # no refresh token, no expiry
    write_secret(env / "token", "hf_plain")
    assert get_token() == "hf_plain" and hub.refreshes == []


@pytest.mark.parametrize(("error", "match"), [("access_denied", "denied"), ("expired_token", "expired"),
                                              ("server_error", "server_error")])  # fmt: skip
def test_device_login_failures(env: Path, mock_transport, error: str, match: str) -> None:
    mock_transport(FakeHub([{"error": "authorization_pending"}, {"error": error}]))
    with pytest.raises(DeviceCodeError, match=match) as info:
        interpreter_login()
    assert info.value.error_code == error
    assert not (env / "token").exists()


def test_transient_answers_keep_polling(env: Path, mock_transport) -> None:
    mock_transport(FakeHub([{"error": None, "status": 503}, {"unexpected": True, "error": None},
                            {"lifetime": 40 * DAY}]))  # fmt: skip
    info = oauth.request_device_code()
    assert info["verification_uri_complete"] == f"{ENDPOINT}/device" and info["expires_in"] == 900
    assert oauth.poll_device_token(info)["access_token"] == "hf_oauth_1"
