"""``hf://``: the repos of a Hub as an fsspec filesystem (``HfFileSystem``).

Who answers ``hf://`` in ``fsspec.open``, pandas, pyarrow...: both hubkit and huggingface_hub
declare the ``hf`` protocol (``fsspec.specs`` entry point), and fsspec keeps whichever entry point
it meets first, which depends on the installation. hubkit's entry point therefore names
``hubkit.fs._entrypoint.HfFileSystem``, which is huggingface_hub's ``HfFileSystem`` when
huggingface_hub is importable and hubkit's otherwise: either way, installing hubkit next to
huggingface_hub never changes what ``hf://`` means to existing code (``hf://buckets/...`` keeps
working, say). Use hubkit's class by passing an instance (``filesystem=fs``,
``fsspec.open(..., fs=...)``), or make it the ``hf`` protocol of the process with
``register_hf_protocol()``.
"""

from __future__ import annotations

from typing import Any

from .file import HfFileSystemFile, HfFileSystemStreamFile
from .filesystem import HfFileSystem
from .paths import HfFileSystemResolvedPath

__all__ = [
    "HfFileSystem",
    "HfFileSystemFile",
    "HfFileSystemResolvedPath",
    "HfFileSystemStreamFile",
    "hffs",
    "register_hf_protocol",
]


def register_hf_protocol() -> None:
    """Make ``hf://`` open hubkit's ``HfFileSystem`` in this process, whatever else is installed.

    Affects fsspec's registry only (``fsspec.filesystem("hf")``, ``fsspec.open("hf://...")``,
    pandas and pyarrow through fsspec); filesystem instances made before keep their class.
    """
    import fsspec

    fsspec.register_implementation("hf", HfFileSystem, clobber=True)


def __getattr__(name: str) -> Any:
    if name == "hffs":  # a default instance, like huggingface_hub's; made on first use, not at import
        value = globals()["hffs"] = HfFileSystem()
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
