"""``AsyncInferenceClient``: the task plans run with an ``httpx.AsyncClient`` of its own.

Any number of calls may be in flight on one client (``asyncio.gather``). The connection pool
belongs to the client: close it with ``await client.close()`` or ``async with``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Generator
from typing import Any

import httpx

from .._http import on_request
from ._client_base import ClientBase, check_response, expose_tasks, timeout_error
from ._common import Call, LineStream, Sleep


async def _offline_guard(request: httpx.Request) -> None:
    on_request(request)


def default_async_client_factory() -> httpx.AsyncClient:
    """The pool an ``AsyncInferenceClient`` opens on first use (``set_async_client_factory`` to change)."""
    return httpx.AsyncClient(
        event_hooks={"request": [_offline_guard]},
        follow_redirects=True,
        timeout=None,
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=32),
    )


_factory: Callable[[], httpx.AsyncClient] = default_async_client_factory


def set_async_client_factory(factory: Callable[[], httpx.AsyncClient]) -> None:
    """Build the async clients' pools with ``factory`` (proxies, certificates, a test transport)."""
    global _factory
    _factory = factory


class AsyncInferenceClient(ClientBase):
    """The async twin of ``InferenceClient``: the same methods, awaited; streams are async iterators."""

    def _init_transport(self) -> None:
        self._client: httpx.AsyncClient | None = None
        self._open: set[httpx.Response] = set()

    async def __aenter__(self) -> AsyncInferenceClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close open streams and the connection pool (a later call opens a new pool)."""
        open_, self._open = self._open, set()
        for response in open_:
            await response.aclose()
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    def _session(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = _factory()
        return self._client

    async def _run(self, plan: Generator[Any, Any, Any]) -> Any:
        value: Any = None
        error: BaseException | None = None
        while True:
            try:
                action = plan.throw(error) if error is not None else plan.send(value)
            except StopIteration as stop:
                result = stop.value
                break
            value, error = None, None
            try:
                value = await self._perform(action)
            except Exception as err:
                error = err
        if isinstance(result, LineStream):
            return self._parsed(result)
        return result

    async def _perform(self, action: Call | Sleep) -> Any:
        if isinstance(action, Sleep):
            await asyncio.sleep(action.seconds)
            return None
        session = self._session()
        try:
            request = session.build_request(action.method, action.url, **self._request_args(action))
            response = await session.send(request, stream=action.stream)
        except httpx.TimeoutException as err:
            raise timeout_error(action, err) from err
        if not action.stream:
            if action.check:
                check_response(response, action)
            return response
        try:
            if response.is_error:
                await response.aread()
                check_response(response, action)
        except BaseException:
            await response.aclose()
            raise
        self._open.add(response)
        return self._lines(response, action)

    async def _lines(self, response: httpx.Response, call: Call) -> AsyncIterator[str]:
        try:
            async for line in response.aiter_lines():
                yield line.strip()
        except httpx.TimeoutException as err:
            raise timeout_error(call, err) from err
        finally:
            await response.aclose()
            self._open.discard(response)

    async def _parsed(self, stream: LineStream) -> AsyncIterator[Any]:
        async for line in stream.lines:
            try:
                item = stream.parse(line)
            except StopIteration:
                return
            if item is not None:
                yield item


def _async(plan: Callable[..., Any]) -> Callable[..., Any]:
    async def method(self: AsyncInferenceClient, *args: Any, **kwargs: Any) -> Any:
        return await self._run(plan(self, *args, **kwargs))

    return method


expose_tasks(AsyncInferenceClient, _async)
