"""The embedding batcher on its own (no model): merging, options, errors, the gathering wait."""

from __future__ import annotations

import asyncio
import random

import pytest

from hubkit.server.inference.batching import Batcher


def test_concurrent_requests_share_batches_and_get_their_own_rows() -> None:
    sizes: list[int] = []

    async def run(texts: list[str], options: tuple[object, ...]) -> list[str]:
        sizes.append(len(texts))
        await asyncio.sleep(0.01 + 0.002 * len(texts))  # a forward pass costs more with more texts
        return [f"{t}|{options[0]}" for t in texts]

    async def main() -> None:
        batcher = Batcher(run)

        async def client(k: int) -> None:
            for i in range(20):
                texts = [f"{k}.{i}.{j}" for j in range(1 + (k + i) % 2)]  # one or two texts per request
                assert await batcher.submit(texts, ("n",)) == [f"{t}|n" for t in texts]
                await asyncio.sleep(random.uniform(0, 0.003))

        await asyncio.gather(*(client(k) for k in range(8)))
        assert batcher.requests == 160
        assert batcher.requests / batcher.batches >= 4  # 8 clients: most batches hold them all

    asyncio.run(main())
    assert max(sizes) <= 16


def test_options_never_mix_and_errors_reach_every_waiter() -> None:
    async def run(texts: list[str], options: tuple[object, ...]) -> list[str]:
        await asyncio.sleep(0.005)
        if options == ("bad",):
            raise RuntimeError("model failed")
        return [f"{t}:{options[0]}" for t in texts]

    async def main() -> None:
        batcher = Batcher(run)
        results = await asyncio.gather(
            *(batcher.submit([f"t{i}"], ("a" if i % 2 else "b",)) for i in range(6)),
            batcher.submit(["x"], ("bad",)),
            batcher.submit(["y"], ("bad",)),
            return_exceptions=True,
        )
        assert results[:6] == [[f"t{i}:{'a' if i % 2 else 'b'}"] for i in range(6)]
        assert all(isinstance(r, RuntimeError) for r in results[6:])
        assert await batcher.submit(["after"], ("a",)) == ["after:a"]  # the batcher lives on

    asyncio.run(main())


def test_a_lone_client_does_not_wait_for_company() -> None:
    async def run(texts: list[str], options: tuple[object, ...]) -> list[str]:
        await asyncio.sleep(0.01)
        return texts

    async def main() -> float:
        batcher = Batcher(run, max_gather_s=5.0)
        loop = asyncio.get_running_loop()
        start = loop.time()
        for i in range(10):
            await batcher.submit([str(i)], ())
        return loop.time() - start

    # ten requests of 10 ms each, one after the other: no gathering wait (which could be 5 s)
    assert asyncio.run(main()) == pytest.approx(0.1, abs=2.0)
