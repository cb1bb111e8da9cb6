"""Public pages ("công khai"): published award decisions with their awardees, searchable
without accents, no sign-in. The list is the API's own query (``/public/decisions``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from service.api.deps import SessionDep, SettingsDep
from service.api.routes.decisions import public_decisions
from service.web.render import render
from service.web.session import user_of

router = APIRouter(prefix="/web", include_in_schema=False)


@router.get("/public", response_class=HTMLResponse)
def decisions_page(request: Request, session: SessionDep, settings: SettingsDep,
                   q: Annotated[str | None, Query(max_length=100)] = None,
                   page: Annotated[int, Query(ge=0)] = 0) -> Response:
    request.state.user = user_of(request, session, settings)  # for the header only; the page is public
    if q and "\x00" in q:
        q = q.replace("\x00", "")
    result = public_decisions(session, q=q, limit=20, offset=page * 20)
    return render(request, "public.html", result=result, q=q or "", page=page)
