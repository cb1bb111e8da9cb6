"""One JSON error shape for every failure:

``{"error": {"code": "...", "message_vi": "...", "message_en": "...", "details": {...}}}``
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.errors import NotEligible, ServiceError, StaleVersion
from service.users import TooManyAttempts
from workflow.errors import ReasonRequired, TransitionRefused, UnknownState, WorkflowError


log = logging.getLogger(__name__)

# How long a client should wait before retrying while the database is unreachable.
DATABASE_RETRY_AFTER_SECONDS = 5


class ErrorBody(BaseModel):
    code: str
    message_vi: str
    message_en: str
    details: dict[str, Any] = {}


class ErrorResponse(BaseModel):
    error: ErrorBody


class ApiError(Exception):
    """An error raised by the HTTP layer itself (authentication, uploads, headers)."""

    def __init__(self, status: int, code: str, message_vi: str, message_en: str, details: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        self.status, self.code, self.message_vi, self.message_en = status, code, message_vi, message_en
        self.details = details or {}
        self.headers = headers
        super().__init__(message_en)


def error_response(status: int, code: str, vi: str, en: str, details: dict[str, Any] | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"error": {"code": code, "message_vi": vi, "message_en": en, "details": details or {}}}
    return JSONResponse(body, status_code=status, headers=headers)


def _code(exc: Exception) -> str:
    name = type(exc).__name__
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def _workflow_status(exc: WorkflowError) -> int:
    if isinstance(exc, ReasonRequired):
        return 422
    if isinstance(exc, TransitionRefused):
        return 409  # the request conflicts with the nomination's current state
    if isinstance(exc, TooManyAttempts):
        return 429
    if isinstance(exc, UnknownState):
        return 500
    if isinstance(exc, ServiceError):
        return exc.http_status
    return 400


def _details(exc: WorkflowError) -> dict[str, Any]:
    if isinstance(exc, StaleVersion):
        return {"nomination_id": exc.nomination_id, "current_version": exc.current, "current_state": exc.state}
    if isinstance(exc, NotEligible):
        return {"unmet": [
            {"condition": f.condition_id, "message_vi": f.message_vi, "message_en": f.message_en, "citation": f.citation}
            for f in exc.findings
        ]}
    if isinstance(exc, TransitionRefused):
        return {"state": exc.state, "action": exc.event}
    return dict(getattr(exc, "details", {}) or {})


def install(app: FastAPI) -> None:
    @app.exception_handler(WorkflowError)
    async def _workflow(_: Request, exc: WorkflowError) -> JSONResponse:
        return error_response(_workflow_status(exc), _code(exc), exc.message_vi, exc.message_en, _details(exc))

    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message_vi, exc.message_en, exc.details, exc.headers)

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    @app.exception_handler(DisconnectionError)
    async def _database_unavailable(_: Request, exc: Exception) -> JSONResponse:
        # The database is down, restarting or refusing connections: a temporary condition, not a
        # bug. The transaction was rolled back, so nothing changed; the pool reconnects by itself
        # (pre-ping) once the server is back.
        log.warning("database unavailable: %s", exc)
        return error_response(
            503, "database_unavailable",
            "Cơ sở dữ liệu tạm thời không truy cập được; không có thay đổi nào được ghi. Hãy thử lại sau ít phút.",
            "The database is temporarily unreachable; nothing was changed. Retry in a moment.",
            {"retry_after_seconds": DATABASE_RETRY_AFTER_SECONDS},
            headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"field": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]} for e in exc.errors()
        ]
        fields = ", ".join(p["field"] for p in problems)
        return error_response(
            422, "invalid_request", f"Dữ liệu gửi lên không hợp lệ: {fields}.", f"Invalid request: {fields}.",
            {"problems": problems},
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:  # FastAPI could not read the body (e.g. not UTF-8): bad input like any other
            return error_response(
                422, "invalid_request", "Không đọc được nội dung gửi lên (cần JSON hợp lệ, mã hóa UTF-8).",
                "The request body could not be read (send valid JSON, encoded as UTF-8).",
            )
        messages = {
            401: ("Bạn cần đăng nhập.", "You need to sign in."),
            404: ("Không tìm thấy.", "Not found."),
            405: ("Phương thức không được hỗ trợ.", "Method not allowed."),
        }
        vi, en = messages.get(exc.status_code, (f"Yêu cầu không thực hiện được ({exc.status_code}).", str(exc.detail)))
        return error_response(exc.status_code, f"http_{exc.status_code}", vi, en, headers=getattr(exc, "headers", None))
