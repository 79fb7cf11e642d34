"""The Xet CAS: tokens, verified xorb and shard uploads, reconstructions, the download bridge.

Trust rules: a xorb is stored only if its bytes hash to its name; a shard registers a file
only if every term points at chunks we hold, the range hashes prove the uploader knew those
chunks, the file hash recomputes from the terms, and the sha256 we compute from the decoded
bytes matches the one claimed. Registration is per repo (the token's), so a hash alone never
grants access to someone else's content.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import struct
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ..db.engine import insert_ignore
from ..db.models import XetFile, XetRepoFile, XetXorb
from ..errors import BadRequest, Forbidden, NotFound, RangeNotSatisfiable, Unauthorized
from ..hub import Hub
from ..storage.gitstore import LRU
from ..xet import hashing, reconstruct, shard, xorb
from ..xet.shard import Term
from .accounts import utcnow

TOKEN_TTL = 3600
TRANSFER_TTL = 3600
TERM = struct.Struct("<32sIII")
CAS_PREFIXES = ("default", "default-merkledb")


# --- tokens --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CasToken:
    repo_id: int
    scope: str  # "read" | "write"
    exp: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue_token(secret: bytes, repo_id: int, scope: str) -> tuple[str, int]:
    exp = int(time.time()) + TOKEN_TTL
    payload = _b64(json.dumps({"r": repo_id, "s": scope, "e": exp}, separators=(",", ":")).encode())
    sig = _b64(hmac.new(secret, b"xet1." + payload.encode(), hashlib.sha256).digest())
    return f"xet1.{payload}.{sig}", exp


def check_token(secret: bytes, token: str | None, scope: str) -> CasToken:
    if not token:
        raise Unauthorized("A CAS token is required (from the hub's xet-read-token/xet-write-token)")
    try:
        version, payload, sig = token.split(".")
        expected = _b64(hmac.new(secret, f"{version}.{payload}".encode(), hashlib.sha256).digest())
        if version != "xet1" or not hmac.compare_digest(sig, expected):
            raise ValueError
        data = json.loads(_unb64(payload))
        tok = CasToken(int(data["r"]), str(data["s"]), int(data["e"]))
    except (ValueError, KeyError, TypeError):
        raise Unauthorized("Invalid CAS token") from None
    if tok.exp < time.time():
        raise Unauthorized("Expired CAS token")
    if scope == "write" and tok.scope != "write":
        raise Forbidden("This CAS token is read-only")
    return tok


def parse_hash(text: str) -> bytes:
    try:
        return hashing.from_str(text)
    except ValueError:
        raise BadRequest(f"Invalid Xet hash {text!r}") from None


def check_prefix(prefix: str) -> None:
    if prefix not in CAS_PREFIXES:
        raise BadRequest(f"Unknown CAS prefix {prefix!r}")


# --- xorbs ---------------------------------------------------------------------------------

_chunk_tables: LRU[bytes, list[xorb.ChunkInfo]] = LRU(4096)


def store_xorb(hub: Hub, raw_hash: bytes, body: bytes) -> bool:
    """Verify and store an uploaded xorb; False if we already had it."""
    key = f"xorb/{hashing.to_str(raw_hash)}"
    with hub.db.session() as s:
        # the row, not a (possibly cached) existence check: gc deletes both together
        if s.get(XetXorb, hashing.to_str(raw_hash)) is not None:
            return False
    try:
        chunks = xorb.verify(body, raw_hash)
    except xorb.XorbError as err:
        raise BadRequest(f"Invalid xorb: {err}") from None
    hub.store.put_bytes(key, body)
    row = {
        "hash": hashing.to_str(raw_hash),
        "stream_size": len(body),
        "raw_size": sum(c.raw_len for c in chunks),
        "num_chunks": len(chunks),
        "chunk_meta": xorb.pack_meta(chunks),
        "created_at": utcnow(),
    }
    with hub.db.session() as s:  # a concurrent upload of the same xorb may have recorded it first
        s.execute(insert_ignore(s, XetXorb, row))
    return True


def chunk_table(hub: Hub, raw_hash: bytes) -> list[xorb.ChunkInfo]:
    def load() -> list[xorb.ChunkInfo]:
        with hub.db.session() as s:
            row = s.get(XetXorb, hashing.to_str(raw_hash))
        if row is None:
            raise KeyError(hashing.to_str(raw_hash))
        return xorb.unpack_meta(row.chunk_meta, row.stream_size)

    return _chunk_tables.get_or(raw_hash, load)


def xorb_size(hub: Hub, raw_hash: bytes) -> int | None:
    return hub.store.size(f"xorb/{hashing.to_str(raw_hash)}")


# --- shards --------------------------------------------------------------------------------


def _known_chunks(hub: Hub, raw_hash: bytes) -> list[xorb.ChunkInfo]:
    try:
        return chunk_table(hub, raw_hash)
    except KeyError:
        raise BadRequest(f"The shard references xorb {hashing.to_str(raw_hash)}, which was not uploaded") from None


def _check_xorb_block(hub: Hub, block: shard.ShardXorb) -> None:
    ours = _known_chunks(hub, block.hash)
    theirs = block.chunks
    if len(ours) != len(theirs):
        raise BadRequest(f"Xorb {hashing.to_str(block.hash)}: chunk count differs from the uploaded xorb")
    raw_start = 0
    for mine, (h, start, length) in zip(ours, theirs, strict=True):
        if h != mine.hash or length != mine.raw_len or start != raw_start:
            raise BadRequest(f"Xorb {hashing.to_str(block.hash)}: chunk list differs from the uploaded xorb")
        raw_start += length
    if block.bytes_in_cas != raw_start:
        raise BadRequest(f"Xorb {hashing.to_str(block.hash)}: wrong byte count")


def _check_file(hub: Hub, f: shard.ShardFile) -> None:
    name = hashing.to_str(f.file_hash)
    if f.range_hashes is None:
        raise BadRequest(f"File {name}: verification entries are required")
    leaves: list[tuple[bytes, int]] = []
    for term, proof in zip(f.terms, f.range_hashes, strict=True):
        chunks = _known_chunks(hub, term.xorb)
        if not (0 <= term.start < term.end <= len(chunks)):
            raise BadRequest(f"File {name}: chunk range [{term.start}, {term.end}) out of bounds")
        part = chunks[term.start : term.end]
        if sum(c.raw_len for c in part) != term.unpacked:
            raise BadRequest(f"File {name}: wrong unpacked size for a term")
        if hashing.range_hash([c.hash for c in part]) != proof:
            raise BadRequest(f"File {name}: wrong verification hash for a term")
        leaves += [(c.hash, c.raw_len) for c in part]
    if hashing.file_hash(leaves) != f.file_hash:
        raise BadRequest(f"File {name}: the terms do not hash to the file hash")


def _content_sha256(hub: Hub, terms: list[Term], size: int) -> str:
    h = hashlib.sha256()
    for data in file_bytes(hub, terms, 0, size):
        h.update(data)
    return h.hexdigest()


def register_shard(hub: Hub, repo_id: int, body: bytes, progress: Callable[[], None] | None = None) -> int:
    """Verify a shard and register its files for ``repo_id``. Returns 1 (registered)."""
    try:
        parsed = shard.parse(body)
    except shard.ShardError as err:
        raise BadRequest(f"Invalid shard: {err}") from None
    for block in parsed.xorbs:
        _check_xorb_block(hub, block)
    for f in parsed.files:
        _check_file(hub, f)
    for f in parsed.files:
        if not f.terms:
            if f.file_hash != hashing.ZERO:
                raise BadRequest("An empty file must have the zero file hash")
            continue  # empty files are committed inline, never through Xet
        name = hashing.to_str(f.file_hash)
        with hub.db.session() as s:
            existing = s.get(XetFile, name)
        sha = existing.sha256 if existing else _content_sha256(hub, f.terms, f.size)
        if f.sha256 and f.sha256 != sha:
            raise BadRequest(f"File {name}: its bytes hash to sha256 {sha}, not {f.sha256}")
        if progress:
            progress()
        _record_file(hub, repo_id, name, f, sha, existing is None)
    return 1


def _record_file(hub: Hub, repo_id: int, name: str, f: shard.ShardFile, sha: str, new: bool) -> None:
    """Record the file (when ``new``) and register it for the repo; a concurrent shard upload may
    have done either already."""
    with hub.db.session() as s:
        if new:
            terms = b"".join(TERM.pack(t.xorb, t.unpacked, t.start, t.end) for t in f.terms)
            values = {"file_hash": name, "size": f.size, "sha256": sha, "terms": terms, "created_at": utcnow()}
            s.execute(insert_ignore(s, XetFile, values))
        s.execute(insert_ignore(s, XetRepoFile, {"repo_id": repo_id, "sha256": sha, "file_hash": name, "size": f.size}))


# --- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class XetEntry:
    file_hash: str
    size: int
    terms: list[Term]


def _terms(blob: bytes) -> list[Term]:
    return [Term(*TERM.unpack_from(blob, i)) for i in range(0, len(blob), TERM.size)]


def readable_file(hub: Hub, repo_id: int, file_hash: str) -> XetEntry:
    """A file the repo may read (registered through it), else NotFound."""
    with hub.db.session() as s:
        allowed = s.scalar(
            select(XetRepoFile.sha256)
            .where(XetRepoFile.repo_id == repo_id, XetRepoFile.file_hash == file_hash)
            .limit(1)
        )
        row = s.get(XetFile, file_hash) if allowed else None
    if row is None:
        raise NotFound(f"File {file_hash} not found")
    return XetEntry(row.file_hash, row.size, _terms(row.terms))


BY_SHA256 = (
    "SELECT f.file_hash, f.size, f.terms FROM xet_repo_files x JOIN xet_files f ON f.file_hash = x.file_hash "
    "WHERE x.repo_id = :repo_id AND x.sha256 = :sha256"
)


def repo_file_by_sha256(s: Session, repo_id: int, sha256: str) -> XetEntry | None:
    """The Xet file holding this content for this repo (see also fastpath.xet_file)."""
    row = s.execute(text(BY_SHA256), {"repo_id": repo_id, "sha256": sha256}).first()
    return XetEntry(row[0], row[1], _terms(row[2])) if row else None


def xet_hashes(s: Session, repo_id: int, sha256s: list[str]) -> dict[str, str]:
    """sha256 -> Xet file hash, for content this repo holds through Xet."""
    if not sha256s:
        return {}
    rows = s.execute(
        select(XetRepoFile.sha256, XetRepoFile.file_hash).where(
            XetRepoFile.repo_id == repo_id, XetRepoFile.sha256.in_(sha256s)
        )
    ).all()
    return {sha: fh for sha, fh in rows}


def xet_sizes(s: Session, repo_id: int, sha256s: list[str]) -> dict[str, int]:
    if not sha256s:
        return {}
    rows = s.execute(
        select(XetRepoFile.sha256, XetRepoFile.size).where(
            XetRepoFile.repo_id == repo_id, XetRepoFile.sha256.in_(sha256s)
        )
    ).all()
    return {sha: size for sha, size in rows}


def file_bytes(hub: Hub, terms: list[Term], a: int, b: int) -> Iterator[bytes]:
    def read(raw_hash: bytes, start: int, end: int) -> bytes:
        return hub.store.read_range(f"xorb/{hashing.to_str(raw_hash)}", start, end)

    return reconstruct.stream(terms, lambda h: chunk_table(hub, h), read, a, b)


def byte_range(header: str | None, size: int) -> tuple[int, int]:
    """[a, b) of a reconstruction request (inclusive HTTP ranges, suffixes and open ends)."""
    if not header:
        return 0, size
    spec = header.strip()
    if not spec.lower().startswith("bytes="):
        raise BadRequest("Only byte ranges are supported")
    first, _, last = spec[6:].strip().partition("-")
    try:
        if first == "":
            a, b = max(0, size - int(last)), size
        else:
            a = int(first)
            b = min(int(last) + 1, size) if last.strip() else size
    except ValueError:
        raise BadRequest(f"Malformed range {header!r}") from None
    if a >= size or b <= a:
        raise RangeNotSatisfiable(f"Range {header!r} not satisfiable (size {size})")
    return a, b


def reconstruction(
    hub: Hub, entry: XetEntry, a: int, b: int, *, version: int, xorb_url: Callable[..., str]
) -> dict[str, Any]:
    p = reconstruct.plan(entry.terms, lambda h: chunk_table(hub, h), a, b)
    out: dict[str, Any] = {"offset_into_first_range": p.offset_into_first_range, "terms": reconstruct.term_json(p)}
    if version == 2:
        out["xorbs"] = {
            hashing.to_str(x): [
                {
                    "url": xorb_url(x, ranges),
                    "ranges": [
                        {
                            "chunks": {"start": r.start, "end": r.end},
                            "bytes": {"start": r.byte_start, "end": r.byte_end},
                        }
                        for r in ranges
                    ],
                }
            ]
            for x, ranges in p.fetch.items()
        }
    else:
        out["fetch_info"] = {
            hashing.to_str(x): [
                {
                    "range": {"start": r.start, "end": r.end},
                    "url": xorb_url(x, [r]),
                    "url_range": {"start": r.byte_start, "end": r.byte_end},
                }
                for r in ranges
            ]
            for x, ranges in p.fetch.items()
        }
    return out


def _span(start: int, end: int) -> dict[str, int]:
    return {"start": start, "end": end}


# --- transfer URLs -------------------------------------------------------------------------


def sign_transfer(secret: bytes, xorb_str: str, ranges: str, exp: int) -> str:
    return hmac.new(secret, f"xorb|{xorb_str}|{ranges}|{exp}".encode(), hashlib.sha256).hexdigest()


def transfer_url(hub: Hub, raw_hash: bytes, ranges: list[reconstruct.FetchRange]) -> str:
    """A URL the client fetches the ranges from without credentials: presigned by the bucket in
    S3 mode (the bytes never pass through the hub), else signed by us."""
    name = hashing.to_str(raw_hash)
    if hub.s3 is not None:
        return hub.s3.presign_get(f"xorb/{name}")
    spans = ",".join(f"{r.byte_start}-{r.byte_end}" for r in ranges)
    exp = int(time.time()) + TRANSFER_TTL
    sig = sign_transfer(hub.secret, name, spans, exp)
    return f"{hub.settings.public_url}/xet/xorb/{name}?r={spans}&exp={exp}&sig={sig}"


def check_transfer(hub: Hub, name: str, spans: str, exp: str, sig: str) -> list[tuple[int, int]]:
    """The signed byte spans (inclusive) of a transfer URL, or Forbidden."""
    if not exp.isdigit() or int(exp) < time.time():
        raise Forbidden("Expired transfer URL: request the reconstruction again")
    if not hmac.compare_digest(sign_transfer(hub.secret, name, spans, int(exp)), sig):
        raise Forbidden("Invalid transfer URL signature")
    out = []
    for span in spans.split(","):
        a, _, b = span.partition("-")
        out.append((int(a), int(b)))
    return out
