"""Target of hubkit's ``fsspec.specs`` entry point for ``hf`` (see ``hubkit.fs`` for the decision).

fsspec imports ``HfFileSystem`` from here when ``hf://`` is first used. It is huggingface_hub's
class when huggingface_hub can be imported, else hubkit's: the ``hf`` protocol then means the
same thing whichever of the two entry points fsspec happened to register.
"""

from __future__ import annotations

try:
    from huggingface_hub import HfFileSystem
except ImportError:
    from . import HfFileSystem

__all__ = ["HfFileSystem"]
