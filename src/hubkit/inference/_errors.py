"""Errors of the inference clients (names as in ``huggingface_hub.errors``).

``TextGenerationError`` and its subclasses are what a text-generation server (TGI and the
OpenAI-style servers that copy its error shape) reports with an ``error_type``; they are raised
from the HTTP error so both the typed error and the response stay reachable.
"""

from __future__ import annotations

import httpx

__all__ = [
    "GenerationError",
    "IncompleteGenerationError",
    "InferenceTimeoutError",
    "OverloadedError",
    "TextGenerationError",
    "UnknownError",
    "ValidationError",
    "text_generation_error",
]


class InferenceTimeoutError(httpx.HTTPError, TimeoutError):
    """The inference call did not answer within the client's ``timeout``."""


class TextGenerationError(httpx.HTTPError):
    """A text-generation server reported an error of a known kind."""


class ValidationError(TextGenerationError):
    """The server rejected the parameters (``error_type: validation``)."""


class GenerationError(TextGenerationError):
    """Generation failed on the server (``error_type: generation``)."""


class OverloadedError(TextGenerationError):
    """The server is overloaded (``error_type: overloaded``)."""


class IncompleteGenerationError(TextGenerationError):
    """Generation stopped before it was complete (``error_type: incomplete_generation``)."""


class UnknownError(TextGenerationError):
    """A text-generation error of a kind this client does not know."""


_BY_TYPE: dict[str, type[TextGenerationError]] = {
    "validation": ValidationError,
    "generation": GenerationError,
    "overloaded": OverloadedError,
    "incomplete_generation": IncompleteGenerationError,
}


def text_generation_error(message: str | None, error_type: str | None) -> TextGenerationError:
    """The typed error for a server's ``{"error": ..., "error_type": ...}``."""
    return _BY_TYPE.get(error_type or "", UnknownError)(message or "")
