"""The HTTP layer: retries, redirects and the token, offline mode, token discovery, pagination.

``httpx.MockTransport`` stands in only for what a real hub does not produce: a redirect to
another host, a 503 followed by success, rate-limit headers.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from hubkit import _http, hf_hub_download
from hubkit._auth import get_token, get_token_to_send
from hubkit.errors import HfHubHTTPError, LocalTokenNotFoundError, OfflineModeIsEnabled

TOKEN = "hf_secretTokenThatMustNeverLeak0001"
COMMIT = "a" * 40
HUB = "https://hub.example"
CDN = "https://cdn.example"


def test_backoff_retries_5xx_then_succeeds(mock_transport, monkeypatch) -> None:
    waits: list[float] = []
    monkeypatch.setattr(_http, "_sleep", waits.append)
    answers = iter([httpx.Response(503), httpx.Response(502, headers={"Retry-After": "3"}), httpx.Response(200)])
    seen = mock_transport(lambda r: next(answers))
    assert _http.http_backoff("GET", f"{HUB}/api/x").status_code == 200
    assert len(seen) == 3 and waits == [1, 4]  # exponential, then Retry-After + 1


def test_backoff_rate_limit_and_give_up(mock_transport, monkeypatch) -> None:
    waits: list[float] = []
    monkeypatch.setattr(_http, "_sleep", waits.append)
    limited = {"RateLimit": '"api";r=0;t=7', "RateLimit-Policy": '"fixed";q=5;w=60'}
    seen = mock_transport(lambda r: httpx.Response(429, headers=limited))
    response = _http.http_backoff("GET", f"{HUB}/api/x", max_retries=2)
    assert response.status_code == 429 and len(seen) == 3 and waits == [8, 8]
    with pytest.raises(HfHubHTTPError, match="retry after 7 seconds"):
        _http.raise_for_status(response)


def test_backoff_retries_connection_errors(mock_transport) -> None:
    calls = iter([httpx.ConnectError("down"), httpx.ReadTimeout("slow"), None])

    def handler(request: httpx.Request) -> httpx.Response:
        err = next(calls)
        if err is not None:
            raise err
        return httpx.Response(200)

    mock_transport(handler)
    assert _http.http_backoff("GET", f"{HUB}/x").status_code == 200
    mock_transport(lambda r: (_ for _ in ()).throw(httpx.ConnectError("down")))
    with pytest.raises(httpx.ConnectError):
        _http.http_backoff("GET", f"{HUB}/x", max_retries=1)


def test_head_follows_same_origin_redirects_only(mock_transport) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/old/name/resolve/main/f":
            return httpx.Response(307, headers={"Location": "/new/name/resolve/main/f"})
        if request.url.path == "/new/name/resolve/main/f":
            return httpx.Response(302, headers={"Location": f"{CDN}/blob?sig=1", "X-Repo-Commit": COMMIT})
        raise AssertionError(f"unexpected {request.url}")

    seen = mock_transport(handler)
    response = _http.head_following_same_origin(
        f"{HUB}/old/name/resolve/main/f", headers={"authorization": f"Bearer {TOKEN}"}, timeout=5
    )
    assert response.status_code == 302 and [r.url.host for r in seen] == ["hub.example", "hub.example"]
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in seen)


def _cdn_hub(data: bytes, redirect_on_head: bool) -> Callable[[httpx.Request], httpx.Response]:
    sha = hashlib.sha256(data).hexdigest()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "cdn.example":
            return httpx.Response(200, content=data)
        headers = {"X-Repo-Commit": COMMIT, "X-Linked-Etag": f'"{sha}"', "X-Linked-Size": str(len(data))}
        if request.method == "HEAD" and not redirect_on_head:
            return httpx.Response(200, headers={**headers, "ETag": f'"{sha}"', "Content-Length": str(len(data))})
        return httpx.Response(302, headers={**headers, "Location": f"{CDN}/lfs/{sha}?signature=x"})

    return handler


@pytest.mark.parametrize("redirect_on_head", [True, False])
def test_token_is_not_sent_to_another_host(mock_transport, tmp_path: Path, redirect_on_head: bool) -> None:
    data = b"weights" * 1000
    seen = mock_transport(_cdn_hub(data, redirect_on_head))
    path = hf_hub_download("org/name", "w.bin", endpoint=HUB, token=TOKEN, cache_dir=tmp_path)
    assert Path(path).read_bytes() == data
    to_cdn = [r for r in seen if r.url.host == "cdn.example"]
    to_hub = [r for r in seen if r.url.host == "hub.example"]
    assert to_cdn and to_hub
    assert all("authorization" not in r.headers for r in to_cdn)
    assert all(r.headers.get("authorization") == f"Bearer {TOKEN}" for r in to_hub)


def test_token_never_logged(mock_transport, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    mock_transport(_cdn_hub(b"x" * 10, True))
    with caplog.at_level(logging.DEBUG):
        hf_hub_download("org/name", "w.bin", endpoint=HUB, token=TOKEN, cache_dir=tmp_path)
    assert "authenticated: True" in caplog.text
    assert TOKEN not in caplog.text


def test_offline_mode_blocks_every_request(mock_transport, monkeypatch) -> None:
    seen = mock_transport(lambda r: httpx.Response(200))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(OfflineModeIsEnabled):
        _http.get_session().get(f"{HUB}/api/x")
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    _http.get_session().get(f"{HUB}/api/x")
    assert len(seen) == 1 and "x-amzn-trace-id" in seen[0].headers


def test_download_counter_header(mock_transport, tmp_path: Path) -> None:
    seen = mock_transport(_cdn_hub(b"abc", False))
    hf_hub_download("org/name", "w.bin", endpoint=HUB, token=False, cache_dir=tmp_path)
    assert all(r.headers.get("x-hf-download-counter") == "1" for r in seen)
    _http.get_session().get(f"{HUB}/api/x")
    assert "x-hf-download-counter" not in seen[-1].headers


def test_token_discovery(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    assert get_token() is None and get_token_to_send(None) is None
    with pytest.raises(LocalTokenNotFoundError):
        get_token_to_send(True)
    (tmp_path / "token").write_text("hf_fromFile\n")
    assert get_token() == "hf_fromFile"
    monkeypatch.setenv("HF_TOKEN", "hf_fromEnv")
    assert get_token_to_send(None) == "hf_fromEnv" and get_token_to_send(False) is None
    assert get_token_to_send("hf_explicit") == "hf_explicit"
    monkeypatch.setenv("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")
    assert get_token_to_send(None) is None and get_token_to_send(True) == "hf_fromEnv"
    headers = _http.build_hf_headers(token="hf_x", library_name="lib", library_version="1.0", user_agent={"a": "b"})
    assert headers["authorization"] == "Bearer hf_x"
    assert headers["user-agent"].startswith("lib/1.0; hubkit/") and headers["user-agent"].endswith("; a/b")


def test_pagination_follows_link_headers(mock_transport) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("cursor") == "2":
            return httpx.Response(200, json=[3])
        return httpx.Response(200, json=[1, 2], headers={"Link": f'<{HUB}/api/list?cursor=2>; rel="next"'})

    seen = mock_transport(handler)
    assert list(_http.paginate(f"{HUB}/api/list", params={"limit": "2"}, headers={})) == [1, 2, 3]
    assert seen[0].url.params["limit"] == "2" and "limit" not in seen[1].url.params
