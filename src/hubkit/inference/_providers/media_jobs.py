"""Providers whose media tasks are jobs to poll: WaveSpeed AI, Z.ai images, Novita videos."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlsplit

from .._common import Call, Plan, RequestParameters, Sleep, as_dict, filter_none, open_as_mime_bytes
from ._common import TaskProviderHelper

WAVESPEED_POLL_SECONDS = 0.5
ZAI_POLL_SECONDS, ZAI_MAX_POLLS = 5, 60
ZAI_IMAGES = "/api/paas/v4/async/images/generations"


class WavespeedTask(TaskProviderHelper):
    def __init__(self, task: str) -> None:
        super().__init__("wavespeed", "https://api.wavespeed.ai", task)

    def _prepare_route(self, mapped_model: str, api_key: str) -> str:
        return f"/api/v3/{mapped_model}"

    def _prepare_payload_as_dict(
        self, inputs: Any, parameters: dict[str, Any], provider_mapping_info: Any
    ) -> Plan[Any]:
        if self.task in ("text-to-image", "text-to-video"):
            return {"prompt": inputs, **filter_none(parameters)}
        if isinstance(inputs, str) and inputs.startswith(("http://", "https://")):
            image = inputs
        else:
            raw = yield from open_as_mime_bytes(inputs)
            image = f"data:image/jpeg;base64,{base64.b64encode(raw or b'').decode()}"
        prompt = parameters.pop("prompt", None)
        payload = {"image": image, **filter_none(parameters)}
        if prompt is not None:
            payload["prompt"] = prompt
        return payload

    def get_response(self, response: Any, request_params: RequestParameters | None = None) -> Plan[bytes]:
        result_path = as_dict(response).get("data", {}).get("urls", {}).get("get")
        if not result_path:
            raise ValueError("No result URL found in the response")
        if request_params is None:
            raise ValueError("A `RequestParameters` object should be provided to get responses with WaveSpeed AI.")
        url = urlsplit(request_params.url)
        base = f"{url.scheme}://{url.netloc}{'/wavespeed' if url.netloc == 'router.huggingface.co' else ''}"
        path = urlsplit(result_path).path if isinstance(result_path, str) else result_path
        while True:
            yield Sleep(WAVESPEED_POLL_SECONDS)
            result = (yield Call(f"{base}{path}", method="GET", headers=request_params.headers)).json().get("data", {})
            status = result.get("status")
            if status == "completed":
                if not result.get("outputs"):
                    raise ValueError("No output URL in completed response")
                return (yield Call(result["outputs"][0], method="GET", check=False)).content
            if status == "failed":
                raise ValueError(
                    f"WaveSpeed AI task failed: {result.get('error', 'Task failed with no specific error message')}"
                )
            if status not in ("processing", "created"):
                raise ValueError(f"Unknown status: {status}")


class ZaiImages(TaskProviderHelper):
    def __init__(self) -> None:
        super().__init__("zai-org", "https://api.z.ai", "text-to-image")

    def _prepare_headers(self, headers: dict[str, Any], api_key: str | None) -> dict[str, Any]:
        return {
            **super()._prepare_headers(headers, api_key),
            "Accept-Language": "en-US,en",
            "x-source-channel": "hugging_face",
        }

    def _prepare_route(self, mapped_model: str, api_key: str) -> str:
        return ZAI_IMAGES

    def _prepare_payload_as_dict(self, inputs: Any, parameters: dict[str, Any], provider_mapping_info: Any) -> Any:
        width, height = parameters.pop("width", None), parameters.pop("height", None)
        payload: dict[str, Any] = {"model": provider_mapping_info.provider_id, "prompt": inputs}
        if width is not None and height is not None:
            payload["size"] = f"{width}x{height}"
        payload.update(filter_none(parameters))
        return payload

    def get_response(self, response: Any, request_params: RequestParameters | None = None) -> Plan[bytes]:
        answer = as_dict(response)
        task_id = answer.get("id")
        if task_id is None:
            raise ValueError("No task_id in response from ZAI API")
        if answer.get("task_status") == "FAIL":
            raise ValueError(f"ZAI image generation failed for request {task_id}")
        if answer.get("task_status") == "PROCESSING" and request_params is not None:
            poll = f"{request_params.url.rsplit(ZAI_IMAGES, 1)[0]}/api/paas/v4/async-result/{task_id}"
            for _ in range(ZAI_MAX_POLLS):
                answer = (yield Call(poll, method="GET", headers=request_params.headers)).json()
                if answer.get("task_status") == "SUCCESS":
                    break
                if answer.get("task_status") == "FAIL":
                    raise ValueError(f"Zai text-to-image generation failed for request {task_id}")
                yield Sleep(ZAI_POLL_SECONDS)
            else:
                raise ValueError(f"Timed out while waiting for the result from Zai API after {ZAI_MAX_POLLS} attempts")
        images = answer.get("image_result")
        if not images or not isinstance(images, list) or not images[0].get("url"):
            raise ValueError("No image URL in response from ZAI API")
        return (yield Call(images[0]["url"], method="GET")).content


class NovitaVideo(TaskProviderHelper):
    def __init__(self) -> None:
        super().__init__("novita", "https://api.novita.ai", "text-to-video")

    def _prepare_route(self, mapped_model: str, api_key: str) -> str:
        return f"/v3/hf/{mapped_model}"

    def _prepare_payload_as_dict(self, inputs: Any, parameters: dict[str, Any], provider_mapping_info: Any) -> Any:
        return {"prompt": inputs, **filter_none(parameters)}

    def get_response(self, response: Any, request_params: RequestParameters | None = None) -> Plan[bytes]:
        answer = as_dict(response)
        video = answer.get("video") if isinstance(answer, dict) else None
        if not isinstance(video, dict) or "video_url" not in video:
            raise ValueError("Expected response format: { 'video': { 'video_url': string } }")
        return (yield Call(video["video_url"], method="GET", check=False)).content
