"""The ASGI application factory."""

from __future__ import annotations

import os

from .http import HubApp
from .hub import Hub
from .routes import all_routes
from .settings import Settings


def create_app(settings: Settings) -> HubApp:
    return HubApp(Hub(settings), all_routes())


def create_app_from_env() -> HubApp:
    """Factory for ``uvicorn --factory`` (several worker processes): settings from HUBKIT_*."""
    settings = Settings.from_env()
    if "HUBKIT_PUBLIC_URL" not in os.environ:
        raise RuntimeError("HUBKIT_PUBLIC_URL must be set")
    return create_app(settings)
