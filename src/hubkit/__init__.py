"""hubkit: the Hugging Face Hub protocol in Python, client and self-hostable server.

The client API mirrors ``huggingface_hub``: ``from hubkit import hf_hub_download`` works like
``from huggingface_hub import hf_hub_download``. Names are imported on first use (module
``__getattr__``), so ``import hubkit`` stays fast and does not load httpx.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_LAZY: dict[str, str] = {
    "hf_hub_download": "hubkit.download",
    "HfFileSystem": "hubkit.fs",
    "HfFileSystemFile": "hubkit.fs",
    "HfFileSystemResolvedPath": "hubkit.fs",
    "HfFileSystemStreamFile": "hubkit.fs",
    "hf_hub_url": "hubkit.download",
    "get_hf_file_metadata": "hubkit.download",
    "HfFileMetadata": "hubkit.download",
    "DryRunFileInfo": "hubkit.download",
    "snapshot_download": "hubkit.snapshot",
    "try_to_load_from_cache": "hubkit.cache.layout",
    "_CACHED_NO_EXIST": "hubkit.cache.layout",
    "are_symlinks_supported": "hubkit.cache.layout",
    "scan_cache_dir": "hubkit.cache.scan",
    "HFCacheInfo": "hubkit.cache.scan",
    "CachedRepoInfo": "hubkit.cache.scan",
    "CachedRevisionInfo": "hubkit.cache.scan",
    "CachedFileInfo": "hubkit.cache.scan",
    "CachedIncompleteFileInfo": "hubkit.cache.scan",
    "DeleteCacheStrategy": "hubkit.cache.scan",
    "get_token": "hubkit._auth",
    "build_hf_headers": "hubkit._http",
    "get_session": "hubkit._http",
    "set_client_factory": "hubkit._http",
    "close_session": "hubkit._http",
    "hf_raise_for_status": "hubkit._http",
    "is_offline_mode": "hubkit.constants",
    "CacheNotFound": "hubkit.errors",
    "CorruptedCacheException": "hubkit.errors",
    "EntryNotFoundError": "hubkit.errors",
    "GatedRepoError": "hubkit.errors",
    "HfHubHTTPError": "hubkit.errors",
    "LocalEntryNotFoundError": "hubkit.errors",
    "OfflineModeIsEnabled": "hubkit.errors",
    "RemoteEntryNotFoundError": "hubkit.errors",
    "RepositoryNotFoundError": "hubkit.errors",
    "RevisionNotFoundError": "hubkit.errors",
    "HfApi": "hubkit.api",
    "ModelInfo": "hubkit.api.types",
    "DatasetInfo": "hubkit.api.types",
    "SpaceInfo": "hubkit.api.types",
    "KernelInfo": "hubkit.api.types",
    "RepoFile": "hubkit.api.types",
    "RepoFolder": "hubkit.api.types",
    "SpaceRuntime": "hubkit.api.types",
    "CardData": "hubkit.api.types",
    "ModelCardData": "hubkit.api.types",
    "DatasetCardData": "hubkit.api.types",
    "SpaceCardData": "hubkit.api.types",
    "GitRefs": "hubkit.api.types_refs",
    "GitRefInfo": "hubkit.api.types_refs",
    "GitCommitInfo": "hubkit.api.types_refs",
    "User": "hubkit.api.types_refs",
    "Organization": "hubkit.api.types_refs",
    "UserLikes": "hubkit.api.types_refs",
    "SpaceVariable": "hubkit.api.types_refs",
    "SpaceSecret": "hubkit.api.types_refs",
    "DuplicatedRepoUrl": "hubkit.api.types_refs",
    "login": "hubkit.auth",
    "logout": "hubkit.auth",
    "interpreter_login": "hubkit.auth",
    "notebook_login": "hubkit.auth",
    "auth_list": "hubkit.auth",
    "auth_switch": "hubkit.auth",
    "get_stored_tokens": "hubkit.auth",
    "list_credential_helpers": "hubkit.auth",
    "set_git_credential": "hubkit.auth",
    "unset_git_credential": "hubkit.auth",
    "Discussion": "hubkit.community",
    "DiscussionWithDetails": "hubkit.community",
    "DiscussionEvent": "hubkit.community",
    "DiscussionComment": "hubkit.community",
    "DiscussionStatusChange": "hubkit.community",
    "DiscussionCommit": "hubkit.community",
    "DiscussionTitleChange": "hubkit.community",
    "RepoUrl": "hubkit.api.urls",
    "CommitOperation": "hubkit.commit.operations",
    "CommitOperationAdd": "hubkit.commit.operations",
    "CommitOperationCopy": "hubkit.commit.operations",
    "CommitOperationDelete": "hubkit.commit.operations",
    "CommitInfo": "hubkit.commit.info",
    "CommitScheduler": "hubkit.commit.scheduler",
    "RepoCard": "hubkit.cards",
    "ModelCard": "hubkit.cards",
    "DatasetCard": "hubkit.cards",
    "SpaceCard": "hubkit.cards",
    "EvalResult": "hubkit.cards",
    "metadata_load": "hubkit.cards",
    "metadata_save": "hubkit.cards",
    "metadata_update": "hubkit.cards",
    "metadata_eval_result": "hubkit.cards",
    "TensorInfo": "hubkit.safetensors",
    "SafetensorsFileMetadata": "hubkit.safetensors",
    "SafetensorsRepoMetadata": "hubkit.safetensors",
    "get_local_safetensors_metadata": "hubkit.safetensors",
    "parse_local_safetensors_file_metadata": "hubkit.safetensors",
    "NotASafetensorsRepoError": "hubkit.errors",
    "SafetensorsParsingError": "hubkit.errors",
    "StateDictSplit": "hubkit.serialization",
    "split_state_dict_into_shards_factory": "hubkit.serialization",
    "split_torch_state_dict_into_shards": "hubkit.serialization",
    "save_torch_state_dict": "hubkit.serialization",
    "save_torch_model": "hubkit.serialization",
    "load_torch_model": "hubkit.serialization",
    "load_state_dict_from_file": "hubkit.serialization",
    "get_torch_storage_id": "hubkit.serialization",
    "get_torch_storage_size": "hubkit.serialization",
    "DDUFEntry": "hubkit.serialization",
    "export_entries_as_dduf": "hubkit.serialization",
    "export_folder_as_dduf": "hubkit.serialization",
    "read_dduf_file": "hubkit.serialization",
    "ModelHubMixin": "hubkit.mixins",
    "PyTorchModelHubMixin": "hubkit.mixins",
}

__all__ = [
    "_CACHED_NO_EXIST",
    "CacheNotFound",
    "CachedFileInfo",
    "CachedIncompleteFileInfo",
    "CachedRepoInfo",
    "CachedRevisionInfo",
    "CardData",
    "CommitInfo",
    "CommitOperation",
    "CommitOperationAdd",
    "CommitOperationCopy",
    "CommitOperationDelete",
    "CommitScheduler",
    "CorruptedCacheException",
    "DDUFEntry",
    "DatasetCard",
    "DatasetCardData",
    "DatasetInfo",
    "DeleteCacheStrategy",
    "Discussion",
    "DiscussionComment",
    "DiscussionCommit",
    "DiscussionEvent",
    "DiscussionStatusChange",
    "DiscussionTitleChange",
    "DiscussionWithDetails",
    "DryRunFileInfo",
    "DuplicatedRepoUrl",
    "EntryNotFoundError",
    "EvalResult",
    "GatedRepoError",
    "GitCommitInfo",
    "GitRefInfo",
    "GitRefs",
    "HFCacheInfo",
    "HfApi",
    "HfFileMetadata",
    "HfFileSystem",
    "HfFileSystemFile",
    "HfFileSystemResolvedPath",
    "HfFileSystemStreamFile",
    "HfHubHTTPError",
    "KernelInfo",
    "LocalEntryNotFoundError",
    "ModelCard",
    "ModelCardData",
    "ModelHubMixin",
    "ModelInfo",
    "NotASafetensorsRepoError",
    "OfflineModeIsEnabled",
    "Organization",
    "PyTorchModelHubMixin",
    "RemoteEntryNotFoundError",
    "RepoCard",
    "RepoFile",
    "RepoFolder",
    "RepoUrl",
    "RepositoryNotFoundError",
    "RevisionNotFoundError",
    "SafetensorsFileMetadata",
    "SafetensorsParsingError",
    "SafetensorsRepoMetadata",
    "SpaceCard",
    "SpaceCardData",
    "SpaceInfo",
    "SpaceRuntime",
    "SpaceSecret",
    "SpaceVariable",
    "StateDictSplit",
    "TensorInfo",
    "User",
    "UserLikes",
    "__version__",
    "are_symlinks_supported",
    "auth_list",
    "auth_switch",
    "build_hf_headers",
    "close_session",
    "export_entries_as_dduf",
    "export_folder_as_dduf",
    "get_hf_file_metadata",
    "get_local_safetensors_metadata",
    "get_session",
    "get_stored_tokens",
    "get_token",
    "get_torch_storage_id",
    "get_torch_storage_size",
    "hf_hub_download",
    "hf_hub_url",
    "hf_raise_for_status",
    "interpreter_login",
    "is_offline_mode",
    "list_credential_helpers",
    "load_state_dict_from_file",
    "load_torch_model",
    "login",
    "logout",
    "metadata_eval_result",
    "metadata_load",
    "metadata_save",
    "metadata_update",
    "notebook_login",
    "parse_local_safetensors_file_metadata",
    "read_dduf_file",
    "save_torch_model",
    "save_torch_state_dict",
    "scan_cache_dir",
    "set_client_factory",
    "set_git_credential",
    "snapshot_download",
    "split_state_dict_into_shards_factory",
    "split_torch_state_dict_into_shards",
    "try_to_load_from_cache",
    "unset_git_credential",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module), name)
    elif not name.startswith("_") and not _is_submodule(name) and name in _api_functions():
        # HfApi methods as module functions (``create_repo``, ``upload_file``...), like huggingface_hub
        value = getattr(_default_api(), name)
    else:
        raise AttributeError(f"module 'hubkit' has no attribute {name!r}")
    globals()[name] = value  # later lookups skip __getattr__
    return value


def _is_submodule(name: str) -> bool:
    # ``from . import constants`` asks this __getattr__ first: submodules must stay imports
    return importlib.util.find_spec(f"hubkit.{name}") is not None


def _api_functions() -> frozenset[str]:
    return importlib.import_module("hubkit.api").API_FUNCTIONS  # type: ignore[no-any-return]


def _default_api() -> Any:
    api = globals().get("_api")
    if api is None:
        api = globals()["_api"] = importlib.import_module("hubkit.api").HfApi()
    return api


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


if TYPE_CHECKING:  # static view of the lazy names, for type checkers and IDEs
    from ._auth import get_token
    from ._http import build_hf_headers, close_session, get_session, hf_raise_for_status, set_client_factory
    from .api import HfApi
    from .api.types import (
        CardData,
        DatasetCardData,
        DatasetInfo,
        KernelInfo,
        ModelCardData,
        ModelInfo,
        RepoFile,
        RepoFolder,
        SpaceCardData,
        SpaceInfo,
        SpaceRuntime,
    )
    from .api.types_refs import (
        DuplicatedRepoUrl,
        GitCommitInfo,
        GitRefInfo,
        GitRefs,
        Organization,
        SpaceSecret,
        SpaceVariable,
        User,
        UserLikes,
    )
    from .api.urls import RepoUrl
    from .auth import (
        auth_list,
        auth_switch,
        get_stored_tokens,
        interpreter_login,
        list_credential_helpers,
        login,
        logout,
        notebook_login,
        set_git_credential,
        unset_git_credential,
    )
    from .cache.layout import _CACHED_NO_EXIST, are_symlinks_supported, try_to_load_from_cache
    from .cache.scan import (
        CachedFileInfo,
        CachedIncompleteFileInfo,
        CachedRepoInfo,
        CachedRevisionInfo,
        DeleteCacheStrategy,
        HFCacheInfo,
        scan_cache_dir,
    )
    from .cards import (
        DatasetCard,
        EvalResult,
        ModelCard,
        RepoCard,
        SpaceCard,
        metadata_eval_result,
        metadata_load,
        metadata_save,
        metadata_update,
    )
    from .commit.info import CommitInfo
    from .commit.operations import CommitOperation, CommitOperationAdd, CommitOperationCopy, CommitOperationDelete
    from .commit.scheduler import CommitScheduler
    from .community import (
        Discussion,
        DiscussionComment,
        DiscussionCommit,
        DiscussionEvent,
        DiscussionStatusChange,
        DiscussionTitleChange,
        DiscussionWithDetails,
    )
    from .constants import is_offline_mode
    from .download import DryRunFileInfo, HfFileMetadata, get_hf_file_metadata, hf_hub_download, hf_hub_url
    from .errors import (
        CacheNotFound,
        CorruptedCacheException,
        EntryNotFoundError,
        GatedRepoError,
        HfHubHTTPError,
        LocalEntryNotFoundError,
        NotASafetensorsRepoError,
        OfflineModeIsEnabled,
        RemoteEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
        SafetensorsParsingError,
    )
    from .fs import HfFileSystem, HfFileSystemFile, HfFileSystemResolvedPath, HfFileSystemStreamFile
    from .mixins import ModelHubMixin, PyTorchModelHubMixin
    from .safetensors import (
        SafetensorsFileMetadata,
        SafetensorsRepoMetadata,
        TensorInfo,
        get_local_safetensors_metadata,
        parse_local_safetensors_file_metadata,
    )
    from .serialization import (
        DDUFEntry,
        StateDictSplit,
        export_entries_as_dduf,
        export_folder_as_dduf,
        get_torch_storage_id,
        get_torch_storage_size,
        load_state_dict_from_file,
        load_torch_model,
        read_dduf_file,
        save_torch_model,
        save_torch_state_dict,
        split_state_dict_into_shards_factory,
        split_torch_state_dict_into_shards,
    )
    from .snapshot import snapshot_download
