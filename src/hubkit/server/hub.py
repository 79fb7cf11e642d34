"""The hub's shared resources: settings, database, object store."""

from __future__ import annotations

import functools
import secrets
from collections import Counter
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .db.engine import Database
from .db.models import ServerSetting
from .settings import Settings
from .storage.gitstore import GitStore
from .storage.objects import LocalObjectStore, ObjectStore

if TYPE_CHECKING:
    from .inference.engine import Engine
    from .services.fastpath import Reader
    from .storage.s3 import S3ObjectStore


def make_store(settings: Settings) -> ObjectStore:
    if settings.storage_url:
        from .storage.s3 import S3ObjectStore

        return S3ObjectStore(settings.storage_url, settings.data_dir / "tmp")
    return LocalObjectStore(settings.objects_dir)


class Hub:
    def __init__(self, settings: Settings, store: ObjectStore | None = None) -> None:
        self.settings = settings
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.db = Database(settings.database_url)
        self.store: ObjectStore = store or make_store(settings)
        self.git = GitStore(self.store)
        self.secret = self._load_secret()
        # per-process traffic counters (GET /api/admin/stats), e.g. bytes received by the CAS
        self.stats: Counter[str] = Counter()

    def _load_secret(self) -> bytes:
        """The key signing upload URLs, shared by every server process through the database."""
        for _ in range(3):
            try:
                with self.db.session() as s:
                    row = s.scalar(select(ServerSetting).where(ServerSetting.key == "signing_key"))
                    if row is None:
                        row = ServerSetting(key="signing_key", value=secrets.token_hex(32))
                        s.add(row)
                    return bytes.fromhex(row.value)
            except IntegrityError:
                continue  # another process created it at the same moment: read theirs
        raise RuntimeError("cannot initialise the signing key")

    @functools.cached_property
    def reader(self) -> Reader:
        """Plain reads for the download hot path (see services/fastpath.py)."""
        from .services.fastpath import Reader

        return Reader(self.db.engine)

    @functools.cached_property
    def s3(self) -> S3ObjectStore | None:
        """The store when it is S3 (uploads and downloads then bypass the server)."""
        from .storage.s3 import S3ObjectStore

        return self.store if isinstance(self.store, S3ObjectStore) else None

    @functools.cached_property
    def inference(self) -> Engine | None:
        """The model runner when the hub serves inference (``--inference``), else None."""
        if not self.settings.inference:
            return None
        from .inference.engine import Engine

        s = self.settings
        return Engine(self, memory_mb=s.inference_memory_mb, workers=s.inference_workers)

    def close(self) -> None:
        if "inference" in self.__dict__ and self.inference is not None:
            self.inference.close()
        self.db.dispose()
