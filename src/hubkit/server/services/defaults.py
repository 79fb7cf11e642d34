"""Content the hub writes by itself: the default ``.gitattributes`` of a new repo."""

from __future__ import annotations

# Extensions the Hub stores through LFS by default in every new repo.
_COMMON = [
    "*.7z",
    "*.arrow",
    "*.bin",
    "*.bz2",
    "*.ckpt",
    "*.ftz",
    "*.gz",
    "*.h5",
    "*.joblib",
    "*.lfs.*",
    "*.mlmodel",
    "*.model",
    "*.msgpack",
    "*.npy",
    "*.npz",
    "*.onnx",
    "*.ot",
    "*.parquet",
    "*.pb",
    "*.pickle",
    "*.pkl",
    "*.pt",
    "*.pth",
    "*.rar",
    "*.safetensors",
    "saved_model/**/*",
    "*.tar.*",
    "*.tar",
    "*.tflite",
    "*.tgz",
    "*.wasm",
    "*.xz",
    "*.zip",
    "*.zst",
    "*tfevents*",
]
# Datasets also get media and big text formats.
_DATASET_EXTRA = [
    "*.lz4",
    "*.mds",
    "*.jsonl.gz",
    "*.mp3",
    "*.ogg",
    "*.wav",
    "*.flac",
    "*.jpg",
    "*.jpeg",
    "*.png",
    "*.webp",
    "*.gif",
    "*.mp4",
    "*.webm",
]


def default_gitattributes(repo_type: str) -> str:
    patterns = _COMMON + (_DATASET_EXTRA if repo_type == "dataset" else [])
    return "".join(f"{p} filter=lfs diff=lfs merge=lfs -text\n" for p in patterns)
