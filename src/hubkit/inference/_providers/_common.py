"""The provider helper protocol: how a task call becomes one provider's HTTP request.

A helper prepares the request in fixed steps (API key, model mapping, headers, URL, payload),
each a small method a provider overrides, and parses the answer (``get_response``, which may
need follow-up calls: polling a job, fetching a result URL). Steps that may do I/O are plans.
"""

from __future__ import annotations

import inspect
import logging
from typing import Any
from urllib.parse import quote

from ... import constants
from ..._auth import get_token
from ..._http import build_hf_headers
from ...api.types import InferenceProviderMapping, _provider_mappings
from .._common import Call, MimeBytes, Plan, RequestParameters, filter_none, merge

logger = logging.getLogger(__name__)

ROUTER_URL = "https://router.huggingface.co"
# {provider} is replaced; tests and self-hosted routers change this (as huggingface_hub's constant)
INFERENCE_PROXY_TEMPLATE = ROUTER_URL + "/{provider}"

# Development aid, as in huggingface_hub: provider -> HF model id -> mapping, used before asking the Hub.
HARDCODED_MODEL_INFERENCE_MAPPING: dict[str, dict[str, InferenceProviderMapping]] = {}

_MAPPINGS: dict[tuple[str, str], list[InferenceProviderMapping]] = {}


def maybe_plan(value: Any) -> Plan[Any]:
    """Run ``value`` if it is a plan (a generator), else return it: hooks may do I/O or not."""
    if inspect.isgenerator(value):
        return (yield from value)
    return value


def mapping(provider: str, model: str, provider_id: str, task: str, status: str = "live") -> InferenceProviderMapping:
    return InferenceProviderMapping(
        provider=provider, hf_model_id=model, providerId=provider_id, task=task, status=status
    )


def fetch_inference_provider_mapping(model: str) -> Plan[list[InferenceProviderMapping]]:
    """The providers serving ``model`` (``model_info(expand=inferenceProviderMapping)``), cached."""
    key = (constants.ENDPOINT, model)
    cached = _MAPPINGS.get(key)
    if cached is not None:
        return cached
    url = f"{constants.ENDPOINT}/api/models/{quote(model, safe='/')}?expand=inferenceProviderMapping"
    response = yield Call(url, method="GET", headers=build_hf_headers())
    value = response.json().get("inferenceProviderMapping")
    if value is None:
        raise ValueError(f"No provider mapping found for model {model}")
    found = _MAPPINGS[key] = _provider_mappings(model, value)
    return found


def clear_caches() -> None:
    """Forget provider mappings and model checks (tests; a long-lived process after changes)."""
    _MAPPINGS.clear()
    from . import hf_inference

    hf_inference.clear_caches()


class TaskProviderHelper:
    """How one provider serves one task. Subclasses override the step they change."""

    def __init__(self, provider: str, base_url: str, task: str) -> None:
        self.provider = provider
        self.base_url = base_url
        self.task = task

    def prepare_request(
        self,
        *,
        inputs: Any,
        parameters: dict[str, Any],
        headers: dict[str, Any],
        model: str | None,
        api_key: str | None,
        extra_payload: dict[str, Any] | None = None,
    ) -> Plan[RequestParameters]:
        """The request for ``inputs`` with ``parameters``, routed to this provider."""
        key = self._prepare_api_key(api_key)
        info = yield from maybe_plan(self._prepare_mapping_info(model))
        all_headers = self._prepare_headers(headers, key)
        url = self._prepare_url(key, info.provider_id)
        payload = yield from maybe_plan(self._prepare_payload_as_dict(inputs, parameters, info))
        if payload is not None:
            payload = merge(payload, filter_none(extra_payload or {}))
        data = yield from maybe_plan(self._prepare_payload_as_bytes(inputs, parameters, info, extra_payload))
        if payload is not None and data is not None:
            raise ValueError("Both payload and data cannot be set in the same request.")
        if payload is None and data is None:
            raise ValueError("Either payload or data must be set in the request.")
        return RequestParameters(
            url=url,
            task=self.task,
            model=info.provider_id,
            json=payload,
            data=data,
            headers=self._normalize_headers(all_headers, payload, data),
        )

    def get_response(self, response: Any, request_params: RequestParameters | None = None) -> Any:
        """The answer in the shape the task method parses (may be a plan)."""
        return response

    # --- the steps ---------------------------------------------------------------------------

    def _prepare_api_key(self, api_key: str | None) -> str:
        key = api_key if api_key is not None else get_token()
        if key is None:
            raise ValueError(
                f"You must provide an api_key to work with {self.provider} API or log in with `hf auth login`."
            )
        return key

    def _prepare_mapping_info(self, model: str | None) -> Plan[InferenceProviderMapping]:
        if model is None:
            raise ValueError(f"Please provide an HF model ID supported by {self.provider}.")
        hardcoded = HARDCODED_MODEL_INFERENCE_MAPPING.get(self.provider, {}).get(model)
        if hardcoded is not None:
            return hardcoded
        found = next(
            (m for m in (yield from fetch_inference_provider_mapping(model)) if m.provider == self.provider), None
        )
        if found is None:
            raise ValueError(f"Model {model} is not supported by provider {self.provider}.")
        if found.task != self.task:
            raise ValueError(
                f"Model {model} is not supported for task {self.task} and provider {self.provider}. "
                f"Supported task: {found.task}."
            )
        if found.status == "staging":
            logger.warning(
                "Model %s is in staging mode for provider %s. Meant for test purposes only.", model, self.provider
            )
        elif found.status == "error":
            logger.warning("The latest health check of %s on %s failed: the call may fail.", model, self.provider)
        return found

    def _prepare_headers(self, headers: dict[str, Any], api_key: str | None) -> dict[str, Any]:
        return {**build_hf_headers(token=api_key), **headers}

    def _prepare_url(self, api_key: str, mapped_model: str) -> str:
        base = self._prepare_base_url(api_key)
        return f"{base.rstrip('/')}/{self._prepare_route(mapped_model, api_key).lstrip('/')}"

    def _prepare_base_url(self, api_key: str) -> str:
        # a Hugging Face token goes through the router; a provider's own key goes to the provider
        if api_key.startswith("hf_"):
            return router_base(self.provider)
        return self.base_url

    def _prepare_route(self, mapped_model: str, api_key: str) -> str:
        return ""

    def _prepare_payload_as_dict(
        self, inputs: Any, parameters: dict[str, Any], provider_mapping_info: InferenceProviderMapping
    ) -> Any:
        return None

    def _prepare_payload_as_bytes(
        self,
        inputs: Any,
        parameters: dict[str, Any],
        provider_mapping_info: InferenceProviderMapping,
        extra_payload: dict[str, Any] | None,
    ) -> Any:
        return None

    def _normalize_headers(
        self, headers: dict[str, Any], payload: dict[str, Any] | None, data: MimeBytes | None
    ) -> dict[str, Any]:
        out = {k.lower(): v for k, v in headers.items() if v is not None}
        if out.get("content-type") is None:
            if data is not None and getattr(data, "mime_type", None) is not None:
                out["content-type"] = data.mime_type
            elif payload is not None:
                out["content-type"] = "application/json"
        return out


def router_base(provider: str) -> str:
    """The router URL of a provider (read at call time, so it can be pointed elsewhere)."""
    from . import _common

    return _common.INFERENCE_PROXY_TEMPLATE.format(provider=provider)


class BaseConversationalTask(TaskProviderHelper):
    """Chat completion in the OpenAI shape at ``/v1/chat/completions``."""

    def __init__(self, provider: str, base_url: str) -> None:
        super().__init__(provider, base_url, "conversational")

    def _prepare_route(self, mapped_model: str, api_key: str) -> str:
        return "/v1/chat/completions"

    def _prepare_payload_as_dict(
        self, inputs: Any, parameters: dict[str, Any], provider_mapping_info: InferenceProviderMapping
    ) -> Any:
        # the mapped id wins over a caller's "model"; it comes first so a router can read it early
        rest = {k: v for k, v in parameters.items() if k != "model"}
        return filter_none({"model": provider_mapping_info.provider_id, "messages": inputs, **rest})


class BaseTextGenerationTask(TaskProviderHelper):
    """Text completion in the OpenAI shape at ``/v1/completions``."""

    def __init__(self, provider: str, base_url: str) -> None:
        super().__init__(provider, base_url, "text-generation")

    def _prepare_route(self, mapped_model: str, api_key: str) -> str:
        return "/v1/completions"

    def _prepare_payload_as_dict(
        self, inputs: Any, parameters: dict[str, Any], provider_mapping_info: InferenceProviderMapping
    ) -> Any:
        return filter_none({"prompt": inputs, **parameters, "model": provider_mapping_info.provider_id})

    def get_response(self, response: Any, request_params: RequestParameters | None = None) -> Any:
        from .._common import as_dict

        choice = as_dict(response)["choices"][0]
        return {
            "generated_text": choice["text"],
            "details": {"finish_reason": choice.get("finish_reason"), "seed": choice.get("seed")},
        }


class AutoRouterConversationalTask(BaseConversationalTask):
    """``provider="auto"`` for chat: the router picks the provider (no mapping lookup here)."""

    def __init__(self) -> None:
        super().__init__("auto", ROUTER_URL)

    def _prepare_base_url(self, api_key: str) -> str:
        if not api_key.startswith("hf_"):
            raise ValueError("Cannot select auto-router when using non-Hugging Face API key.")
        return router_base("auto").rsplit("/", 1)[0]

    def _prepare_mapping_info(self, model: str | None) -> Any:
        if model is None:
            raise ValueError("Please provide an HF model ID.")
        return mapping("auto", model, model, "conversational")
