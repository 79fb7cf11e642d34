"""Xet benchmark: dedup on re-upload, and Xet vs Git LFS throughput, on one `hubkit serve`.

In one run:
1. upload a random file (default 256 MiB) with the real huggingface_hub + hf_xet, change 1 MiB
   in its middle, upload it again from the same machine (same hf_xet cache), and count the bytes
   the CAS received for the second upload (the hub's /api/admin/stats counter);
2. upload and download a second file (default 1 GiB) through Xet and through Git LFS
   (HF_HUB_DISABLE_XET=1: LFS multipart up, plain HTTP down), and report the ratios.

    .venv/bin/python bench/xet/run.py            # 256 MiB + 1 GiB
    .venv/bin/python bench/xet/run.py --quick    # 64 MiB + 128 MiB
    .venv/bin/python bench/xet/run.py --readme   # also write the table into bench/README.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from hubserver import HubProcess  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from readme_block import replace_block  # noqa: E402

MiB = 1024 * 1024
README = ROOT / "bench" / "README.md"
BEGIN = "<!-- bench/xet results: begin (written by bench/xet/run.py --readme) -->"
END = "<!-- bench/xet results: end -->"
CLIENT = r"""
import hashlib, json, sys, time
from huggingface_hub import HfApi, hf_hub_download
action, endpoint, token, repo, path, name, cache = sys.argv[1:8]
api = HfApi(endpoint=endpoint, token=token)
t = time.perf_counter()
if action == "upload":
    api.upload_file(path_or_fileobj=path, path_in_repo=name, repo_id=repo)
else:
    out = hf_hub_download(repo, name, endpoint=endpoint, token=token, cache_dir=cache)
    hashlib.sha256(open(out, "rb").read(1)).hexdigest()
print(json.dumps({"seconds": time.perf_counter() - t}))
"""


def run_client(action: str, hub: HubProcess, repo: str, path: Path, name: str, work: Path, *, xet: bool) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGINGFACE"))}
    env.update(HF_HOME=str(work / f"home-{xet}"), HF_XET_CACHE=str(work / f"xet-cache-{xet}"),
               HF_HUB_DISABLE_PROGRESS_BARS="1", HF_HUB_DISABLE_TELEMETRY="1")  # fmt: skip
    if not xet:
        env["HF_HUB_DISABLE_XET"] = "1"
    cache = work / f"dl-{xet}-{time.monotonic_ns()}"
    out = subprocess.run(
        [sys.executable, "-c", CLIENT, action, hub.url, hub.admin_token, repo, str(path), name, str(cache)],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    shutil.rmtree(cache, ignore_errors=True)
    return float(json.loads(out.stdout.strip().splitlines()[-1])["seconds"])


def received(hub: HubProcess) -> int:
    r = httpx.get(f"{hub.url}/api/admin/stats", headers={"authorization": f"Bearer {hub.admin_token}"})
    r.raise_for_status()
    return int(r.json().get("xet_xorb_bytes_received", 0))


def chunking_speed(size: int) -> tuple[float, float]:
    """MiB/s of the server's own content-defined chunking (numpy), and of chunking + chunk hashes,
    over ``size`` random bytes in 8 MiB blocks (best of 3)."""
    from hubkit.server.xet import hashing
    from hubkit.server.xet.chunking import iter_chunk_ends

    data = os.urandom(size)
    blocks = [data[i : i + 8 * MiB] for i in range(0, size, 8 * MiB)]
    best_cut = best_all = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        ends = list(iter_chunk_ends(blocks))
        best_cut = min(best_cut, time.perf_counter() - t)
        t = time.perf_counter()
        start = 0
        for end in iter_chunk_ends(blocks):
            hashing.chunk_hash(memoryview(data)[start:end])
            start = end
        best_all = min(best_all, time.perf_counter() - t)
    assert ends[-1] == size
    return size / MiB / best_cut, size / MiB / best_all


def random_file(path: Path, size: int) -> None:
    with open(path, "wb") as f:
        left = size
        while left:
            n = min(left, 64 * MiB)
            f.write(os.urandom(n))
            left -= n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--readme", action="store_true", help="write the table into bench/README.md")
    args = parser.parse_args()
    load_start = " ".join(f"{x:.2f}" for x in os.getloadavg())
    dedup_size = 64 * MiB if args.quick else 256 * MiB
    big_size = 128 * MiB if args.quick else 1024 * MiB
    cut_speed, hash_speed = chunking_speed(32 * MiB if args.quick else 128 * MiB)
    work = Path(tempfile.mkdtemp(prefix="hubkit-bench-xet-"))
    hub = HubProcess(work / "data").start()
    try:
        api_headers = {"authorization": f"Bearer {hub.admin_token}"}
        for repo in ("admin/dedup", "admin/xet", "admin/lfs"):
            httpx.post(f"{hub.url}/api/repos/create", json={"name": repo.split("/")[1]}, headers=api_headers)
        f = work / "weights.bin"
        random_file(f, dedup_size)
        first_before = received(hub)
        run_client("upload", hub, "admin/dedup", f, "weights.bin", work, xet=True)
        first = received(hub) - first_before
        with open(f, "r+b") as fh:  # change 1 MiB in the middle
            fh.seek(dedup_size // 2)
            fh.write(os.urandom(MiB))
        before = received(hub)
        run_client("upload", hub, "admin/dedup", f, "weights.bin", work, xet=True)
        second = received(hub) - before

        big = work / "big.bin"
        random_file(big, big_size)
        up_xet = run_client("upload", hub, "admin/xet", big, "big.bin", work, xet=True)
        up_lfs = run_client("upload", hub, "admin/lfs", big, "big.bin", work, xet=False)
        down_xet = run_client("download", hub, "admin/xet", big, "big.bin", work, xet=True)
        down_lfs = run_client("download", hub, "admin/lfs", big, "big.bin", work, xet=False)
    finally:
        hub.stop()
        shutil.rmtree(work, ignore_errors=True)
    mb = big_size / 1e6
    rows = [
        ("re-upload after a 1 MiB change: bytes the CAS received", f"{second:,} B ({second / dedup_size:.1%} of "
         f"{dedup_size // MiB} MiB; first upload {first:,} B)", "<= 5%", second / dedup_size <= 0.05),
        (f"upload {big_size // MiB} MiB, Xet vs LFS (s)", f"{up_xet:.1f} vs {up_lfs:.1f} ({mb / up_xet:.0f} vs "
         f"{mb / up_lfs:.0f} MB/s): ratio {up_lfs / up_xet:.2f}x", "(measured)", None),
        (f"download {big_size // MiB} MiB, Xet vs HTTP (s)", f"{down_xet:.1f} vs {down_lfs:.1f} ({mb / down_xet:.0f} "
         f"vs {mb / down_lfs:.0f} MB/s): ratio {down_lfs / down_xet:.2f}x", "(measured)", None),
        ("server-side chunking (numpy gear hash), one core", f"{cut_speed:.0f} MiB/s; with chunk hashes "
         f"(blake3) {hash_speed:.0f} MiB/s", "well above 7 MB/s", cut_speed > 7),
    ]  # fmt: skip
    table = ["| measurement | result | target | met |", "|---|---|---|---|"]
    for name, result, target, met in rows:
        table.append(f"| {name} | {result} | {target} | {'-' if met is None else ('yes' if met else 'no')} |")
    print("\n".join(table))
    if args.readme:
        write_readme(table, load_start)


def write_readme(table: list[str], load_start: str) -> None:
    from importlib.metadata import version

    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--", "src"], capture_output=True, text=True
    )
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    section = [
        BEGIN,
        "",
        f"### Latest results ({when})",
        "",
        "```sh",
        shlex.join([".venv/bin/python", "bench/xet/run.py", *sys.argv[1:]]),
        "```",
        "",
        f"- Machine: {os.cpu_count()} cores, Linux {platform.release()}, Python {platform.python_version()}; "
        f"huggingface_hub {version('huggingface_hub')}, hf_xet {version('hf_xet')}; hubkit git "
        f"{commit.stdout.strip()}{' + uncommitted changes in src/' if dirty.stdout.strip() else ''}; load average "
        f"at the start {load_start}, at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}.",
        "",
        *table,
        "",
        END,
    ]
    replace_block("\n".join(section), BEGIN, END, heading="Xet (bench/xet)")


if __name__ == "__main__":
    main()
