"""DeepInfra: the OpenAI API under ``/v1/openai``, with multipart audio uploads for transcription."""

from __future__ import annotations

import json
import mimetypes
import uuid
from typing import Any

from .._common import MimeBytes, Plan, RequestParameters, as_dict, filter_none, open_as_mime_bytes
from ._common import TaskProviderHelper
from .openai_compatible import Completions, Embeddings, RoutedChat

PROVIDER, BASE_URL = "deepinfra", "https://api.deepinfra.com"


def _field(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value)


def multipart(audio: MimeBytes, fields: dict[str, Any]) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body: the audio as ``file`` then one part per field."""
    boundary = uuid.uuid4().hex
    name = "audio" + (mimetypes.guess_extension(audio.mime_type or "") or ".wav")
    parts = [
        f"--{boundary}".encode(),
        f'Content-Disposition: form-data; name="file"; filename="{name}"'.encode(),
        f"Content-Type: {audio.mime_type or 'application/octet-stream'}".encode(),
        b"",
        bytes(audio),
    ]
    for key, value in fields.items():
        parts += [
            f"--{boundary}".encode(),
            f'Content-Disposition: form-data; name="{key}"'.encode(),
            b"",
            _field(value).encode(),
        ]
    parts += [f"--{boundary}--".encode(), b""]
    return b"\r\n".join(parts), f"multipart/form-data; boundary={boundary}"


class DeepInfraSpeechToText(TaskProviderHelper):
    def __init__(self) -> None:
        super().__init__(PROVIDER, BASE_URL, "automatic-speech-recognition")

    def _prepare_route(self, mapped_model: str, api_key: str) -> str:
        return "/v1/openai/audio/transcriptions"

    def _prepare_payload_as_bytes(
        self, inputs: Any, parameters: dict[str, Any], provider_mapping_info: Any, extra_payload: dict[str, Any] | None
    ) -> Plan[MimeBytes]:
        audio = yield from open_as_mime_bytes(inputs)
        fields = {
            **filter_none(parameters),
            **filter_none(extra_payload or {}),
            "model": provider_mapping_info.provider_id,
        }
        body, content_type = multipart(audio or MimeBytes(b""), fields)
        return MimeBytes(body, content_type)

    def get_response(self, response: Any, request_params: RequestParameters | None = None) -> Any:
        answer = as_dict(response)
        if not isinstance(answer.get("text"), str):
            raise ValueError(
                f"Unexpected output format from DeepInfra API. Expected string, got {type(answer.get('text'))}."
            )
        out: dict[str, Any] = {"text": answer["text"]}
        if isinstance(answer.get("segments"), list):
            out["chunks"] = [
                {"text": s.get("text"), "timestamp": [s.get("start"), s.get("end")]}
                for s in answer["segments"]
                if isinstance(s, dict)
            ]
        return out


class DeepInfraSpeech(TaskProviderHelper):
    def __init__(self) -> None:
        super().__init__(PROVIDER, BASE_URL, "text-to-speech")

    def _prepare_route(self, mapped_model: str, api_key: str) -> str:
        return "/v1/openai/audio/speech"

    def _prepare_payload_as_dict(self, inputs: Any, parameters: dict[str, Any], provider_mapping_info: Any) -> Any:
        return {"input": inputs, **filter_none(parameters), "model": provider_mapping_info.provider_id}

    def get_response(self, response: Any, request_params: RequestParameters | None = None) -> Any:
        if isinstance(response, bytes):
            return response
        raise ValueError(f"Expected raw audio bytes for text-to-speech, got {type(response).__name__}.")


def helpers() -> dict[str, TaskProviderHelper]:
    return {
        "automatic-speech-recognition": DeepInfraSpeechToText(),
        "conversational": RoutedChat(PROVIDER, BASE_URL, "/v1/openai/chat/completions"),
        "feature-extraction": Embeddings(PROVIDER, BASE_URL, "/v1/openai/embeddings"),
        "text-generation": Completions(PROVIDER, BASE_URL, "/v1/openai/completions", rename_max_tokens=True),
        "text-to-speech": DeepInfraSpeech(),
    }
