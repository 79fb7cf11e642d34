"""Entry point of the ``hubkit`` command: the command table, lazy loading, and the error boundary.

Startup cost is the point of this module's shape. The top-level parser knows every command group
by name and one line of help only; the module that defines a group's options (``cli/<group>.py``)
is imported when that group runs, and the library (httpx, the API) only inside the handler that
needs it. ``hubkit --help`` therefore imports nothing beyond this file and ``argparse``.

Exit codes (also printed by ``hubkit --help``):

    0    success
    1    the operation failed (Hub error, network, local I/O, declined confirmation)
    2    usage error: bad arguments or values
    3    not found: repo, revision, file, discussion, cache entry or local path
    4    authentication or permission: no token, token rejected, not allowed
    5    check failed: ``cache verify`` found mismatching or missing files
    130  interrupted (Ctrl-C)
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import import_module

__all__ = ["EXIT_CODES", "GROUPS", "CliError", "build_parser", "main"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_NOT_FOUND, EXIT_AUTH, EXIT_CHECK, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 5, 130
EXIT_CODES = (
    (EXIT_OK, "success"),
    (EXIT_FAILED, "the operation failed (Hub error, network, local I/O, declined confirmation)"),
    (EXIT_USAGE, "usage error: bad arguments or values"),
    (EXIT_NOT_FOUND, "not found: repo, revision, file, discussion, cache entry or local path"),
    (EXIT_AUTH, "authentication or permission: no token, token rejected, not allowed"),
    (EXIT_CHECK, "check failed: `cache verify` found mismatching or missing files"),
    (EXIT_INTERRUPTED, "interrupted (Ctrl-C)"),
)


class CliError(Exception):
    """An error to show the user as one line (plus an optional hint), without a traceback."""

    def __init__(self, message: str, *, hint: str | None = None, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.hint = hint
        self.code = code


@dataclass(frozen=True)
class Group:
    """A command group: the module (under ``hubkit.cli``) that registers it, and its help line."""

    name: str
    module: str
    help: str
    aliases: tuple[str, ...] = field(default=())


GROUPS: tuple[Group, ...] = (
    Group("auth", "auth", "log in and out, whoami, list and switch tokens"),
    Group("download", "download", "download files or a whole repo"),
    Group("upload", "upload", "upload a file or a folder (or every N minutes)"),
    Group("upload-large-folder", "upload", "upload a huge folder in resumable commits"),
    Group("repos", "repos", "create, delete, configure, move; branches, tags"),
    Group("files", "files", "list and delete the files of a repo", ("repo-files",)),
    Group("models", "browse", "search models, show one, list its files"),
    Group("datasets", "browse", "search datasets, show one, list its files"),
    Group("spaces", "browse", "search Spaces, show one, list its files"),
    Group("discussions", "discussions", "discussions and pull requests"),
    Group("cache", "cache", "the local cache: ls, rm, prune, verify"),
    Group("env", "system", "the environment, for bug reports"),
    Group("version", "system", "print hubkit's version"),
    Group("completion", "completion", "shell completion script: bash, zsh, fish"),
    Group("serve", "server", "run a self-hosted Hub"),
    Group("admin", "server", "users, orgs, tokens; migrate; gc"),
)

_EPILOG = (
    "Use `hubkit COMMAND --help` for the options of a command.\n"
    "Environment: HF_ENDPOINT (the Hub), HF_TOKEN, HF_HOME, HF_HUB_CACHE, HF_DEBUG=1 (tracebacks).\n\n"
    "exit codes:\n" + "\n".join(f"  {code:<4} {text}" for code, text in EXIT_CODES)
)


def _find_group(argv: Sequence[str]) -> Group | None:
    """The group named by the first positional word (before ``--``), if it names one."""
    for word in argv:
        if word == "--":
            return None
        if word.startswith("-"):
            continue
        return next((g for g in GROUPS if word == g.name or word in g.aliases), None)
    return None


def build_parser(load: Callable[[Group], bool] | None = None) -> argparse.ArgumentParser:
    """The ``hubkit`` parser; groups for which ``load(group)`` is true get their full grammar.

    ``load=None`` loads none (enough for ``hubkit --help``); ``lambda g: True`` loads all
    (completion scripts walk the whole tree).
    """
    from .. import __version__

    parser = argparse.ArgumentParser(
        prog="hubkit",
        description="hubkit: the Hugging Face Hub protocol, client and server. The `hf` grammar, for any Hub.",
        epilog=_EPILOG,
        formatter_class=lambda prog: argparse.RawDescriptionHelpFormatter(prog, max_help_position=30),
    )
    parser.add_argument("--version", action="version", version=f"hubkit {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs (also: HF_DEBUG=1)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for group in GROUPS:
        p = sub.add_parser(group.name, aliases=list(group.aliases), help=group.help, description=group.help)
        p.set_defaults(func=_help_of(p), group=group.name)
        if load is not None and load(group):
            import_module(f"{__package__}.{group.module}").register(group.name, p)
    return parser


def _help_of(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    def show(_: argparse.Namespace) -> int:
        parser.print_help()
        return EXIT_OK

    return show


def _debug_enabled(argv: list[str]) -> bool:
    if "--debug" in argv[: argv.index("--") if "--" in argv else len(argv)]:
        argv.remove("--debug")  # accepted anywhere on the line, not only before the command
        return True
    return any(os.environ.get(name, "").lower() in ("1", "true", "yes", "on") for name in ("HF_DEBUG", "HUBKIT_DEBUG"))


def _setup_reporting(debug: bool) -> None:
    """Library log records and Python warnings as plain ``Warning: ...`` lines on stderr."""
    import logging
    import warnings

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s" if debug else "%(message)s"))
    root = logging.getLogger("hubkit")
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.WARNING)

    def show(message: Warning | str, category: type[Warning], *_: object, **__: object) -> None:
        print(f"Warning: {message}", file=sys.stderr)

    if not debug:
        warnings.showwarning = show


def _print_error(message: str, hint: str | None) -> None:
    print(f"Error: {message}", file=sys.stderr)
    if hint:
        print(f"Hint: {hint}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``hubkit`` with ``argv`` (default ``sys.argv[1:]``) and return the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    debug = _debug_enabled(args_list)
    group = _find_group(args_list)
    parser = build_parser(lambda g: g is group)
    args = parser.parse_args(args_list)  # exits 2 on a usage error, 0 on --help
    if args.command is None:
        parser.print_help()
        return EXIT_OK
    args.debug = debug
    if group is not None and group.name not in ("serve", "admin"):
        _setup_reporting(debug)  # serve and admin configure logging themselves
    try:
        return int(args.func(args) or EXIT_OK)
    except CliError as err:
        _print_error(str(err), err.hint)
        return err.code
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader stopped early (`| head`, `| grep -q`): what it read is what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as err:
        if debug:
            raise
        from ._errors import describe

        message, hint, code = describe(err, getattr(args, "repo_id", None) or getattr(args, "from_id", None))
        _print_error(message, hint)
        return code


if __name__ == "__main__":
    sys.exit(main())
