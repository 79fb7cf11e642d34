"""hubkit downloads Xet-stored files through hf_xet when it can, over HTTP otherwise."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from hubkit import HfApi, _xet, hf_hub_download

pytest.importorskip("hf_xet")


@pytest.fixture
def xet_repo(hub, tokens, unique: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, bytes]:
    monkeypatch.delenv("HF_HUB_DISABLE_XET", raising=False)
    monkeypatch.setenv("HF_XET_CACHE", str(tmp_path / "xet-cache"))
    api = HfApi(endpoint=hub.url, token=tokens["alice"])
    repo = f"alice/xdl-{unique}"
    api.create_repo(repo)
    data = os.urandom(3 * 1024 * 1024 + 17)
    (tmp_path / "w.bin").write_bytes(data)
    api.upload_file(path_or_fileobj=str(tmp_path / "w.bin"), path_in_repo="w.bin", repo_id=repo)
    assert api.get_paths_info(repo, ["w.bin"])[0].xet_hash  # stored through Xet
    return repo, data


def test_xet_download_is_used_and_verified(hub, tokens, xet_repo, tmp_path: Path, monkeypatch) -> None:
    repo, data = xet_repo
    calls = []
    real = _xet.download_xet_file

    def spy(**kwargs):  # type: ignore[no-untyped-def]
        calls.append(kwargs["xet_hash"])
        return real(**kwargs)

    monkeypatch.setattr(_xet, "download_xet_file", spy)
    path = hf_hub_download(repo, "w.bin", endpoint=hub.url, token=tokens["alice"], cache_dir=tmp_path / "c")
    assert Path(path).read_bytes() == data and len(calls) == 1
    assert Path(os.readlink(path)).name == hashlib.sha256(data).hexdigest()


def test_disabled_xet_downloads_over_http(hub, tokens, xet_repo, tmp_path: Path, monkeypatch) -> None:
    repo, data = xet_repo
    monkeypatch.setenv("HF_HUB_DISABLE_XET", "1")
    monkeypatch.setattr(_xet, "download_xet_file", lambda **kw: pytest.fail("hf_xet used although disabled"))
    path = hf_hub_download(repo, "w.bin", endpoint=hub.url, token=tokens["alice"], cache_dir=tmp_path / "c2")
    assert Path(path).read_bytes() == data


def test_a_xet_download_that_disagrees_with_the_etag_is_refused(hub, tokens, xet_repo, tmp_path, monkeypatch) -> None:
    repo, _ = xet_repo

    def corrupt(**kwargs):  # type: ignore[no-untyped-def]
        Path(kwargs["dest"]).write_bytes(os.urandom(3 * 1024 * 1024 + 17))

    monkeypatch.setattr(_xet, "download_xet_file", corrupt)
    cache = tmp_path / "c3"
    with pytest.raises(OSError, match="Consistency check failed"):
        hf_hub_download(repo, "w.bin", endpoint=hub.url, token=tokens["alice"], cache_dir=cache)
    assert not [p for p in cache.rglob("*") if p.is_file() and "blobs" in p.parts and "incomplete" not in p.name]
