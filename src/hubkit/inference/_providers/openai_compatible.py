"""Providers that speak the OpenAI API (chat, completions, embeddings, images) with small twists.

Each twist is one override: a route (``/openai/v1/...``), a JSON-schema ``response_format``
spelled the provider's way, ``max_new_tokens`` renamed ``max_tokens``.
"""

from __future__ import annotations

import base64
from typing import Any

from ...api.types import InferenceProviderMapping
from .._common import RequestParameters, as_dict, filter_none
from ._common import BaseConversationalTask, BaseTextGenerationTask, TaskProviderHelper, mapping


class RoutedChat(BaseConversationalTask):
    """Chat on a provider whose chat route is not ``/v1/chat/completions``."""

    def __init__(self, provider: str, base_url: str, route: str = "/v1/chat/completions") -> None:
        super().__init__(provider, base_url)
        self.route = route

    def _prepare_route(self, mapped_model: str, api_key: str) -> str:
        return self.route


class JsonObjectSchemaChat(RoutedChat):
    """Providers that take a JSON schema as ``{"type": "json_object", "schema": ...}``."""

    def _prepare_payload_as_dict(
        self, inputs: Any, parameters: dict[str, Any], provider_mapping_info: InferenceProviderMapping
    ) -> Any:
        payload = super()._prepare_payload_as_dict(inputs, parameters, provider_mapping_info)
        fmt = parameters.get("response_format")
        if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
            details = fmt.get("json_schema")
            if isinstance(details, dict) and "schema" in details:
                payload["response_format"] = {"type": "json_object", "schema": details["schema"]}
        return payload


class OpenAIChat(BaseConversationalTask):
    """OpenAI itself: never through the router, the model id is OpenAI's own."""

    def __init__(self) -> None:
        super().__init__("openai", "https://api.openai.com")

    def _prepare_api_key(self, api_key: str | None) -> str:
        if api_key is None:
            raise ValueError("You must provide an api_key to work with OpenAI API.")
        if api_key.startswith("hf_"):
            raise ValueError(
                "OpenAI provider is not available through Hugging Face routing, please use your own OpenAI API key."
            )
        return api_key

    def _prepare_mapping_info(self, model: str | None) -> Any:
        if model is None:
            raise ValueError("Please provide an OpenAI model ID, e.g. `gpt-4o` or `o1`.")
        return mapping("openai", model, model, "conversational")


class ZaiChat(RoutedChat):
    def _prepare_headers(self, headers: dict[str, Any], api_key: str | None) -> dict[str, Any]:
        return {
            **super()._prepare_headers(headers, api_key),
            "Accept-Language": "en-US,en",
            "x-source-channel": "hugging_face",
        }


class Completions(BaseTextGenerationTask):
    """``/v1/completions`` at another route, optionally renaming ``max_new_tokens``."""

    def __init__(self, provider: str, base_url: str, route: str, rename_max_tokens: bool = False) -> None:
        super().__init__(provider, base_url)
        self.route = route
        self.rename_max_tokens = rename_max_tokens

    def _prepare_route(self, mapped_model: str, api_key: str) -> str:
        return self.route

    def _prepare_payload_as_dict(
        self, inputs: Any, parameters: dict[str, Any], provider_mapping_info: InferenceProviderMapping
    ) -> Any:
        if not self.rename_max_tokens:
            return super()._prepare_payload_as_dict(inputs, parameters, provider_mapping_info)
        params = filter_none(dict(parameters))
        params["max_tokens"] = params.pop("max_new_tokens", None)
        return {"prompt": inputs, **params, "model": provider_mapping_info.provider_id}


class Embeddings(TaskProviderHelper):
    """``/v1/embeddings``: ``{"input", "model"}`` in, ``data[].embedding`` out."""

    def __init__(self, provider: str, base_url: str, route: str = "/v1/embeddings", model_first: bool = False) -> None:
        super().__init__(provider, base_url, "feature-extraction")
        self.route = route
        self.model_first = model_first

    def _prepare_route(self, mapped_model: str, api_key: str) -> str:
        return self.route

    def _prepare_payload_as_dict(
        self, inputs: Any, parameters: dict[str, Any], provider_mapping_info: InferenceProviderMapping
    ) -> Any:
        return {"input": inputs, "model": provider_mapping_info.provider_id, **filter_none(parameters)}

    def get_response(self, response: Any, request_params: RequestParameters | None = None) -> Any:
        return [item["embedding"] for item in as_dict(response)["data"]]


class NscaleImages(TaskProviderHelper):
    def __init__(self) -> None:
        super().__init__("nscale", "https://inference.api.nscale.com", "text-to-image")

    def _prepare_route(self, mapped_model: str, api_key: str) -> str:
        return "/v1/images/generations"

    def _prepare_payload_as_dict(
        self, inputs: Any, parameters: dict[str, Any], provider_mapping_info: InferenceProviderMapping
    ) -> Any:
        params = filter_none(parameters)
        if "width" in params and "height" in params:
            params["size"] = f"{params.pop('width')}x{params.pop('height')}"
        params.pop("num_inference_steps", None)
        params.pop("cfg_scale", None)
        return {"response_format": "b64_json", "prompt": inputs, "model": provider_mapping_info.provider_id, **params}

    def get_response(self, response: Any, request_params: RequestParameters | None = None) -> Any:
        return base64.b64decode(as_dict(response)["data"][0]["b64_json"])


class NebiusImages(NscaleImages):
    """Nebius AI Studio images (recorded against an earlier router; not a 2.4.0 provider)."""

    def __init__(self) -> None:
        TaskProviderHelper.__init__(self, "nebius", "https://api.studio.nebius.ai", "text-to-image")

    def _prepare_payload_as_dict(
        self, inputs: Any, parameters: dict[str, Any], provider_mapping_info: InferenceProviderMapping
    ) -> Any:
        params = filter_none(parameters)
        params.pop("guidance_scale", None)
        if params.get("response_format") not in ("b64_json", "url"):
            params["response_format"] = "b64_json"
        return {"prompt": inputs, **params, "model": provider_mapping_info.provider_id}


def helpers() -> dict[str, dict[str, TaskProviderHelper]]:
    """Provider -> task -> helper for the OpenAI-shaped providers."""
    chat = RoutedChat
    return {
        "baseten": {"conversational": chat("baseten", "https://inference.baseten.co")},
        "cerebras": {"conversational": chat("cerebras", "https://api.cerebras.ai")},
        "cohere": {
            "conversational": JsonObjectSchemaChat(
                "cohere", "https://api.cohere.com", "/compatibility/v1/chat/completions"
            )
        },
        "featherless-ai": {
            "conversational": chat("featherless-ai", "https://api.featherless.ai"),
            "text-generation": Completions(
                "featherless-ai", "https://api.featherless.ai", "/v1/completions", rename_max_tokens=True
            ),
        },
        "fireworks-ai": {
            "conversational": JsonObjectSchemaChat(
                "fireworks-ai", "https://api.fireworks.ai", "/inference/v1/chat/completions"
            )
        },
        "groq": {"conversational": chat("groq", "https://api.groq.com", "/openai/v1/chat/completions")},
        "nscale": {
            "conversational": chat("nscale", "https://inference.api.nscale.com"),
            "text-to-image": NscaleImages(),
        },
        "openai": {"conversational": OpenAIChat()},
        "ovhcloud": {"conversational": chat("ovhcloud", "https://oai.endpoints.kepler.ai.cloud.ovh.net")},
        "publicai": {"conversational": chat("publicai", "https://api.publicai.co")},
        "scaleway": {
            "conversational": chat("scaleway", "https://api.scaleway.ai"),
            "feature-extraction": Embeddings("scaleway", "https://api.scaleway.ai"),
        },
        "zai-org": {"conversational": ZaiChat("zai-org", "https://api.z.ai", "/api/paas/v4/chat/completions")},
        # providers of earlier releases, kept because their recorded traffic still replays
        "centml": {"conversational": chat("centml", "https://api.centml.com", "/openai/v1/chat/completions")},
        "hyperbolic": {"conversational": chat("hyperbolic", "https://api.hyperbolic.xyz")},
        "nebius": {
            "conversational": chat("nebius", "https://api.studio.nebius.ai"),
            "text-to-image": NebiusImages(),
        },
        "sambanova": {"conversational": chat("sambanova", "https://api.sambanova.ai")},
    }
