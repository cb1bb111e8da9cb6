"""Administration pages ("quản trị"): users, units and clusters by year, the rule set in force,
the Prefect UI with its latest flow runs, and audit verification."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import select

from config.catalogue import catalogue
from service.api.deps import SessionDep
from service.audit import verify_all
from service.cluster_cycle import local_today
from service.models import Cluster, ClusterMember, User
from service.web.render import render
from service.web.session import PageUser
from service.web.settings import WebSettings, get_web_settings
from service.web.views import unit_choices

router = APIRouter(prefix="/web/admin", include_in_schema=False)


@dataclass(frozen=True)
class FlowRuns:
    runs: list[dict[str, Any]]
    problem: str | None  # why the runs could not be read (Prefect down, bad answer)


def latest_flow_runs(settings: WebSettings, limit: int = 10) -> FlowRuns:
    try:
        reply = httpx.post(f"{settings.prefect_api}/flow_runs/filter", json={"sort": "START_TIME_DESC", "limit": limit},
                           timeout=settings.prefect_timeout_seconds)
        reply.raise_for_status()
        return FlowRuns(list(reply.json()), None)
    except (httpx.HTTPError, ValueError) as exc:
        return FlowRuns([], f"{type(exc).__name__}: {exc}"[:300])


@router.get("", response_class=HTMLResponse)
def admin_page(request: Request, session: SessionDep, user: PageUser,
               settings: Annotated[WebSettings, Depends(get_web_settings)],
               year: Annotated[int | None, Query(ge=1900, le=2200)] = None) -> Response:
    if user.role != "admin":
        return render(request, "error.html", 403, error_key="admin_only")
    years = sorted(set(session.exec(select(Cluster.year)).all()))
    year = year or (years[-1] if years else local_today().year)
    clusters = []
    for c in session.exec(select(Cluster).where(Cluster.year == year).order_by(Cluster.code)):
        members = session.exec(select(ClusterMember.unit_code).where(ClusterMember.cluster_id == c.id)).all()
        clusters.append((c, sorted(members)))
    try:
        ruleset = catalogue().in_force(local_today())
    except LookupError:
        ruleset = None
    return render(
        request, "admin.html", users=session.exec(select(User).order_by(User.username)).all(),
        units=unit_choices(session), clusters=clusters, years=years, year=year,
        ruleset=ruleset, prefect_ui=settings.prefect_ui, flows=latest_flow_runs(settings),
    )


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, session: SessionDep, user: PageUser) -> Response:
    if user.role != "admin":
        return render(request, "error.html", 403, error_key="admin_only")
    return render(request, "audit.html", problems=[str(p) for p in verify_all(session)])
