"""Together AI: OpenAI-shaped chat/completions/embeddings, base64 images, speech, polled videos."""

from __future__ import annotations

import base64
from typing import Any

from .._common import Call, Plan, RequestParameters, Sleep, as_dict, as_url, filter_none
from ._common import BaseConversationalTask, BaseTextGenerationTask, TaskProviderHelper

PROVIDER, BASE_URL = "together", "https://api.together.xyz"
VIDEO_POLL_SECONDS, VIDEO_MAX_POLLS = 2.0, 150
_ROUTES = {
    "text-to-image": "/v1/images/generations",
    "image-to-image": "/v1/images/generations",
    "text-to-speech": "/v1/audio/speech",
    "feature-extraction": "/v1/embeddings",
    "text-to-video": "/v2/videos",
    "image-to-video": "/v2/videos",
}


class TogetherTask(TaskProviderHelper):
    def __init__(self, task: str) -> None:
        super().__init__(PROVIDER, BASE_URL, task)

    def _prepare_route(self, mapped_model: str, api_key: str) -> str:
        try:
            return _ROUTES[self.task]
        except KeyError:
            raise ValueError(f"Unsupported task '{self.task}' for Together API.") from None


def _steps(params: dict[str, Any]) -> dict[str, Any]:
    params = filter_none(params)
    if "num_inference_steps" in params:
        params["steps"] = params.pop("num_inference_steps")
    return params


class TogetherChat(BaseConversationalTask):
    def __init__(self) -> None:
        super().__init__(PROVIDER, BASE_URL)

    def _prepare_payload_as_dict(self, inputs: Any, parameters: dict[str, Any], provider_mapping_info: Any) -> Any:
        payload = super()._prepare_payload_as_dict(inputs, parameters, provider_mapping_info)
        fmt = payload.get("response_format")
        schema = fmt.get("json_schema") if isinstance(fmt, dict) and fmt.get("type") == "json_schema" else None
        if isinstance(schema, dict) and "schema" in schema:
            payload["response_format"] = {"type": "json_schema", "schema": schema["schema"]}
        return payload


class TogetherCompletions(BaseTextGenerationTask):
    def __init__(self) -> None:
        super().__init__(PROVIDER, BASE_URL)


class TogetherImages(TogetherTask):
    def __init__(self) -> None:
        super().__init__("text-to-image")

    def _prepare_payload_as_dict(self, inputs: Any, parameters: dict[str, Any], provider_mapping_info: Any) -> Any:
        return {
            "prompt": inputs,
            "response_format": "base64",
            **_steps(parameters),
            "model": provider_mapping_info.provider_id,
        }

    def get_response(self, response: Any, request_params: RequestParameters | None = None) -> Any:
        return base64.b64decode(as_dict(response)["data"][0]["b64_json"])


class TogetherImageEdit(TogetherImages):
    def __init__(self) -> None:
        TogetherTask.__init__(self, "image-to-image")

    def _prepare_payload_as_dict(
        self, inputs: Any, parameters: dict[str, Any], provider_mapping_info: Any
    ) -> Plan[Any]:
        model = provider_mapping_info.provider_id
        image = yield from as_url(inputs, "image/jpeg")
        params = _steps(parameters)
        prompt = params.pop("prompt", "")
        lowered = model.lower()
        field = {"image_url": image} if "kontext" in lowered and "flux.1" in lowered else {"reference_images": [image]}
        return {"prompt": prompt, **field, "response_format": "base64", **params, "model": model}


class TogetherEmbeddings(TogetherTask):
    def __init__(self) -> None:
        super().__init__("feature-extraction")

    def _prepare_payload_as_dict(self, inputs: Any, parameters: dict[str, Any], provider_mapping_info: Any) -> Any:
        return {"input": inputs, "model": provider_mapping_info.provider_id, **filter_none(parameters)}

    def get_response(self, response: Any, request_params: RequestParameters | None = None) -> Any:
        return [item["embedding"] for item in as_dict(response)["data"]]


class TogetherSpeech(TogetherEmbeddings):
    def __init__(self) -> None:
        TogetherTask.__init__(self, "text-to-speech")

    def get_response(self, response: Any, request_params: RequestParameters | None = None) -> Any:
        if isinstance(response, bytes):
            return response
        raise ValueError(f"Expected raw audio bytes for text-to-speech, got {type(response).__name__}.")


def _video_params(parameters: dict[str, Any]) -> dict[str, Any]:
    params = _steps(parameters)
    size = params.pop("target_size", None) or {}
    for key in ("width", "height"):
        if key in size:
            params[key] = size[key]
    return params


class TogetherVideo(TogetherTask):
    def _prepare_payload_as_dict(
        self, inputs: Any, parameters: dict[str, Any], provider_mapping_info: Any
    ) -> Plan[Any]:
        model = provider_mapping_info.provider_id
        if self.task == "text-to-video":
            return {"prompt": inputs, "model": model, **_video_params(parameters)}
        image = yield from as_url(inputs, "image/png")
        frames = [{"input_image": image, "frame": "first"}]
        return {"model": model, "frame_images": frames, **_video_params(parameters)}

    def get_response(self, response: Any, request_params: RequestParameters | None = None) -> Plan[bytes]:
        if request_params is None:
            raise ValueError("A `RequestParameters` object is required to poll Together video jobs.")
        job = as_dict(response)
        if not job.get("id"):
            raise ValueError("No job ID found in Together video generation response.")
        status = job.get("status")
        for _ in range(VIDEO_MAX_POLLS):
            if status is not None and status not in ("queued", "in_progress"):
                break
            yield Sleep(VIDEO_POLL_SECONDS)
            job = (yield Call(f"{request_params.url}/{job['id']}", method="GET", headers=request_params.headers)).json()
            status = job.get("status")
        else:
            raise ValueError(f"Timed out while waiting for Together video generation after {VIDEO_MAX_POLLS} polls")
        if status == "failed":
            raise RuntimeError(
                f"Together video generation failed: {(job.get('error') or {}).get('message') or 'Unknown error'}"
            )
        if status != "completed":
            raise RuntimeError(f"Unexpected Together video job status: {status!r}")
        url = (job.get("outputs") or {}).get("video_url")
        if not url:
            raise ValueError("No video URL found in completed Together video job.")
        return (yield Call(url, method="GET")).content


def helpers() -> dict[str, TaskProviderHelper]:
    return {
        "conversational": TogetherChat(),
        "feature-extraction": TogetherEmbeddings(),
        "image-to-image": TogetherImageEdit(),
        "image-to-video": TogetherVideo("image-to-video"),
        "text-generation": TogetherCompletions(),
        "text-to-image": TogetherImages(),
        "text-to-speech": TogetherSpeech(),
        "text-to-video": TogetherVideo("text-to-video"),
    }
