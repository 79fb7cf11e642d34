"""Inference served by the hub itself (``hubkit serve --inference``).

- ``POST /v1/chat/completions`` and ``GET /v1/models``: the OpenAI API for the hub's
  text-generation models (``model`` is a repo id).
- ``POST /models/{id}`` (the task follows the model's pipeline and the body's shape),
  ``/models/{id}/pipeline/{task}``, ``/models/{id}/v1/chat/completions``, the same under
  ``/hf-inference/`` (the paths ``huggingface_hub`` builds for ``provider="hf-inference"`` when
  its router is this hub), and the legacy ``/pipeline/{task}/{id}``.

Every call reads the model with the caller's rights, exactly as a download would: private repos
are invisible (``RepoNotFound``), gated ones need a grant. The model runs at ``main``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy.orm import Session
from starlette.responses import Response, StreamingResponse

from ..errors import BadRequest, HubError, NotFound, PayloadTooLarge
from ..http import Ctx, json_response, route
from ..services import gating, listing, refs
from ..services.accounts import Caller
from ..services.cards import card_data
from ..services.repos import find_repo
from .common import in_session

MAX_BODY = 16 * 1024 * 1024
ID = r"(?P<ns>[^/]+)/(?P<name>[^/]+)"
TASK = r"(?P<task>[a-z-]+)"


class ValidationFailed(HubError):
    """Generation parameters the model cannot honour: 422 with TGI's ``error_type``."""

    status = 422


def _engine(ctx: Ctx) -> Any:
    engine = ctx.hub.inference
    if engine is None:
        raise NotFound("Inference is not enabled on this hub (start it with `hubkit serve --inference`)")
    return engine


async def _body(ctx: Ctx) -> dict[str, Any]:
    """The JSON object of the request, refused past ``MAX_BODY`` before it is all read."""
    length = ctx.request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_BODY:
        raise PayloadTooLarge(f"Request body larger than {MAX_BODY} bytes")
    chunks, size = [], 0
    async for chunk in ctx.request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise PayloadTooLarge(f"Request body larger than {MAX_BODY} bytes")
        chunks.append(chunk)
    try:
        body = json.loads(b"".join(chunks) or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("The request body must be JSON (this hub serves text tasks only)") from None
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object")
    return body


async def _model(ctx: Ctx, repo_id: str, task: str | None, body: dict[str, Any]) -> tuple[Any, str]:
    """The loaded model for ``repo_id`` (read with the caller's rights) and the task asked."""
    from ..inference import catalog, snapshot, tasks

    engine = _engine(ctx)
    ns, _, name = repo_id.partition("/")
    if not ns or not name or "/" in name:
        raise BadRequest(f"Invalid model id {repo_id!r}: expected namespace/name")
    hub = ctx.hub

    def work(s: Session, caller: Caller) -> tuple[Any, str]:
        repo = find_repo(s, caller, "model", ns, name)
        gating.require_access(s, caller, repo)
        commit = refs.resolve(s, repo, "main").commit
        pipeline = catalog.pipeline_of(card_data(hub.git, hub.git.commit(commit).tree))
        asked = task or tasks.task_of(pipeline or "", body)
        catalog.check_task(repo.repo_id, pipeline, asked)
        return snapshot.list_files(s, hub, repo, commit), pipeline, asked

    try:
        # a few indexed reads (the listing of a commit is cached): inline on SQLite, as downloads do
        files, pipeline, asked = await in_session(ctx, work, quick=True)
        return await engine.model(files, pipeline), asked
    except catalog.NotServed as err:
        raise BadRequest(str(err)) from None


def _sse(events: AsyncIterator[dict[str, Any]], done: bool) -> StreamingResponse:
    async def body() -> AsyncIterator[bytes]:
        try:
            async for event in events:
                yield b"data: " + json.dumps(event, ensure_ascii=False).encode() + b"\n\n"
        except Exception as err:  # after the first byte the status is sent: report in the stream
            yield b"data: " + json.dumps({"error": str(err), "error_type": "generation"}).encode() + b"\n\n"
        if done:
            yield b"data: [DONE]\n\n"

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(body(), media_type="text/event-stream", headers=headers)


async def _answer(ctx: Ctx, repo_id: str, task: str | None, body: dict[str, Any]) -> Response:
    from ..inference import chat, generation, tasks

    model, asked = await _model(ctx, repo_id, task, body)
    engine = _engine(ctx)
    try:
        if asked == "conversational":
            if body.get("stream"):
                prepared = await chat.prepare(engine, model, body)
                return _sse(chat.stream(engine, model, repo_id, body, prepared), done=True)
            return json_response(await chat.complete(engine, model, repo_id, body))
        if asked == "text-generation" and body.get("stream"):
            events = tasks.text_generation_stream(engine, model, body)
            first = await anext(events, None)  # validation errors surface as a 422, not mid-stream

            async def all_events() -> AsyncIterator[dict[str, Any]]:
                if first is not None:
                    yield first
                async for event in events:
                    yield event

            return _sse(all_events(), done=False)
        return json_response(await tasks.run(engine, model, asked, body))
    except generation.GenerationRefused as err:
        raise ValidationFailed(str(err), error_type="validation") from None
    except tasks.BadInput as err:
        raise BadRequest(str(err)) from None


# --- routes --------------------------------------------------------------------------------


def _repo_id(ctx: Ctx) -> str:
    return f"{ctx.params['ns']}/{ctx.params['name']}"


async def model_call(ctx: Ctx) -> Response:
    return await _answer(ctx, _repo_id(ctx), None, await _body(ctx))


async def pipeline_call(ctx: Ctx) -> Response:
    return await _answer(ctx, _repo_id(ctx), ctx.params["task"], await _body(ctx))


async def model_chat(ctx: Ctx) -> Response:
    return await _answer(ctx, _repo_id(ctx), "conversational", await _body(ctx))


async def chat_completions(ctx: Ctx) -> Response:
    _engine(ctx)
    body = await _body(ctx)
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise BadRequest("`model` is required: the id of a text-generation model on this hub")
    return await _answer(ctx, model, "conversational", body)


async def list_models(ctx: Ctx) -> Response:
    from ..inference import catalog

    _engine(ctx)
    query = listing.Query("model", [], None, ["text-generation"], "createdAt", False, 1000, 0, None)

    def work(s: Session, caller: Caller) -> list[dict[str, Any]]:
        return [
            {
                "id": r.repo_id,
                "object": "model",
                "created": int(r.created_at.timestamp()),
                "owned_by": r.namespace,
            }
            for r in listing.search(s, caller, query)
            if catalog.pipeline_of(r.card_data) == "text-generation"
        ]

    return json_response({"object": "list", "data": await in_session(ctx, work)})


ROUTES = [
    route("POST", "/v1/chat/completions", chat_completions),
    route("GET", "/v1/models", list_models),
    *(
        r
        for prefix in ("", "/hf-inference")
        for r in (
            route("POST", rf"{prefix}/models/{ID}", model_call),
            route("POST", rf"{prefix}/models/{ID}/pipeline/{TASK}", pipeline_call),
            route("POST", rf"{prefix}/models/{ID}/v1/chat/completions", model_chat),
        )
    ),
    route("POST", rf"/pipeline/{TASK}/{ID}", pipeline_call),
]
