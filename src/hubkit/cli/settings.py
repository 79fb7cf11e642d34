"""Server settings from command-line options, falling back to HUBKIT_* variables."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..server.settings import Settings


def settings_from_args(args: argparse.Namespace, public_url: str = "http://localhost") -> Settings:
    from ..server.settings import Settings, default_data_dir

    data_dir = Path(args.data_dir).expanduser() if args.data_dir else default_data_dir()
    data_dir.mkdir(parents=True, exist_ok=True)
    return Settings(
        data_dir=data_dir.resolve(),
        public_url=public_url,
        database_url=args.database_url or os.environ.get("HUBKIT_DATABASE_URL", ""),
        storage_url=args.storage_url or os.environ.get("HUBKIT_STORAGE_URL", ""),
        accel_redirect=(getattr(args, "accel_redirect", None) or os.environ.get("HUBKIT_ACCEL_REDIRECT", "")).rstrip(
            "/"
        ),
        inference=bool(getattr(args, "inference", False)),
        inference_memory_mb=getattr(args, "inference_memory_mb", None) or 4096,
        inference_workers=getattr(args, "inference_workers", None) or 2,
    )
