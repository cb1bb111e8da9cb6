"""Administration and health."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from service.api.deps import SessionDep, require_roles
from service.api.errors import ErrorResponse
from service.api.schemas import AuditReport
from service.audit import verify_all

router = APIRouter(tags=["admin"])


@router.get("/admin/audit/verify", response_model=AuditReport, dependencies=[require_roles("admin")],
            responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}})
def audit_verify(session: SessionDep) -> AuditReport:
    """Recompute every audit chain; list the first broken link of each broken chain."""
    problems = [str(p) for p in verify_all(session)]
    return AuditReport(intact=not problems, problems=problems)


@router.get("/health", tags=["health"])
def health(session: SessionDep) -> dict[str, str]:
    """Liveness, with a trivial database round trip."""
    session.execute(text("SELECT 1"))
    return {"status": "ok"}
