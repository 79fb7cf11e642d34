"""``provider="hf-inference"``: the Hub's own serverless inference, any URL, or a self-hosted hub.

Models are addressed as ``{router}/hf-inference/models/{id}`` (``/pipeline/{task}`` for the two
tasks one model can serve both of), a URL ``model`` is used as is, and chat goes to the model's
``/v1/chat/completions``. Before a call the model's ``pipeline_tag`` is checked, as the Hub does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from ... import constants
from ..._auth import get_token
from ..._http import build_hf_headers
from ...api.types import InferenceProviderMapping
from .._common import Call, MimeBytes, Plan, RequestParameters, as_dict, b64_encode, filter_none, open_as_mime_bytes
from ._common import TaskProviderHelper, mapping, router_base

_RECOMMENDED: dict[str, dict[str, str | None]] = {}
_CHECKED: set[tuple[str, str, str]] = set()


def clear_caches() -> None:
    _RECOMMENDED.clear()
    _CHECKED.clear()


def _is_url(model: str | None) -> bool:
    return model is not None and model.startswith(("http://", "https://"))


def recommended_models() -> Plan[dict[str, str | None]]:
    """The Hub's default model per task (``/api/tasks``), cached per endpoint."""
    cached = _RECOMMENDED.get(constants.ENDPOINT)
    if cached is None:
        response = yield Call(f"{constants.ENDPOINT}/api/tasks", method="GET", headers=build_hf_headers())
        cached = _RECOMMENDED[constants.ENDPOINT] = {
            task: next(iter(details.get("widgetModels") or []), None) for task, details in response.json().items()
        }
    return cached


def check_supported_task(model: str, task: str) -> Plan[None]:
    """Refuse (``ValueError``) a model whose ``pipeline_tag`` does not fit ``task``."""
    key = (constants.ENDPOINT, model, task)
    if key in _CHECKED:
        return
    url = f"{constants.ENDPOINT}/api/models/{quote(model, safe='/')}"
    info = (yield Call(url, method="GET", headers=build_hf_headers())).json()
    tag, tags = info.get("pipeline_tag"), info.get("tags") or []
    _require_task(model, task, tag, tags)
    _CHECKED.add(key)


def _require_task(model: str, task: str, tag: str | None, tags: list[str]) -> None:
    if task in ("text-generation", "conversational") and tag == "text-generation":
        return
    if tag == "text2text-generation":
        if task == "text-generation":
            return
        raise ValueError(f"Model '{model}' doesn't support task '{task}'.")
    if tag == "image-text-to-text":
        if task == "conversational":
            return
        raise ValueError("Non-conversational image-text-to-text task is not supported.")
    pair = ("feature-extraction", "sentence-similarity")
    if task in pair and tag in pair and task in tags:
        return  # one model, both tasks
    if tag != task:
        raise ValueError(f"Model '{model}' doesn't support task '{task}'. Supported tasks: '{tag}', got: '{task}'")


class HFInferenceTask(TaskProviderHelper):
    """JSON in (``{"inputs": ..., "parameters": ...}``), JSON or bytes out."""

    def __init__(self, task: str) -> None:
        super().__init__("hf-inference", router_base("hf-inference"), task)

    def _prepare_api_key(self, api_key: str | None) -> str:
        return api_key or get_token()  # type: ignore[return-value]  # anonymous calls are allowed

    def _prepare_mapping_info(self, model: str | None) -> Plan[InferenceProviderMapping]:
        if _is_url(model):
            return mapping("hf-inference", model, model, self.task)  # type: ignore[arg-type]
        model_id = model if model is not None else (yield from recommended_models()).get(self.task)
        if model_id is None:
            raise ValueError(
                f"Task {self.task} has no recommended model for HF Inference. Please specify a model"
                " explicitly. Visit https://huggingface.co/tasks for more info."
            )
        yield from check_supported_task(model_id, self.task)
        return mapping("hf-inference", model_id, model_id, self.task)

    def _prepare_url(self, api_key: str, mapped_model: str) -> str:
        if _is_url(mapped_model):
            return mapped_model
        base = f"{router_base('hf-inference')}/models/{mapped_model}"
        # the two tasks a sentence-embedding model serves both of are told apart by the path
        return f"{base}/pipeline/{self.task}" if self.task in ("feature-extraction", "sentence-similarity") else base

    def _prepare_payload_as_dict(
        self, inputs: Any, parameters: dict[str, Any], provider_mapping_info: InferenceProviderMapping
    ) -> Any:
        _refuse_binary(inputs, self.task)
        return filter_none({"inputs": inputs, "parameters": parameters})


def _refuse_binary(inputs: Any, task: str) -> None:
    if isinstance(inputs, bytes):
        raise ValueError(f"Unexpected binary input for task {task}.")
    if isinstance(inputs, Path):
        raise ValueError(f"Unexpected path input for task {task} (got {inputs})")


class HFInferenceBinaryInputTask(HFInferenceTask):
    """Raw bytes in (an image, a sound); base64 JSON when parameters come along."""

    def _prepare_payload_as_dict(self, inputs: Any, parameters: dict[str, Any], provider_mapping_info: Any) -> Any:
        return None

    def _prepare_payload_as_bytes(
        self, inputs: Any, parameters: dict[str, Any], provider_mapping_info: Any, extra_payload: dict[str, Any] | None
    ) -> Plan[MimeBytes]:
        parameters = filter_none(parameters)
        extra = extra_payload or {}
        # (huggingface_hub refuses open files here, though its signatures accept them: we read them)
        if not isinstance(inputs, (bytes, bytearray, memoryview, Path, str)) and not hasattr(inputs, "read"):
            raise ValueError(f"Expected binary inputs or a local path or a URL. Got {inputs}")
        if not parameters and not extra:
            data = yield from open_as_mime_bytes(inputs)
            return data  # type: ignore[return-value]
        encoded = yield from b64_encode(inputs)
        body = {"inputs": encoded, "parameters": parameters, **extra}
        return MimeBytes(json.dumps(body).encode(), "application/json")


class HFInferenceConversational(HFInferenceTask):
    """Chat at ``{model URL}/v1/chat/completions`` (the OpenAI shape)."""

    def __init__(self) -> None:
        super().__init__("conversational")

    def _prepare_payload_as_dict(
        self, inputs: Any, parameters: dict[str, Any], provider_mapping_info: InferenceProviderMapping
    ) -> Any:
        payload = filter_none(parameters)
        model = parameters.get("model") or provider_mapping_info.provider_id
        if model is None or _is_url(model):
            model = "dummy"
        response_format = parameters.get("response_format")
        if isinstance(response_format, dict) and response_format.get("type") == "json_schema":
            payload["response_format"] = {"type": "json_object", "value": response_format["json_schema"]["schema"]}
        return {"model": model, "messages": inputs, **{k: v for k, v in payload.items() if k != "model"}}

    def _prepare_url(self, api_key: str, mapped_model: str) -> str:
        base = mapped_model if _is_url(mapped_model) else f"{router_base('hf-inference')}/models/{mapped_model}"
        return chat_completion_url(base)


def chat_completion_url(model_url: str) -> str:
    """``.../chat/completions`` for a model or server URL (``/v1`` added when missing)."""
    parts = urlsplit(model_url)
    path = parts.path.rstrip("/")
    if path.endswith("/chat/completions"):
        return model_url
    if path.endswith("/v1"):
        path += "/chat/completions"
    elif not path:
        path = "/v1/chat/completions"
    else:
        path += "/v1/chat/completions"
    return urlunsplit(parts._replace(path=path))


class HFInferenceFeatureExtractionTask(HFInferenceTask):
    """Embeddings; the parameters travel at the top level of the body."""

    def __init__(self) -> None:
        super().__init__("feature-extraction")

    def _prepare_payload_as_dict(
        self, inputs: Any, parameters: dict[str, Any], provider_mapping_info: InferenceProviderMapping
    ) -> Any:
        _refuse_binary(inputs, self.task)
        return {"inputs": inputs, **filter_none(parameters)}

    def get_response(self, response: Any, request_params: RequestParameters | None = None) -> Any:
        return as_dict(response)


BINARY_TASKS = (
    "audio-classification",
    "automatic-speech-recognition",
    "image-classification",
    "image-segmentation",
    "image-to-text",
    "object-detection",
    "audio-to-audio",
    "zero-shot-image-classification",
    "image-to-image",
    "visual-question-answering",
)
JSON_TASKS = (
    "text-to-image",
    "text-generation",
    "text-classification",
    "question-answering",
    "fill-mask",
    "document-question-answering",
    "zero-shot-classification",
    "sentence-similarity",
    "table-question-answering",
    "tabular-classification",
    "text-to-speech",
    "token-classification",
    "translation",
    "summarization",
)


def helpers() -> dict[str, TaskProviderHelper]:
    out: dict[str, TaskProviderHelper] = {task: HFInferenceTask(task) for task in JSON_TASKS}
    out.update({task: HFInferenceBinaryInputTask(task) for task in BINARY_TASKS})
    out["conversational"] = HFInferenceConversational()
    out["feature-extraction"] = HFInferenceFeatureExtractionTask()
    return out
