"""Rendering a page: one Jinja2 environment, the language, the user and the CSRF token in context."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from config.settings import get_settings
from service.api.errors import _workflow_status
from service.web import i18n
from workflow.errors import WorkflowError
from workflow.nomination import EVENT_LABELS, STATE_LABELS

# Audit entries that are not machine events, labelled for the timeline.
RECORD_LABELS: dict[str, tuple[str, str]] = {
    "create": ("Lập hồ sơ đề nghị", "Created"),
    "edit_draft": ("Sửa dự thảo", "Edited the draft"),
    "attach": ("Đính kèm tài liệu", "Attached a document"),
    "issue_certificate": ("Cấp bằng/giấy chứng nhận", "Issued the certificate"),
}

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def _local(value: datetime | date | None, with_time: bool = True) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        local = value.astimezone(get_settings().zone)
        return local.strftime("%d/%m/%Y %H:%M" if with_time else "%d/%m/%Y")
    return value.strftime("%d/%m/%Y")


templates.env.filters["local"] = _local
templates.env.filters["day"] = lambda v: _local(v, with_time=False)


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    lang = i18n.lang_of(request)

    def w(key: str) -> str:
        return i18n.word(key, lang)

    context.update(
        request=request, lang=lang, w=w, user=getattr(request.state, "user", None),
        csrf=getattr(request.state, "csrf", ""),
        state_label=lambda s: i18n.pick(STATE_LABELS[s], lang) if s in STATE_LABELS else s,
        event_label=lambda e: i18n.pick(EVENT_LABELS.get(e) or RECORD_LABELS.get(e) or (e, e), lang),
        pick=lambda pair: i18n.pick(pair, lang),
    )
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    if request.query_params.get("lang") in i18n.LANGS:
        response.set_cookie(i18n.COOKIE, request.query_params["lang"], max_age=365 * 86400, samesite="lax")
    return response


def error_message(request: Request, exc: WorkflowError) -> str:
    return unicodedata.normalize("NFC", exc.message_vi if i18n.lang_of(request) == "vi" else exc.message_en)


def status_of(exc: WorkflowError) -> int:
    return _workflow_status(exc)
