"""Cards, safetensors, serialization and mixins: the same call signatures as huggingface_hub 2.4.0."""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

import huggingface_hub as hfh
import huggingface_hub.utils as hfh_utils
import pytest

import hubkit

FUNCTIONS = [
    "metadata_load", "metadata_save", "metadata_update", "metadata_eval_result",
    "get_local_safetensors_metadata", "parse_local_safetensors_file_metadata",
    "split_state_dict_into_shards_factory", "split_torch_state_dict_into_shards", "save_torch_state_dict",
    "save_torch_model", "load_torch_model", "load_state_dict_from_file", "get_torch_storage_id",
    "get_torch_storage_size", "export_entries_as_dduf", "export_folder_as_dduf", "read_dduf_file",
    "get_safetensors_metadata", "get_sharded_safetensors_metadata", "parse_safetensors_file_metadata",
]  # fmt: skip
METHODS = [
    ("RepoCard", "__init__"), ("RepoCard", "load"), ("RepoCard", "validate"), ("RepoCard", "push_to_hub"),
    ("RepoCard", "save"), ("RepoCard", "from_template"), ("ModelCard", "from_template"),
    ("DatasetCard", "from_template"), ("CardData", "to_yaml"), ("CardData", "get"), ("CardData", "pop"),
    ("ModelCardData", "__init__"), ("DatasetCardData", "__init__"), ("SpaceCardData", "__init__"),
    ("ModelHubMixin", "save_pretrained"), ("ModelHubMixin", "from_pretrained"), ("ModelHubMixin", "push_to_hub"),
    ("ModelHubMixin", "__init_subclass__"), ("PyTorchModelHubMixin", "_from_pretrained"),
    ("HfApi", "get_safetensors_metadata"), ("HfApi", "get_sharded_safetensors_metadata"),
    ("HfApi", "parse_safetensors_file_metadata"),
]  # fmt: skip
DATACLASSES = ["EvalResult", "StateDictSplit", "DDUFEntry", "SafetensorsRepoMetadata", "SafetensorsFileMetadata",
               "TensorInfo"]  # fmt: skip


def reference(name: str) -> Any:
    return getattr(hfh, name, None) or getattr(hfh_utils, name)


def same_parameters(ours: Any, theirs: Any) -> None:
    mine, real = inspect.signature(ours).parameters, inspect.signature(theirs).parameters
    assert list(mine) == list(real)
    for name in mine:
        assert mine[name].kind == real[name].kind, name
        # timeout: read at call time here, at import time there; get_storage_id: a lambda on both
        # sides; model_card_template: hubkit's own wording of the default card
        if name not in ("timeout", "get_storage_id", "model_card_template"):
            assert mine[name].default == real[name].default, name


@pytest.mark.parametrize("name", FUNCTIONS)
def test_functions(name: str) -> None:
    same_parameters(getattr(hubkit, name), reference(name))


@pytest.mark.parametrize(("cls", "method"), METHODS)
def test_methods(cls: str, method: str) -> None:
    same_parameters(getattr(getattr(hubkit, cls), method), getattr(reference(cls), method))


@pytest.mark.parametrize("name", DATACLASSES)
def test_dataclass_fields(name: str) -> None:
    ours = [(f.name, f.init) for f in dataclasses.fields(getattr(hubkit, name))]
    theirs = [(f.name, f.init) for f in dataclasses.fields(reference(name))]
    assert ours == theirs
