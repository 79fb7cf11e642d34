"""The ASGI floor: the least any Python handler can do on the hub's server stack.

A bare ASGI app that answers each known path with a fixed status 200 and fixed headers (those the
hub sent for the same resolve HEAD, captured by servers.py), on uvicorn with the settings of
``hubkit serve`` (src/hubkit/cli/serve.py: no access log, keep-alive 30 s, no Server header;
httptools and uvloop, which uvicorn's "auto" picks there). No routing, no database, no object
store: what is left is uvicorn's HTTP parsing and the ASGI calls, the ceiling of any handler.

    python asgi_floor.py PORT ROUTES_JSON     # ROUTES_JSON: {"/raw/path": {"header": "value"}}
"""

from __future__ import annotations

import json
import sys
from typing import Any

import uvicorn

Message = dict[str, Any]


def make_app(routes: dict[str, dict[str, str]]) -> Any:
    table = {
        path.encode(): [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        for path, headers in routes.items()
    }
    missing = [(b"content-length", b"0")]

    async def app(scope: Message, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        headers = table.get(scope["raw_path"])
        status = 404 if headers is None else 200
        await send({"type": "http.response.start", "status": status, "headers": headers or missing})
        await send({"type": "http.response.body", "body": b""})

    return app


def main() -> None:
    port, spec = int(sys.argv[1]), sys.argv[2]
    with open(spec) as f:
        routes = json.load(f)
    uvicorn.run(
        make_app(routes),
        host="127.0.0.1",
        port=port,
        access_log=False,
        log_level="info",
        timeout_keep_alive=30,
        server_header=False,
        proxy_headers=False,
        http="httptools",
        loop="uvloop",
    )


if __name__ == "__main__":
    main()
