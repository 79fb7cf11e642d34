# ruff: noqa: E501  (a table of recordings: one line per cassette reads best)
"""Every recorded inference exchange replayed through hubkit's two clients and the real 2.4.0 one.

For each cassette the same call goes to ``huggingface_hub.InferenceClient`` (the reference),
``hubkit.InferenceClient`` and ``hubkit.AsyncInferenceClient``, each answered from the recording.
Asserted: hubkit sends exactly the requests the reference sends (method, URL, body, content
type, authorization); they are the recorded requests (URL and body, except where the recording
was made by an earlier client: ``ERA``); both hubkit clients parse the answers into the same
values as the reference (or raise the same error). Providers the reference no longer has
(centml, hyperbolic, nebius, sambanova) are checked against the recording alone.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import httpx
import httpx2
import huggingface_hub
import pytest
from huggingface_hub.inference import _common as hf_common
from huggingface_hub.inference._providers import _common as hf_providers_common
from huggingface_hub.inference._providers import hf_inference as hf_hf_inference
from huggingface_hub.utils import _http as hf_http

import hubkit
from hubkit.inference import _plans
from hubkit.inference._async_client import default_async_client_factory, set_async_client_factory
from hubkit.inference._providers import _common as hk_providers_common
from hubkit.inference._providers._common import clear_caches

from .inference_replay import CASSETTES, Replay, derive, load, same_as_recording

OLD = "https://api-inference.huggingface.co"
HF_TOKEN = "hf_replayToken00000000000000000001"
PROVIDER_KEY = "provider-own-key-0001"


@dataclass
class Case:
    method: str
    model: str | None = None
    provider: str | None = None
    token: str = HF_TOKEN
    base_url: str | None = None
    args: tuple[Any, ...] | None = None  # when the recording has no body to read them from
    kwargs: dict[str, Any] = field(default_factory=dict)
    sequence: list[tuple[tuple[Any, ...], dict[str, Any]]] | None = None  # several calls, spelled out
    calls: int = 1  # the recording holds this many calls (same method)
    hardcoded: tuple[str, str, str, str] | None = None  # provider, HF id, provider id, task
    reference: bool = True  # the 2.4.0 client can make this call
    call_model: str | None = None  # ``model=`` of the call itself


def hf(method: str, model: str, **kw: Any) -> Case:
    return Case(method, provider="hf-inference", call_model=model, **kw)


def old(method: str, path: str, **kw: Any) -> Case:
    return Case(method, model=f"{OLD}/{path}", **kw)


LLAMA31, LLAMA33, LLAMA32 = (
    "meta-llama/Llama-3.1-8B-Instruct",
    "meta-llama/Llama-3.3-70B-Instruct",
    "meta-llama/Llama-3.2-3B-Instruct",
)
SDXL = "stabilityai/stable-diffusion-xl-base-1.0"
MSG = [{"role": "user", "content": "Say hi"}]
# a server that is not TGI names the parameters it ignored: the first call is replayed without them
_GREEDY = {"max_new_tokens": 10, "do_sample": False, "return_full_text": False}
NON_TGI = [
    (("0 1 2",), {**_GREEDY, "details": True, "stop": ["x"], "watermark": True, "decoder_input_details": True}),
    (("4 5 6",), _GREEDY),
    (("0 1 2",), _GREEDY),
]

# fmt: off
CASES: dict[str, Case] = {
    # the first InferenceClient, against the serverless API (a URL model is used as given)
    "InferenceClientVCRTest.test_audio_classification": old("audio_classification", "models/speechbrain/google_speech_command_xvector"),
    "InferenceClientVCRTest.test_automatic_speech_recognition": old("automatic_speech_recognition", "models/facebook/wav2vec2-base-960h"),
    "InferenceClientVCRTest.test_chat_completion_no_stream": old("chat_completion", "models/HuggingFaceH4/zephyr-7b-beta"),
    "InferenceClientVCRTest.test_chat_completion_unprocessable_entity": old("chat_completion", "models/meta-llama/Meta-Llama-3-70B-Instruct"),
    "InferenceClientVCRTest.test_chat_completion_with_non_tgi": old("chat_completion", "models/microsoft/DialoGPT-small"),
    "InferenceClientVCRTest.test_chat_completion_with_response_format": old("chat_completion", "models/meta-llama/Meta-Llama-3-70B-Instruct"),
    "InferenceClientVCRTest.test_chat_completion_with_stream": old("chat_completion", "models/HuggingFaceH4/zephyr-7b-beta"),
    "InferenceClientVCRTest.test_chat_completion_with_tool": old("chat_completion", "models/meta-llama/Meta-Llama-3-70B-Instruct", calls=2),
    "InferenceClientVCRTest.test_document_question_answering": old("document_question_answering", "models/naver-clova-ix/donut-base-finetuned-docvqa"),
    "InferenceClientVCRTest.test_feature_extraction": old("feature_extraction", "pipeline/feature-extraction/facebook/bart-base"),
    "InferenceClientVCRTest.test_feature_extraction_with_sentence_transformers": old("feature_extraction", "pipeline/feature-extraction/sentence-transformers/all-MiniLM-L6-v2"),
    "InferenceClientVCRTest.test_feature_extraction_with_transformers": old("feature_extraction", "pipeline/feature-extraction/facebook/bart-base"),
    "InferenceClientVCRTest.test_feature_extraction_with_transformers_multiple_texts": old("feature_extraction", "pipeline/feature-extraction/facebook/bart-base"),
    "InferenceClientVCRTest.test_fill_mask": old("fill_mask", "models/distilroberta-base"),
    "InferenceClientVCRTest.test_image_classification": old("image_classification", "models/google/vit-base-patch16-224"),
    "InferenceClientVCRTest.test_image_to_text": old("image_to_text", "models/Salesforce/blip-image-captioning-base"),
    "InferenceClientVCRTest.test_question_answering": old("question_answering", "models/deepset/roberta-base-squad2"),
    "InferenceClientVCRTest.test_sentence_similarity": old("sentence_similarity", "pipeline/sentence-similarity/sentence-transformers/all-MiniLM-L6-v2"),
    "InferenceClientVCRTest.test_summarization": old("summarization", "models/sshleifer/distilbart-cnn-12-6"),
    "InferenceClientVCRTest.test_table_question_answering": old("table_question_answering", "models/google/tapas-base-finetuned-wtq"),
    "InferenceClientVCRTest.test_text_classification": old("text_classification", "models/distilbert-base-uncased-finetuned-sst-2-english"),
    "InferenceClientVCRTest.test_text_to_image": old("text_to_image", "models/CompVis/stable-diffusion-v1-4"),
    "InferenceClientVCRTest.test_text_to_image_default": old("text_to_image", "models/CompVis/stable-diffusion-v1-4"),
    "InferenceClientVCRTest.test_text_to_image_with_parameters": old("text_to_image", "models/CompVis/stable-diffusion-v1-4"),
    "InferenceClientVCRTest.test_text_to_speech": old("text_to_speech", "models/espnet/kan-bayashi_ljspeech_vits"),
    "InferenceClientVCRTest.test_token_classification": old("token_classification", "models/dbmdz/bert-large-cased-finetuned-conll03-english"),
    "InferenceClientVCRTest.test_translation": old("translation", "models/t5-small"),
    "InferenceClientVCRTest.test_translation_with_source_and_target_language": old("translation", "models/facebook/mbart-large-50-many-to-many-mmt"),
    "InferenceClientVCRTest.test_visual_question_answering": old("visual_question_answering", "models/dandelin/vilt-b32-finetuned-vqa"),
    "InferenceClientVCRTest.test_zero_image_classification": old("zero_shot_image_classification", "models/openai/clip-vit-base-patch32"),
    "InferenceClientVCRTest.test_zero_shot_classification_multi_label": old("zero_shot_classification", "models/facebook/bart-large-mnli"),
    "InferenceClientVCRTest.test_zero_shot_classification_single_label": old("zero_shot_classification", "models/facebook/bart-large-mnli"),
    "InferenceClientVCRTest.test_zero_shot_image_classification": old("zero_shot_image_classification", "models/openai/clip-vit-base-patch32"),
    # providers, through the router (HF token) or directly (the provider's own key)
    "TestInferenceClient.test_audio_classification[hf-inference,audio-classification]": hf("audio_classification", "alefiury/wav2vec2-large-xlsr-53-gender-recognition-librispeech"),
    "TestInferenceClient.test_automatic_speech_recognition[fal-ai,automatic-speech-recognition]": Case("automatic_speech_recognition", provider="fal-ai", call_model="openai/whisper-large-v3"),
    "TestInferenceClient.test_automatic_speech_recognition[hf-inference,automatic-speech-recognition]": hf("automatic_speech_recognition", "jonatasgrosman/wav2vec2-large-xlsr-53-english"),
    "TestInferenceClient.test_chat_completion_unprocessable_entity": hf("chat_completion", "meta-llama/Meta-Llama-3-70B-Instruct"),
    "TestInferenceClient.test_chat_completion_with_non_tgi": hf("chat_completion", "microsoft/DialoGPT-small"),
    "TestInferenceClient.test_document_question_answering[hf-inference,document-question-answering]": hf("document_question_answering", "naver-clova-ix/donut-base-finetuned-docvqa"),
    "TestInferenceClient.test_feature_extraction_with_sentence_transformers[hf-inference,feature-extraction]": hf("feature_extraction", "facebook/bart-base"),
    "TestInferenceClient.test_feature_extraction_with_transformers[hf-inference,feature-extraction]": hf("feature_extraction", "facebook/bart-base"),
    "TestInferenceClient.test_image_classification[hf-inference,image-classification]": hf("image_classification", "google/vit-base-patch16-224"),
    "TestInferenceClient.test_image_to_text[hf-inference,image-to-text]": hf("image_to_text", "Salesforce/blip-image-captioning-base"),
    "TestInferenceClient.test_object_detection[hf-inference,object-detection]": hf("object_detection", "facebook/detr-resnet-50"),
    "TestInferenceClient.test_sentence_similarity[hf-inference,sentence-similarity]": hf("sentence_similarity", "sentence-transformers/all-MiniLM-L6-v2"),
    "TestInferenceClient.test_summarization[hf-inference,summarization]": hf("summarization", "sshleifer/distilbart-cnn-12-6"),
    "TestInferenceClient.test_table_question_answering[hf-inference,table-question-answering]": hf("table_question_answering", "google/tapas-base-finetuned-wtq"),
    "TestInferenceClient.test_text_classification[hf-inference,text-classification]": hf("text_classification", "distilbert/distilbert-base-uncased-finetuned-sst-2-english"),
    "TestInferenceClient.test_text_to_image_default[hf-inference,text-to-image]": hf("text_to_image", "CompVis/stable-diffusion-v1-4"),
    "TestInferenceClient.test_text_to_image_default[nebius,text-to-image]": Case("text_to_image", provider="nebius", call_model=SDXL, reference=False),
    "TestInferenceClient.test_text_to_image_default[together,text-to-image]": Case("text_to_image", provider="together", call_model=SDXL),
    "TestInferenceClient.test_text_to_speech[hf-inference,text-to-speech]": hf("text_to_speech", "espnet/kan-bayashi_ljspeech_vits"),
    "TestInferenceClient.test_text_to_speech[replicate,text-to-speech]": Case(
        "text_to_speech", provider="replicate", token=PROVIDER_KEY, call_model="hexgrad/Kokoro-82M",
        hardcoded=("replicate", "hexgrad/Kokoro-82M", "jaaari/kokoro-82m:dfdf537ba482b029e0a761699e6f55e9162cfd159270bfe0e44857caa5f275a6", "text-to-speech"),
    ),
    "TestInferenceClient.test_token_classification[hf-inference,token-classification]": hf("token_classification", "dbmdz/bert-large-cased-finetuned-conll03-english"),
    "TestInferenceClient.test_translation[hf-inference,translation]": hf("translation", "t5-small"),
    "TestInferenceClient.test_translation_with_source_and_target_language[hf-inference,translation]": hf("translation", "facebook/mbart-large-50-many-to-many-mmt"),
    "TestInferenceClient.test_zero_shot_classification_multi_label[hf-inference,zero-shot-classification]": hf("zero_shot_classification", "facebook/bart-large-mnli"),
    "TestInferenceClient.test_zero_shot_classification_single_label[hf-inference,zero-shot-classification]": hf("zero_shot_classification", "facebook/bart-large-mnli"),
    "TestInferenceClient.test_zero_shot_image_classification[hf-inference,zero-shot-image-classification]": hf("zero_shot_image_classification", "openai/clip-vit-base-patch32"),
    "TestOpenAICompatibility.test_base_url_and_api_key": Case("chat_completion", base_url=f"{OLD}/models/meta-llama/Meta-Llama-3-8B-Instruct", call_model="meta-llama/Meta-Llama-3-8B-Instruct"),
    "TestOpenAICompatibility.test_with_stream_true": hf("chat_completion", "meta-llama/Meta-Llama-3-8B-Instruct"),
    "TestOpenAICompatibility.test_without_base_url": hf("chat_completion", "meta-llama/Meta-Llama-3-8B-Instruct"),
    # TGI's /generate (bodies recorded) and the async recordings (bodies not recorded)
    **{
        f"TestTextGenerationClientVCR.test_generate_{n}": hf("text_generation", m)
        for n, m in [
            ("best_of", "google/flan-t5-xxl"), ("no_details", "google/flan-t5-xxl"), ("stream_no_details", "google/flan-t5-xxl"),
            ("stream_with_details", "google/flan-t5-xxl"), ("validation_error", "google/flan-t5-xxl"),
            ("with_details", "google/flan-t5-xxl"), ("with_grammar", "HuggingFaceH4/zephyr-orpo-141b-A35b-v0.1"),
        ]
    },
    "TestTextGenerationClientVCR.test_generate_non_tgi_endpoint": hf("text_generation", "gpt2", sequence=NON_TGI),
    "test_async_generate_non_tgi_endpoint": old("text_generation", "models/gpt2", sequence=NON_TGI),
    **{
        f"TestTextGenerationAsyncClientVCR.test_generate_{n}": old("text_generation", "models/google/flan-t5-xxl", args=("test",), kwargs=kw, calls=calls)
        for n, kw, calls in [
            ("best_of", {"max_new_tokens": 1, "best_of": 2, "do_sample": True, "details": True, "decoder_input_details": True}, 2),
            ("no_details", {"max_new_tokens": 1}, 2),
            ("stream_no_details", {"max_new_tokens": 1, "stream": True}, 1),
            ("stream_with_details", {"max_new_tokens": 1, "stream": True, "details": True}, 1),
            ("validation_error", {"max_new_tokens": 10_000}, 2),
            ("with_details", {"max_new_tokens": 1, "details": True, "decoder_input_details": True}, 2),
        ]
    },
    "TestTextGenerationAsyncClientVCR.test_generate_non_tgi_endpoint": old("text_generation", "models/gpt2", sequence=NON_TGI),
    "TestTextGenerationClientVCR.test_generate_non_tgi_endpoint_regression_test": hf("text_generation", "google/flan-t5-large"),
    "test_async_chat_completion_no_stream": hf("chat_completion", "HuggingFaceH4/zephyr-7b-beta", args=(MSG,), kwargs={"max_tokens": 10}),
    "test_async_chat_completion_not_tgi_no_stream": hf("chat_completion", "microsoft/DialoGPT-small", args=(MSG,), kwargs={"max_tokens": 10}),
    "test_async_chat_completion_with_stream": hf("chat_completion", "HuggingFaceH4/zephyr-7b-beta", args=(MSG,), kwargs={"max_tokens": 10, "stream": True}),
    "test_async_generate_best_of": hf("text_generation", "openai-community/gpt2", args=("test",), kwargs={"max_new_tokens": 1, "best_of": 2, "do_sample": True, "details": True, "decoder_input_details": True}),
    "test_async_generate_no_details": hf("text_generation", "openai-community/gpt2", args=("test",), kwargs={"max_new_tokens": 1}),
    "test_async_generate_stream_no_details": hf("text_generation", "openai-community/gpt2", args=("test",), kwargs={"max_new_tokens": 1, "stream": True}),
    "test_async_generate_stream_with_details": hf("text_generation", "openai-community/gpt2", args=("test",), kwargs={"max_new_tokens": 1, "stream": True, "details": True}),
    "test_async_generate_validation_error": hf("text_generation", "openai-community/gpt2", args=("test",), kwargs={"max_new_tokens": 10_000}),
    "test_async_generate_with_details": hf("text_generation", "openai-community/gpt2", args=("test",), kwargs={"max_new_tokens": 1, "details": True, "decoder_input_details": True}),
    "test_async_sentence_similarity": hf("sentence_similarity", "sentence-transformers/all-MiniLM-L6-v2", args=("Machine learning is so easy.", ["Deep learning is so straightforward.", "This is so difficult, like rocket science.", "I can't believe how much I struggled with this."])),
    "test_openai_compatibility_base_url_and_api_key": Case("chat_completion", base_url=f"{OLD}/models/meta-llama/Meta-Llama-3-8B-Instruct", args=(MSG,), kwargs={"max_tokens": 10}),
    "test_openai_compatibility_with_stream_true": hf("chat_completion", "meta-llama/Meta-Llama-3.1-8B-Instruct", args=(MSG,), kwargs={"max_tokens": 10, "stream": True}),
    "test_openai_compatibility_without_base_url": hf("chat_completion", "meta-llama/Meta-Llama-3.1-8B-Instruct", args=(MSG,), kwargs={"max_tokens": 10}),
}

# fmt: on

# chat on every recorded provider, streamed and not
_CHAT = {
    "cerebras": LLAMA33,
    "fireworks-ai": LLAMA33,
    "hyperbolic": LLAMA32,
    "nebius": LLAMA31,
    "novita": LLAMA31,
    "sambanova": LLAMA31,
    "together": "meta-llama/Meta-Llama-3-8B-Instruct",
    "hf-inference": LLAMA31,
}
_DIRECT = {
    "centml": ("meta-llama/Llama-3.3-70B-Instruct", "meta-llama/Llama-3.3-70B-Instruct"),
    "cohere": ("CohereForAI/c4ai-command-r7b-12-2024", "command-r7b-12-2024"),
}
for _stream in ("no_stream", "with_stream"):
    for _p, _m in _CHAT.items():
        CASES[f"TestInferenceClient.test_chat_completion_{_stream}[{_p},conversational]"] = Case(
            "chat_completion", provider=_p, call_model=_m, reference=_p not in ("hyperbolic", "nebius", "sambanova")
        )
    for _p, (_m, _pid) in _DIRECT.items():
        CASES[f"TestInferenceClient.test_chat_completion_{_stream}[{_p},conversational]"] = Case(
            "chat_completion",
            provider=_p,
            call_model=_m,
            token=PROVIDER_KEY,
            hardcoded=(_p, _m, _pid, "conversational"),
            reference=_p != "centml",
        )

# Recorded by earlier clients, whose bodies differ from what 2.4.0 (and hubkit) send; the
# reference comparison still holds for them. Reason per group.
ERA = {
    # "model": "tgi" and explicit nulls / defaults (temperature 1.0) of the first chat API
    "InferenceClientVCRTest.test_chat_completion_no_stream",
    "InferenceClientVCRTest.test_chat_completion_with_stream",
    "InferenceClientVCRTest.test_chat_completion_unprocessable_entity",
    "InferenceClientVCRTest.test_chat_completion_with_tool",
    "InferenceClientVCRTest.test_chat_completion_with_non_tgi",
    "InferenceClientVCRTest.test_chat_completion_with_response_format",
    # inputs at the top level / as a list / labels as one comma-separated string
    "InferenceClientVCRTest.test_question_answering",
    "InferenceClientVCRTest.test_table_question_answering",
    "InferenceClientVCRTest.test_text_classification",
    "InferenceClientVCRTest.test_zero_image_classification",
    "InferenceClientVCRTest.test_zero_shot_image_classification",
    "InferenceClientVCRTest.test_zero_shot_classification_multi_label",
    "InferenceClientVCRTest.test_zero_shot_classification_single_label",
    "InferenceClientVCRTest.test_document_question_answering",
    "InferenceClientVCRTest.test_visual_question_answering",
    "TestInferenceClient.test_sentence_similarity[hf-inference,sentence-similarity]",
    "TestInferenceClient.test_table_question_answering[hf-inference,table-question-answering]",
    # the router's older embedding path (/hf-inference/pipeline/{task}/{id})
    "TestInferenceClient.test_feature_extraction_with_sentence_transformers[hf-inference,feature-extraction]",
    "TestInferenceClient.test_feature_extraction_with_transformers[hf-inference,feature-extraction]",
    # parameters sent as explicit nulls by the TGI-era client
    "TestTextGenerationClientVCR.test_generate_non_tgi_endpoint",
    # the router URL of the 3.1 model and of the async-era embedding path
    "test_openai_compatibility_with_stream_true",
    "test_openai_compatibility_without_base_url",
    "test_async_sentence_similarity",
}

NOT_REPLAYED = {
    "InferenceApiTest.*": "the legacy InferenceApi class, removed from huggingface_hub before 1.0 (not in the 2.4.0 API)",
    "TestSpaceAPIProduction.*": "Space management (HfApi), not inference",
    "InferenceClientVCRTest.test_conversational": "the `conversational` task of early clients, gone from the 2.4.0 API",
    "InferenceClientVCRTest.test_unprocessable_entity_error": "a call of that same removed `conversational` task",
    "TestInferenceClient.test_hf_inference_get_recommended_model_has_recommendation": "Hub lookups only (model info), no inference call",
    "test_http_session_correctly_closed": "aiohttp session bookkeeping of an earlier async client",
    "test_unprocessable_entity_error": "the async twin of the removed `conversational` call above",
}


def test_every_cassette_is_replayed_or_excused() -> None:
    names = {p.stem for p in CASSETTES.glob("*.yaml")}
    assert len(names) > 100, f"cassettes not found in {CASSETTES}"
    excused = {n for n in names for pat in NOT_REPLAYED if n == pat or (pat.endswith("*") and n.startswith(pat[:-1]))}
    assert names - excused == set(CASES), sorted((names - excused) ^ set(CASES))


# --- running one call through each client ------------------------------------------------------


@pytest.fixture(autouse=True)
def _fresh_state(monkeypatch: pytest.MonkeyPatch) -> Any:
    """No cache or learnt state carried from one replay to the next, nothing sent off the machine."""
    monkeypatch.setenv("HF_ENDPOINT", "https://huggingface.co")
    monkeypatch.delenv("HF_TOKEN", raising=False)
    hf_providers_common._fetch_inference_provider_mapping.cache_clear()
    hf_hf_inference._check_supported_task.cache_clear()
    hf_common._UNSUPPORTED_TEXT_GENERATION_KWARGS.clear()
    _plans._UNSUPPORTED_TEXT_GENERATION_KWARGS.clear()
    clear_caches()
    yield
    hf_http.set_client_factory(hf_http.default_client_factory)
    hf_http.close_session()
    hubkit.set_client_factory(hubkit._http.default_client_factory)
    set_async_client_factory(default_async_client_factory)
    hk_providers_common.HARDCODED_MODEL_INFERENCE_MAPPING.clear()
    hf_providers_common.HARDCODED_MODEL_INFERENCE_MAPPING.get("replicate", {}).clear()
    hf_providers_common.HARDCODED_MODEL_INFERENCE_MAPPING.get("cohere", {}).clear()


def _answer(replay: Replay, request: Any, module: Any) -> Any:
    status, headers, content = replay.answer(request.method, str(request.url), dict(request.headers), request.read())
    return module.Response(status, headers=headers, content=content)


def normalize(value: Any) -> Any:
    """Results of either library as plain data (dataclass-dicts, arrays, images, bytes)."""
    if hasattr(value, "tolist") and hasattr(value, "dtype"):
        return ("array", value.dtype.name, value.tolist())
    if hasattr(value, "size") and hasattr(value, "mode") and hasattr(value, "tobytes"):
        return ("image", value.size, value.mode)
    if hasattr(value, "__dataclass_fields__"):  # fields and the extras a server sent
        return {k: normalize(v) for k, v in vars(value).items()}
    if isinstance(value, dict):
        return {k: normalize(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalize(v) for v in value]
    return value


def _outcome(fn: Any) -> Any:
    try:
        result = fn()
        if hasattr(result, "__next__"):
            result = list(result)
        return normalize(result)
    except Exception as err:
        return ("error", type(err).__name__)


async def _aoutcome(coro: Any) -> Any:
    try:
        result = await coro
        if hasattr(result, "__anext__"):
            result = [x async for x in result]
        return normalize(result)
    except Exception as err:
        return ("error", type(err).__name__)


def _calls(name: str, case: Case, interactions: list[Any]) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    if case.sequence is not None:
        return [(a, dict(k)) for a, k in case.sequence]
    if case.args is not None:
        return [(case.args, dict(case.kwargs))] * case.calls
    posts = [i for i in interactions if i.method == "POST"]
    calls = []
    for item in posts[: case.calls] if case.calls > 1 else posts[:1]:
        ctype = "application/json" if item.body and item.body[:1] in (b"{", b"[") else "application/octet-stream"
        body = json.loads(item.body) if ctype == "application/json" else item.body
        calls.append(derive(case.method, body))
    return calls


def _client_kwargs(case: Case) -> dict[str, Any]:
    kw: dict[str, Any] = {"token": case.token} if case.base_url is None else {"api_key": case.token}
    if case.model is not None:
        kw["model"] = case.model
    if case.base_url is not None:
        kw["base_url"] = case.base_url
    if case.provider is not None:
        kw["provider"] = case.provider
    return kw


def _call_kwargs(case: Case, kwargs: dict[str, Any]) -> dict[str, Any]:
    return {**kwargs, "model": case.call_model} if case.call_model is not None else kwargs


def _hardcode(case: Case) -> None:
    if case.hardcoded is None:
        return
    provider, model, provider_id, task = case.hardcoded
    hk_providers_common.HARDCODED_MODEL_INFERENCE_MAPPING.setdefault(provider, {})[model] = hk_providers_common.mapping(
        provider, model, provider_id, task
    )
    if case.reference:
        from huggingface_hub.hf_api import InferenceProviderMapping

        hf_providers_common.HARDCODED_MODEL_INFERENCE_MAPPING.setdefault(provider, {})[model] = (
            InferenceProviderMapping(
                provider=provider, hf_model_id=model, providerId=provider_id, task=task, status="live"
            )
        )


@pytest.mark.filterwarnings("ignore:API endpoint/model for text-generation is not served via TGI")
@pytest.mark.parametrize("name", sorted(CASES))
def test_replay(name: str) -> None:
    case = CASES[name]
    interactions = load(name)
    calls = _calls(name, case, interactions)
    _hardcode(case)

    reference = reference_seen = None
    if case.reference:
        replay = Replay(interactions)
        hf_http.close_session()
        hf_http.set_client_factory(
            lambda: httpx2.Client(transport=httpx2.MockTransport(lambda r: _answer(replay, r, httpx2)))
        )
        client = huggingface_hub.InferenceClient(**_client_kwargs(case))
        reference = [
            _outcome(lambda a=a, k=k: getattr(client, case.method)(*a, **_call_kwargs(case, k))) for a, k in calls
        ]
        reference_seen = [s.key() for s in replay.seen]
        hf_common._UNSUPPORTED_TEXT_GENERATION_KWARGS.clear()

    sync_replay = Replay(interactions)
    hubkit.close_session()
    hubkit.set_client_factory(
        lambda: httpx.Client(transport=httpx.MockTransport(lambda r: _answer(sync_replay, r, httpx)))
    )
    ours = hubkit.InferenceClient(**_client_kwargs(case))
    got_sync = [_outcome(lambda a=a, k=k: getattr(ours, case.method)(*a, **_call_kwargs(case, k))) for a, k in calls]
    _plans._UNSUPPORTED_TEXT_GENERATION_KWARGS.clear()
    clear_caches()  # the async client must ask what the sync one learnt

    async_replay = Replay(interactions)

    async def handler(request: httpx.Request) -> httpx.Response:
        await request.aread()
        return _answer(async_replay, request, httpx)

    set_async_client_factory(lambda: httpx.AsyncClient(transport=httpx.MockTransport(handler)))

    async def run_async() -> list[Any]:
        async with hubkit.AsyncInferenceClient(**_client_kwargs(case)) as aclient:
            return [await _aoutcome(getattr(aclient, case.method)(*a, **_call_kwargs(case, k))) for a, k in calls]

    got_async = asyncio.run(run_async())

    # requests: both hubkit clients send what the reference sends, and the recording was answered
    assert [s.key() for s in sync_replay.seen] == [s.key() for s in async_replay.seen]
    if reference_seen is not None:
        assert [s.key() for s in sync_replay.seen] == reference_seen
    assert sync_replay.seen and all(a.status != 599 for a in sync_replay.answered)
    for seen, recorded in zip(sync_replay.seen, sync_replay.answered, strict=True):
        assert seen.method == recorded.method
        url_ok, body_ok = same_as_recording(seen, recorded)
        if name not in ERA:
            assert url_ok, (seen.url, recorded.uri)
            assert body_ok, (seen.body, recorded.body)
    # answers: parsed alike by both hubkit clients and by the reference
    assert got_sync == got_async
    if reference is not None:
        assert got_sync == reference
    assert got_sync, "no call made"
