"""The web designer: the production build in ``max_dp_server/static/`` served at ``/``.

``mount_designer(app)`` makes the designer the router's fallback: it answers only requests that
no route matched, so every API route wins whatever order routers are added in, and a path that
exists with another method still answers ``405``.

- a file of the build (``/assets/index-3f2a.js``) is sent as it is; hashed assets are cached
  for a year, everything else is revalidated;
- any other ``GET`` outside the server's own prefixes (``/flows/…``, ``/runs``) gets
  ``index.html``, so the designer's router handles it and a reload on a deep link works;
- paths under ``/api``, ``/execute``, ``/docs``, ``/health`` … that no route took answer ``404``
  in the usual error format: a mistyped API call never gets an HTML page.

The build is made by ``make designer`` (Node needed) and committed, so serving it needs no Node.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.types import Receive, Scope, Send

__all__ = ["RESERVED_PREFIXES", "STATIC_DIR", "mount_designer"]

STATIC_DIR = Path(__file__).resolve().parent / "static"

# First path segments that belong to the server, never to the designer.
RESERVED_PREFIXES = frozenset(
    {"api", "execute", "docs", "redoc", "openapi.json", "health", "info", "metrics"}
)

_IMMUTABLE = "public, max-age=31536000, immutable"
_REVALIDATE = "no-cache"

_NOT_BUILT = """<!doctype html><meta charset="utf-8"><title>MAX DP</title>
<h1>MAX DP</h1><p>The designer is not built. Run <code>make designer</code> (needs Node 20),
or use the API: <a href="/docs">/docs</a>.</p>"""


def mount_designer(app: FastAPI, static_dir: Path = STATIC_DIR) -> None:
    """Serve the designer build for every request no API route matched."""
    root = static_dir.resolve()
    not_found = app.router.default

    async def designer(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await not_found(scope, receive, send)
            return
        request = Request(scope)
        path = request.url.path.lstrip("/")
        if path.split("/", 1)[0] in RESERVED_PREFIXES or request.method not in ("GET", "HEAD"):
            await not_found(scope, receive, send)  # the standard 404 error body
            return
        await _response(root, path)(scope, receive, send)

    app.router.default = designer


def _response(root: Path, path: str) -> Response:
    file = _file_in(root, path)
    if file is not None:
        cache = _IMMUTABLE if path.startswith("assets/") else _REVALIDATE
        return FileResponse(file, headers={"Cache-Control": cache})
    index = root / "index.html"
    if not index.is_file():
        return HTMLResponse(_NOT_BUILT, status_code=503)
    return FileResponse(index, headers={"Cache-Control": _REVALIDATE})


def _file_in(root: Path, path: str) -> Path | None:
    """``root/path`` when it is a file inside ``root`` (no ``..`` escapes), else None."""
    if not path:
        return None
    candidate = (root / path).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return None
    return candidate
