"""Safetensors metadata of Hub repos: ``get_safetensors_metadata`` and friends.

Only headers cross the network: the first 100 kB of each file by HTTP Range (one request for
almost every file; a second, exact Range when the header is bigger). The response is read as a
stream and dropped after the bytes we need, so a server that ignores Range costs a closed
connection, not a multi-gigabyte download. Shards are read in parallel.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote

from .. import constants
from .._http import get_session, raise_for_status
from ..errors import NotASafetensorsRepoError, SafetensorsParsingError
from ..safetensors import (
    SafetensorsFileMetadata,
    SafetensorsRepoMetadata,
    file_metadata_from_header,
    header_length,
    parse_header,
    read_index,
)
from ._base import ApiBase

__all__ = ["SafetensorsMixin"]

PUBLIC: tuple[str, ...] = (
    "get_safetensors_metadata", "get_sharded_safetensors_metadata", "parse_safetensors_file_metadata",
)  # fmt: skip

FIRST_READ = 100_000  # 97% of headers on the Hub fit (huggingface_hub measured it): one request
MAX_INDEX_SIZE = 64 * 1024 * 1024  # an index is metadata; far bigger than any real one
SHARD_WORKERS = 8


class SafetensorsMixin(ApiBase):
    """Read the safetensors headers of a repo's weights."""

    def _read_prefix(self, url: str, first: int, last: int, token: bool | str | None, timeout: float | None) -> bytes:
        """Bytes ``first..last`` (inclusive) of a file, stopping early if the server sends more."""
        headers = {**self._build_hf_headers(token=token), "Range": f"bytes={first}-{last}"}
        want = last - first + 1
        with get_session().stream("GET", url, headers=headers, timeout=timeout, follow_redirects=True) as response:
            if response.status_code >= 400:
                response.read()
                raise_for_status(response)
            skip = first if response.status_code == 200 else 0  # Range ignored: the file from byte 0
            data = bytearray()
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) >= skip + want:
                    break
        return bytes(data[skip : skip + want])

    def parse_safetensors_file_metadata(
        self,
        repo_id: str,
        filename: str,
        *,
        repo_type: str | None = None,
        revision: str | None = None,
        token: bool | str | None = None,
        timeout: float | None = constants.DEFAULT_DOWNLOAD_TIMEOUT,
    ) -> SafetensorsFileMetadata:
        """The header of one safetensors file of a repo, read by HTTP Range.

        Raises ``SafetensorsParsingError`` when the file is not valid safetensors.
        """
        from ..download import hf_hub_url

        url = hf_hub_url(repo_id, filename, repo_type=repo_type, revision=revision, endpoint=self.endpoint)
        context = f"repo '{repo_id}', revision '{revision or constants.DEFAULT_REVISION}'"
        head = self._read_prefix(url, 0, FIRST_READ, token, timeout)
        length = header_length(head[:8], filename, context)
        if length <= len(head) - 8:
            header = head[8 : 8 + length]
        else:
            header = self._read_prefix(url, 8, length + 7, token, timeout)
            if len(header) < length:
                raise SafetensorsParsingError(
                    f"Failed to parse safetensors header for '{filename}' ({context}): file is truncated. "
                    f"Expected {length} bytes of metadata but got {len(header)}."
                )
        return parse_header(header, filename, context)

    def get_safetensors_metadata(
        self,
        repo_id: str,
        *,
        repo_type: str | None = None,
        revision: str | None = None,
        token: bool | str | None = None,
        timeout: float | None = constants.DEFAULT_DOWNLOAD_TIMEOUT,
    ) -> SafetensorsRepoMetadata:
        """The safetensors weights of a repo: ``model.safetensors``, or every shard listed by
        ``model.safetensors.index.json`` (headers only, shards in parallel).

        Raises ``NotASafetensorsRepoError`` when the repo has neither file,
        ``SafetensorsParsingError`` when a header is invalid.
        """
        where = {"repo_type": repo_type, "revision": revision, "token": token}
        single = constants.SAFETENSORS_SINGLE_FILE
        if self.file_exists(repo_id, single, **where):  # type: ignore[attr-defined]
            file = self.parse_safetensors_file_metadata(repo_id, single, timeout=timeout, **where)
            return SafetensorsRepoMetadata(
                metadata=None,
                sharded=False,
                weight_map=dict.fromkeys(file.tensors, single),
                files_metadata={single: file},
            )
        index_name = constants.SAFETENSORS_INDEX_FILE
        if not self.file_exists(repo_id, index_name, **where):  # type: ignore[attr-defined]
            raise NotASafetensorsRepoError(
                f"'{repo_id}' is not a safetensors repo. Couldn't find '{index_name}' or '{single}' files."
            )
        index = read_index(self._download_index(repo_id, index_name, repo_type, revision, token, timeout), repo_id)
        weight_map: dict[str, str] = index.get("weight_map", {})
        shards = sorted(set(weight_map.values()))
        with ThreadPoolExecutor(max_workers=min(SHARD_WORKERS, max(1, len(shards)))) as pool:
            headers = pool.map(
                lambda shard: self.parse_safetensors_file_metadata(repo_id, shard, timeout=timeout, **where), shards
            )
            files = dict(zip(shards, headers, strict=True))
        return SafetensorsRepoMetadata(
            metadata=index.get("metadata"), sharded=True, weight_map=weight_map, files_metadata=files
        )

    def _download_index(
        self, repo_id: str, filename: str, repo_type: str | None, revision: str | None,
        token: bool | str | None, timeout: float | None,
    ) -> bytes:  # fmt: skip
        from ..download import hf_hub_url

        url = hf_hub_url(repo_id, filename, repo_type=repo_type, revision=revision, endpoint=self.endpoint)
        headers = self._build_hf_headers(token=token)
        with get_session().stream("GET", url, headers=headers, timeout=timeout, follow_redirects=True) as response:
            if response.status_code >= 400:
                response.read()
                raise_for_status(response)
            data = bytearray()
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) > MAX_INDEX_SIZE:
                    raise SafetensorsParsingError(
                        f"'{filename}' of '{repo_id}' is larger than {MAX_INDEX_SIZE} bytes: not a safetensors index"
                    )
        return bytes(data)

    def get_sharded_safetensors_metadata(
        self,
        repo_id: str,
        *,
        filename: str = constants.SAFETENSORS_INDEX_FILE,
        token: bool | str | None = None,
        timeout: float | None = constants.DEFAULT_DOWNLOAD_TIMEOUT,
    ) -> SafetensorsRepoMetadata:
        """Every shard header of a sharded model on ``main``, in one request to the Hub
        (``GET /api/models/{repo_id}/safetensors-metadata/{filename}``)."""
        url = self._api_url(f"models/{repo_id}/safetensors-metadata/{quote(filename, safe='/')}")
        response = self._send("GET", url, token=token, timeout=timeout)
        content: Any = response.json()
        context = f"repo '{repo_id}', revision '{constants.DEFAULT_REVISION}'"
        if not isinstance(content, dict) or not isinstance(content.get("headers"), dict):
            raise SafetensorsParsingError(f"Unexpected safetensors-metadata answer for '{repo_id}'")
        files = {
            shard: file_metadata_from_header(header, shard, context) for shard, header in content["headers"].items()
        }
        index = content.get("index") if isinstance(content.get("index"), dict) else {}
        return SafetensorsRepoMetadata(
            metadata=index.get("metadata"),
            sharded=True,
            # the answer leaves out the index's weight_map: the shard headers name every tensor
            weight_map={tensor: shard for shard, f in files.items() for tensor in f.tensors},
            files_metadata=files,
        )
