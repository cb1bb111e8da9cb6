"""Ballots opened on schedule ("mở bỏ phiếu suy tôn theo lịch").

The cluster head fixes, ahead of time, when the honouring ballot opens (and closes) and what is on
the paper: :func:`schedule_ballot` checks the dates against the campaign calendar (the ballot
must be over by its ``cluster_ballot`` date, which is also the default close) and records the
schedule in the cluster year's audit chain. The deadline sweep calls :func:`open_due_ballots`:
each schedule whose ``opens_at`` has come is opened through :func:`service.ballots.open_ballot`
under the head's authority (the audit trail names it ``system:scheduled-open:<head unit>``), and
marked ``opened`` in the same transaction — so a second sweep, or two sweeps racing, open it
once. A schedule that can no longer open (scoring not closed, a candidate no longer eligible,
the window already over) is marked ``failed`` with the reason, for the head to see and act on.
The close at ``closes_at`` is the sweep's existing scheduled close.
"""

from __future__ import annotations

from datetime import date, datetime
from sqlmodel import Session, select

from config.settings import get_settings
from service import ballots
from service.actors import Actor
from service.cluster_cycle import KIND, WHAT_EN, WHAT_VI, cluster_of, require_head
from service.cycle_models import ClusterBallotSchedule, ClusterYear
from service.cycle_writes import load_locked, record
from service.db import write_transaction
from service.errors import Conflict, InvalidInput
from service.models import Campaign, utcnow
from service.transitions import end_of_day_utc
from workflow.errors import WorkflowError
from workflow.roles import Role

CALENDAR_KEY = "cluster_ballot"  # the campaign calendar's final date for cluster ballots


def schedule_ballot(
    session: Session,
    cy_id: int,
    *,
    actor: Actor,
    candidates: dict[str, list[str]],
    election: dict[str, list[str]] | None = None,
    opens_at: datetime,
    closes_at: datetime | None = None,
    now: datetime | None = None,
) -> ClusterBallotSchedule:
    """Schedule round 1 of the year's ballot to open at ``opens_at`` (and close at ``closes_at``,
    by default at the end of the campaign calendar's ``cluster_ballot`` date)."""
    now = now or utcnow()
    with write_transaction(session):
        cy = load_locked(session, ClusterYear, cy_id, what_vi=WHAT_VI, what_en=WHAT_EN)
        cluster = cluster_of(session, cy)
        require_head(actor, cluster)
        if not candidates and not election:
            raise InvalidInput("Lịch bỏ phiếu cần ít nhất một nội dung (suy tôn hoặc bầu Cụm trưởng, Cụm phó).",
                               "A scheduled ballot needs at least one question (an award or the election).")
        pending = session.exec(select(ClusterBallotSchedule.id).where(
            ClusterBallotSchedule.cluster_year_id == cy_id, ClusterBallotSchedule.state == "pending")).first()
        if pending is not None:
            raise Conflict(f"{cluster.name_vi} đã có lịch bỏ phiếu #{pending} đang chờ mở.",
                           f"{cluster.code} {cluster.year} already has ballot schedule #{pending} waiting to open.")
        campaign = session.get(Campaign, cy.campaign_id)
        final = (campaign.calendar or {}).get(CALENDAR_KEY) if campaign else None
        last = end_of_day_utc(date.fromisoformat(final)) if final else None
        closes_at = closes_at or last
        if opens_at <= now:
            raise InvalidInput("Thời điểm mở bỏ phiếu phải ở sau hiện tại.", "The ballot must open in the future.")
        if closes_at is not None and closes_at <= opens_at:
            raise InvalidInput("Thời điểm kết thúc bỏ phiếu phải ở sau thời điểm mở.", "The ballot must close after it opens.")
        if last is not None and closes_at is not None and closes_at > last:
            raise InvalidInput(
                f"Theo lịch đợt thi đua, bỏ phiếu suy tôn của Cụm phải xong trước hết ngày {date.fromisoformat(final):%d/%m/%Y}.",  # type: ignore[arg-type]
                f"The campaign calendar has cluster ballots done by {final}; close the ballot by then.",
            )
        schedule = ClusterBallotSchedule(cluster_year_id=cy_id, candidates={k: list(v) for k, v in candidates.items()},
                                         election={k: list(v) for k, v in (election or {}).items()}, opens_at=opens_at,
                                         closes_at=closes_at, scheduled_by=actor.name)
        session.add(schedule)
        session.flush()
        record(session, cy, kind=KIND, actor=actor, action="schedule_ballot", from_state=cy.state, now=now,
               payload={"schedule": schedule.id, "opens_at": opens_at.isoformat(),
                        "closes_at": closes_at.isoformat() if closes_at else None, "awards": schedule.candidates,
                        "election": schedule.election})
    return schedule


def due_schedules(session: Session, now: datetime) -> list[int]:
    return list(session.exec(
        select(ClusterBallotSchedule.id).where(ClusterBallotSchedule.state == "pending", ClusterBallotSchedule.opens_at <= now)  # type: ignore[arg-type]
        .order_by(ClusterBallotSchedule.opens_at)
    ))


def open_due_ballots(session: Session, now: datetime) -> tuple[list[int], list[tuple[int, str]]]:
    """Open every scheduled round whose time has come; returns (ballot ids opened, (schedule id, why) failed)."""
    opened: list[int] = []
    failed: list[tuple[int, str]] = []
    for schedule_id in due_schedules(session, now):
        with write_transaction(session):
            schedule = session.get(ClusterBallotSchedule, schedule_id, with_for_update=True, populate_existing=True)
            if schedule is None or schedule.state != "pending":  # another sweep got there first
                continue
            cy = session.get(ClusterYear, schedule.cluster_year_id)
            cluster = cluster_of(session, cy)  # type: ignore[arg-type]
            actor = Actor(name=f"system:scheduled-open:{cluster.head_unit}", role=Role.CLUSTER_HEAD, unit_code=cluster.head_unit)
            try:
                # Joins this transaction under a savepoint: a refusal undoes the opening only.
                ballot = ballots.open_ballot(session, schedule.cluster_year_id, actor=actor, candidates=schedule.candidates,
                                             election=schedule.election or None, closes_at=schedule.closes_at,
                                             today=now.astimezone(get_settings().zone).date())
            except WorkflowError as exc:
                schedule.state, schedule.error = "failed", f"{exc.message_vi} / {exc.message_en}"
                failed.append((schedule_id, exc.message_en))
            else:
                schedule.state, schedule.ballot_id = "opened", ballot.id
                opened.append(ballot.id)  # type: ignore[arg-type]
            schedule.done_at = now
            session.add(schedule)
    return opened, failed

