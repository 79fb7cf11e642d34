"""Xorbs: a stream of chunks, each an 8-byte header and a (possibly LZ4-compressed) payload."""

from __future__ import annotations

import struct
from dataclasses import dataclass

import lz4.frame

from . import hashing

MAX_CHUNKS = 8192
MAX_RAW_BYTES = 64 * 1024 * 1024
MAX_CHUNK_RAW = 128 * 1024
MAX_CHUNK_COMPRESSED = 256 * 1024
MAX_BODY = 65 * 1024 * 1024
FOOTER_IDENT = b"XETBLOB"
SCHEME_NONE, SCHEME_LZ4, SCHEME_BG4 = 0, 1, 2
CHUNK_META = struct.Struct("<32sII")  # chunk hash, raw length, stream start


class XorbError(ValueError):
    """Bad xorb bytes (answered with 400: a 5xx would make clients retry for minutes)."""


@dataclass(frozen=True)
class ChunkInfo:
    hash: bytes
    raw_len: int
    stream_start: int  # offset of the chunk header in the stream
    stream_end: int  # offset just after its payload


def _header(stream: bytes | memoryview, pos: int) -> tuple[int, int, int, int]:
    version = stream[pos]
    compressed = stream[pos + 1] | stream[pos + 2] << 8 | stream[pos + 3] << 16
    scheme = stream[pos + 4]
    raw = stream[pos + 5] | stream[pos + 6] << 8 | stream[pos + 7] << 16
    return version, compressed, scheme, raw


def decode_payload(payload: bytes | memoryview, scheme: int, raw_len: int) -> bytes:
    if scheme == SCHEME_NONE:
        data = bytes(payload)
    elif scheme == SCHEME_LZ4:
        data = _lz4(payload)
    elif scheme == SCHEME_BG4:
        data = _ungroup4(_lz4(payload), raw_len)
    else:
        raise XorbError(f"unknown compression scheme {scheme}")
    if len(data) != raw_len:
        raise XorbError(f"chunk decodes to {len(data)} bytes, header says {raw_len}")
    return data


def _lz4(payload: bytes | memoryview) -> bytes:
    try:
        return lz4.frame.decompress(bytes(payload))
    except RuntimeError as err:  # lz4 reports corrupt frames as RuntimeError
        raise XorbError(f"invalid LZ4 frame: {err}") from None


def _ungroup4(grouped: bytes, n: int) -> bytes:
    """Undo byte grouping by position modulo 4."""
    if len(grouped) != n:
        raise XorbError("byte-grouped chunk has the wrong length")
    out = bytearray(n)
    pos = 0
    for k in range(4):
        size = n // 4 + (1 if k < n % 4 else 0)
        out[k::4] = grouped[pos : pos + size]
        pos += size
    return bytes(out)


def parse(stream: bytes | memoryview) -> list[ChunkInfo]:
    """Check every chunk of a xorb body and return its chunks (hash of the decoded bytes)."""
    if len(stream) == 0:
        raise XorbError("empty xorb")
    if len(stream) > MAX_BODY:
        raise XorbError("xorb larger than 65 MiB")
    view = memoryview(stream)
    chunks: list[ChunkInfo] = []
    pos = 0
    raw_total = 0
    while pos < len(view):
        if len(view) - pos >= 7 and bytes(view[pos : pos + 7]) == FOOTER_IDENT:
            break  # an old client's footer: the chunks end here
        if len(view) - pos < 8:
            raise XorbError(f"truncated chunk header at byte {pos}")
        version, compressed, scheme, raw_len = _header(view, pos)
        if version != 0:
            raise XorbError(f"unsupported chunk version {version} at byte {pos}")
        if raw_len > MAX_CHUNK_RAW or compressed > MAX_CHUNK_COMPRESSED:
            raise XorbError(f"chunk at byte {pos} is too large")
        end = pos + 8 + compressed
        if end > len(view):
            raise XorbError(f"truncated chunk payload at byte {pos}")
        data = decode_payload(view[pos + 8 : end], scheme, raw_len)
        chunks.append(ChunkInfo(hashing.chunk_hash(data), raw_len, pos, end))
        raw_total += raw_len
        if len(chunks) > MAX_CHUNKS:
            raise XorbError(f"more than {MAX_CHUNKS} chunks")
        if raw_total > MAX_RAW_BYTES:
            raise XorbError("more than 64 MiB of chunk data")
        pos = end
    if not chunks:
        raise XorbError("a xorb holds at least one chunk")
    return chunks


def verify(stream: bytes | memoryview, expected_hash: bytes) -> list[ChunkInfo]:
    chunks = parse(stream)
    got = hashing.xorb_hash([(c.hash, c.raw_len) for c in chunks])
    if got != expected_hash:
        raise XorbError(f"the xorb hashes to {hashing.to_str(got)}, not {hashing.to_str(expected_hash)}")
    return chunks


def pack_meta(chunks: list[ChunkInfo]) -> bytes:
    return b"".join(CHUNK_META.pack(c.hash, c.raw_len, c.stream_start) for c in chunks)


def unpack_meta(blob: bytes, stream_size: int) -> list[ChunkInfo]:
    items = [CHUNK_META.unpack_from(blob, i) for i in range(0, len(blob), CHUNK_META.size)]
    out = []
    for k, (h, raw, start) in enumerate(items):
        end = items[k + 1][2] if k + 1 < len(items) else stream_size
        out.append(ChunkInfo(h, raw, start, end))
    return out


def decode_chunks(stream: bytes | memoryview) -> list[bytes]:
    """Decode a slice of a stored stream that starts and ends on chunk boundaries."""
    view = memoryview(stream)
    out = []
    pos = 0
    while pos < len(view):
        _, compressed, scheme, raw_len = _header(view, pos)
        end = pos + 8 + compressed
        out.append(decode_payload(view[pos + 8 : end], scheme, raw_len))
        pos = end
    return out


def encode_chunk(data: bytes) -> bytes:
    """An uncompressed chunk (scheme 0): what the server writes when it builds xorbs itself."""
    n = len(data)
    return bytes([0, n & 0xFF, (n >> 8) & 0xFF, n >> 16, SCHEME_NONE, n & 0xFF, (n >> 8) & 0xFF, n >> 16]) + data
