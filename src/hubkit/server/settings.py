"""Server settings, from the command line and ``HUBKIT_*`` environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

MB = 1000 * 1000
MiB = 1024 * 1024


def default_data_dir() -> Path:
    """``$HUBKIT_DATA_DIR``, else the per-user data folder (XDG)."""
    env = os.environ.get("HUBKIT_DATA_DIR")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "hubkit"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    public_url: str  # absolute base URL clients use as HF_ENDPOINT, without trailing "/"
    database_url: str = ""
    storage_url: str = ""  # "" = the local folder <data_dir>/objects; "s3://bucket/prefix" for S3
    # Files above this size, or binary, or matching an LFS rule of .gitattributes go to LFS.
    regular_file_max: int = 10 * MB
    # LFS uploads above this size use the multipart transfer with parts of lfs_chunk_size.
    lfs_multipart_threshold: int = 64 * MiB
    lfs_chunk_size: int = 16 * MiB
    # Lifetime of the signed upload/download URLs handed out by the LFS batch endpoint.
    signed_url_ttl: int = 24 * 3600
    # Behind nginx: answer GETs of large files with "X-Accel-Redirect: <prefix>/<object path>"
    # and let nginx send the bytes (sendfile) from an internal location aliasing the objects.
    accel_redirect: str = ""
    # Run the hub's own models (hubkit[inference]): memory budget of loaded models, worker threads.
    inference: bool = False
    inference_memory_mb: int = 4096
    inference_workers: int = 2

    def __post_init__(self) -> None:
        object.__setattr__(self, "public_url", self.public_url.rstrip("/"))
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite:///{self.data_dir / 'hub.db'}")

    @property
    def path_prefix(self) -> str:
        """The path part of the public URL ('' or e.g. '/hub'): routes are served under it."""
        return urlsplit(self.public_url).path.rstrip("/")

    @property
    def objects_dir(self) -> Path:
        return self.data_dir / "objects"

    @classmethod
    def from_env(cls) -> Settings:
        data_dir = default_data_dir()
        url = os.environ.get("HUBKIT_PUBLIC_URL", "http://127.0.0.1:8000")
        return cls(
            data_dir=data_dir,
            public_url=url,
            database_url=os.environ.get("HUBKIT_DATABASE_URL", ""),
            storage_url=os.environ.get("HUBKIT_STORAGE_URL", ""),
            accel_redirect=os.environ.get("HUBKIT_ACCEL_REDIRECT", ""),
            inference=os.environ.get("HUBKIT_INFERENCE", "") == "1",
            inference_memory_mb=int(os.environ.get("HUBKIT_INFERENCE_MEMORY_MB") or 4096),
            inference_workers=int(os.environ.get("HUBKIT_INFERENCE_WORKERS") or 2),
        )
