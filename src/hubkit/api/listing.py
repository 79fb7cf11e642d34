"""Listing and search: ``list_models``, ``list_datasets``, ``list_spaces`` (hub-protocol.md §11).

Results are generators: pages are fetched as the caller iterates (``Link: rel="next"``), and
``limit`` both bounds the page size asked for and stops the iteration.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any, Literal

from ._base import ApiBase
from .types import DatasetInfo, ModelInfo, SpaceInfo

__all__ = ["ListingMixin"]

PUBLIC: tuple[str, ...] = ("list_models", "list_datasets", "list_spaces")

# the client's snake_case sort names -> the Hub's
_SORTS = {"created_at": "createdAt", "last_modified": "lastModified", "trending_score": "trendingScore"}


def _as_list(value: str | Iterable[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _prefixed(key: str, values: str | Iterable[str] | None) -> list[str]:
    """Filters like ``language:en`` from a dedicated argument (a prefix already given is kept)."""
    if not values:
        return []
    return [v if v.startswith(f"{key}:") else f"{key}:{v}" for v in _as_list(values)]


def _in_emission_range(info: ModelInfo, low: float, high: float) -> bool:
    """Whether the CO2 emissions a model card reports (in grams) are within [low, high]."""
    card = info.card_data
    emissions = card.get("co2_eq_emissions") if card is not None and hasattr(card, "get") else None
    if isinstance(emissions, dict):
        emissions = emissions.get("emissions")
    if isinstance(emissions, str):  # cards write "123" or "1.2e3 g" as often as a number
        emissions = emissions.replace("g", "").strip()
    try:
        value = float(emissions)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return low <= value <= high


class ListingMixin(ApiBase):
    """Search the Hub's models, datasets and Spaces."""

    def _listing(self, kind: str, params: dict[str, Any], limit: int | None, token: bool | str | None) -> Iterator[Any]:
        sort = params.get("sort")
        if sort is not None:
            params["sort"] = _SORTS.get(sort, sort)
        if limit is not None:
            params["limit"] = limit
        items: Iterator[Any] = iter(self._paginate(self._api_url(kind), token=token, params=params))
        if limit is not None:
            items = islice(items, limit)  # never fetch pages beyond what the caller wants
        for item in items:
            item.setdefault("siblings", None)
            yield item

    def list_models(
        self,
        *,
        filter: str | Iterable[str] | None = None,
        author: str | None = None,
        apps: str | list[str] | None = None,
        gated: bool | None = None,
        inference: Literal["warm"] | None = None,
        inference_provider: str | list[str] | None = None,
        trained_dataset: str | list[str] | None = None,
        search: str | None = None,
        pipeline_tag: str | None = None,
        num_parameters: str | None = None,
        emissions_thresholds: tuple[float, float] | None = None,
        sort: str | None = None,
        limit: int | None = None,
        expand: list[str] | None = None,
        full: bool | None = None,
        cardData: bool = False,
        fetch_config: bool = False,
        token: bool | str | None = None,
    ) -> Iterator[ModelInfo]:
        """Models on the Hub matching every given criterion, fetched lazily.

        Args:
            filter: tags to match (library, language, license...): every one must be present.
            author: the namespace (user or organization) owning the models.
            search: a substring of the repo id.
            trained_dataset: datasets the model was trained on (sent as ``dataset:X`` filters).
            apps, gated, inference, inference_provider, pipeline_tag, num_parameters: more filters.
            emissions_thresholds: ``(min, max)`` grams of CO2 reported by the card (needs ``cardData``).
            sort: ``"downloads"``, ``"likes"``, ``"created_at"``, ``"last_modified"``, ``"trending_score"``
                (descending, as on the Hub).
            limit: stop after this many models.
            expand: only these properties; exclusive with ``full``, ``cardData``, ``fetch_config``.
            full: complete objects (``sha``, ``siblings``...); cardData: include card metadata;
            fetch_config: include the model config.

        Returns:
            An iterator of ``ModelInfo``.
        """
        if expand and (full or cardData or fetch_config):
            raise ValueError("`expand` cannot be combined with `full`, `cardData` or `fetch_config`.")
        if emissions_thresholds is not None and not cardData:
            raise ValueError("`emissions_thresholds` needs `cardData=True` (emissions are read from the card).")
        filters = _as_list(filter) if filter else []
        filters += [d if d.startswith("dataset:") else f"dataset:{d}" for d in _as_list(trained_dataset or [])]
        params: dict[str, Any] = {"filter": filters or None, "author": author or None,
                                  "apps": _as_list(apps) if apps else None, "gated": gated, "inference": inference,
                                  "inference_provider": inference_provider, "pipeline_tag": pipeline_tag or None,
                                  "num_parameters": num_parameters, "search": search or None, "sort": sort,
                                  "full": True if full else None, "config": True if fetch_config else None,
                                  "cardData": True if cardData else None, "expand": expand or None}  # fmt: skip
        params = {k: v for k, v in params.items() if v is not None}
        for item in self._listing("models", params, limit, token):
            info = ModelInfo(**item)
            if emissions_thresholds is None or _in_emission_range(info, *emissions_thresholds):
                yield info

    def list_datasets(
        self,
        *,
        filter: str | Iterable[str] | None = None,
        author: str | None = None,
        benchmark: Literal[True] | str | None = None,
        dataset_name: str | None = None,
        gated: bool | None = None,
        language_creators: str | list[str] | None = None,
        language: str | list[str] | None = None,
        multilinguality: str | list[str] | None = None,
        size_categories: str | list[str] | None = None,
        task_categories: str | list[str] | None = None,
        task_ids: str | list[str] | None = None,
        search: str | None = None,
        sort: str | None = None,
        limit: int | None = None,
        expand: list[str] | None = None,
        full: bool | None = None,
        token: bool | str | None = None,
    ) -> Iterator[DatasetInfo]:
        """Datasets on the Hub matching every given criterion, fetched lazily.

        Args:
            filter: tags to match; language, language_creators, multilinguality, size_categories,
                task_categories, task_ids: the same as ``key:value`` tags.
            benchmark: ``True``/``"official"`` for official benchmark datasets.
            author, search, dataset_name (searched like ``search``), gated: more criteria.
            sort, limit, expand, full: as for ``list_models``.

        Returns:
            An iterator of ``DatasetInfo``.
        """
        if expand and full:
            raise ValueError("`expand` cannot be combined with `full`.")
        filters = _as_list(filter) if filter else []
        for key, values in (("language_creators", language_creators), ("language", language),
                            ("multilinguality", multilinguality), ("size_categories", size_categories),
                            ("task_categories", task_categories), ("task_ids", task_ids)):  # fmt: skip
            filters += _prefixed(key, values)
        if benchmark is not None:
            filters.append(f"benchmark:{'official' if benchmark is True else benchmark}")
        searches = [s for s in (dataset_name, search) if s]
        params: dict[str, Any] = {"filter": filters or None, "author": author or None, "gated": gated,
                                  "search": searches or None, "sort": sort, "expand": expand or None,
                                  "full": True if full else None}  # fmt: skip
        params = {k: v for k, v in params.items() if v is not None}
        for item in self._listing("datasets", params, limit, token):
            yield DatasetInfo(**item)

    def list_spaces(
        self,
        *,
        filter: str | Iterable[str] | None = None,
        author: str | None = None,
        search: str | None = None,
        datasets: str | Iterable[str] | None = None,
        models: str | Iterable[str] | None = None,
        linked: bool = False,
        sort: str | None = None,
        limit: int | None = None,
        expand: list[str] | None = None,
        full: bool | None = None,
        token: bool | str | None = None,
    ) -> Iterator[SpaceInfo]:
        """Spaces on the Hub matching every given criterion, fetched lazily.

        Args:
            filter: tags to match; author, search: as for ``list_models``.
            datasets, models: Spaces using these datasets / models; linked: only Spaces using any.
            sort, limit, expand, full: as for ``list_models``.

        Returns:
            An iterator of ``SpaceInfo``.
        """
        if expand and full:
            raise ValueError("`expand` cannot be combined with `full`.")
        params: dict[str, Any] = {"filter": filter, "author": author, "search": search, "sort": sort,
                                  "linked": True if linked else None, "datasets": datasets, "models": models,
                                  "expand": expand or None, "full": True if full else None}  # fmt: skip
        params = {k: (v if isinstance(v, str) else list(v)) if isinstance(v, Iterable) else v
                  for k, v in params.items() if v is not None}  # fmt: skip
        for item in self._listing("spaces", params, limit, token):
            yield SpaceInfo(**item)
