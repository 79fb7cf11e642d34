"""fal.ai: synchronous calls (speech, images) and queued jobs polled until done."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlsplit

from .._common import Call, Plan, RequestParameters, Sleep, as_dict, as_url, filter_none, open_as_mime_bytes
from ._common import TaskProviderHelper

POLL_SECONDS = 0.5
HF_FILE_URL = "https://huggingface.co/{repo_id}/resolve/{revision}/{filename}"


class FalAITask(TaskProviderHelper):
    queued = False

    def __init__(self, task: str) -> None:
        super().__init__("fal-ai", "https://queue.fal.run" if self.queued else "https://fal.run", task)

    def _prepare_headers(self, headers: dict[str, Any], api_key: str | None) -> dict[str, Any]:
        out = super()._prepare_headers(headers, api_key)
        if api_key and not api_key.startswith("hf_"):
            out["authorization"] = f"Key {api_key}"
        return out

    def _prepare_route(self, mapped_model: str, api_key: str) -> str:
        if self.queued and api_key.startswith("hf_"):
            return f"/{mapped_model}?_subdomain=queue"
        return f"/{mapped_model}"

    def _loras(self, payload: dict[str, Any], info: Any) -> dict[str, Any]:
        if info.adapter_weights_path is not None:
            path = HF_FILE_URL.format(repo_id=info.hf_model_id, revision="main", filename=info.adapter_weights_path)
            payload["loras"] = [{"path": path, "scale": 1}]
        return payload

    def get_response(self, response: Any, request_params: RequestParameters | None = None) -> Plan[Any]:
        if not self.queued:
            return response
        answer = as_dict(response)
        if not answer.get("request_id"):
            raise ValueError("No request ID found in the response")
        if request_params is None:
            raise ValueError(
                f"A `RequestParameters` object should be provided to get {self.task} responses with Fal AI."
            )
        url = urlsplit(request_params.url)
        base = f"{url.scheme}://{url.netloc}{'/fal-ai' if url.netloc == 'router.huggingface.co' else ''}"
        query = f"?{url.query}" if url.query else ""
        path = urlsplit(answer.get("response_url")).path
        status = answer.get("status")
        while status != "COMPLETED":
            yield Sleep(POLL_SECONDS)
            poll = yield Call(f"{base}{path}/status{query}", method="GET", headers=request_params.headers)
            status = poll.json().get("status")
        return (yield Call(f"{base}{path}{query}", method="GET", headers=request_params.headers, check=False)).json()


def _fetch(url: str) -> Plan[bytes]:
    return (yield Call(url, method="GET", check=False)).content


class FalSpeechToText(FalAITask):
    def __init__(self) -> None:
        super().__init__("automatic-speech-recognition")

    def _prepare_payload_as_dict(
        self, inputs: Any, parameters: dict[str, Any], provider_mapping_info: Any
    ) -> Plan[Any]:
        if isinstance(inputs, str) and inputs.startswith(("http://", "https://")):
            url = inputs
        else:
            raw = yield from open_as_mime_bytes(inputs)
            url = f"data:audio/mpeg;base64,{base64.b64encode(raw or b'').decode()}"
        return {"audio_url": url, **filter_none(parameters)}

    def get_response(self, response: Any, request_params: RequestParameters | None = None) -> Any:
        text = as_dict(response)["text"]
        if not isinstance(text, str):
            raise ValueError(f"Unexpected output format from FalAI API. Expected string, got {type(text)}.")
        return {"text": text}


class FalTextToImage(FalAITask):
    def __init__(self) -> None:
        super().__init__("text-to-image")

    def _prepare_payload_as_dict(self, inputs: Any, parameters: dict[str, Any], provider_mapping_info: Any) -> Any:
        payload: dict[str, Any] = {"prompt": inputs, **filter_none(parameters)}
        if "width" in payload and "height" in payload:
            payload["image_size"] = {"width": payload.pop("width"), "height": payload.pop("height")}
        payload = self._loras(payload, provider_mapping_info)
        if (
            provider_mapping_info.adapter_weights_path is not None
            and provider_mapping_info.provider_id == "fal-ai/lora"
        ):
            payload["model_name"] = "stabilityai/stable-diffusion-xl-base-1.0"
        return payload

    def get_response(self, response: Any, request_params: RequestParameters | None = None) -> Plan[bytes]:
        return (yield from _fetch(as_dict(response)["images"][0]["url"]))


class FalTextToSpeech(FalAITask):
    def __init__(self) -> None:
        super().__init__("text-to-speech")

    def _prepare_payload_as_dict(self, inputs: Any, parameters: dict[str, Any], provider_mapping_info: Any) -> Any:
        return {"text": inputs, **filter_none(parameters)}

    def get_response(self, response: Any, request_params: RequestParameters | None = None) -> Plan[bytes]:
        return (yield from _fetch(as_dict(response)["audio"]["url"]))


class FalQueued(FalAITask):
    """Queued jobs: videos, image edits, segmentation."""

    queued = True
    output_key = ("video", None)

    def _prepare_payload_as_dict(
        self, inputs: Any, parameters: dict[str, Any], provider_mapping_info: Any
    ) -> Plan[Any]:
        if self.task == "text-to-video":
            return self._loras({"prompt": inputs, **filter_none(parameters)}, provider_mapping_info)
        image = yield from as_url(inputs, "image/png" if self.task == "image-segmentation" else "image/jpeg")
        if self.task == "image-segmentation":
            return {"image_url": image, **filter_none(parameters), "sync_mode": True}
        if self.task == "image-to-image":
            if "target_size" in parameters:
                parameters["image_size"] = parameters.pop("target_size")
            payload = {"image_url": image, "image_urls": [image], **filter_none(parameters)}
        else:
            payload = {"image_url": image, **filter_none(parameters)}
        return self._loras(payload, provider_mapping_info)

    def get_response(self, response: Any, request_params: RequestParameters | None = None) -> Plan[Any]:
        result = as_dict((yield from super().get_response(response, request_params)))
        if self.task == "image-to-image":
            return (yield from _fetch(result["images"][0]["url"]))
        if self.task != "image-segmentation":
            return (yield from _fetch(result["video"]["url"]))
        image = result.get("image")
        if image is None or "url" not in image:
            raise ValueError(f"Response from fal ai image-segmentation API does not contain an image URL: {result}")
        url = image["url"]
        if isinstance(url, str) and url.startswith("data:"):
            if "," not in url:
                raise ValueError(f"Invalid data URL format: {url}")
            mask = url.split(",", 1)[1]
        else:
            mask = base64.b64encode((yield Call(url, method="GET")).content).decode()
        return [{"label": "mask", "mask": mask}]


def helpers() -> dict[str, TaskProviderHelper]:
    return {
        "automatic-speech-recognition": FalSpeechToText(),
        "text-to-image": FalTextToImage(),
        "text-to-speech": FalTextToSpeech(),
        "text-to-video": FalQueued("text-to-video"),
        "image-to-video": FalQueued("image-to-video"),
        "image-to-image": FalQueued("image-to-image"),
        "image-segmentation": FalQueued("image-segmentation"),
    }
