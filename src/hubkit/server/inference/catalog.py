"""Which models this hub serves, for which task: read from the model card, no heavy imports.

A model is served when its ``pipeline_tag`` is one of ``SERVED_TASKS`` (a card without one is
read from ``config.json``'s architecture by the engine when called). Text-generation models are
also served as chat (``conversational``), as the Hub does.
"""

from __future__ import annotations

from typing import Any

SERVED_TASKS = (
    "feature-extraction",
    "sentence-similarity",
    "text-classification",
    "fill-mask",
    "token-classification",
    "zero-shot-classification",
    "text-generation",
)
# what a model of each pipeline can be asked for, besides its own pipeline
_ALSO = {
    "feature-extraction": ("sentence-similarity",),
    "sentence-similarity": ("feature-extraction",),
    "text-generation": ("conversational",),
}


class NotServed(Exception):
    """This model cannot be run here for the task asked: the message says why."""


def pipeline_of(card: dict[str, Any] | None) -> str | None:
    tag = (card or {}).get("pipeline_tag")
    return tag if isinstance(tag, str) else None


def is_served(card: dict[str, Any] | None) -> bool:
    return pipeline_of(card) in SERVED_TASKS


def tasks_of(pipeline: str) -> tuple[str, ...]:
    """Every task a model of this pipeline answers."""
    return (pipeline, *_ALSO.get(pipeline, ()))


def check_task(repo_id: str, pipeline: str | None, task: str) -> None:
    """Refuse a task the model cannot do here (``NotServed`` with the reason)."""
    if pipeline not in SERVED_TASKS:
        served = ", ".join(SERVED_TASKS)
        what = f"pipeline '{pipeline}'" if pipeline else "no pipeline_tag"
        raise NotServed(f"Model {repo_id} has {what}, which this hub cannot run (it runs: {served}).")
    if task not in tasks_of(pipeline):
        raise NotServed(f"Model {repo_id} is a {pipeline} model: it cannot serve {task}.")


def provider_mapping(repo_id: str, card: dict[str, Any] | None, tags: list[str]) -> dict[str, Any]:
    """The listing's ``inference`` / ``inferenceProviderMapping`` fields ({} when not served)."""
    pipeline = pipeline_of(card)
    if pipeline not in SERVED_TASKS:
        return {}
    task = "conversational" if pipeline == "text-generation" and "conversational" in tags else pipeline
    mapping = {"hf-inference": {"status": "live", "providerId": repo_id, "task": task}}
    return {"inference": "warm", "inferenceProviderMapping": mapping}


def listing_fields(
    repo_id: str, card: dict[str, Any] | None, tags: list[str], expand: list[str] | None
) -> dict[str, Any]:
    """The inference fields a repo info or listing item should carry for this ``expand``."""
    fields = provider_mapping(repo_id, card, tags)
    if expand:
        fields = {k: v for k, v in fields.items() if k in expand}
    return fields


def repo_fields(repo: Any, expand: list[str] | None) -> dict[str, Any]:
    """``listing_fields`` of a model repo row (its main branch's card)."""
    from ..services.cards import card_tags

    if repo.type != "model":
        return {}
    return listing_fields(repo.repo_id, repo.card_data, card_tags(repo.type, repo.card_data), expand)
