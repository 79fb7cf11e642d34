"""``InferenceClient``: the task plans run with the shared ``httpx.Client`` (blocking calls)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator, Iterator
from typing import Any

import httpx

from .._http import get_session
from ._client_base import ClientBase, check_response, expose_tasks, timeout_error
from ._common import Call, LineStream, Sleep, iter_parsed


class InferenceClient(ClientBase):
    """Run inference on models served by the Hub, by inference providers, or any
    OpenAI-compatible server (``base_url``); the same arguments as ``huggingface_hub``'s.

    Safe to share between threads. Streams left open are closed by ``close()`` (or ``with``).
    """

    def _init_transport(self) -> None:
        self._open: set[httpx.Response] = set()
        self._lock = threading.Lock()

    def __enter__(self) -> InferenceClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the streams this client still has open (the shared connection pool stays)."""
        with self._lock:
            open_, self._open = self._open, set()
        for response in open_:
            response.close()

    def _run(self, plan: Generator[Any, Any, Any]) -> Any:
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
                value = self._perform(action)
            except Exception as err:  # handed back to the plan, which may recover (or re-raise)
                error = err
        if isinstance(result, LineStream):
            return iter_parsed(result.lines, result.parse)
        return result

    def _perform(self, action: Call | Sleep) -> Any:
        if isinstance(action, Sleep):
            time.sleep(action.seconds)
            return None
        session = get_session()
        try:
            request = session.build_request(action.method, action.url, **self._request_args(action))
            response = session.send(request, stream=action.stream)
        except httpx.TimeoutException as err:
            raise timeout_error(action, err) from err
        if not action.stream:
            if action.check:
                check_response(response, action)
            return response
        try:
            if response.is_error:
                response.read()
                check_response(response, action)
        except BaseException:
            response.close()
            raise
        with self._lock:
            self._open.add(response)
        return self._lines(response, action)

    def _lines(self, response: httpx.Response, call: Call) -> Iterator[str]:
        try:
            for line in response.iter_lines():
                yield line.strip()
        except httpx.TimeoutException as err:
            raise timeout_error(call, err) from err
        finally:
            response.close()
            with self._lock:
                self._open.discard(response)


def _sync(plan: Callable[..., Any]) -> Callable[..., Any]:
    def method(self: InferenceClient, *args: Any, **kwargs: Any) -> Any:
        return self._run(plan(self, *args, **kwargs))

    return method


expose_tasks(InferenceClient, _sync)
