"""Constants, profiles and small helpers shared by the bench/server modules."""

from __future__ import annotations

import os
import signal
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
README = REPO_ROOT / "bench" / "README.md"
RESULTS_DIR = REPO_ROOT / "bench" / "results"
HTTPLOAD_C = HERE / "httpload.c"
BEGIN = "<!-- bench/server results: begin (written by bench/server/run.py) -->"
END = "<!-- bench/server results: end -->"

MiB = 1024 * 1024
MB = 1000 * 1000
USER = "alice"
TOKEN = "hf_benchAliceWriteToken0000000001"
REPO_NAME = "bench-model"
LFS_FILE = "model.safetensors"
SMALL_FILE = "config.json"
CONCURRENCY = (1, 16)
MAX_CLIENT_THREADS = 2
TARGETS = {"head": 0.5, "get": 0.8}
CLK_TCK = os.sysconf("SC_CLK_TCK")
NGINX = "nginx"
ACCEL = "hub behind nginx (--accel-redirect)"
ACCEL_PREFIX = "/_hubkit_objects"  # nginx's internal location for --accel-redirect
FLOOR = "ASGI floor"


@dataclass(frozen=True)
class Profile:
    name: str
    size: int  # bytes of the LFS file
    head_seconds: float
    get_seconds: float
    warmup_seconds: float
    repeats: int


PROFILES = {
    "full": Profile("full", 1024 * MiB, head_seconds=10, get_seconds=10, warmup_seconds=1, repeats=3),
    "quick": Profile("quick", 64 * MiB, head_seconds=3, get_seconds=3, warmup_seconds=0.5, repeats=1),
}


def profile_from_args(quick: bool, size_mib: int | None, seconds: float | None, repeats: int | None) -> Profile:
    """The full or quick profile, with the command line's overrides (then named "... (custom)")."""
    prof = PROFILES["quick" if quick else "full"]
    if not (size_mib or seconds or repeats):
        return prof
    return Profile(
        prof.name + " (custom)",
        size_mib * MiB if size_mib else prof.size,
        seconds or prof.head_seconds,
        seconds or prof.get_seconds,
        prof.warmup_seconds,
        repeats or prof.repeats,
    )


class BenchError(Exception):
    pass


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


METRIC_LABEL = {
    "head": f"HEAD {LFS_FILE} (req/s)",
    "head-small": f"HEAD {SMALL_FILE} (req/s)",
    "get": f"GET {LFS_FILE} (MB/s)",
}


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def isolated_run(prefix: str) -> Path:
    """A scratch folder for one benchmark run. SIGTERM (e.g. from a CI timeout) then unwinds like
    Ctrl-C, so that the callers' cleanups run, and the environment the clients and hubs inherit
    cannot point them at the user's own hub, token, database, storage or caches."""
    signal.signal(signal.SIGTERM, _interrupt)
    work = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ.update(
        {
            "HF_HUB_DISABLE_XET": "1",
            "HF_HUB_DISABLE_TELEMETRY": "1",
            "HF_HUB_DISABLE_PROGRESS_BARS": "1",
            "HF_HOME": str(work / "hf_home"),
        }
    )
    for var in (
        "HF_TOKEN",
        "HF_ENDPOINT",
        "HUBKIT_DATA_DIR",
        "HUBKIT_PUBLIC_URL",
        "HUBKIT_DATABASE_URL",
        "HUBKIT_STORAGE_URL",
    ):
        os.environ.pop(var, None)
    return work
