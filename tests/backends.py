"""PostgreSQL and an S3 server (moto) on loopback, for the scale-out test mode.

``HUBKIT_TEST_BACKEND=scale`` runs the server and compat suites against PostgreSQL + S3 instead
of the embedded SQLite + folder. Both services are started by the test session itself.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx


def backend() -> str:
    return os.environ.get("HUBKIT_TEST_BACKEND", "embedded")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@dataclass
class ScaleServices:
    pg_url: str  # server URL without a database name
    s3_endpoint: str
    bucket: str
    procs: list[subprocess.Popen[bytes]]
    pg_stop: list[str]
    pg_dir: Path

    def new_database(self) -> str:
        name = f"hub_{uuid.uuid4().hex[:12]}"
        import psycopg

        with psycopg.connect(f"{self.pg_url}/postgres", autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return f"{self.pg_url}/{name}"

    def env(self) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": self.s3_endpoint,
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_DEFAULT_REGION": "us-east-1",
        }

    def stop(self) -> None:
        for p in self.procs:
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        subprocess.run(self.pg_stop, capture_output=True, check=False)
        shutil.rmtree(self.pg_dir, ignore_errors=True)


def start_scale_services(tmp: Path) -> ScaleServices:
    bindir = pg_bin()
    if bindir is None:
        raise RuntimeError("PostgreSQL server binaries not found: apt-get install postgresql")
    # outside pytest's private (0700) folders: the server may run as another user
    pgdata = Path(tempfile.mkdtemp(prefix="hubkit-pg-")) / "pg"
    pgdata.parent.chmod(0o755)
    as_user: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        pgdata.mkdir()
        shutil.chown(pgdata, "nobody")
        as_user = ["runuser", "-u", "nobody", "--"]
    port = _free_port()
    subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(pgdata), "-A", "trust", "-U", "hubkit"],
                   check=True, capture_output=True)  # fmt: skip
    options = f"-p {port} -k {pgdata} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300"
    subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(pgdata), "-o", options, "-l", str(pgdata / "log"),
                    "-w", "start"], check=True, capture_output=True)  # fmt: skip
    stop = [*as_user, str(bindir / "pg_ctl"), "-D", str(pgdata), "stop", "-m", "fast"]
    cleanup = pgdata.parent
    s3_port = _free_port()
    moto = shutil.which("moto_server") or str(Path(sys.executable).with_name("moto_server"))
    with open(tmp / "moto.log", "ab") as log:
        proc = subprocess.Popen([moto, "-H", "127.0.0.1", "-p", str(s3_port)], stdout=log, stderr=log)
    endpoint = f"http://127.0.0.1:{s3_port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(endpoint, timeout=1)
            break
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise RuntimeError("moto_server did not start") from None
            time.sleep(0.2)
    services = ScaleServices(f"postgresql://hubkit@127.0.0.1:{port}", endpoint, "hub", [proc], stop, cleanup)
    import boto3

    boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test",
                 region_name="us-east-1").create_bucket(Bucket=services.bucket)  # fmt: skip
    return services
