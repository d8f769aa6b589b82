"""The server's errors (subclasses of ``flows.errors.MaxDPError``) and the handlers rendering
every failure as ``{"error": {"code", "message", "details"}}``. No trace ever reaches a caller.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from flows.errors import MaxDPError

__all__ = [
    "ConflictError",
    "ForbiddenError",
    "NotFoundError",
    "RateLimitedError",
    "UnauthorizedError",
    "install_error_handlers",
]

log = logging.getLogger("maxdp.server")


class NotFoundError(MaxDPError):
    status_code = 404
    code = "not_found"


class UnauthorizedError(MaxDPError):
    status_code = 401
    code = "unauthorized"
    headers: Mapping[str, str] = {"WWW-Authenticate": "Bearer"}


class ForbiddenError(MaxDPError):
    status_code = 403
    code = "forbidden"


class ConflictError(MaxDPError):
    status_code = 409
    code = "conflict"


class RateLimitedError(MaxDPError):
    status_code = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, details={"retry_after": retry_after})
        self.headers = {"Retry-After": str(retry_after)}


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}


async def _maxdp_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, MaxDPError)
    headers = getattr(exc, "headers", None)
    return JSONResponse(
        error_body(exc.code, exc.message, exc.details),
        status_code=exc.status_code,
        headers=dict(headers) if headers else None,
    )


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in loc) or "request"


def _explain(err: Mapping[str, Any]) -> str:
    kind = err.get("type", "")
    if kind == "json_invalid":
        reason = (err.get("ctx") or {}).get("error", "")
        return f"the body is not valid JSON ({reason} at character {err['loc'][-1]})"
    if kind == "missing" and tuple(err.get("loc", ())) == ("body",):
        return "a JSON body is required (Content-Type: application/json)"
    if isinstance(err.get("input"), bytes | bytearray):
        return "send the body as JSON with Content-Type: application/json"
    if kind == "extra_forbidden":
        return "unknown field; remove it (check its spelling)"
    return str(err.get("msg", "invalid value"))


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = []
    for err in exc.errors():
        loc = tuple(err.get("loc", ()))
        # The JSON decoder's location is a character offset, not a field.
        field = "body" if err.get("type") == "json_invalid" else _field(loc)
        # The rejected input is left out on purpose: it may be a password.
        details.append({"field": field, "message": _explain(err), "type": err.get("type")})
    message = "; ".join(f"{d['field']}: {d['message']}" for d in details) or "invalid request"
    return JSONResponse(error_body("validation_error", message, details), status_code=422)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    message = str(exc.detail)
    if exc.status_code == 413:
        message = "the request body is larger than this server accepts (MAXDP_MAX_BODY_BYTES)"
        return JSONResponse(error_body(code, message), status_code=413)
    return JSONResponse(error_body(code, message), status_code=exc.status_code, headers=exc.headers)


async def _integrity(request: Request, exc: Exception) -> JSONResponse:
    # Two requests raced (e.g. the same email twice); the constraint held. No SQL is shown.
    log.warning(
        "integrity error on %s %s: %s", request.method, request.url.path, type(exc).__name__
    )
    return JSONResponse(
        error_body(
            "conflict",
            "the change conflicts with data saved at the same time (a duplicate or a removed "
            "reference); reload and try again",
        ),
        status_code=409,
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Logged with its trace for the operator; the caller learns only that it happened.
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse(
        error_body("internal_error", "internal server error; the server log has the details"),
        status_code=500,
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(MaxDPError, _maxdp_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(IntegrityError, _integrity)
    app.add_exception_handler(Exception, _unexpected)
