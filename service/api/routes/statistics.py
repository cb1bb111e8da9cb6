"""Statistics per campaign, cluster, unit and year (JSON and .xlsx), for the city-level roles."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from service import statistics as stats
from service.api.deps import SessionDep, require_roles
from service.api.errors import ErrorResponse
from service.api.params import RowId, Year
from service.xlsx_exports import CONTENT_TYPE

router = APIRouter(prefix="/statistics", tags=["statistics"],
                   dependencies=[require_roles("board_officer", "approver", "council_member", "admin")],
                   responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}, 422: {"model": ErrorResponse}})
Unit = Annotated[str | None, Query(max_length=40, description="proposing unit code")]


@router.get("")
def statistics(session: SessionDep, campaign_id: RowId = None, cluster_id: RowId = None, unit: Unit = None,
               year: Year = None) -> dict[str, Any]:
    """Counts by award and state, processing time per step against the SLA, returns and reasons,
    shares of awards to front-line workers and small collectives against the city's targets."""
    return stats.statistics(session, campaign_id=campaign_id, cluster_id=cluster_id, unit=unit, year=year)


@router.get(".xlsx", responses={200: {"content": {CONTENT_TYPE: {}}}})
def statistics_xlsx(session: SessionDep, campaign_id: RowId = None, cluster_id: RowId = None, unit: Unit = None,
                    year: Year = None) -> Response:
    """The same statistics as a workbook."""
    data = stats.statistics(session, campaign_id=campaign_id, cluster_id=cluster_id, unit=unit, year=year)
    return Response(stats.statistics_xlsx(data), media_type=CONTENT_TYPE,
                    headers={"Content-Disposition": 'attachment; filename="thong-ke.xlsx"'})
