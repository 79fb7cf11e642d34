"""Hub server vs nginx: HEAD resolve requests/s and GET throughput of one LFS file.

One run starts ``hubkit serve`` on a scratch data dir, provisions a user and a token, creates a
public model repo and uploads a random ``model.safetensors`` (through LFS) and a small
``config.json`` with the real ``huggingface_hub`` client, then starts nginx (its own minimal
config, ``sendfile on``) on a folder holding the *same* bytes: a hard link to the hub's LFS
object. It then measures, at concurrency 1 and 16, the hub, the hub with ``--workers 2`` and
nginx, interleaved (one run of each in turn, ``repeats`` times; the median counts):

- HEAD requests/s: hub ``HEAD /alice/<repo>/resolve/main/<file>`` against nginx
  ``HEAD /<file>``;
- GET throughput (MB/s, 1 MB = 10^6 bytes) of the whole file, downloaded again and again.

The load generator is ``httpload`` (httpload.c next to this file, built with ``cc``): N
keep-alive HTTP/1.1 connections, one request in flight on each, at most 2 threads, for a fixed
time; GET bodies are discarded in the kernel so that the client costs little CPU. Off-the-shelf
tools do not fit, see httpload.c. ``--get-client curl`` measures GET with N parallel ``curl``
processes instead (whole downloads, bytes over the wall time from the first start to the last
finish).

Run it with the project's venv, from the repository root:

    .venv/bin/python bench/server/run.py            # full profile: 1 GiB file, 10 s runs, 3 repeats
    .venv/bin/python bench/server/run.py --quick    # 64 MiB file, 3 s runs, once

The full profile replaces its section of bench/README.md (``--no-readme`` to skip), the quick
one only prints (``--readme`` to write anyway). Raw results go to bench/results/ (not in git).
Needs nginx, curl and a C compiler (Debian: ``apt-get install -y nginx curl gcc``).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import resource
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
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


class BenchError(Exception):
    pass


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --- tools and processes -------------------------------------------------------------------

TOOL_PACKAGES = {"nginx": "nginx", "curl": "curl", "cc": "gcc"}


def find_tool(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for folder in ("/usr/sbin", "/usr/local/sbin", "/sbin"):  # nginx lives in sbin, often off PATH
        candidate = Path(folder) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def require_tools() -> dict[str, str]:
    tools = {name: find_tool(name) for name in TOOL_PACKAGES}
    missing = [name for name, path in tools.items() if path is None]
    if missing:
        packages = " ".join(TOOL_PACKAGES[name] for name in missing)
        raise BenchError(f"missing tool(s): {', '.join(missing)}. On Debian/Ubuntu: sudo apt-get install -y {packages}")
    return {k: v for k, v in tools.items() if v}


def build_httpload(cc: str, work: Path) -> str:
    exe = work / "httpload"
    out = subprocess.run(
        [cc, "-O2", "-pthread", "-o", str(exe), str(HTTPLOAD_C)], capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise BenchError(f"cannot build {HTTPLOAD_C.name}:\n{out.stderr}")
    return str(exe)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def hubkit_command() -> list[str]:
    script = Path(sys.executable).parent / "hubkit"
    return [str(script)] if script.exists() else [sys.executable, "-m", "hubkit"]


class Service:
    """A server process in its own session, so that it and its children stop together."""

    def __init__(self, name: str, args: list[str], log_path: Path, env: dict[str, str] | None = None) -> None:
        self.name = name
        self.log_path = log_path
        with open(log_path, "ab") as out:
            self.proc = subprocess.Popen(
                args, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True, cwd=log_path.parent
            )

    def alive(self) -> bool:
        return self.proc.poll() is None

    def log_tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def wait_ready(self, url: str, timeout: float = 60) -> None:
        """Wait until ``url`` answers; stop the process if it never does."""
        try:
            self._wait_http(url, timeout)
        except BaseException:
            self.stop()
            raise

    def _wait_http(self, url: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise BenchError(f"{self.name} exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=2):
                    return
            except urllib.error.HTTPError:
                return  # it answers
            except OSError:
                time.sleep(0.1)
        raise BenchError(f"{self.name} did not answer {url} within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        # workers left behind by a supervisor that exited first (same process group)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def cpu_seconds(self) -> float:
        """user+system CPU time of the process and all its live descendants."""
        return sum(_cpu_of(pid) for pid in _descendants(self.proc.pid))


def _proc_stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()  # fields from 'state' (field 3) on


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _proc_stat(int(entry))
            if stat:
                children.setdefault(int(stat[1]), []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def _cpu_of(pid: int) -> float:
    stat = _proc_stat(pid)
    if not stat:
        return 0.0
    return (int(stat[11]) + int(stat[12])) / CLK_TCK  # utime, stime (fields 14 and 15)


def _client_cpu_seconds() -> float:
    """CPU of this script (curl-driving threads) and of its finished children (httpload, curl)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def wait_quiet(max_wait: float, threshold: float = 0.25) -> float:
    """Wait (at most ``max_wait`` s) until other processes use under ``threshold`` of a core for 1 s.

    Between runs nothing of ours is busy, so what /proc/stat counts is someone else's load: on a
    shared machine, starting a run in a quiet moment makes the numbers much less noisy.
    Returns the seconds waited.
    """
    start = time.monotonic()
    while True:
        b0, _ = _system_cpu_seconds()
        time.sleep(1)
        busy = _system_cpu_seconds()[0] - b0
        waited = time.monotonic() - start
        if busy < threshold or waited >= max_wait:
            return waited


def _system_cpu_seconds() -> tuple[float, float]:
    """(busy user+nice+system, steal) CPU seconds of the whole machine, from /proc/stat."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    ticks = [int(x) for x in fields]
    return (ticks[0] + ticks[1] + ticks[2]) / CLK_TCK, (ticks[7] if len(ticks) > 7 else 0) / CLK_TCK


@contextlib.contextmanager
def cpu_meter(service: Service) -> Iterator[dict[str, float]]:
    """CPU seconds of the server, of the load generator, and of everything else on the machine."""
    out: dict[str, float] = {}
    s0, c0, (b0, st0), t0 = service.cpu_seconds(), _client_cpu_seconds(), _system_cpu_seconds(), time.monotonic()
    yield out
    out["wall"] = time.monotonic() - t0
    out["server"] = service.cpu_seconds() - s0
    out["client"] = _client_cpu_seconds() - c0
    busy, steal = _system_cpu_seconds()
    out["other"] = max(0.0, busy - b0 - out["server"] - out["client"])
    out["steal"] = steal - st0


# --- the hub -------------------------------------------------------------------------------


def start_hub(data_dir: Path, workdir: Path, workers: int) -> tuple[Service, str]:
    port = free_port()
    args = [*hubkit_command(), "serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(data_dir)]
    if workers > 1:
        args += ["--workers", str(workers)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    service = Service(f"hubkit serve --workers {workers}", args, workdir / f"hub-w{workers}.log", env)
    url = f"http://127.0.0.1:{port}"
    service.wait_ready(f"{url}/api/whoami-v2")
    return service, url


def admin(data_dir: Path, *args: str) -> None:
    out = subprocess.run(
        [*hubkit_command(), "admin", *args, "--data-dir", str(data_dir)], capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise BenchError(f"hubkit admin {' '.join(args)} failed: {out.stderr.strip()}")


def make_random_file(path: Path, size: int) -> str:
    """``size`` random bytes at ``path``; returns their sha256."""
    digest = hashlib.sha256()
    with open(path, "wb") as f:
        left = size
        while left:
            data = os.urandom(min(8 * MiB, left))
            digest.update(data)
            f.write(data)
            left -= len(data)
    return digest.hexdigest()


def upload(url: str, work: Path, size: int) -> tuple[str, float]:
    """Create alice/REPO_NAME and upload the LFS file and a small file; returns (sha256, seconds)."""
    # The client reads its environment at import time: main() sets it first, import here.
    from huggingface_hub import HfApi

    src = work / "upload" / LFS_FILE
    src.parent.mkdir()
    log(f"generating {size / MiB:.0f} MiB of random bytes")
    sha = make_random_file(src, size)
    api = HfApi(endpoint=url, token=TOKEN)
    repo_id = f"{USER}/{REPO_NAME}"
    api.create_repo(repo_id, repo_type="model", private=False)
    api.upload_file(
        path_or_fileobj=json.dumps({"model_type": "bench", "hidden_size": 8}, indent=2).encode(),
        path_in_repo=SMALL_FILE,
        repo_id=repo_id,
        commit_message="add config",
    )
    log(f"uploading {LFS_FILE} through huggingface_hub (LFS)")
    t0 = time.monotonic()
    api.upload_file(path_or_fileobj=str(src), path_in_repo=LFS_FILE, repo_id=repo_id, commit_message="add weights")
    seconds = time.monotonic() - t0
    src.unlink()  # the hub's object is the copy that both servers serve
    info = api.model_info(repo_id, files_metadata=True)
    lfs = {s.rfilename: s.lfs for s in info.siblings or []}.get(LFS_FILE)
    if lfs is None or lfs.sha256 != sha:
        raise BenchError(f"{LFS_FILE} is not stored as the expected LFS object: {lfs}")
    return sha, seconds


# --- nginx ---------------------------------------------------------------------------------

NGINX_CONF = """\
# minimal static file server for bench/server/run.py
{user}worker_processes {workers};
daemon off;
master_process on;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;

events {{
    worker_connections 1024;
}}

http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    keepalive_requests 100000000;
    default_type application/octet-stream;
    types {{
        application/json json;
    }}
    client_body_temp_path {dir}/tmp/body;
    proxy_temp_path {dir}/tmp/proxy;
    fastcgi_temp_path {dir}/tmp/fastcgi;
    uwsgi_temp_path {dir}/tmp/uwsgi;
    scgi_temp_path {dir}/tmp/scgi;

    server {{
        listen 127.0.0.1:{port};
        root {root};
        location / {{
        }}
    }}
}}
"""


def start_nginx(nginx: str, work: Path, root: Path, workers: str) -> tuple[Service, str]:
    ndir = work / "nginx"
    (ndir / "tmp").mkdir(parents=True)
    port = free_port()
    # As root the workers would drop to 'nobody', who can read neither the scratch folders (0700)
    # nor the hub's objects: keep them as the invoking user.
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = ndir / "nginx.conf"
    conf.write_text(NGINX_CONF.format(user=user, workers=workers, dir=ndir, port=port, root=root))
    args = [nginx, "-p", str(ndir), "-e", str(ndir / "error.log"), "-c", str(conf)]
    check = subprocess.run([*args, "-t"], capture_output=True, text=True, check=False)
    if check.returncode != 0:
        raise BenchError(f"nginx rejects its config:\n{check.stderr}")
    service = Service("nginx", args, ndir / "stdout.log")
    url = f"http://127.0.0.1:{port}"
    service.wait_ready(f"{url}/{SMALL_FILE}")
    return service, url


# --- checks --------------------------------------------------------------------------------


def fetch(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, method=method, headers=headers or {})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()


def check_same_bytes(urls: list[str], path: Path, size: int) -> None:
    """Every server announces the same length and returns the same bytes at both ends of the file."""
    with open(path, "rb") as f:
        head = f.read(4096)
        f.seek(size - 4096)
        tail = f.read()
    for url in urls:
        status, headers, _ = fetch(url, "HEAD")
        if status != 200 or int(headers["content-length"]) != size:
            raise BenchError(f"HEAD {url}: {status} {headers}")
        for rng, want in ((f"bytes=0-{len(head) - 1}", head), (f"bytes={size - len(tail)}-", tail)):
            status, _, body = fetch(url, headers={"Range": rng})
            if status != 206 or body != want:
                raise BenchError(f"GET {url} Range {rng}: HTTP {status}, {len(body)} bytes, content differs")


# --- measurements --------------------------------------------------------------------------


@dataclass
class Target:
    """A running server and the URLs of the two files on it."""

    name: str
    service: Service
    urls: dict[str, str]  # "lfs", "small"


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
    with cpu_meter(target.service) as cpu:
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
        with cpu_meter(target.service) as cpu:
            data = get_throughput(tools["curl"], url, conc, prof.get_seconds, size)
        nbytes, seconds, detail = data["mbps"] * MB * data["seconds"], data["seconds"], {"downloads": data["downloads"]}
    else:
        httpload(tools["httpload"], "GET", url, conc, prof.warmup_seconds)
        with cpu_meter(target.service) as cpu:
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


# --- report --------------------------------------------------------------------------------

METRIC_LABEL = {
    "head": f"HEAD {LFS_FILE} (req/s)",
    "head-small": f"HEAD {SMALL_FILE} (req/s)",
    "get": f"GET {LFS_FILE} (MB/s)",
}


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


MAIN_HEADER = ["measurement", "concurrency", "hub as", "hub", "nginx", "ratio", "target", "met"]


def main_rows(summaries: dict[tuple[str, str, int], Summary]) -> list[list[str]]:
    rows = []
    hubs = list(dict.fromkeys(s.server for s in summaries.values() if s.server != NGINX))
    metrics = list(dict.fromkeys(s.metric for s in summaries.values()))
    for metric in sorted(metrics, key=list(METRIC_LABEL).index):
        for conc in CONCURRENCY:
            ref = summaries[(NGINX, metric, conc)].median
            for hub in hubs:
                value = summaries[(hub, metric, conc)].median
                ratio = value / ref
                target = TARGETS.get(metric)
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
                        f">= {target}x" if target is not None else "(extra)",
                        verdict,
                    ]
                )
    return rows


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
    lines += [
        "",
        "Medians, range over the repeats, and mean CPU use during the runs (100% = one core of "
        f"{machine['cores']}). Client: the load generator (and this script); other: every other process "
        "on the machine (interference: a run is only clean when it is near 0%). Server cost: the server's "
        "CPU time per HEAD request, or per GB sent.",
        "",
        md_table(DETAIL_HEADER, detail_rows(summaries)),
        "",
        END,
    ]
    return "\n".join(lines)


def write_readme(section: str) -> None:
    text = README.read_text() if README.exists() else "# Benchmarks\n"
    if BEGIN in text and END in text:
        before, rest = text.split(BEGIN, 1)
        text = before + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n## Server: hubkit vs nginx (bench/server)\n\n" + section + "\n"
    README.write_text(text)


# --- main ----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="64 MiB file, 3 s runs, no repeats")
    p.add_argument("--size-mib", type=int, help="override the LFS file size")
    p.add_argument("--seconds", type=float, help="override the duration of each run")
    p.add_argument("--repeats", type=int, help="override the number of runs of each server (median reported)")
    p.add_argument(
        "--get-client",
        choices=["httpload", "curl"],
        default="httpload",
        help="GET load generator: httpload (discards the body in the kernel: measures the server) "
        "or N curl processes writing to /dev/null (a real client's cost)",
    )
    p.add_argument("--no-workers2", action="store_true", help="skip the hub --workers 2 rows")
    p.add_argument("--no-small", action="store_true", help="skip the HEAD of the small regular file")
    p.add_argument(
        "--quiet-wait",
        type=float,
        default=30,
        metavar="S",
        help="before each run, wait up to S seconds for other processes to go idle (0: never wait)",
    )
    p.add_argument("--nginx-workers", default="auto", help="nginx worker_processes (default auto: one per core)")
    readme = p.add_mutually_exclusive_group()
    readme.add_argument("--readme", dest="readme", action="store_true", default=None, help="update bench/README.md")
    readme.add_argument("--no-readme", dest="readme", action="store_false", help="do not update bench/README.md")
    p.add_argument("--keep", action="store_true", help="keep the scratch folder (logs, data) for inspection")
    return p.parse_args(argv)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    prof = PROFILES["quick" if args.quick else "full"]
    if args.size_mib or args.seconds or args.repeats:
        prof = Profile(
            prof.name + " (custom)",
            args.size_mib * MiB if args.size_mib else prof.size,
            args.seconds or prof.head_seconds,
            args.seconds or prof.get_seconds,
            prof.warmup_seconds,
            args.repeats or prof.repeats,
        )
    write = args.readme if args.readme is not None else (prof.name == "full")
    try:
        tools = require_tools()
    except BenchError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2

    # SIGTERM (e.g. from a CI timeout) unwinds like Ctrl-C, so that the cleanup below runs.
    signal.signal(signal.SIGTERM, _interrupt)
    work = Path(tempfile.mkdtemp(prefix="hubkit-bench-"))
    os.environ.update(
        {
            "HF_HUB_DISABLE_XET": "1",
            "HF_HUB_DISABLE_TELEMETRY": "1",
            "HF_HUB_DISABLE_PROGRESS_BARS": "1",
            "HF_HOME": str(work / "hf_home"),
        }
    )
    for var in ("HF_TOKEN", "HF_ENDPOINT", "HUBKIT_DATA_DIR", "HUBKIT_PUBLIC_URL", "HUBKIT_DATABASE_URL"):
        os.environ.pop(var, None)
    services: list[Service] = []
    try:
        log(f"scratch folder {work}; profile {prof.name}, file {prof.size / MiB:,.0f} MiB")
        machine = machine_info(tools, args.nginx_workers)
        tools["httpload"] = build_httpload(tools["cc"], work)
        data_dir = work / "hub-data"
        hub, hub_url = start_hub(data_dir, work, workers=1)
        services.append(hub)
        admin(data_dir, "create-user", USER)
        admin(data_dir, "create-token", USER, "--role", "write", "--value", TOKEN)
        sha, upload_s = upload(hub_url, work, prof.size)
        log(f"upload took {upload_s:.1f} s ({prof.size / upload_s / MB:,.0f} MB/s)")

        obj = data_dir / "objects" / "lfs" / sha[:2] / sha[2:]
        if not obj.is_file() or obj.stat().st_size != prof.size:
            raise BenchError(f"LFS object not found at {obj}")
        www = work / "www"
        www.mkdir()
        try:
            os.link(obj, www / LFS_FILE)  # the very same inode: same bytes, same page cache
        except OSError:
            shutil.copyfile(obj, www / LFS_FILE)
        _, _, small = fetch(f"{hub_url}/{USER}/{REPO_NAME}/resolve/main/{SMALL_FILE}")
        (www / SMALL_FILE).write_bytes(small)

        paths = {k: f"/{USER}/{REPO_NAME}/resolve/main/{f}" for k, f in (("lfs", LFS_FILE), ("small", SMALL_FILE))}
        targets = [Target("hub", hub, {k: hub_url + v for k, v in paths.items()})]
        if not args.no_workers2:
            hub2, hub2_url = start_hub(data_dir, work, workers=2)
            services.append(hub2)
            targets.append(Target("hub --workers 2", hub2, {k: hub2_url + v for k, v in paths.items()}))
        nginx, nginx_url = start_nginx(tools["nginx"], work, www, args.nginx_workers)
        services.append(nginx)
        targets.append(Target(NGINX, nginx, {"lfs": f"{nginx_url}/{LFS_FILE}", "small": f"{nginx_url}/{SMALL_FILE}"}))
        check_same_bytes([t.urls["lfs"] for t in targets], www / LFS_FILE, prof.size)
        _, headers, _ = fetch(targets[0].urls["lfs"], "HEAD")
        if headers.get("x-linked-etag") != f'"{sha}"':
            raise BenchError(f"the hub's HEAD lacks the LFS ETag: {headers}")
        log(f"{', '.join(t.name for t in targets)} serve the same bytes")

        metrics = ["head", *([] if args.no_small else ["head-small"]), "get"]
        runs = measure_all(tools, targets, prof, metrics, args.quiet_wait, args.get_client)
        summaries = summarize(runs)

        when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        command = shlex.join([".venv/bin/python", "bench/server/run.py", *(argv if argv is not None else sys.argv[1:])])
        print()
        print(text_table(MAIN_HEADER, main_rows(summaries)))
        print()
        print(text_table(DETAIL_HEADER, detail_rows(summaries)))
        section = report_markdown(summaries, prof, command, when, machine, upload_s, args.get_client)
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        stem = f"server-{prof.name.split()[0]}-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}"
        raw = {
            "profile": prof.__dict__,
            "command": command,
            "when": when,
            "machine": machine,
            "upload_seconds": upload_s,
            "runs": [r.__dict__ for r in runs],
        }
        (RESULTS_DIR / f"{stem}.json").write_text(json.dumps(raw, indent=2) + "\n")
        (RESULTS_DIR / f"{stem}.md").write_text(section + "\n")
        log(f"raw results in {(RESULTS_DIR / stem).relative_to(REPO_ROOT)}.json")
        if write:
            write_readme(section)
            log(f"updated {README.relative_to(REPO_ROOT)}")
        return 0
    except BenchError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        for service in reversed(services):
            service.stop()
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
