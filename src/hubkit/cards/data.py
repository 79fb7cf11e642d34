"""The metadata block of a repo card: ``CardData`` and its model, dataset and Space flavours.

A card's metadata is free-form YAML: the classes know the fields the Hub understands and keep
every other key as it came (``card.data.custom_key``). ``to_dict`` and ``to_yaml`` write the
same keys, in the same order, as ``huggingface_hub`` does, so a card rewritten by either
library reads back byte for byte the same. Evaluation results live in the ``model-index`` key;
``ModelCardData`` exposes them flattened as a list of ``EvalResult``.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

__all__ = [
    "CardData",
    "DatasetCardData",
    "EvalResult",
    "ModelCardData",
    "SpaceCardData",
    "eval_results_to_model_index",
    "model_index_to_eval_results",
    "yaml_dump",
]

logger = logging.getLogger(__name__)


def yaml_dump(data: Any, *, sort_keys: bool = False, line_break: str | None = None) -> str:
    """YAML as cards hold it: block style, unicode kept as is (``café``, not ``caf\\xE9``)."""
    return yaml.dump(data, stream=None, allow_unicode=True, sort_keys=sort_keys, line_break=line_break)  # type: ignore[no-any-return]


# --- evaluation results ----------------------------------------------------------------------


@dataclass
class EvalResult:
    """One metric of one evaluation, as a flat record (a ``model-index`` holds them nested).

    ``task_type``, ``dataset_type``, ``dataset_name``, ``metric_type`` and ``metric_value`` are
    required; the rest describe the evaluation more precisely (dataset config, split and revision,
    metric config and arguments, whether the Hub verified it, where the result comes from).
    """

    task_type: str
    dataset_type: str
    dataset_name: str
    metric_type: str
    metric_value: Any
    task_name: str | None = None
    dataset_config: str | None = None
    dataset_split: str | None = None
    dataset_revision: str | None = None
    dataset_args: dict[str, Any] | None = None
    metric_name: str | None = None
    metric_config: str | None = None
    metric_args: dict[str, Any] | None = None
    verified: bool | None = None
    verify_token: str | None = None
    source_name: str | None = None
    source_url: str | None = None

    def __post_init__(self) -> None:
        if self.source_name is not None and self.source_url is None:
            raise ValueError("If `source_name` is provided, `source_url` must also be provided.")

    @property
    def unique_identifier(self) -> tuple[Any, ...]:
        """What one evaluation is (task and dataset): results sharing it are grouped together."""
        return (self.task_type, self.dataset_type, self.dataset_config, self.dataset_split, self.dataset_revision)

    def is_equal_except_value(self, other: EvalResult) -> bool:
        """Whether ``other`` is the same metric of the same evaluation, whatever its value.

        ``verify_token`` is ignored too: the Hub derives it from the value.
        """
        return all(
            getattr(self, key) == getattr(other, key)
            for key in self.__dict__
            if key not in ("metric_value", "verify_token")
        )


def _without_none(value: Any) -> Any:
    """``value`` with every ``None`` (in dicts, lists, tuples and sets) left out, recursively."""
    if isinstance(value, dict):
        return type(value)(
            (_without_none(k), _without_none(v)) for k, v in value.items() if k is not None and v is not None
        )
    if isinstance(value, (list, tuple, set)):
        return type(value)(_without_none(v) for v in value if v is not None)
    return value


def eval_results_to_model_index(model_name: str, eval_results: list[EvalResult]) -> list[dict[str, Any]]:
    """The ``model-index`` of ``eval_results``: one entry per task and dataset, its metrics inside.

    Keys without a value are left out, so the result is what the Hub expects in a card.
    """
    groups: dict[tuple[Any, ...], list[EvalResult]] = {}
    for result in eval_results:
        groups.setdefault(result.unique_identifier, []).append(result)
    results = []
    for members in groups.values():
        first = members[0]
        entry: dict[str, Any] = {
            "task": {"type": first.task_type, "name": first.task_name},
            "dataset": {
                "name": first.dataset_name,
                "type": first.dataset_type,
                "config": first.dataset_config,
                "split": first.dataset_split,
                "revision": first.dataset_revision,
                "args": first.dataset_args,
            },
            "metrics": [
                {
                    "type": r.metric_type,
                    "value": r.metric_value,
                    "name": r.metric_name,
                    "config": r.metric_config,
                    "args": r.metric_args,
                    "verified": r.verified,
                    "verifyToken": r.verify_token,
                }
                for r in members
            ],
        }
        if first.source_url is not None:
            entry["source"] = {"url": first.source_url}
            if first.source_name is not None:
                entry["source"]["name"] = first.source_name
        results.append(entry)
    return _without_none([{"name": model_name, "results": results}])  # type: ignore[no-any-return]


def model_index_to_eval_results(model_index: list[dict[str, Any]]) -> tuple[str, list[EvalResult]]:
    """The model name and the flat ``EvalResult`` list of a ``model-index``.

    Raises ``ValueError`` for an empty index, ``KeyError``/``TypeError`` when a required key
    (``name``, ``results``, ``task.type``, ``dataset.type``, ``dataset.name``, ``metrics[].type``,
    ``metrics[].value``) is missing or of the wrong kind. With several entries, the name is the
    last entry's.
    """
    if not model_index:
        raise ValueError("`model_index` must be a non-empty list.")
    name = ""
    eval_results: list[EvalResult] = []
    for entry in model_index:
        name = entry["name"]
        for result in entry["results"]:
            task, dataset = result["task"], result["dataset"]
            source = result.get("source") or {}
            shared = {
                "task_type": task["type"],
                "task_name": task.get("name"),
                "dataset_type": dataset["type"],
                "dataset_name": dataset["name"],
                "dataset_config": dataset.get("config"),
                "dataset_split": dataset.get("split"),
                "dataset_revision": dataset.get("revision"),
                "dataset_args": dataset.get("args"),
                "source_name": source.get("name"),
                "source_url": source.get("url"),
            }
            for metric in result["metrics"]:
                eval_results.append(
                    EvalResult(
                        metric_type=metric["type"],
                        metric_value=metric["value"],
                        metric_name=metric.get("name"),
                        metric_args=metric.get("args"),
                        metric_config=metric.get("config"),
                        verified=metric.get("verified"),
                        verify_token=metric.get("verifyToken"),
                        **shared,
                    )
                )
    return name, eval_results


# --- card data -------------------------------------------------------------------------------


class CardData:
    """The metadata of a repo card: readable as a dict (``data["license"]``, ``get``, ``pop``,
    ``in``) and as attributes (``data.license``).

    Unknown keys are kept. ``to_dict`` leaves out the keys whose value is ``None``; ``to_yaml``
    writes the YAML block of a README.
    """

    def __init__(self, ignore_metadata_errors: bool = False, **kwargs: Any) -> None:
        self.__dict__.update(kwargs)

    def to_dict(self) -> dict[str, Any]:
        """The metadata as a plain dict ready for YAML (keys without value left out)."""
        data = copy.deepcopy(self.__dict__)
        self._to_dict(data)
        return {key: value for key, value in data.items() if value is not None}

    def _to_dict(self, data_dict: dict[str, Any]) -> None:
        """Hook for subclasses: reshape the plain dict in place (e.g. rebuild ``model-index``)."""

    def to_yaml(self, line_break: str | None = None, original_order: list[str] | None = None) -> str:
        """The metadata as a YAML block (without the ``---`` fences).

        ``original_order``: keys to write first, in that order (the order they had in the README
        the card was read from), so rewriting a card does not shuffle its keys.
        """
        if original_order:
            first = [k for k in original_order if k in self.__dict__]
            rest = [k for k in self.__dict__ if k not in set(original_order)]
            self.__dict__ = {k: self.__dict__[k] for k in first + rest}
        return yaml_dump(self.to_dict(), sort_keys=False, line_break=line_break).strip()

    def get(self, key: str, default: Any = None) -> Any:
        """The value of ``key``, or ``default`` when it is missing or ``None``."""
        value = self.__dict__.get(key)
        return default if value is None else value

    def pop(self, key: str, default: Any = None) -> Any:
        """Remove ``key`` and return its value (``default`` when missing)."""
        return self.__dict__.pop(key, default)

    def __getitem__(self, key: str) -> Any:
        return self.__dict__[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.__dict__[key] = value

    def __contains__(self, key: object) -> bool:
        return key in self.__dict__

    def __len__(self) -> int:
        return len(self.__dict__)

    def __iter__(self) -> Iterator[str]:
        return iter(self.__dict__)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CardData) and self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return repr(self.__dict__)

    def __str__(self) -> str:
        return self.to_yaml()


def _unique_list(values: Any) -> Any:
    """Tags as a list without duplicates, first occurrence kept (a single string becomes a list)."""
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    unique: list[Any] = []
    for value in values:
        if value not in unique:
            unique.append(value)
    return unique


class ModelCardData(CardData):
    """Metadata of a model card.

    Args:
        base_model: the model(s) this one derives from (repo ids).
        datasets: the datasets it was trained on (dataset ids).
        eval_results: evaluation results (``EvalResult``); written as ``model-index`` and
            need ``model_name``.
        language, library_name, license, license_name, license_link, metrics, model_name,
        pipeline_tag, tags: the Hub's fields of the same name.
        ignore_metadata_errors: keep loading when ``model-index`` cannot be parsed (its results
            are then dropped, with a warning).
        kwargs: any other metadata, kept as is.
    """

    def __init__(
        self,
        *,
        base_model: str | list[str] | None = None,
        datasets: str | list[str] | None = None,
        eval_results: list[EvalResult] | None = None,
        language: str | list[str] | None = None,
        library_name: str | None = None,
        license: str | None = None,
        license_name: str | None = None,
        license_link: str | None = None,
        metrics: list[str] | None = None,
        model_name: str | None = None,
        pipeline_tag: str | None = None,
        tags: list[str] | None = None,
        ignore_metadata_errors: bool = False,
        **kwargs: Any,
    ) -> None:
        # Attribute order is the order keys are written in: the same as huggingface_hub's.
        self.base_model = base_model
        self.datasets = datasets
        self.eval_results = eval_results
        self.language = language
        self.library_name = library_name
        self.license = license
        self.license_name = license_name
        self.license_link = license_link
        self.metrics = metrics
        self.model_name = model_name
        self.pipeline_tag = pipeline_tag
        self.tags = _unique_list(tags)

        model_index = kwargs.pop("model-index", None)
        if model_index:
            try:
                self.model_name, self.eval_results = model_index_to_eval_results(model_index)
            except (KeyError, TypeError) as error:
                if not ignore_metadata_errors:
                    raise ValueError(
                        f"Invalid `model_index` in metadata cannot be parsed: {error.__class__} {error}. Pass"
                        " `ignore_metadata_errors=True` to ignore this error while loading a Model Card. Warning:"
                        " some information will be lost. Use it at your own risk."
                    ) from None
                logger.warning("Invalid model-index. Not loading eval results into CardData.")
        super().__init__(**kwargs)

        if self.eval_results:
            try:
                self.eval_results = _checked_eval_results(self.eval_results, self.model_name)
            except ValueError as err:
                if not ignore_metadata_errors:
                    raise ValueError(f"Failed to validate eval_results: {err}") from err
                logger.warning("Failed to validate eval_results: %s. Not loading eval results into CardData.", err)

    def _to_dict(self, data_dict: dict[str, Any]) -> None:
        if self.eval_results is not None:
            data_dict["model-index"] = eval_results_to_model_index(self.model_name, self.eval_results)  # type: ignore[arg-type]
            del data_dict["eval_results"], data_dict["model_name"]


def _checked_eval_results(eval_results: Any, model_name: str | None) -> list[EvalResult]:
    if isinstance(eval_results, EvalResult):
        eval_results = [eval_results]
    if not isinstance(eval_results, list) or not all(isinstance(r, EvalResult) for r in eval_results):
        raise ValueError(
            f"`eval_results` should be of type `EvalResult` or a list of `EvalResult`, got {type(eval_results)}."
        )
    if model_name is None:
        raise ValueError("Passing `eval_results` requires `model_name` to be set.")
    return eval_results


class DatasetCardData(CardData):
    """Metadata of a dataset card (``train_eval_index`` is written as ``train-eval-index``).

    Args:
        language, license, annotations_creators, language_creators, multilinguality,
        size_categories, source_datasets, task_categories, task_ids, paperswithcode_id,
        pretty_name, train_eval_index, config_names: the Hub's dataset fields.
        kwargs: any other metadata, kept as is.
    """

    def __init__(
        self,
        *,
        language: str | list[str] | None = None,
        license: str | list[str] | None = None,
        annotations_creators: str | list[str] | None = None,
        language_creators: str | list[str] | None = None,
        multilinguality: str | list[str] | None = None,
        size_categories: str | list[str] | None = None,
        source_datasets: list[str] | None = None,
        task_categories: str | list[str] | None = None,
        task_ids: str | list[str] | None = None,
        paperswithcode_id: str | None = None,
        pretty_name: str | None = None,
        train_eval_index: dict[str, Any] | None = None,
        config_names: str | list[str] | None = None,
        ignore_metadata_errors: bool = False,
        **kwargs: Any,
    ) -> None:
        self.annotations_creators = annotations_creators
        self.language_creators = language_creators
        self.language = language
        self.license = license
        self.multilinguality = multilinguality
        self.size_categories = size_categories
        self.source_datasets = source_datasets
        self.task_categories = task_categories
        self.task_ids = task_ids
        self.paperswithcode_id = paperswithcode_id
        self.pretty_name = pretty_name
        self.config_names = config_names
        self.train_eval_index = train_eval_index or kwargs.pop("train-eval-index", None)
        super().__init__(**kwargs)

    def _to_dict(self, data_dict: dict[str, Any]) -> None:
        data_dict["train-eval-index"] = data_dict.pop("train_eval_index")


class SpaceCardData(CardData):
    """Metadata of a Space card: ``title``, ``sdk`` and its version, ``app_file``, ``app_port``...

    Args:
        title, sdk, sdk_version, python_version, app_file, app_port, license, duplicated_from,
        models, datasets, tags: the Hub's Space fields.
        kwargs: any other metadata (``emoji``, ``colorFrom``...), kept as is.
    """

    def __init__(
        self,
        *,
        title: str | None = None,
        sdk: str | None = None,
        sdk_version: str | None = None,
        python_version: str | None = None,
        app_file: str | None = None,
        app_port: int | None = None,
        license: str | None = None,
        duplicated_from: str | None = None,
        models: list[str] | None = None,
        datasets: list[str] | None = None,
        tags: list[str] | None = None,
        ignore_metadata_errors: bool = False,
        **kwargs: Any,
    ) -> None:
        self.title = title
        self.sdk = sdk
        self.sdk_version = sdk_version
        self.python_version = python_version
        self.app_file = app_file
        self.app_port = app_port
        self.license = license
        self.duplicated_from = duplicated_from
        self.models = models
        self.datasets = datasets
        self.tags = _unique_list(tags)
        super().__init__(**kwargs)
