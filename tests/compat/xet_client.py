"""Run by test_hfh_xet.py in a subprocess: the real huggingface_hub reads HF_HUB_DISABLE_XET at
import time, so Xet and plain-HTTP runs need processes of their own.

usage: xet_client.py upload|download ENDPOINT TOKEN REPO WORKDIR NAME...
upload: uploads WORKDIR/NAME for each name (one commit each), prints paths-info as JSON.
download: downloads each name into a fresh cache, prints {name: sha256} as JSON.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from huggingface_hub import HfApi, hf_hub_download


def main() -> None:
    action, endpoint, token, repo, workdir, *names = sys.argv[1:]
    api = HfApi(endpoint=endpoint, token=token)
    work = Path(workdir)
    if action == "upload":
        for name in names:
            api.upload_file(path_or_fileobj=str(work / name), path_in_repo=name, repo_id=repo)
        infos = api.get_paths_info(repo, names)
        print(json.dumps({i.path: {"xet_hash": i.xet_hash, "size": i.size, "lfs": bool(i.lfs)} for i in infos}))
    else:
        out = {}
        cache = work / f"cache-{action}"
        for name in names:
            path = hf_hub_download(repo, name, endpoint=endpoint, token=token, cache_dir=cache)
            out[name] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        print(json.dumps(out))


if __name__ == "__main__":
    main()
