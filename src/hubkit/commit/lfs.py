"""Git LFS uploads: the batch request, then basic or multipart transfers, then verify (§8).

All transfers of a commit share one pool of threads. A basic object is one task (PUT, then
verify); a multipart object is one task per part, ``PARTS_IN_FLIGHT`` of them at a time (each
part that finishes starts the next one), so the parts of a big file go up in parallel
(huggingface_hub sends them one after the other) while several files also progress at once.
Whichever part finishes last sends the completion call and the verify. No task ever waits for
another, so the pool cannot deadlock whatever its size.

Upload, part and completion URLs are pre-signed: they get no ``authorization`` header and no
Hub user-agent. Bodies are read from the content in blocks as they are sent, with an exact
``Content-Length``; a retried request reads its range again and rewinds the progress bar.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from .._http import http_backoff, raise_for_status, same_origin
from .content import READ_BLOCK, Content
from .target import RepoTarget, fix_hf_endpoint_in_url

__all__ = ["BATCH_CHUNK", "LfsObject", "TransferPool", "request_batch"]

logger = logging.getLogger(__name__)

BATCH_CHUNK = 256
# Parts of one object sent at once. Two hide the gap between one part's end and the next one's
# start; more only add work to a hub that receives all streams on one event loop (measured:
# its CPU time per byte grows with the number of parallel streams).
PARTS_IN_FLIGHT = 2
SMALL_BODY = 1024 * 1024  # bodies up to this size are read whole rather than streamed
LFS_HEADERS = {"Accept": "application/vnd.git-lfs+json", "Content-Type": "application/vnd.git-lfs+json"}


@dataclass(frozen=True)
class LfsObject:
    """One object to upload: its oid (sha256 hex), size, and where its bytes are."""

    oid: str
    size: int
    content: Content
    path_in_repo: str


# --- batch ---------------------------------------------------------------------------------


def _check_action(action: Any, what: str) -> dict[str, Any]:
    if not (
        isinstance(action, dict)
        and isinstance(action.get("href"), str)
        and (action.get("header") is None or isinstance(action.get("header"), dict))
    ):
        raise ValueError(f"Malformed LFS batch response: invalid '{what}' action {action!r}")
    return action


def _check_object(obj: Any) -> dict[str, Any]:
    if not (isinstance(obj, dict) and isinstance(obj.get("oid"), str) and type(obj.get("size")) is int):
        raise ValueError(f"Malformed LFS batch response: invalid object {obj!r}")
    if "error" in obj:
        error = obj["error"]
        valid = isinstance(error, dict) and isinstance(error.get("code"), int) and isinstance(error.get("message"), str)
        if not valid:
            raise ValueError(f"Malformed LFS batch response: invalid error {obj!r}")
        return obj
    actions = obj.get("actions")
    if actions is not None:
        if not isinstance(actions, dict):
            raise ValueError(f"Malformed LFS batch response: invalid actions {obj!r}")
        for name in ("upload", "verify"):
            if actions.get(name) is not None:
                _check_action(actions[name], name)
    return obj


def request_batch(target: RepoTarget, objects: Sequence[LfsObject]) -> dict[str, dict[str, Any]]:
    """The batch answer for ``objects`` (≤ 256 per request), by oid. Raises if the Hub refused any."""
    answers: dict[str, dict[str, Any]] = {}
    for i in range(0, len(objects), BATCH_CHUNK):
        chunk = objects[i : i + BATCH_CHUNK]
        payload: dict[str, Any] = {
            "operation": "upload",
            "transfers": ["basic", "multipart"],
            "objects": [{"oid": o.oid, "size": o.size} for o in chunk],
            "hash_algo": "sha256",
        }
        if not target.create_pr:  # a commit that opens a PR has no ref yet
            payload["ref"] = {"name": target.revision}
        response = http_backoff("POST", target.lfs_batch_url, json=payload, headers={**LFS_HEADERS, **target.headers})
        raise_for_status(response)
        body = response.json()
        items = body.get("objects") if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise ValueError("Malformed response from server")
        checked = [_check_object(obj) for obj in items]
        errors = [obj for obj in checked if "error" in obj]
        if errors:
            lines = [f"Encountered error for file with OID {e['oid']}: `{e['error']['message']}`" for e in errors]
            raise ValueError("LFS batch API returned errors:\n" + "\n".join(lines))
        for obj in checked:
            answers[obj["oid"]] = obj
    missing = [o.path_in_repo for o in objects if o.oid not in answers]
    if missing:
        raise ValueError(f"The LFS batch answer lacks {len(missing)} object(s), e.g. for '{missing[0]}'")
    return answers


# --- transfers -----------------------------------------------------------------------------


class _Body:
    """A request body reading ``content[start:end)``; iterable again for a retry."""

    def __init__(self, content: Content, start: int, end: int, on_bytes: Callable[[int], None]) -> None:
        self._content, self._start, self._end, self._on_bytes = content, start, end, on_bytes
        self._sent = 0

    def __iter__(self) -> Iterator[bytes]:
        if self._sent:  # a retry: what the failed attempt reported did not arrive
            self._on_bytes(-self._sent)
            self._sent = 0
        for block in self._content.blocks(self._start, self._end, READ_BLOCK):
            yield block
            self._sent += len(block)
            self._on_bytes(len(block))


class _Multipart:
    """Parts of one object in flight; the last one to finish completes the upload."""

    def __init__(self, obj: LfsObject, urls: list[str], chunk_size: int, complete_url: str, verify: Any) -> None:
        self.obj, self.urls, self.chunk_size = obj, urls, chunk_size
        self.complete_url, self.verify = complete_url, verify
        self.etags: list[str | None] = [None] * len(urls)
        self._left = len(urls)
        self._lock = threading.Lock()

        self._next = 0

    def next_part(self) -> int | None:
        """The next part to send, if any is left."""
        with self._lock:
            if self._next >= len(self.urls):
                return None
            self._next += 1
            return self._next - 1

    def part_done(self, index: int, etag: str) -> bool:
        with self._lock:
            self.etags[index] = etag
            self._left -= 1
            return self._left == 0


class TransferPool:
    """Runs the uploads of many LFS objects on ``workers`` threads; ``join()`` raises the first error."""

    def __init__(self, target: RepoTarget, workers: int, on_bytes: Callable[[int], None]) -> None:
        self._target = target
        self._on_bytes = on_bytes
        self._pool = ThreadPoolExecutor(max(1, workers), thread_name_prefix="hubkit-lfs")
        self._futures: list[Future[None]] = []
        self._error: BaseException | None = None
        self._lock = threading.Lock()
        self.uploaded: list[LfsObject] = []  # objects whose bytes were sent (not skipped)

    def __enter__(self) -> TransferPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self._fail_fast(None)
        self._pool.shutdown(wait=True, cancel_futures=True)

    def add(self, obj: LfsObject, answer: dict[str, Any], on_done: Callable[[LfsObject], None] | None = None) -> None:
        """Schedule the upload the batch ``answer`` asks for (nothing if the Hub has the object)."""
        actions = answer.get("actions")
        if not actions:
            logger.debug("%s: already on the Hub, not uploaded again", obj.path_in_repo)
            if on_done:
                on_done(obj)
            return
        upload, verify = actions["upload"], actions.get("verify")
        header = upload.get("header") or {}
        href = fix_hf_endpoint_in_url(upload["href"], self._target.endpoint)
        if "chunk_size" not in header:
            self._submit(obj, self._basic, obj, href, verify, on_done)
            return
        try:
            chunk_size = int(header["chunk_size"])
        except (TypeError, ValueError):
            raise ValueError(f"Malformed LFS batch response: chunk_size {header['chunk_size']!r}") from None
        numbered = sorted((int(k), v) for k, v in header.items() if isinstance(k, str) and k.isdigit())
        if chunk_size <= 0 or len(numbered) != math.ceil(obj.size / chunk_size):
            raise ValueError("Invalid server response to upload large LFS file")
        state = _Multipart(obj, [url for _, url in numbered], chunk_size, href, verify)
        for _ in range(min(PARTS_IN_FLIGHT, len(numbered))):
            self._submit(obj, self._part, state, state.next_part(), on_done)

    def join(self) -> None:
        """Wait for every scheduled transfer; raise the first failure."""
        waited = 0
        while True:  # a finishing part may schedule the next one: wait until nothing new appears
            with self._lock:
                pending = self._futures[waited:]
                waited = len(self._futures)
            if not pending:
                break
            for future in pending:
                try:
                    future.result()
                except BaseException:
                    pass  # recorded by _run; cancelled futures land here too
        if self._error is not None:
            raise self._error

    # --- tasks -----------------------------------------------------------------------------

    def _submit(self, obj: LfsObject, fn: Callable[..., None], *args: Any) -> None:
        future = self._pool.submit(self._run, obj, fn, *args)
        with self._lock:
            self._futures.append(future)

    def _run(self, obj: LfsObject, fn: Callable[..., None], *args: Any) -> None:
        if self._error is not None:
            return
        try:
            fn(*args)
        except BaseException as err:
            wrapped = RuntimeError(f"Error while uploading '{obj.path_in_repo}' to the Hub.")
            wrapped.__cause__ = err
            self._fail_fast(wrapped)

    def _fail_fast(self, error: BaseException | None) -> None:
        with self._lock:
            if error is not None and self._error is None:
                self._error = error
            if self._error is not None:
                for future in self._futures:
                    future.cancel()

    def _put(self, url: str, content: Content, start: int, end: int) -> str | None:
        if end - start <= SMALL_BODY:  # small: one read, one send, progress once it arrived
            response = http_backoff("PUT", url, content=content.read(start, end - start))
            raise_for_status(response)
            self._on_bytes(end - start)
            return response.headers.get("etag")
        body = _Body(content, start, end, self._on_bytes)
        response = http_backoff("PUT", url, content=body, headers={"Content-Length": str(end - start)})
        raise_for_status(response)
        return response.headers.get("etag")

    def _basic(self, obj: LfsObject, href: str, verify: Any, on_done: Callable[[LfsObject], None] | None) -> None:
        self._put(href, obj.content, 0, obj.size)
        self._finish(obj, verify, on_done)

    def _part(self, state: _Multipart, index: int, on_done: Callable[[LfsObject], None] | None) -> None:
        obj = state.obj
        start = index * state.chunk_size
        etag = self._put(state.urls[index], obj.content, start, min(obj.size, start + state.chunk_size))
        if not etag:
            raise ValueError(f"Invalid etag (`{etag}`) returned for part {index + 1}")
        if not state.part_done(index, etag):
            following = state.next_part()
            if following is not None:
                self._submit(obj, self._part, state, following, on_done)
            return
        parts = [{"partNumber": i + 1, "etag": e} for i, e in enumerate(state.etags)]
        response = http_backoff("POST", state.complete_url, json={"oid": obj.oid, "parts": parts}, headers=LFS_HEADERS)
        raise_for_status(response)
        self._finish(obj, state.verify, on_done)

    def _finish(self, obj: LfsObject, verify: Any, on_done: Callable[[LfsObject], None] | None) -> None:
        if verify is not None:
            url = fix_hf_endpoint_in_url(verify["href"], self._target.endpoint)
            headers = self._target.headers
            if not same_origin(url, self._target.endpoint):  # the token only ever goes to the Hub itself
                headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
            response = http_backoff("POST", url, json={"oid": obj.oid, "size": obj.size}, headers=headers)
            raise_for_status(response)
        with self._lock:
            self.uploaded.append(obj)
        if on_done:
            on_done(obj)
