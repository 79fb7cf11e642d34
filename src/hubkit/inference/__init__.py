"""Inference on models hosted on a Hub, on inference providers, or on any OpenAI-compatible server.

``InferenceClient`` and ``AsyncInferenceClient`` have the methods, arguments, typed outputs and
errors of ``huggingface_hub``'s. Each task is written once as a *plan* (``_tasks_*``) that yields
the HTTP calls it needs; the sync and async clients only differ in how they perform them.
"""

from __future__ import annotations

from ._async_client import AsyncInferenceClient
from ._client import InferenceClient
from ._errors import (
    GenerationError,
    IncompleteGenerationError,
    InferenceTimeoutError,
    OverloadedError,
    TextGenerationError,
    UnknownError,
    ValidationError,
)

__all__ = [
    "AsyncInferenceClient",
    "GenerationError",
    "IncompleteGenerationError",
    "InferenceClient",
    "InferenceTimeoutError",
    "OverloadedError",
    "TextGenerationError",
    "UnknownError",
    "ValidationError",
]
