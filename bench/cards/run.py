"""Cards/safetensors benchmark: what the safetensors features cost, side by side in one run.

1. Reading a sharded model's metadata (default 40 shards x 1500 tensors, headers ~110 kB each,
   so every shard takes two Range requests): hubkit's ``get_safetensors_metadata`` vs the real
   huggingface_hub 2.4.0's, and the one-request ``get_sharded_safetensors_metadata`` (hub side:
   headers served from the hub's own reading).
2. What indexing costs a commit: ``upload_folder`` of the same shards as ``*.safetensors`` (the
   hub reads every header in the commit's transaction) vs as ``*.bin`` (nothing to read), fresh
   random bytes each round so no upload is deduplicated.
3. ``save_torch_state_dict`` + ``load_torch_model`` of a sharded state dict, hubkit vs
   huggingface_hub (both write through the safetensors library; skipped without torch).

    .venv/bin/python bench/cards/run.py            # 5 rounds
    .venv/bin/python bench/cards/run.py --quick    # 2 rounds, 10 shards
    .venv/bin/python bench/cards/run.py --readme   # also write the table into bench/README.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from hubserver import ALICE, HubProcess  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from readme_block import replace_block  # noqa: E402

BEGIN = "<!-- bench/cards results: begin (written by bench/cards/run.py --readme) -->"
END = "<!-- bench/cards results: end -->"


def write_shards(folder: Path, shards: int, tensors: int, suffix: str, seed: int) -> None:
    from safetensors.numpy import save_file

    rng = np.random.default_rng(seed)
    weight_map = {}
    for s in range(shards):
        name = f"model-{s + 1:05d}-of-{shards:05d}{suffix}"
        part = {f"model.layers.{s}.block.{t}.attention.projection.weight": rng.random(16, dtype=np.float32)
                for t in range(tensors)}  # fmt: skip
        save_file(part, str(folder / name), metadata={"format": "pt"})
        weight_map.update(dict.fromkeys(part, name))
    if suffix == ".safetensors":
        import json

        index = {"metadata": {"total_size": shards * tensors * 64}, "weight_map": weight_map}
        (folder / "model.safetensors.index.json").write_text(json.dumps(index))


def timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def bench_hub(rounds: int, shards: int, tensors: int, work: Path) -> list[tuple[str, float, str]]:
    import huggingface_hub as hfh

    import hubkit

    hub = HubProcess(work / "data").start().provision()
    try:
        real, ours = hfh.HfApi(endpoint=hub.url, token=ALICE), hubkit.HfApi(endpoint=hub.url, token=ALICE)
        folder = work / "shards"
        folder.mkdir()
        write_shards(folder, shards, tensors, ".safetensors", 0)
        repo = ours.create_repo("alice/bench-sharded", exist_ok=True).repo_id
        ours.upload_folder(folder_path=folder, repo_id=repo)
        read: dict[str, list[float]] = {"hfh": [], "hubkit": [], "one": []}
        commits: dict[str, list[float]] = {".safetensors": [], ".bin": []}
        for r in range(rounds + 1):  # in turn, so a disturbance of the machine hits all alike; round 0 warms up
            order = [
                ("hfh", lambda: real.get_safetensors_metadata(repo)),
                ("hubkit", lambda: ours.get_safetensors_metadata(repo)),
                ("one", lambda: ours.get_sharded_safetensors_metadata(repo)),
            ]
            for key, fn in order if r % 2 else order[::-1]:  # alternate who goes first
                seconds = timed(fn)
                if r:
                    read[key].append(seconds)
            for suffix in list(commits) if r % 2 else list(commits)[::-1]:
                target = work / f"commit-{r}{suffix}"
                target.mkdir()
                write_shards(target, shards, tensors, suffix, 100 + r)
                name = ours.create_repo(f"alice/bench-commit-{r}{suffix.replace('.', '-')}").repo_id
                seconds = timed(lambda: ours.upload_folder(folder_path=target, repo_id=name))  # noqa: B023
                if r:
                    commits[suffix].append(seconds)
                shutil.rmtree(target)
        assert ours.model_info(repo).safetensors.total == shards * tensors * 16
    finally:
        hub.stop()
    base = median_ms(read["hfh"])
    return [
        ("get_safetensors_metadata, huggingface_hub", base, "1.00"),
        ("get_safetensors_metadata, hubkit", median_ms(read["hubkit"]), f"{median_ms(read['hubkit']) / base:.2f}"),
        (
            "get_sharded_safetensors_metadata (1 request), hubkit",
            median_ms(read["one"]),
            f"{median_ms(read['one']) / base:.2f}",
        ),
        ("upload_folder of the shards as .bin (no indexing)", median_ms(commits[".bin"]), "1.00"),
        (
            "upload_folder of the shards as .safetensors (headers indexed)",
            median_ms(commits[".safetensors"]),
            f"{median_ms(commits['.safetensors']) / median_ms(commits['.bin']):.2f}",
        ),
    ]


def bench_torch(rounds: int, work: Path) -> list[tuple[str, float, str]]:
    try:
        import torch
    except ImportError:
        return []
    import huggingface_hub as hfh

    import hubkit

    torch.manual_seed(0)
    model = torch.nn.Sequential(*(torch.nn.Linear(1024, 1024) for _ in range(48)))  # ~200 MB of float32
    times: dict[str, list[float]] = {}
    for r in range(rounds + 1):  # round 0 warms up (imports, page cache) and is dropped
        libs = [("huggingface_hub", hfh), ("hubkit", hubkit)]
        for name, lib in libs if r % 2 else libs[::-1]:  # alternate who writes first (page cache, writeback)
            folder = work / f"torch-{name}-{r}"
            folder.mkdir()
            save = timed(lambda: lib.save_torch_model(model, folder, max_shard_size="50MB"))  # noqa: B023
            load = timed(lambda: lib.load_torch_model(model, folder, strict=True))  # noqa: B023
            if r:
                times.setdefault(f"save {name}", []).append(save)
                times.setdefault(f"load {name}", []).append(load)
            shutil.rmtree(folder)
    rows = []
    for action in ("save", "load"):
        base = median_ms(times[f"{action} huggingface_hub"])
        rows.append((f"{action}_torch_model 200 MB / 50MB shards, huggingface_hub", base, "1.00"))
        ours = median_ms(times[f"{action} hubkit"])
        rows.append((f"{action}_torch_model 200 MB / 50MB shards, hubkit", ours, f"{ours / base:.2f}"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--readme", action="store_true")
    args = parser.parse_args()
    rounds, shards, tensors = (2, 10, 1500) if args.quick else (5, 40, 1500)
    load = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="bench-cards-"))
    for key in [k for k in os.environ if k.startswith(("HF_", "HUGGINGFACE"))]:
        del os.environ[key]
    os.environ.update(HF_HOME=str(work / "hf-home"), HF_HUB_DISABLE_PROGRESS_BARS="1", HF_HUB_DISABLE_TELEMETRY="1",
                      HF_HUB_DISABLE_XET="1")  # fmt: skip
    try:
        rows = bench_hub(rounds, shards, tensors, work) + bench_torch(rounds, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    git = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout
    lines = [
        BEGIN,
        "",
        f"### Latest results ({dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC)",
        "",
        "```sh",
        f".venv/bin/python bench/cards/run.py{' --quick' if args.quick else ''}",
        "```",
        "",
        f"- Machine: {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}; load average "
        f"at the start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; hubkit git {git.strip()}.",
        f"- {rounds} rounds (plus one dropped warm-up round), in turn (who goes first alternates); median wall "
        "time. "
        f"Sharded model: {shards} shards x {tensors} tensors "
        "(headers ~110 kB: two Range requests per shard). Hub on SQLite + local folder, loopback.",
        "",
        "| what | median | ratio |",
        "|---|---:|---:|",
        *[f"| {name} | {ms:.0f} ms | {ratio} |" for name, ms, ratio in rows],
        "",
        END,
    ]
    section = "\n".join(lines)
    print(section)
    if args.readme:
        replace_block(section, BEGIN, END, heading="Cards and safetensors (bench/cards)")


if __name__ == "__main__":
    main()
