"""InferenceClient / AsyncInferenceClient without a server: signatures, concurrency, errors, requests."""

from __future__ import annotations

import asyncio
import inspect
import json
import time

import httpx
import huggingface_hub
import pytest

import hubkit
from hubkit.inference import GenerationError, InferenceTimeoutError, ValidationError
from hubkit.inference._async_client import default_async_client_factory, set_async_client_factory

URL = "http://inference.test/models/org/model"
PUBLIC = sorted(n for n in dir(huggingface_hub.InferenceClient) if not n.startswith("_"))


@pytest.fixture(autouse=True)
def _reset_transports():
    yield
    hubkit.set_client_factory(hubkit._http.default_client_factory)
    set_async_client_factory(default_async_client_factory)


def use(handler) -> None:
    """Answer the sync client's requests with ``handler`` (a function of the request)."""
    hubkit.close_session()
    hubkit.set_client_factory(lambda: httpx.Client(transport=httpx.MockTransport(handler)))


@pytest.mark.parametrize("cls", ["InferenceClient", "AsyncInferenceClient"])
def test_same_methods_and_signatures_as_huggingface_hub(cls: str) -> None:
    ours, theirs = getattr(hubkit, cls), getattr(huggingface_hub, cls)
    assert sorted(n for n in dir(ours) if not n.startswith("_")) == PUBLIC
    assert inspect.signature(ours.__init__).parameters.keys() == inspect.signature(theirs.__init__).parameters.keys()
    for name in PUBLIC:
        if name == "chat":
            continue
        a, b = inspect.signature(getattr(ours, name)), inspect.signature(getattr(theirs, name))
        assert [(p.name, p.kind, p.default) for p in a.parameters.values()] == [
            (p.name, p.kind, p.default) for p in b.parameters.values()
        ], name
        assert inspect.iscoroutinefunction(getattr(ours, name)) == inspect.iscoroutinefunction(getattr(theirs, name))


def test_twenty_async_calls_are_in_flight_at_once() -> None:
    """The server answers nobody until 20 requests are waiting: only concurrency gets through."""
    waiting: list[asyncio.Future[None]] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        text = json.loads(await request.aread())["inputs"]
        gate = asyncio.get_running_loop().create_future()
        waiting.append(gate)
        if len(waiting) == 20:
            for g in waiting:
                g.set_result(None)
        await asyncio.wait_for(gate, 10)
        return httpx.Response(200, json=[float(len(text)), float(text.count("x"))])

    set_async_client_factory(lambda: httpx.AsyncClient(transport=httpx.MockTransport(handler)))
    texts = ["x" * i + "y" * (20 - i) for i in range(20)]

    async def run() -> list[list[float]]:
        async with hubkit.AsyncInferenceClient(model=URL) as client:
            out = await asyncio.gather(*(client.feature_extraction(t) for t in texts))
            return [row.tolist() for row in out]

    started = time.monotonic()
    assert asyncio.run(run()) == [[20.0, float(i)] for i in range(20)]
    assert time.monotonic() - started < 10 and len(waiting) == 20


def test_tgi_errors_map_to_their_exceptions() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if body.get("stream"):
            events = b'data: {"index":1,"token":{"id":1,"text":"a","logprob":0,"special":false}}\n\n'
            events += b'data: {"error":"out of memory","error_type":"generation"}\n\n'
            return httpx.Response(200, content=events, headers={"content-type": "text/event-stream"})
        return httpx.Response(422, json={"error": "max_new_tokens too large", "error_type": "validation"})

    use(handler)
    client = hubkit.InferenceClient(model=URL)
    with pytest.raises(ValidationError, match="too large"):
        client.text_generation("hi", max_new_tokens=10**6)
    stream = client.text_generation("hi", stream=True)
    assert next(stream) == "a"
    with pytest.raises(GenerationError, match="out of memory"):
        next(stream)


def test_a_slow_server_raises_inference_timeout_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("too slow", request=request)

    use(handler)
    with pytest.raises(InferenceTimeoutError, match="timed out"):
        hubkit.InferenceClient(model=URL, timeout=0.5).fill_mask("a [MASK]")


def test_request_details_base_url_bill_to_cookies_and_errors() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"choices": [{"index": 0, "message": {"role": "assistant", "content": "x"}}]})

    use(handler)
    with pytest.warns(UserWarning, match="billed directly by the provider"):
        client = hubkit.InferenceClient(
            base_url="http://llm.test/v1", api_key="sk-1", bill_to="acme", cookies={"a": "b"}
        )
    client.chat.completions.create(messages=[{"role": "user", "content": "hi"}], model="m", max_tokens=1)
    request = seen[-1]
    assert str(request.url) == "http://llm.test/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-1" and request.headers["x-hf-bill-to"] == "acme"
    assert request.headers["cookie"] == "a=b"
    assert json.loads(request.content) == {
        "model": "m",
        "messages": [{"role": "user", "content": "hi"}],
        "max_tokens": 1,
        "stream": False,
    }
    with pytest.raises(ValueError, match="both `model` and `base_url`"):
        hubkit.InferenceClient(model="a", base_url="b")
    with pytest.raises(ValueError, match="both `token` and `api_key`"):
        hubkit.InferenceClient(token="a", api_key="b")
    with pytest.raises(ValueError, match="src_lang"):
        hubkit.InferenceClient(model=URL).translation("x", src_lang="en")
    with pytest.raises(ValueError, match="Provider 'nobody' not supported"):
        hubkit.InferenceClient(model="org/m", provider="nobody").fill_mask("x")


def test_inputs_as_paths_files_and_urls(tmp_path) -> None:
    seen: list[tuple[str, bytes]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, content=b"REMOTE", headers={"content-type": "audio/wav"})
        seen.append((request.headers.get("content-type", ""), request.content))
        return httpx.Response(200, json=[{"label": "speech", "score": 1.0}])

    use(handler)
    sound = tmp_path / "a.wav"
    sound.write_bytes(b"LOCAL")
    client = hubkit.InferenceClient(model=URL)
    with sound.open("rb") as opened:
        for audio in (sound, str(sound), opened, b"LOCAL", "http://files.test/b.wav"):
            assert client.audio_classification(audio)[0].label == "speech"
    assert [body for _, body in seen] == [b"LOCAL"] * 4 + [b"REMOTE"]
    assert seen[0][0] == "audio/x-wav" or seen[0][0].startswith("audio/")
    with pytest.raises(FileNotFoundError):
        client.audio_classification(str(tmp_path / "missing.wav"))
