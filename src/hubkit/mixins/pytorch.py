"""``PyTorchModelHubMixin``: the Hub mixin for ``torch.nn.Module`` models, weights in safetensors.

Weights are written as ``model.safetensors`` (tensors sharing memory, e.g. tied embeddings,
stored once). Loading reads ``model.safetensors``, or a ``pytorch_model.bin`` of older repos
with ``torch.load(weights_only=True)``; the model is put in eval mode.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, TypeVar

from .. import constants
from .hub import ModelHubMixin

__all__ = ["PyTorchModelHubMixin"]

logger = logging.getLogger(__name__)

T = TypeVar("T")


class PyTorchModelHubMixin(ModelHubMixin):
    """``save_pretrained``/``from_pretrained``/``push_to_hub`` for a ``torch.nn.Module``::

        class MyModel(nn.Module, PyTorchModelHubMixin, library_name="mylib", license="mit"):
            def __init__(self, hidden: int = 16): ...

        MyModel(hidden=32).push_to_hub("me/my-model")
        model = MyModel.from_pretrained("me/my-model")  # hidden=32 from config.json

    ``from_pretrained`` also takes ``map_location`` (default ``"cpu"``) and ``strict``
    (default ``False``: keys missing on either side are ignored).
    """

    def __init_subclass__(cls, *args: Any, tags: list[str] | None = None, **kwargs: Any) -> None:
        kwargs["tags"] = [*(tags or []), "pytorch_model_hub_mixin"]
        super().__init_subclass__(*args, **kwargs)

    def _save_pretrained(self, save_directory: Path) -> None:
        """Write the weights as ``model.safetensors``."""
        from safetensors.torch import save_model

        module = self.module if hasattr(self, "module") else self  # unwrap DataParallel-style wrappers
        save_model(module, str(save_directory / constants.SAFETENSORS_SINGLE_FILE))  # type: ignore[arg-type]

    @classmethod
    def _from_pretrained(
        cls,
        *,
        model_id: str,
        revision: str | None,
        cache_dir: str | Path | None,
        force_download: bool,
        local_files_only: bool,
        token: str | bool | None,
        map_location: str = "cpu",
        strict: bool = False,
        **model_kwargs: Any,
    ) -> Any:
        model = cls(**model_kwargs)
        if os.path.isdir(model_id):
            logger.info("Loading weights from local directory %s", model_id)
            return cls._load_as_safetensor(
                model, os.path.join(model_id, constants.SAFETENSORS_SINGLE_FILE), map_location, strict
            )
        from ..download import hf_hub_download
        from ..errors import EntryNotFoundError

        where = {
            "repo_id": model_id,
            "revision": revision,
            "cache_dir": cache_dir,
            "force_download": force_download,
            "token": token,
            "local_files_only": local_files_only,
        }
        try:
            model_file = hf_hub_download(filename=constants.SAFETENSORS_SINGLE_FILE, **where)  # type: ignore[arg-type]
        except EntryNotFoundError:
            model_file = hf_hub_download(filename=constants.PYTORCH_WEIGHTS_NAME, **where)  # type: ignore[arg-type]
            return cls._load_as_pickle(model, model_file, map_location, strict)
        return cls._load_as_safetensor(model, model_file, map_location, strict)

    @classmethod
    def _load_as_pickle(cls, model: T, model_file: str, map_location: str, strict: bool) -> T:
        """Load a ``pytorch_model.bin`` (restricted unpickler: weights only)."""
        import torch

        state_dict = torch.load(model_file, map_location=torch.device(map_location), weights_only=True)
        model.load_state_dict(state_dict, strict=strict)  # type: ignore[attr-defined]
        model.eval()  # type: ignore[attr-defined]
        return model

    @classmethod
    def _load_as_safetensor(cls, model: T, model_file: str, map_location: str, strict: bool) -> T:
        """Load a ``model.safetensors`` onto ``map_location``."""
        from safetensors.torch import load_model

        load_model(model, model_file, strict=strict, device=map_location)  # type: ignore[arg-type]
        model.eval()  # type: ignore[attr-defined]
        return model
