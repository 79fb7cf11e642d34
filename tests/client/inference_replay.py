"""Replaying recorded inference traffic (the VCR cassettes of ``shared/fixtures/inference-cassettes``).

A ``Replay`` answers each request with the next recorded interaction of the same method (the
recordings are sequences) and keeps what was asked, so a test can compare the requests of two
clients and check them against the recording. Call arguments are read back from the recorded
request bodies (``derive``), so the table in the test names only what a body cannot tell.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CASSETTES = Path(
    os.environ.get("HUBKIT_INFERENCE_CASSETTES", Path(__file__).parents[3] / "shared/fixtures/inference-cassettes")
)
if not CASSETTES.is_dir():  # worktrees live one level deeper than the CI clone
    CASSETTES = Path("/work/shared/fixtures/inference-cassettes")


class _Loader(yaml.SafeLoader):
    pass


def _bytes_io(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> bytes:
    state = loader.construct_mapping(node, deep=True).get("state")  # type: ignore[arg-type]
    return bytes(state[0]) if state else b""


_Loader.add_multi_constructor("tag:yaml.org,2002:python/object/new:", _bytes_io)
_Loader.add_constructor("tag:yaml.org,2002:python/tuple", lambda loader, node: tuple(loader.construct_sequence(node)))


@dataclass
class Interaction:
    method: str
    uri: str
    body: bytes | None
    status: int
    headers: dict[str, str]
    content: bytes


def load(name: str) -> list[Interaction]:
    data = yaml.load((CASSETTES / f"{name}.yaml").read_text(), Loader=_Loader)
    out = []
    for item in data["interactions"]:
        req, res = item["request"], item["response"]
        body = req["body"]
        if isinstance(body, str):
            body = body.encode()
        content = res["body"].get("string", b"")
        if isinstance(content, str):
            content = content.encode()
        # the recorded body is already decoded: drop the encodings that described the wire
        headers = {
            k: v[0]
            for k, v in res["headers"].items()
            if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")
        }
        out.append(Interaction(req["method"], req["uri"], body, res["status"]["code"], headers, content))
    return out


@dataclass
class Seen:
    method: str
    url: str
    body: Any  # decoded JSON, or bytes
    content_type: str | None
    authorized: bool

    def key(self) -> tuple[Any, ...]:
        return (
            self.method,
            self.url,
            json.dumps(self.body, sort_keys=True, default=repr),
            self.content_type,
            self.authorized,
        )


def decode_body(raw: bytes | None, content_type: str | None) -> Any:
    if not raw:
        return None
    if content_type and "json" in content_type:
        try:
            return json.loads(raw)
        except ValueError:
            pass
    return raw


@dataclass
class Replay:
    """Answers requests from a recording, in order per method; remembers what it was asked."""

    interactions: list[Interaction]
    seen: list[Seen] = field(default_factory=list)
    answered: list[Interaction] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._used = [False] * len(self.interactions)

    def answer(self, method: str, url: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        if url.endswith("/api/agent-harnesses"):  # huggingface_hub 2.4's user-agent lookup, not recorded
            return 200, {"content-type": "application/json"}, b"[]"
        ctype = headers.get("content-type")
        self.seen.append(Seen(method, url, decode_body(body, ctype), ctype, "authorization" in headers))
        for i, item in enumerate(self.interactions):
            if not self._used[i] and item.method == method:
                self._used[i] = True
                self.answered.append(item)
                return item.status, item.headers, item.content
        return 599, {"content-type": "text/plain"}, f"no recorded {method} left for {url}".encode()


def normalize_body(body: Any) -> Any:
    """A body as compared with a recording: ``None`` values and empty ``parameters`` dropped."""
    if isinstance(body, dict):
        out = {k: normalize_body(v) for k, v in body.items() if v is not None}
        if out.get("parameters") == {}:
            del out["parameters"]
        return out
    if isinstance(body, list):
        return [normalize_body(v) for v in body]
    return body


def same_as_recording(seen: Seen, recorded: Interaction) -> tuple[bool, bool]:
    """(URL equal, body equal) of a request against the recorded one (body None = not recorded)."""
    recorded_body = decode_body(recorded.body, seen.content_type)
    url_ok = seen.url == recorded.uri
    if recorded.body is None:
        return url_ok, True
    if isinstance(seen.body, bytes) or isinstance(recorded_body, bytes):
        return url_ok, seen.body == recorded_body
    return url_ok, normalize_body(seen.body) == normalize_body(recorded_body)


# --- arguments read back from the recorded bodies ----------------------------------------------

CHAT_KW = (
    "frequency_penalty", "logit_bias", "logprobs", "max_tokens", "n", "presence_penalty", "response_format", "seed",
    "stop", "stream_options", "temperature", "tool_choice", "tool_prompt", "tools", "top_logprobs", "top_p",
)  # fmt: skip
TG_KW = (
    "adapter_id", "best_of", "decoder_input_details", "details", "do_sample", "frequency_penalty", "grammar",
    "max_new_tokens", "repetition_penalty", "return_full_text", "seed", "stop", "temperature", "top_k",
    "top_n_tokens", "top_p", "truncate", "typical_p", "watermark",
)  # fmt: skip


def _b64(value: str) -> bytes:
    if value.startswith("data:"):
        value = value.split(",", 1)[1]
    return base64.b64decode(value)


def _labels(value: Any) -> list[str]:
    return value.split(",") if isinstance(value, str) else list(value)


def _known(params: dict[str, Any], names: tuple[str, ...] | None = None) -> dict[str, Any]:
    return {k: v for k, v in (params or {}).items() if v is not None and (names is None or k in names)}


def derive(method: str, body: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The (args, kwargs) of ``method`` that produce ``body`` (the recorded request body)."""
    if isinstance(body, bytes):
        return (body,), {}
    params = body.get("parameters") or {}
    inputs = body.get("inputs")
    if method == "chat_completion":
        return (body["messages"],), {"stream": bool(body.get("stream")), **_known(body, CHAT_KW)}
    if method == "text_generation":
        return (inputs,), {"stream": body.get("stream"), **_known(params, TG_KW)}
    if method == "feature_extraction":
        return (inputs,), _known({**params, **{k: v for k, v in body.items() if k not in ("inputs", "parameters")}})
    if method == "sentence_similarity":
        src = inputs if isinstance(inputs, dict) else body
        return (src["source_sentence"], src["sentences"]), {}
    if method == "question_answering":
        src = inputs if isinstance(inputs, dict) else body
        return (src["question"], src["context"]), _known(params)
    if method == "table_question_answering":
        src = inputs if isinstance(inputs, dict) else body
        return (src["table"], src["query"]), {}
    if method in ("document_question_answering", "visual_question_answering"):
        src = inputs if isinstance(inputs, dict) else body
        return (_b64(src["image"]), src["question"]), _known(params)
    if method == "zero_shot_classification":
        kw = _known(params, ("multi_label", "hypothesis_template"))
        return (inputs, _labels(params["candidate_labels"])), kw
    if method == "zero_shot_image_classification":
        if isinstance(inputs, dict):
            return (_b64(inputs["image"]), _labels(inputs["text"])), {}
        return (_b64(inputs or body["image"]), _labels(params["candidate_labels"])), {}
    if method == "text_classification":
        return (inputs[0] if isinstance(inputs, list) else inputs,), _known(params)
    if method == "text_to_image":
        if "prompt" in body:
            return (body["prompt"],), _known(body, ("width", "height"))
        return (inputs,), _known(params)
    if method == "text_to_speech":
        if "input" in body:
            return (body["input"]["text"],), {}
        return (inputs,), _known(params)
    if method == "automatic_speech_recognition":
        return (_b64(body["audio_url"]),), {}
    return (inputs,), _known(params)
