"""``hubkit files`` (alias ``repo-files``): ``ls`` a repo's tree, ``delete`` files by path or glob.

``delete`` lists what matches first, shows it, and asks before making the commit (``--yes``
skips the question); ``--create-pr`` turns the deletion into a pull request instead.
"""

from __future__ import annotations

import argparse
from typing import Any

from ._common import add_output, add_repo_type, add_token, api, confirm, emit, leaf, note, out, repo_id_and_type
from ._output import Column, format_size
from .main import EXIT_NOT_FOUND, CliError


def register(name: str, parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", title="actions")

    p = leaf(sub, "list", _ls, "list the files and folders of a repo", aliases=["ls"])
    p.add_argument("repo_id", metavar="REPO_ID")
    p.add_argument("path", metavar="PATH", nargs="?", help="a folder of the repo (default: the root)")
    add_repo_type(p)
    p.add_argument("--revision", help="branch, tag or commit (default: main)")
    p.add_argument("-R", "--recursive", action="store_true", help="list folders' contents too")
    add_token(p)
    add_output(p)

    p = leaf(sub, "delete", _delete, "delete files (paths, `folder/`, or globs) in one commit", aliases=["rm"])
    p.add_argument("repo_id", metavar="REPO_ID")
    p.add_argument("patterns", metavar="PATTERN", nargs="+", help="a path, `folder/`, or a glob (`*` crosses `/`)")
    add_repo_type(p)
    p.add_argument("--revision", help="branch to commit to (default: main)")
    p.add_argument("--commit-message", help="the commit's title")
    p.add_argument("--commit-description", help="the commit's description")
    p.add_argument("--create-pr", action="store_true", help="open a pull request instead of committing")
    p.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    add_token(p)
    add_output(p, listing=False)


_FILE_COLUMNS = (
    Column("path", "PATH"),
    Column("type", "TYPE"),
    Column("size", "SIZE", format_size),
    Column("lfs", "LFS", lambda v: "yes" if v else ""),
    Column("oid", "OID"),
)


def file_record(entry: Any) -> dict[str, Any]:
    """A tree entry as a record: path, type, size, oid (blob or tree id), lfs sha256."""
    if hasattr(entry, "blob_id"):
        lfs = getattr(entry, "lfs", None)
        return {"path": entry.path, "type": "file", "size": entry.size, "oid": entry.blob_id,
                "lfs": (lfs or {}).get("sha256") if lfs else None}  # fmt: skip
    return {"path": entry.path, "type": "folder", "size": None, "oid": entry.tree_id, "lfs": None}


def list_files(args: argparse.Namespace, repo_id: str, repo_type: str | None, path: str | None) -> int:
    """Shared by ``files ls`` and ``models|datasets|spaces ls REPO_ID``."""
    entries = api(args).list_repo_tree(
        repo_id, path_in_repo=path, recursive=args.recursive, revision=args.revision, repo_type=repo_type
    )
    records = [file_record(e) for e in entries]
    emit(args, records, _FILE_COLUMNS, id_key="path", empty=f"No files in {repo_id}.")
    return 0


def _ls(args: argparse.Namespace) -> int:
    repo_id, repo_type = repo_id_and_type(args.repo_id, args.repo_type)
    return list_files(args, repo_id, repo_type, args.path)


def _delete(args: argparse.Namespace) -> int:
    from .._paths import filter_repo_objects
    from ..commit.operations import CommitOperationDelete

    repo_id, repo_type = repo_id_and_type(args.repo_id, args.repo_type)
    client = api(args)
    remote = client.list_repo_files(repo_id, revision=args.revision, repo_type=repo_type)
    # the patterns mean what they mean in upload --delete: `*` crosses `/`, `dir/` is all below
    matching = filter_repo_objects(remote, allow_patterns=args.patterns)
    operations = [CommitOperationDelete(path_in_repo=p, is_folder=False) for p in matching if p != ".gitattributes"]
    if not operations:
        raise CliError(f"No file of {repo_id} matches {' '.join(args.patterns)}.",
                       hint=f"see `hubkit files ls {repo_id} -R`", code=EXIT_NOT_FOUND)  # fmt: skip
    paths = sorted(op.path_in_repo for op in operations)
    note(f"{len(paths)} file(s) to delete from {repo_id}:")
    for path in paths:
        note(f"  {path}")
    confirm("Delete them" + (" in a pull request?" if args.create_pr else "?"), yes=args.yes)
    info = client.create_commit(
        repo_id, operations, commit_message=args.commit_message or f"Delete {len(paths)} file(s) with hubkit",
        commit_description=args.commit_description, repo_type=repo_type, revision=args.revision,
        create_pr=args.create_pr,
    )  # fmt: skip
    if args.format == "json":
        from ._output import render_json

        out(render_json({"deleted": paths, "commit_url": info.commit_url, "oid": info.oid, "pr_url": info.pr_url}))
    else:
        out(info.pr_url or info.commit_url)
    return 0
