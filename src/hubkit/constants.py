"""Names, defaults and environment variables shared by the client.

Fixed values are plain module attributes. Values that come from the environment are computed
*when they are read*: ``constants.HF_HUB_CACHE`` looks at ``HF_HUB_CACHE``, ``HF_HOME`` and
``XDG_CACHE_HOME`` on every access (module ``__getattr__``), so a test or a long-lived process
can change the environment and be obeyed. Read them through the module (``constants.X``), never
with ``from hubkit.constants import X``, which would freeze the value.

The variable names and their meaning are those of ``huggingface_hub`` (hub-protocol.md §15);
booleans are true when their upper-cased value is ``1``, ``ON``, ``YES`` or ``TRUE``.
"""

from __future__ import annotations

import os
import re
from typing import Any

__all__ = [
    "CACHEDIR_TAG_CONTENT",
    "DEFAULT_DOWNLOAD_TIMEOUT",
    "DEFAULT_ETAG_TIMEOUT",
    "DEFAULT_REQUEST_TIMEOUT",
    "DEFAULT_REVISION",
    "DOWNLOAD_CHUNK_SIZE",
    "HUGGINGFACE_HEADER_X_LINKED_ETAG",
    "HUGGINGFACE_HEADER_X_LINKED_SIZE",
    "HUGGINGFACE_HEADER_X_REPO_COMMIT",
    "REPO_ID_SEPARATOR",
    "REPO_TYPES",
    "REPO_TYPES_MAPPING",
    "REPO_TYPES_URL_PREFIXES",
    "REPO_TYPES_WITH_KERNEL",
    "is_offline_mode",
]

ENV_VARS_TRUE_VALUES = frozenset({"1", "ON", "YES", "TRUE"})

DEFAULT_REVISION = "main"
DEFAULT_ETAG_TIMEOUT = 10
DEFAULT_DOWNLOAD_TIMEOUT = 10
DEFAULT_REQUEST_TIMEOUT = 10
DOWNLOAD_CHUNK_SIZE = 10 * 1024 * 1024

REPO_ID_SEPARATOR = "--"
REPO_TYPE_MODEL = "model"
REPO_TYPE_DATASET = "dataset"
REPO_TYPE_SPACE = "space"
REPO_TYPE_KERNEL = "kernel"
REPO_TYPES: list[str | None] = [None, REPO_TYPE_MODEL, REPO_TYPE_DATASET, REPO_TYPE_SPACE]
REPO_TYPES_WITH_KERNEL: list[str | None] = [*REPO_TYPES, REPO_TYPE_KERNEL]
REPO_TYPES_URL_PREFIXES = {
    REPO_TYPE_DATASET: "datasets/",
    REPO_TYPE_SPACE: "spaces/",
    REPO_TYPE_KERNEL: "kernels/",
}
REPO_TYPES_MAPPING = {
    "models": REPO_TYPE_MODEL,
    "datasets": REPO_TYPE_DATASET,
    "spaces": REPO_TYPE_SPACE,
    "kernels": REPO_TYPE_KERNEL,
}

# File names the Hub and the libraries agree on (cards, configs, weights)
REPOCARD_NAME = "README.md"
CONFIG_NAME = "config.json"
PYTORCH_WEIGHTS_NAME = "pytorch_model.bin"
PYTORCH_WEIGHTS_FILE_PATTERN = "pytorch_model{suffix}.bin"  # pickle: prefer safetensors
SAFETENSORS_WEIGHTS_FILE_PATTERN = "model{suffix}.safetensors"
SAFETENSORS_SINGLE_FILE = "model.safetensors"
SAFETENSORS_INDEX_FILE = "model.safetensors.index.json"
SAFETENSORS_MAX_HEADER_LENGTH = 25_000_000

HUGGINGFACE_HEADER_X_REPO_COMMIT = "X-Repo-Commit"
HUGGINGFACE_HEADER_X_LINKED_ETAG = "X-Linked-Etag"
HUGGINGFACE_HEADER_X_LINKED_SIZE = "X-Linked-Size"
X_HF_DOWNLOAD_COUNTER = "X-HF-Download-Counter"

REGEX_COMMIT_HASH = re.compile(r"[0-9a-f]{40}")
REGEX_SHA256 = re.compile(r"[0-9a-f]{64}")

_HF_DEFAULT_ENDPOINT = "https://huggingface.co"
_HF_DEFAULT_STAGING_ENDPOINT = "https://hub-ci.huggingface.co"

# Written verbatim by huggingface_hub; byte-identical so either library recognises the other's tag.
CACHEDIR_TAG_CONTENT = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by huggingface_hub.\n"
    "# For information about cache directory tags, see:\n"
    "#\thttps://bford.info/cachedir/\n"
)

# hubkit's own knobs (not part of huggingface_hub): parallel ranged downloads and locking.
PARALLEL_DOWNLOAD_THRESHOLD = 64 * 1024 * 1024
PARALLEL_DOWNLOAD_CHUNK = 16 * 1024 * 1024
PARALLEL_DOWNLOAD_WORKERS = 4


def _is_true(value: str | None) -> bool:
    return value is not None and value.upper() in ENV_VARS_TRUE_VALUES


def _env_bool(name: str) -> bool:
    return _is_true(os.environ.get(name))


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        return default


def _expand(path: str) -> str:
    return os.path.expandvars(os.path.expanduser(path))


def _staging() -> bool:
    return _env_bool("HUGGINGFACE_CO_STAGING")


def _hf_home() -> str:
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return _expand(os.environ.get("HF_HOME") or os.path.join(xdg, "huggingface"))


def _hub_cache() -> str:
    if _staging():
        return os.path.join(os.path.expanduser("~"), ".cache", "huggingface_staging", "hub")
    legacy = os.environ.get("HUGGINGFACE_HUB_CACHE") or os.path.join(_hf_home(), "hub")
    return _expand(os.environ.get("HF_HUB_CACHE") or legacy)


def _assets_cache() -> str:
    legacy = os.environ.get("HUGGINGFACE_ASSETS_CACHE") or os.path.join(_hf_home(), "assets")
    return _expand(os.environ.get("HF_ASSETS_CACHE") or legacy)


def _endpoint() -> str:
    if _staging():
        return _HF_DEFAULT_STAGING_ENDPOINT
    return (os.environ.get("HF_ENDPOINT") or _HF_DEFAULT_ENDPOINT).rstrip("/")


def _token_path() -> str:
    if _staging():
        return os.path.join(os.path.expanduser("~"), ".cache", "huggingface_staging", "token")
    return _expand(os.environ.get("HF_TOKEN_PATH") or os.path.join(_hf_home(), "token"))


def _offline() -> bool:
    # TRANSFORMERS_OFFLINE counts only when HF_HUB_OFFLINE is unset or empty (as in huggingface_hub).
    return _is_true(os.environ.get("HF_HUB_OFFLINE") or os.environ.get("TRANSFORMERS_OFFLINE"))


def _progress_bars_disabled() -> bool | None:
    value = os.environ.get("HF_HUB_DISABLE_PROGRESS_BARS")
    return None if value is None else _is_true(value)


def _telemetry_disabled() -> bool:
    return any(_env_bool(name) for name in ("HF_HUB_DISABLE_TELEMETRY", "DISABLE_TELEMETRY", "DO_NOT_TRACK"))


_DYNAMIC: dict[str, Any] = {
    "ENDPOINT": _endpoint,
    "HF_HOME": _hf_home,
    "HF_HUB_CACHE": _hub_cache,
    "HUGGINGFACE_HUB_CACHE": _hub_cache,
    "HF_ASSETS_CACHE": _assets_cache,
    "HF_TOKEN_PATH": _token_path,
    "HF_STORED_TOKENS_PATH": lambda: os.path.join(os.path.dirname(_token_path()), "stored_tokens"),
    "HF_XET_CACHE": lambda: _expand(os.environ.get("HF_XET_CACHE") or os.path.join(_hf_home(), "xet")),
    "HF_HUB_OFFLINE": _offline,
    "HF_HUB_DISABLE_SYMLINKS": lambda: _env_bool("HF_HUB_DISABLE_SYMLINKS"),
    "HF_HUB_DISABLE_SYMLINKS_WARNING": lambda: _env_bool("HF_HUB_DISABLE_SYMLINKS_WARNING"),
    "HF_HUB_DISABLE_PROGRESS_BARS": _progress_bars_disabled,
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": lambda: _env_bool("HF_HUB_DISABLE_IMPLICIT_TOKEN"),
    "HF_HUB_DISABLE_TELEMETRY": _telemetry_disabled,
    "HF_HUB_DISABLE_XET": lambda: _env_bool("HF_HUB_DISABLE_XET"),
    "HF_HUB_ETAG_TIMEOUT": lambda: _env_int("HF_HUB_ETAG_TIMEOUT", DEFAULT_ETAG_TIMEOUT) or DEFAULT_ETAG_TIMEOUT,
    "HF_HUB_DOWNLOAD_TIMEOUT": lambda: (
        _env_int("HF_HUB_DOWNLOAD_TIMEOUT", DEFAULT_DOWNLOAD_TIMEOUT) or DEFAULT_DOWNLOAD_TIMEOUT
    ),
    "HF_HUB_USER_AGENT_ORIGIN": lambda: os.environ.get("HF_HUB_USER_AGENT_ORIGIN"),
    "HF_DEBUG": lambda: _env_bool("HF_DEBUG"),
    # hubkit only: run without inter-process file locks (correctness never depends on them).
    "HUBKIT_DISABLE_FILE_LOCKS": lambda: _env_bool("HUBKIT_DISABLE_FILE_LOCKS"),
    "HUBKIT_PARALLEL_THRESHOLD": lambda: _env_int("HUBKIT_PARALLEL_THRESHOLD", PARALLEL_DOWNLOAD_THRESHOLD),
    "HUBKIT_PARALLEL_CHUNK": lambda: max(1, _env_int("HUBKIT_PARALLEL_CHUNK", PARALLEL_DOWNLOAD_CHUNK)),
    "HUBKIT_PARALLEL_WORKERS": lambda: max(1, _env_int("HUBKIT_PARALLEL_WORKERS", PARALLEL_DOWNLOAD_WORKERS)),
}


def __getattr__(name: str) -> Any:
    getter = _DYNAMIC.get(name)
    if getter is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getter()


def __dir__() -> list[str]:
    return sorted([*globals(), *_DYNAMIC])


def is_offline_mode() -> bool:
    """Whether ``HF_HUB_OFFLINE`` (or ``TRANSFORMERS_OFFLINE``) forbids every request, read now."""
    return _offline()
