"""Reading and changing the metadata of a README without handling the card as an object.

``metadata_load``/``metadata_save`` work on a local file; ``metadata_update`` merges new
metadata into a repo's README (creating one from the default template when the repo has none)
and commits it; ``metadata_eval_result`` builds the ``model-index`` of one evaluation.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .card import YAML_BLOCK, DatasetCard, ModelCard, RepoCard, split_card
from .data import CardData, EvalResult, eval_results_to_model_index, model_index_to_eval_results, yaml_dump

__all__ = ["metadata_eval_result", "metadata_load", "metadata_save", "metadata_update"]


def metadata_load(local_path: str | Path) -> dict[str, Any] | None:
    """The metadata block of a local README as a dict (``None`` when it has no block).

    Raises ``ValueError`` when the block is not a YAML mapping.
    """
    data, _ = split_card(Path(local_path).read_text(encoding="utf-8-sig"))
    return data


def metadata_save(local_path: str | Path, data: dict[str, Any]) -> None:
    """Write ``data`` as the metadata block of a local README (created if missing).

    The body is kept, and so are the file's line endings.
    """
    line_break = "\n"
    content = ""
    if os.path.exists(local_path):
        with open(local_path, newline="", encoding="utf-8-sig") as f:
            content = f.read()
            seen = f.newlines  # what the file used, e.g. "\r\n" or ("\n", "\r\n")
        if isinstance(seen, tuple):
            line_break = seen[0]
        elif isinstance(seen, str):
            line_break = seen
    block = f"---{line_break}{yaml_dump(data, sort_keys=False, line_break=line_break)}---{line_break}"
    match = YAML_BLOCK.search(content)
    output = content[: match.start()] + block + content[match.end() :] if match else block + content
    with open(local_path, "w", newline="", encoding="utf8") as f:
        f.write(output)


def metadata_eval_result(
    *,
    model_pretty_name: str,
    task_pretty_name: str,
    task_id: str,
    metrics_pretty_name: str,
    metrics_id: str,
    metrics_value: Any,
    dataset_pretty_name: str,
    dataset_id: str,
    metrics_config: str | None = None,
    metrics_verified: bool = False,
    dataset_config: str | None = None,
    dataset_split: str | None = None,
    dataset_revision: str | None = None,
    metrics_verification_token: str | None = None,
) -> dict[str, Any]:
    """``{"model-index": [...]}`` holding one metric of one evaluation, ready for ``metadata_update``."""
    result = EvalResult(
        task_name=task_pretty_name,
        task_type=task_id,
        metric_name=metrics_pretty_name,
        metric_type=metrics_id,
        metric_value=metrics_value,
        dataset_name=dataset_pretty_name,
        dataset_type=dataset_id,
        metric_config=metrics_config,
        verified=metrics_verified,
        verify_token=metrics_verification_token,
        dataset_config=dataset_config,
        dataset_split=dataset_split,
        dataset_revision=dataset_revision,
    )
    return {"model-index": eval_results_to_model_index(model_name=model_pretty_name, eval_results=[result])}


def _merge_results(card: RepoCard, new_results: list[EvalResult], overwrite: bool) -> None:
    """Fold new eval results into the card's: a metric already there gets the new value
    (only with ``overwrite`` when the value differs), any other metric is appended."""
    existing: list[EvalResult] = card.data.eval_results  # type: ignore[attr-defined]
    for new in new_results:
        found = False
        for old in existing:
            if not new.is_equal_except_value(old):
                continue
            if new != old and not overwrite:
                raise ValueError(
                    f"You passed a new value for the existing metric 'name: {new.metric_name}, type: "
                    f"{new.metric_type}'. Set `overwrite=True` to overwrite existing metrics."
                )
            found = True
            old.metric_value = new.metric_value
            if old.verified is True:
                old.verify_token = new.verify_token
        if not found:
            existing.append(new)


def metadata_update(
    repo_id: str,
    metadata: dict[str, Any],
    *,
    repo_type: str | None = None,
    overwrite: bool = False,
    token: str | None = None,
    commit_message: str | None = None,
    commit_description: str | None = None,
    revision: str | None = None,
    create_pr: bool = False,
    parent_commit: str | None = None,
) -> str:
    """Merge ``metadata`` into the README of a repo and commit it; returns the commit's URL.

    A repo without README gets one from the default template (except a Space, which must have
    one). ``model-index`` entries are merged metric by metric (same task, dataset and metric: the
    value is replaced; otherwise the result is added); other keys are set. Changing a value that
    is already there needs ``overwrite=True`` (``ValueError`` otherwise, and nothing is written).

    Args:
        repo_id: the repo to update.
        metadata: the keys to set or merge.
        repo_type: ``"dataset"`` or ``"space"``; ``None``/``"model"`` for a model.
        overwrite: allow replacing existing values.
        token: the token to write with (default: the saved one).
        commit_message: default ``"Update metadata with huggingface_hub"`` (the Hub's own wording).
        commit_description, revision, create_pr, parent_commit: as for ``RepoCard.push_to_hub``.
    """
    from ..errors import EntryNotFoundError

    if commit_message is None:
        commit_message = "Update metadata with huggingface_hub"
    card_class: type[RepoCard]
    if repo_type is None or repo_type == "model":
        card_class = ModelCard
    elif repo_type == "dataset":
        card_class = DatasetCard
    elif repo_type == "space":
        card_class = RepoCard
    else:
        raise ValueError(f"Unknown repo_type: {repo_type}")

    try:
        card = card_class.load(repo_id, token=token, repo_type=repo_type)
    except EntryNotFoundError:
        if repo_type == "space":
            raise ValueError("Cannot update metadata on a Space that doesn't contain a `README.md` file.") from None
        card = card_class.from_template(CardData())

    for key, value in metadata.items():
        if key == "model-index":
            if "name" not in value[0]:
                value[0]["name"] = getattr(card.data, "model_name", None) or repo_id
            model_name, new_results = model_index_to_eval_results(value)
            if card.data.get("eval_results") is None:
                card.data.eval_results = new_results  # type: ignore[attr-defined]
                card.data.model_name = model_name  # type: ignore[attr-defined]
            else:
                _merge_results(card, new_results, overwrite)
        else:
            current = card.data.get(key)
            if current is not None and not overwrite and current != value:
                raise ValueError(
                    f"You passed a new value for the existing meta data field '{key}'."
                    " Set `overwrite=True` to overwrite existing metadata."
                )
            card.data[key] = value

    return card.push_to_hub(  # type: ignore[no-any-return]
        repo_id,
        token=token,
        repo_type=repo_type,
        commit_message=commit_message,
        commit_description=commit_description,
        create_pr=create_pr,
        revision=revision,
        parent_commit=parent_commit,
    )
