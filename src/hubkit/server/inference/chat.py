"""Chat completions in the OpenAI shape (``/v1/chat/completions``), streamed or not."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from ... import __version__
from . import generation
from .engine import Engine
from .models import CausalLM, normalize_messages
from .tasks import BadInput, generation_params

DEFAULT_MAX_TOKENS = 512
FINGERPRINT = f"hubkit-{__version__}"
_UNSUPPORTED = ("tools", "response_format", "logit_bias")


def _refuse_unsupported(body: dict[str, Any]) -> None:
    for key in _UNSUPPORTED:
        value = body.get(key)
        if value and not (key == "response_format" and isinstance(value, dict) and value.get("type") == "text"):
            raise BadInput(f"`{key}` is not supported by this hub's runtime")
    if body.get("n") not in (None, 1):
        raise BadInput("only n=1 is supported")


async def prepare(engine: Engine, lm: CausalLM, body: dict[str, Any]) -> tuple[list[int], generation.Params]:
    _refuse_unsupported(body)
    try:
        messages = normalize_messages(body.get("messages"))
    except ValueError as err:
        raise BadInput(str(err)) from None
    prompt = await engine.run(lm.chat_prompt, messages)
    ids = await engine.run(generation.encode, lm, prompt, chat=True)
    options = dict(body)
    if options.get("max_tokens") is None and options.get("max_completion_tokens") is not None:
        options["max_tokens"] = options["max_completion_tokens"]
    params = generation_params(options, max_new_tokens_key="max_tokens")
    if options.get("max_tokens") is None:
        room = (lm.max_positions - len(ids)) if lm.max_positions else DEFAULT_MAX_TOKENS
        params.max_new_tokens = max(1, min(DEFAULT_MAX_TOKENS, room))
    generation.check(lm, len(ids), params)
    return ids, params


def _visible(text: str, finished: generation.Finished | None) -> str:
    """Content as OpenAI returns it: a stop sequence ends the text and is not part of it."""
    if finished is not None and finished.stop:
        cut = text.find(finished.stop)
        if cut >= 0:
            return text[:cut]
    return text


def _finish_reason(finished: generation.Finished) -> str:
    return "length" if finished.reason == "length" else "stop"


def _usage(finished: generation.Finished) -> dict[str, int]:
    return {
        "prompt_tokens": finished.prompt_tokens,
        "completion_tokens": finished.generated_tokens,
        "total_tokens": finished.prompt_tokens + finished.generated_tokens,
    }


def _logprob(event: generation.Token) -> dict[str, Any]:
    return {"token": event.text, "logprob": event.logprob, "bytes": list(event.text.encode()), "top_logprobs": []}


async def complete(engine: Engine, lm: CausalLM, model_id: str, body: dict[str, Any]) -> dict[str, Any]:
    ids, params = await prepare(engine, lm, body)
    finished: generation.Finished | None = None
    logprobs: list[dict[str, Any]] = []
    async for event in engine.generate(lm, ids, params):
        if isinstance(event, generation.Finished):
            finished = event
        elif body.get("logprobs"):
            logprobs.append(_logprob(event))
    assert finished is not None
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model_id,
        "system_fingerprint": FINGERPRINT,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": _visible(finished.text, finished)},
                "logprobs": {"content": logprobs} if body.get("logprobs") else None,
                "finish_reason": _finish_reason(finished),
            }
        ],
        "usage": _usage(finished),
    }


async def stream(
    engine: Engine, lm: CausalLM, model_id: str, body: dict[str, Any], prepared: tuple[list[int], generation.Params]
) -> AsyncIterator[dict[str, Any]]:
    """Chunks: the role, one per token with text, the finish reason, usage when asked for."""
    ids, params = prepared
    head = {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model_id,
        "system_fingerprint": FINGERPRINT,
    }

    def chunk(delta: dict[str, Any], finish: str | None = None, logprobs: Any = None) -> dict[str, Any]:
        choice = {"index": 0, "delta": delta, "logprobs": logprobs, "finish_reason": finish}
        return {**head, "choices": [choice]}

    yield chunk({"role": "assistant", "content": ""})
    sent = ""
    text = ""
    async for event in engine.generate(lm, ids, params):
        if isinstance(event, generation.Token):
            text += event.text
            # hold back what could be the start of a stop sequence, send the rest
            visible = _safe_prefix(text, params.stop)
            if len(visible) > len(sent):
                lp = {"content": [_logprob(event)]} if body.get("logprobs") else None
                yield chunk({"content": visible[len(sent) :]}, logprobs=lp)
                sent = visible
        else:
            final = _visible(event.text, event)
            if len(final) > len(sent):
                yield chunk({"content": final[len(sent) :]})
            yield chunk({}, _finish_reason(event))
            options = body.get("stream_options") or {}
            if isinstance(options, dict) and options.get("include_usage"):
                yield {**head, "choices": [], "usage": _usage(event)}


def _safe_prefix(text: str, stops: list[str]) -> str:
    """``text`` less any tail that a stop sequence could still complete."""
    cut = len(text)
    for stop in stops:
        if not stop:
            continue
        found = text.find(stop)
        if found >= 0:
            cut = min(cut, found)
            continue
        for k in range(min(len(stop) - 1, len(text)), 0, -1):
            if text.endswith(stop[:k]):
                cut = min(cut, len(text) - k)
                break
    return text[:cut]
