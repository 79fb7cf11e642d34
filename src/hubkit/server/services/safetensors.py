"""Safetensors weights of a repo: parameter counts by dtype, and the shard headers.

When the main branch moves, ``index_head`` works out which files hold the model's weights
(``model.safetensors``, else the shards of ``model.safetensors.index.json``, else the one
``.safetensors`` file at the root: the same choice as ``get_safetensors_metadata``), reads only
the header bytes of each (8 bytes of length, then the JSON), and keeps the counts: per content
in ``safetensors_files`` (a file committed again is never re-read) and per repo in
``repo_safetensors``, which model info and listings answer from. Other revisions are summed on
demand from the same per-content counts. Content is read from wherever it lives: a git blob, an
LFS object, or Xet chunks (only the first chunks are decoded).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ...errors import SafetensorsParsingError
from ...safetensors import count_parameters, header_length, read_index
from ..db.engine import insert_ignore
from ..db.models import Repo, RepoSafetensors, SafetensorsFile, XetXorb
from ..errors import BadRequest, EntryNotFound
from ..storage.gitstore import LRU, GitStore, PathEntry
from ..storage.objects import ObjectStore
from ..xet import hashing, reconstruct, xorb
from . import xet as cas

__all__ = ["index_head", "metadata_answer", "repo_summary", "summary"]

SINGLE = "model.safetensors"
INDEX = "model.safetensors.index.json"
MAX_INDEX_BYTES = 64 * 1024 * 1024  # an index maps names to files: anything bigger is not one
MAX_HEADER = 25_000_000  # the safetensors format's own limit on the header
# content id -> (raw header, counts): headers up to 1 MB, 64 of them (a few MB for typical models)
CACHED_HEADER_MAX = 1024 * 1024
_headers: LRU[str, tuple[bytes, dict[str, int]]] = LRU(64)
_index_shards: LRU[str, tuple[str, ...]] = LRU(1024)  # blob id of an index -> its shard names


@dataclass(frozen=True)
class WeightFile:
    path: str
    entry: PathEntry


# --- reading content -----------------------------------------------------------------------


class _Content:
    """Ranged reads of one file's content, wherever it is stored."""

    def __init__(self, s: Session, git: GitStore, repo_id: int, entry: PathEntry) -> None:
        self.s, self.git, self.repo_id = s, git, repo_id
        self.info = git.blob_info(entry.oid)
        self.size = self.info.content_size
        self.content_id = self.info.lfs.sha256 if self.info.lfs else entry.oid
        self._small: bytes | None = None

    @property
    def store(self) -> ObjectStore:
        return self.git.store

    def read(self, start: int, end: int) -> bytes:
        """Bytes [start, end) (fewer at the end of the file)."""
        end = min(end, self.size)
        if start >= end:
            return b""
        if self.info.lfs is None:
            if self._small is None:
                self._small = self.git.blob_bytes(self.info.oid)
            return self._small[start:end]
        key = f"lfs/{self.info.lfs.sha256}"
        if self.store.size(key) is not None:
            return self.store.read_range(key, start, end)
        found = cas.repo_file_by_sha256(self.s, self.repo_id, self.info.lfs.sha256)
        if found is None:
            raise SafetensorsParsingError("the file's content is not stored on this hub")

        def chunks_of(raw_hash: bytes) -> list[xorb.ChunkInfo]:
            row = self.s.get(XetXorb, hashing.to_str(raw_hash))
            if row is None:
                raise SafetensorsParsingError("a xorb of the file is missing")
            return xorb.unpack_meta(row.chunk_meta, row.stream_size)

        def read_xorb(raw_hash: bytes, a: int, b: int) -> bytes:
            return self.store.read_range(f"xorb/{hashing.to_str(raw_hash)}", a, b)

        return b"".join(reconstruct.stream(found.terms, chunks_of, read_xorb, start, end))


def _header(content: _Content, name: str) -> tuple[bytes, dict[str, int]]:
    """The raw JSON header of a safetensors file (only its bytes are read) and its parameter
    counts; the header is checked to be valid UTF-8 JSON describing tensors, so it can be spliced
    into an answer as is."""
    cached = _headers.get(content.content_id)
    if cached is not None:
        return cached
    length = header_length(content.read(0, 8), name, "hub")
    if length > MAX_HEADER or 8 + length > content.size:
        raise SafetensorsParsingError(f"'{name}': header length {length} does not fit the file")
    raw = content.read(8, 8 + length)
    try:
        header = json.loads(raw.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError included
        raise SafetensorsParsingError(f"'{name}': the header is not UTF-8 JSON") from None
    found = (raw, count_parameters(header, name, "hub"))
    if length <= CACHED_HEADER_MAX:
        _headers.put(content.content_id, found)
    return found


def _counts(
    s: Session, git: GitStore, repo_id: int, files: list[WeightFile], *, remember: bool
) -> list[dict[str, int] | None]:
    """Parameters per dtype of each weights file (None when its header is unreadable): from the
    record when the content was seen before (one query for all), else from the header.

    ``remember``: record what was read (ref moves do; read-only requests only use the record).
    """
    contents = [_Content(s, git, repo_id, wf.entry) for wf in files]
    ids = list({c.content_id for c in contents})
    known = {
        row.content_id: row for row in s.scalars(select(SafetensorsFile).where(SafetensorsFile.content_id.in_(ids)))
    }
    out: list[dict[str, int] | None] = []
    for wf, content in zip(files, contents, strict=True):
        row = known.get(content.content_id)
        if row is not None:
            out.append(None if row.error else dict(row.parameters))
            continue
        error = None
        try:
            params = _header(content, wf.path)[1]
        except (SafetensorsParsingError, OSError, KeyError) as err:
            params, error = {}, str(err)[:300]
        if remember:
            values = {"content_id": content.content_id, "parameters": params, "error": error}
            s.execute(insert_ignore(s, SafetensorsFile, values))  # two commits of one file may race: same row
        out.append(None if error else params)
    return out


# --- which files are the weights -----------------------------------------------------------


def _read_index(s: Session, git: GitStore, repo_id: int, entry: PathEntry) -> dict[str, Any]:
    content = _Content(s, git, repo_id, entry)
    if content.size > MAX_INDEX_BYTES:
        raise SafetensorsParsingError(f"'{INDEX}' is larger than {MAX_INDEX_BYTES} bytes")
    return read_index(content.read(0, content.size), f"'{INDEX}'")


def weight_files(s: Session, git: GitStore, repo_id: int, root_tree: str) -> list[WeightFile] | None:
    """The files holding the weights at this tree (None: no weights, or an unusable index)."""
    tree = git.tree(root_tree)

    def file(name: str) -> PathEntry | None:
        entry = git.entry_at(root_tree, name)
        return None if entry is None or entry.is_dir else entry

    single = file(SINGLE) if SINGLE in tree else None
    if single is not None:
        return [WeightFile(SINGLE, single)]
    index_entry = file(INDEX) if INDEX in tree else None
    if index_entry is not None:
        shards = _index_shards.get(index_entry.oid)  # the index is re-read only when it changes
        if shards is None:
            try:
                index = _read_index(s, git, repo_id, index_entry)
            except (SafetensorsParsingError, OSError, KeyError):
                return None
            shards = tuple(sorted(set(index.get("weight_map", {}).values())))
            _index_shards.put(index_entry.oid, shards)
        files = []
        for shard in shards:
            entry = file(shard)
            if entry is None:
                return None  # an index naming a missing shard: no trustworthy count
            files.append(WeightFile(shard, entry))
        return files
    others = [e for e in tree.values() if not e.is_dir and e.name.endswith(".safetensors")]
    if len(others) == 1:
        return [WeightFile(others[0].name, PathEntry(others[0].name, others[0].mode, others[0].oid))]
    return None


def summary(
    s: Session, git: GitStore, repo_id: int, commit_oid: str, *, remember: bool = False
) -> dict[str, Any] | None:
    """``{"parameters": {dtype: count}, "total": n}`` for a commit, None without readable weights."""
    found = weight_files(s, git, repo_id, git.commit(commit_oid).tree)
    if found is None:
        return None
    totals: dict[str, int] = {}
    for counts in _counts(s, git, repo_id, found, remember=remember):
        if counts is None:
            return None
        for dtype, n in counts.items():
            totals[dtype] = totals.get(dtype, 0) + n
    return {"parameters": totals, "total": sum(totals.values())}


def index_head(s: Session, git: GitStore, repo_id: int, commit_oid: str) -> None:
    """Recompute the main branch's summary after it moved (in the caller's transaction)."""
    repo = s.get(Repo, repo_id)
    if repo is None or repo.type != "model":
        return
    result = summary(s, git, repo_id, commit_oid, remember=True)
    row = s.get(RepoSafetensors, repo_id)
    if result is None:
        if row is not None:
            s.execute(delete(RepoSafetensors).where(RepoSafetensors.repo_id == repo_id))
        return
    if row is None:
        s.add(
            RepoSafetensors(repo_id=repo_id, commit=commit_oid, parameters=result["parameters"], total=result["total"])
        )
    else:
        row.commit, row.parameters, row.total = commit_oid, result["parameters"], result["total"]


def repo_summary(
    s: Session, repo: Repo, git: GitStore | None = None, commit_oid: str | None = None
) -> dict[str, Any] | None:
    """The summary model info answers: the stored one for the main branch's head, else (another
    revision, or not indexed yet) computed from the per-content counts."""
    if repo.type != "model":
        return None
    row = s.get(RepoSafetensors, repo.id)
    if row is not None and (commit_oid is None or row.commit == commit_oid):
        return {"parameters": dict(row.parameters), "total": row.total}
    if git is None or commit_oid is None:
        return None
    return summary(s, git, repo.id, commit_oid)


def summaries(s: Session, repo_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Stored summaries of many repos at once (listings)."""
    if not repo_ids:
        return {}
    rows = s.scalars(select(RepoSafetensors).where(RepoSafetensors.repo_id.in_(repo_ids))).all()
    return {r.repo_id: {"parameters": dict(r.parameters), "total": r.total} for r in rows}


# --- the safetensors-metadata endpoint -----------------------------------------------------


def metadata_answer(s: Session, git: GitStore, repo_id: int, commit_oid: str, filename: str) -> bytes:
    """The JSON ``{"index": <the index without weight_map>, "headers": {shard: header}}`` for an
    index file, or for one ``.safetensors`` file (then ``index`` is empty). Headers are spliced in
    as stored (they were checked to be JSON objects), not decoded and encoded again."""
    root = git.commit(commit_oid).tree
    entry = git.entry_at(root, filename)
    if entry is None or entry.is_dir:
        raise EntryNotFound(f"Entry not found: {filename}")
    folder = filename.rsplit("/", 1)[0] + "/" if "/" in filename else ""
    headers: dict[str, bytes] = {}
    try:
        if filename.endswith(".safetensors"):
            index: dict[str, Any] = {}
            headers[filename] = _header(_Content(s, git, repo_id, entry), filename)[0]
        else:
            index = _read_index(s, git, repo_id, entry)
            for shard in sorted(set(index.get("weight_map", {}).values())):
                shard_entry = git.entry_at(root, folder + shard)
                if shard_entry is None or shard_entry.is_dir:
                    raise EntryNotFound(f"Entry not found: {folder + shard} (named by {filename})")
                headers[shard] = _header(_Content(s, git, repo_id, shard_entry), shard)[0]
    except SafetensorsParsingError as err:
        raise BadRequest(str(err)) from None
    head = json.dumps({k: v for k, v in index.items() if k != "weight_map"}).encode()
    parts = b",".join(json.dumps(name).encode() + b":" + raw.strip() for name, raw in headers.items())
    return b'{"index":' + head + b',"headers":{' + parts + b"}}"
