"""The first stage of a commit: reject bad input before a single byte is uploaded."""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterable
from typing import Any

from .. import constants
from .._http import get_session, raise_for_status
from .._paths import validate_repo_id
from ..errors import BadRequestError
from .operations import (
    CommitOperation,
    CommitOperationAdd,
    CommitOperationCopy,
    CommitOperationDelete,
    warn_on_overwriting_operations,
)
from .target import RepoTarget

__all__ = ["REGEX_COMMIT_OID", "check_repo_type", "validate_commit", "validate_readme"]

REGEX_COMMIT_OID = re.compile(r"[A-Fa-f0-9]{5,40}")
_OPERATION_TYPES = (CommitOperationAdd, CommitOperationCopy, CommitOperationDelete)


def check_repo_type(repo_type: str | None) -> str:
    """``model`` for None; ``ValueError`` for a type the Hub does not know."""
    if repo_type not in constants.REPO_TYPES_WITH_KERNEL:
        raise ValueError(f"Invalid repo type, must be one of {constants.REPO_TYPES_WITH_KERNEL}")
    return repo_type or constants.REPO_TYPE_MODEL


def validate_commit(
    repo_id: str,
    operations: Iterable[CommitOperation],
    *,
    commit_message: str,
    parent_commit: str | None,
    repo_type: str,
) -> list[CommitOperation]:
    """The operations as a list, or an error saying what is wrong with the request."""
    validate_repo_id(repo_id)
    if parent_commit is not None and not REGEX_COMMIT_OID.fullmatch(parent_commit):
        raise ValueError(
            f"`parent_commit` is not a valid commit OID: it must match {REGEX_COMMIT_OID.pattern},"
            f" got {parent_commit!r}"
        )
    if not commit_message:
        raise ValueError("`commit_message` can't be empty, please pass a value.")
    ops = list(operations)
    for op in ops:
        if not isinstance(op, _OPERATION_TYPES):
            raise ValueError(f"Not a commit operation: {op!r}")
        if isinstance(op, CommitOperationAdd) and isinstance(op.path_or_fileobj, str):
            if not os.path.isfile(op.path_or_fileobj):
                raise ValueError(f"Cannot commit '{op.path_in_repo}': the local file '{op.path_or_fileobj}' is gone.")
            size = os.path.getsize(op.path_or_fileobj)
            if size != op.upload_info.size:
                raise ValueError(
                    f"Cannot commit '{op.path_in_repo}': '{op.path_or_fileobj}' changed size since the operation"
                    f" was created ({op.upload_info.size} -> {size} bytes). Create a new CommitOperationAdd."
                )
        if (
            repo_type != constants.REPO_TYPE_DATASET
            and isinstance(op, CommitOperationAdd)
            and op.path_in_repo.endswith((".arrow", ".parquet"))
        ):
            warnings.warn(
                f"It seems that you are about to commit a data file ({op.path_in_repo}) to a {repo_type}"
                " repository. Pass repo_type='dataset' to upload a dataset.",
                stacklevel=3,
            )
    warn_on_overwriting_operations(ops)
    return ops


def validate_readme(target: RepoTarget, operations: Iterable[CommitOperation]) -> None:
    """Check the metadata of an added ``README.md`` with the Hub (raises ``ValueError`` if invalid)."""
    readme = next(
        (op for op in operations if isinstance(op, CommitOperationAdd) and op.path_in_repo == "README.md"), None
    )
    if readme is None:
        return
    content = readme.content.read_all().decode()
    response = get_session().post(
        f"{target.endpoint}/api/validate-yaml",
        json={"content": content, "repoType": target.repo_type},
        headers=target.headers,
    )
    body: Any = response.json()
    found = [w.get("message") for w in body.get("warnings", [])] if isinstance(body, dict) else []
    if found:
        message = "\n".join(f"- {m}" for m in found)
        warnings.warn(f"Warnings while validating metadata in README.md:\n{message}", stacklevel=3)
    try:
        raise_for_status(response)
    except BadRequestError as err:
        errors = [e.get("message") for e in body.get("errors", [])] if isinstance(body, dict) else []
        raise ValueError("Invalid metadata in README.md.\n" + "\n".join(f"- {m}" for m in errors)) from err
