"""The servers under test: the hub (seeded through huggingface_hub), nginx; and the byte check."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from common import ACCEL_PREFIX, HERE, LFS_FILE, REPO_NAME, SMALL_FILE, TOKEN, USER, BenchError, MiB, log
from procs import Service, free_port, hubkit_command


def start_hub(
    data_dir: Path, workdir: Path, workers: int, extra: tuple[str, ...] = (), name: str = ""
) -> tuple[Service, str]:
    """``hubkit serve`` on a free port (``extra``: more options); returns it and its own URL."""
    port = free_port()
    args = [*hubkit_command(), "serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(data_dir)]
    if workers > 1:
        args += ["--workers", str(workers)]
    args += extra
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    name = name or f"hub-w{workers}"
    label = f"hubkit serve --workers {workers}" + "".join(f" {x}" for x in extra)
    service = Service(label, args, workdir / f"{name}.log", env)
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
# minimal {what} for bench/server/run.py
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
{http}
    server {{
        listen 127.0.0.1:{port};
{server}
    }}
}}
"""

STATIC_SERVER = """\
        root {root};
        location / {{
        }}"""

# The hub behind nginx: everything is proxied to the hub over kept-alive upstream connections;
# a GET of an LFS file comes back as 200 + "X-Accel-Redirect: PREFIX/lfs/ab/cdef..." without a
# body, and nginx sends the object itself from the internal location (sendfile, Range).
# The upstream keep-alive timeout stays under uvicorn's (30 s) so that nginx never reuses a
# connection the hub is closing.
PROXY_HTTP = """
    upstream hub {{
        server 127.0.0.1:{hub_port};
        keepalive 32;
        keepalive_timeout 20s;
        keepalive_requests 100000000;
    }}
"""

PROXY_SERVER = """\
        location / {{
            proxy_pass http://hub;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
        }}
        location {prefix}/ {{
            internal;
            alias {objects}/;
            # On X-Accel-Redirect nginx keeps only a few upstream headers (Content-Type,
            # Content-Disposition, Cache-Control, ...) and sets an ETag of its own (mtime-size):
            # give the client the hub's metadata back (ETag = content id, which clients check).
            etag off;
            add_header ETag $upstream_http_etag;
            add_header X-Repo-Commit $upstream_http_x_repo_commit;
            add_header X-Linked-Etag $upstream_http_x_linked_etag;
            add_header X-Linked-Size $upstream_http_x_linked_size;
        }}"""


def _start_nginx_conf(
    nginx: str, ndir: Path, port: int, workers: str, name: str, what: str, http: str, server: str
) -> Service:
    (ndir / "tmp").mkdir(parents=True)
    # As root the workers would drop to 'nobody', who can read neither the scratch folders (0700)
    # nor the hub's objects: keep them as the invoking user.
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = ndir / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(what=what, user=user, workers=workers, dir=ndir, port=port, http=http, server=server)
    )
    args = [nginx, "-p", str(ndir), "-e", str(ndir / "error.log"), "-c", str(conf)]
    check = subprocess.run([*args, "-t"], capture_output=True, text=True, check=False)
    if check.returncode != 0:
        raise BenchError(f"nginx rejects its config:\n{check.stderr}")
    return Service(name, args, ndir / "stdout.log")


def start_nginx(nginx: str, work: Path, root: Path, workers: str) -> tuple[Service, str]:
    """nginx serving the folder ``root`` as static files."""
    port = free_port()
    server = STATIC_SERVER.format(root=root)
    service = _start_nginx_conf(nginx, work / "nginx", port, workers, "nginx", "static file server", "", server)
    url = f"http://127.0.0.1:{port}"
    service.wait_ready(f"{url}/{SMALL_FILE}")
    return service, url


def start_hub_behind_nginx(
    nginx: str, data_dir: Path, work: Path, workers: str, prefix: str = ACCEL_PREFIX
) -> tuple[list[Service], str]:
    """``hubkit serve --accel-redirect PREFIX`` behind an nginx reverse proxy; returns nginx's URL.

    The hub learns nginx's URL as its public URL, so every URL it returns points at nginx.
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    hub, hub_url = start_hub(
        data_dir, work, workers=1, extra=("--accel-redirect", prefix, "--public-url", url), name="hub-accel"
    )
    try:
        http = PROXY_HTTP.format(hub_port=hub_url.rsplit(":", 1)[1])
        server = PROXY_SERVER.format(prefix=prefix, objects=data_dir / "objects")
        proxy = _start_nginx_conf(
            nginx, work / "nginx-accel", port, workers, "nginx (proxy)", "reverse proxy", http, server
        )
        proxy.wait_ready(f"{url}/api/whoami-v2")
    except BaseException:
        hub.stop()
        raise
    return [proxy, hub], url


def start_asgi_floor(work: Path, routes: dict[str, dict[str, str]]) -> tuple[Service, str]:
    """asgi_floor.py answering each path of ``routes`` with its headers (see that file)."""
    port = free_port()
    spec = work / "asgi-floor.json"
    spec.write_text(json.dumps(routes))
    args = [sys.executable, str(HERE / "asgi_floor.py"), str(port), str(spec)]
    service = Service("ASGI floor", args, work / "asgi-floor.log", {**os.environ, "PYTHONUNBUFFERED": "1"})
    url = f"http://127.0.0.1:{port}"
    service.wait_ready(f"{url}{next(iter(routes))}")
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


ACCEL_KEPT = (
    "x-repo-commit",
    "etag",
    "x-linked-etag",
    "x-linked-size",
    "content-type",
    "content-disposition",
    "cache-control",
)


def accel_get_headers(direct: str, proxied: str) -> str:
    """Which of the hub's GET headers survive nginx's X-Accel-Redirect (a one-line note)."""
    rng = {"Range": "bytes=0-0"}
    _, want, _ = fetch(direct, headers=rng)
    _, got, _ = fetch(proxied, headers=rng)
    lost = [h for h in ACCEL_KEPT if h in want and h not in got]
    changed = [h for h in ACCEL_KEPT if h in want and h in got and got[h] != want[h]]
    kept = [h for h in ACCEL_KEPT if h in want and got.get(h) == want[h]]
    return (
        "GET through nginx (--accel-redirect), hub headers: "
        f"kept {', '.join(kept) or 'none'}; replaced by nginx's {', '.join(changed) or 'none'}; "
        f"dropped {', '.join(lost) or 'none'}"
    )
