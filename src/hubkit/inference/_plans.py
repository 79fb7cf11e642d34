"""The machinery every task plan shares: routing a call to its provider and posting it."""

from __future__ import annotations

import re
from typing import Any

from ._common import TASKS_EXPECTING_IMAGES, Call, Plan, RequestParameters
from ._providers import get_provider_helper
from ._providers._common import TaskProviderHelper, maybe_plan

# a non-TGI server names the generation parameters it ignored; the call is then replayed without them
MODEL_KWARGS_NOT_USED_REGEX = re.compile(r"The following `model_kwargs` are not used by the model: \[(.*?)\]")
_UNSUPPORTED_TEXT_GENERATION_KWARGS: dict[str | None, list[str]] = {}


def unsupported_text_generation_kwargs(model: str | None) -> list[str]:
    return _UNSUPPORTED_TEXT_GENERATION_KWARGS.get(model, [])


def set_unsupported_text_generation_kwargs(model: str | None, kwargs: list[str]) -> None:
    _UNSUPPORTED_TEXT_GENERATION_KWARGS.setdefault(model, []).extend(kwargs)


class PlanBase:
    """State both clients hold (set by their constructors) and the two steps of every task."""

    model: str | None
    provider: str | None
    token: str | None
    headers: dict[str, str]

    def _prepare(
        self,
        task: str,
        model: str | None,
        inputs: Any,
        parameters: dict[str, Any],
        extra_payload: dict[str, Any] | None = None,
        *,
        route_model: str | None = None,
    ) -> Plan[tuple[TaskProviderHelper, RequestParameters]]:
        """The provider helper for ``task`` and the request it builds for these inputs."""
        helper = yield from get_provider_helper(self.provider, task, route_model if route_model is not None else model)
        params = yield from helper.prepare_request(
            inputs=inputs,
            parameters=parameters,
            headers=self.headers,
            model=model,
            api_key=self.token,
            extra_payload=extra_payload,
        )
        return helper, params

    def _post(self, params: RequestParameters, *, stream: bool = False) -> Plan[Any]:
        """Send a prepared request: the body (bytes), or the stream's lines."""
        headers = dict(params.headers)
        if params.task in TASKS_EXPECTING_IMAGES and "Accept" not in headers and "accept" not in headers:
            headers["Accept"] = "image/png"
        call = Call(params.url, headers=headers, json=params.json, content=params.data, stream=stream, task=params.task)
        answer = yield call
        return answer if stream else answer.content

    def _call(
        self,
        task: str,
        model: str | None,
        inputs: Any,
        parameters: dict[str, Any],
        extra_payload: dict[str, Any] | None = None,
    ) -> Plan[Any]:
        """Prepare, send and let the provider shape the answer (the common case)."""
        helper, params = yield from self._prepare(task, model, inputs, parameters, extra_payload)
        body = yield from self._post(params)
        return (yield from maybe_plan(helper.get_response(body, params)))


class EndpointPlans(PlanBase):
    """Calls about a deployment rather than a task (``provider="hf-inference"`` only)."""

    def get_endpoint_info(self, *, model: str | None = None) -> Plan[dict[str, Any]]:
        """What a TGI or TEI deployment says about itself (``/info``)."""
        from .._http import build_hf_headers

        if self.provider != "hf-inference":
            raise ValueError(f"Getting endpoint info is not supported on '{self.provider}'.")
        model = model or self.model
        if model is None:
            raise ValueError("Model id not provided.")
        if model.startswith(("http://", "https://")):
            url = model.rstrip("/") + "/info"
        else:
            url = f"{inference_endpoint()}/models/{model}/info"
        response = yield Call(url, method="GET", headers=build_hf_headers(token=self.token))
        return response.json()  # type: ignore[no-any-return]

    def health_check(self, model: str | None = None) -> Plan[bool]:
        """Whether a deployment URL answers its ``/health`` with 200."""
        from .._http import build_hf_headers

        if self.provider != "hf-inference":
            raise ValueError(f"Health check is not supported on '{self.provider}'.")
        model = model or self.model
        if model is None:
            raise ValueError("Model id not provided.")
        if not model.startswith(("http://", "https://")):
            raise ValueError("Model must be an Inference Endpoint URL.")
        url = model.rstrip("/") + "/health"
        response = yield Call(url, method="GET", headers=build_hf_headers(token=self.token), check=False)
        return response.status_code == 200  # type: ignore[no-any-return]


def inference_endpoint() -> str:
    """``HF_INFERENCE_ENDPOINT``, read at call time (the legacy serverless URL by default)."""
    import os

    return os.environ.get("HF_INFERENCE_ENDPOINT", "https://api-inference.huggingface.co").rstrip("/")
