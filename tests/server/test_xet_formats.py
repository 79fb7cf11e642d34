"""Xet formats against the byte-exact vectors of shared/design/xet-protocol.md §13."""

from __future__ import annotations

import hashlib
import struct

import lz4.frame
import pytest

from hubkit.server.xet import chunking, hashing, reconstruct, shard, xorb

HELLO_SHARD = bytes.fromhex(
    "48465265706f4d6574614461746100556967456a7b815783a5bdd95ccdd14aa9"
    "02000000000000000000000000000000"
    "fd5ce8b743dd5ef19fb913fe8f75e225f6d9e817a8df09dd7fdb26a1a7228754"
    "000000c0010000000000000000000000"
    "119f359d8b37394e0213441f7a559081d97ba0cf5f4ea519b151e66f460bf56c"
    "000000000b0000000000000001000000"
    "30ea5cffdc2fef220c8aed157ead426e5846c32e7d9e785eda47689458270dc1"
    "00000000000000000000000000000000"
    "083e4d93b9274db9faab7ddad7522ea5ee80537ae3ef84c4e9cdefe2acf78890"
    "00000000000000000000000000000000"
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
    "00000000000000000000000000000000"
    "119f359d8b37394e0213441f7a559081d97ba0cf5f4ea519b151e66f460bf56c"
    "00000000010000000b00000000000000"
    "119f359d8b37394e0213441f7a559081d97ba0cf5f4ea519b151e66f460bf56c"
    "000000000b0000000000000000000000"
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
    "00000000000000000000000000000000"
)
HELLO_XORB = bytes.fromhex("000b0000000b000068656c6c6f20776f726c64")
LEGACY_XORB = bytes.fromhex(
    "0054000001e02e0004224d1860408245000000cf6c65676163792d62797465730c00ffffffffffffffffffffffffffffffff"
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe9602d627974657300000000"
)


def splitmix(n: int, seed: int) -> bytes:
    out = bytearray()
    state = seed
    mask = (1 << 64) - 1
    while len(out) < n:
        state = (state + 0x9E3779B97F4A7C15) & mask
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        z ^= z >> 31
        out += struct.pack("<Q", z)
    return bytes(out[:n])


def test_string_form() -> None:
    raw = bytes(range(32))
    assert hashing.to_str(raw) == "07060504030201000f0e0d0c0b0a090817161514131211101f1e1d1c1b1a1918"
    assert hashing.from_str(hashing.to_str(raw)) == raw
    with pytest.raises(ValueError):
        hashing.from_str("ABCD")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "e0f2cf784e7e5f10c34f84af150e9a5ff9664216debad915364d741049870f67"),
        (b"hello world", "4e39378b9d359f118190557a1f44130219a54e5fcfa07bd96cf50b466fe651b1"),
        (bytes(range(256)), "9f57228ea7fbc2959b01cdcede0f3f9688f0cfcc442352f3b020d4a9dfe20222"),
    ],
)
def test_chunk_hashes(data: bytes, expected: str) -> None:
    assert hashing.to_str(hashing.chunk_hash(data)) == expected


def test_chunk_boundaries() -> None:
    data = splitmix(1_000_000, 0)
    assert (data[0], data[127], data[111111]) == (175, 132, 118)
    assert chunking.chunk_ends(data) == [
        84493, 134421, 144853, 243318, 271793, 336457, 467529, 494581, 582000, 596735, 616815,
        653164, 678202, 724510, 815591, 827760, 958832, 991092, 1000000,
    ]  # fmt: skip
    assert chunking.chunk_ends(bytes([59]) * 1_000_000) == [
        131072, 262144, 393216, 524288, 655360, 786432, 917504, 1000000
    ]  # fmt: skip
    assert chunking.chunk_ends(splitmix(256_000, 1)) == [25125, 104497, 235569, 256000]
    assert chunking.chunk_ends(b"") == [] and chunking.chunk_ends(b"x" * 100) == [100]
    # streamed in odd block sizes, the boundaries do not move
    blocks = [data[i : i + 7777] for i in range(0, len(data), 7777)]
    assert list(chunking.iter_chunk_ends(blocks)) == chunking.chunk_ends(data)


PATTERN = bytes(
    [154, 52, 42, 34, 159, 75, 126, 224, 70, 236, 12, 196, 79, 236, 178, 124, 127, 50, 99, 178, 44, 176, 174, 126,
     250, 235, 205, 174, 252, 122, 35, 10, 20, 101, 214, 69, 193, 8, 115, 105, 158, 228, 120, 111, 136, 162, 198,
     251, 211, 183, 253, 252, 164, 147, 63, 16, 186, 162, 117, 23, 170, 36, 205, 187, 174, 76, 210, 174, 211, 175,
     12, 173, 145, 59, 2, 70, 222, 181, 159, 227, 182, 156, 189, 51, 226, 106, 24, 50, 183, 157, 140, 10, 8, 23,
     212, 70, 10, 234, 23, 33, 219, 254, 39, 236, 70, 49, 191, 116, 9, 115, 15, 101, 26, 159, 165, 220, 15, 170,
     56, 125, 92, 163, 94, 235, 38, 40, 49, 81]
)  # fmt: skip


@pytest.mark.parametrize(
    ("pad", "ends"),
    [
        (0, [8256, 16448, 24640, 32832, 41024, 49216, 57408, 65536]),
        (1, [8320, 16576, 24832, 33088, 41344, 49600, 57856, 65536]),
        (127, [8224, 16639, 25054, 33469, 41884, 50299, 58714, 65536]),
    ],
)
def test_minimum_size_edge_cases(pad: int, ends: list[int]) -> None:
    buf = bytearray(PATTERN + bytes(pad))
    while len(buf) < 65536:
        buf += buf[: min(65536 - len(buf), len(buf))]
    assert chunking.chunk_ends(bytes(buf)) == ends


A = "cfc5d07f6f03c29bbf424132963fe08d19a37d5757aaf520bf08119f05cd56d6"
B = "c3e67584b5c4fc2a89837ec39e40f2c8a6bb0b2987ac94cd4b31e5fbdd210a72"
C = "0d2beb91b9196929a5ddec9f6e306924ddf4a24268e3e59fd8464738d525af37"
Z = "0" * 64


@pytest.mark.parametrize(
    ("leaves", "xorb_hash", "file_hash"),
    [
        ([], Z, Z),
        ([(A, 100)], A, "8e16257caa3fe079d484d872a8975264b2ff683b0d6db9028cc7c0f968a45661"),
        (
            [(A, 100), (B, 200), (C, 300)],
            "71ec1275fca074724e2dd666921b3277c7cee603e4d025bcab2d4050015be2bc",
            "54e55dccc6653c612bdb5576c5d3cb34bb31bc4e100248abccf4c908b3ef7715",
        ),
        (
            [(A, 100)] * 4,
            "89f2ada89ff8c96763c6b25010e6dd76a4c05b1466207633ea559acf2093211b",
            "2cdba690d0e09563596e0cda626d43eb4c96ef1e994fe72d9b2f5a83cfcd36dd",
        ),
        (
            [(A, 100), (Z, 0)],
            "e8660f81494ca836a58e395c1395ef97870ed71e2b113eec1fab6b3361f46dd6",
            "274d92f7e2acebaa2b8d63c0b5e7a4fc15814a606e3e3825d55609e671bcc5d9",
        ),
    ],
)
def test_aggregate_and_file_hashes(leaves: list[tuple[str, int]], xorb_hash: str, file_hash: str) -> None:
    nodes = [(hashing.from_str(h), n) for h, n in leaves]
    assert hashing.to_str(hashing.xorb_hash(nodes)) == xorb_hash
    assert hashing.to_str(hashing.file_hash(nodes)) == file_hash


def test_whole_file_hashes() -> None:
    def file_hash(data: bytes) -> str:
        ends = chunking.chunk_ends(data)
        starts = [0, *ends[:-1]]
        return hashing.to_str(
            hashing.file_hash([(hashing.chunk_hash(data[s:e]), e - s) for s, e in zip(starts, ends, strict=True)])
        )

    assert file_hash(b"hello world") == "f15edd43b7e85cfd25e2758ffe13b99fdd09dfa817e8d9f6548722a7a126db7f"
    assert file_hash(splitmix(1_000_000, 0)) == "3d17b2d7d64a0e011b6717a52d9a16bd2c3f05b743fa8adf52a7d75dafab6d89"
    assert file_hash(bytes([59]) * 1_000_000) == "53f845640fcd1c7440befff65bd93434c83a30c6559a705597d61f2ef64e2f88"
    assert file_hash(splitmix(256_000, 1)) == "116cd39641ee392863a30c2a5bd6ab04676177a75604729bb98cfc4052fc3131"
    assert file_hash(b"legacy-bytes" * 1000) == "d3ad8f5b5c6fe125cd53adee1b24f1be82501614f6197a27f9b68919174186a2"


def test_range_hash() -> None:
    h = hashing.chunk_hash(b"hello world")
    assert hashing.to_str(hashing.range_hash([h])) == "22ef2fdcff5cea306e42ad7e15ed8a0c5e789e7d2ec34658c10d2758946847da"


def test_xorb_vectors() -> None:
    hello = xorb.verify(HELLO_XORB, hashing.chunk_hash(b"hello world"))
    assert [(c.raw_len, c.stream_start, c.stream_end) for c in hello] == [(11, 0, 19)]
    legacy_hash = hashing.from_str("c7d6856461e3c55c74c1038d5f831068faa5a4309b7be2a2c755572ff5640b15")
    chunks = xorb.verify(LEGACY_XORB, legacy_hash)
    assert chunks[0].raw_len == 12000
    assert xorb.decode_chunks(LEGACY_XORB) == [b"legacy-bytes" * 1000]


def test_bg4_roundtrip() -> None:
    for n in [*range(9), 1001, 65537]:
        raw = bytes((i * 7 + 3) % 251 for i in range(n))
        grouped = raw[0::4] + raw[1::4] + raw[2::4] + raw[3::4]
        payload = lz4.frame.compress(grouped)
        body = bytes([0, *len(payload).to_bytes(3, "little"), 2, *n.to_bytes(3, "little")]) + payload
        if n:
            assert xorb.decode_chunks(body) == [raw]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty"),
        (HELLO_XORB[:-1], "truncated"),
        (HELLO_XORB[:5], "truncated"),
        (b"\x01" + HELLO_XORB[1:], "version"),
        (HELLO_XORB[:4] + b"\x07" + HELLO_XORB[5:], "scheme"),
        (HELLO_XORB[:5] + b"\x0c\x00\x00" + HELLO_XORB[8:], "decodes"),
        (bytes([0, 0, 0, 0, 0, 0, 0, 4]), "too large"),
    ],
)
def test_bad_xorbs(body: bytes, message: str) -> None:
    with pytest.raises(xorb.XorbError, match=message):
        xorb.parse(body)


def test_xorb_hash_mismatch() -> None:
    with pytest.raises(xorb.XorbError, match="hashes to"):
        xorb.verify(HELLO_XORB, hashing.chunk_hash(b"something else"))


def test_shard_vector_parses() -> None:
    parsed = shard.parse(HELLO_SHARD)
    (f,) = parsed.files
    assert hashing.to_str(f.file_hash) == "f15edd43b7e85cfd25e2758ffe13b99fdd09dfa817e8d9f6548722a7a126db7f"
    assert f.sha256 == hashlib.sha256(b"hello world").hexdigest()
    assert f.size == 11 and len(f.terms) == 1 and f.terms[0].end == 1
    assert hashing.to_str(f.range_hashes[0]) == "22ef2fdcff5cea306e42ad7e15ed8a0c5e789e7d2ec34658c10d2758946847da"
    (x,) = parsed.xorbs
    assert x.bytes_in_cas == 11 and x.chunks == [(hashing.chunk_hash(b"hello world"), 0, 11)]
    assert shard.build_upload_shard(parsed.files, parsed.xorbs) == HELLO_SHARD


@pytest.mark.parametrize(
    "body",
    [
        HELLO_SHARD[:-1],
        HELLO_SHARD[:200],
        b"X" + HELLO_SHARD[1:],
        HELLO_SHARD[:32] + struct.pack("<Q", 3) + HELLO_SHARD[40:],
        HELLO_SHARD + b"trailing",
        HELLO_SHARD[:84] + struct.pack("<I", 10_000_000) + HELLO_SHARD[88:],  # term count overflows
    ],
)
def test_bad_shards(body: bytes) -> None:
    with pytest.raises(shard.ShardError):
        shard.parse(body)


def test_reconstruction_plan_trims_to_chunks() -> None:
    sizes = [100, 200, 300, 400]
    chunks = []
    pos = 0
    for i, n in enumerate(sizes):
        chunks.append(xorb.ChunkInfo(bytes([i]) * 32, n, pos, pos + 8 + n))
        pos += 8 + n
    x = b"x" * 32
    terms = [shard.Term(x, 1000, 0, 4), shard.Term(x, 500, 1, 3)]  # a second term reuses chunks 1-2
    p = reconstruct.plan(terms, lambda h: chunks, 150, 1100)
    assert p.offset_into_first_range == 50
    assert [(t.start, t.end, t.unpacked) for t in p.terms] == [(1, 4, 900), (1, 2, 200)]
    (fetch,) = p.fetch[x]
    assert (fetch.start, fetch.end, fetch.byte_start, fetch.byte_end) == (1, 4, 108, pos - 1)
