"""The inference engine: models loaded once per (repo, commit), kept in an LRU within a memory
budget, run on a pool of worker threads so the event loop never blocks.

torch releases the GIL inside its kernels, so worker threads run models in parallel with the
server's own work; the pool is small (``workers``) because each model call already uses every
core through torch's intra-op threads.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from . import generation
from .batching import Batcher
from .catalog import NotServed
from .models import CausalLM, Embedder, Loaded, PipelineModel, load
from .snapshot import ModelFiles, materialize

if TYPE_CHECKING:
    from ..hub import Hub

log = logging.getLogger("hubkit.server.inference")
T = TypeVar("T")
MiB = 1024 * 1024
_END = object()


def preload_runtime() -> None:
    """Import torch and the runtimes now (seconds), not on the first request."""
    import sentence_transformers  # noqa: F401
    import torch  # noqa: F401
    import transformers  # noqa: F401


class Engine:
    def __init__(self, hub: Hub, *, memory_mb: int, workers: int) -> None:
        self.hub = hub
        self.budget = memory_mb * MiB
        self.pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="hubkit-inference")
        self._models: OrderedDict[tuple[str, str, str], Loaded] = OrderedDict()
        self._loading: dict[tuple[str, str, str], asyncio.Future[Loaded]] = {}
        self._batchers: dict[int, Batcher] = {}
        self._preloaded = self.pool.submit(preload_runtime)

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self._models.clear()

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn`` on a worker thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.pool, lambda: fn(*args, **kwargs))

    # --- models ------------------------------------------------------------------------------

    async def model(self, files: ModelFiles, pipeline: str) -> Loaded:
        """The loaded model for these files (loaded once even when many requests ask at once)."""
        kind = "embed" if pipeline in ("feature-extraction", "sentence-similarity") else pipeline
        key = (files.repo_id, files.commit, kind)
        found = self._models.get(key)
        if found is not None:
            self._models.move_to_end(key)
            return found
        pending = self._loading.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Loaded] = asyncio.get_running_loop().create_future()
        future.add_done_callback(lambda f: f.cancelled() or f.exception())  # retrieved even if nobody waits
        self._loading[key] = future
        try:
            loaded = await self.run(self._load, files, pipeline)
        except BaseException as err:
            future.set_exception(err if isinstance(err, Exception) else NotServed("loading was interrupted"))
            raise
        finally:
            del self._loading[key]
        self._models[key] = loaded
        self._evict(keep=key)
        future.set_result(loaded)
        return loaded

    def _load(self, files: ModelFiles, pipeline: str) -> Loaded:
        self._preloaded.result()
        folder = materialize(self.hub, files)
        log.info("loading %s@%s for %s", files.repo_id, files.commit[:12], pipeline)
        return load(files.repo_id, folder, pipeline)

    def _evict(self, keep: tuple[str, str, str]) -> None:
        total = sum(m.nbytes for m in self._models.values())
        for key in list(self._models):
            if total <= self.budget:
                break
            if key == keep:
                continue
            gone = self._models.pop(key)
            self._batchers.pop(id(gone), None)
            total -= gone.nbytes
            log.info("unloaded %s (memory budget %d MiB)", key[0], self.budget // MiB)

    def loaded(self) -> list[tuple[str, str, str, int]]:
        """(repo, commit, kind, bytes) of the models in memory, least recently used first."""
        return [(*key, m.nbytes) for key, m in self._models.items()]

    # --- tasks -------------------------------------------------------------------------------

    async def embed(self, model: Embedder, texts: list[str], *, normalize: bool, prompt_name: str | None) -> Any:
        batcher = self._batchers.get(id(model))
        if batcher is None:

            async def run(batch: list[str], options: tuple[Any, ...]) -> Any:
                return await self.run(model.embed, batch, normalize=options[0], prompt_name=options[1])

            batcher = self._batchers[id(model)] = Batcher(run)
        return await batcher.submit(texts, (normalize, prompt_name))

    async def pipeline(self, model: PipelineModel, inputs: Any, **params: Any) -> Any:
        return await self.run(model, inputs, **params)

    async def generate(
        self, lm: CausalLM, prompt_ids: list[int], params: generation.Params
    ) -> AsyncIterator[generation.Token | generation.Finished]:
        """The events of one generation, produced on a worker thread; stops it when abandoned."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        cancel = threading.Event()

        def produce() -> None:
            try:
                for event in generation.generate(lm, prompt_ids, params, cancel):
                    loop.call_soon_threadsafe(queue.put_nowait, event)
            except BaseException as err:
                loop.call_soon_threadsafe(queue.put_nowait, err)
            finally:
                loop.call_soon_threadsafe(queue.put_nowait, _END)

        loop.run_in_executor(self.pool, produce)  # ends by itself: the cancel flag stops it
        try:
            while True:
                event = await queue.get()
                if event is _END:
                    break
                if isinstance(event, BaseException):
                    raise event
                yield event
        finally:
            cancel.set()
