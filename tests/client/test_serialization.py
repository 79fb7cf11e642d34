"""Sharded checkpoints and DDUF files, written by hubkit and read by huggingface_hub 2.4.0, and back.

The torch tests skip when torch is not installed (``pip install 'hubkit[torch]'``; scripts/test
installs the CPU wheel). The sharding algorithm and DDUF need no torch.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import huggingface_hub as hfh
import pytest

import hubkit
from hubkit.serialization import parse_size_to_int


def split_view(split: Any) -> tuple[Any, ...]:
    return split.is_sharded, split.metadata, split.filename_to_tensors, split.tensor_to_filename


@pytest.mark.parametrize("limit", [1, 5, 9, 10, 25, 1000, "1KB", "0.01KB"])
def test_split_factory_matches_huggingface_hub(limit: int | str) -> None:
    sizes = {"a": 4, "b": 6, "big": 12, "c": 1, "shared": 4, "d": 5, "skip": "bnb"}
    state = {k: v for k, v in sizes.items()}
    storage = {"a": 1, "shared": 1}  # "shared" lives in the storage of "a"
    kw: dict[str, Any] = {
        "get_storage_size": lambda t: t,
        "get_storage_id": lambda t: None,
        "filename_pattern": "model{suffix}.safetensors",
        "max_shard_size": limit,
    }
    ids = {id(v): k for k, v in state.items()}

    def storage_id(t: Any) -> Any:
        name = ids.get(id(t))
        return storage.get(name)

    for get_id in (kw["get_storage_id"], storage_id):
        ours = hubkit.split_state_dict_into_shards_factory(state, **{**kw, "get_storage_id": get_id})
        theirs = hfh.split_state_dict_into_shards_factory(state, **{**kw, "get_storage_id": get_id})
        assert split_view(ours) == split_view(theirs)


def test_sizes() -> None:
    assert parse_size_to_int("5GB") == 5 * 10**9 and parse_size_to_int(" 1.5 mb ") == 1_500_000
    with pytest.raises(ValueError, match="Unit"):
        parse_size_to_int("5 GiB")
    with pytest.raises(ValueError, match="Could not parse"):
        parse_size_to_int("lotsMB")


# --- torch ---------------------------------------------------------------------------------


def state_dict(seed: int) -> dict[str, Any]:
    torch = pytest.importorskip("torch")
    g = torch.Generator().manual_seed(seed)
    sd = {f"layer{i}.weight": torch.randn(128, 128, generator=g) for i in range(6)}
    sd["half"] = torch.randn(300, 100, generator=g).half()
    sd["bf16"] = torch.randn(50, 50, generator=g).bfloat16()
    sd["ids"] = torch.arange(1000, dtype=torch.int64)
    sd["flag"] = torch.tensor(True)
    sd["tied"] = sd["layer0.weight"]  # same storage: stored once
    return sd


def same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    import torch

    return sorted(a) == sorted(b) and all(a[k].dtype == b[k].dtype and torch.equal(a[k], b[k]) for k in a)


def load_folder(load: Any, folder: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in sorted(os.listdir(folder)):
        if name.endswith(".safetensors"):
            out.update(load(folder / name))
    return out


def test_sharded_save_is_read_identically_both_ways(tmp_path: Path) -> None:
    sd = state_dict(0)
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    ours.mkdir()
    theirs.mkdir()
    (ours / "model-00009-of-00009.safetensors").write_bytes(b"left by an older save")
    (ours / "model.safetensors.backup").write_bytes(b"not ours to delete")
    hubkit.save_torch_state_dict(sd, ours, max_shard_size="100KB", metadata={"note": "x"})
    hfh.save_torch_state_dict(sd, theirs, max_shard_size="100KB", metadata={"note": "x"})
    names = sorted(os.listdir(ours))
    assert names == sorted([*os.listdir(theirs), "model.safetensors.backup"])
    assert json.loads((ours / "model.safetensors.index.json").read_text()) == json.loads(
        (theirs / "model.safetensors.index.json").read_text()
    )
    index = json.loads((ours / "model.safetensors.index.json").read_text())
    assert index["metadata"]["tied"] == "layer0.weight" and index["metadata"]["note"] == "x"
    shard_files = [n for n in names if n.startswith("model-")]
    assert len(shard_files) >= 4 and all(os.path.getsize(ours / n) <= 102_000 for n in shard_files)  # + header
    stored = {k: v for k, v in sd.items() if k != "tied"}
    assert same(load_folder(hfh.load_state_dict_from_file, ours), stored)
    assert same(load_folder(hubkit.load_state_dict_from_file, theirs), stored)


def test_load_torch_model_both_ways(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    from torch import nn

    def model() -> nn.Module:
        torch.manual_seed(3)
        return nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 64), nn.Linear(64, 8))

    src = model()
    for saver, loader in (
        (hubkit.save_torch_model, hfh.load_torch_model),
        (hfh.save_torch_model, hubkit.load_torch_model),
    ):
        folder = tmp_path / saver.__module__
        folder.mkdir()
        saver(src, folder, max_shard_size="10KB")
        assert len([n for n in os.listdir(folder) if n.endswith(".safetensors")]) >= 3
        dst = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 64), nn.Linear(64, 8))
        result = loader(dst, folder, strict=True)
        assert not result.missing_keys and not result.unexpected_keys
        assert same(dst.state_dict(), src.state_dict())
    bigger = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 64), nn.Linear(64, 8), nn.Linear(8, 2))
    with pytest.raises(RuntimeError, match=r'Missing key\(s\): "4.bias","4.weight"'):
        hubkit.load_torch_model(bigger, tmp_path / "hubkit.serialization.torch_io", strict=True)
    loose = hubkit.load_torch_model(bigger, tmp_path / "hubkit.serialization.torch_io")
    assert sorted(loose.missing_keys) == ["4.bias", "4.weight"]
    single = tmp_path / "single"
    single.mkdir()
    hubkit.save_torch_model(src, single)
    assert os.listdir(single) == ["model.safetensors"]
    assert str(hubkit.load_torch_model(model(), single / "model.safetensors", strict=True)).startswith("<All keys")


def test_loading_refuses_hostile_checkpoints(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    from torch import nn

    net = nn.Linear(2, 2)
    torch.save(net.state_dict(), tmp_path / "pytorch_model.bin")
    with pytest.raises(ValueError, match="safe=False"):
        hubkit.load_state_dict_from_file(tmp_path / "pytorch_model.bin")
    assert same(hubkit.load_state_dict_from_file(tmp_path / "pytorch_model.bin", safe=False), net.state_dict())
    with pytest.raises(ValueError, match="does not contain a valid checkpoint"):
        hubkit.load_torch_model(net, tmp_path)  # only a pickle file there
    hubkit.load_torch_model(net, tmp_path, safe=False)
    for shard in ("../outside.safetensors", "C:\\\\x.safetensors", "shard.bin"):
        (tmp_path / "model.safetensors.index.json").write_text(json.dumps({"weight_map": {"weight": shard}}))
        with pytest.raises(ValueError, match="Invalid shard filename"):
            hubkit.load_torch_model(net, tmp_path)
    with pytest.raises(FileNotFoundError):
        hubkit.load_state_dict_from_file(tmp_path / "missing.safetensors")
    with pytest.raises(ValueError, match="safe=True"):
        hubkit.load_torch_model(net, tmp_path, filename_pattern="pytorch_model{suffix}.bin")


def test_storage_helpers_match_huggingface_hub() -> None:
    torch = pytest.importorskip("torch")
    base = torch.zeros(10, 10)
    view = base[2:4]
    assert hubkit.get_torch_storage_size(view) == hfh.get_torch_storage_size(view) == 400
    assert hubkit.get_torch_storage_id(view) == hubkit.get_torch_storage_id(base)
    assert hubkit.get_torch_storage_id(torch.zeros(3, device="meta")) is None
    split = hubkit.split_torch_state_dict_into_shards({"a": base, "b": view, "c": torch.ones(5)}, max_shard_size=10)
    ref = hfh.split_torch_state_dict_into_shards({"a": base, "b": view, "c": torch.ones(5)}, max_shard_size=10)
    assert split_view(split) == split_view(ref)


# --- DDUF ----------------------------------------------------------------------------------


def dduf_entries(tmp_path: Path) -> list[tuple[str, Any]]:
    (tmp_path / "unet.safetensors").write_bytes(b"x" * 100)
    return [
        ("model_index.json", json.dumps({"unet": ["diffusers", "UNet"], "scheduler": ["x", "y"]}).encode()),
        ("unet/config.json", b"{}"),
        ("unet/diffusion.safetensors", tmp_path / "unet.safetensors"),
        ("scheduler/scheduler_config.json", b'{"a": 1}'),
    ]


def test_dduf_both_ways(tmp_path: Path) -> None:
    ours, theirs = tmp_path / "ours.dduf", tmp_path / "theirs.dduf"
    hubkit.export_entries_as_dduf(ours, dduf_entries(tmp_path))
    hfh.export_entries_as_dduf(theirs, dduf_entries(tmp_path))
    for path in (ours, theirs):
        mine, real = hubkit.read_dduf_file(path), hfh.read_dduf_file(path)
        assert {k: (v.offset, v.length) for k, v in mine.items()} == {k: (v.offset, v.length) for k, v in real.items()}
        with mine["unet/diffusion.safetensors"].as_mmap() as data:
            assert bytes(data) == b"x" * 100
        assert mine["scheduler/scheduler_config.json"].read_text() == '{"a": 1}'
    folder = tmp_path / "pipeline"
    for name, content in dduf_entries(tmp_path):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content if isinstance(content, bytes) else content.read_bytes())
    (folder / "notes.md").write_text("skipped")
    (folder / "unet" / "deep").mkdir()
    (folder / "unet" / "deep" / "x.json").write_text("{}")
    hubkit.export_folder_as_dduf(tmp_path / "folder.dduf", folder)
    assert sorted(hfh.read_dduf_file(tmp_path / "folder.dduf")) == sorted(n for n, _ in dduf_entries(tmp_path))


def test_dduf_rules(tmp_path: Path) -> None:
    good = dduf_entries(tmp_path)
    for bad, message in (
        ([*good, ("unet/a/b.json", b"{}")], "Invalid entry name"),
        ([*good, ("weights.bin", b"")], "Invalid entry name"),
        ([*good, ("..\\\\x.json", b"")], "Invalid entry name"),
        ([*good, ("model_index.json", b"{}")], "duplicate"),
        (good[1:], "model_index.json"),
        ([(n, c) for n, c in good if n != "unet/config.json"], "Invalid DDUF file structure"),
    ):
        with pytest.raises(hubkit.errors.DDUFExportError, match=message):
            hubkit.export_entries_as_dduf(tmp_path / "bad.dduf", bad)
    import zipfile

    with zipfile.ZipFile(tmp_path / "zipped.dduf", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("model_index.json", "{}")
    with pytest.raises(hubkit.errors.DDUFCorruptedFileError, match="compressed"):
        hubkit.read_dduf_file(tmp_path / "zipped.dduf")
