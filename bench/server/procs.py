"""Tools, server processes, and CPU accounting (per process tree and for the whole machine)."""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from common import CLK_TCK, BenchError

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
def cpu_meter(services: list[Service]) -> Iterator[dict[str, float]]:
    """CPU seconds of the server (all of ``services``), of the load generator, and of everything else."""

    def server() -> float:
        return sum(s.cpu_seconds() for s in services)

    out: dict[str, float] = {}
    s0, c0, (b0, st0), t0 = server(), _client_cpu_seconds(), _system_cpu_seconds(), time.monotonic()
    yield out
    out["wall"] = time.monotonic() - t0
    out["server"] = server() - s0
    out["client"] = _client_cpu_seconds() - c0
    busy, steal = _system_cpu_seconds()
    out["other"] = max(0.0, busy - b0 - out["server"] - out["client"])
    out["steal"] = steal - st0
