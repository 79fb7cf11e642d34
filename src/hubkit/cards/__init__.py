"""Repo cards and their metadata: ``ModelCard``, ``ModelCardData``, ``EvalResult``, ``metadata_update``..."""

from __future__ import annotations

from .card import DatasetCard, ModelCard, RepoCard, SpaceCard
from .data import (
    CardData,
    DatasetCardData,
    EvalResult,
    ModelCardData,
    SpaceCardData,
    eval_results_to_model_index,
    model_index_to_eval_results,
)
from .metadata import metadata_eval_result, metadata_load, metadata_save, metadata_update

__all__ = [
    "CardData",
    "DatasetCard",
    "DatasetCardData",
    "EvalResult",
    "ModelCard",
    "ModelCardData",
    "RepoCard",
    "SpaceCard",
    "SpaceCardData",
    "eval_results_to_model_index",
    "metadata_eval_result",
    "metadata_load",
    "metadata_save",
    "metadata_update",
    "model_index_to_eval_results",
]
