"""The error funnel, row by row, on bare httpx responses (no network), and the class tree."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import httpx
import pytest

from hubkit import _http, errors
from hubkit._http import ERROR_RULES, raise_for_status

API = "https://hub.example/api/models/org/name"
RESOLVE = "https://hub.example/org/name/resolve/main/x.bin"


def response(status: int, url: str = API, headers: dict[str, str] | None = None, body: object = None) -> httpx.Response:
    kwargs: dict[str, object] = {"json": body} if body is not None else {}
    return httpx.Response(status, headers=headers or {}, request=httpx.Request("GET", url), **kwargs)  # type: ignore[arg-type]


CASES = [
    (404, API, {"X-Error-Code": "RevisionNotFound"}, errors.RevisionNotFoundError),
    (404, RESOLVE, {"X-Error-Code": "EntryNotFound"}, errors.RemoteEntryNotFoundError),
    (403, API, {"X-Error-Code": "GatedRepo"}, errors.GatedRepoError),
    (403, API, {"X-Error-Message": "Access to this resource is disabled."}, errors.DisabledRepoError),
    (404, "https://hub.example/api/buckets/org/b", {"X-Error-Code": "RepoNotFound"}, errors.BucketNotFoundError),
    (404, "https://hub.example/api/jobs/org/abc123", {"X-Error-Code": "RepoNotFound"}, errors.JobNotFoundError),
    (404, API, {"X-Error-Code": "RepoNotFound"}, errors.RepositoryNotFoundError),
    (401, RESOLVE, {}, errors.RepositoryNotFoundError),
    (400, API, {}, errors.BadRequestError),
    (403, API, {}, errors.HfHubHTTPError),
    (429, API, {"RateLimit": '"api";r=0;t=55'}, errors.HfHubHTTPError),
    (416, API, {}, errors.HfHubHTTPError),
]


@pytest.mark.parametrize(("status", "url", "headers", "expected"), CASES)
def test_each_rule(status: int, url: str, headers: dict[str, str], expected: type) -> None:
    with pytest.raises(errors.HfHubHTTPError) as info:
        raise_for_status(response(status, url, headers, {"error": "from the body"}))
    assert type(info.value) is expected
    assert "from the body" in str(info.value) and info.value.response.status_code == status


def test_every_rule_is_tested() -> None:
    assert len(ERROR_RULES) == len(CASES)


def test_precedence_and_fallbacks() -> None:
    # a bad token on https is not "repo not found"
    bad_token = response(401, RESOLVE, {"X-Error-Message": "Invalid credentials in Authorization header"})
    with pytest.raises(errors.HfHubHTTPError) as info:
        raise_for_status(bad_token)
    assert type(info.value) is errors.HfHubHTTPError
    # the 401 fallback only applies to https URLs: a plain-http hub must send X-Error-Code
    with pytest.raises(errors.HfHubHTTPError) as info:
        raise_for_status(response(401, "http://hub.example/org/name/resolve/main/x"))
    assert type(info.value) is errors.HfHubHTTPError
    with pytest.raises(errors.HfHubHTTPError) as info:
        raise_for_status(response(500, API, {}, None))
    assert type(info.value) is errors.HfHubHTTPError and "500 Server Error" in str(info.value)
    for ok in (200, 204, 302, 304):
        raise_for_status(response(ok))


def test_details_on_the_error() -> None:
    r = response(404, RESOLVE, {"X-Error-Code": "EntryNotFound", "X-Request-Id": "req-1", "X-Error-Message": "gone"})
    with pytest.raises(errors.RemoteEntryNotFoundError) as info:
        raise_for_status(r)
    err = info.value
    assert err.request_id == "req-1" and err.server_message == "gone"
    assert (err.repo_type, err.repo_id) == ("model", "org/name")
    assert isinstance(err, errors.EntryNotFoundError) and isinstance(err, OSError) and isinstance(err, httpx.HTTPError)
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is errors.RemoteEntryNotFoundError and str(again) == str(err)
    err.append_to_message("\nmore")
    assert str(err).endswith("\nmore")


@pytest.mark.parametrize(
    "body",
    [["not", "an", "object"], "a string", None, {"errors": ["not objects"]}, {"error": ["a", "b"]}],
)
def test_odd_bodies_never_crash(body: object) -> None:
    r = httpx.Response(400, content=httpx.Response(200, json=body).content, request=httpx.Request("GET", API))
    with pytest.raises(errors.BadRequestError):
        raise_for_status(r)


def test_text_and_html_bodies() -> None:
    text = httpx.Response(500, text="plain failure", request=httpx.Request("GET", API))
    with pytest.raises(errors.HfHubHTTPError, match="plain failure"):
        raise_for_status(text)
    html = httpx.Response(
        500, text="<html>oops</html>", headers={"content-type": "text/html"}, request=httpx.Request("GET", API)
    )
    with pytest.raises(errors.HfHubHTTPError) as info:
        raise_for_status(html)
    assert "oops" not in str(info.value)


def test_warning_header_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    r = response(200, headers={"X-HF-Warning": "topic-unique-1; be careful"})
    with caplog.at_level("WARNING"):
        raise_for_status(r)
        raise_for_status(r)
    assert caplog.text.count("be careful") == 1


def test_class_tree_matches_huggingface_hub() -> None:
    import huggingface_hub.errors as ref

    for name in errors.__all__:
        ours, theirs = getattr(errors, name), getattr(ref, name)
        ours_bases = [b.__name__ for b in ours.__mro__ if b.__module__ in ("hubkit.errors", "builtins")]
        theirs_bases = [b.__name__ for b in theirs.__mro__ if b.__module__ in ("huggingface_hub.errors", "builtins")]
        assert ours_bases == theirs_bases, name


def test_every_code_the_server_emits_has_a_class() -> None:
    server_errors = Path(_http.__file__).parent / "server" / "errors.py"
    codes = set(re.findall(r'code = "(\w+)"', server_errors.read_text()))
    assert codes, "the server declares its X-Error-Code values in server/errors.py"
    mapped = {rule.code for rule in ERROR_RULES if rule.code}
    assert codes <= mapped, codes - mapped
