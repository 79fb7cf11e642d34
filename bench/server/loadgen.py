"""Load generation: httpload (httpload.c) or curl, one measured run of one server."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from common import CONCURRENCY, HTTPLOAD_C, MAX_CLIENT_THREADS, MB, METRIC_LABEL, BenchError, Profile, log
from procs import Service, cpu_meter, wait_quiet


def build_httpload(cc: str, work: Path) -> str:
    exe = work / "httpload"
    out = subprocess.run(
        [cc, "-O2", "-pthread", "-o", str(exe), str(HTTPLOAD_C)], capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise BenchError(f"cannot build {HTTPLOAD_C.name}:\n{out.stderr}")
    return str(exe)


# --- measurements --------------------------------------------------------------------------


@dataclass
class Target:
    """A running server (its processes: all count as the server's CPU) and the URLs of the two files on it."""

    name: str
    services: list[Service]
    urls: dict[str, str]  # "lfs", "small"
    head_only: bool = False  # answers HEAD only (the ASGI floor): no GET rows


@dataclass
class Run:
    """One measurement of one server."""

    server: str
    metric: str  # "head" | "head-small" | "get"
    concurrency: int
    value: float  # requests/s or MB/s
    cpu: dict[str, float]  # CPU seconds: server, client, other, steal; and the wall time
    detail: dict[str, float] = field(default_factory=dict)

    def pct(self, key: str) -> float:
        return 100 * self.cpu[key] / self.cpu["wall"] if self.cpu["wall"] else 0.0


def httpload(exe: str, method: str, url: str, conc: int, seconds: float) -> dict[str, float]:
    """``method`` requests on ``conc`` keep-alive connections for ``seconds`` (see httpload.c)."""
    hostport, path = url.removeprefix("http://").split("/", 1)
    host, port = hostport.rsplit(":", 1)
    threads = min(MAX_CLIENT_THREADS, conc)
    cmd = [exe, method, host, port, "/" + path, str(conc), str(threads), f"{seconds:g}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    try:
        data = json.loads(out.stdout)
    except ValueError:
        raise BenchError(f"httpload failed ({out.returncode}): {out.stdout}\n{out.stderr}") from None
    if out.returncode != 0 or data["errors"] or not (data["requests"] or data["body_bytes"]):
        raise BenchError(f"{method} {url} at concurrency {conc}: {data}")
    return data


def measure_head(exe: str, target: Target, metric: str, conc: int, prof: Profile) -> Run:
    url = target.urls["small" if metric == "head-small" else "lfs"]
    httpload(exe, "HEAD", url, conc, prof.warmup_seconds)
    with cpu_meter(target.services) as cpu:
        data = httpload(exe, "HEAD", url, conc, prof.head_seconds)
    rps = data["requests"] / data["seconds"]
    detail = {"requests": data["requests"], "server_cpu_per_unit": cpu["server"] / data["requests"]}
    return Run(target.name, metric, conc, rps, cpu, detail)


def curl_get(curl: str, url: str) -> tuple[int, int]:
    out = subprocess.run(
        [curl, "-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download}", url],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise BenchError(f"curl {url} failed ({out.returncode}): {out.stderr}")
    code, size = out.stdout.split()
    return int(code), int(size)


def get_throughput(curl: str, url: str, conc: int, seconds: float, size: int) -> dict[str, float]:
    """``conc`` workers each download ``url`` whole, again and again until ``seconds`` have passed."""
    lock = threading.Lock()
    totals = {"bytes": 0, "downloads": 0}
    errors: list[str] = []
    start = time.monotonic()

    def worker() -> None:
        try:
            while True:
                code, got = curl_get(curl, url)
                if code != 200 or got != size:
                    raise BenchError(f"GET {url}: HTTP {code}, {got} bytes instead of {size}")
                with lock:
                    totals["bytes"] += got
                    totals["downloads"] += 1
                if time.monotonic() - start >= seconds:
                    return
        except Exception as err:
            errors.append(str(err))

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(conc)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - start
    if errors:
        raise BenchError(errors[0])
    return {"mbps": totals["bytes"] / wall / MB, "downloads": totals["downloads"], "seconds": wall}


def measure_get(tools: dict[str, str], client: str, target: Target, conc: int, prof: Profile, size: int) -> Run:
    url = target.urls["lfs"]
    if client == "curl":
        curl_get(tools["curl"], url)  # warm-up: connection path and page cache
        with cpu_meter(target.services) as cpu:
            data = get_throughput(tools["curl"], url, conc, prof.get_seconds, size)
        nbytes, seconds, detail = data["mbps"] * MB * data["seconds"], data["seconds"], {"downloads": data["downloads"]}
    else:
        httpload(tools["httpload"], "GET", url, conc, prof.warmup_seconds)
        with cpu_meter(target.services) as cpu:
            data = httpload(tools["httpload"], "GET", url, conc, prof.get_seconds)
        nbytes, seconds, detail = data["body_bytes"], data["seconds"], {"downloads": data["requests"]}
    detail["server_cpu_per_unit"] = cpu["server"] / (nbytes / 1e9)  # CPU seconds per GB
    return Run(target.name, "get", conc, nbytes / seconds / MB, cpu, detail)


def measure_all(
    tools: dict[str, str], targets: list[Target], prof: Profile, metrics: list[str], quiet_wait: float, get_client: str
) -> list[Run]:
    """Every metric and concurrency; the servers take turns within each repeat."""
    runs = []
    for metric in metrics:
        for conc in CONCURRENCY:
            for rep in range(prof.repeats):
                for target in targets:
                    if metric == "get" and target.head_only:
                        continue
                    if quiet_wait > 0:
                        waited = wait_quiet(quiet_wait)
                        if waited > 1.5:
                            log(f"waited {waited:.0f} s for other processes to quieten down")
                    if metric == "get":
                        run = measure_get(tools, get_client, target, conc, prof, prof.size)
                    else:
                        run = measure_head(tools["httpload"], target, metric, conc, prof)
                    log(
                        f"{METRIC_LABEL[metric]} c={conc} #{rep + 1} {target.name}: {run.value:,.0f} "
                        f"(CPU: server {run.pct('server'):.0f}%, client {run.pct('client'):.0f}%, "
                        f"other {run.pct('other'):.0f}%)"
                    )
                    runs.append(run)
    return runs
