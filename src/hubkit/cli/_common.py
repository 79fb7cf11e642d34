"""Pieces every command group shares: common options, the API client, output and prompts.

Nothing here imports the library at module level: ``api()`` does, when a handler asks for it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ._output import FORMATS, Column, render, render_json, render_key_values
from .main import EXIT_USAGE, CliError

if TYPE_CHECKING:
    from ..api import HfApi

__all__ = [
    "REPO_TYPES",
    "Handler",
    "add_output",
    "add_repo_type",
    "add_token",
    "api",
    "confirm",
    "emit",
    "emit_object",
    "leaf",
    "out",
    "read_body",
    "repo_id_and_type",
]

REPO_TYPES = ("model", "dataset", "space", "kernel")
Handler = Callable[[argparse.Namespace], "int | None"]
_TYPE_PREFIXES = {"models": "model", "datasets": "dataset", "spaces": "space", "kernels": "kernel"}


# --- options -------------------------------------------------------------------------------------


def leaf(sub: Any, name: str, handler: Handler, help: str, aliases: Sequence[str] = ()) -> argparse.ArgumentParser:
    """A sub-command ``name`` running ``handler``; its description repeats the help line."""
    parser: argparse.ArgumentParser = sub.add_parser(name, help=help, description=help, aliases=list(aliases))
    parser.set_defaults(func=handler)
    return parser


def add_repo_type(parser: argparse.ArgumentParser, default: str | None = "model") -> None:
    parser.add_argument(
        "--repo-type",
        "--type",
        dest="repo_type",
        choices=REPO_TYPES,
        default=default,
        help=f"type of the repo (default: {default or 'all'})",
    )


def add_token(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--token", help="access token to use (default: HF_TOKEN, else the saved login)")


def add_output(parser: argparse.ArgumentParser, *, listing: bool = True) -> None:
    """``--format``, ``--json``, ``-q`` (ids only) and ``--truncate`` (fit the terminal)."""
    group = parser.add_argument_group("output")
    group.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    group.add_argument("--json", dest="format", action="store_const", const="json", help="same as --format json")
    if listing:
        group.add_argument("-q", "--quiet", action="store_true", help="print only ids, one per line")
        group.add_argument(
            "--truncate", action="store_true", help="cut long values to fit the terminal (default: never cut)"
        )


def repo_id_and_type(value: str, repo_type: str | None) -> tuple[str, str | None]:
    """Accept ``datasets/org/name`` (and ``hf://datasets/org/name``) as well as ``--repo-type``."""
    text = value.removeprefix("hf://")
    head, _, rest = text.partition("/")
    if head in _TYPE_PREFIXES and rest.count("/") == 1:
        return rest, _TYPE_PREFIXES[head]
    return text, repo_type


# --- library -------------------------------------------------------------------------------------


def api(args: argparse.Namespace) -> HfApi:
    """The ``HfApi`` for this invocation: ``HF_ENDPOINT`` and the ``--token`` if one was given."""
    from ..api import HfApi

    return HfApi(token=getattr(args, "token", None) or None, library_name="hubkit-cli")


# --- output --------------------------------------------------------------------------------------


def out(text: str) -> None:
    """Print a result to stdout (nothing at all for an empty text)."""
    if text:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()


def note(text: str) -> None:
    """A message for the human, on stderr, so that stdout stays parseable."""
    print(text, file=sys.stderr)


def _max_width(args: argparse.Namespace) -> int | None:
    if not getattr(args, "truncate", False):
        return None
    return shutil.get_terminal_size((120, 24)).columns


def emit(
    args: argparse.Namespace,
    records: Sequence[Mapping[str, Any]],
    columns: Sequence[Column],
    *,
    id_key: str = "id",
    empty: str = "Nothing found.",
) -> None:
    """Print a listing in the format the user asked for (see ``_output.render``)."""
    quiet = bool(getattr(args, "quiet", False))
    fmt = getattr(args, "format", "table")
    if not records and fmt == "table" and not quiet:
        note(empty)
        return
    out(render(records, columns, fmt=fmt, quiet=quiet, id_key=id_key, max_width=_max_width(args)))


def emit_object(args: argparse.Namespace, data: Mapping[str, Any], pairs: Sequence[tuple[str, Any]]) -> None:
    """Print one object: ``pairs`` as a two-column block, or all of ``data`` as JSON."""
    fmt = getattr(args, "format", "table")
    if fmt == "json":
        out(render_json(data))
    elif fmt == "csv":
        from ._output import render_csv

        out(render_csv([data], [Column(k, k) for k in data]))
    else:
        out(render_key_values(pairs, max_width=_max_width(args)))


# --- prompts -------------------------------------------------------------------------------------


def confirm(question: str, *, yes: bool) -> None:
    """Ask ``question`` (``[y/N]``) on stderr unless ``--yes``; anything but yes aborts.

    Without a terminal the answer is read from stdin too (``echo y | hubkit ...`` works); an
    empty stdin counts as no, so a script never deletes by accident.
    """
    if yes:
        return
    sys.stderr.write(f"{question} [y/N] ")
    sys.stderr.flush()
    try:
        answer = sys.stdin.readline()
    except (OSError, ValueError):
        answer = ""
    if not sys.stdin.isatty():  # nothing echoed the answer: do it, so the next line starts clean
        sys.stderr.write(answer.strip() + "\n")
    if answer.strip().lower() not in ("y", "yes"):
        raise CliError("Aborted: nothing was changed.", hint="pass --yes to skip the confirmation")


def read_body(text: str | None, path: str | None, *, what: str = "text") -> str | None:
    """``--body`` or ``--body-file`` (``-`` for stdin); both at once is a usage error."""
    if text is not None and path is not None:
        raise CliError(f"Pass the {what} either inline or as a file, not both.", code=EXIT_USAGE)
    if path is None:
        return text
    if path == "-":
        return sys.stdin.read()
    try:
        with open(os.path.expanduser(path), encoding="utf-8") as f:
            return f.read()
    except OSError as err:
        raise CliError(f"Cannot read {path}: {err.strerror}", code=EXIT_USAGE) from None
