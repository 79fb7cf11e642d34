"""File reconstruction: which chunk ranges of which xorbs make up a byte range of a file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from . import hashing
from .shard import Term
from .xorb import ChunkInfo, decode_chunks

ChunkTable = Callable[[bytes], list[ChunkInfo]]  # xorb hash -> its chunks


@dataclass
class PlannedTerm:
    xorb: bytes
    start: int  # chunk range [start, end)
    end: int
    unpacked: int


@dataclass
class FetchRange:
    start: int  # chunk range [start, end)
    end: int
    byte_start: int  # byte span in the stored stream, end inclusive
    byte_end: int


@dataclass
class Plan:
    offset_into_first_range: int
    terms: list[PlannedTerm]
    fetch: dict[bytes, list[FetchRange]] = field(default_factory=dict)


def plan(terms: list[Term], chunks_of: ChunkTable, a: int, b: int) -> Plan:
    """The terms covering file bytes [a, b) (b exclusive, a < b <= size), trimmed to whole
    chunks, and per xorb the merged chunk ranges with their byte spans."""
    pos = 0
    out: list[PlannedTerm] = []
    per_xorb: dict[bytes, list[list[int]]] = {}
    first_offset: int | None = None
    for term in terms:
        t_start, t_end = pos, pos + term.unpacked
        pos = t_end
        if t_end <= a:
            continue
        if t_start >= b:
            break
        chunks = chunks_of(term.xorb)
        cs, ce, off = term.start, term.end, t_start
        while off + chunks[cs].raw_len <= a:
            off += chunks[cs].raw_len
            cs += 1
        end_off = t_end
        while end_off - chunks[ce - 1].raw_len >= b:
            end_off -= chunks[ce - 1].raw_len
            ce -= 1
        if first_offset is None:
            first_offset = off
        out.append(PlannedTerm(term.xorb, cs, ce, end_off - off))
        per_xorb.setdefault(term.xorb, []).append([cs, ce])
    result = Plan(a - (first_offset or 0), out)
    for xorb, ranges in per_xorb.items():
        chunks = chunks_of(xorb)
        ranges.sort()
        merged: list[list[int]] = []
        for r in ranges:
            if merged and r[0] <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], r[1])
            else:
                merged.append(list(r))
        result.fetch[xorb] = [FetchRange(s, e, chunks[s].stream_start, chunks[e - 1].stream_end - 1) for s, e in merged]
    return result


def term_json(plan_: Plan) -> list[dict[str, object]]:
    return [
        {"hash": hashing.to_str(t.xorb), "unpacked_length": t.unpacked, "range": {"start": t.start, "end": t.end}}
        for t in plan_.terms
    ]


ReadRange = Callable[[bytes, int, int], bytes]  # (xorb, byte start, byte end exclusive) -> bytes


def stream(terms: list[Term], chunks_of: ChunkTable, read: ReadRange, a: int, b: int) -> Iterator[bytes]:
    """The bytes [a, b) of a file, decoded term by term (never the whole file in memory)."""
    p = plan(terms, chunks_of, a, b)
    skip = p.offset_into_first_range
    remaining = b - a
    for term in p.terms:
        for data in _decoded(term, chunks_of(term.xorb), read):
            if skip:
                if skip >= len(data):
                    skip -= len(data)
                    continue
                data = data[skip:]
                skip = 0
            if len(data) >= remaining:
                yield data[:remaining]
                return
            remaining -= len(data)
            yield data


READ_WINDOW = 4 * 1024 * 1024


def _decoded(term: PlannedTerm, chunks: list[ChunkInfo], read: ReadRange) -> Iterator[bytes]:
    """The decoded chunks of a term, read from storage a few MiB at a time."""
    i = term.start
    while i < term.end:
        j = i + 1
        while j < term.end and chunks[j].stream_end - chunks[i].stream_start <= READ_WINDOW:
            j += 1
        yield from decode_chunks(read(term.xorb, chunks[i].stream_start, chunks[j - 1].stream_end))
        i = j
