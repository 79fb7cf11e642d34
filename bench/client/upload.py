"""Client uploads: hubkit vs the real huggingface_hub on one ``hubkit serve``, in one run.

One run starts ``hubkit serve`` on a scratch data dir, provisions a user and a token, then
measures, ``repeats`` times (the order alternates; the median counts):

- ``upload_folder`` of a folder holding one random file (1 GiB in the full profile), through
  Git LFS multipart (``HF_HUB_DISABLE_XET=1`` for both libraries);
- ``upload_folder`` of a folder of many small random files (1,000 of 10 KiB in the full
  profile; random bytes make most of them LFS files, as in the acceptance check);
- ``sha256sum`` of the big file: how fast the machine hashes it, the floor of any LFS upload
  (the oid must be known before the first byte is sent);
- hubkit's own hashing of the big file (``hubkit.commit.hashing``), to compare with it.

Every upload goes to a fresh repo with fresh random content (no deduplication can help either
side), in a fresh process (the time of the call only, not of the interpreter start). The CPU
time of the uploading process and of the server during each upload are recorded too: on a
small machine the server, which receives, hashes and stores every byte, is most of the work.

    .venv/bin/python bench/client/upload.py            # full profile; updates bench/README.md
    .venv/bin/python bench/client/upload.py --quick    # 256 MiB, 300 files, once; prints only

Raw results go to bench/results/ (not in git). Needs sha256sum (coreutils).
"""

from __future__ import annotations

import argparse
import datetime as dt
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

BEGIN = "<!-- bench/client uploads: begin (written by bench/client/upload.py) -->"
END = "<!-- bench/client uploads: end -->"
TOKEN = "hf_benchUploadAliceToken0000000001"
MiB = 1024 * 1024
TARGET = 0.8  # hubkit wall time / huggingface_hub wall time, at most

CHILD = r"""
import importlib, json, os, resource, sys, time
lib, url, token, repo, folder = sys.argv[1:6]
m = importlib.import_module(lib)
api = m.HfApi(endpoint=url, token=token)
api.create_repo(repo)
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
c, t = cpu(), time.perf_counter()
api.upload_folder(folder_path=folder, repo_id=repo, commit_message="bench")
seconds, cpu_seconds = time.perf_counter() - t, cpu() - c
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"seconds": seconds, "client_cpu": cpu_seconds, "rss_kib": hwm}))
"""

HASH = r"""
import sys, time
from hubkit.commit.content import PathContent
from hubkit.commit.hashing import sha256_hex
t = time.perf_counter()
digest = sha256_hex(PathContent(sys.argv[1]))
print(time.perf_counter() - t, digest)
"""


def log(msg: str) -> None:
    print(f"[bench/upload {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a running process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def write_random(path: Path, size: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        left = size
        while left:
            n = min(left, 8 * MiB)
            f.write(os.urandom(n))
            left -= n


def make_content(kind: str, folder: Path, big_mib: int, files: int) -> None:
    if kind == "big":
        write_random(folder / "big.bin", big_mib * MiB)
    else:
        for i in range(files):
            write_random(folder / f"f{i:05d}.txt", 10 * 1024)
    os.sync()  # no dirty pages of the content left to flush during the measured upload


def upload_once(
    lib: str, kind: str, url: str, server_pid: int, work: Path, repo: str, args: argparse.Namespace
) -> dict:
    folder = work / f"content-{repo.split('/')[1]}"
    make_content(kind, folder, args.size_mib, args.files)
    env = {**os.environ, "HF_HUB_DISABLE_XET": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1", "HF_HOME": str(work / "home")}
    env.pop("HF_TOKEN", None)
    time.sleep(0.5)
    server_before = process_cpu(server_pid)
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, lib, url, TOKEN, repo, str(folder)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"{lib} upload failed:\n{err[-3000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    result["server_cpu"] = process_cpu(server_pid) - server_before
    shutil.rmtree(folder)
    return result


def hash_floor(work: Path, size_mib: int) -> dict[str, float]:
    path = work / "hash" / "big.bin"
    write_random(path, size_mib * MiB)
    os.sync()
    subprocess.run(["cat", str(path)], stdout=subprocess.DEVNULL, check=True)  # both read from the page cache
    t = time.perf_counter()
    out = subprocess.run(["sha256sum", str(path)], capture_output=True, text=True, check=True)
    sha256sum = time.perf_counter() - t
    ours = subprocess.run([sys.executable, "-c", HASH, str(path)], capture_output=True, text=True, check=True)
    seconds, digest = ours.stdout.split()
    assert digest == out.stdout.split()[0], "hubkit's sha256 differs from sha256sum's"
    shutil.rmtree(path.parent)
    return {"sha256sum": sha256sum, "hubkit": float(seconds)}


def measure(args: argparse.Namespace, work: Path) -> dict:
    results: dict[str, dict[str, list[dict]]] = {"big": {}, "small": {}}
    libs = ["hubkit", "huggingface_hub"]
    hashes = []
    loads = [os.getloadavg()]
    with HubProcess(work / "data").start() as hub:
        hub.add_user("alice", TOKEN)
        assert hub.proc is not None
        url, server_pid = hub.url, hub.proc.pid
        log(f"hub at {url} (pid {server_pid})")
        n = 0
        for trial in range(args.repeats):
            for kind in ("big", "small"):
                order = libs if trial % 2 == 0 else libs[::-1]
                for lib in order:
                    n += 1
                    r = upload_once(lib, kind, url, server_pid, work, f"alice/{kind}-{lib}-{n}", args)
                    results[kind].setdefault(lib, []).append(r)
                    log(f"{kind:5s} {lib:16s} {r['seconds']:7.2f} s  (server CPU {r['server_cpu']:.2f} s)")
            hashes.append(hash_floor(work, args.size_mib))
            log(f"hash  sha256sum {hashes[-1]['sha256sum']:.2f} s, hubkit {hashes[-1]['hubkit']:.2f} s")
    loads.append(os.getloadavg())
    return {"uploads": results, "hash": hashes, "load": loads, "commit": git_head()}


def git_head() -> str:
    out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True)
    return out.stdout.strip() or "?"


def median(rows: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def summary(data: dict, args: argparse.Namespace) -> str:
    up = data["uploads"]
    load = " → ".join(" ".join(f"{x:.1f}" for x in la) for la in data["load"])
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()};"
        f" {args.repeats} run(s), medians; {dt.date.today().isoformat()}, hubkit git {data['commit']};"
        f" load average (1, 5, 15 min) at start → end: {load}.",
        "",
        "| upload | huggingface_hub | hubkit | hubkit / hfh, median of pairs (target ≤ 0.8) | client CPU hfh / hubkit"
        " | server CPU hfh / hubkit |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    labels = {"big": f"1 file of {args.size_mib} MiB", "small": f"{args.files} files of 10 KiB"}
    for kind in ("big", "small"):
        h, k = up[kind]["huggingface_hub"], up[kind]["hubkit"]
        # the two runs of a trial are adjacent: their ratio cancels slow changes of the machine's load
        ratio = statistics.median(b["seconds"] / a["seconds"] for a, b in zip(h, k, strict=True))
        lines.append(
            f"| {labels[kind]} | {median(h, 'seconds'):.2f} s | {median(k, 'seconds'):.2f} s | {ratio:.2f}"
            f" | {median(h, 'client_cpu'):.2f} s / {median(k, 'client_cpu'):.2f} s"
            f" | {median(h, 'server_cpu'):.2f} s / {median(k, 'server_cpu'):.2f} s |"
        )
    s256 = statistics.median(x["sha256sum"] for x in data["hash"])
    ours = statistics.median(x["hubkit"] for x in data["hash"])
    lines += [
        "",
        f"Hashing the {args.size_mib} MiB file (from the page cache): `sha256sum` {s256:.2f} s"
        f" ({args.size_mib / s256:.0f} MiB/s), hubkit {ours:.2f} s ({args.size_mib / ours:.0f} MiB/s).",
        "",
        "Peak RSS of the uploading process (MiB), big / small: "
        + ", ".join(
            f"{lib} {median(up['big'][lib], 'rss_kib') / 1024:.0f} / {median(up['small'][lib], 'rss_kib') / 1024:.0f}"
            for lib in ("huggingface_hub", "hubkit")
        )
        + ".",
    ]
    return "\n".join(lines)


def update_readme(text: str) -> None:
    replace_block(f"{BEGIN}\n{text}\n{END}", BEGIN, END)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="256 MiB, 300 files, one run; prints only")
    parser.add_argument("--size-mib", type=int, default=None)
    parser.add_argument("--files", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--no-readme", action="store_true", help="do not update bench/README.md")
    args = parser.parse_args()
    args.size_mib = args.size_mib or (256 if args.quick else 1024)
    args.files = args.files or (300 if args.quick else 1000)
    args.repeats = args.repeats or (1 if args.quick else 5)
    if shutil.which("sha256sum") is None:
        sys.exit("sha256sum (coreutils) is needed")
    with tempfile.TemporaryDirectory(prefix="hubkit-bench-upload-") as tmp:
        data = measure(args, Path(tmp))
    text = summary(data, args)
    print(text)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    profile = "quick" if args.quick else "full"
    (RESULTS_DIR / f"upload-{profile}-{stamp}.json").write_text(json.dumps({"args": vars(args), **data}, indent=1))
    if not args.quick and not args.no_readme:
        update_readme(text)
        log(f"updated {README.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
