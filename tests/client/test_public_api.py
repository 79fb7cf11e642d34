"""The public surface: lazy imports, exported names, and signatures identical to huggingface_hub's."""

from __future__ import annotations

import dataclasses
import inspect
import subprocess
import sys

import huggingface_hub
import pytest

import hubkit


def test_import_is_lazy() -> None:
    code = "import sys, hubkit; print('httpx' in sys.modules, 'hubkit.download' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_exported_names() -> None:
    assert sorted(hubkit.__all__) == sorted(["__version__", *hubkit._LAZY])
    for name in hubkit.__all__:
        assert getattr(hubkit, name) is not None
    with pytest.raises(AttributeError):
        hubkit.not_a_name  # noqa: B018


@pytest.mark.parametrize("name", sorted(hubkit._LAZY))
def test_names_exist_in_huggingface_hub(name: str) -> None:
    import huggingface_hub.errors
    import huggingface_hub.file_download

    homes = (huggingface_hub, huggingface_hub.utils, huggingface_hub.errors, huggingface_hub.file_download)
    assert any(hasattr(home, name) for home in homes)


SAME_SIGNATURE = [
    "hf_hub_download",
    "snapshot_download",
    "hf_hub_url",
    "get_hf_file_metadata",
    "try_to_load_from_cache",
    "scan_cache_dir",
]


@pytest.mark.parametrize("name", SAME_SIGNATURE)
def test_signatures_match(name: str) -> None:
    ours = inspect.signature(getattr(hubkit, name)).parameters
    theirs = inspect.signature(getattr(huggingface_hub, name)).parameters
    assert list(ours) == list(theirs)
    for param in ours:
        assert ours[param].kind == theirs[param].kind, param
        if param != "timeout":  # read from the environment at call time here, at import time there
            assert ours[param].default == theirs[param].default, param


@pytest.mark.parametrize(
    "name",
    ["HFCacheInfo", "CachedRepoInfo", "CachedRevisionInfo", "CachedFileInfo", "DeleteCacheStrategy", "DryRunFileInfo"],
)
def test_dataclass_fields_match(name: str) -> None:
    ours = [f.name for f in dataclasses.fields(getattr(hubkit, name))]
    theirs = [f.name for f in dataclasses.fields(getattr(huggingface_hub, name))]
    assert ours == theirs
