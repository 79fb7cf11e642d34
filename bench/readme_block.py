"""Writing a benchmark's results into its own marked block of bench/README.md."""

from __future__ import annotations

from pathlib import Path

README = Path(__file__).resolve().parent / "README.md"


def replace_block(section: str, begin: str, end: str, heading: str = "") -> None:
    """Put ``section`` (which starts with ``begin`` and ends with ``end``) where the block between
    the same markers stands in bench/README.md; without one, append it, under ``## heading`` if given."""
    text = README.read_text() if README.exists() else "# Benchmarks\n"
    if begin in text and end in text:
        before, rest = text.split(begin, 1)
        text = before + section + rest.split(end, 1)[1]
    else:
        title = f"## {heading}\n\n" if heading else ""
        text = text.rstrip("\n") + "\n\n" + title + section + "\n"
    README.write_text(text)
