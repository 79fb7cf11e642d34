"""Real fsspec users (pandas, pyarrow) reading and writing hf:// through hubkit, against ``hubkit serve``."""

# ruff: noqa: F811

from __future__ import annotations

import importlib
from collections.abc import Iterator

import fsspec
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

import hubkit.fs
from hubkit.fs import HfFileSystem
from hubserver import ALICE

from .test_fs_fixtures import fs, hfh_alice, new_dataset  # noqa: F401


@pytest.fixture
def hubkit_hf_protocol() -> Iterator[None]:
    """hf:// served by hubkit's HfFileSystem for the test (the opt-in), then as before."""
    registry = importlib.import_module("fsspec.registry")._registry
    before = registry.get("hf")
    hubkit.fs.register_hf_protocol()
    yield
    if before is None:
        registry.pop("hf", None)
    else:
        fsspec.register_implementation("hf", before, clobber=True)


@pytest.fixture
def options(hub) -> dict[str, object]:
    return {"endpoint": hub.url, "token": ALICE}


def frame(n: int = 500, offset: int = 0) -> pd.DataFrame:
    return pd.DataFrame({"id": range(offset, offset + n), "name": [f"row-{i}" for i in range(offset, offset + n)]})


def test_pandas_through_hf_urls(hubkit_hf_protocol: None, options, new_dataset) -> None:
    root = new_dataset()
    assert isinstance(fsspec.filesystem("hf", **options), HfFileSystem)
    df = frame()
    df.to_parquet(f"hf://{root}/data/train.parquet", storage_options=options)
    df.to_csv(f"hf://{root}/data/train.csv", index=False, storage_options=options)
    pd.testing.assert_frame_equal(pd.read_parquet(f"hf://{root}/data/train.parquet", storage_options=options), df)
    pd.testing.assert_frame_equal(pd.read_csv(f"hf://{root}/data/train.csv", storage_options=options), df)
    # compressed, read through a revision spelled in the URL
    df.to_csv(f"hf://{root}/data/train.csv.gz", index=False, storage_options=options)
    got = pd.read_csv(f"hf://{root}@main/data/train.csv.gz", storage_options=options)
    pd.testing.assert_frame_equal(got, df)
    lines = pd.read_json(pd.io.common.StringIO(df.to_json(orient="records", lines=True)), lines=True)
    lines.to_json(f"hf://{root}/data/train.jsonl", orient="records", lines=True, storage_options=options)
    pd.testing.assert_frame_equal(
        pd.read_json(f"hf://{root}/data/train.jsonl", lines=True, storage_options=options), df
    )


def test_pandas_with_a_filesystem_object(fs: HfFileSystem, new_dataset) -> None:
    root = new_dataset()
    df = frame(2000)
    with fs.open(f"{root}/t.parquet", "wb") as f:
        df.to_parquet(f)
    pd.testing.assert_frame_equal(pd.read_parquet(f"{root}/t.parquet", filesystem=fs), df)
    subset = pd.read_parquet(f"{root}/t.parquet", filesystem=fs, columns=["name"], filters=[("id", "<", 10)])
    assert subset["name"].tolist() == [f"row-{i}" for i in range(10)]
    with fs.open(f"{root}/t.csv", "w") as text:
        df.to_csv(text, index=False)
    pd.testing.assert_frame_equal(pd.read_csv(fs.open(f"{root}/t.csv")), df)


def test_pyarrow_dataset_over_a_folder_of_parquet_files(fs: HfFileSystem, new_dataset) -> None:
    root = new_dataset()
    parts = [frame(300, offset=300 * i) for i in range(4)]
    fs.pipe({f"{root}/data/part-{i}.parquet": _parquet_bytes(part) for i, part in enumerate(parts)})
    fs.pipe(f"{root}/data/README.md", b"not parquet")
    dataset = ds.dataset(f"{root}/data", filesystem=fs, format="parquet", exclude_invalid_files=True)
    assert sorted(f.rsplit("/", 1)[1] for f in dataset.files) == [f"part-{i}.parquet" for i in range(4)]
    table = dataset.to_table()
    assert table.num_rows == 1200 and sorted(table.column("id").to_pylist()) == list(range(1200))
    assert dataset.to_table(filter=ds.field("id") >= 1190).num_rows == 10
    assert pq.read_table(f"{root}/data/part-2.parquet", filesystem=fs).column("id")[0].as_py() == 600
    # written by pyarrow itself, partitioned into folders
    table = pa.table({"k": ["a", "b", "a", "c"], "v": [1, 2, 3, 4]})
    ds.write_dataset(table, f"{root}/by_k", filesystem=fs, format="parquet", partitioning=["k"])
    back = ds.dataset(f"{root}/by_k", filesystem=fs, format="parquet", partitioning=["k"]).to_table()
    assert sorted(zip(back.column("k").to_pylist(), back.column("v").to_pylist(), strict=True)) == [
        ("a", 1), ("a", 3), ("b", 2), ("c", 4),
    ]  # fmt: skip


def test_pandas_partitioned_parquet(hubkit_hf_protocol: None, options, new_dataset) -> None:
    root = new_dataset()
    df = pd.DataFrame({"split": ["train", "test", "train"], "x": [1, 2, 3]})
    df.to_parquet(f"hf://{root}/parts", partition_cols=["split"], storage_options=options)
    fs = fsspec.filesystem("hf", **options)
    assert {p.rsplit("/", 2)[1] for p in fs.find(f"{root}/parts")} == {"split=train", "split=test"}
    back = pd.read_parquet(f"hf://{root}/parts", storage_options=options)
    assert sorted(back["x"].tolist()) == [1, 2, 3]


def _parquet_bytes(df: pd.DataFrame) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), sink)
    return bytes(sink.getvalue().to_pybytes())
