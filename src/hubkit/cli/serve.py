"""``hubkit serve``: the self-hosted Hub on SQLite and a local folder by default."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from .main import CliError
from .settings import settings_from_args

BOOTSTRAP_USER = "admin"
TOKEN_FILE = "admin-token"


def _bootstrap(hub) -> str | None:  # type: ignore[no-untyped-def]
    """On first start: an admin account and a write token, saved (0600) in the data dir."""
    from sqlalchemy import select

    from ..server.db.models import Namespace
    from ..server.services import accounts

    token_path = Path(hub.settings.data_dir) / TOKEN_FILE
    with hub.db.session() as s:
        if s.scalar(select(Namespace.id).limit(1)) is None:
            accounts.create_user(s, BOOTSTRAP_USER, fullname="Hub administrator", is_admin=True)
            _, value = accounts.create_token(s, BOOTSTRAP_USER, role="write", name="bootstrap")
            fd = os.open(token_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(value)
            return value
    try:
        return token_path.read_text().strip() or None
    except OSError:
        return None


def _check_inference_extra() -> None:
    import importlib.util

    missing = [m for m in ("torch", "transformers", "sentence_transformers") if importlib.util.find_spec(m) is None]
    if missing:
        raise CliError(f"--inference needs {', '.join(missing)}: pip install 'hubkit[inference]'")


def run_serve(args: argparse.Namespace) -> int:
    try:
        import uvicorn
    except ImportError:
        raise CliError("the server needs its extra: pip install 'hubkit[server]'") from None
    from ..server.app import create_app
    from ..server.db.migrate import SchemaOutdated

    host_for_url = "127.0.0.1" if args.host in ("0.0.0.0", "::", "") else args.host
    if ":" in host_for_url:
        host_for_url = f"[{host_for_url}]"
    public_url = args.public_url or os.environ.get("HUBKIT_PUBLIC_URL") or f"http://{host_for_url}:{args.port}"
    settings = settings_from_args(args, public_url)
    if settings.inference:
        _check_inference_extra()
    try:
        app = create_app(settings)
    except SchemaOutdated as err:
        raise CliError(str(err)) from None
    token = _bootstrap(app.hub)
    if settings.inference and args.workers <= 1:
        _ = app.hub.inference  # starts importing torch and the runtimes in the background
    print(f"hubkit serving {settings.data_dir} at {settings.public_url}", flush=True)
    print(f"HF_ENDPOINT={settings.public_url}", flush=True)
    if token:
        print(f"HF_TOKEN={token}", flush=True)
    else:
        print("# create a token with: hubkit admin create-token USER", flush=True)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    config: dict[str, object] = {
        "host": args.host,
        "port": args.port,
        "access_log": args.access_log,
        # only the access log reads the client address (X-Forwarded-For): skip the middleware otherwise
        "proxy_headers": args.access_log,
        "log_level": "info",
        "timeout_keep_alive": 30,
        "server_header": False,
    }
    if args.workers > 1:
        app.hub.close()
        os.environ["HUBKIT_DATA_DIR"] = str(settings.data_dir)
        os.environ["HUBKIT_PUBLIC_URL"] = settings.public_url
        os.environ["HUBKIT_DATABASE_URL"] = settings.database_url
        if settings.storage_url:
            os.environ["HUBKIT_STORAGE_URL"] = settings.storage_url
        if settings.accel_redirect:
            os.environ["HUBKIT_ACCEL_REDIRECT"] = settings.accel_redirect
        if settings.inference:
            os.environ["HUBKIT_INFERENCE"] = "1"
            os.environ["HUBKIT_INFERENCE_MEMORY_MB"] = str(settings.inference_memory_mb)
            os.environ["HUBKIT_INFERENCE_WORKERS"] = str(settings.inference_workers)
        uvicorn.run("hubkit.server.app:create_app_from_env", factory=True, workers=args.workers, **config)  # type: ignore[arg-type]
    else:
        uvicorn.run(app, **config)  # type: ignore[arg-type]
    return 0
