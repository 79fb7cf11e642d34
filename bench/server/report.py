"""Summaries of the runs, text and markdown tables, machine info, and the README section."""

from __future__ import annotations

import contextlib
import os
import platform
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from common import (
    BEGIN,
    CONCURRENCY,
    END,
    FLOOR,
    MB,
    METRIC_LABEL,
    NGINX,
    REPO_ROOT,
    TARGETS,
    MiB,
    Profile,
)
from loadgen import Run

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/, for readme_block
from readme_block import replace_block


@dataclass
class Summary:
    """The repeats of one (server, metric, concurrency)."""

    server: str
    metric: str
    concurrency: int
    runs: list[Run]

    @property
    def median(self) -> float:
        return statistics.median(r.value for r in self.runs)

    def cpu_pct(self, key: str) -> float:
        return statistics.mean(r.pct(key) for r in self.runs)

    @property
    def cost(self) -> str:
        """Server CPU time per HEAD request, or per GB of GET."""
        per = statistics.mean(r.detail["server_cpu_per_unit"] for r in self.runs)
        return f"{per:.2f} s/GB" if self.metric == "get" else f"{per * 1e6:,.0f} µs/req"

    @property
    def spread(self) -> str:
        values = [r.value for r in self.runs]
        return f"{min(values):,.0f} - {max(values):,.0f}" if len(values) > 1 else "-"


def summarize(runs: list[Run]) -> dict[tuple[str, str, int], Summary]:
    out: dict[tuple[str, str, int], Summary] = {}
    for r in runs:
        key = (r.server, r.metric, r.concurrency)
        out.setdefault(key, Summary(*key, []))
        out[key].runs.append(r)
    return out


MAIN_HEADER = ["measurement", "concurrency", "served by", "value", "nginx", "ratio", "target", "met"]


def main_rows(summaries: dict[tuple[str, str, int], Summary]) -> list[list[str]]:
    rows = []
    hubs = list(dict.fromkeys(s.server for s in summaries.values() if s.server != NGINX))
    metrics = list(dict.fromkeys(s.metric for s in summaries.values()))
    for metric in sorted(metrics, key=list(METRIC_LABEL).index):
        for conc in CONCURRENCY:
            ref = summaries[(NGINX, metric, conc)].median
            for hub in hubs:
                if (hub, metric, conc) not in summaries:
                    continue  # the ASGI floor answers HEAD only
                value = summaries[(hub, metric, conc)].median
                ratio = value / ref
                target = None if hub == FLOOR else TARGETS.get(metric)
                if target is None:
                    verdict = "-"
                elif ratio >= target:
                    verdict = "yes"
                else:
                    verdict = f"no: {target / ratio:.1f}x short"
                rows.append(
                    [
                        METRIC_LABEL[metric],
                        str(conc),
                        hub,
                        f"{value:,.0f}",
                        f"{ref:,.0f}",
                        f"{ratio:.3f}x",
                        f">= {target}x" if target is not None else ("(context)" if hub == FLOOR else "(extra)"),
                        verdict,
                    ]
                )
    return rows


def floor_lines(summaries: dict[tuple[str, str, int], Summary]) -> list[str]:
    """How close each hub comes to the ASGI floor's HEAD rate (empty without floor rows)."""
    lines = []
    for metric in ("head", "head-small"):
        for conc in CONCURRENCY:
            floor = summaries.get((FLOOR, metric, conc))
            if floor is None:
                continue
            parts = [
                f"{s.server} {s.median / floor.median:.0%}"
                for s in summaries.values()
                if s.metric == metric and s.concurrency == conc and s.server not in (FLOOR, NGINX)
            ]
            lines.append(
                f"- {METRIC_LABEL[metric].split(' (')[0]}, concurrency {conc}: floor {floor.median:,.0f} req/s; "
                + ", ".join(parts)
            )
    return lines


DETAIL_HEADER = [
    "server",
    "measurement",
    "concurrency",
    "median",
    "range",
    "server CPU",
    "client CPU",
    "other CPU",
    "server cost",
]


def detail_rows(summaries: dict[tuple[str, str, int], Summary]) -> list[list[str]]:
    rows = []
    order = list(METRIC_LABEL)
    for s in sorted(summaries.values(), key=lambda s: (order.index(s.metric), s.concurrency)):
        rows.append(
            [
                s.server,
                METRIC_LABEL[s.metric],
                str(s.concurrency),
                f"{s.median:,.0f}",
                s.spread,
                f"{s.cpu_pct('server'):.0f}%",
                f"{s.cpu_pct('client'):.0f}%",
                f"{s.cpu_pct('other'):.0f}%",
                s.cost,
            ]
        )
    return rows


def text_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(x) for x in col) for col in zip(header, *rows, strict=True)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(lines)


def md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
    return "\n".join(lines)


def tool_version(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=10)
    except OSError:
        return "?"
    text = (out.stdout + out.stderr).strip().splitlines()
    return text[0] if text else "?"


def git_state() -> str:
    """The commit under test, and whether src/ differs from it (the venv installs src/ editable)."""

    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(["git", "-C", str(REPO_ROOT), *args], capture_output=True, text=True, timeout=10)
        except OSError:
            return None
        return out.stdout.strip() if out.returncode == 0 else None

    commit = git("rev-parse", "--short", "HEAD")
    if commit is None:
        return "(not a git checkout)"
    dirty = git("status", "--porcelain", "--", "src")
    return f"git {commit}" + (" + uncommitted changes in src/" if dirty else "")


def machine_info(tools: dict[str, str], nginx_workers: str) -> dict[str, str]:
    from importlib.metadata import version

    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = "?"
    with contextlib.suppress(OSError, ValueError, IndexError):
        mem = f"{int(Path('/proc/meminfo').read_text().split()[1]) / 1024 / 1024:.0f} GiB"
    nginx = tool_version([tools["nginx"], "-v"]).replace("nginx version: nginx/", "")
    return {
        "cores": str(os.cpu_count()),
        "cpu": cpu,
        "memory": mem,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "uvicorn": version("uvicorn"),
        "starlette": version("starlette"),
        "huggingface_hub": version("huggingface_hub"),
        "nginx": f"{nginx} (worker_processes {nginx_workers})",
        "curl": tool_version([tools["curl"], "--version"]).split()[1],
        "hubkit": git_state(),
        "loadavg": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def report_markdown(
    summaries: dict[tuple[str, str, int], Summary],
    prof: Profile,
    command: str,
    when: str,
    machine: dict[str, str],
    upload_s: float,
    get_client: str,
    notes: list[str] | None = None,
) -> str:
    rows = main_rows(summaries)
    get_how = (
        " (N curl processes, whole downloads, at least that long)"
        if get_client == "curl"
        else " (httpload, bodies discarded in the kernel)"
    )
    missed = [r for r in rows if r[7].startswith("no")]
    lines = [
        BEGIN,
        "",
        f"### Latest results ({prof.name} profile, {when})",
        "",
        "```sh",
        command,
        "```",
        "",
        f"- Machine: {machine['cores']} cores ({machine['cpu']}), {machine['memory']} RAM, Linux "
        f"{machine['kernel']}; servers and load generators on the same machine "
        f"(load average when the run started: {machine['loadavg']}).",
        f"- Software: hubkit {machine['hubkit']}, Python {machine['python']}, uvicorn {machine['uvicorn']}, "
        f"starlette {machine['starlette']}, nginx {machine['nginx']}, curl {machine['curl']}; upload with "
        f"huggingface_hub "
        f"{machine['huggingface_hub']}.",
        f"- File: {prof.size / MiB:,.0f} MiB of random bytes, served warm from the page cache. HEAD runs last "
        f"{prof.head_seconds:g} s and GET runs {prof.get_seconds:g} s{get_how}, each after "
        f"{prof.warmup_seconds:g} s of warm-up; {prof.repeats} run(s) of each server in turn, the tables show "
        "the median.",
        f"- The upload of the file through huggingface_hub (LFS multipart) took {upload_s:.1f} s "
        f"({prof.size / upload_s / MB:,.0f} MB/s).",
        "",
        md_table(MAIN_HEADER, rows),
        "",
    ]
    if missed:
        lines.append("**Targets missed:**")
        lines.append("")
        lines += [f"- {r[0].split(' (')[0]}, concurrency {r[1]}, {r[2]}: {r[5]} of nginx, {r[7][4:]}" for r in missed]
    else:
        lines.append("All targets met.")
    floor = floor_lines(summaries)
    if floor:
        lines += [
            "",
            f"The {FLOOR} (a bare ASGI app on the same uvicorn settings, fixed headers) is the ceiling of any "
            "Python handler on this stack; share of its HEAD rate reached:",
            "",
            *floor,
        ]
    if notes:  # observations made while checking the servers
        lines += ["", *(f"Check: {n}." for n in notes)]
    lines += [
        "",
        "Medians, range over the repeats, and mean CPU use during the runs (100% = one core of "
        f"{machine['cores']}). Client: the load generator (and this script); other: every other process "
        "on the machine (interference: a run is only clean when it is near 0%). Server cost: the server's "
        "CPU time per HEAD request, or per GB sent (behind nginx: nginx's and the hub's together).",
        "",
        md_table(DETAIL_HEADER, detail_rows(summaries)),
        "",
        END,
    ]
    return "\n".join(lines)


def write_readme(section: str) -> None:
    replace_block(section, BEGIN, END, heading="Server: hubkit vs nginx (bench/server)")
