"""What the sync and async clients share: the plan protocol, input encoding, stream parsing.

Every task is written once, as a *plan*: a generator that yields the I/O it needs (``Call`` for
an HTTP request, ``Sleep`` for a polling pause) and returns the task's result. The sync client
runs plans with the shared ``httpx.Client`` and ``time.sleep``; the async client with an
``httpx.AsyncClient`` and ``asyncio.sleep``. Request building, provider routing and response
parsing therefore exist once, and the two clients differ only in how they perform I/O.
"""

from __future__ import annotations

import base64
import io
import json
import mimetypes
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar, Union

from ._errors import text_generation_error
from .types import ChatCompletionStreamOutput, TextGenerationStreamOutput

if TYPE_CHECKING:
    import httpx
    from PIL.Image import Image

__all__ = [
    "Call",
    "ContentT",
    "LineStream",
    "MimeBytes",
    "Plan",
    "RequestParameters",
    "Sleep",
    "as_url",
    "b64_encode",
    "bytes_to_image",
    "filter_none",
    "open_as_mime_bytes",
    "parse_chat_stream_line",
    "parse_text_generation_stream_line",
]

T = TypeVar("T")
ContentT = Union[bytes, BinaryIO, str, Path, "Image", bytearray, memoryview]
# tasks answered with an image: the client asks for PNG unless told otherwise
TASKS_EXPECTING_IMAGES = frozenset({"text-to-image", "image-to-image"})


@dataclass
class Call:
    """One HTTP request a plan needs. The driver answers with an ``httpx.Response`` (read, status
    checked unless ``check`` is false), or with an iterator of text lines when ``stream``."""

    url: str
    method: str = "POST"
    headers: dict[str, str] = field(default_factory=dict)
    json: Any = None
    content: bytes | None = None
    stream: bool = False
    task: str = "unknown"
    check: bool = True


@dataclass(frozen=True)
class Sleep:
    """A pause between two polls of a provider's job."""

    seconds: float


@dataclass
class LineStream:
    """A plan's result for a streamed answer: the driver maps ``parse`` over the lines (sync or
    async). ``parse`` returns an item, ``None`` to skip a line, or raises ``StopIteration``."""

    lines: Any
    parse: Callable[[str], Any]


Plan = Generator[Call | Sleep, Any, T]


@dataclass
class RequestParameters:
    """A prepared provider request (kept for providers whose answer needs a follow-up call)."""

    url: str
    task: str
    model: str | None
    json: Any
    data: bytes | None
    headers: dict[str, Any]


class MimeBytes(bytes):
    """Bytes that remember their MIME type (when it is known)."""

    mime_type: str | None

    def __new__(cls, data: bytes, mime_type: str | None = None) -> MimeBytes:
        obj = super().__new__(cls, data)
        obj.mime_type = mime_type if mime_type is not None else getattr(data, "mime_type", None)
        return obj


def filter_none(obj: Any) -> Any:
    """A copy of a dict/list without ``None`` values in dicts, recursively."""
    if isinstance(obj, dict):
        return {k: filter_none(v) if isinstance(v, (dict, list)) else v for k, v in obj.items() if v is not None}
    if isinstance(obj, list):
        return [filter_none(v) if isinstance(v, (dict, list)) else v for v in obj]
    raise ValueError(f"Expected dict or list, got {type(obj)}")


def merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``extra`` laid over it, dicts merged key by key."""
    out = dict(base)
    for key, value in extra.items():
        out[key] = merge(out[key], value) if isinstance(out.get(key), dict) and isinstance(value, dict) else value
    return out


# --- inputs --------------------------------------------------------------------------------


def _is_url(content: Any) -> bool:
    return isinstance(content, str) and content.startswith(("http://", "https://"))


def open_as_mime_bytes(content: ContentT | None) -> Plan[MimeBytes | None]:
    """Raw bytes of an input given as bytes, a binary file, a path, a URL (fetched) or a PIL image."""
    if content is None:
        return None
    if isinstance(content, bytes):
        return MimeBytes(content)
    if isinstance(content, (bytearray, memoryview)):
        return MimeBytes(bytes(content))
    if hasattr(content, "read"):
        data = content.read()
        if isinstance(data, str):
            raise TypeError("Expected binary stream (bytes), but got text stream")
        name = getattr(content, "name", None)
        return MimeBytes(data, mimetypes.guess_type(str(name))[0] if name else None)
    if isinstance(content, str):
        if _is_url(content):
            response = yield Call(content, method="GET")
            mime = response.headers.get("content-type") or mimetypes.guess_type(content)[0]
            return MimeBytes(response.content, mime)
        path = Path(content)
        if not path.exists():
            raise FileNotFoundError(
                f"File not found at {path}. If `data` is a string, it must either be a URL or a path to a local"
                " file. To pass raw content, please encode it as bytes first."
            )
        content = path
    if isinstance(content, Path):
        return MimeBytes(content.read_bytes(), mimetypes.guess_type(content)[0])
    image = _pil_bytes(content)
    if image is not None:
        return image
    raise TypeError(
        f"Unsupported content type: {type(content)}. Expected one of: bytes, bytearray, BinaryIO, memoryview,"
        " Path, str (URL or file path), or PIL.Image.Image."
    )


def _pil_bytes(content: Any) -> MimeBytes | None:
    try:
        from PIL import Image
    except ImportError:
        return None
    if not isinstance(content, Image.Image):
        return None
    fmt = content.format or "PNG"
    buffer = io.BytesIO()
    content.save(buffer, format=fmt)
    return MimeBytes(buffer.getvalue(), f"image/{fmt.lower()}")


def b64_encode(content: ContentT) -> Plan[str]:
    """Base64 text of an input (bytes, file, path, URL or image)."""
    raw = yield from open_as_mime_bytes(content)
    return base64.b64encode(raw or b"").decode()


def as_url(content: ContentT, default_mime_type: str) -> Plan[str]:
    """A URL for an input: URLs (and data URLs) as given, anything else as a base64 data URL."""
    if isinstance(content, str) and content.startswith(("http://", "https://", "data:")):
        return content
    raw = yield from open_as_mime_bytes(content)
    mime = (raw.mime_type if raw is not None else None) or default_mime_type
    return f"data:{mime};base64,{base64.b64encode(raw or b'').decode()}"


# --- outputs -------------------------------------------------------------------------------


def as_dict(response: Any) -> Any:
    """A JSON answer as Python data (bytes and responses are decoded)."""
    if hasattr(response, "content") and hasattr(response, "status_code"):
        response = response.content
    if isinstance(response, (bytes, bytearray, str)):
        return json.loads(response)
    return response


def bytes_to_image(content: bytes) -> Image:
    """A PIL image from encoded bytes (Pillow is needed for image outputs)."""
    try:
        from PIL import Image
    except ImportError:
        raise ImportError(
            "Please install Pillow to deal with images (`pip install Pillow`). To get the raw bytes instead,"
            " send the request yourself."
        ) from None
    return Image.open(io.BytesIO(content))


def b64_to_image(encoded: str) -> Image:
    return bytes_to_image(base64.b64decode(encoded))


def import_numpy() -> Any:
    try:
        import numpy
    except ImportError:
        raise ImportError("Please install numpy to deal with embeddings (`pip install numpy`).") from None
    return numpy


# --- server-sent events --------------------------------------------------------------------


def _event_payload(line: str) -> dict[str, Any] | None:
    """The JSON of one ``data:`` line; ``None`` for other lines; ``StopIteration`` at ``[DONE]``."""
    if not line.startswith("data:"):
        return None
    data = line[len("data:") :].strip()
    if data == "[DONE]":
        raise StopIteration("[DONE] received")
    payload = json.loads(data)
    if isinstance(payload, dict) and payload.get("error") is not None:
        raise text_generation_error(str(payload["error"]), payload.get("error_type"))
    return payload  # type: ignore[no-any-return]


def parse_chat_stream_line(line: str) -> ChatCompletionStreamOutput | None:
    payload = _event_payload(line)
    return None if payload is None else ChatCompletionStreamOutput.parse_obj_as_instance(payload)


def parse_text_generation_stream_line(details: bool) -> Callable[[str], Any]:
    def parse(line: str) -> str | TextGenerationStreamOutput | None:
        payload = _event_payload(line)
        if payload is None:
            return None
        out = TextGenerationStreamOutput.parse_obj_as_instance(payload)
        return out if details else out.token.text

    return parse


def iter_parsed(lines: Iterable[str], parse: Callable[[str], Any]) -> Any:
    """The sync side of ``LineStream``: parsed items until the stream or ``[DONE]`` ends."""
    for line in lines:
        try:
            item = parse(line)
        except StopIteration:
            return
        if item is not None:
            yield item


def response_text(response: httpx.Response) -> str:
    try:
        return response.text
    except Exception:
        return ""
