"""The statistics page ("thống kê, báo cáo") for the city-level roles: per campaign, cluster, unit
and year, with server-rendered bar charts (inline SVG, no script), the shares of awards to
front-line individuals and small collectives against their targets, and the .xlsx export. The
figures are :func:`service.statistics.statistics`, as ``GET /statistics``."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, select

from config.catalogue import catalogue
from service import statistics as stats
from service.api.deps import SessionDep
from service.cluster_cycle import local_today
from service.models import Campaign, Cluster, Unit
from service.web.exports import xlsx
from service.web.i18n import WORDS, lang_of, pick
from service.web.render import render
from service.web.session import PageActor
from service.web.views import unit_choices
from workflow.nomination import STATE_LABELS

router = APIRouter(prefix="/web", include_in_schema=False)
READERS = frozenset({"board_officer", "approver", "council_member", "admin"})  # as GET /statistics
# The filter form sends empty fields for "all": read them as text, numbers only when they are numbers.
Param = Annotated[str | None, Query(max_length=40)]


def _number(value: str | None, low: int, high: int) -> int | None:
    return int(value) if value and value.isdigit() and low <= int(value) <= high else None


def _filters(session: Session, campaign: str | None, cluster: str | None, unit: str | None, year_text: str | None) -> dict[str, Any]:
    """Only filters naming something that exists (an unknown one is dropped, as on the list page)."""
    campaign_id, cluster_id, year = _number(campaign, 1, 2**31 - 1), _number(cluster, 1, 2**31 - 1), _number(year_text, 1900, 2200)
    return {k: v for k, v in (
        ("campaign_id", campaign_id if campaign_id and session.get(Campaign, campaign_id) else None),
        ("cluster_id", cluster_id if cluster_id and session.get(Cluster, cluster_id) else None),
        ("unit", unit if unit and session.get(Unit, unit) else None),
        ("year", year)) if v is not None}


def charts(data: dict[str, Any], lang: str) -> dict[str, list[dict[str, Any]]]:
    awards: Counter[str] = Counter()
    states: Counter[str] = Counter()
    for c in data["counts"]:
        awards[c["award_code"]] += c["count"]
        states[c["state"]] += c["count"]
    names = {a.code: pick((a.name_vi, a.name_en), lang) for a in catalogue().in_force(local_today()).awards}
    return {
        "by_award": [{"label": names.get(code, code), "value": n} for code, n in sorted(awards.items())],
        "by_state": [{"label": pick(STATE_LABELS[s], lang), "value": n} for s, n in sorted(states.items(), key=lambda kv: -kv[1])],
        "steps": [{"label": pick(WORDS.get(f"clock_{s['clock']}", (s["clock"], s["clock"])), lang), "value": s["median_working_days"],
                   "over": s["median_working_days"] is not None and s["median_working_days"] > s["sla_working_days"]} for s in data["steps"]],
    }


@router.get("/statistics", response_class=HTMLResponse)
def statistics_page(request: Request, session: SessionDep, actor: PageActor,
                    campaign_id: Param = None, cluster_id: Param = None, unit: Param = None, year: Param = None) -> Response:
    if actor.role.value not in READERS:
        return render(request, "error.html", 403, error_key="role_only")
    filters = _filters(session, campaign_id, cluster_id, unit, year)
    data = stats.statistics(session, **filters)
    return render(
        request, "statistics.html", data=data, charts=charts(data, lang_of(request)), filters=filters, query=urlencode(filters),
        campaigns=session.exec(select(Campaign).order_by(Campaign.code)).all(),
        clusters=session.exec(select(Cluster).order_by(Cluster.year.desc(), Cluster.code)).all(),  # type: ignore[attr-defined]
        units=unit_choices(session),
    )


@router.get("/statistics.xlsx")
def statistics_xlsx(request: Request, session: SessionDep, actor: PageActor,
                    campaign_id: Param = None, cluster_id: Param = None, unit: Param = None, year: Param = None) -> Response:
    if actor.role.value not in READERS:
        return render(request, "error.html", 403, error_key="role_only")
    data = stats.statistics(session, **_filters(session, campaign_id, cluster_id, unit, year))
    return xlsx(stats.statistics_xlsx(data), "thong-ke.xlsx")
