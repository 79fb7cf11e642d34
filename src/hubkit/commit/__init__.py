"""The commit machinery behind ``create_commit``, ``upload_folder`` and friends.

Modules, in the order a commit goes through them: ``operations`` (what the caller asks for,
validated at construction), ``validate`` (arguments), ``preupload`` (how each file travels),
``hashing``, ``lfs`` and ``xet`` (transfers), ``copies``, ``payload`` (the NDJSON body) and
``engine`` (the stages together). ``folder``, ``large_folder`` and ``scheduler`` build on them.
"""

from __future__ import annotations

from .info import CommitInfo
from .operations import CommitOperation, CommitOperationAdd, CommitOperationCopy, CommitOperationDelete, UploadInfo

__all__ = [
    "CommitInfo",
    "CommitOperation",
    "CommitOperationAdd",
    "CommitOperationCopy",
    "CommitOperationDelete",
    "UploadInfo",
]
