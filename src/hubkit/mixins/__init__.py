"""Hub integration for model classes: ``ModelHubMixin`` and ``PyTorchModelHubMixin``."""

from __future__ import annotations

from .hub import ModelHubMixin
from .pytorch import PyTorchModelHubMixin

__all__ = ["ModelHubMixin", "PyTorchModelHubMixin"]
