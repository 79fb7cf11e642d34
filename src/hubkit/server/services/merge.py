"""Tree-level three-way merge and diffs between commits (for pull requests)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from ..storage.gitobj import DIR_MODE, GitOid, TreeEntry
from ..storage.gitstore import GitStore

FileMap = dict[str, tuple[str, str]]  # path -> (mode, blob oid)
MAX_DIFF_BYTES = 1_000_000


def flatten(git: GitStore, tree: str) -> FileMap:
    return {e.path: (e.mode, e.oid) for e in git.files(tree)}


@dataclass(frozen=True)
class MergeResult:
    files: FileMap
    conflicts: list[str]


def three_way(base: FileMap, ours: FileMap, theirs: FileMap) -> MergeResult:
    """Merge two descendants of ``base`` file by file; a path changed differently on both sides
    (or a file on one side where the other needs a folder) is a conflict."""
    merged: FileMap = {}
    conflicts: list[str] = []
    for path in sorted(set(base) | set(ours) | set(theirs)):
        b, o, t = base.get(path), ours.get(path), theirs.get(path)
        if o == t:
            result = o
        elif b == o:
            result = t
        elif b == t:
            result = o
        else:
            conflicts.append(path)
            continue
        if result is not None:
            merged[path] = result
    folders = {p.rsplit("/", 1)[0] for p in merged if "/" in p}
    expanded = set()
    for folder in folders:
        parts = folder.split("/")
        expanded.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    conflicts += sorted(p for p in merged if p in expanded)
    return MergeResult(merged, conflicts)


def build_tree(git: GitStore, files: FileMap) -> str:
    """Write the trees holding exactly ``files`` and return the root tree id."""
    root: dict[str, object] = {}
    for path, entry in files.items():
        node = root
        *folders, name = path.split("/")
        for folder in folders:
            node = node.setdefault(folder, {})  # type: ignore[assignment]
        node[name] = entry

    def write(node: dict[str, object]) -> str:
        entries = []
        for name, child in node.items():
            if isinstance(child, dict):
                entries.append(TreeEntry(DIR_MODE, name, GitOid(write(child))))
            else:
                mode, oid = child  # type: ignore[misc]
                entries.append(TreeEntry(mode, name, GitOid(oid)))
        return git.put_tree(entries)

    return write(root)


def unified_diff(git: GitStore, old_tree: str, new_tree: str) -> str:
    """A git-style unified diff of two trees (text files; binaries are named only)."""
    old, new = flatten(git, old_tree), flatten(git, new_tree)
    out: list[str] = []
    for path in sorted(set(old) | set(new)):
        a, b = old.get(path), new.get(path)
        if a == b:
            continue
        out.append(f"diff --git a/{path} b/{path}\n")
        if a is None:
            out.append("new file mode 100644\n")
        elif b is None:
            out.append("deleted file mode 100644\n")
        a_text, b_text = _text(git, a), _text(git, b)
        if a_text is None or b_text is None:
            out.append(
                f"Binary files {'a/' + path if a else '/dev/null'} and {'b/' + path if b else '/dev/null'} differ\n"
            )
            continue
        out.extend(
            difflib.unified_diff(
                a_text.splitlines(keepends=True),
                b_text.splitlines(keepends=True),
                fromfile=f"a/{path}" if a else "/dev/null",
                tofile=f"b/{path}" if b else "/dev/null",
            )
        )
    return "".join(out)


def _text(git: GitStore, entry: tuple[str, str] | None) -> str | None:
    if entry is None:
        return ""
    info = git.blob_info(entry[1])
    if info.size > MAX_DIFF_BYTES:
        return None
    data = git.blob_bytes(entry[1])
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None
