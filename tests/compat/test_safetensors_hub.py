"""Safetensors metadata through a real hub: the hub's index, its endpoint, and both clients' readings.

Checkpoints are written with the real ``safetensors`` library (numpy, no torch needed) and
uploaded with the real huggingface_hub; hubkit and huggingface_hub 2.4.0 must read the same
headers, and the hub must report the same parameter counts in model info and listings. With
``HUBKIT_TEST_XET=1`` the uploads go through Xet, so the hub reads headers from Xet chunks.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import huggingface_hub as hfh
import numpy as np
import pytest
from huggingface_hub import HfApi
from safetensors.numpy import save_file

import hubkit
from hubserver import ALICE, BOB


def st_summary(m: Any) -> dict[str, Any]:
    """Either library's SafetensorsRepoMetadata as plain data."""
    return {
        "sharded": m.sharded,
        "metadata": m.metadata,
        "parameter_count": dict(m.parameter_count),
        "weight_map": dict(m.weight_map),
        "files": {
            name: {
                "metadata": f.metadata,
                "parameter_count": dict(f.parameter_count),
                "tensors": {k: [t.dtype, list(t.shape), list(t.data_offsets)] for k, t in f.tensors.items()},
            }
            for name, f in m.files_metadata.items()
        },
    }


def shards(folder: Path, seed: int = 0, long_names: int = 0) -> dict[str, int]:
    """Three shards + index (like save_torch_state_dict writes); returns parameters per dtype."""
    rng = np.random.default_rng(seed)
    parts = [
        {"a.weight": rng.random((64, 32), dtype=np.float32), "a.bias": rng.random(32, dtype=np.float32)},
        {"b.half": rng.random((100, 10)).astype(np.float16), "b.ids": np.arange(500, dtype=np.int64)},
        {"c.mask": np.ones((7, 3), dtype=bool), "c.scalar": np.array(3.0, dtype=np.float64)},
    ]
    parts[2].update({f"layer.{'x' * 200}.{i}": np.zeros(1, dtype=np.int8) for i in range(long_names)})
    weight_map, total = {}, 0
    for i, part in enumerate(parts):
        name = f"model-{i + 1:05d}-of-00003.safetensors"
        save_file(part, str(folder / name), metadata={"format": "pt"})
        weight_map.update(dict.fromkeys(part, name))
        total += sum(a.nbytes for a in part.values())
    index = {"metadata": {"total_size": total}, "weight_map": weight_map}
    (folder / "model.safetensors.index.json").write_text(json.dumps(index, indent=2))
    counts: dict[str, int] = {}
    for part in parts:
        for array in part.values():
            dtype = {"float32": "F32", "float16": "F16", "int64": "I64", "bool": "BOOL", "float64": "F64", "int8": "I8"}
            counts[dtype[str(array.dtype)]] = counts.get(dtype[str(array.dtype)], 0) + max(array.size, 1)
    return counts


@pytest.fixture(scope="module")
def sharded(hub, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, int], str]:
    """A sharded model (with a header over 100 kB, read in two ranges) and its first commit."""
    alice = HfApi(endpoint=hub.url, token=ALICE)
    folder = tmp_path_factory.mktemp("sharded")
    counts = shards(folder, long_names=600)
    repo = alice.create_repo("alice/st-sharded", exist_ok=True).repo_id
    first = alice.upload_folder(folder_path=folder, repo_id=repo).oid
    return repo, counts, first


def test_both_clients_read_the_same_headers(hub, sharded: tuple[str, dict[str, int], str]) -> None:
    repo, counts, _ = sharded
    theirs = HfApi(endpoint=hub.url, token=ALICE).get_safetensors_metadata(repo)
    ours = hubkit.HfApi(endpoint=hub.url, token=ALICE).get_safetensors_metadata(repo)
    assert st_summary(ours) == st_summary(theirs)
    assert dict(ours.parameter_count) == counts and ours.sharded and ours.metadata["total_size"] > 0
    big = ours.files_metadata["model-00003-of-00003.safetensors"]
    assert len(json.dumps({k: 0 for k in big.tensors})) > 100_000  # the header needed a second range


def test_sharded_metadata_endpoint(hub, sharded: tuple[str, dict[str, int], str]) -> None:
    repo, _, _ = sharded
    reference = st_summary(HfApi(endpoint=hub.url, token=ALICE).get_safetensors_metadata(repo))
    for client in (HfApi(endpoint=hub.url, token=ALICE), hubkit.HfApi(endpoint=hub.url, token=ALICE)):
        got = st_summary(client.get_sharded_safetensors_metadata(repo))
        assert got == reference, type(client)
    r = httpx.get(f"{hub.url}/api/models/{repo}/safetensors-metadata/model.safetensors.index.json", headers=auth(ALICE))
    assert set(r.json()) == {"index", "headers"} and "weight_map" not in r.json()["index"]
    one = httpx.get(
        f"{hub.url}/api/models/{repo}/safetensors-metadata/model-00001-of-00003.safetensors", headers=auth(ALICE)
    ).json()
    assert one["index"] == {} and set(one["headers"]["model-00001-of-00003.safetensors"]) >= {"a.weight", "a.bias"}
    missing = httpx.get(f"{hub.url}/api/models/{repo}/safetensors-metadata/nope.json", headers=auth(ALICE))
    assert missing.status_code == 404 and missing.headers["x-error-code"] == "EntryNotFound"


def auth(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def test_model_info_and_listing_report_parameters(hub, sharded: tuple[str, dict[str, int], str]) -> None:
    repo, counts, first = sharded
    alice = HfApi(endpoint=hub.url, token=ALICE)
    want = {"parameters": counts, "total": sum(counts.values())}
    for info in (alice.model_info(repo, expand=["safetensors"]), alice.model_info(repo)):
        assert {"parameters": dict(info.safetensors.parameters), "total": info.safetensors.total} == want
    assert alice.model_info(repo, expand=["author"]).safetensors is None
    listed = {m.id: m for m in alice.list_models(author="alice", expand=["safetensors"])}
    assert listed[repo].safetensors.total == want["total"]
    assert {m.id: m for m in alice.list_models(author="alice")}[repo].safetensors is None
    ours = hubkit.HfApi(endpoint=hub.url, token=ALICE).model_info(repo, expand=["safetensors"])
    assert ours.safetensors.parameters == counts and ours.safetensors.total == want["total"]
    assert alice.model_info(repo, revision=first).safetensors.total == want["total"]


def test_counts_follow_the_main_branch(hub, tmp_path: Path, unique: str) -> None:
    alice = HfApi(endpoint=hub.url, token=ALICE)
    repo = alice.create_repo(f"alice/st-moves-{unique}").repo_id
    alice.upload_file(path_or_fileobj=b"# card", path_in_repo="README.md", repo_id=repo)
    assert alice.model_info(repo).safetensors is None
    save_file({"w": np.zeros((10, 10), dtype=np.float32)}, str(tmp_path / "model.safetensors"))
    first = alice.upload_file(path_or_fileobj=tmp_path / "model.safetensors", path_in_repo="model.safetensors",
                              repo_id=repo).oid  # fmt: skip
    assert alice.model_info(repo).safetensors.parameters == {"F32": 100}
    save_file({"w": np.zeros((20, 10), dtype=np.float16), "b": np.zeros(5, dtype=np.int32)}, str(tmp_path / "m2"))
    alice.upload_file(path_or_fileobj=tmp_path / "m2", path_in_repo="model.safetensors", repo_id=repo)
    assert alice.model_info(repo).safetensors.parameters == {"F16": 200, "I32": 5}
    assert alice.model_info(repo, revision=first).safetensors.parameters == {"F32": 100}  # computed on demand
    alice.create_branch(repo, branch="dev", revision=first)
    alice.delete_file("model.safetensors", repo_id=repo)
    assert alice.model_info(repo).safetensors is None
    assert alice.model_info(repo, revision="dev").safetensors.parameters == {"F32": 100}
    # an adapter-style repo: one .safetensors file under another name counts too
    save_file({"lora": np.zeros((4, 4), dtype=np.float32)}, str(tmp_path / "adapter.safetensors"))
    alice.upload_file(path_or_fileobj=tmp_path / "adapter.safetensors", path_in_repo="adapter_model.safetensors",
                      repo_id=repo)  # fmt: skip
    assert alice.model_info(repo).safetensors.total == 16


def test_broken_files_give_clear_errors(hub, tmp_path: Path, unique: str) -> None:
    alice = HfApi(endpoint=hub.url, token=ALICE)
    repo = alice.create_repo(f"alice/st-broken-{unique}").repo_id
    garbage = (10**9).to_bytes(8, "little") + b"not json"
    alice.upload_file(path_or_fileobj=garbage, path_in_repo="model.safetensors", repo_id=repo)
    assert alice.model_info(repo).safetensors is None  # no counts rather than wrong ones
    for client in (alice, hubkit.HfApi(endpoint=hub.url, token=ALICE)):
        with pytest.raises((hfh.errors.SafetensorsParsingError, hubkit.SafetensorsParsingError)):
            client.get_safetensors_metadata(repo)
    r = httpx.get(f"{hub.url}/api/models/{repo}/safetensors-metadata/model.safetensors", headers=auth(ALICE))
    assert r.status_code == 400 and "header" in r.text
    index = {"weight_map": {"w": "../../etc/passwd"}}
    alice.upload_file(path_or_fileobj=json.dumps(index).encode(), path_in_repo="model.safetensors.index.json",
                      repo_id=repo)  # fmt: skip
    alice.delete_file("model.safetensors", repo_id=repo)
    r = httpx.get(f"{hub.url}/api/models/{repo}/safetensors-metadata/model.safetensors.index.json", headers=auth(ALICE))
    assert r.status_code == 400 and "bad shard name" in r.text
    with pytest.raises(hubkit.SafetensorsParsingError, match="bad shard name"):
        hubkit.HfApi(endpoint=hub.url, token=ALICE).get_safetensors_metadata(repo)
    alice.create_repo(f"alice/st-empty-{unique}")
    with pytest.raises(hubkit.NotASafetensorsRepoError):
        hubkit.HfApi(endpoint=hub.url, token=ALICE).get_safetensors_metadata(f"alice/st-empty-{unique}")


def test_private_and_gated_headers(hub, tmp_path: Path, unique: str) -> None:
    alice = HfApi(endpoint=hub.url, token=ALICE)
    save_file({"w": np.zeros(3, dtype=np.float32)}, str(tmp_path / "model.safetensors"))
    private = alice.create_repo(f"alice/st-private-{unique}", private=True).repo_id
    gated = alice.create_repo(f"alice/st-gated-{unique}").repo_id
    for repo in (private, gated):
        alice.upload_file(path_or_fileobj=tmp_path / "model.safetensors", path_in_repo="model.safetensors",
                          repo_id=repo)  # fmt: skip
    alice.update_repo_settings(gated, gated="manual")
    url = f"{hub.url}/api/models/{{}}/safetensors-metadata/model.safetensors"
    r = httpx.get(url.format(private), headers=auth(BOB))
    assert r.status_code == 404 and r.headers["x-error-code"] == "RepoNotFound"
    r = httpx.get(url.format(gated), headers=auth(BOB))
    assert r.status_code in (401, 403) and r.headers["x-error-code"] == "GatedRepo"
    assert httpx.get(url.format(gated), headers=auth(ALICE)).status_code == 200
    # like huggingface_hub: a repo one cannot see has no safetensors files
    with pytest.raises(hfh.errors.NotASafetensorsRepoError):
        HfApi(endpoint=hub.url, token=BOB).get_safetensors_metadata(private)
    with pytest.raises(hubkit.NotASafetensorsRepoError):
        hubkit.HfApi(endpoint=hub.url, token=BOB).get_safetensors_metadata(private)


def test_local_readers_match(tmp_path: Path) -> None:
    counts = shards(tmp_path)
    ours, theirs = hubkit.get_local_safetensors_metadata(tmp_path), hfh.get_local_safetensors_metadata(tmp_path)
    assert st_summary(ours) == st_summary(theirs) and dict(ours.parameter_count) == counts
    one = tmp_path / "model-00001-of-00003.safetensors"
    assert st_summary(hubkit.get_local_safetensors_metadata(one)) == st_summary(hfh.get_local_safetensors_metadata(one))
    ours_one, theirs_one = (
        hubkit.parse_local_safetensors_file_metadata(one),
        hfh.parse_local_safetensors_file_metadata(one),
    )
    assert ours_one.parameter_count == theirs_one.parameter_count
    assert {k: vars(t) for k, t in ours_one.tensors.items()} == {k: vars(t) for k, t in theirs_one.tensors.items()}
    (tmp_path / "cut.safetensors").write_bytes(one.read_bytes()[:20])
    with pytest.raises(hubkit.SafetensorsParsingError, match="truncated"):
        hubkit.parse_local_safetensors_file_metadata(tmp_path / "cut.safetensors")
    (tmp_path / "empty").mkdir()
    with pytest.raises(hubkit.NotASafetensorsRepoError):
        hubkit.get_local_safetensors_metadata(tmp_path / "empty")
    with pytest.raises(FileNotFoundError):
        hubkit.get_local_safetensors_metadata(tmp_path / "nothing-here")
