"""Client downloads: hubkit vs the real huggingface_hub (and curl as the limit), one hub, one run.

One run starts ``hubkit serve`` on a scratch data dir, provisions a user and a token, and seeds
two repos with the real ``huggingface_hub`` (through Git LFS, ``HF_HUB_DISABLE_XET=1``):

- ``alice/big``: one random LFS file (1 GiB in the full profile);
- ``alice/snap``: many small random files (1,000 of 10 KiB in the full profile).

It then measures, in turn and ``repeats`` times (the order rotates; the median counts):

- ``hf_hub_download`` of the big file with hubkit and with huggingface_hub, each in a fresh
  process and an empty cache (the time of the call, not of the interpreter start), plus ``curl``
  writing the same file from the same resolve URL to disk (the whole process): the limit;
- ``snapshot_download`` of the many-files repo with both libraries;
- the peak RSS of every downloading process (``wait4``).

Between runs the outputs are deleted and the page cache dirt is flushed (``sync``), so each run
starts from the same state. Every tool's big file is checked (sha256) once.

    .venv/bin/python bench/client/run.py            # full profile; updates bench/README.md
    .venv/bin/python bench/client/run.py --quick    # 256 MiB, 300 files, once; prints only

Raw results go to bench/results/ (not in git). Needs curl.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
README = REPO_ROOT / "bench" / "README.md"
RESULTS_DIR = REPO_ROOT / "bench" / "results"
sys.path.insert(0, str(REPO_ROOT / "tests"))
from hubserver import HubProcess  # noqa: E402

sys.path.insert(0, str(REPO_ROOT / "bench"))
from readme_block import replace_block  # noqa: E402

BEGIN = "<!-- bench/client results: begin (written by bench/client/run.py) -->"
END = "<!-- bench/client results: end -->"
TOKEN = "hf_benchClientAliceToken000000001"
MiB = 1024 * 1024
TARGETS = {"big_vs_hfh": 1.5, "snap_vs_hfh": 2.0, "big_vs_curl": 0.8, "rss_mb": 200}

SEED = r"""
import os, sys
from huggingface_hub import HfApi
url, token, work = sys.argv[1:4]
size, n, kib = (int(x) for x in sys.argv[4:7])
api = HfApi(endpoint=url, token=token)
big = os.path.join(work, "seed-big"); os.makedirs(big)
with open(os.path.join(big, "big.bin"), "wb") as f:
    for _ in range(size // (1 << 20)):
        f.write(os.urandom(1 << 20))
api.create_repo("alice/big"); api.upload_folder(folder_path=big, repo_id="alice/big")
snap = os.path.join(work, "seed-snap", "small"); os.makedirs(snap)
for i in range(n):
    with open(os.path.join(snap, f"f{i:05d}.txt"), "wb") as f:
        f.write(os.urandom(kib * 1024))
api.create_repo("alice/snap"); api.upload_folder(folder_path=os.path.dirname(snap), repo_id="alice/snap")
"""

CHILD = r"""
import importlib, json, os, sys, time
lib, mode, url, token, cache = sys.argv[1:6]
m = importlib.import_module(lib)
t = time.perf_counter()
if mode == "big":
    path = m.hf_hub_download("alice/big", "big.bin", endpoint=url, token=token, cache_dir=cache)
else:
    path = m.snapshot_download("alice/snap", endpoint=url, token=token, cache_dir=cache)
seconds = time.perf_counter() - t
# VmHWM: the peak RSS of this program (ru_maxrss would include the parent's size at fork time)
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"seconds": seconds, "path": path, "rss_kib": hwm}))
"""


def log(msg: str) -> None:
    print(f"[bench/client {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def run_child(argv: list[str], env: dict[str, str]) -> tuple[float, int, float, str]:
    """Wall seconds, peak RSS in KiB and CPU seconds (from wait4), and stdout of one child process."""
    out_path = Path(tempfile.mkstemp(prefix="bench-out-")[1])
    with open(out_path, "wb") as out, open(os.devnull, "wb") as devnull:
        t = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=devnull)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
    text = out_path.read_text()
    out_path.unlink()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:3])} exited with {proc.returncode}")
    return wall, int(usage.ru_maxrss), usage.ru_utime + usage.ru_stime, text


def _curl_rss(curl: str, url: str, target: Path, env: dict[str, str]) -> int:
    """curl's own peak RSS, measured once through GNU time (forked from a small process)."""
    gnu_time = shutil.which("time") or "/usr/bin/time"
    if not os.path.exists(gnu_time):
        return 0
    argv = [gnu_time, "-f", "%M", curl, "-sS", "-f", "-o", str(target), "-H", f"authorization: Bearer {TOKEN}", url]
    out = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
    return int(out.stderr.strip().splitlines()[-1])


def sha256_of(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(8 * MiB):
            h.update(block)
    return h.hexdigest()


def settle(*paths: Path) -> None:
    for p in paths:
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                p.unlink()
    os.sync()
    time.sleep(1.0)


def measure(url: str, work: Path, repeats: int) -> dict[str, list[dict[str, float]]]:
    env = {**os.environ, "HF_HUB_DISABLE_XET": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1", "HF_HOME": str(work / "home")}
    env.pop("HF_TOKEN", None)
    curl = shutil.which("curl")
    results: dict[str, list[dict[str, float]]] = {}
    checked: set[str] = set()
    big_url = f"{url}/alice/big/resolve/main/big.bin"
    expected = None
    big = [("big", "hubkit"), ("big", "huggingface_hub"), ("big", "curl")]
    snap = [("snap", "hubkit"), ("snap", "huggingface_hub")]
    for trial in range(repeats):
        # the runs compared with each other stay adjacent; who goes first rotates
        order = big[trial % 3 :] + big[: trial % 3] + snap[trial % 2 :] + snap[: trial % 2]
        for mode, tool in order:
            if tool == "curl" and curl is None:
                continue
            target = work / f"out-{mode}-{tool}"
            settle(target)
            if tool == "curl":
                argv = [curl, "-sS", "-f", "-o", str(target), "-H", f"authorization: Bearer {TOKEN}", big_url]
                wall, _, cpu, _ = run_child(argv, env)
                rss = _curl_rss(curl, big_url, target, env) if trial == 0 else results[f"{mode}/{tool}"][0]["rss_kib"]
                seconds, path = wall, str(target)
            else:
                wall, _, cpu, out = run_child([sys.executable, "-c", CHILD, tool, mode, url, TOKEN, str(target)], env)
                answer = json.loads(out.strip().splitlines()[-1])
                seconds, path, rss = answer["seconds"], answer["path"], answer["rss_kib"]
            key = f"{mode}/{tool}"
            if mode == "big" and tool not in checked:
                digest = sha256_of(path)
                expected = expected or digest
                if digest != expected:
                    raise RuntimeError(f"{tool} wrote a different big.bin")
                checked.add(tool)
            results.setdefault(key, []).append({"seconds": seconds, "wall": wall, "rss_kib": rss, "cpu": cpu})
            log(f"trial {trial + 1}: {key:22s} {seconds:7.3f} s  CPU {cpu:6.2f} s  peak RSS {rss / 1024:6.1f} MiB")
            settle(target)
    return results


def summarize(results: dict[str, list[dict[str, float]]]) -> dict[str, float]:
    """Medians per case; speed-ups are medians of per-trial ratios (runs of one trial are adjacent,
    so a machine that gets busier or quieter during the run moves both sides of a ratio)."""

    def med(key: str, field: str = "seconds") -> float:
        return statistics.median(r[field] for r in results[key])

    def ratio(slow: str, fast: str) -> float:
        return statistics.median(a["seconds"] / b["seconds"] for a, b in zip(results[slow], results[fast], strict=True))

    out = {f"{k}_s": med(k) for k in results}
    out.update({f"{k}_cpu": med(k, "cpu") for k in results})
    out.update({f"{k}_rss_mb": max(r["rss_kib"] for r in results[k]) * 1024 / 1e6 for k in results})
    out["big_vs_hfh"] = ratio("big/huggingface_hub", "big/hubkit")
    out["snap_vs_hfh"] = ratio("snap/huggingface_hub", "snap/hubkit")
    if "big/curl" in results:
        out["big_vs_curl"] = ratio("big/curl", "big/hubkit")
    return out


def render(summary: dict[str, float], prof: dict[str, int], command: str) -> str:
    def ok(value: float, target: float, higher: bool = True) -> str:
        return "yes" if (value >= target if higher else value < target) else "**no**"

    size = prof["size_mib"]
    lines = [
        BEGIN,
        f"Last run: {dt.datetime.now().strftime('%Y-%m-%d %H:%M')}, `{command}`, {platform.machine()},"
        f" {os.cpu_count()} CPUs, Python {platform.python_version()}; medians of {prof['repeats']} runs"
        f" (speed-ups: median of per-run ratios); load average {prof.get('load', 0):.1f} at the start.",
        "",
        "| Case | hubkit | huggingface_hub | curl | hubkit speed-up | target | met |",
        "|---|---:|---:|---:|---:|---:|---|",
        f"| `hf_hub_download`, {size} MiB LFS file | {summary['big/hubkit_s']:.2f} s |"
        f" {summary['big/huggingface_hub_s']:.2f} s | {summary.get('big/curl_s', float('nan')):.2f} s |"
        f" x{summary['big_vs_hfh']:.2f} vs hfh | x1.5 | {ok(summary['big_vs_hfh'], 1.5)} |",
        f"| same file vs curl to disk | | | | x{summary.get('big_vs_curl', float('nan')):.2f} of curl | x0.8 |"
        f" {ok(summary.get('big_vs_curl', 0), 0.8)} |",
        f"| `snapshot_download`, {prof['files']} files of {prof['file_kib']} KiB | {summary['snap/hubkit_s']:.2f} s |"
        f" {summary['snap/huggingface_hub_s']:.2f} s | | x{summary['snap_vs_hfh']:.2f} vs hfh | x2 |"
        f" {ok(summary['snap_vs_hfh'], 2.0)} |",
        f"| peak RSS, {size} MiB download | {summary['big/hubkit_rss_mb']:.0f} MB |"
        f" {summary['big/huggingface_hub_rss_mb']:.0f} MB | {summary.get('big/curl_rss_mb', float('nan')):.0f} MB |"
        f" | < 200 MB | {ok(summary['big/hubkit_rss_mb'], 200, higher=False)} |",
        f"| client CPU (user+sys), {size} MiB download | {summary['big/hubkit_cpu']:.2f} s |"
        f" {summary['big/huggingface_hub_cpu']:.2f} s | {summary.get('big/curl_cpu', float('nan')):.2f} s | | | |",
        f"| client CPU, snapshot | {summary['snap/hubkit_cpu']:.2f} s | {summary['snap/huggingface_hub_cpu']:.2f} s"
        " | | | | |",
        END,
    ]
    return "\n".join(lines)


def update_readme(block: str) -> None:
    replace_block(block, BEGIN, END)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="256 MiB, 300 files, one run; prints only")
    parser.add_argument("--size-mib", type=int)
    parser.add_argument("--files", type=int)
    parser.add_argument("--file-kib", type=int, default=10)
    parser.add_argument("--repeats", type=int)
    parser.add_argument("--readme", action=argparse.BooleanOptionalAction, default=None)
    args = parser.parse_args()
    prof = {
        "size_mib": args.size_mib or (256 if args.quick else 1024),
        "files": args.files or (300 if args.quick else 1000),
        "file_kib": args.file_kib,
        "repeats": args.repeats or (1 if args.quick else 3),
    }
    write_readme = args.readme if args.readme is not None else not args.quick
    work = Path(tempfile.mkdtemp(prefix="hubkit-bench-client-"))
    prof["load"] = round(os.getloadavg()[0], 2)
    log(f"scratch folder {work}; load average {prof['load']}")
    try:
        with HubProcess(work / "data").start() as hub:
            hub.add_user("alice", TOKEN)
            url = hub.url
            log(f"hub at {url}; seeding {prof['size_mib']} MiB + {prof['files']} files with huggingface_hub")
            env = {**os.environ, "HF_HUB_DISABLE_XET": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1"}
            seed = [sys.executable, "-c", SEED, url, TOKEN, str(work)]
            seed += [str(prof["size_mib"] * MiB), str(prof["files"]), str(prof["file_kib"])]
            subprocess.run(seed, env=env, check=True, capture_output=True)
            shutil.rmtree(work / "seed-big")
            results = measure(url, work, prof["repeats"])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    summary = summarize(results)
    command = " ".join(["bench/client/run.py", *sys.argv[1:]])
    block = render(summary, prof, command)
    print(block)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    (RESULTS_DIR / f"client-{stamp}.json").write_text(
        json.dumps({"profile": prof, "summary": summary, "runs": results}, indent=1)
    )
    if write_readme:
        update_readme(block)
        log(f"updated {README}")
    met = (
        summary["big_vs_hfh"] >= TARGETS["big_vs_hfh"]
        and summary["snap_vs_hfh"] >= TARGETS["snap_vs_hfh"]
        and summary.get("big_vs_curl", 1) >= TARGETS["big_vs_curl"]
        and summary["big/hubkit_rss_mb"] < TARGETS["rss_mb"]
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
