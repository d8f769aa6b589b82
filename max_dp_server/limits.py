"""The request body limit (MAXDP_MAX_BODY_BYTES), answered in the API's error format.

A declared Content-Length over the limit is refused before anything is read; a body sent
without one (chunked) is counted as it arrives and cut off the moment it passes the limit.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from max_dp_server.errors import error_body

__all__ = ["BodyLimit"]


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            response = JSONResponse(
                error_body(
                    "payload_too_large",
                    f"the request body has {declared} bytes; this server accepts at most "
                    f"{self.max_bytes} (MAXDP_MAX_BODY_BYTES)",
                    {"limit": self.max_bytes},
                ),
                status_code=413,
            )
            await response(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Raised inside the route's body read; FastAPI passes HTTPException on to
                    # the error handlers, which answer 413 in the usual format.
                    raise HTTPException(413)
            return message

        await self.app(scope, counted, send)
