"""The `hubkit serve` and `hubkit admin` commands, public URL with a path prefix, restarts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from huggingface_hub import HfApi, hf_hub_download

from hubserver import HubProcess, admin, free_port


def test_first_start_prints_endpoint_and_token(fresh_hub: HubProcess) -> None:
    fresh_hub.start()
    log = fresh_hub.log_path.read_text()
    assert f"HF_ENDPOINT={fresh_hub.url}" in log
    assert f"HF_TOKEN={fresh_hub.admin_token}" in log
    me = HfApi(endpoint=fresh_hub.url, token=fresh_hub.admin_token).whoami()
    assert me["name"] == "admin"
    # a restart keeps the data and the same bootstrap token
    fresh_hub.stop()
    fresh_hub.start()
    assert HfApi(endpoint=fresh_hub.url, token=fresh_hub.admin_token).whoami()["name"] == "admin"


def test_admin_while_running_and_errors(fresh_hub: HubProcess) -> None:
    fresh_hub.start()
    admin(fresh_hub.data_dir, "create-user", "carol", env=fresh_hub.env)
    token = admin(fresh_hub.data_dir, "create-token", "carol", "--role", "read", "--name", "ci", env=fresh_hub.env)
    me = HfApi(endpoint=fresh_hub.url, token=token).whoami()
    assert me["name"] == "carol" and me["auth"]["accessToken"] == {**me["auth"]["accessToken"], "role": "read"}
    assert me["auth"]["accessToken"]["displayName"] == "ci"
    for args in (
        ["create-user", "carol"],
        ["create-user", "bad name"],
        ["create-token", "nobody"],
        ["create-org", "api"],
    ):
        out = subprocess.run(
            [sys.executable, "-m", "hubkit", "admin", *args, "--data-dir", str(fresh_hub.data_dir)],
            capture_output=True,
            text=True,
            env={**os.environ, **fresh_hub.env},
        )
        assert out.returncode == 1 and out.stderr.startswith("Error:"), (args, out.stderr)
        assert "Traceback" not in out.stderr


def test_public_url_with_path_prefix(tmp_path) -> None:
    port = free_port()
    proc = HubProcess(tmp_path / "data", port=port, public_url=f"http://127.0.0.1:{port}/hub").start()
    try:
        api = HfApi(endpoint=proc.url, token=proc.admin_token)
        url = api.create_repo("admin/prefixed")
        assert str(url) == f"{proc.url}/admin/prefixed"
        info = api.upload_file(path_or_fileobj=b"data", path_in_repo="f.txt", repo_id="admin/prefixed")
        assert info.commit_url.startswith(f"{proc.url}/admin/prefixed/commit/")
        path = hf_hub_download(
            "admin/prefixed", "f.txt", endpoint=proc.url, token=proc.admin_token, cache_dir=tmp_path / "c"
        )
        assert Path(path).read_bytes() == b"data"
        batch = httpx.post(
            f"{proc.url}/admin/prefixed.git/info/lfs/objects/batch",
            json={"operation": "upload", "objects": [{"oid": "a" * 64, "size": 3}]},
            headers={"authorization": f"Bearer {proc.admin_token}"},
        ).json()
        assert batch["objects"][0]["actions"]["upload"]["href"].startswith(f"{proc.url}/api/lfs/")
        # a proxy that strips the prefix reaches the same routes
        assert httpx.get(f"http://127.0.0.1:{port}/api/models/admin/prefixed").json()["id"] == "admin/prefixed"
    finally:
        proc.stop()


def test_serve_refuses_a_busy_port(tmp_path, hub) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "hubkit", "serve", "--port", str(hub.port), "--data-dir", str(tmp_path / "d")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode != 0


@pytest.mark.slow
def test_multipart_upload_through_real_client(hub, tokens, tmp_path, unique) -> None:
    """Above the multipart threshold the real client uploads parts and completes the upload."""
    import hashlib
    import os

    api = HfApi(endpoint=hub.url, token=tokens["alice"])
    repo = f"alice/mp-{unique}"
    api.create_repo(repo)
    data = os.urandom(70 * 1024 * 1024)
    (tmp_path / "big.bin").write_bytes(data)
    api.upload_file(path_or_fileobj=str(tmp_path / "big.bin"), path_in_repo="big.bin", repo_id=repo)
    path = hf_hub_download(repo, "big.bin", endpoint=hub.url, token=tokens["alice"], cache_dir=tmp_path / "c")
    assert hashlib.sha256(Path(path).read_bytes()).hexdigest() == hashlib.sha256(data).hexdigest()


def test_a_database_from_before_migrations_is_upgraded(tmp_path) -> None:
    """Data dirs created by the first hubkit (tables, no alembic version) still open."""
    from sqlalchemy import create_engine, inspect, text

    from hubkit.server.db.models import Base

    data = tmp_path / "data"
    data.mkdir()
    engine = create_engine(f"sqlite:///{data / 'hub.db'}")
    later = ("likes", "access_requests", "safetensors_files", "repo_safetensors")  # created by migrations
    baseline = [t for t in Base.metadata.sorted_tables if t.name not in later]
    Base.metadata.create_all(engine, tables=baseline)
    with engine.begin() as conn:  # the repos table of that time had no counters
        for column in ("last_modified", "downloads", "likes", "card_data", "tags_text"):
            conn.execute(text(f"ALTER TABLE repos DROP COLUMN {column}"))
    engine.dispose()
    proc = HubProcess(data).start()
    try:
        assert HfApi(endpoint=proc.url, token=proc.admin_token).whoami()["name"] == "admin"
    finally:
        proc.stop()
    engine = create_engine(f"sqlite:///{data / 'hub.db'}")
    assert {"likes", "access_requests", "alembic_version"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_accel_redirect_hands_large_files_to_the_front_server(tmp_path) -> None:
    proc = HubProcess(tmp_path / "data", extra_args=("--accel-redirect", "/_objects/")).start()
    try:
        api = HfApi(endpoint=proc.url, token=proc.admin_token)
        api.create_repo("admin/accel")
        data = b"\x00binary" * 1000
        api.upload_file(path_or_fileobj=data, path_in_repo="w.bin", repo_id="admin/accel")
        api.upload_file(path_or_fileobj=b"text", path_in_repo="a.txt", repo_id="admin/accel")
        headers = {"authorization": f"Bearer {proc.admin_token}"}
        r = httpx.get(f"{proc.url}/admin/accel/resolve/main/w.bin", headers=headers)
        redirect = r.headers["x-accel-redirect"]
        assert redirect.startswith("/_objects/lfs/") and r.content == b""
        assert (proc.data_dir / "objects" / redirect[len("/_objects/") :]).read_bytes() == data
        assert r.headers["etag"] and r.headers["x-repo-commit"]
        # HEADs, small git files and resumes (If-Range) are answered by the hub itself
        head = httpx.head(f"{proc.url}/admin/accel/resolve/main/w.bin", headers=headers)
        assert "x-accel-redirect" not in head.headers
        assert httpx.get(f"{proc.url}/admin/accel/resolve/main/a.txt", headers=headers).content == b"text"
        resume = {**headers, "range": "bytes=10-", "if-range": r.headers["etag"]}
        assert httpx.get(f"{proc.url}/admin/accel/resolve/main/w.bin", headers=resume).content == data[10:]
    finally:
        proc.stop()
