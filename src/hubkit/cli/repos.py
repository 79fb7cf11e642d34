"""``hubkit repos``: create, delete, settings, move, ls; ``branch create|delete``; ``tag create|delete|list``.

Destructive actions (delete a repo, a branch, a tag) ask first unless ``--yes``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from typing import Any

from ._common import add_output, add_repo_type, add_token, api, confirm, emit, leaf, note, out, repo_id_and_type
from ._output import Column
from .main import EXIT_USAGE, CliError


def _repo_arg(parser: argparse.ArgumentParser, *, dest: str = "repo_id", metavar: str = "REPO_ID") -> None:
    parser.add_argument(dest, metavar=metavar, help="the repo, e.g. `org/name` (or `datasets/org/name`)")


def register(name: str, parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", title="actions")

    p = leaf(sub, "create", _create, "create a repo")
    _repo_arg(p)
    add_repo_type(p)
    vis = p.add_mutually_exclusive_group()
    vis.add_argument("--private", action="store_true", default=None, help="only you (and your org) can see it")
    vis.add_argument("--public", dest="private", action="store_false", help="anyone can see it (the default)")
    p.add_argument("--exist-ok", action="store_true", help="succeed if the repo already exists")
    p.add_argument("--space-sdk", "--sdk", dest="space_sdk", choices=("gradio", "streamlit", "docker", "static"),
                   help="the SDK of a Space (with --repo-type space)")  # fmt: skip
    p.add_argument("-y", "--yes", action="store_true", help=argparse.SUPPRESS)  # accepted: nothing to confirm
    add_token(p)
    add_output(p, listing=False)

    p = leaf(sub, "delete", _delete, "delete a repo and everything in it (asks first)")
    _repo_arg(p)
    add_repo_type(p)
    p.add_argument("--missing-ok", action="store_true", help="succeed if the repo does not exist")
    p.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    add_token(p)

    p = leaf(sub, "settings", _settings, "change the visibility or gating of a repo")
    _repo_arg(p)
    add_repo_type(p)
    vis = p.add_mutually_exclusive_group()
    vis.add_argument("--private", action="store_true", default=None, help="make it private")
    vis.add_argument("--public", "--no-private", dest="private", action="store_false", help="make it public")
    p.add_argument(
        "--gated", choices=("auto", "manual", "false"), help="who may download: auto/manual approval, or open"
    )
    add_token(p)

    p = leaf(sub, "move", _move, "rename a repo or move it to another namespace")
    _repo_arg(p, dest="from_id", metavar="FROM_ID")
    _repo_arg(p, dest="to_id", metavar="TO_ID")
    add_repo_type(p)
    add_token(p)

    p = leaf(sub, "list", _list, "list the repos of a user or organization", aliases=["ls"])
    p.add_argument("--namespace", "--author", dest="namespace", help="user or organization (default: you)")
    add_repo_type(p, default=None)
    p.add_argument("--search", help="only repos whose id contains this")
    p.add_argument("--limit", type=int, help="at most this many of each type")
    add_token(p)
    add_output(p)

    _register_refs(sub)


def _register_refs(sub: Any) -> None:
    branch = leaf(sub, "branch", lambda a: branch.print_help(), "create or delete branches")
    bsub = branch.add_subparsers(dest="ref_action", metavar="ACTION", title="actions")
    p = leaf(bsub, "create", _branch_create, "create a branch")
    _repo_arg(p)
    p.add_argument("branch", metavar="BRANCH")
    p.add_argument("--revision", help="where the branch starts (default: the head of main)")
    p.add_argument("--exist-ok", action="store_true", help="succeed if the branch already exists")
    add_repo_type(p)
    add_token(p)
    p = leaf(bsub, "delete", _branch_delete, "delete a branch (asks first)")
    _repo_arg(p)
    p.add_argument("branch", metavar="BRANCH")
    p.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    add_repo_type(p)
    add_token(p)

    tag = leaf(sub, "tag", lambda a: tag.print_help(), "create, delete or list tags")
    tsub = tag.add_subparsers(dest="ref_action", metavar="ACTION", title="actions")
    p = leaf(tsub, "create", _tag_create, "tag a revision")
    _repo_arg(p)
    p.add_argument("tag", metavar="TAG")
    p.add_argument("-m", "--message", help="the tag's message")
    p.add_argument("--revision", help="what to tag (default: the head of main)")
    p.add_argument("--exist-ok", action="store_true", help="succeed if the tag already exists")
    add_repo_type(p)
    add_token(p)
    p = leaf(tsub, "delete", _tag_delete, "delete a tag (asks first)")
    _repo_arg(p)
    p.add_argument("tag", metavar="TAG")
    p.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    add_repo_type(p)
    add_token(p)
    p = leaf(tsub, "list", _tag_list, "list the tags (and, with --branches, the branches) of a repo", aliases=["ls"])
    _repo_arg(p)
    p.add_argument("--branches", action="store_true", help="list branches too")
    add_repo_type(p)
    add_token(p)
    add_output(p)


def _target(args: argparse.Namespace, attr: str = "repo_id") -> tuple[str, str | None]:
    return repo_id_and_type(getattr(args, attr), args.repo_type)


def _create(args: argparse.Namespace) -> int:
    repo_id, repo_type = _target(args)
    if args.space_sdk is None and repo_type == "space":
        raise CliError("A Space needs an SDK: pass --space-sdk gradio|streamlit|docker|static.", code=EXIT_USAGE)
    url = api(args).create_repo(
        repo_id, repo_type=repo_type, private=args.private, exist_ok=args.exist_ok, space_sdk=args.space_sdk
    )
    if args.format == "json":
        from ._output import render_json

        out(render_json({"url": str(url), "repo_id": url.repo_id, "repo_type": url.repo_type}))
    else:
        out(str(url))
    return 0


def _delete(args: argparse.Namespace) -> int:
    repo_id, repo_type = _target(args)
    confirm(f"Delete the {repo_type or 'model'} repo {repo_id} and all its files? This cannot be undone.",
            yes=args.yes)  # fmt: skip
    api(args).delete_repo(repo_id, repo_type=repo_type, missing_ok=args.missing_ok)
    note(f"Deleted {repo_id}.")
    return 0


def _settings(args: argparse.Namespace) -> int:
    repo_id, repo_type = _target(args)
    gated: Any = None if args.gated is None else (False if args.gated == "false" else args.gated)
    if gated is None and args.private is None:
        raise CliError("Nothing to change: pass --private, --public or --gated.", code=EXIT_USAGE)
    api(args).update_repo_settings(repo_id, gated=gated, private=args.private, repo_type=repo_type)
    note(f"Updated the settings of {repo_id}.")
    return 0


def _move(args: argparse.Namespace) -> int:
    from_id, repo_type = _target(args, "from_id")
    to_id, _ = repo_id_and_type(args.to_id, repo_type)
    api(args).move_repo(from_id, to_id, repo_type=repo_type)
    note(f"Moved {from_id} to {to_id}.")
    return 0


_REPO_COLUMNS = (
    Column("id", "ID"),
    Column("type", "TYPE"),
    Column("private", "PRIVATE"),
    Column("likes", "LIKES"),
    Column("last_modified", "UPDATED"),
)


def _list(args: argparse.Namespace) -> int:
    from .browse import info_record

    client = api(args)
    namespace = args.namespace or client.whoami()["name"]
    types = [args.repo_type] if args.repo_type else ["model", "dataset", "space"]
    listers: dict[str, Callable[..., Iterator[Any]]] = {
        "model": client.list_models,
        "dataset": client.list_datasets,
        "space": client.list_spaces,
    }
    records = []
    for kind in types:
        if kind == "kernel":
            raise CliError("Kernels cannot be listed.", code=EXIT_USAGE)
        for info in listers[kind](author=namespace, search=args.search, limit=args.limit):
            records.append({**info_record(info), "type": kind})
    emit(args, records, _REPO_COLUMNS, empty=f"No repos found for {namespace}.")
    return 0


def _branch_create(args: argparse.Namespace) -> int:
    repo_id, repo_type = _target(args)
    api(args).create_branch(repo_id, branch=args.branch, revision=args.revision, repo_type=repo_type,
                            exist_ok=args.exist_ok)  # fmt: skip
    note(f"Created branch {args.branch} in {repo_id}.")
    return 0


def _branch_delete(args: argparse.Namespace) -> int:
    repo_id, repo_type = _target(args)
    confirm(f"Delete branch {args.branch} of {repo_id}?", yes=args.yes)
    api(args).delete_branch(repo_id, branch=args.branch, repo_type=repo_type)
    note(f"Deleted branch {args.branch} of {repo_id}.")
    return 0


def _tag_create(args: argparse.Namespace) -> int:
    repo_id, repo_type = _target(args)
    api(args).create_tag(repo_id, tag=args.tag, tag_message=args.message, revision=args.revision,
                         repo_type=repo_type, exist_ok=args.exist_ok)  # fmt: skip
    note(f"Created tag {args.tag} in {repo_id}.")
    return 0


def _tag_delete(args: argparse.Namespace) -> int:
    repo_id, repo_type = _target(args)
    confirm(f"Delete tag {args.tag} of {repo_id}?", yes=args.yes)
    api(args).delete_tag(repo_id, tag=args.tag, repo_type=repo_type)
    note(f"Deleted tag {args.tag} of {repo_id}.")
    return 0


_REF_COLUMNS = (Column("name", "NAME"), Column("kind", "KIND"), Column("target_commit", "COMMIT"))


def _tag_list(args: argparse.Namespace) -> int:
    repo_id, repo_type = _target(args)
    refs = api(args).list_repo_refs(repo_id, repo_type=repo_type)
    records = [{"name": t.name, "kind": "tag", "ref": t.ref, "target_commit": t.target_commit} for t in refs.tags]
    if args.branches:
        records += [{"name": b.name, "kind": "branch", "ref": b.ref, "target_commit": b.target_commit}
                    for b in refs.branches]  # fmt: skip
    emit(args, records, _REF_COLUMNS, id_key="name", empty=f"No tags in {repo_id}.")
    return 0
