"""Shards: the binary record of file reconstructions (and new xorbs) a client uploads.

Only the upload form is parsed (header, file-info section, CAS-info section); every count is
bounds-checked against the body before it is trusted.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from . import hashing

TAG = bytes.fromhex("48465265706f4d6574614461746100556967456a7b815783a5bdd95ccdd14aa9")
RECORD = 48
BOOKEND_HASH = b"\xff" * 32
FLAG_VERIFICATION = 0x80000000
FLAG_METADATA_EXT = 0x40000000
MAX_SHARD = 64 * 1024 * 1024


class ShardError(ValueError):
    pass


@dataclass(frozen=True)
class Term:
    xorb: bytes
    unpacked: int
    start: int
    end: int


@dataclass(frozen=True)
class ShardFile:
    file_hash: bytes
    terms: list[Term]
    range_hashes: list[bytes] | None
    sha256: str | None  # standard hex digest

    @property
    def size(self) -> int:
        return sum(t.unpacked for t in self.terms)


@dataclass(frozen=True)
class ShardXorb:
    hash: bytes
    chunks: list[tuple[bytes, int, int]]  # (chunk hash, raw start, raw length)
    bytes_in_cas: int


@dataclass(frozen=True)
class Shard:
    files: list[ShardFile]
    xorbs: list[ShardXorb]


class _Reader:
    def __init__(self, body: bytes) -> None:
        self.body = memoryview(body)
        self.pos = 0

    def record(self, what: str) -> memoryview:
        if self.pos + RECORD > len(self.body):
            raise ShardError(f"truncated shard: expected {what} at byte {self.pos}")
        rec = self.body[self.pos : self.pos + RECORD]
        self.pos += RECORD
        return rec

    def records(self, n: int, what: str) -> list[memoryview]:
        if n < 0 or self.pos + n * RECORD > len(self.body):
            raise ShardError(f"truncated shard: {n} {what} records do not fit in the body")
        return [self.record(what) for _ in range(n)]


def parse(body: bytes) -> Shard:
    if len(body) > MAX_SHARD:
        raise ShardError("shard larger than 64 MiB")
    r = _Reader(body)
    head = r.record("the header")
    if bytes(head[:32]) != TAG:
        raise ShardError("not a shard: bad header tag")
    version, footer_size = struct.unpack_from("<QQ", head, 32)
    if version != 2:
        raise ShardError(f"unsupported shard version {version}")
    files = _file_section(r)
    xorbs = _cas_section(r)
    rest = len(r.body) - r.pos
    if footer_size == 0 and rest:
        raise ShardError(f"{rest} unexpected bytes after the shard's last section")
    return Shard(files, xorbs)


def _file_section(r: _Reader) -> list[ShardFile]:
    files = []
    while True:
        rec = r.record("a file header or the bookend")
        if bytes(rec[:32]) == BOOKEND_HASH:
            return files
        flags, n = struct.unpack_from("<II", rec, 32)
        terms = []
        for e in r.records(n, "file term"):
            _, unpacked, start, end = struct.unpack_from("<IIII", e, 32)
            terms.append(Term(bytes(e[:32]), unpacked, start, end))
        range_hashes = None
        if flags & FLAG_VERIFICATION:
            range_hashes = [bytes(v[:32]) for v in r.records(n, "verification")]
        sha256 = None
        if flags & FLAG_METADATA_EXT:
            sha256 = hashing.to_str(bytes(r.record("metadata")[:32]))
        files.append(ShardFile(bytes(rec[:32]), terms, range_hashes, sha256))


def _cas_section(r: _Reader) -> list[ShardXorb]:
    xorbs = []
    while True:
        rec = r.record("a xorb header or the bookend")
        if bytes(rec[:32]) == BOOKEND_HASH:
            return xorbs
        _, n, in_cas, _on_disk = struct.unpack_from("<IIII", rec, 32)
        chunks = []
        for e in r.records(n, "xorb chunk"):
            start, length = struct.unpack_from("<II", e, 32)
            chunks.append((bytes(e[:32]), start, length))
        xorbs.append(ShardXorb(bytes(rec[:32]), chunks, in_cas))


def build_upload_shard(files: list[ShardFile], xorbs: list[ShardXorb]) -> bytes:
    """The upload form of a shard (used by tests and by server-side conversion)."""
    out = bytearray(TAG + struct.pack("<QQ", 2, 0))
    for f in files:
        flags = (FLAG_VERIFICATION if f.range_hashes is not None else 0) | (FLAG_METADATA_EXT if f.sha256 else 0)
        out += f.file_hash + struct.pack("<IIQ", flags, len(f.terms), 0)
        for t in f.terms:
            out += t.xorb + struct.pack("<IIII", 0, t.unpacked, t.start, t.end)
        for h in f.range_hashes or []:
            out += h + bytes(16)
        if f.sha256:
            out += hashing.from_str(f.sha256) + bytes(16)
    out += BOOKEND_HASH + bytes(16)
    for x in xorbs:
        out += x.hash + struct.pack("<IIII", 0, len(x.chunks), x.bytes_in_cas, 0)
        for h, start, length in x.chunks:
            out += h + struct.pack("<IIII", start, length, 0, 0)
    out += BOOKEND_HASH + bytes(16)
    return bytes(out)
