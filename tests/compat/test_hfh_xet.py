"""The default huggingface_hub install (with hf_xet) uploads and downloads through our Xet CAS."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from huggingface_hub import HfApi

SCRIPT = Path(__file__).with_name("xet_client.py")


def run_client(action: str, hub, token: str, repo: str, work: Path, names: list[str], *, xet: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGINGFACE"))}
    env.update(HF_HOME=str(work / f"home-{action}-{xet}"), HF_HUB_DISABLE_PROGRESS_BARS="1",
               HF_XET_CACHE=str(work / f"xet-cache-{action}-{xet}"), HF_HUB_DISABLE_TELEMETRY="1")  # fmt: skip
    if not xet:
        env["HF_HUB_DISABLE_XET"] = "1"
    out = subprocess.run(
        [sys.executable, str(SCRIPT), action, hub.url, token, repo, str(work), *names],
        capture_output=True, text=True, env=env, timeout=600,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def _roundtrip(hub, tokens, unique: str, tmp_path: Path, sizes: dict[str, int]) -> None:
    api = HfApi(endpoint=hub.url, token=tokens["alice"])
    repo = f"alice/xet-{unique}"
    api.create_repo(repo)
    expected = {}
    for name, size in sizes.items():
        data = os.urandom(size)
        (tmp_path / name).write_bytes(data)
        expected[name] = hashlib.sha256(data).hexdigest()
    names = list(sizes)
    info = run_client("upload", hub, tokens["alice"], repo, tmp_path, names, xet=True)
    for name, size in sizes.items():
        if size >= 10 * 1024 * 1024:  # binary and large: the client took the Xet path
            assert info[name]["lfs"] and info[name]["xet_hash"], info[name]
        assert info[name]["size"] == size
    assert run_client("download", hub, tokens["alice"], repo, tmp_path, names, xet=True) == expected
    assert run_client("download", hub, tokens["alice"], repo, tmp_path, names, xet=False) == expected


def test_xet_roundtrip_small_and_medium(hub, tokens, unique: str, tmp_path: Path) -> None:
    sizes = {"empty.bin": 0, "one.bin": 1, "k64.bin": 64 * 1024, "m10.bin": 10 * 1024 * 1024 + 7}
    _roundtrip(hub, tokens, unique, tmp_path, sizes)


@pytest.mark.slow
def test_xet_roundtrip_200_mib(hub, tokens, unique: str, tmp_path: Path) -> None:
    _roundtrip(hub, tokens, unique, tmp_path, {"big.bin": 200 * 1024 * 1024})
