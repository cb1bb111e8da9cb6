"""The what-if calendar page ("mô phỏng lịch đợt thi đua") for the Board: enter a campaign's
planned final date per step, see which steps and clusters would miss on the working-day calendar,
and accept the plan as the campaign's calendar. Both are :mod:`service.campaign_plans`, as the
API's ``POST /campaigns/{id}/what-if`` and ``PUT /campaigns/{id}/calendar``."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, select
from starlette.concurrency import run_in_threadpool

from service import campaign_plans
from service.actors import Actor
from service.api.deps import SessionDep
from service.errors import InvalidInput
from service.models import Campaign
from service.web.i18n import WORDS, lang_of, pick
from service.web.render import error_message, render, status_of
from service.web.session import FormActor, PageActor
from workflow.errors import WorkflowError
from workflow.nomination import CLOCK_OF

router = APIRouter(prefix="/web/campaigns", include_in_schema=False)
STEPS = tuple(dict.fromkeys(CLOCK_OF.values()))  # the clocks in the order a nomination meets them


def _planner(actor: Actor) -> bool:
    return actor.role.value in campaign_plans.PLANNERS


def _refused(request: Request) -> Response:
    return render(request, "error.html", 403, error_key="role_only")


@router.get("", response_class=HTMLResponse)
def campaigns_page(request: Request, session: SessionDep, actor: PageActor) -> Response:
    if not _planner(actor):
        return _refused(request)
    return render(request, "campaigns.html", campaigns=session.exec(select(Campaign).order_by(Campaign.opens_on, Campaign.code)).all())


def _campaign(request: Request, session: Session, campaign_id: int) -> Campaign | Response:
    campaign = session.get(Campaign, campaign_id, populate_existing=True)
    if campaign is None:
        return render(request, "error.html", 404, error=pick((f"Không có đợt thi đua #{campaign_id}.",
                                                              f"There is no campaign #{campaign_id}."), lang_of(request)))
    return campaign


def _page(request: Request, campaign: Campaign, form: dict[str, str], status: int = 200, **extra: Any) -> Response:
    return render(request, "what_if.html", status, campaign=campaign, steps=STEPS, form=form,
                  clock_words={k for k in WORDS if k.startswith("clock_")}, **extra)


@router.get("/{campaign_id}/what-if", response_class=HTMLResponse)
def what_if_page(campaign_id: int, request: Request, session: SessionDep, actor: PageActor, done: str | None = None) -> Response:
    if not _planner(actor):
        return _refused(request)
    campaign = _campaign(request, session, campaign_id)
    if not isinstance(campaign, Campaign):
        return campaign
    form = {f"step_{k}": v for k, v in (campaign.calendar or {}).items()}
    form.setdefault("step_filing", campaign.filing_deadline.isoformat())
    return _page(request, campaign, form, flash=pick(("Đã đặt lịch cho đợt thi đua.", "The campaign's calendar is set."),
                                                     lang_of(request)) if done else None)


def _plan(form: dict[str, str]) -> dict[str, Any]:
    """The form's dates as the service's arguments; a malformed date is a clear 422."""
    def day(name: str) -> date | None:
        value = (form.get(name) or "").strip()
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise InvalidInput(f"Ngày «{value}» ({name}) không hợp lệ.", f"{value!r} ({name}) is not a date.") from None

    finals = {step: d for step in STEPS if (d := day(f"step_{step}")) is not None}
    if not finals:
        raise InvalidInput("Hãy nhập ngày dự kiến cho ít nhất một bước.", "Enter a planned date for at least one step.")
    return {"finals": finals, "decide_by": day("decide_by"), "default_cluster_start": day("default_cluster_start")}


async def _form(request: Request) -> dict[str, str]:
    return {str(k): str(v) for k, v in (await request.form()).items() if k != "csrf"}


@router.post("/{campaign_id}/what-if", response_class=HTMLResponse)
async def simulate(campaign_id: int, request: Request, session: SessionDep, actor: FormActor) -> Response:
    form = await _form(request)

    def run() -> Response:
        if not _planner(actor):
            return _refused(request)
        campaign = _campaign(request, session, campaign_id)
        if not isinstance(campaign, Campaign):
            return campaign
        try:
            result = campaign_plans.forecast(session, campaign_id, **_plan(form))
        except WorkflowError as exc:
            return _page(request, campaign, form, status_of(exc), error=error_message(request, exc))
        return _page(request, campaign, form, result=result)

    return await run_in_threadpool(run)


@router.post("/{campaign_id}/calendar", response_class=HTMLResponse)
async def accept(campaign_id: int, request: Request, session: SessionDep, actor: FormActor) -> Response:
    form = await _form(request)

    def run() -> Response:
        campaign = _campaign(request, session, campaign_id)
        if not isinstance(campaign, Campaign):
            return campaign
        try:
            plan = _plan(form)
            campaign_plans.accept_plan(session, campaign_id, actor=actor, accept_misses=form.get("accept_misses") == "yes", **plan)
        except WorkflowError as exc:
            session.rollback()
            result = None
            try:
                result = campaign_plans.forecast(session, campaign_id, **_plan(form))
            except WorkflowError:
                pass
            return _page(request, campaign, form, status_of(exc), result=result, error=error_message(request, exc))
        return RedirectResponse(f"/web/campaigns/{campaign_id}/what-if?done=1", status_code=303)

    return await run_in_threadpool(run)
