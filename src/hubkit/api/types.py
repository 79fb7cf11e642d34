"""What the Hub answers about repos, as dataclasses with ``huggingface_hub``'s names and fields.

Parsing is lenient by design: a server may add keys, drop optional ones or send a value of an
unexpected shape, and the caller still gets an object. Each field names the JSON key(s) it is
read from (``camelCase`` from the wire, or the field's own snake_case name); known keys are
converted, a value that cannot be converted is kept as sent, and unknown keys become plain
attributes (``info._id``). Missing keys become ``None``.

Objects built from dicts (``ModelInfo(**data)``, ``RepoFile(**entry)``) work like their
``huggingface_hub`` namesakes, backward-compatible aliases included (``info.lastModified``,
``file.rfilename``). Accounts, refs and commits are in ``types_refs``.
"""

# json_field() returns a dataclasses.field, which RUF009 does not recognise as one.
# ruff: noqa: RUF009

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, ClassVar

from .._dates import parse_datetime, parse_datetime_or_none
from ..cards.data import CardData, DatasetCardData, ModelCardData, SpaceCardData

__all__ = [
    "BlobLfsInfo",
    "BlobSecurityInfo",
    "CardData",
    "DatasetCardData",
    "DatasetInfo",
    "InferenceProviderMapping",
    "KernelInfo",
    "LastCommitInfo",
    "ModelCardData",
    "ModelInfo",
    "RepoFile",
    "RepoFolder",
    "RepoSibling",
    "SafeTensorsInfo",
    "SpaceCardData",
    "SpaceInfo",
    "SpaceRuntime",
    "TransformersInfo",
    "parse_tree_entry",
]

logger = logging.getLogger(__name__)


# --- the parsing machinery -------------------------------------------------------------------


def json_field(*keys: str, parse: Callable[[Any], Any] | None = None, default: Any = None) -> Any:
    """A dataclass field read from the first present JSON key among ``keys`` (then its own name)."""
    return field(default=default, metadata={"keys": keys, "parse": parse})


def _convert(parse: Callable[[Any], Any] | None, value: Any, where: str) -> Any:
    if parse is None or value is None:
        return value
    try:
        return parse(value)
    except Exception as err:  # a surprising value must not make the whole answer unreadable
        logger.debug("kept %s as sent: %s", where, err)
        return value


class FromJson:
    """Base of the objects built from a Hub JSON object: ``Cls(**data)``.

    Subclasses are ``@dataclass(init=False)`` whose fields come from ``json_field``. Unknown keys
    are kept as attributes, except names the class already defines (a server must not be able
    to shadow a method).
    """

    # backward-compatible attribute -> field it mirrors (``lastModified`` -> ``last_modified``)
    _aliases: ClassVar[dict[str, str]] = {}

    def __init__(self, **data: Any) -> None:
        for f in fields(self):  # type: ignore[arg-type]
            keys = (*f.metadata.get("keys", ()), f.name)
            value = None
            for key in keys:
                found = data.pop(key, None)
                if value is None:
                    value = found
            if value is None:
                value = f.default
            setattr(self, f.name, _convert(f.metadata.get("parse"), value, f"{type(self).__name__}.{f.name}"))
        self._after_parse(data)
        for alias, target in self._aliases.items():
            setattr(self, alias, getattr(self, target))
        for key, value in data.items():
            if isinstance(key, str) and not hasattr(type(self), key):
                self.__dict__[key] = value

    def _after_parse(self, extra: dict[str, Any]) -> None:
        """Hook for values that are not fields (``extra`` holds the keys not consumed yet)."""


def _dict_view(obj: Any) -> None:
    # these small records are also dicts, as in huggingface_hub, so ``lfs["sha256"]`` keeps working
    obj.update({f.name: getattr(obj, f.name) for f in fields(obj)})


def _list_of(parse: Callable[[Any], Any]) -> Callable[[Any], list[Any]]:
    def parse_list(values: Any) -> list[Any]:
        if not isinstance(values, list):
            raise TypeError(f"expected a list, got {type(values).__name__}")
        return [_convert(parse, v, "list item") for v in values]

    return parse_list


# --- small records -------------------------------------------------------------------------


@dataclass
class LastCommitInfo(dict):  # type: ignore[type-arg]
    """The last commit that touched a file or folder (``list_repo_tree(expand=True)``)."""

    oid: str
    title: str
    date: datetime

    def __post_init__(self) -> None:
        _dict_view(self)


@dataclass
class BlobLfsInfo(dict):  # type: ignore[type-arg]
    """How a file is stored in LFS: real ``size``, content ``sha256``, size of the pointer file."""

    size: int
    sha256: str
    pointer_size: int

    def __post_init__(self) -> None:
        _dict_view(self)


@dataclass
class BlobSecurityInfo(dict):  # type: ignore[type-arg]
    """A file's security scan: ``safe`` is ``status == "safe"``; scans are kept as sent."""

    safe: bool
    status: str
    av_scan: dict[str, Any] | None
    pickle_import_scan: dict[str, Any] | None

    def __post_init__(self) -> None:
        _dict_view(self)


@dataclass
class TransformersInfo(dict):  # type: ignore[type-arg]
    """Which ``transformers`` auto class and processor load a model."""

    auto_model: str
    custom_class: str | None = None
    pipeline_tag: str | None = None
    processor: str | None = None

    def __post_init__(self) -> None:
        _dict_view(self)


@dataclass
class SafeTensorsInfo(dict):  # type: ignore[type-arg]
    """Parameter counts of a model's safetensors weights, per dtype and in total."""

    parameters: dict[str, int]
    total: int

    def __post_init__(self) -> None:
        _dict_view(self)


def _with_extras(obj: Any, data: dict[str, Any], used: tuple[str, ...]) -> Any:
    # keys the record does not know stay readable, both as attributes and as dict items
    for key, value in data.items():
        if key not in used and isinstance(key, str) and not hasattr(type(obj), key):
            obj.__dict__[key] = value
            if isinstance(obj, dict):
                obj[key] = value
    return obj


def parse_last_commit(data: dict[str, Any]) -> LastCommitInfo:
    date = parse_datetime_or_none(data.get("date"))
    return LastCommitInfo(oid=data.get("id"), title=data.get("title"), date=date or data.get("date"))  # type: ignore[arg-type]


def parse_tree_lfs(data: dict[str, Any]) -> BlobLfsInfo:
    """``lfs`` of a tree entry (``oid`` is the sha256) or of a sibling (``sha256``)."""
    sha = data.get("oid", data.get("sha256"))
    lfs = BlobLfsInfo(size=data.get("size"), sha256=sha, pointer_size=data.get("pointerSize"))  # type: ignore[arg-type]
    return _with_extras(lfs, data, ("oid", "sha256", "size", "pointerSize"))  # type: ignore[no-any-return]


def parse_security(data: dict[str, Any]) -> BlobSecurityInfo:
    status = data.get("status")
    scans = {"av_scan": data.get("avScan"), "pickle_import_scan": data.get("pickleImportScan")}
    return BlobSecurityInfo(safe=status == "safe", status=status, **scans)  # type: ignore[arg-type]


def parse_transformers_info(data: dict[str, Any]) -> TransformersInfo:
    keys = ("auto_model", "custom_class", "pipeline_tag", "processor")
    values: dict[str, Any] = {k: data.get(k) for k in keys}
    info = TransformersInfo(**values)
    return _with_extras(info, data, keys)  # type: ignore[no-any-return]


def parse_safetensors(data: dict[str, Any]) -> SafeTensorsInfo:
    info = SafeTensorsInfo(parameters=data.get("parameters"), total=data.get("total"))  # type: ignore[arg-type]
    return _with_extras(info, data, ("parameters", "total"))  # type: ignore[no-any-return]


# --- files ---------------------------------------------------------------------------------


@dataclass
class RepoSibling:
    """A file listed in a repo info (``siblings``); only ``rfilename`` is always set.

    ``size``, ``blob_id`` and ``lfs`` are filled when the info was asked with ``files_metadata=True``.
    """

    rfilename: str
    size: int | None = None
    blob_id: str | None = None
    lfs: BlobLfsInfo | None = None


def parse_sibling(data: dict[str, Any]) -> RepoSibling:
    lfs = data.get("lfs")
    sibling = RepoSibling(
        rfilename=data.get("rfilename"),  # type: ignore[arg-type]
        size=data.get("size"),
        blob_id=data.get("blobId"),
        lfs=_convert(parse_tree_lfs, lfs, "sibling lfs") if lfs else None,
    )
    return _with_extras(sibling, data, ("rfilename", "size", "blobId", "lfs"))  # type: ignore[no-any-return]


@dataclass(init=False)
class RepoFile(FromJson):
    """A file in a tree listing or paths-info answer.

    ``blob_id`` is the git blob id (for LFS files, the pointer's); ``size`` the real size.
    ``last_commit`` and ``security`` are filled when listed with ``expand=True``.
    """

    path: str = json_field()
    size: int = json_field()
    blob_id: str = json_field("oid")
    lfs: BlobLfsInfo | None = json_field(parse=parse_tree_lfs)
    xet_hash: str | None = json_field("xetHash")
    last_commit: LastCommitInfo | None = json_field("lastCommit", parse=parse_last_commit)
    security: BlobSecurityInfo | None = json_field("securityFileStatus", parse=parse_security)

    _aliases: ClassVar[dict[str, str]] = {"rfilename": "path", "lastCommit": "last_commit"}

    def _after_parse(self, extra: dict[str, Any]) -> None:
        extra.pop("type", None)  # what made this a file


@dataclass(init=False)
class RepoFolder(FromJson):
    """A folder in a tree listing or paths-info answer; ``tree_id`` is its git tree id."""

    path: str = json_field()
    tree_id: str = json_field("oid")
    last_commit: LastCommitInfo | None = json_field("lastCommit", parse=parse_last_commit)

    def _after_parse(self, extra: dict[str, Any]) -> None:
        extra.pop("type", None)


def parse_tree_entry(data: dict[str, Any]) -> RepoFile | RepoFolder:
    """A tree entry as a ``RepoFile`` when its type is ``file``, else as a ``RepoFolder``."""
    return RepoFile(**data) if data.get("type") == "file" else RepoFolder(**data)


# --- card metadata -------------------------------------------------------------------------
# CardData, ModelCardData, DatasetCardData and SpaceCardData are the card classes (hubkit.cards).


def _card(cls: type[CardData]) -> Callable[[Any], Any]:
    def parse(value: Any) -> Any:
        # metadata the card classes cannot parse (a broken model-index) is dropped, not fatal
        return cls(**{str(k): v for k, v in value.items()}, ignore_metadata_errors=True) if value else None

    return parse


# --- model, dataset, space, kernel ---------------------------------------------------------


@dataclass(init=False)
class InferenceProviderMapping(FromJson):
    """How one inference provider serves a model (``provider_id`` is its name there)."""

    provider: str = json_field()
    hf_model_id: str = json_field()
    provider_id: str = json_field("providerId")
    status: str = json_field()
    task: str = json_field()
    adapter: str | None = json_field()
    adapter_weights_path: str | None = json_field("adapterWeightsPath")
    type: str | None = json_field()


def _provider_mappings(model_id: Any, value: Any) -> list[InferenceProviderMapping]:
    # model_info sends an object keyed by provider, list_models a list: both become a list
    if isinstance(value, dict):
        items = [{**v, "provider": k} for k, v in value.items() if isinstance(v, dict)]
    elif isinstance(value, list):
        items = [v for v in value if isinstance(v, dict)]
    else:
        raise TypeError(f"expected an object or a list, got {type(value).__name__}")
    return [InferenceProviderMapping(**{"hf_model_id": model_id, **item}) for item in items]


@dataclass(init=False)
class SpaceRuntime:
    """A Space's runtime: ``stage`` (``RUNNING``...), current and requested hardware, sleep time.

    ``raw`` keeps the whole answer (replicas, domains...).
    """

    stage: str | None
    hardware: str | None
    requested_hardware: str | None
    sleep_time: int | None
    storage: Any
    dev_mode: bool
    hot_reloading: Any
    volumes: list[Any] | None
    raw: dict[str, Any]

    def __init__(self, data: dict[str, Any]) -> None:
        hardware = data.get("hardware")
        hardware = hardware if isinstance(hardware, dict) else {}
        self.stage = data.get("stage")
        self.hardware = hardware.get("current")
        self.requested_hardware = hardware.get("requested")
        self.sleep_time = data.get("gcTimeout")
        self.storage = data.get("storage")
        self.dev_mode = bool(data.get("devMode", False))
        self.hot_reloading = data.get("hotReloading")
        self.volumes = data.get("volumes")
        self.raw = data


_siblings = _list_of(parse_sibling)
_dates = parse_datetime  # raises on an odd value, which is then kept as sent


@dataclass(init=False)
class _RepoInfo(FromJson):
    """Fields every repo type shares."""

    id: str = json_field()
    author: str | None = json_field()
    sha: str | None = json_field()
    created_at: datetime | None = json_field("createdAt", parse=_dates)
    last_modified: datetime | None = json_field("lastModified", parse=_dates)
    private: bool | None = json_field()
    gated: Any = json_field()
    disabled: bool | None = json_field()
    likes: int | None = json_field()
    tags: list[str] | None = json_field()
    siblings: list[RepoSibling] | None = json_field(parse=_siblings)
    trending_score: int | None = json_field("trendingScore")
    used_storage: int | None = json_field("usedStorage")
    resource_group: dict[str, Any] | None = json_field("resourceGroup")

    _aliases: ClassVar[dict[str, str]] = {"lastModified": "last_modified", "cardData": "card_data"}


@dataclass(init=False)
class ModelInfo(_RepoInfo):
    """A model repo, from ``model_info`` or ``list_models``; fields not asked for are ``None``."""

    base_models: list[str] | None = json_field("baseModels")
    card_data: ModelCardData | None = json_field("cardData", parse=_card(ModelCardData))
    children_model_count: int | None = json_field("childrenModelCount")
    config: dict[str, Any] | None = json_field()
    downloads: int | None = json_field()
    downloads_all_time: int | None = json_field("downloadsAllTime")
    eval_results: list[Any] | None = json_field("evalResults")
    gguf: dict[str, Any] | None = json_field()
    inference: str | None = json_field()
    inference_provider_mapping: list[InferenceProviderMapping] | None = json_field("inferenceProviderMapping")
    library_name: str | None = json_field()
    mask_token: str | None = json_field()
    model_index: Any = json_field("model-index")
    pipeline_tag: str | None = json_field()
    safetensors: SafeTensorsInfo | None = json_field(parse=parse_safetensors)
    security_repo_status: dict[str, Any] | None = json_field("securityRepoStatus")
    spaces: list[str] | None = json_field()
    transformers_info: TransformersInfo | None = json_field("transformersInfo", parse=parse_transformers_info)
    widget_data: Any = json_field("widgetData")

    _aliases: ClassVar[dict[str, str]] = {**_RepoInfo._aliases, "transformersInfo": "transformers_info"}

    def _after_parse(self, extra: dict[str, Any]) -> None:
        if self.inference_provider_mapping is not None:
            self.inference_provider_mapping = _convert(
                lambda v: _provider_mappings(self.id, v), self.inference_provider_mapping, "inferenceProviderMapping"
            )


@dataclass(init=False)
class DatasetInfo(_RepoInfo):
    """A dataset repo, from ``dataset_info`` or ``list_datasets``."""

    card_data: DatasetCardData | None = json_field("cardData", parse=_card(DatasetCardData))
    citation: str | None = json_field()
    description: str | None = json_field()
    downloads: int | None = json_field()
    downloads_all_time: int | None = json_field("downloadsAllTime")
    main_size: int | None = json_field("mainSize")
    paperswithcode_id: str | None = json_field()


def _runtime(value: Any) -> SpaceRuntime:
    if not isinstance(value, dict):
        raise TypeError("runtime is not an object")
    return SpaceRuntime(value)


@dataclass(init=False)
class SpaceInfo(_RepoInfo):
    """A Space repo, from ``space_info`` or ``list_spaces``."""

    card_data: SpaceCardData | None = json_field("cardData", parse=_card(SpaceCardData))
    datasets: list[str] | None = json_field()
    host: str | None = json_field()
    models: list[str] | None = json_field()
    region: str | None = json_field()
    runtime: SpaceRuntime | None = json_field(parse=_runtime)
    sdk: str | None = json_field()
    subdomain: str | None = json_field()


@dataclass(init=False)
class KernelInfo(FromJson):
    """A kernel repo (``repo_info(repo_type="kernel")``)."""

    id: str = json_field()
    author: str | None = json_field()
    downloads: int | None = json_field()
    gated: Any = json_field()
    last_modified: datetime | None = json_field("lastModified", parse=_dates)
    likes: int | None = json_field()
    private: bool | None = json_field()
    sha: str | None = json_field()
