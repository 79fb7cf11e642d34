"""Hub server vs nginx: HEAD resolve requests/s and GET throughput of one LFS file.

One run starts ``hubkit serve`` on a scratch data dir, provisions a user and a token, creates a
public model repo and uploads a random ``model.safetensors`` (through LFS) and a small
``config.json`` with the real ``huggingface_hub`` client, then starts nginx (its own minimal
config, ``sendfile on``) on a folder holding the *same* bytes: a hard link to the hub's LFS
object. Two more servers give context: the hub behind an nginx reverse proxy with
``--accel-redirect`` (nginx sends the LFS bytes itself, with sendfile, from an internal location
aliasing the hub's objects; HEADs and small files go to the hub), and the "ASGI floor"
(asgi_floor.py: a bare ASGI app answering the same HEADs with the hub's headers as constants, on
the same uvicorn settings: the ceiling of any Python handler). It then measures, at concurrency 1
and 16, the hub, the hub with ``--workers 2``, the hub behind nginx, the floor (HEAD only) and
nginx, interleaved (one run of each in turn, ``repeats`` times; the median counts):

- HEAD requests/s: hub ``HEAD /alice/<repo>/resolve/main/<file>`` against nginx
  ``HEAD /<file>``;
- GET throughput (MB/s, 1 MB = 10^6 bytes) of the whole file, downloaded again and again.

The load generator is ``httpload`` (httpload.c next to this file, built with ``cc``): N
keep-alive HTTP/1.1 connections, one request in flight on each, at most 2 threads, for a fixed
time; GET bodies are discarded in the kernel so that the client costs little CPU. Off-the-shelf
tools do not fit, see httpload.c. ``--get-client curl`` measures GET with N parallel ``curl``
processes instead (whole downloads, bytes over the wall time from the first start to the last
finish).

Run it with the project's venv, from the repository root:

    .venv/bin/python bench/server/run.py            # full profile: 1 GiB file, 10 s runs, 3 repeats
    .venv/bin/python bench/server/run.py --quick    # 64 MiB file, 3 s runs, once

The full profile replaces its section of bench/README.md (``--no-readme`` to skip), the quick
one only prints (``--readme`` to write anyway). Raw results go to bench/results/ (not in git).
Needs nginx, curl and a C compiler (Debian: ``apt-get install -y nginx curl gcc``).

This file holds the options and the sequence; the parts live next to it: ``common.py``
(constants, profiles), ``procs.py`` (tools, server processes, CPU accounting), ``servers.py``
(starting and seeding the servers, the byte check), ``loadgen.py`` (httpload/curl runs) and
``report.py`` (tables, machine info, the README section).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shlex
import shutil
import sys

from common import (
    ACCEL,
    FLOOR,
    LFS_FILE,
    MB,
    NGINX,
    README,
    REPO_NAME,
    REPO_ROOT,
    RESULTS_DIR,
    SMALL_FILE,
    TOKEN,
    USER,
    BenchError,
    MiB,
    isolated_run,
    log,
    profile_from_args,
)
from loadgen import Target, build_httpload, measure_all
from procs import Service, require_tools
from report import (
    DETAIL_HEADER,
    MAIN_HEADER,
    detail_rows,
    machine_info,
    main_rows,
    report_markdown,
    summarize,
    text_table,
    write_readme,
)
from servers import (
    accel_get_headers,
    admin,
    check_same_bytes,
    fetch,
    start_asgi_floor,
    start_hub,
    start_hub_behind_nginx,
    start_nginx,
    upload,
)

# --- main ----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="64 MiB file, 3 s runs, no repeats")
    p.add_argument("--size-mib", type=int, help="override the LFS file size")
    p.add_argument("--seconds", type=float, help="override the duration of each run")
    p.add_argument("--repeats", type=int, help="override the number of runs of each server (median reported)")
    p.add_argument(
        "--get-client",
        choices=["httpload", "curl"],
        default="httpload",
        help="GET load generator: httpload (discards the body in the kernel: measures the server) "
        "or N curl processes writing to /dev/null (a real client's cost)",
    )
    p.add_argument("--no-workers2", action="store_true", help="skip the hub --workers 2 rows")
    p.add_argument("--no-small", action="store_true", help="skip the HEAD of the small regular file")
    p.add_argument("--no-accel", action="store_true", help="skip the rows of the hub behind nginx (--accel-redirect)")
    p.add_argument("--no-floor", action="store_true", help="skip the ASGI floor rows (HEAD of a bare ASGI app)")
    p.add_argument(
        "--quiet-wait",
        type=float,
        default=30,
        metavar="S",
        help="before each run, wait up to S seconds for other processes to go idle (0: never wait)",
    )
    p.add_argument("--nginx-workers", default="auto", help="nginx worker_processes (default auto: one per core)")
    readme = p.add_mutually_exclusive_group()
    readme.add_argument("--readme", dest="readme", action="store_true", default=None, help="update bench/README.md")
    readme.add_argument("--no-readme", dest="readme", action="store_false", help="do not update bench/README.md")
    p.add_argument("--keep", action="store_true", help="keep the scratch folder (logs, data) for inspection")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    prof = profile_from_args(args.quick, args.size_mib, args.seconds, args.repeats)
    write = args.readme if args.readme is not None else (prof.name == "full")
    try:
        tools = require_tools()
    except BenchError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2

    work = isolated_run("hubkit-bench-")
    services: list[Service] = []
    try:
        log(f"scratch folder {work}; profile {prof.name}, file {prof.size / MiB:,.0f} MiB")
        machine = machine_info(tools, args.nginx_workers)
        tools["httpload"] = build_httpload(tools["cc"], work)
        data_dir = work / "hub-data"
        hub, hub_url = start_hub(data_dir, work, workers=1)
        services.append(hub)
        admin(data_dir, "create-user", USER)
        admin(data_dir, "create-token", USER, "--role", "write", "--value", TOKEN)
        sha, upload_s = upload(hub_url, work, prof.size)
        log(f"upload took {upload_s:.1f} s ({prof.size / upload_s / MB:,.0f} MB/s)")

        obj = data_dir / "objects" / "lfs" / sha[:2] / sha[2:]
        if not obj.is_file() or obj.stat().st_size != prof.size:
            raise BenchError(f"LFS object not found at {obj}")
        www = work / "www"
        www.mkdir()
        try:
            os.link(obj, www / LFS_FILE)  # the very same inode: same bytes, same page cache
        except OSError:
            shutil.copyfile(obj, www / LFS_FILE)
        _, _, small = fetch(f"{hub_url}/{USER}/{REPO_NAME}/resolve/main/{SMALL_FILE}")
        (www / SMALL_FILE).write_bytes(small)

        paths = {k: f"/{USER}/{REPO_NAME}/resolve/main/{f}" for k, f in (("lfs", LFS_FILE), ("small", SMALL_FILE))}
        targets = [Target("hub", [hub], {k: hub_url + v for k, v in paths.items()})]
        if not args.no_workers2:
            hub2, hub2_url = start_hub(data_dir, work, workers=2)
            services.append(hub2)
            targets.append(Target("hub --workers 2", [hub2], {k: hub2_url + v for k, v in paths.items()}))
        if not args.no_accel:
            accel, accel_url = start_hub_behind_nginx(tools["nginx"], data_dir, work, args.nginx_workers)
            services += accel
            targets.append(Target(ACCEL, accel, {k: accel_url + v for k, v in paths.items()}))
        nginx, nginx_url = start_nginx(tools["nginx"], work, www, args.nginx_workers)
        services.append(nginx)
        nginx_target = Target(NGINX, [nginx], {"lfs": f"{nginx_url}/{LFS_FILE}", "small": f"{nginx_url}/{SMALL_FILE}"})
        check_same_bytes([*(t.urls["lfs"] for t in targets), nginx_target.urls["lfs"]], www / LFS_FILE, prof.size)
        _, headers, _ = fetch(targets[0].urls["lfs"], "HEAD")
        if headers.get("x-linked-etag") != f'"{sha}"':
            raise BenchError(f"the hub's HEAD lacks the LFS ETag: {headers}")
        notes = []
        if not args.no_accel:
            accel_target = next(t for t in targets if t.name == ACCEL)
            if fetch(accel_target.urls["lfs"], "HEAD")[1].get("x-linked-etag") != f'"{sha}"':
                raise BenchError("the HEAD through nginx lacks the LFS ETag")
            notes.append(accel_get_headers(hub_url + paths["lfs"], accel_target.urls["lfs"]))
            log(notes[-1])
        if not args.no_floor:
            # the hub's own HEAD answers become the floor's constants (minus what uvicorn adds itself:
            # Date, and the "Connection: close" answering urllib's request)
            routes = {}
            for path in paths.values():
                _, got, _ = fetch(hub_url + path, "HEAD")
                routes[path] = {k: v for k, v in got.items() if k not in ("date", "connection", "keep-alive")}
            floor, floor_url = start_asgi_floor(work, routes)
            services.append(floor)
            targets.append(Target(FLOOR, [floor], {k: floor_url + v for k, v in paths.items()}, head_only=True))
            for path in paths.values():
                status, got, _ = fetch(floor_url + path, "HEAD")
                if status != 200 or got.get("content-length") != routes[path]["content-length"]:
                    raise BenchError(f"the ASGI floor answers HEAD {path} with {status} {got}")
        targets.append(nginx_target)
        log(f"{', '.join(t.name for t in targets if not t.head_only)} serve the same bytes")

        metrics = ["head", *([] if args.no_small else ["head-small"]), "get"]
        runs = measure_all(tools, targets, prof, metrics, args.quiet_wait, args.get_client)
        summaries = summarize(runs)

        when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        command = shlex.join([".venv/bin/python", "bench/server/run.py", *(argv if argv is not None else sys.argv[1:])])
        print()
        print(text_table(MAIN_HEADER, main_rows(summaries)))
        print()
        print(text_table(DETAIL_HEADER, detail_rows(summaries)))
        section = report_markdown(summaries, prof, command, when, machine, upload_s, args.get_client, notes)
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        stem = f"server-{prof.name.split()[0]}-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}"
        raw = {
            "profile": prof.__dict__,
            "command": command,
            "when": when,
            "machine": machine,
            "upload_seconds": upload_s,
            "notes": notes,
            "runs": [r.__dict__ for r in runs],
        }
        (RESULTS_DIR / f"{stem}.json").write_text(json.dumps(raw, indent=2) + "\n")
        (RESULTS_DIR / f"{stem}.md").write_text(section + "\n")
        log(f"raw results in {(RESULTS_DIR / stem).relative_to(REPO_ROOT)}.json")
        if write:
            write_readme(section)
            log(f"updated {README.relative_to(REPO_ROOT)}")
        return 0
    except BenchError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        for service in reversed(services):
            service.stop()
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
