"""Token-by-token generation with a KV cache: the events both text-generation and chat stream.

Written out (rather than ``model.generate``) so that every token is seen as it is produced:
exact token counts, per-token log-probabilities (TGI's ``details``), stop sequences checked on
the decoded text, and a cancel flag checked between steps (a client that hangs up stops the work).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .models import CausalLM

DEFAULT_MAX_NEW_TOKENS = 20
MAX_NEW_TOKENS = 4096


class GenerationRefused(ValueError):
    """Parameters the model cannot honour (TGI calls these validation errors)."""


@dataclass
class Params:
    max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS
    temperature: float | None = None
    top_k: int | None = None
    top_p: float | None = None
    repetition_penalty: float | None = None
    do_sample: bool | None = None
    seed: int | None = None
    stop: list[str] = field(default_factory=list)

    @property
    def sampling(self) -> bool:
        # greedy unless sampling is asked for: a self-hosted hub should answer the same twice
        if self.do_sample is not None:
            return self.do_sample and (self.temperature is None or self.temperature > 0)
        return self.temperature is not None and self.temperature > 0


@dataclass
class Token:
    id: int
    text: str
    logprob: float
    special: bool


@dataclass
class Finished:
    reason: str  # "length" | "eos_token" | "stop_sequence"
    text: str  # everything generated (stop sequence included)
    generated_tokens: int
    prompt_tokens: int
    seed: int | None
    stop: str | None = None


def check(lm: CausalLM, prompt_tokens: int, params: Params) -> None:
    if not 0 < params.max_new_tokens <= MAX_NEW_TOKENS:
        raise GenerationRefused(f"max_new_tokens must be between 1 and {MAX_NEW_TOKENS}")
    if lm.max_positions and prompt_tokens + params.max_new_tokens > lm.max_positions:
        raise GenerationRefused(
            f"`inputs` tokens + `max_new_tokens` must be <= {lm.max_positions}. Given: {prompt_tokens} `inputs` tokens"
            f" and {params.max_new_tokens} `max_new_tokens`"
        )
    if params.top_p is not None and not 0 < params.top_p <= 1:
        raise GenerationRefused("`top_p` must be > 0.0 and <= 1.0")
    if params.temperature is not None and params.temperature < 0:
        raise GenerationRefused("`temperature` must be >= 0")


def encode(lm: CausalLM, prompt: str, *, chat: bool) -> list[int]:
    # a chat template already spells out its special tokens
    return list(lm.tokenizer(prompt, add_special_tokens=not chat)["input_ids"])


def generate(
    lm: CausalLM, prompt_ids: list[int], params: Params, cancel: threading.Event | None = None
) -> Iterator[Token | Finished]:
    """Tokens one by one, then ``Finished``. Runs on a worker thread (blocking, CPU)."""
    import torch

    check(lm, len(prompt_ids), params)
    seed = params.seed
    rng = None
    if params.sampling:
        seed = seed if seed is not None else int(torch.randint(0, 2**31 - 1, (1,)).item())
        rng = torch.Generator().manual_seed(seed)
    tokenizer, special = lm.tokenizer, set(lm.tokenizer.all_special_ids)
    generated: list[int] = []
    shown = ""
    past: Any = None
    step_input = torch.tensor([prompt_ids or [lm.tokenizer.bos_token_id or 0]])
    reason, stop_hit = "length", None
    with torch.inference_mode():
        for _ in range(params.max_new_tokens):
            if cancel is not None and cancel.is_set():
                break
            out = lm.model(input_ids=step_input, past_key_values=past, use_cache=True)
            past = out.past_key_values
            logits = out.logits[0, -1].float()
            token, logprob = _pick(logits, params, generated or prompt_ids, rng)
            generated.append(token)
            text = tokenizer.decode(generated, skip_special_tokens=True)
            piece = ""
            if not text.endswith("\ufffd"):  # half a multi-byte character: wait for the rest
                piece, shown = text[len(shown) :], text
            yield Token(token, piece, logprob, token in special)
            if token in lm.eos_ids:
                reason = "eos_token"
                break
            stop_hit = next((s for s in params.stop if s and s in text), None)
            if stop_hit is not None:
                reason = "stop_sequence"
                break
            step_input = torch.tensor([[token]])
    final = tokenizer.decode(generated, skip_special_tokens=True)
    yield Finished(reason, final, len(generated), len(prompt_ids), seed, stop_hit)


def _pick(logits: Any, params: Params, context: list[int], rng: Any) -> tuple[int, float]:
    import torch

    if params.repetition_penalty and params.repetition_penalty != 1.0 and context:
        seen = torch.tensor(sorted(set(context)))
        values = logits[seen]
        logits[seen] = torch.where(values > 0, values / params.repetition_penalty, values * params.repetition_penalty)
    logprobs = torch.log_softmax(logits, dim=-1)
    if not params.sampling:
        token = int(torch.argmax(logits))
        return token, float(logprobs[token])
    scaled = logits / (params.temperature or 1.0)
    if params.top_k:
        kth = torch.topk(scaled, min(params.top_k, scaled.numel())).values[-1]
        scaled = torch.where(scaled < kth, torch.full_like(scaled, float("-inf")), scaled)
    probs = torch.softmax(scaled, dim=-1)
    if params.top_p is not None and params.top_p < 1:
        ordered, index = torch.sort(probs, descending=True)
        keep = torch.cumsum(ordered, dim=-1) - ordered < params.top_p
        mask = torch.zeros_like(probs, dtype=torch.bool)
        mask[index[keep]] = True
        probs = torch.where(mask, probs, torch.zeros_like(probs))
        probs = probs / probs.sum()
    token = int(torch.multinomial(probs, 1, generator=rng))
    return token, float(logprobs[token])
