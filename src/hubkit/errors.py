"""Every exception the client raises, with the names and bases of ``huggingface_hub``.

Code written against ``huggingface_hub`` catches the same classes here. Multiple inheritance
keeps both worlds catchable: a missing remote file is an ``HfHubHTTPError`` *and* an
``EntryNotFoundError``; a file missing from the local cache is a ``FileNotFoundError``.

    Exception
    ├── CacheNotFound
    ├── CorruptedCacheException
    ├── CachedRepoTreeNotFoundError
    ├── EntryNotFoundError
    │   ├── RemoteEntryNotFoundError          (also HfHubHTTPError)
    │   └── LocalEntryNotFoundError           (also FileNotFoundError)
    │       └── IncompleteSnapshotError
    ├── XetDownloadError
    ├── SafetensorsParsingError, NotASafetensorsRepoError
    ├── DDUFError
    │   ├── DDUFCorruptedFileError
    │   └── DDUFExportError
    │       └── DDUFInvalidEntryNameError
    ├── OSError
    │   ├── LocalTokenNotFoundError
    │   ├── FileMetadataError
    │   ├── DryRunError
    │   └── HfHubHTTPError                    (also httpx.HTTPError)
    │       ├── RepositoryNotFoundError
    │       │   └── GatedRepoError
    │       ├── RevisionNotFoundError
    │       ├── RemoteEntryNotFoundError
    │       ├── DisabledRepoError
    │       ├── BadRequestError               (also ValueError)
    │       ├── BucketNotFoundError
    │       └── JobNotFoundError
    ├── ConnectionError
    │   └── OfflineModeIsEnabled
    └── ValueError
        └── HFValidationError

Responses are turned into these classes in one place, ``hubkit._http.raise_for_status``.
"""

from __future__ import annotations

from typing import Any

import httpx

# Defined without httpx, so cache scans and path checks (and `hubkit cache ls`) do not load the HTTP stack.
from ._local_errors import CacheNotFound, CorruptedCacheException, FileMetadataError, HFValidationError

for _cls in (CacheNotFound, CorruptedCacheException, FileMetadataError, HFValidationError):
    _cls.__module__ = __name__  # shown (and pickled) as hubkit.errors.X, where users import them

__all__ = [
    "BadRequestError",
    "BucketNotFoundError",
    "CacheNotFound",
    "CachedRepoTreeNotFoundError",
    "CorruptedCacheException",
    "DDUFCorruptedFileError",
    "DDUFError",
    "DDUFExportError",
    "DDUFInvalidEntryNameError",
    "DisabledRepoError",
    "DryRunError",
    "EntryNotFoundError",
    "FileMetadataError",
    "GatedRepoError",
    "HFValidationError",
    "HfHubHTTPError",
    "IncompleteSnapshotError",
    "JobNotFoundError",
    "LocalEntryNotFoundError",
    "LocalTokenNotFoundError",
    "NotASafetensorsRepoError",
    "OfflineModeIsEnabled",
    "RemoteEntryNotFoundError",
    "RepositoryNotFoundError",
    "RevisionNotFoundError",
    "SafetensorsParsingError",
    "XetDownloadError",
]


# --- cache ---------------------------------------------------------------------------------


class CachedRepoTreeNotFoundError(Exception):
    """No tree listing is cached for the requested revision (it is written by ``snapshot_download``)."""


# --- tokens and validation -----------------------------------------------------------------


class LocalTokenNotFoundError(EnvironmentError):
    """``token=True`` was passed but no token is configured on this machine."""


# --- HTTP ----------------------------------------------------------------------------------


class OfflineModeIsEnabled(ConnectionError):
    """A request was about to leave the process while ``HF_HUB_OFFLINE`` is set."""


class HfHubHTTPError(httpx.HTTPError, OSError):
    """An HTTP error answered by a Hub, carrying the response and what the server said.

    ``request_id`` comes from ``X-Request-Id``, ``X-Amzn-Trace-Id`` or ``X-Amz-Cf-Id``;
    ``server_message`` gathers ``X-Error-Message`` and the messages of the JSON body.
    Every more specific HTTP error below derives from this class.
    """

    def __init__(self, message: str, *, response: httpx.Response, server_message: str | None = None) -> None:
        self.request_id = (
            response.headers.get("x-request-id")
            or response.headers.get("x-amzn-trace-id")
            or response.headers.get("x-amz-cf-id")
        )
        self.server_message = server_message
        self.response = response
        super().__init__(message)
        try:
            self.request = response.request
        except RuntimeError:  # a bare Response built without a request (tests)
            pass

    def append_to_message(self, additional_message: str) -> None:
        """Add text to the end of the message (to give context while re-raising)."""
        self.args = (self.args[0] + additional_message, *self.args[1:])

    @classmethod
    def _rebuild(cls, message: str, response: httpx.Response, server_message: str | None) -> HfHubHTTPError:
        return cls(message, response=response, server_message=server_message)

    def __reduce_ex__(self, protocol: Any) -> Any:
        # keyword-only constructor arguments: tell pickle how to rebuild the error
        return (self.__class__._rebuild, (str(self), self.response, self.server_message))


class RepositoryNotFoundError(HfHubHTTPError):
    """The repo does not exist, or it is private and the caller may not see it.

    ``repo_id`` and ``repo_type`` are filled in when they can be read from the request URL.
    """

    repo_id: str | None = None
    repo_type: str | None = None


class GatedRepoError(RepositoryNotFoundError):
    """The repo is gated and the caller is not (yet) on its list of authorized users."""


class DisabledRepoError(HfHubHTTPError):
    """The repo was disabled by its owner or the Hub's moderators."""


class RevisionNotFoundError(HfHubHTTPError):
    """The repo exists but the branch, tag or commit asked for does not."""

    repo_id: str | None = None
    repo_type: str | None = None


class BadRequestError(HfHubHTTPError, ValueError):
    """The Hub answered 400: the request itself was rejected."""


class BucketNotFoundError(HfHubHTTPError):
    """A storage bucket does not exist or is not visible to the caller."""

    bucket_id: str | None = None


class JobNotFoundError(HfHubHTTPError):
    """A compute job does not exist."""

    job_id: str


class RevisionResolutionError(Exception):
    """A revision could be resolved neither by the Hub nor from the local cache."""


# --- entries -------------------------------------------------------------------------------


class EntryNotFoundError(Exception):
    """A file is missing, either on the Hub or in the local cache (see the two subclasses)."""


class RemoteEntryNotFoundError(HfHubHTTPError, EntryNotFoundError):
    """The repo and revision exist on the Hub but the file does not."""

    repo_id: str | None = None
    repo_type: str | None = None


class LocalEntryNotFoundError(FileNotFoundError, EntryNotFoundError):
    """The file is not in the local cache and the Hub could not (or may not) be asked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)


class IncompleteSnapshotError(LocalEntryNotFoundError):
    """Offline, a cached snapshot is known (from its cached tree listing) to miss files.

    ``snapshot_path`` is the incomplete folder, for callers that can live with it.
    """

    def __init__(self, message: str, snapshot_path: str) -> None:
        super().__init__(message)
        self.snapshot_path = snapshot_path


# --- metadata and transfers ----------------------------------------------------------------


class DryRunError(OSError):
    """A dry run was asked for but the Hub could not be reached to plan it."""


class XetDownloadError(Exception):
    """A download through Xet storage failed."""


# --- safetensors and DDUF files ------------------------------------------------------------


class SafetensorsParsingError(Exception):
    """A safetensors header could not be read: not a safetensors file, or not a valid one."""


class NotASafetensorsRepoError(Exception):
    """The repo has neither ``model.safetensors`` nor ``model.safetensors.index.json``."""


class DDUFError(Exception):
    """Base of the errors about DDUF files."""


class DDUFCorruptedFileError(DDUFError):
    """A DDUF file is not a valid DDUF archive (compressed entries, missing files, bad offsets...)."""


class DDUFExportError(DDUFError):
    """A DDUF file could not be written."""


class DDUFInvalidEntryNameError(DDUFExportError):
    """An entry name is not allowed in a DDUF archive."""
