"""Git LFS: the batch API, signed transfer URLs, verified uploads (basic and multipart).

Upload and completion URLs are self-authorising (clients send no token there): they carry an
HMAC signature over their path and expiry, made with a key every server process shares.
Bytes are hashed as they arrive and only a file whose sha256 and size match its oid enters the
object store; an LFS object is usable by a repo only once it was uploaded to that repo, so
knowing a hash never grants access to someone else's file.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import math
import os
import re
import secrets
import shutil
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db.engine import insert_ignore
from ..db.models import LfsObject, Repo, RepoLfsObject
from ..errors import BadRequest, Forbidden, NotFound
from ..hub import Hub
from .accounts import utcnow

_OID_RE = re.compile(r"^[0-9a-f]{64}$")
MAX_BATCH_OBJECTS = 1000
COPY_BUFFER = 8 * 1024 * 1024


# --- signatures ----------------------------------------------------------------------------


def sign(secret: bytes, path: str, exp: int) -> str:
    return hmac.new(secret, f"{path}|{exp}".encode(), hashlib.sha256).hexdigest()


def signed_url(hub: Hub, path: str) -> str:
    exp = int(time.time()) + hub.settings.signed_url_ttl
    return f"{hub.settings.public_url}{path}?exp={exp}&sig={sign(hub.secret, path, exp)}"


def check_signature(hub: Hub, path: str, exp: str | None, sig: str | None) -> None:
    if not exp or not sig or not exp.isdigit():
        raise Forbidden("Missing or malformed URL signature")
    if int(exp) < time.time():
        raise Forbidden("This signed URL has expired: request a new one from the batch endpoint")
    if not hmac.compare_digest(sign(hub.secret, path, int(exp)), sig):
        raise Forbidden("Invalid URL signature")


# --- batch ---------------------------------------------------------------------------------


def is_linked(s: Session, repo: Repo, oid: str) -> bool:
    return s.get(RepoLfsObject, (repo.id, oid)) is not None


def batch(hub: Hub, s: Session, repo: Repo, body: Any, lfs_base: str) -> dict[str, Any]:
    """Answer a batch request. ``lfs_base`` is the repo's ``.../info/lfs`` URL."""
    if not isinstance(body, dict):
        raise BadRequest("The batch request must be a JSON object")
    operation = body.get("operation")
    objects = body.get("objects")
    if operation not in ("upload", "download"):
        raise BadRequest("operation must be 'upload' or 'download'")
    if not isinstance(objects, list):
        raise BadRequest("objects must be a list")
    if len(objects) > MAX_BATCH_OBJECTS:
        raise BadRequest(f"At most {MAX_BATCH_OBJECTS} objects per batch request")
    transfers = body.get("transfers") or ["basic"]
    multipart_ok = isinstance(transfers, list) and "multipart" in transfers
    out = []
    used_multipart = False
    for obj in objects:
        oid = obj.get("oid") if isinstance(obj, dict) else None
        size = obj.get("size") if isinstance(obj, dict) else None
        if not isinstance(oid, str) or not _OID_RE.match(oid) or not isinstance(size, int) or size < 0:
            out.append(
                {
                    "oid": oid if isinstance(oid, str) else "",
                    "size": size if isinstance(size, int) else 0,
                    "error": {"code": 422, "message": "Invalid object: oid must be a sha256, size an integer"},
                }
            )
            continue
        if operation == "upload":
            entry, multipart = _upload_object(hub, s, repo, oid, size, lfs_base, multipart_ok)
            used_multipart |= multipart
        else:
            entry = _download_object(hub, s, repo, oid, size)
        out.append(entry)
    return {"transfer": "multipart" if used_multipart else "basic", "objects": out, "hash_algo": "sha256"}


def _upload_object(
    hub: Hub, s: Session, repo: Repo, oid: str, size: int, lfs_base: str, multipart_ok: bool
) -> tuple[dict[str, Any], bool]:
    base = {"oid": oid, "size": size, "authenticated": True}
    row = s.get(LfsObject, oid)
    if row is not None and is_linked(s, repo, oid) and hub.store.exists(f"lfs/{oid}"):
        if row.size != size:
            base["error"] = {"code": 422, "message": f"Size mismatch: the object has {row.size} bytes"}
            return base, False
        return base, False  # already there: no actions, the client skips it
    verify = {"href": f"{lfs_base}/objects/verify"}
    settings = hub.settings
    if hub.s3 is not None:
        return _s3_upload_object(hub, repo, oid, size, base, verify, multipart_ok)
    if multipart_ok and size > settings.lfs_multipart_threshold:
        upload_id = secrets.token_hex(12)
        chunk = settings.lfs_chunk_size
        parts = math.ceil(size / chunk)
        header: dict[str, str] = {"chunk_size": str(chunk)}
        for n in range(1, parts + 1):
            header[str(n)] = signed_url(hub, f"/api/lfs/{repo.id}/{oid}/{size}/multipart/{upload_id}/{n}")
        complete = signed_url(hub, f"/api/lfs/{repo.id}/{oid}/{size}/multipart/{upload_id}")
        base["actions"] = {"upload": {"href": complete, "header": header}, "verify": verify}
        return base, True
    href = signed_url(hub, f"/api/lfs/{repo.id}/{oid}/{size}")
    base["actions"] = {"upload": {"href": href}, "verify": verify}
    return base, False


def staged_key(hub: Hub, repo_id: int, oid: str) -> str:
    assert hub.s3 is not None
    return hub.s3.staging_key(f"lfs/{repo_id}/{oid}")


def _s3_upload_object(
    hub: Hub, repo: Repo, oid: str, size: int, base: dict[str, Any], verify: dict[str, str], multipart_ok: bool
) -> tuple[dict[str, Any], bool]:
    """Bytes go straight to the bucket (a staging key); the verify call checks and promotes them."""
    s3 = hub.s3
    assert s3 is not None
    key = staged_key(hub, repo.id, oid)
    settings = hub.settings
    if multipart_ok and size > settings.lfs_multipart_threshold:
        upload_id = s3.start_multipart(key)
        chunk = settings.lfs_chunk_size
        header: dict[str, str] = {"chunk_size": str(chunk)}
        for n in range(1, math.ceil(size / chunk) + 1):
            header[str(n)] = s3.presign_part(key, upload_id, n)
        token = base64.urlsafe_b64encode(upload_id.encode()).decode().rstrip("=")
        complete = signed_url(hub, f"/api/lfs/{repo.id}/{oid}/{size}/s3multipart/{token}")
        base["actions"] = {"upload": {"href": complete, "header": header}, "verify": verify}
        return base, True
    base["actions"] = {"upload": {"href": s3.presign_put(key)}, "verify": verify}
    return base, False


def complete_s3_multipart(hub: Hub, repo_id: int, oid: str, size: int, token: str, parts: Any) -> None:
    s3 = hub.s3
    if s3 is None:
        raise NotFound("This hub does not store objects in S3")
    try:
        upload_id = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        numbered = [(int(p["partNumber"]), str(p["etag"])) for p in parts]
    except (KeyError, TypeError, ValueError):
        raise BadRequest("Each part needs a partNumber and an etag") from None
    if [n for n, _ in numbered] != list(range(1, len(numbered) + 1)):
        raise BadRequest("Parts must be numbered 1..N in order")
    from botocore.exceptions import ClientError

    try:
        s3.complete_multipart(staged_key(hub, repo_id, oid), upload_id, numbered)
    except ClientError as err:
        raise BadRequest(f"Cannot complete the multipart upload: {err}") from None
    finalize_staged(hub, repo_id, oid, size)


def finalize_staged(hub: Hub, repo_id: int, oid: str, size: int) -> bool:
    """Hash a staged S3 upload; if it is what it claims, move it to its content address."""
    s3 = hub.s3
    if s3 is None:
        return False
    key = staged_key(hub, repo_id, oid)
    staged = s3.staged_size(key)
    if staged is None:
        return False
    if staged != size:
        raise BadRequest(f"Size mismatch: expected {size} bytes, the upload has {staged}")
    h = hashlib.sha256()
    for block in s3.iter_staged(key):
        h.update(block)
    if h.hexdigest() != oid:
        raise BadRequest(f"Hash mismatch: the uploaded content hashes to {h.hexdigest()}, not {oid}")
    s3.promote(key, f"lfs/{oid}")
    record_object(hub, repo_id, oid, size)
    return True


def _download_object(hub: Hub, s: Session, repo: Repo, oid: str, size: int) -> dict[str, Any]:
    base: dict[str, Any] = {"oid": oid, "size": size, "authenticated": True}
    row = s.get(LfsObject, oid)
    if row is None or not is_linked(s, repo, oid):
        base["error"] = {"code": 404, "message": "Object does not exist"}
        return base
    base["size"] = row.size
    base["actions"] = {"download": {"href": signed_url(hub, f"/api/lfs/{repo.id}/{oid}/{row.size}")}}
    return base


# --- receiving bytes -----------------------------------------------------------------------


class Sink:
    """A temporary file being received: bytes are hashed as they are written."""

    def __init__(self, folder: Path, hashing: bool = True) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"in-{secrets.token_hex(8)}"
        self._f = open(self.path, "wb")  # noqa: SIM115 - closed by close()/discard()
        self._h = hashlib.sha256() if hashing else None
        self.size = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._h is not None:
            self._h.update(data)
        self._f.write(data)
        self.size += len(data)

    def close(self) -> str | None:
        self._f.close()
        return self._h.hexdigest() if self._h else None

    def discard(self) -> None:
        try:
            self._f.close()
        finally:
            self.path.unlink(missing_ok=True)


def store_verified(hub: Hub, repo_id: int, oid: str, size: int, path: Path, got_oid: str, got_size: int) -> None:
    """Move a received file into the store if it is what it claims to be, and link it."""
    if got_size != size:
        path.unlink(missing_ok=True)
        raise BadRequest(f"Size mismatch: expected {size} bytes, received {got_size}")
    if got_oid != oid:
        path.unlink(missing_ok=True)
        raise BadRequest(f"Hash mismatch: the content hashes to {got_oid}, not {oid}")
    hub.store.put_file(f"lfs/{oid}", path)
    record_object(hub, repo_id, oid, size)


def record_object(hub: Hub, repo_id: int, oid: str, size: int) -> None:
    """Record the object and link it to the repo; a concurrent upload of the same object may
    have done either already (two insert-or-ignore statements, no ORM round trips: this runs
    once per uploaded file)."""
    with hub.db.session() as s:
        s.execute(insert_ignore(s, LfsObject, {"oid": oid, "size": size, "created_at": utcnow()}))
        s.execute(insert_ignore(s, RepoLfsObject, {"repo_id": repo_id, "oid": oid}))


def upload_dir(hub: Hub, upload_id: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{24}", upload_id):
        raise BadRequest("Invalid upload id")
    return hub.store.temp_dir() / f"mp-{upload_id}"


def part_etag(upload_id: str, part: int, size: int) -> str:
    return hashlib.sha1(f"{upload_id}:{part}:{size}".encode()).hexdigest()


class PartSink:
    """Receives one multipart part straight into its place in the object's data file, so the
    completion only hashes the file (one read) instead of copying every part into a new one."""

    def __init__(self, folder: Path, part: int, chunk: int) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder, self.part = folder, part
        self._fd = os.open(folder / "data", os.O_WRONLY | os.O_CREAT, 0o600)
        self._offset = (part - 1) * chunk
        self.size = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        view = memoryview(data)
        while view:  # concurrent parts write disjoint ranges of the same file
            written = os.pwrite(self._fd, view, self._offset + self.size)
            self.size += written
            view = view[written:]

    def close(self) -> None:
        os.close(self._fd)
        # the part counts only once complete: its marker records the size received
        marker = self.folder / f"{self.part}.part"
        tmp = self.folder / f"{self.part}.part.{secrets.token_hex(4)}"
        tmp.write_text(str(self.size))
        tmp.replace(marker)

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self._fd)


def complete_multipart(hub: Hub, repo_id: int, oid: str, size: int, upload_id: str, parts: Any) -> None:
    folder = upload_dir(hub, upload_id)
    chunk = hub.settings.lfs_chunk_size
    if not isinstance(parts, list) or not parts:
        raise BadRequest("parts must be a non-empty list")
    try:
        numbers = [int(p["partNumber"]) for p in parts]
        etags = [str(p["etag"]).strip('"') for p in parts]
    except (KeyError, TypeError, ValueError):
        raise BadRequest("Each part needs a partNumber and an etag") from None
    if numbers != list(range(1, math.ceil(size / chunk) + 1)):
        raise BadRequest(f"Parts must be numbered 1..{math.ceil(size / chunk)} in order")
    for n, etag in zip(numbers, etags, strict=True):
        marker = folder / f"{n}.part"
        if not marker.is_file():
            raise BadRequest(f"Part {n} was not uploaded")
        got = int(marker.read_text())
        expected = min(chunk, size - (n - 1) * chunk)
        if got != expected or etag != part_etag(upload_id, n, got):
            raise BadRequest(f"Part {n} is incomplete or does not match its ETag")
    data = folder / "data"
    h = hashlib.sha256()
    with open(data, "rb") as f:
        while block := f.read(COPY_BUFFER):
            h.update(block)
    store_verified(hub, repo_id, oid, size, data, h.hexdigest(), data.stat().st_size)
    shutil.rmtree(folder, ignore_errors=True)


def verify(hub: Hub, s: Session, repo: Repo, body: Any) -> None:
    if not isinstance(body, dict) or not isinstance(body.get("oid"), str):
        raise BadRequest("The verify request needs an oid and a size")
    oid, size = body["oid"], body.get("size")
    if hub.s3 is not None and _OID_RE.match(oid) and isinstance(size, int) and not is_linked(s, repo, oid):
        finalize_staged(hub, repo.id, oid, size)
    row = s.get(LfsObject, oid)
    if row is None or not is_linked(s, repo, oid):
        raise NotFound(f"Object {oid} was not uploaded")
    if size is not None and row.size != size:
        raise BadRequest(f"Size mismatch: the object has {row.size} bytes, not {size}")


def linked_size(s: Session, repo_id: int, oid: str) -> int | None:
    return s.scalar(
        select(LfsObject.size)
        .join(RepoLfsObject, RepoLfsObject.oid == LfsObject.oid)
        .where(RepoLfsObject.repo_id == repo_id, LfsObject.oid == oid)
    )


def remove_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def duplicate(s: Session, source: Repo, target: Repo, files: Any) -> list[dict[str, str]]:
    """Make LFS/Xet content of ``source`` usable by ``target`` (a cross-repo copy without bytes
    moving). Returns the failures; content the source does not hold is never granted."""
    from ..db.models import XetRepoFile

    if not isinstance(files, list) or len(files) > MAX_BATCH_OBJECTS:
        raise BadRequest(f"files must be a list of at most {MAX_BATCH_OBJECTS} objects")
    failed = []
    for item in files:
        sha = item.get("sha256") if isinstance(item, dict) else None
        if not isinstance(sha, str) or not _OID_RE.match(sha):
            failed.append({"sha256": str(sha), "error": "invalid sha256"})
            continue
        xet_row = s.get(XetRepoFile, (source.id, sha))
        if is_linked(s, source, sha):
            if not is_linked(s, target, sha):
                s.add(RepoLfsObject(repo_id=target.id, oid=sha))
        elif xet_row is not None:
            if s.get(XetRepoFile, (target.id, sha)) is None:
                s.add(XetRepoFile(repo_id=target.id, sha256=sha, file_hash=xet_row.file_hash, size=xet_row.size))
        else:
            failed.append({"sha256": sha, "error": "not found in the source repo"})
    return failed
