"""Spreadsheet downloads (.xlsx) of the pages: the nominations list as filtered, and an award
decision's annex. The workbooks are :mod:`service.xlsx_exports`'s, the same as the API's."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from service import xlsx_exports
from service.api.deps import SessionDep
from service.web.render import render
from service.web.session import PageActor
from service.web.views import ANNEX_READERS
from service.web.nominations import list_filters, not_found
from workflow.errors import WorkflowError

router = APIRouter(prefix="/web/exports", include_in_schema=False)


def xlsx(data: bytes, filename: str) -> Response:
    return Response(data, media_type=xlsx_exports.CONTENT_TYPE,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename, safe='')}"})


@router.get("/nominations.xlsx")
def nominations(request: Request, session: SessionDep, actor: PageActor,
                state: Annotated[str | None, Query(max_length=30)] = None,
                award: Annotated[str | None, Query(max_length=40)] = None,
                unit: Annotated[str | None, Query(max_length=40)] = None) -> Response:
    """The list page's nominations with its filters (and the user's scope), as one sheet."""
    filters, _, _ = list_filters(session, state, award, unit)
    return xlsx(xlsx_exports.nominations_xlsx(session, actor, **filters), "danh-sach-ho-so.xlsx")


@router.get("/decisions/{decision_id}/annex.xlsx")
def annex(decision_id: int, request: Request, session: SessionDep, actor: PageActor) -> Response:
    if actor.role.value not in ANNEX_READERS:
        return render(request, "error.html", 403, error_key="role_only")
    try:
        decision, data = xlsx_exports.decision_annex_xlsx(session, decision_id)
    except WorkflowError as exc:
        return not_found(request, exc)
    return xlsx(data, f"phu-luc-{decision.id}.xlsx")
