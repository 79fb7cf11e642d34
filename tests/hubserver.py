"""Start a real ``hubkit serve`` process for tests, and provision it with ``hubkit admin``."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

HUBKIT = [sys.executable, "-m", "hubkit"]

ALICE = "hf_testAliceWriteToken000000000001"
ALICE_READ = "hf_testAliceReadToken0000000000001"
BOB = "hf_testBobWriteToken00000000000001"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def admin(data_dir: Path, *args: str, env: dict[str, str] | None = None) -> str:
    out = subprocess.run(
        [*HUBKIT, "admin", *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )
    if out.returncode != 0:
        raise RuntimeError(f"hubkit admin {' '.join(args)} failed: {out.stderr}")
    return out.stdout.strip()


@dataclass
class HubProcess:
    data_dir: Path
    port: int = field(default_factory=free_port)
    public_url: str | None = None
    extra_args: tuple[str, ...] = ()
    proc: subprocess.Popen[bytes] | None = None
    admin_token: str = ""
    env: dict[str, str] = field(default_factory=dict)  # HUBKIT_DATABASE_URL etc. in scale-out mode

    @property
    def database_url(self) -> str:
        return self.env.get("HUBKIT_DATABASE_URL") or f"sqlite:///{self.data_dir / 'hub.db'}"

    def settings(self):  # type: ignore[no-untyped-def]
        """The server's settings, to open its database and object store from a test."""
        from hubkit.server.settings import Settings

        return Settings(
            data_dir=self.data_dir,
            public_url=self.url,
            database_url=self.env.get("HUBKIT_DATABASE_URL", ""),
            storage_url=self.env.get("HUBKIT_STORAGE_URL", ""),
        )

    @property
    def url(self) -> str:
        """The endpoint clients use (the public URL, prefix included)."""
        return (self.public_url or f"http://127.0.0.1:{self.port}").rstrip("/")

    @property
    def log_path(self) -> Path:
        return self.data_dir.parent / f"{self.data_dir.name}.log"

    def start(self) -> HubProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        args = [*HUBKIT, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--data-dir", str(self.data_dir)]
        if self.public_url:
            args += ["--public-url", self.public_url]
        args += list(self.extra_args)
        if "HUBKIT_DATABASE_URL" in self.env:
            admin(self.data_dir, "migrate", env=self.env)
        env = {**os.environ, **self.env, "PYTHONUNBUFFERED": "1"}
        with open(self.log_path, "ab") as log:  # the child keeps its own descriptor
            self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()  # a hub that never answered must not outlive the caller
            raise
        token_file = self.data_dir / "admin-token"
        self.admin_token = token_file.read_text().strip() if token_file.exists() else ""
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 30
        probe = f"http://127.0.0.1:{self.port}/api/whoami-v2"
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"hubkit serve exited:\n{self.log_path.read_text()[-3000:]}")
            try:
                httpx.get(probe, timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("hubkit serve did not answer within 30 s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def __enter__(self) -> HubProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def kill(self) -> None:
        if self.proc:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def add_user(self, name: str, write_token: str) -> HubProcess:
        """A user with a write token of a chosen value (benchmarks provision this way)."""
        admin(self.data_dir, "create-user", name, env=self.env)
        admin(self.data_dir, "create-token", name, "--role", "write", "--value", write_token, env=self.env)
        return self

    def provision(self) -> HubProcess:
        """alice (admin of org acme) and bob, with write tokens; a read token for alice."""
        e = self.env
        admin(self.data_dir, "create-user", "alice", "--fullname", "Alice A", "--email", "alice@example.com", env=e)
        admin(self.data_dir, "create-user", "bob", "--fullname", "Bob B", env=e)
        admin(self.data_dir, "create-org", "acme", "--member", "alice:admin", "--member", "bob:read", env=e)
        admin(self.data_dir, "create-token", "alice", "--role", "write", "--value", ALICE, env=e)
        admin(self.data_dir, "create-token", "alice", "--role", "read", "--value", ALICE_READ, env=e)
        admin(self.data_dir, "create-token", "bob", "--role", "write", "--value", BOB, env=e)
        return self
