"""The hub running its own models, queried by hubkit's clients, the real huggingface_hub 2.4.0
InferenceClient and the openai package; embeddings checked against sentence-transformers run here."""

from __future__ import annotations

import asyncio
import json

import httpx
import numpy as np
import pytest
from huggingface_hub import HfApi
from huggingface_hub import InferenceClient as HfInferenceClient
from huggingface_hub.errors import HfHubHTTPError as HfHTTPError
from huggingface_hub.inference._providers import PROVIDERS as HF_PROVIDERS

import hubkit
from hubkit.inference._providers import _common as hk_router

from .conftest import WORD

SOURCE, OTHERS = "hello world", ["hello there, world", "The cat sat on the mat.", "Revenue grew by four percent."]
MSG = [{"role": "user", "content": "Say hello to the hub."}]
pytestmark = pytest.mark.slow  # one hub loading real weights: about a minute on 2 cores


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def close(got: object, want: object) -> None:
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    assert got.shape == want.shape
    assert np.abs(got - want).max() < 1e-5


# --- embeddings ----------------------------------------------------------------------------------


def test_embeddings_equal_sentence_transformers_through_both_clients(ihub, reference, tokens) -> None:
    url = f"{ihub.url}/models/alice/minilm"
    want = reference.encode(SOURCE)
    pairs = reference.encode([SOURCE, *OTHERS], convert_to_tensor=True)
    want_sim = reference.similarity(pairs[:1], pairs[1:])[0].tolist()
    for client in (
        hubkit.InferenceClient(model=url, token=tokens["alice"]),
        HfInferenceClient(model=url, token=tokens["alice"]),
    ):
        close(client.feature_extraction(SOURCE), want)
        close(client.feature_extraction([SOURCE, OTHERS[0]]), reference.encode([SOURCE, OTHERS[0]]))
        close(client.sentence_similarity(SOURCE, other_sentences=OTHERS), want_sim)


def test_router_paths_of_provider_hf_inference(ihub, reference, tokens, monkeypatch) -> None:
    """``provider="hf-inference"`` with this hub as the router: the paths 2.4.0 builds, served here."""
    monkeypatch.setenv("HF_ENDPOINT", ihub.url)  # model info (the pipeline check) comes from this hub
    monkeypatch.setattr(hk_router, "INFERENCE_PROXY_TEMPLATE", ihub.url + "/{provider}")
    for helper in HF_PROVIDERS["hf-inference"].values():
        monkeypatch.setattr(helper, "base_url", f"{ihub.url}/hf-inference")
    monkeypatch.setattr("huggingface_hub.constants.INFERENCE_PROXY_TEMPLATE", ihub.url + "/{provider}")
    monkeypatch.setattr("huggingface_hub.constants.ENDPOINT", ihub.url)
    for client in (hubkit.InferenceClient(provider="hf-inference", token=tokens["alice"]),
                   HfInferenceClient(provider="hf-inference", token=tokens["alice"])):  # fmt: skip
        close(client.feature_extraction(SOURCE, model="alice/minilm"), reference.encode(SOURCE))
        out = client.chat_completion(MSG, model="alice/echo-lm", max_tokens=3)
        assert out.choices[0].message.content == f"{WORD} {WORD} {WORD}"


def test_twenty_concurrent_embeddings_each_get_their_own(ihub, reference, tokens) -> None:
    sentences = [f"sentence {i}: the hub answers many clients at once" for i in range(20)]
    url = f"{ihub.url}/models/alice/minilm"

    async def run() -> list[object]:
        async with hubkit.AsyncInferenceClient(model=url, token=tokens["alice"], timeout=60) as client:
            return await asyncio.gather(*(client.feature_extraction(s) for s in sentences))

    for got, want in zip(asyncio.run(run()), reference.encode(sentences), strict=True):
        close(got, want)


# --- text generation and chat -----------------------------------------------------------------


def test_text_generation_details_stream_and_stop(ihub, tokens) -> None:
    lm = hubkit.InferenceClient(model=f"{ihub.url}/models/alice/echo-lm", token=tokens["alice"])
    assert lm.text_generation("the hub", max_new_tokens=4) == " ".join([WORD] * 4)
    out = lm.text_generation("the hub", max_new_tokens=4, details=True)
    assert (out.details.generated_tokens, out.details.finish_reason) == (4, "length")
    assert [t.text.strip() for t in out.details.tokens] == [WORD] * 4
    events = list(lm.text_generation("the hub", max_new_tokens=3, stream=True, details=True))
    assert [e.token.text.strip() for e in events] == [WORD] * 3
    assert events[-1].details.finish_reason == "length" and events[-1].generated_text == " ".join([WORD] * 3)
    assert all(e.details is None for e in events[:-1])
    stopped = lm.text_generation("the hub", max_new_tokens=10, stop=[WORD], details=True)
    assert (stopped.details.finish_reason, stopped.details.generated_tokens) == ("stop_sequence", 1)
    eos = hubkit.InferenceClient(model=f"{ihub.url}/models/alice/eos-lm", token=tokens["alice"])
    out = eos.text_generation("the hub", max_new_tokens=10, details=True)
    assert (out.generated_text, out.details.finish_reason, out.details.generated_tokens) == ("", "eos_token", 1)


def test_chat_completion_counts_streams_and_stops(ihub, tokens) -> None:
    v1 = HfInferenceClient(base_url=f"{ihub.url}/v1", api_key=tokens["alice"])
    out = v1.chat_completion(MSG, model="alice/echo-lm", max_tokens=5)
    assert out.choices[0].message.content == " ".join([WORD] * 5)
    assert out.choices[0].finish_reason == "length"
    assert out.usage.completion_tokens == 5 and out.usage.total_tokens == out.usage.prompt_tokens + 5
    chunks = list(
        v1.chat_completion(
            MSG, model="alice/echo-lm", max_tokens=3, stream=True, stream_options={"include_usage": True}
        )
    )
    assert chunks[0].choices[0].delta.role == "assistant"
    texts = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    assert "".join(texts) == " ".join([WORD] * 3) and len(texts) == 3
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "length"
    assert chunks[-1].usage.completion_tokens == 3
    stopped = v1.chat_completion(MSG, model="alice/echo-lm", max_tokens=9, stop=[f" {WORD}"])
    assert (stopped.choices[0].message.content, stopped.choices[0].finish_reason) == (WORD, "stop")
    eos = v1.chat_completion(MSG, model="alice/eos-lm", max_tokens=9)
    assert (eos.choices[0].message.content, eos.choices[0].finish_reason, eos.usage.completion_tokens) == (
        "",
        "stop",
        1,
    )


def test_hubkit_chat_alias_and_async_stream(ihub, tokens) -> None:
    client = hubkit.InferenceClient(base_url=f"{ihub.url}/v1", api_key=tokens["alice"])
    out = client.chat.completions.create(model="alice/echo-lm", messages=MSG, max_tokens=2)
    assert out.choices[0].message.content == f"{WORD} {WORD}"

    async def stream() -> list[str]:
        async with hubkit.AsyncInferenceClient(base_url=f"{ihub.url}/v1", api_key=tokens["alice"]) as ac:
            chunks = await ac.chat_completion(MSG, model="alice/echo-lm", max_tokens=2, stream=True)
            return [c.choices[0].delta.content async for c in chunks if c.choices and c.choices[0].delta.content]

    assert "".join(asyncio.run(stream())) == f"{WORD} {WORD}"


def test_openai_package_gets_the_same_answer(ihub, tokens) -> None:
    openai = pytest.importorskip("openai")
    oc = openai.OpenAI(base_url=f"{ihub.url}/v1", api_key=tokens["alice"], max_retries=0)
    got = oc.chat.completions.create(model="alice/echo-lm", messages=MSG, max_tokens=4, temperature=0)
    ours = hubkit.InferenceClient(base_url=f"{ihub.url}/v1", api_key=tokens["alice"]).chat_completion(
        MSG, model="alice/echo-lm", max_tokens=4, temperature=0
    )
    assert got.choices[0].message.content == ours.choices[0].message.content
    assert got.usage.completion_tokens == 4
    streamed = oc.chat.completions.create(model="alice/echo-lm", messages=MSG, max_tokens=4, stream=True)
    assert "".join(c.choices[0].delta.content or "" for c in streamed if c.choices) == got.choices[0].message.content
    ids = [m.id for m in oc.models.list()]
    assert "alice/echo-lm" in ids and "alice/secret-lm" in ids and "alice/minilm" not in ids
    bob = openai.OpenAI(base_url=f"{ihub.url}/v1", api_key=tokens["bob"], max_retries=0)
    assert "alice/secret-lm" not in [m.id for m in bob.models.list()]


# --- access, refusals, listing ---------------------------------------------------------------


def test_private_model_served_to_its_owner_only(ihub, tokens) -> None:
    body = {"model": "alice/secret-lm", "messages": MSG, "max_tokens": 2}
    ok = httpx.post(
        f"{ihub.url}/v1/chat/completions", json=body, headers={"authorization": f"Bearer {tokens['alice']}"}
    )
    assert ok.status_code == 200 and ok.json()["choices"][0]["message"]["content"] == f"{WORD} {WORD}"
    for headers, status in (({"authorization": f"Bearer {tokens['bob']}"}, 404), ({}, 401)):
        for path, payload in (
            ("/v1/chat/completions", body),
            ("/models/alice/secret-lm", {"inputs": "the hub"}),
            ("/hf-inference/models/alice/secret-lm/v1/chat/completions", body),
        ):
            url = ihub.url + path
            r = httpx.post(url, json=payload, headers=headers)
            assert r.status_code == status, (url, r.text)
            assert r.headers["x-error-code"] == "RepoNotFound" and "generated_text" not in r.text
    with pytest.raises(HfHTTPError) as err:
        HfInferenceClient(base_url=f"{ihub.url}/v1", api_key=tokens["bob"]).chat_completion(
            MSG, model="alice/secret-lm"
        )
    assert err.value.response.status_code == 404


def test_refusals_are_clear_4xx(ihub, tokens, unique) -> None:
    alice = {"authorization": f"Bearer {tokens['alice']}"}
    api = HfApi(endpoint=ihub.url, token=tokens["alice"])
    api.create_repo(f"alice/painter-{unique}")
    api.upload_file(
        path_or_fileobj=b"---\npipeline_tag: text-to-image\n---\n",
        path_in_repo="README.md",
        repo_id=f"alice/painter-{unique}",
    )
    r = httpx.post(f"{ihub.url}/models/alice/painter-{unique}", json={"inputs": "a cat"}, headers=alice)
    assert r.status_code == 400 and "text-to-image" in r.json()["error"]
    r = httpx.post(f"{ihub.url}/models/alice/minilm/pipeline/fill-mask", json={"inputs": "x"}, headers=alice)
    assert r.status_code == 400 and "fill-mask" in r.json()["error"]
    r = httpx.post(f"{ihub.url}/models/alice/minilm", content=b"{not json", headers=alice)
    assert r.status_code == 400
    r = httpx.post(f"{ihub.url}/models/alice/minilm", json={"inputs": 42}, headers=alice)
    assert r.status_code == 400
    r = httpx.post(f"{ihub.url}/models/alice/minilm", content=b"x" * (16 * 1024 * 1024 + 1), headers=alice)
    assert r.status_code == 413
    r = httpx.post(
        f"{ihub.url}/v1/chat/completions",
        json={"model": "alice/echo-lm", "messages": MSG, "max_tokens": 100},
        headers=alice,
    )
    assert r.status_code == 422 and r.json()["error_type"] == "validation"  # 64 positions
    r = httpx.post(f"{ihub.url}/v1/chat/completions", json={"messages": MSG}, headers=alice)
    assert r.status_code == 400


def test_pickled_weights_are_never_loaded(ihub, tokens, unique, tmp_path) -> None:
    api = HfApi(endpoint=ihub.url, token=tokens["alice"])
    repo = f"alice/pickled-{unique}"
    api.create_repo(repo)
    (tmp_path / "README.md").write_text("---\npipeline_tag: text-classification\n---\n")
    (tmp_path / "config.json").write_text(json.dumps({"architectures": ["BertForSequenceClassification"]}))
    (tmp_path / "pytorch_model.bin").write_bytes(b"not a pickle that anyone should open")
    api.upload_folder(folder_path=tmp_path, repo_id=repo)
    r = httpx.post(
        f"{ihub.url}/models/{repo}", json={"inputs": "x"}, headers={"authorization": f"Bearer {tokens['alice']}"}
    )
    assert r.status_code == 400 and "safetensors" in r.json()["error"]


def test_listing_says_which_models_are_served(ihub, tokens) -> None:
    api = HfApi(endpoint=ihub.url, token=tokens["alice"])
    info = api.model_info("alice/minilm", expand=["inference", "inferenceProviderMapping"])
    assert info.inference == "warm"
    assert [(m.provider, m.status, m.task) for m in info.inference_provider_mapping] == [
        ("hf-inference", "live", "sentence-similarity")
    ]
    chat = hubkit.HfApi(endpoint=ihub.url, token=tokens["alice"]).model_info(
        "alice/echo-lm", expand=["inferenceProviderMapping"]
    )
    assert chat.inference_provider_mapping[0].task == "conversational"
    listed = {m.id: m for m in api.list_models(author="alice", expand=["inference"])}
    assert listed["alice/minilm"].inference == "warm"


def test_a_hub_without_the_flag_serves_no_inference(hub, tokens) -> None:
    r = httpx.post(
        f"{hub.url}/v1/chat/completions",
        json={"model": "alice/x", "messages": MSG},
        headers={"authorization": f"Bearer {tokens['alice']}"},
    )
    assert r.status_code == 404 and "--inference" in r.json()["error"]
    assert "inference" not in httpx.get(f"{hub.url}/api/models?author=alice&full=true").text.replace('"inference_', "")


def test_gated_model_needs_a_grant_like_a_download(ihub, tokens, unique) -> None:
    api = HfApi(endpoint=ihub.url, token=tokens["alice"])
    repo = f"alice/gated-lm-{unique}"
    api.create_repo(repo)
    for name in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "README.md"):
        api.upload_file(path_or_fileobj=api.hf_hub_download("alice/echo-lm", name), path_in_repo=name, repo_id=repo)
    alice = bearer(tokens["alice"])
    httpx.put(f"{ihub.url}/api/models/{repo}/settings", json={"gated": "manual"}, headers=alice).raise_for_status()
    body = {"inputs": "the hub", "parameters": {"max_new_tokens": 2}}
    denied = httpx.post(f"{ihub.url}/models/{repo}", json=body, headers=bearer(tokens["bob"]))
    assert denied.status_code == 403 and denied.headers["x-error-code"] == "GatedRepo"
    assert "generated_text" not in denied.text
    httpx.post(f"{ihub.url}/api/models/{repo}/ask-access", json={}, headers=bearer(tokens["bob"])).raise_for_status()
    grant = {"user": "bob"}
    httpx.post(f"{ihub.url}/api/models/{repo}/user-access-request/grant", json=grant, headers=alice).raise_for_status()
    allowed = httpx.post(f"{ihub.url}/models/{repo}", json=body, headers=bearer(tokens["bob"]))
    assert allowed.status_code == 200 and allowed.json()["generated_text"] == f"{WORD} {WORD}"
