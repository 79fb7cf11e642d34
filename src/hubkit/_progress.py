"""Progress bars: tqdm (or the caller's ``tqdm_class``), or nothing at all.

``HF_HUB_DISABLE_PROGRESS_BARS=1`` turns the default bars off, ``0`` forces them on; unset,
tqdm shows them only on a terminal. A ``tqdm_class`` given by the caller is always used and
receives ``unit``, ``unit_scale``, ``total``, ``initial`` and ``desc``, as with huggingface_hub.
"""

from __future__ import annotations

import threading
from typing import Any

from . import constants

__all__ = ["Progress"]


class Progress:
    """A thread-safe wrapper over one bar (``None`` for a silent one)."""

    def __init__(self, bar: Any = None) -> None:
        self._bar = bar
        self._lock = threading.Lock()

    @classmethod
    def silent(cls) -> Progress:
        return cls(None)

    @classmethod
    def create(cls, tqdm_class: Any, **kwargs: Any) -> Progress:
        if tqdm_class is not None:
            return cls(tqdm_class(**kwargs))
        disabled = constants.HF_HUB_DISABLE_PROGRESS_BARS
        if disabled is True:
            return cls(None)
        from tqdm.auto import tqdm

        return cls(tqdm(disable=None if disabled is None else False, **kwargs))

    @classmethod
    def for_file(cls, tqdm_class: Any, name: str, total: int | None, initial: int = 0) -> Progress:
        desc = name if len(name) <= 40 else f"(…){name[-40:]}"
        return cls.create(tqdm_class, unit="B", unit_scale=True, total=total, initial=initial, desc=desc)

    def update(self, n: int) -> None:
        if self._bar is not None and n:
            with self._lock:
                self._bar.update(n)

    def close(self) -> None:
        if self._bar is not None:
            close = getattr(self._bar, "close", None)
            if callable(close):
                close()
