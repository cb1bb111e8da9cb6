"""Excel in and out: import a unit's list of nominees (preview, then apply) and export a list view
or a decision's annex as .xlsx."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Path, Query, UploadFile
from fastapi.responses import JSONResponse, Response

from service import nominee_import, xlsx_exports
from service.api.deps import ActorDep, SessionDep, require_roles
from service.api.errors import ApiError, ErrorResponse
from service.api.params import DB_INT_MAX, RowId

router = APIRouter(tags=["spreadsheets"], responses={
    401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}, 404: {"model": ErrorResponse},
    413: {"model": ErrorResponse}, 422: {"model": ErrorResponse}})
MAX_BYTES = 10 * 1024 * 1024
XLSX = {"content": {xlsx_exports.CONTENT_TYPE: {}}}
UploadXlsx = Annotated[UploadFile, File(description="the list of nominees, .xlsx (template: docs/danh-sach-trich-ngang.xlsx)")]


def _read(file: UploadFile) -> bytes:
    data = file.file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ApiError(413, "file_too_large", "Tệp vượt quá giới hạn 10 MB.", "The file exceeds the 10 MB limit.")
    return data


def _xlsx(data: bytes, filename: str) -> Response:
    return Response(data, media_type=xlsx_exports.CONTENT_TYPE, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.post("/imports/nominees/preview", dependencies=[require_roles("submitter", "unit_head")])
def preview_import(file: UploadXlsx, session: SessionDep, actor: ActorDep) -> dict[str, Any]:
    """Dry run: what each row would create, and every problem (errors stop the apply; warnings do not).
    Nothing is written."""
    return nominee_import.run_import(session, _read(file), actor=actor, apply=False).as_dict()


@router.post("/imports/nominees", status_code=201, dependencies=[require_roles("submitter", "unit_head")])
def apply_import(file: UploadXlsx, session: SessionDep, actor: ActorDep) -> JSONResponse:
    """Create a draft for every row in one transaction; with any error nothing is created (422, the
    preview in ``details``)."""
    plan = nominee_import.run_import(session, _read(file), actor=actor, apply=True)
    if not plan.applied:
        raise ApiError(422, "import_has_errors", f"Danh sách có {plan.as_dict()['rows_with_errors']} dòng lỗi; chưa tạo hồ sơ nào. Sửa rồi nhập lại.",
                       f"{plan.as_dict()['rows_with_errors']} row(s) have errors; nothing was created. Fix them and import again.",
                       plan.as_dict())
    return JSONResponse(plan.as_dict(), status_code=201)


@router.get("/exports/nominations.xlsx", responses={200: XLSX})
def nominations_xlsx(
    session: SessionDep, actor: ActorDep,
    state: str | None = None, award: str | None = None, campaign_id: RowId = None,
    unit: Annotated[str | None, Query(description="proposing unit code")] = None,
    cluster_id: RowId = None, due_before: datetime | None = None,
) -> Response:
    """The nominations list view (the same filters and scope as ``GET /nominations``) as .xlsx."""
    data = xlsx_exports.nominations_xlsx(session, actor, state=state, award=award, unit=unit, campaign_id=campaign_id,
                                         cluster_id=cluster_id, due_before=due_before)
    return _xlsx(data, "danh-sach-ho-so.xlsx")


@router.get("/exports/decisions/{decision_id}/annex.xlsx", responses={200: XLSX},
            dependencies=[require_roles("board_officer", "approver", "council_member", "admin")])
def decision_annex(decision_id: Annotated[int, Path(ge=1, le=DB_INT_MAX)], session: SessionDep) -> Response:
    """The annex of an award decision (its awardees) as .xlsx."""
    decision, data = xlsx_exports.decision_annex_xlsx(session, decision_id)
    return _xlsx(data, f"phu-luc-{decision.id}.xlsx")
