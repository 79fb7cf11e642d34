"""Replicate: predictions (``model:version`` ids or model routes), answered with output URLs."""

from __future__ import annotations

from typing import Any

from .._common import Call, Plan, RequestParameters, as_dict, as_url, filter_none
from ._common import TaskProviderHelper


class ReplicateTask(TaskProviderHelper):
    def __init__(self, task: str) -> None:
        super().__init__("replicate", "https://api.replicate.com", task)

    def _prepare_headers(self, headers: dict[str, Any], api_key: str | None) -> dict[str, Any]:
        return {**super()._prepare_headers(headers, api_key), "Prefer": "wait"}

    def _prepare_route(self, mapped_model: str, api_key: str) -> str:
        return "/v1/predictions" if ":" in mapped_model else f"/v1/models/{mapped_model}/predictions"

    def _versioned(self, payload: dict[str, Any], model: str) -> dict[str, Any]:
        if ":" in model:
            payload["version"] = model.split(":", 1)[1]
        return payload

    def _prepare_payload_as_dict(self, inputs: Any, parameters: dict[str, Any], provider_mapping_info: Any) -> Any:
        payload: dict[str, Any] = {"input": {"prompt": inputs, **filter_none(parameters)}}
        if self.task == "text-to-speech":
            payload["input"]["text"] = payload["input"].pop("prompt")
        if self.task == "text-to-image" and provider_mapping_info.adapter_weights_path is not None:
            payload["input"]["lora_weights"] = f"https://huggingface.co/{provider_mapping_info.hf_model_id}"
        return self._versioned(payload, provider_mapping_info.provider_id)

    def get_response(self, response: Any, request_params: RequestParameters | None = None) -> Plan[bytes]:
        answer = as_dict(response)
        output = answer.get("output")
        if output is None:
            raise TimeoutError(
                f"Inference request timed out after 60 seconds. No output generated for model {answer.get('model')}. "
                "The model might be in cold state or starting up. Please try again later."
            )
        url = output if isinstance(output, str) else output[0]
        return (yield Call(url, method="GET", check=False)).content


class ReplicateImageEdit(ReplicateTask):
    def __init__(self) -> None:
        super().__init__("image-to-image")

    def _prepare_payload_as_dict(
        self, inputs: Any, parameters: dict[str, Any], provider_mapping_info: Any
    ) -> Plan[Any]:
        url = yield from as_url(inputs, "image/jpeg")
        body = {"image": url, "images": [url], "input_image": url, "input_images": [url], **filter_none(parameters)}
        return self._versioned({"input": body}, provider_mapping_info.provider_id)


class ReplicateSpeechToText(ReplicateTask):
    def __init__(self) -> None:
        super().__init__("automatic-speech-recognition")

    def _prepare_payload_as_dict(
        self, inputs: Any, parameters: dict[str, Any], provider_mapping_info: Any
    ) -> Plan[Any]:
        url = yield from as_url(inputs, "audio/wav")
        return self._versioned({"input": {"audio": url, **filter_none(parameters)}}, provider_mapping_info.provider_id)

    def get_response(self, response: Any, request_params: RequestParameters | None = None) -> Plan[dict[str, str]]:
        output = as_dict(response).get("output")
        if isinstance(output, str):
            return {"text": output}
        if isinstance(output, list) and output:
            if isinstance(output[0], str):
                return {"text": output[0]}
            if isinstance(output[0], dict):
                output = output[0]
        text = None
        if isinstance(output, dict):
            for key in ("transcription", "translation"):
                if isinstance(output.get(key), str):
                    text = output[key]
            if isinstance(output.get("txt_file"), str):
                text = (yield Call(output["txt_file"], method="GET")).text
        if text is None:
            raise ValueError("Received malformed response from Replicate automatic-speech-recognition API")
        return {"text": text}


def helpers() -> dict[str, TaskProviderHelper]:
    return {
        "automatic-speech-recognition": ReplicateSpeechToText(),
        "image-to-image": ReplicateImageEdit(),
        "text-to-image": ReplicateTask("text-to-image"),
        "text-to-speech": ReplicateTask("text-to-speech"),
        "text-to-video": ReplicateTask("text-to-video"),
    }
