"""The hf-inference tasks: a decoded request body in, the Hub's JSON answer out (no HTTP here).

Bodies are ``{"inputs": ..., "parameters": {...}}`` (feature extraction also takes its options
at the top level); answers have the shapes ``huggingface_hub``'s parsers expect.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from . import generation
from .engine import Engine
from .models import CausalLM, Embedder, Loaded, PipelineModel

MAX_TEXTS = 128
MAX_TEXT_CHARS = 100_000


class BadInput(ValueError):
    """The request body does not fit the task (a 400 with this message)."""


def plain(value: Any) -> Any:
    """numpy/torch scalars and arrays as JSON-able Python values."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    return value


def _text(value: Any, what: str = "inputs") -> str:
    if not isinstance(value, str):
        raise BadInput(f"`{what}` must be a string")
    if len(value) > MAX_TEXT_CHARS:
        raise BadInput(f"`{what}` is longer than {MAX_TEXT_CHARS} characters")
    return value


def _texts(value: Any, what: str = "inputs") -> list[str]:
    values = value if isinstance(value, list) else [value]
    if not values or len(values) > MAX_TEXTS:
        raise BadInput(f"`{what}` must hold 1 to {MAX_TEXTS} texts")
    return [_text(v, what) for v in values]


def _params(body: dict[str, Any]) -> dict[str, Any]:
    params = body.get("parameters") or {}
    if not isinstance(params, dict):
        raise BadInput("`parameters` must be an object")
    return params


def task_of(pipeline: str, body: dict[str, Any]) -> str:
    """Which task a body posted to a model's own URL asks for (embedding models do two)."""
    if "messages" in body and pipeline == "text-generation":
        return "conversational"
    if pipeline in ("feature-extraction", "sentence-similarity"):
        inputs = body.get("inputs")
        if (isinstance(inputs, dict) and "source_sentence" in inputs) or "source_sentence" in body:
            return "sentence-similarity"
        return "feature-extraction"
    return pipeline


async def run(engine: Engine, model: Loaded, task: str, body: dict[str, Any]) -> Any:
    """The JSON answer of a non-streamed task call."""
    if task == "feature-extraction":
        return await feature_extraction(engine, _as(model, Embedder), body)
    if task == "sentence-similarity":
        return await sentence_similarity(engine, _as(model, Embedder), body)
    if task == "text-generation":
        return await text_generation(engine, _as(model, CausalLM), body)
    return await pipeline_task(engine, _as(model, PipelineModel), task, body)


def _as(model: Loaded, cls: type[Any]) -> Any:
    if not isinstance(model, cls):
        raise BadInput(f"Model {model.repo_id} cannot serve this task")
    return model


async def feature_extraction(engine: Engine, model: Embedder, body: dict[str, Any]) -> Any:
    inputs = body.get("inputs")
    texts = _texts(inputs)
    options = {**_params(body), **{k: v for k, v in body.items() if k not in ("inputs", "parameters")}}
    normalize = bool(options.get("normalize") or False)
    prompt_name = options.get("prompt_name")
    if prompt_name is not None and prompt_name not in (getattr(model.model, "prompts", None) or {}):
        raise BadInput(f"Unknown prompt_name {prompt_name!r}")
    rows = await engine.embed(model, texts, normalize=normalize, prompt_name=prompt_name)
    out = plain(rows)
    dims = options.get("dimensions")
    if isinstance(dims, int) and dims > 0:
        out = [row[:dims] for row in out]
    return out[0] if isinstance(inputs, str) else out


async def sentence_similarity(engine: Engine, model: Embedder, body: dict[str, Any]) -> list[float]:
    inputs = body.get("inputs") if isinstance(body.get("inputs"), dict) else body
    source = _text(inputs.get("source_sentence"), "source_sentence")
    sentences = _texts(inputs.get("sentences"), "sentences")
    return await engine.run(model.similarity, source, sentences)


async def pipeline_task(engine: Engine, model: PipelineModel, task: str, body: dict[str, Any]) -> Any:
    params = _params(body)
    text = _text(body.get("inputs"))
    if task == "text-classification":
        out = await engine.pipeline(
            model, text, top_k=params.get("top_k"), function_to_apply=params.get("function_to_apply") or "default"
        )
        return [plain(out)]
    if task == "fill-mask":
        kwargs: dict[str, Any] = {"top_k": params.get("top_k") or 5}
        if params.get("targets"):
            kwargs["targets"] = params["targets"]
        return plain(await engine.pipeline(model, text, **kwargs))
    if task == "token-classification":
        kwargs = {"aggregation_strategy": params.get("aggregation_strategy") or "simple"}
        if params.get("ignore_labels") is not None:
            kwargs["ignore_labels"] = params["ignore_labels"]
        if params.get("stride") is not None:
            kwargs["stride"] = params["stride"]
        return plain(await engine.pipeline(model, text, **kwargs))
    if task == "zero-shot-classification":
        labels = params.get("candidate_labels")
        if not isinstance(labels, list) or not labels or not all(isinstance(x, str) for x in labels):
            raise BadInput("`parameters.candidate_labels` must be a non-empty list of strings")
        kwargs = {"candidate_labels": labels, "multi_label": bool(params.get("multi_label") or False)}
        if params.get("hypothesis_template"):
            kwargs["hypothesis_template"] = params["hypothesis_template"]
        out = await engine.pipeline(model, text, **kwargs)
        return [
            {"label": label, "score": float(score)} for label, score in zip(out["labels"], out["scores"], strict=True)
        ]
    raise BadInput(f"Task {task} is not served")


# --- text generation (TGI's /generate and its stream) --------------------------------------


def generation_params(params: dict[str, Any], *, max_new_tokens_key: str = "max_new_tokens") -> generation.Params:
    def number(key: str, kind: type) -> Any:
        value = params.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise generation.GenerationRefused(f"`{key}` must be a number")
        return kind(value)

    stop = params.get("stop") or []
    if isinstance(stop, str):
        stop = [stop]
    if not isinstance(stop, list) or not all(isinstance(s, str) for s in stop):
        raise generation.GenerationRefused("`stop` must be a list of strings")
    max_new = number(max_new_tokens_key, int)
    return generation.Params(
        max_new_tokens=generation.DEFAULT_MAX_NEW_TOKENS if max_new is None else max_new,
        temperature=number("temperature", float),
        top_k=number("top_k", int),
        top_p=number("top_p", float),
        repetition_penalty=number("repetition_penalty", float),
        do_sample=params.get("do_sample") if isinstance(params.get("do_sample"), bool) else None,
        seed=number("seed", int),
        stop=stop,
    )


async def text_generation(engine: Engine, lm: CausalLM, body: dict[str, Any]) -> dict[str, Any]:
    params = _params(body)
    prompt = _text(body.get("inputs"))
    ids = await engine.run(generation.encode, lm, prompt, chat=False)
    tokens: list[dict[str, Any]] = []
    finished: generation.Finished | None = None
    async for event in engine.generate(lm, ids, generation_params(params)):
        if isinstance(event, generation.Token):
            tokens.append({"id": event.id, "logprob": event.logprob, "special": event.special, "text": event.text})
        else:
            finished = event
    assert finished is not None
    text = (prompt + finished.text) if params.get("return_full_text") else finished.text
    out: dict[str, Any] = {"generated_text": text}
    if params.get("details"):
        out["details"] = {
            "finish_reason": finished.reason,
            "generated_tokens": finished.generated_tokens,
            "seed": finished.seed,
            "prefill": [],
            "tokens": tokens,
            "top_tokens": None,
            "best_of_sequences": None,
        }
    return out


async def text_generation_stream(engine: Engine, lm: CausalLM, body: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
    """TGI stream events: one per token, the last one with the text and the details."""
    params = _params(body)
    prompt = _text(body.get("inputs"))
    gen = generation_params(params)
    ids = await engine.run(generation.encode, lm, prompt, chat=False)
    generation.check(lm, len(ids), gen)  # refuse before the first byte of the stream
    index = 0
    last: dict[str, Any] | None = None
    async for event in engine.generate(lm, ids, gen):
        if isinstance(event, generation.Token):
            if last is not None:
                yield last
            index += 1
            token = {"id": event.id, "text": event.text, "logprob": event.logprob, "special": event.special}
            last = {"index": index, "token": token, "top_tokens": None, "generated_text": None, "details": None}
        else:
            text = (prompt + event.text) if params.get("return_full_text") else event.text
            details = {
                "finish_reason": event.reason,
                "generated_tokens": event.generated_tokens,
                "seed": event.seed,
                "input_length": event.prompt_tokens,
            }
            if last is not None:
                yield {**last, "generated_text": text, "details": details}
