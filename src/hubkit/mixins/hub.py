"""``ModelHubMixin``: ``save_pretrained``, ``from_pretrained`` and ``push_to_hub`` for any model class.

A library inherits from the mixin and implements two hooks, ``_save_pretrained`` (write the
weights into a folder) and ``_from_pretrained`` (build the model from a folder or a repo). The
mixin does the rest: it records the ``__init__`` arguments as ``config.json``, writes a model
card (library name, tags, license, links given as class arguments), downloads from the Hub or
reads a local folder, and pushes in one commit. Class arguments::

    class MyModel(nn.Module, PyTorchModelHubMixin, library_name="mylib", tags=["vision"],
                  license="mit", repo_url="https://...", docs_url="https://..."):
        ...
"""

from __future__ import annotations

import inspect
import json
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import Field, asdict, dataclass, is_dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol, TypeVar

from .. import constants
from ..cards import ModelCard, ModelCardData
from .config import decode_arg, encode_arg, init_annotations, is_jsonable

__all__ = ["DEFAULT_MODEL_CARD", "MixinInfo", "ModelHubMixin"]

logger = logging.getLogger(__name__)


class DataclassInstance(Protocol):
    __dataclass_fields__: ClassVar[dict[str, Field[Any]]]


T = TypeVar("T", bound="ModelHubMixin")
ARGS_T = TypeVar("ARGS_T")
CODER_T = tuple[Callable[[Any], Any], Callable[[Any], Any]]

DEFAULT_MODEL_CARD = """
---
{{ card_data }}
---

This model was saved and pushed with a `ModelHubMixin` integration: its weights and `config.json` load
back with `from_pretrained`.

- Code: {{ repo_url | default("*to be completed*", true) }}
- Paper: {{ paper_url | default("*to be completed*", true) }}
- Docs: {{ docs_url | default("*to be completed*", true) }}
"""


@dataclass
class MixinInfo:
    """What a class integrating the mixin says about itself, for the model cards it writes."""

    model_card_template: str
    model_card_data: ModelCardData
    docs_url: str | None = None
    paper_url: str | None = None
    repo_url: str | None = None


class ModelHubMixin:
    """Give a model class ``save_pretrained``, ``from_pretrained`` and ``push_to_hub``.

    Subclasses implement ``_save_pretrained(save_directory)`` and ``_from_pretrained(*,
    model_id, revision, cache_dir, force_download, local_files_only, token, **model_kwargs)``.
    Class arguments (all optional): ``repo_url``, ``paper_url``, ``docs_url``,
    ``model_card_template`` (Jinja2), card metadata (``language``, ``library_name``,
    ``license``, ``license_name``, ``license_link``, ``pipeline_tag``, ``tags``), and ``coders``
    (``{type: (encoder, decoder)}`` for ``__init__`` arguments that are not JSON).
    """

    _hub_mixin_config: dict[str, Any] | DataclassInstance | None = None
    _hub_mixin_info: MixinInfo
    _hub_mixin_inject_config: bool
    _hub_mixin_init_parameters: dict[str, inspect.Parameter]
    _hub_mixin_init_annotations: dict[str, Any]
    _hub_mixin_jsonable_default_values: dict[str, Any]
    _hub_mixin_jsonable_custom_types: tuple[type, ...]
    _hub_mixin_coders: dict[type, CODER_T]

    def __init_subclass__(
        cls,
        *,
        repo_url: str | None = None,
        paper_url: str | None = None,
        docs_url: str | None = None,
        model_card_template: str = DEFAULT_MODEL_CARD,
        language: list[str] | None = None,
        library_name: str | None = None,
        license: str | None = None,
        license_name: str | None = None,
        license_link: str | None = None,
        pipeline_tag: str | None = None,
        tags: list[str] | None = None,
        coders: dict[type, CODER_T] | None = None,
    ) -> None:
        super().__init_subclass__()
        parent: MixinInfo | None = getattr(cls, "_hub_mixin_info", None)
        info = MixinInfo(model_card_template=model_card_template, model_card_data=ModelCardData())
        if parent is not None:  # a subclass of an integrated class inherits its card settings
            if model_card_template == DEFAULT_MODEL_CARD:
                info.model_card_template = parent.model_card_template
            info.model_card_data = ModelCardData(**parent.model_card_data.to_dict())
            info.docs_url, info.paper_url, info.repo_url = parent.docs_url, parent.paper_url, parent.repo_url
        cls._hub_mixin_info = info

        info.repo_url = repo_url if repo_url is not None else info.repo_url
        info.paper_url = paper_url if paper_url is not None else info.paper_url
        info.docs_url = docs_url if docs_url is not None else info.docs_url
        data = info.model_card_data
        for key, value in (
            ("language", language),
            ("library_name", library_name),
            ("license", license),
            ("license_name", license_name),
            ("license_link", license_link),
            ("pipeline_tag", pipeline_tag),
        ):
            if value is not None:
                data[key] = value
        data.tags = sorted({*(data.tags or []), *(tags or []), "model_hub_mixin"})

        cls._hub_mixin_coders = dict(coders or {})
        cls._hub_mixin_jsonable_custom_types = tuple(cls._hub_mixin_coders)
        cls._hub_mixin_init_parameters = dict(inspect.signature(cls.__init__).parameters)
        cls._hub_mixin_init_annotations = init_annotations(cls)
        cls._hub_mixin_jsonable_default_values = {
            p.name: cls._encode_arg(p.default)
            for p in cls._hub_mixin_init_parameters.values()
            if p.default is not inspect.Parameter.empty and cls._is_jsonable(p.default)
        }
        cls._hub_mixin_inject_config = "config" in inspect.signature(cls._from_pretrained).parameters

    def __new__(cls: type[T], *args: Any, **kwargs: Any) -> T:
        """Record the arguments the instance is built with (its config), before ``__init__``."""
        instance = super().__new__(cls)
        if instance._hub_mixin_config is not None:
            return instance
        names = list(cls._hub_mixin_init_parameters)[1:]  # without self
        passed = {**dict(zip(names, args, strict=False)), **kwargs}
        if is_dataclass(passed.get("config")):
            instance._hub_mixin_config = passed["config"]
            return instance
        config = {
            **cls._hub_mixin_jsonable_default_values,
            **{k: cls._encode_arg(v) for k, v in passed.items() if cls._is_jsonable(v)},
        }
        given = config.pop("config", {})
        if isinstance(given, dict):
            config.update(given)
        if config:
            instance._hub_mixin_config = config
        return instance

    @classmethod
    def _is_jsonable(cls, value: Any) -> bool:
        return is_dataclass(value) or isinstance(value, cls._hub_mixin_jsonable_custom_types) or is_jsonable(value)

    @classmethod
    def _encode_arg(cls, arg: Any) -> Any:
        """An ``__init__`` argument as it is written in ``config.json``."""
        return encode_arg(arg, cls._hub_mixin_coders)

    @classmethod
    def _decode_arg(cls, expected_type: type[ARGS_T], value: Any) -> ARGS_T | None:
        """A ``config.json`` value as the ``__init__`` argument of type ``expected_type``."""
        return decode_arg(expected_type, value, cls._hub_mixin_coders)  # type: ignore[no-any-return]

    # --- saving --------------------------------------------------------------------------

    def save_pretrained(
        self,
        save_directory: str | Path,
        *,
        config: dict[str, Any] | DataclassInstance | None = None,
        repo_id: str | None = None,
        push_to_hub: bool = False,
        model_card_kwargs: dict[str, Any] | None = None,
        **push_to_hub_kwargs: Any,
    ) -> str | None:
        """Save the weights, ``config.json`` and a model card (``README.md``, unless one is there).

        Args:
            save_directory: where to write (created if needed).
            config: the config to write (default: the ``__init__`` arguments recorded).
            repo_id: with ``push_to_hub``, the repo (default: the folder's name).
            push_to_hub: push the folder afterwards; returns the commit URL.
            model_card_kwargs: variables for the model card template.
            push_to_hub_kwargs: more arguments for ``push_to_hub``.
        """
        folder = Path(save_directory)
        folder.mkdir(parents=True, exist_ok=True)
        # _save_pretrained may write its own config.json: an old one must not be mistaken for it
        config_path = folder / constants.CONFIG_NAME
        config_path.unlink(missing_ok=True)
        self._save_pretrained(folder)

        if config is None:
            config = self._hub_mixin_config
        if config is not None:
            if is_dataclass(config):
                config = asdict(config)  # type: ignore[arg-type]
            if not config_path.exists():
                config_path.write_text(json.dumps(config, sort_keys=True, indent=2))

        card_kwargs = model_card_kwargs if model_card_kwargs is not None else {}
        card_path = folder / constants.REPOCARD_NAME
        if not card_path.exists():  # a card written by the user stays
            self.generate_model_card(**card_kwargs).save(card_path)

        if push_to_hub:
            kwargs = dict(push_to_hub_kwargs)
            if config is not None:
                kwargs["config"] = config
            return self.push_to_hub(repo_id=repo_id or folder.name, model_card_kwargs=model_card_kwargs, **kwargs)
        return None

    def _save_pretrained(self, save_directory: Path) -> None:
        """Write the model's weights (and any other file) into ``save_directory``."""
        raise NotImplementedError

    # --- loading -------------------------------------------------------------------------

    @classmethod
    def _config_file(
        cls, model_id: str, *, revision: str | None, cache_dir: str | Path | None, force_download: bool,
        token: str | bool | None, local_files_only: bool,
    ) -> str | None:  # fmt: skip
        if os.path.isdir(model_id):
            if constants.CONFIG_NAME in os.listdir(model_id):
                return os.path.join(model_id, constants.CONFIG_NAME)
            logger.warning("%s not found in %s", constants.CONFIG_NAME, Path(model_id).resolve())
            return None
        from ..download import hf_hub_download
        from ..errors import HfHubHTTPError

        try:
            return hf_hub_download(
                repo_id=model_id,
                filename=constants.CONFIG_NAME,
                revision=revision,
                cache_dir=cache_dir,
                force_download=force_download,
                token=token,
                local_files_only=local_files_only,
            )
        except HfHubHTTPError as err:
            logger.info("%s not found on the Hub: %s", constants.CONFIG_NAME, err)
            return None

    @classmethod
    def from_pretrained(
        cls: type[T],
        pretrained_model_name_or_path: str | Path,
        *,
        force_download: bool = False,
        token: str | bool | None = None,
        cache_dir: str | Path | None = None,
        local_files_only: bool = False,
        revision: str | None = None,
        **model_kwargs: Any,
    ) -> T:
        """Build the model from a local folder or a Hub repo (downloaded into the cache).

        ``config.json`` gives the ``__init__`` arguments (``model_kwargs`` win over it); the rest
        of ``model_kwargs`` goes to ``_from_pretrained``.
        """
        model_id = str(pretrained_model_name_or_path)
        config_file = cls._config_file(
            model_id, revision=revision, cache_dir=cache_dir, force_download=force_download, token=token,
            local_files_only=local_files_only,
        )  # fmt: skip
        config: Any = None
        if config_file is not None:
            with open(config_file, encoding="utf-8") as f:
                config = json.load(f)
            cls._apply_config(config, model_kwargs)

        instance = cls._from_pretrained(
            model_id=model_id,
            revision=revision,
            cache_dir=cache_dir,
            force_download=force_download,
            local_files_only=local_files_only,
            token=token,
            **model_kwargs,
        )
        # the loaded config becomes the instance's, so a later save_pretrained writes it again
        if config is not None and getattr(instance, "_hub_mixin_config", None) in (None, {}):
            instance._hub_mixin_config = config
        return instance

    @classmethod
    def _apply_config(cls, config: Any, model_kwargs: dict[str, Any]) -> None:
        """Fill ``model_kwargs`` from a loaded ``config.json`` (decoding custom types in place)."""
        params = cls._hub_mixin_init_parameters
        if isinstance(config, dict):
            for key, value in config.items():
                expected = cls._hub_mixin_init_annotations.get(key, inspect.Parameter.empty)
                if key in params and expected is not inspect.Parameter.empty:
                    config[key] = cls._decode_arg(expected, value)
            for name in params:
                if name not in model_kwargs and name in config:
                    model_kwargs[name] = config[name]
        if "config" in params and "config" not in model_kwargs:
            annotation = cls._hub_mixin_init_annotations.get("config", inspect.Parameter.empty)
            model_kwargs["config"] = (
                config if annotation is inspect.Parameter.empty else cls._decode_arg(annotation, config)
            )
        if isinstance(config, dict):
            if is_dataclass(cls):
                for key in cls.__dataclass_fields__:
                    if key not in model_kwargs and key in config:
                        model_kwargs[key] = config[key]
            elif any(p.kind == inspect.Parameter.VAR_KEYWORD for p in params.values()):
                for key, value in config.items():
                    model_kwargs.setdefault(key, value)
        if cls._hub_mixin_inject_config and "config" not in model_kwargs:
            model_kwargs["config"] = config

    @classmethod
    def _from_pretrained(
        cls: type[T],
        *,
        model_id: str,
        revision: str | None,
        cache_dir: str | Path | None,
        force_download: bool,
        local_files_only: bool,
        token: str | bool | None,
        **model_kwargs: Any,
    ) -> T:
        """Build the model and load its weights from ``model_id`` (a local folder or a repo id)."""
        raise NotImplementedError

    # --- pushing -------------------------------------------------------------------------

    def push_to_hub(
        self,
        repo_id: str,
        *,
        config: dict[str, Any] | DataclassInstance | None = None,
        commit_message: str = "Push model using huggingface_hub.",
        private: bool | None = None,
        token: str | None = None,
        branch: str | None = None,
        create_pr: bool | None = None,
        allow_patterns: list[str] | str | None = None,
        ignore_patterns: list[str] | str | None = None,
        delete_patterns: list[str] | str | None = None,
        model_card_kwargs: dict[str, Any] | None = None,
    ) -> str:
        """Save the model into a temporary folder and upload it in one commit (the repo is
        created if needed); returns the commit URL."""
        from ..api import HfApi

        api = HfApi(token=token)
        repo_id = api.create_repo(repo_id=repo_id, private=private, exist_ok=True).repo_id
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / repo_id
            self.save_pretrained(folder, config=config, model_card_kwargs=model_card_kwargs)
            return api.upload_folder(  # type: ignore[no-any-return]
                repo_id=repo_id,
                repo_type="model",
                folder_path=folder,
                commit_message=commit_message,
                revision=branch,
                create_pr=create_pr,
                allow_patterns=allow_patterns,
                ignore_patterns=ignore_patterns,
                delete_patterns=delete_patterns,
            )

    def generate_model_card(self, *args: Any, **kwargs: Any) -> ModelCard:
        """The model card written next to the weights (template and metadata from the class)."""
        info = self._hub_mixin_info
        return ModelCard.from_template(
            card_data=info.model_card_data,
            template_str=info.model_card_template,
            repo_url=info.repo_url,
            paper_url=info.paper_url,
            docs_url=info.docs_url,
            **kwargs,
        )
