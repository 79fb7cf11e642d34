"""Reading files through HfFileSystem: ranged reads, read-ahead, pinning, streaming, cat and get."""

# ruff: noqa: F811

from __future__ import annotations

import io
import itertools
import os
from pathlib import Path

import pytest

from hubkit.fs import HfFileSystem, HfFileSystemStreamFile
from hubkit.fs.file import StaleFileError
from hubkit.fs.prefetch import PrefetchCache
from hubserver import ALICE

from .conftest_commit import Recorder, recorder  # noqa: F401
from .test_fs_fixtures import BIG_SIZE, SeededDataset, fs, hfh_alice, new_dataset, seeded_ds  # noqa: F401


def ranges(recorder: Recorder, fragment: str) -> list[str]:
    return [r.headers.get("range", "") for r in recorder.matching("GET", fragment)]


def test_ranged_reads_seek_and_tell(fs: HfFileSystem, seeded_ds: SeededDataset, recorder: Recorder) -> None:
    data = seeded_ds.files["big.bin"]
    with fs.open(f"{seeded_ds.root}/big.bin", block_size=1024 * 1024) as f:
        assert isinstance(f.cache, PrefetchCache) and f.size == BIG_SIZE
        f.seek(BIG_SIZE - 100)
        assert f.read(10) == data[-100:-90] and f.tell() == BIG_SIZE - 90
        assert f.read() == data[-90:]
        assert f.read(5) == b""
        f.seek(12345)
        assert f.read(2 * 1024 * 1024) == data[12345 : 12345 + 2 * 1024 * 1024]
        f.seek(-10, 2)
        assert f.read(100) == data[-10:]
    got = ranges(recorder, "/resolve/")
    assert got and all(r.startswith("bytes=") for r in got)
    # random access fetched the blocks it touched, not the whole file
    assert len(got) < 6


def test_sequential_reads_prefetch_in_parallel(fs: HfFileSystem, seeded_ds: SeededDataset, recorder: Recorder) -> None:
    data = seeded_ds.files["big.bin"]
    block = 256 * 1024
    with fs.open(f"{seeded_ds.root}/big.bin", block_size=block) as f:
        out = io.BytesIO()
        while chunk := f.read(100_000):
            out.write(chunk)
        stats = (f.cache.hit_count, f.cache.miss_count)
    assert out.getvalue() == data
    spans = sorted(tuple(int(x) for x in r.removeprefix("bytes=").split("-")) for r in ranges(recorder, "/resolve/"))
    # every byte asked for once, and the read-ahead grouped blocks into fewer, larger requests
    assert spans[0][0] == 0 and spans[-1][1] == BIG_SIZE - 1
    assert all(a[1] + 1 == b[0] for a, b in itertools.pairwise(spans))
    assert len(spans) < -(-BIG_SIZE // block)
    assert stats[0] > stats[1]  # most reads found their block already fetched (read ahead)


def test_read_whole_file_and_fsspec_caches(fs: HfFileSystem, seeded_ds: SeededDataset) -> None:
    data = seeded_ds.files["big.bin"]
    assert fs.open(f"{seeded_ds.root}/big.bin").read() == data
    for cache_type in ("readahead", "bytes", "none", "blockcache"):
        with fs.open(f"{seeded_ds.root}/big.bin", cache_type=cache_type, block_size=512 * 1024) as f:
            f.seek(1000)
            assert f.read(1_000_000) == data[1000:1_001_000], cache_type
    with fs.open(f"{seeded_ds.root}/data/train.csv", "r") as text:
        assert text.readlines() == ["a,b\n", "1,x\n", "2,y\n"]


def test_stream_mode(fs: HfFileSystem, seeded_ds: SeededDataset) -> None:
    data = seeded_ds.files["big.bin"]
    with fs.open(f"{seeded_ds.root}/big.bin", block_size=0) as f:
        assert isinstance(f, HfFileSystemStreamFile)
        assert f.read(10) == data[:10]
        assert f.read(1_000_000) == data[10:1_000_010]
        with pytest.raises(ValueError, match="seek"):
            f.seek(0)
        assert f.read() == data[1_000_010:] and f.read() == b""
    streamed = HfFileSystem(endpoint=fs.endpoint, token=ALICE, block_size=0, skip_instance_cache=True)
    assert streamed.open(f"{seeded_ds.root}/README.md").read() == b"# seed\n"
    with pytest.raises(FileNotFoundError):
        streamed.open(f"{seeded_ds.root}/nope").read()


def test_an_open_file_keeps_reading_the_commit_it_started_with(
    fs: HfFileSystem, new_dataset, hfh_alice, recorder: Recorder
) -> None:
    old = os.urandom(600_000)
    root = new_dataset({"f.bin": old})
    with fs.open(f"{root}/f.bin", block_size=100_000) as f:
        assert f.read(50_000) == old[:50_000]
        before = len(recorder.matching("GET", "/resolve/"))
        hfh_alice.upload_file(
            path_or_fileobj=os.urandom(600_000), path_in_repo="f.bin", repo_id=root.removeprefix("datasets/"),
            repo_type="dataset",
        )  # fmt: skip
        f.seek(400_000)
        assert f.read() == old[400_000:]
    urls = [str(r.url) for r in recorder.matching("GET", "/resolve/")]
    # the first ranges ask for main; once an answer named its commit, ranges ask for that commit
    assert "/resolve/main/" in urls[0] and all("/resolve/main/" not in u for u in urls[before:])


def test_stale_listing_is_detected_not_mixed(fs: HfFileSystem, new_dataset, hfh_alice) -> None:
    root = new_dataset({"f.txt": b"short"})
    assert fs.info(f"{root}/f.txt")["size"] == 5  # cached
    hfh_alice.upload_file(
        path_or_fileobj=b"a longer content", path_in_repo="f.txt", repo_id=root.removeprefix("datasets/"),
        repo_type="dataset",
    )  # fmt: skip
    with pytest.raises(StaleFileError, match="invalidate_cache"), fs.open(f"{root}/f.txt") as f:
        f.read()
    fs.invalidate_cache(f"{root}/f.txt")
    assert fs.open(f"{root}/f.txt").read() == b"a longer content"


def test_opening_a_folder_fails(fs: HfFileSystem, seeded_ds: SeededDataset) -> None:
    with pytest.raises(IsADirectoryError):
        fs.open(f"{seeded_ds.root}/data")


def test_cat_head_tail(fs: HfFileSystem, seeded_ds: SeededDataset, recorder: Recorder) -> None:
    root, data = seeded_ds.root, seeded_ds.files["big.bin"]
    assert fs.cat_file(f"{root}/big.bin", start=10, end=20) == data[10:20]
    assert fs.cat_file(f"{root}/big.bin", start=BIG_SIZE - 5) == data[-5:]
    assert fs.cat_file(f"{root}/big.bin", start=-7) == data[-7:]
    assert fs.cat_file(f"{root}/big.bin", start=BIG_SIZE + 10) == b""
    assert fs.cat_file(f"{root}/big.bin", start=5, end=5) == b""
    assert fs.head(f"{root}/big.bin", 3) == data[:3] and fs.tail(f"{root}/big.bin", 3) == data[-3:]
    both = fs.cat([f"{root}/README.md", f"{root}/data/test.csv"])
    assert both == {f"{root}/README.md": b"# seed\n", f"{root}/data/test.csv": b"a,b\n3,z\n"}
    expected = {f"{root}/data/test.csv": b"a,b\n3,z\n", f"{root}/data/train.csv": b"a,b\n1,x\n2,y\n"}
    assert fs.cat(f"{root}/data/*.csv") == expected
    recorder.clear()
    fs.cat_file(f"{root}/big.bin", start=0, end=4)
    # one ranged GET of the resolve URL (followed to the bucket in scale-out mode), no listing
    assert len(recorder.matching("GET", "/resolve/")) == 1 and not recorder.matching("GET", "/api/")


def test_get_file_and_folder_through_the_cache(
    fs: HfFileSystem, seeded_ds: SeededDataset, tmp_path: Path, recorder: Recorder
) -> None:
    root = seeded_ds.root
    fs.get(f"{root}/big.bin", str(tmp_path / "big.bin"))
    assert (tmp_path / "big.bin").read_bytes() == seeded_ds.files["big.bin"]
    hf_home = Path(os.environ["HF_HOME"])
    blobs = list((hf_home / "hub").glob(f"datasets--{seeded_ds.repo_id.replace('/', '--')}/blobs/*"))
    assert blobs, "the file went through the shared cache"
    recorder.clear()
    fs.get(f"{root}/big.bin", str(tmp_path / "again.bin"))
    assert (tmp_path / "again.bin").read_bytes() == seeded_ds.files["big.bin"]
    assert all(r.method != "GET" or "/resolve/" not in str(r.url) for r in recorder.requests)  # cached
    fs.get(f"{root}/data", str(tmp_path / "out"), recursive=True)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["test.csv", "train.csv"]
    fs.get(f"{root}/", str(tmp_path / "all"), recursive=True)
    assert (tmp_path / "all/nested/deeper/notes.txt").read_bytes() == b"deep\n"
    assert (tmp_path / "all/file@1.txt").read_bytes() == b"at sign\n"
    buffer = io.BytesIO()
    fs.get_file(f"{root}/README.md", buffer)
    assert buffer.getvalue() == b"# seed\n"
    fs.get(f"{root}@v1/README.md", str(tmp_path / "v1.md"))
    assert (tmp_path / "v1.md").read_bytes() == b"# seed\n"


def test_prefetch_cache_alone() -> None:
    data = os.urandom(1000)
    calls: list[tuple[int, int]] = []

    def fetch(start: int, end: int) -> bytes:
        calls.append((start, end))
        return data[start:end]

    cache = PrefetchCache(100, fetch, len(data), max_ahead=300, max_workers=2)
    assert cache._fetch(0, 50) == data[:50]
    assert cache._fetch(50, 250) == data[50:250]
    assert cache._fetch(250, 1000) == data[250:]
    assert cache._fetch(990, 2000) == data[990:] and cache._fetch(1000, 1001) == b""
    assert calls[0] == (0, 100) and sorted(calls)[-1][1] == 1000  # the first read: one block
    assert all(a[1] == b[0] for a, b in zip(sorted(calls), sorted(calls)[1:], strict=False))  # each byte once
    calls.clear()
    assert cache._fetch(500, 510) == data[500:510]  # a seek back: no read-ahead
    cache.close()

    failures = iter([OSError("boom")])

    def flaky(start: int, end: int) -> bytes:
        err = next(failures, None)
        if err is not None:
            raise err
        return data[start:end]

    again = PrefetchCache(100, flaky, len(data))
    with pytest.raises(OSError, match="boom"):
        again._fetch(0, 10)
    assert again._fetch(0, 10) == data[:10]  # the failed block was not kept
    again.close()
