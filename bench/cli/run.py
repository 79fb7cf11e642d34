"""CLI startup: ``hubkit --help`` and ``hubkit cache ls`` (empty cache) against ``hf --help``.

Startup is what a user waits for on every command, so it is measured as the user sees it: the
wall time of a whole process, from ``exec`` to exit, output discarded. The commands run in
turn (hf, then each hubkit command, round after round) so that a disturbance of the machine hits
all of them alike; the median of the rounds counts, and the first round (cold file cache) is
dropped. Both tools get the same scratch ``HF_HOME`` and an empty ``HF_HUB_CACHE``, offline,
so no command touches the network.

    .venv/bin/python bench/cli/run.py            # 15 rounds; updates the CLI section of bench/README.md
    .venv/bin/python bench/cli/run.py --quick    # 5 rounds; prints only

Target (issue 7): hubkit's wall time <= 1/3 of hf's, i.e. a ratio hf/hubkit >= 3.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "bench" / "README.md"
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT / "bench"))
from readme_block import replace_block  # noqa: E402

BEGIN, END = "<!-- bench/cli results: begin (written by bench/cli/run.py) -->", "<!-- bench/cli results: end -->"
TARGET = 3.0
TARGET_ROWS = ("hubkit --help", "hubkit cache ls (empty cache)")  # what issue 7 sets the goal on


def _bin(name: str) -> str:
    path = Path(sys.executable).parent / name
    if not path.exists():
        raise SystemExit(f"{path} not found: install the project with its dev extras (.venv)")
    return str(path)


def _wall(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited with {done.returncode}")
    return elapsed


def _one_repo_cache(root: Path) -> Path:
    """A cache holding one small repo, laid out as huggingface_hub writes it: the scan then
    has something to read, and hubkit has to load its cache library (the empty-cache answer
    does not)."""
    commit = "0" * 39 + "1"
    repo = root / "models--org--tiny"
    (repo / "blobs").mkdir(parents=True)
    (repo / "refs").mkdir()
    (repo / "snapshots" / commit).mkdir(parents=True)
    blob = repo / "blobs" / ("e" * 40)
    blob.write_text("{}")
    (repo / "refs" / "main").write_text(commit)
    os.symlink(f"../../blobs/{blob.name}", repo / "snapshots" / commit / "config.json")
    return root


def measure(rounds: int) -> dict[str, object]:
    hubkit, hf = _bin("hubkit"), _bin("hf")
    with tempfile.TemporaryDirectory(prefix="hubkit-bench-cli-") as scratch:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGINGFACE"))},
            "HF_HOME": str(Path(scratch) / "home"),
            "HF_HUB_CACHE": str(Path(scratch) / "cache"),
            "HF_HUB_OFFLINE": "1",
            "HF_HUB_DISABLE_TELEMETRY": "1",
        }
        (Path(scratch) / "cache").mkdir()
        full = _one_repo_cache(Path(scratch) / "full")
        env_full = {**env, "HF_HUB_CACHE": str(full)}
        commands = {
            "hf --help": [hf, "--help"],
            "hubkit --help": [hubkit, "--help"],
            "hubkit cache ls (empty cache)": [hubkit, "cache", "ls"],
            "hf cache ls (empty cache)": [hf, "cache", "ls"],
            "hubkit cache ls (1 cached repo)": [hubkit, "cache", "ls"],
            "hf cache ls (1 cached repo)": [hf, "cache", "ls"],
            "python -c pass (floor)": [sys.executable, "-c", "pass"],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(rounds + 1):
            for name, argv in commands.items():
                times[name].append(_wall(argv, env_full if "cached repo" in name else env))
    medians = {name: statistics.median(values[1:]) for name, values in times.items()}
    base = medians["hf --help"]
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "rounds": rounds,
        "machine": f"{os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}",
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "commit": subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip(),
        "rows": [
            {
                "command": name,
                "median_ms": round(medians[name] * 1000, 1),
                "min_ms": round(min(times[name][1:]) * 1000, 1),
                "share_of_hf_help": round(medians[name] / base, 3),
            }
            for name in commands
        ],
    }


def markdown(result: dict[str, object]) -> str:
    rows = result["rows"]
    assert isinstance(rows, list)
    lines = [
        f"### Latest results ({result['date']})",
        "",
        "```sh",
        ".venv/bin/python bench/cli/run.py",
        "```",
        "",
        f"- Machine: {result['machine']}; load average at the start: {result['load']}; hubkit git {result['commit']}.",
        f"- {result['rounds']} rounds (plus one dropped warm-up round), commands in turn; median wall time.",
        "",
        "| command | median | min | share of `hf --help` | speed-up |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        share = row["share_of_hf_help"]
        lines.append(f"| `{row['command']}` | {row['median_ms']:.0f} ms | {row['min_ms']:.0f} ms | {share:.2f} | "
                     f"x{1 / share:.1f} |")  # fmt: skip
    judged = [r for r in rows if r["command"] in TARGET_ROWS]
    worst = max(r["share_of_hf_help"] for r in judged)
    verdict = "met" if worst <= 1 / TARGET else "NOT met"
    lines += ["", f"Target (`hubkit --help` and `hubkit cache ls` on an empty cache <= 1/3 of `hf --help`): "
                  f"**{verdict}** (worst share: {worst:.2f})."]  # fmt: skip
    return "\n".join(lines)


def write_readme(text: str) -> None:
    replace_block(f"{BEGIN}\n\n{text}\n\n{END}", BEGIN, END)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="5 rounds, print only")
    parser.add_argument("--rounds", type=int, help="rounds to measure (default 15, quick 5)")
    parser.add_argument("--readme", action=argparse.BooleanOptionalAction, default=None,
                        help="write the results into bench/README.md (default: yes unless --quick)")  # fmt: skip
    args = parser.parse_args()
    rounds = args.rounds or (5 if args.quick else 15)
    result = measure(rounds)
    text = markdown(result)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"cli-{stamp}.json").write_text(json.dumps(result, indent=2))
    if args.readme if args.readme is not None else not args.quick:
        write_readme(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
