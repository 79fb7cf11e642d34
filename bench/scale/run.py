"""Scale-out (issue 9): throughput with 1 vs 2 hub processes, commit latency on SQLite vs PostgreSQL.

1. Throughput, reusing bench/server's pieces (same upload, same load generator, same CPU
   accounting): ``hubkit serve`` and ``hubkit serve --workers 2`` on one data dir (SQLite and a
   folder), the resolve HEAD of the LFS file and the GET of the whole file at concurrency 1 and
   16, the two servers in turn, ``repeats`` times (median); the ratio 2 processes / 1 process.
2. Commit latency: one ``hubkit serve`` per backend -- SQLite + folder (the default),
   PostgreSQL + folder, PostgreSQL + S3 (moto_server) -- started as tests/backends.py does
   (PostgreSQL by initdb/pg_ctl, as ``nobody`` when root, ``fsync=off``), each with a fresh repo.
   Small commits, one after the other: an NDJSON POST to /api/models/{repo}/commit/main adding one
   100-byte file (random, so a regular git blob); the wall time of each POST on a kept-alive
   connection, as the client sees it. The backends take turns in rounds (the order rotates) so
   that a change of load on a shared machine hits them alike; a few warm-up commits per backend
   are not counted. Reported: median and p95, the ratio to SQLite, and the CPU per commit of the
   hub, of PostgreSQL and of moto.

Run it with the project's venv, from the repository root:

    .venv/bin/python bench/scale/run.py            # full: 1 GiB, 10 s runs, 3 repeats; 200 commits; updates README
    .venv/bin/python bench/scale/run.py --quick    # 64 MiB, 3 s runs, once; 40 commits; prints only

Needs a C compiler (for bench/server/httpload.c) and the PostgreSQL server binaries (Debian:
``apt-get install -y gcc postgresql``); moto comes with the dev extras.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench" / "server"))
sys.path.insert(0, str(ROOT / "bench"))
from common import (  # noqa: E402
    LFS_FILE,
    REPO_NAME,
    TOKEN,
    USER,
    BenchError,
    MiB,
    Profile,
    isolated_run,
    log,
    profile_from_args,
)
from loadgen import Target, build_httpload, measure_all  # noqa: E402
from procs import Service, _cpu_of, _descendants, _system_cpu_seconds, find_tool, wait_quiet  # noqa: E402
from readme_block import replace_block  # noqa: E402
from report import git_state, md_table, summarize, text_table, tool_version  # noqa: E402
from servers import admin, check_same_bytes, start_hub, upload  # noqa: E402

from backends import ScaleServices, pg_bin, start_scale_services  # noqa: E402
from hubserver import HubProcess  # noqa: E402

README = ROOT / "bench" / "README.md"
RESULTS_DIR = ROOT / "bench" / "results"
BEGIN = "<!-- bench/scale results: begin (written by bench/scale/run.py) -->"
END = "<!-- bench/scale results: end -->"
ONE, TWO = "hub (1 process)", "hub --workers 2"
SQLITE, PG_LOCAL, PG_S3 = "SQLite + folder", "PostgreSQL + folder", "PostgreSQL + S3 (moto)"
FILE_BYTES = 100


def _tree_cpu(pid: int | None) -> float:
    return 0.0 if pid is None else sum(_cpu_of(p) for p in _descendants(pid))


def _self_cpu() -> float:
    t = os.times()
    return t.user + t.system


# --- 1. throughput, 1 vs 2 processes ------------------------------------------------------


def throughput(work: Path, prof: Profile, quiet_wait: float, services: list[Service]) -> tuple[list, float]:
    """The bench/server measurements of the hub with 1 and with 2 processes; (summary rows, upload s)."""
    cc = find_tool("cc")
    if cc is None:
        raise BenchError("no C compiler (cc): apt-get install -y gcc")
    tools = {"httpload": build_httpload(cc, work)}
    data_dir = work / "hub-data"
    hub, hub_url = start_hub(data_dir, work, workers=1)
    services.append(hub)
    admin(data_dir, "create-user", USER)
    admin(data_dir, "create-token", USER, "--role", "write", "--value", TOKEN)
    sha, upload_s = upload(hub_url, work, prof.size)
    hub2, hub2_url = start_hub(data_dir, work, workers=2)
    services.append(hub2)
    path = f"/{USER}/{REPO_NAME}/resolve/main/{LFS_FILE}"
    targets = [Target(ONE, [hub], {"lfs": hub_url + path}), Target(TWO, [hub2], {"lfs": hub2_url + path})]
    check_same_bytes([t.urls["lfs"] for t in targets], data_dir / "objects" / "lfs" / sha[:2] / sha[2:], prof.size)
    runs = measure_all(tools, targets, prof, ["head", "get"], quiet_wait, "httpload")
    summaries = summarize(runs)
    rows = []
    for metric, label in (("head", f"HEAD {LFS_FILE} (req/s)"), ("get", f"GET {LFS_FILE}, whole file (MB/s)")):
        for conc in (1, 16):
            one, two = summaries[(ONE, metric, conc)], summaries[(TWO, metric, conc)]
            rows.append(
                {
                    "measurement": label,
                    "concurrency": conc,
                    "one": one.median,
                    "two": two.median,
                    "ratio": two.median / one.median,
                    "one_range": one.spread,
                    "two_range": two.spread,
                    "one_cpu": one.cpu_pct("server"),
                    "two_cpu": two.cpu_pct("server"),
                    "other_cpu": statistics.mean([one.cpu_pct("other"), two.cpu_pct("other")]),
                }
            )
    for hub_service in (hub2, hub):
        hub_service.stop()
    return rows, upload_s


THROUGHPUT_HEADER = [
    "measurement",
    "concurrency",
    "1 process",
    "2 processes",
    "ratio 2/1",
    "server CPU 1 / 2",
    "other CPU",
]


def throughput_table(rows: list[dict]) -> list[list[str]]:
    return [
        [
            r["measurement"],
            str(r["concurrency"]),
            f"{r['one']:,.0f} ({r['one_range']})",
            f"{r['two']:,.0f} ({r['two_range']})",
            f"{r['ratio']:.2f}x",
            f"{r['one_cpu']:.0f}% / {r['two_cpu']:.0f}%",
            f"{r['other_cpu']:.0f}%",
        ]
        for r in rows
    ]


# --- 2. commit latency ---------------------------------------------------------------------


@dataclass
class Backend:
    name: str
    hub: HubProcess
    db_pid: int | None = None  # PostgreSQL's postmaster (its backends are its children)
    s3_pid: int | None = None  # moto_server
    latencies: list[float] = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=lambda: {"hub": 0.0, "db": 0.0, "s3": 0.0, "other": 0.0})
    wall: float = 0.0
    count: int = 0
    client: httpx.Client | None = None

    def open(self) -> None:
        self.client = httpx.Client(
            base_url=self.hub.url,
            headers={"authorization": f"Bearer {self.hub.admin_token}", "content-type": "application/x-ndjson"},
            timeout=60,
        )
        r = self.client.post(
            "/api/repos/create", json={"name": "commits"}, headers={"content-type": "application/json"}
        )
        if r.status_code != 200:
            raise BenchError(f"{self.name}: cannot create the repo: {r.status_code} {r.text}")

    def commit(self) -> float:
        assert self.client is not None
        self.count += 1
        n = self.count
        lines = [
            {"key": "header", "value": {"summary": f"commit {n}", "description": ""}},
            {
                "key": "file",
                "value": {
                    "path": f"files/{n:05d}.bin",
                    "content": base64.b64encode(os.urandom(FILE_BYTES)).decode(),
                    "encoding": "base64",
                },
            },
        ]
        body = b"".join(json.dumps(line).encode() + b"\n" for line in lines)
        t0 = time.perf_counter()
        r = self.client.post("/api/models/admin/commits/commit/main", content=body)
        seconds = time.perf_counter() - t0
        if r.status_code != 200 or "commitOid" not in r.json():
            raise BenchError(f"{self.name}: commit {n} failed: {r.status_code} {r.text[:500]}")
        return seconds

    def run(self, commits: int) -> None:
        """``commits`` measured commits, with the CPU of each process involved."""
        pids = {"hub": self.hub.proc.pid if self.hub.proc else None, "db": self.db_pid, "s3": self.s3_pid}
        before = {k: _tree_cpu(p) for k, p in pids.items()}
        me0, (busy0, _), t0 = _self_cpu(), _system_cpu_seconds(), time.monotonic()
        for _ in range(commits):
            self.latencies.append(self.commit())
        self.wall += time.monotonic() - t0
        used = {k: _tree_cpu(p) - before[k] for k, p in pids.items()}
        for k, v in used.items():
            self.cpu[k] += v
        busy = _system_cpu_seconds()[0] - busy0
        self.cpu["other"] += max(0.0, busy - sum(used.values()) - (_self_cpu() - me0))

    def stop(self) -> None:
        if self.client is not None:
            self.client.close()
        self.hub.stop()


def start_backends(work: Path, scale: ScaleServices, pg_local: bool) -> list[Backend]:
    aws = scale.env()
    s3_pid = scale.procs[0].pid
    db_pid = int((scale.pg_dir / "pg" / "postmaster.pid").read_text().split()[0])
    specs = [(SQLITE, {}, None, None)]
    if pg_local:
        specs.append((PG_LOCAL, {"HUBKIT_DATABASE_URL": scale.new_database()}, db_pid, None))
    s3_env = {"HUBKIT_DATABASE_URL": scale.new_database(), "HUBKIT_STORAGE_URL": f"s3://{scale.bucket}/bench", **aws}
    specs.append((PG_S3, s3_env, db_pid, s3_pid))
    backends = []
    for i, (name, env, db, s3) in enumerate(specs):
        hub = HubProcess(work / f"commits-{i}" / "data", env=env)
        backend = Backend(name, hub, db_pid=db, s3_pid=s3)
        backends.append(backend)
        hub.start()
        backend.open()
    return backends


def commit_latency(work: Path, commits: int, rounds: int, warmup: int, quiet_wait: float, pg_local: bool) -> dict:
    log("starting PostgreSQL and moto_server (tests/backends.py)")
    scale = start_scale_services(work)
    backends: list[Backend] = []
    try:
        backends = start_backends(work, scale, pg_local)
        for b in backends:
            for _ in range(warmup):
                b.commit()
        per_round = [commits // rounds + (1 if r < commits % rounds else 0) for r in range(rounds)]
        for r, n in enumerate(per_round):
            for b in backends[r % len(backends) :] + backends[: r % len(backends)]:
                if quiet_wait > 0:
                    waited = wait_quiet(quiet_wait)
                    if waited > 1.5:
                        log(f"waited {waited:.0f} s for other processes to quieten down")
                b.run(n)
                last = b.latencies[-n:]
                log(f"round {r + 1}/{rounds} {b.name}: {n} commits, median {statistics.median(last) * 1000:.1f} ms")
        return {b.name: summary(b) for b in backends}
    finally:
        for b in backends:
            b.stop()
        scale.stop()


def summary(b: Backend) -> dict:
    lat = sorted(b.latencies)
    n = len(lat)
    return {
        "commits": n,
        "median_ms": statistics.median(lat) * 1000,
        "p95_ms": statistics.quantiles(lat, n=20, method="inclusive")[18] * 1000,
        "mean_ms": statistics.mean(lat) * 1000,
        "max_ms": lat[-1] * 1000,
        "hub_cpu_ms": b.cpu["hub"] / n * 1000,
        "db_cpu_ms": b.cpu["db"] / n * 1000,
        "s3_cpu_ms": b.cpu["s3"] / n * 1000,
        "other_cpu_pct": 100 * b.cpu["other"] / b.wall if b.wall else 0.0,
        "latencies_ms": [x * 1000 for x in b.latencies],
    }


COMMIT_HEADER = [
    "backend",
    "commits",
    "median",
    "p95",
    "median vs SQLite",
    "p95 vs SQLite",
    "hub CPU/commit",
    "PostgreSQL CPU/commit",
    "moto CPU/commit",
    "other CPU",
]


def commit_table(results: dict) -> list[list[str]]:
    base = results[SQLITE]
    rows = []
    for name, s in results.items():
        rows.append(
            [
                name,
                str(s["commits"]),
                f"{s['median_ms']:.1f} ms",
                f"{s['p95_ms']:.1f} ms",
                f"{s['median_ms'] / base['median_ms']:.2f}x",
                f"{s['p95_ms'] / base['p95_ms']:.2f}x",
                f"{s['hub_cpu_ms']:.1f} ms",
                f"{s['db_cpu_ms']:.1f} ms" if name != SQLITE else "(in the hub)",
                f"{s['s3_cpu_ms']:.1f} ms" if name == PG_S3 else "-",
                f"{s['other_cpu_pct']:.0f}%",
            ]
        )
    return rows


# --- report --------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    from importlib.metadata import version

    bindir = pg_bin()
    postgres = tool_version([str(bindir / "postgres"), "--version"]) if bindir else "?"
    return {
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "uvicorn": version("uvicorn"),
        "postgres": postgres.replace("postgres (PostgreSQL) ", ""),
        "moto": version("moto"),
        "hubkit": git_state(),
        "loadavg": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def markdown(prof: Profile, info: dict, results: dict, command: str, when: str) -> str:
    lines = [
        BEGIN,
        "",
        f"### Latest results ({when})",
        "",
        "```sh",
        command,
        "```",
        "",
        f"- Machine: {info['cores']} cores, Linux {info['kernel']}, Python {info['python']}, uvicorn "
        f"{info['uvicorn']}, PostgreSQL {info['postgres']}, moto {info['moto']}; hubkit {info['hubkit']}; "
        f"load average at the start {info['loadavg']}, at the end {results['loadavg_end']}.",
    ]
    if "throughput" in results:
        lines += [
            f"- Throughput: {prof.size / MiB:,.0f} MiB LFS file, warm; HEAD and GET runs of "
            f"{prof.head_seconds:g} s (httpload, as bench/server), {prof.repeats} run(s) of each in turn, "
            "median (range); server CPU: mean share of one core during the runs; other CPU: everything else "
            "on the machine.",
            "",
            md_table(THROUGHPUT_HEADER, throughput_table(results["throughput"])),
        ]
    if "commits" in results:
        c = results["commits_setup"]
        lines += [
            "",
            f"- Commits: {c['commits']} per backend (plus {c['warmup']} warm-up), one 100-byte file each, in "
            f"{c['rounds']} rounds taking turns; wall time of each POST as the client sees it; CPU per commit "
            "of each process involved (other CPU: everything else on the machine during the commits).",
            "",
            md_table(COMMIT_HEADER, commit_table(results["commits"])),
        ]
    lines += ["", END]
    return "\n".join(lines)


def write_readme(section: str) -> None:
    replace_block(section, BEGIN, END, heading="Scale-out (bench/scale)")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="64 MiB, 3 s runs, once; 40 commits")
    p.add_argument("--size-mib", type=int, help="override the LFS file size")
    p.add_argument("--seconds", type=float, help="override the duration of each throughput run")
    p.add_argument("--repeats", type=int, help="override the number of throughput runs of each server")
    p.add_argument("--commits", type=int, help="measured commits per backend (default 200, quick 40)")
    p.add_argument("--rounds", type=int, default=4, help="the commits are split in this many rounds (default 4)")
    p.add_argument("--warmup", type=int, default=10, help="unmeasured commits per backend first (default 10)")
    p.add_argument("--no-throughput", action="store_true", help="skip the 1 vs 2 processes measurements")
    p.add_argument("--no-commits", action="store_true", help="skip the commit latency measurements")
    p.add_argument("--no-pg-local", action="store_true", help="skip the PostgreSQL + folder row")
    p.add_argument("--quiet-wait", type=float, default=30, metavar="S", help="wait up to S s for an idle machine")
    readme = p.add_mutually_exclusive_group()
    readme.add_argument("--readme", dest="readme", action="store_true", default=None, help="update bench/README.md")
    readme.add_argument("--no-readme", dest="readme", action="store_false", help="do not update bench/README.md")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    prof = profile_from_args(args.quick, args.size_mib, args.seconds, args.repeats)
    commits = args.commits or (40 if args.quick else 200)
    write = args.readme if args.readme is not None else not args.quick
    work = isolated_run("hubkit-bench-scale-")
    services: list[Service] = []
    info = machine()
    results: dict = {}
    try:
        log(f"scratch folder {work}")
        if not args.no_throughput:
            rows, upload_s = throughput(work, prof, args.quiet_wait, services)
            results["throughput"], results["upload_seconds"] = rows, upload_s
            print(text_table(THROUGHPUT_HEADER, throughput_table(rows)))
        if not args.no_commits:
            results["commits"] = commit_latency(
                work, commits, args.rounds, args.warmup, args.quiet_wait, not args.no_pg_local
            )
            results["commits_setup"] = {"commits": commits, "rounds": args.rounds, "warmup": args.warmup}
            print(text_table(COMMIT_HEADER, commit_table(results["commits"])))
        results["loadavg_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
        when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        command = shlex.join([".venv/bin/python", "bench/scale/run.py", *(argv if argv is not None else sys.argv[1:])])
        section = markdown(prof, info, results, command, when)
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        stem = f"scale-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}"
        raw = {"command": command, "when": when, "machine": info, "profile": prof.__dict__, **results}
        (RESULTS_DIR / f"{stem}.json").write_text(json.dumps(raw, indent=2) + "\n")
        (RESULTS_DIR / f"{stem}.md").write_text(section + "\n")
        log(f"raw results in {(RESULTS_DIR / stem).relative_to(ROOT)}.json")
        if write:
            write_readme(section)
            log(f"updated {README.relative_to(ROOT)}")
        return 0
    except (BenchError, RuntimeError, subprocess.CalledProcessError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        for service in reversed(services):
            service.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
