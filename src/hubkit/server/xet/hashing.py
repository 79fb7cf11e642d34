"""Xet hashes: keyed BLAKE3 over chunks, a content-defined merkle tree, and the hash string form."""

from __future__ import annotations

import re
import struct
from collections.abc import Sequence

from blake3 import blake3

DATA_KEY = bytes(
    [102, 151, 245, 119, 91, 149, 80, 222, 49, 53, 203, 172, 165, 151, 24, 28,
     157, 228, 33, 16, 155, 235, 43, 88, 180, 208, 176, 75, 147, 173, 242, 41]
)  # fmt: skip
INTERNAL_NODE_KEY = bytes(
    [1, 126, 197, 199, 165, 71, 41, 150, 253, 148, 102, 102, 180, 138, 2, 230,
     93, 221, 83, 111, 55, 199, 109, 210, 248, 99, 82, 230, 74, 83, 113, 63]
)  # fmt: skip
VERIFICATION_KEY = bytes(
    [127, 24, 87, 214, 206, 86, 237, 102, 18, 127, 249, 19, 231, 165, 195, 243,
     164, 205, 38, 213, 181, 219, 73, 230, 65, 36, 152, 127, 40, 251, 148, 195]
)  # fmt: skip
FILE_KEY = bytes(32)
ZERO = bytes(32)
_HASH_RE = re.compile(r"^[0-9a-f]{64}$")


def to_str(raw: bytes) -> str:
    """The string form: each 8-byte group byte-reversed, then hex (what URLs and JSON carry)."""
    return "".join(raw[i : i + 8][::-1].hex() for i in range(0, 32, 8))


def from_str(text: str) -> bytes:
    if not _HASH_RE.match(text):
        raise ValueError(f"not a Xet hash: {text!r}")
    raw = bytes.fromhex(text)
    return b"".join(raw[i : i + 8][::-1] for i in range(0, 32, 8))


def is_hash_str(text: str) -> bool:
    return bool(_HASH_RE.match(text))


def chunk_hash(data: bytes | memoryview) -> bytes:
    return blake3(data, key=DATA_KEY).digest()


def _u64_tail(h: bytes) -> int:
    return int(struct.unpack_from("<Q", h, 24)[0])


def aggregate(nodes: Sequence[tuple[bytes, int]]) -> bytes:
    """The merkle root over (hash, size) leaves with content-defined fan-out (3 to 9)."""
    if not nodes:
        return ZERO
    level = list(nodes)
    while len(level) > 1:
        nxt: list[tuple[bytes, int]] = []
        i = 0
        n_total = len(level)
        while i < n_total:
            n = n_total - i
            if n <= 2:
                cut = n
            else:
                end = min(9, n)
                cut = end
                for j in range(2, end):
                    if _u64_tail(level[i + j][0]) % 4 == 0:
                        cut = j + 1
                        break
            group = level[i : i + cut]
            text = "".join(f"{to_str(h)} : {size}\n" for h, size in group)
            nxt.append((blake3(text.encode("ascii"), key=INTERNAL_NODE_KEY).digest(), sum(s for _, s in group)))
            i += cut
        level = nxt
    return level[0][0]


def xorb_hash(chunks: Sequence[tuple[bytes, int]]) -> bytes:
    return aggregate(chunks)


def file_hash(chunks: Sequence[tuple[bytes, int]]) -> bytes:
    if not chunks:
        return ZERO
    return blake3(aggregate(chunks), key=FILE_KEY).digest()


def range_hash(chunk_hashes: Sequence[bytes]) -> bytes:
    return blake3(b"".join(chunk_hashes), key=VERIFICATION_KEY).digest()
