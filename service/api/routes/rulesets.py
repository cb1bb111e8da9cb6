"""Admin: move nominations in flight to another rule-set version (preview, then apply)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from service.api.deps import ActorDep, SessionDep, require_roles
from service.api.errors import ErrorResponse
from service.ruleset_moves import move_rulesets

router = APIRouter(tags=["admin"], responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse},
                                              422: {"model": ErrorResponse}})


class RulesetMoveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to_version: str = Field(min_length=1, max_length=20, examples=["2025.7"])
    reason: str = Field(min_length=1, max_length=2000, examples=["Điều khoản chuyển tiếp của Nghị định 152/2025/NĐ-CP"])
    dry_run: bool = True  # a preview unless asked otherwise
    from_version: str | None = Field(default=None, max_length=20)


@router.post("/admin/rulesets/move", dependencies=[require_roles("admin")])
def move_in_flight(body: RulesetMoveIn, session: SessionDep, actor: ActorDep) -> dict[str, Any]:
    """Preview (``dry_run``, the default) or apply the move of every nomination in flight to
    ``to_version``: per nomination, whether it moves and whether it stays eligible under the new
    rules. Applied, each moved nomination gets an audit entry ``move_ruleset`` with the reason."""
    report = move_rulesets(session, body.to_version, actor=actor, reason=body.reason, dry_run=body.dry_run,
                           from_version=body.from_version)
    return report.as_dict()
