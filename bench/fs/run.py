"""HfFileSystem: reading a big file through fs.open vs hf_hub_download, and find over 10,000 files.

One run starts ``hubkit serve`` on a scratch data dir, provisions a user and a token, and seeds two
dataset repos with the real ``huggingface_hub`` (Git LFS, ``HF_HUB_DISABLE_XET=1``):

- ``alice/fs-big``: one random LFS file (1 GiB in the full profile);
- ``alice/fs-many``: 10,000 small files, in 100 folders of 100.

Then, ``repeats`` times, each in a fresh process with an empty cache (the time of the operation,
not of the interpreter start), the runs compared with each other back to back (who goes first
alternates; ratios are medians of per-run ratios):

- ``read``: ``fs.open(path, "rb")`` then ``read(8 MiB)`` until the end, bytes discarded;
- ``download``: ``hf_hub_download`` of the same file into the cache (the reference of the ratio);
- ``find``: ``fs.find`` of the 10,000-file repo on a new filesystem instance (cold listing cache);

with hubkit and, side by side, with huggingface_hub's ``HfFileSystem`` and ``hf_hub_download``.
The ratio asked by the issue is hubkit's read time over hubkit's download time. Every tool's read
is checked once (sha256, outside the timed runs).

    .venv/bin/python bench/fs/run.py            # full profile; updates bench/README.md
    .venv/bin/python bench/fs/run.py --quick    # 256 MiB, 2,000 files, once; prints only

Raw results go to bench/results/ (not in git).
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

BEGIN = "<!-- bench/fs results: begin (written by bench/fs/run.py) -->"
END = "<!-- bench/fs results: end -->"
TOKEN = "hf_benchFsAliceToken0000000000001"
MiB = 1024 * 1024

SEED = r"""
import os, sys
from huggingface_hub import HfApi
url, token, work = sys.argv[1:4]
size, folders, per_folder = (int(x) for x in sys.argv[4:7])
api = HfApi(endpoint=url, token=token)
big = os.path.join(work, "seed-big"); os.makedirs(big)
with open(os.path.join(big, "big.bin"), "wb") as f:
    for _ in range(size // (1 << 20)):
        f.write(os.urandom(1 << 20))
api.create_repo("alice/fs-big", repo_type="dataset")
api.upload_folder(folder_path=big, repo_id="alice/fs-big", repo_type="dataset")
many = os.path.join(work, "seed-many")
for d in range(folders):
    os.makedirs(os.path.join(many, f"dir{d:03d}"))
    for i in range(per_folder):
        with open(os.path.join(many, f"dir{d:03d}", f"f{i:04d}.txt"), "w") as f:
            f.write(f"{d}/{i}\n")
api.create_repo("alice/fs-many", repo_type="dataset")
api.upload_folder(folder_path=many, repo_id="alice/fs-many", repo_type="dataset")
"""

CHILD = r"""
import hashlib, importlib, json, sys, time
lib, op, url, token, check = sys.argv[1:6]
m = importlib.import_module(lib)
digest = hashlib.sha256() if check == "1" else None
t = time.perf_counter()
if op == "read":
    fs = m.HfFileSystem(endpoint=url, token=token, skip_instance_cache=True)
    n = 0
    with fs.open("datasets/alice/fs-big/big.bin", "rb") as f:
        while block := f.read(8 * 1024 * 1024):
            n += len(block)
            if digest is not None:
                digest.update(block)
elif op == "download":
    path = m.hf_hub_download("alice/fs-big", "big.bin", repo_type="dataset", endpoint=url, token=token)
    n = 0
    if digest is not None:
        with open(path, "rb") as f:
            while block := f.read(8 * 1024 * 1024):
                digest.update(block)
elif op == "find":
    fs = m.HfFileSystem(endpoint=url, token=token, skip_instance_cache=True)
    n = len(fs.find("datasets/alice/fs-many"))
    first = time.perf_counter() - t
    again = len(fs.find("datasets/alice/fs-many"))
    assert again == n
seconds = (time.perf_counter() - t) if op != "find" else first
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"seconds": seconds, "n": n, "rss_kib": hwm, "sha256": digest.hexdigest() if digest else None}))
"""


def log(msg: str) -> None:
    print(f"[bench/fs {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def child(tool: str, op: str, url: str, home: Path, check: bool = False) -> dict[str, object]:
    shutil.rmtree(home, ignore_errors=True)  # an empty cache every time
    env = {**os.environ, "HF_HUB_DISABLE_XET": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1", "HF_HOME": str(home)}
    env.pop("HF_TOKEN", None)
    out = subprocess.run(
        [sys.executable, "-c", CHILD, tool, op, url, TOKEN, "1" if check else "0"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if out.returncode != 0:
        raise RuntimeError(f"{tool} {op} failed:\n{out.stderr[-3000:]}")
    shutil.rmtree(home, ignore_errors=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def measure(url: str, work: Path, repeats: int, files: int) -> dict[str, list[dict[str, object]]]:
    home = work / "home"
    digests = {child(tool, op, url, home, check=True)["sha256"] for tool in ("hubkit", "huggingface_hub")
               for op in ("read", "download")}  # fmt: skip
    if len(digests) != 1:
        raise RuntimeError(f"the tools read different bytes: {digests}")
    log("every tool read the same bytes")
    # The runs compared with each other stay adjacent (the machine may get busier or quieter during
    # a run); who goes first within a pair alternates.
    pairs = [
        (("read", "hubkit"), ("download", "hubkit")),
        (("read", "huggingface_hub"), ("download", "huggingface_hub")),
        (("find", "hubkit"), ("find", "huggingface_hub")),
    ]
    results: dict[str, list[dict[str, object]]] = {}
    for trial in range(repeats):
        order = [case for pair in pairs for case in (pair if trial % 2 == 0 else pair[::-1])]
        for op, tool in order:
            os.sync()
            answer = child(tool, op, url, home)
            if op == "find" and answer["n"] != files:
                raise RuntimeError(f"{tool} found {answer['n']} files, not {files}")
            results.setdefault(f"{op}/{tool}", []).append(answer)
            rss = int(answer["rss_kib"]) / 1024  # type: ignore[call-overload]
            log(f"trial {trial + 1}: {op:8s} {tool:16s} {answer['seconds']:7.3f} s  RSS {rss:6.1f} MiB")
    return results


def summarize(results: dict[str, list[dict[str, object]]], size: int) -> dict[str, float]:
    """Medians per case; ratios are medians of per-trial ratios (both sides measured back to back)."""
    med = {k: statistics.median(float(r["seconds"]) for r in v) for k, v in results.items()}  # type: ignore[arg-type]

    def ratio(num: str, den: str) -> float:
        pairs = zip(results[num], results[den], strict=True)
        return statistics.median(float(a["seconds"]) / float(b["seconds"]) for a, b in pairs)  # type: ignore[arg-type]

    out = {f"{k}_s": v for k, v in med.items()}
    out.update({f"{k}_rss_mb": max(int(r["rss_kib"]) for r in v) * 1024 / 1e6 for k, v in results.items()})  # type: ignore[call-overload]
    for tool in ("hubkit", "huggingface_hub"):
        out[f"read/{tool}_mbps"] = size / 1e6 / med[f"read/{tool}"]
        out[f"download/{tool}_mbps"] = size / 1e6 / med[f"download/{tool}"]
    out["read_over_download"] = ratio("read/hubkit", "download/hubkit")
    out["hfh_read_over_download"] = ratio("read/huggingface_hub", "download/huggingface_hub")
    out["read_vs_hfh"] = ratio("read/huggingface_hub", "read/hubkit")
    out["find_vs_hfh"] = ratio("find/huggingface_hub", "find/hubkit")
    return out


def render(s: dict[str, float], prof: dict[str, int], command: str) -> str:
    size, files = prof["size_mib"], prof["folders"] * prof["per_folder"]
    return "\n".join([
        BEGIN,
        f"Last run: {dt.datetime.now().strftime('%Y-%m-%d %H:%M')}, `{command}`, {platform.machine()},"
        f" {os.cpu_count()} CPUs, Python {platform.python_version()}; medians of {prof['repeats']} runs"
        f" (ratios: median of per-run ratios); load average {prof['load']:.1f} at the start.",
        "",
        "| Case | hubkit | huggingface_hub 2.4.0 | hubkit vs hfh |",
        "|---|---:|---:|---:|",
        f"| `fs.open().read(8 MiB)` to the end, {size} MiB LFS file | {s['read/hubkit_s']:.2f} s"
        f" ({s['read/hubkit_mbps']:.0f} MB/s) | {s['read/huggingface_hub_s']:.2f} s"
        f" ({s['read/huggingface_hub_mbps']:.0f} MB/s) | x{s['read_vs_hfh']:.2f} |",
        f"| `hf_hub_download`, same file, empty cache | {s['download/hubkit_s']:.2f} s"
        f" ({s['download/hubkit_mbps']:.0f} MB/s) | {s['download/huggingface_hub_s']:.2f} s"
        f" ({s['download/huggingface_hub_mbps']:.0f} MB/s) | |",
        f"| **ratio** read time / download time | **{s['read_over_download']:.2f}** |"
        f" {s['hfh_read_over_download']:.2f} | |",
        f"| `fs.find`, {files:,} files in {prof['folders']} folders, cold | {s['find/hubkit_s']:.2f} s |"
        f" {s['find/huggingface_hub_s']:.2f} s | x{s['find_vs_hfh']:.2f} |",
        f"| peak RSS of the read | {s['read/hubkit_rss_mb']:.0f} MB | {s['read/huggingface_hub_rss_mb']:.0f} MB | |",
        END,
    ])  # fmt: skip


def update_readme(block: str) -> None:
    replace_block(block, BEGIN, END)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="256 MiB, 2,000 files, one run; prints only")
    parser.add_argument("--size-mib", type=int)
    parser.add_argument("--folders", type=int)
    parser.add_argument("--per-folder", type=int, default=100)
    parser.add_argument("--repeats", type=int)
    parser.add_argument("--readme", action=argparse.BooleanOptionalAction, default=None)
    args = parser.parse_args()
    prof = {
        "size_mib": args.size_mib or (256 if args.quick else 1024),
        "folders": args.folders or (20 if args.quick else 100),
        "per_folder": args.per_folder,
        "repeats": args.repeats or (1 if args.quick else 3),
        "load": round(os.getloadavg()[0], 2),
    }
    write_readme = args.readme if args.readme is not None else not args.quick
    work = Path(tempfile.mkdtemp(prefix="hubkit-bench-fs-"))
    log(f"scratch folder {work}; load average {prof['load']}")
    try:
        with HubProcess(work / "data").start() as hub:
            hub.add_user("alice", TOKEN)
            url = hub.url
            log(f"hub at {url}; seeding {prof['size_mib']} MiB + {prof['folders']}x{prof['per_folder']} files")
            env = {**os.environ, "HF_HUB_DISABLE_XET": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1"}
            seed = [sys.executable, "-c", SEED, url, TOKEN, str(work)]
            seed += [str(prof["size_mib"] * MiB), str(prof["folders"]), str(prof["per_folder"])]
            subprocess.run(seed, env=env, check=True, capture_output=True)
            shutil.rmtree(work / "seed-big")
            shutil.rmtree(work / "seed-many")
            results = measure(url, work, prof["repeats"], prof["folders"] * prof["per_folder"] + 1)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    summary = summarize(results, prof["size_mib"] * MiB)
    block = render(summary, prof, " ".join([".venv/bin/python bench/fs/run.py", *sys.argv[1:]]))
    print(block)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    (RESULTS_DIR / f"fs-{stamp}.json").write_text(json.dumps({"profile": prof, "summary": summary, "runs": results}))
    if write_readme:
        update_readme(block)
        log(f"updated {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
