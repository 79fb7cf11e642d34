"""What ``InferenceClient`` and ``AsyncInferenceClient`` share: arguments, task table, error funnel.

Each task method is defined once, as a plan, in ``_tasks_text``/``_tasks_media``;
``expose_tasks`` turns every plan into a method of a client class through that class's driver
(sync or async), keeping the plan's name, docstring and signature (less the ``Plan[...]``).
"""

from __future__ import annotations

import functools
import inspect
import os
import re
import warnings
from collections.abc import Callable
from typing import Any

import httpx

from .._http import raise_for_status
from ..errors import HfHubHTTPError
from ._common import Call
from ._errors import InferenceTimeoutError
from ._plans import EndpointPlans
from ._tasks_media import MediaTasks
from ._tasks_text import TextTasks

BILL_TO_HEADER = "X-HF-Bill-To"
TASK_METHODS = sorted(
    name for cls in (TextTasks, MediaTasks, EndpointPlans) for name, fn in vars(cls).items() if inspect.isfunction(fn)
)
_PLAN_RE = re.compile(r"^Plan\[(.*)\]$", re.S)


class ClientBase(TextTasks, MediaTasks, EndpointPlans):
    """Constructor arguments and the request details both clients send alike."""

    def __init__(
        self,
        model: str | None = None,
        *,
        provider: str | None = None,
        token: str | None = None,
        timeout: float | None = None,
        headers: dict[str, str] | None = None,
        cookies: dict[str, str] | None = None,
        bill_to: str | None = None,
        base_url: str | None = None,
        api_key: str | None = None,
    ) -> None:
        if model is not None and base_url is not None:
            raise ValueError(
                "Received both `model` and `base_url` arguments. Please provide only one of them. `base_url` is an"
                " alias for `model` to make the API compatible with OpenAI's client. If using `base_url` for chat"
                " completion, the `/chat/completions` suffix path will be appended to the base url. When passing a URL"
                " as `model`, the client will not append any suffix path to it."
            )
        if token is not None and api_key is not None:
            raise ValueError(
                "Received both `token` and `api_key` arguments. Please provide only one of them. `api_key` is an alias"
                " for `token` to make the API compatible with OpenAI's client. It has the exact same behavior as"
                " `token`."
            )
        token = token if token is not None else api_key
        if isinstance(token, bool):
            raise TypeError("`token` must be a string or `None`.")
        self.model: str | None = base_url or model
        self.token: str | None = token
        self.headers = dict(headers) if headers is not None else {}
        if bill_to is not None:
            current = self.headers.get(BILL_TO_HEADER)
            if current is not None and current != bill_to:
                warnings.warn(
                    f"Overriding existing '{current}' value in headers with '{bill_to}'.", UserWarning, stacklevel=2
                )
            self.headers[BILL_TO_HEADER] = bill_to
            if token is not None and not token.startswith("hf_"):
                warnings.warn(
                    "You've provided an external provider's API key, so requests will be billed directly by the"
                    " provider. The `bill_to` parameter is only applicable for Hugging Face billing and will be"
                    " ignored.",
                    UserWarning,
                    stacklevel=2,
                )
        self.provider = provider
        self.cookies = cookies
        self.timeout = timeout
        self._init_transport()

    def _init_transport(self) -> None:
        """The driver's own state (open streams, a connection pool)."""

    def __repr__(self) -> str:
        return f"<InferenceClient(model='{self.model or ''}', timeout={self.timeout})>"

    @property
    def chat(self) -> ProxyClientChat:
        """OpenAI-style access: ``client.chat.completions.create(...)`` is ``chat_completion``."""
        return ProxyClientChat(self)

    # --- what both drivers do with a Call --------------------------------------------------

    def _request_args(self, call: Call) -> dict[str, Any]:
        headers = dict(call.headers)
        if self.cookies:  # per-request cookies are deprecated in httpx: send the header
            headers["cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        args: dict[str, Any] = {"headers": headers, "timeout": self.timeout}
        if call.json is not None:
            args["json"] = call.json
        elif call.content is not None:
            args["content"] = bytes(call.content)
        return args


def timeout_error(call: Call, err: httpx.TimeoutException) -> InferenceTimeoutError:
    return InferenceTimeoutError(f"Inference call timed out: {call.url}")


def check_response(response: httpx.Response, call: Call) -> None:
    """Raise the Hub error of an error answer, with the server's text for 422 and a hint for 504."""
    try:
        raise_for_status(response)
    except HfHubHTTPError as err:
        status = response.status_code
        message = str(err.args[0]) if err.args else ""
        if status == 422 and call.task != "unknown" and response.text:
            message += f"{os.linesep}{response.text}{os.linesep}"
        if status == 504 and not call.stream and call.task == "conversational":
            message += (
                f"{os.linesep}Note: the request timed out before the model finished generating. If you are generating"
                " long outputs (e.g. long reasoning traces), pass `stream=True` to receive tokens as they are generated"
                " and avoid hitting this timeout."
            )
        err.args = (message, *err.args[1:])
        raise


def expose_tasks(cls: type, wrap: Callable[[Callable[..., Any]], Callable[..., Any]]) -> type:
    """Give ``cls`` one public method per task plan, run through ``wrap`` (the client's driver)."""
    for name in TASK_METHODS:
        plan = getattr(ClientBase, name)
        method = wrap(plan)
        functools.update_wrapper(method, plan)
        signature = inspect.signature(plan)
        ret = signature.return_annotation
        if isinstance(ret, str) and _PLAN_RE.match(ret):
            ret = _PLAN_RE.match(ret).group(1)  # type: ignore[union-attr]
        method.__signature__ = signature.replace(return_annotation=ret)  # type: ignore[attr-defined]
        del method.__wrapped__  # type: ignore[attr-defined]  # inspect reads __signature__
        setattr(cls, name, method)
    return cls


class _ProxyClient:
    def __init__(self, client: Any) -> None:
        self._client = client


class ProxyClientChat(_ProxyClient):
    @property
    def completions(self) -> ProxyClientChatCompletions:
        return ProxyClientChatCompletions(self._client)


class ProxyClientChatCompletions(_ProxyClient):
    @property
    def create(self) -> Callable[..., Any]:
        return self._client.chat_completion  # type: ignore[no-any-return]
