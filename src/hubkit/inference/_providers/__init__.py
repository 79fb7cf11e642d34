"""Provider routing: which helper builds the request for a (provider, task, model).

``provider=None`` means ``"auto"`` (the first provider the Hub lists for the model; chat goes
to the router's own auto-selection); a URL model always goes to ``hf-inference``, which posts
to the URL as is.
"""

from __future__ import annotations

import logging
from typing import Literal, Union

from .._common import Plan
from . import deepinfra, fal_ai, hf_inference, openai_compatible, replicate, together
from ._common import AutoRouterConversationalTask, TaskProviderHelper, fetch_inference_provider_mapping
from .media_jobs import NovitaVideo, WavespeedTask, ZaiImages
from .openai_compatible import Completions, RoutedChat

logger = logging.getLogger(__name__)

PROVIDER_T = Literal[
    "baseten",
    "cerebras",
    "cohere",
    "deepinfra",
    "fal-ai",
    "featherless-ai",
    "fireworks-ai",
    "groq",
    "hf-inference",
    "novita",
    "nscale",
    "openai",
    "ovhcloud",
    "publicai",
    "replicate",
    "scaleway",
    "together",
    "wavespeed",
    "zai-org",
]
PROVIDER_OR_POLICY_T = Union[PROVIDER_T, Literal["auto"]]  # noqa: UP007 (a runtime alias)


def _build() -> dict[str, dict[str, TaskProviderHelper]]:
    table = openai_compatible.helpers()
    table["deepinfra"] = deepinfra.helpers()
    table["fal-ai"] = fal_ai.helpers()
    table["hf-inference"] = hf_inference.helpers()
    table["replicate"] = replicate.helpers()
    table["together"] = together.helpers()
    table["novita"] = {
        "conversational": RoutedChat("novita", "https://api.novita.ai", "/v3/openai/chat/completions"),
        "text-generation": Completions("novita", "https://api.novita.ai", "/v3/openai/completions"),
        "text-to-video": NovitaVideo(),
    }
    table["wavespeed"] = {
        t: WavespeedTask(t) for t in ("text-to-image", "text-to-video", "image-to-image", "image-to-video")
    }
    table["zai-org"]["text-to-image"] = ZaiImages()
    return table


PROVIDERS: dict[str, dict[str, TaskProviderHelper]] = _build()
CONVERSATIONAL_AUTO_ROUTER = AutoRouterConversationalTask()


def get_provider_helper(provider: str | None, task: str, model: str | None) -> Plan[TaskProviderHelper]:
    """The helper for ``task`` on ``provider`` (``"auto"`` looks the model's providers up)."""
    if (model is None and provider in (None, "auto")) or (
        model is not None and model.startswith(("http://", "https://"))
    ):
        provider = "hf-inference"
    if provider is None:
        provider = "auto"
    if provider == "auto":
        if model is None:
            raise ValueError("Specifying a model is required when provider is 'auto'")
        if task == "conversational":
            return CONVERSATIONAL_AUTO_ROUTER
        mappings = yield from fetch_inference_provider_mapping(model)
        if not mappings:
            raise ValueError(f"No provider serves model {model}")
        provider = mappings[0].provider
    tasks = PROVIDERS.get(provider)
    if tasks is None:
        raise ValueError(
            f"Provider '{provider}' not supported. Available values: 'auto' or any provider from {list(PROVIDERS)}."
            "Passing 'auto' (default value) will automatically select the first provider available for the model,"
            " sorted by the user's order in https://hf.co/settings/inference-providers."
        )
    helper = tasks.get(task)
    if helper is None:
        raise ValueError(f"Task '{task}' not supported for provider '{provider}'. Available tasks: {list(tasks)}")
    return helper
