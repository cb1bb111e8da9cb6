"""What-if calendars of a campaign ("mô phỏng lịch đợt thi đua"): simulate a plan of dates against
the steps' SLAs on the working-day calendar (:mod:`workflow.what_if`), and accept a plan as the
campaign's calendar — an audited change (chain ``campaign:<id>``) that the statutory clock then
uses as each step's final date (service/transitions.py)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from sqlmodel import Session, func, select

from config.calendar import load_calendar
from config.catalogue import catalogue
from service import audit
from service.actors import Actor
from service.db import write_transaction
from service.errors import Conflict, Forbidden, InvalidInput, NotFound
from service.models import AuditEntry, Campaign, Cluster
from workflow.calendar import CalendarRangeError
from workflow.nomination import CLOCK_OF
from workflow.what_if import PlannedRoute, RouteForecast, simulate

PLANNERS = frozenset({"board_officer", "admin"})
KNOWN_STEPS = frozenset(CLOCK_OF.values())


def _campaign(session: Session, campaign_id: int, *, lock: bool = False) -> Campaign:
    campaign = session.get(Campaign, campaign_id, with_for_update=lock, populate_existing=lock)
    if campaign is None:
        raise NotFound(f"Không có đợt thi đua #{campaign_id}.", f"There is no campaign #{campaign_id}.")
    return campaign


def _check_calendar(campaign: Campaign, finals: dict[str, date]) -> None:
    unknown = sorted(set(finals) - KNOWN_STEPS)
    if unknown:
        raise InvalidInput(f"Không có bước {unknown}; các bước: {sorted(KNOWN_STEPS)}.",
                           f"Unknown steps {unknown}; the steps are {sorted(KNOWN_STEPS)}.")
    early = sorted(step for step, day in finals.items() if day < campaign.opens_on)
    if early:
        raise InvalidInput(f"Ngày của bước {early} trước ngày mở đợt ({campaign.opens_on:%d/%m/%Y}).",
                           f"The dates of {early} fall before the campaign opens ({campaign.opens_on.isoformat()}).")


def forecast(
    session: Session, campaign_id: int, *, finals: dict[str, date], cluster_starts: dict[str, date] | None = None,
    default_cluster_start: date | None = None, decide_by: date | None = None, awards: list[str] | None = None,
) -> dict[str, Any]:
    """Simulate the plan: every award's routes (one per cluster of the campaign's year on the
    cluster track), each step's end against the plan's date for it. Writes nothing."""
    campaign = _campaign(session, campaign_id)
    _check_calendar(campaign, finals)
    ruleset = catalogue().in_force(campaign.opens_on)
    chosen = [a for a in ruleset.awards if awards is None or a.code in awards]
    unknown = sorted(set(awards or ()) - {a.code for a in ruleset.awards})
    if unknown:
        raise InvalidInput(f"Không có hình thức {unknown} trong quy định {ruleset.version}.",
                           f"No awards {unknown} in rule set {ruleset.version}.")
    clusters = list(session.exec(select(Cluster).where(Cluster.year == campaign.year).order_by(Cluster.code)))
    starts = cluster_starts or {}
    stray = sorted(set(starts) - {c.code for c in clusters})
    if stray:
        raise InvalidInput(f"Không có cụm {stray} trong năm {campaign.year}.", f"No clusters {stray} in {campaign.year}.")
    filing = finals.get("filing", campaign.filing_deadline)
    routes = []
    for award in chosen:
        for track in sorted(award.routes):
            steps = tuple((s.value, ruleset.sla_days(award, s.value)) for s in award.route(track).steps)
            if track == "unit":
                routes.append(PlannedRoute(award.code, track, None, filing, steps))
            else:
                for cluster in clusters:
                    start = starts.get(cluster.code, default_cluster_start or campaign.opens_on)
                    routes.append(PlannedRoute(award.code, track, cluster.code, start, steps))
    try:
        result = simulate(load_calendar(), routes, {k: v for k, v in finals.items() if k != "filing"}, decide_by)
    except CalendarRangeError as exc:
        raise InvalidInput(f"Lịch ngày làm việc chưa có dữ liệu năm {exc.day.year}: {exc}.",
                           f"The working-day calendar has no data for {exc.day.year}: {exc}.") from None
    return _as_dict(campaign, finals, decide_by, result)


def _as_dict(campaign: Campaign, finals: dict[str, date], decide_by: date | None, result: list[RouteForecast]) -> dict[str, Any]:
    routes = [{
        "award_code": r.award_code, "track": r.track, "cluster": r.cluster, "misses": r.misses,
        "decided_on": r.decided_on.isoformat() if r.decided_on else None,
        "steps": [{**{k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(s).items()}, "misses": s.misses} for s in r.steps],
    } for r in result]
    missed = [r for r in routes if r["misses"]]
    return {
        "campaign": campaign.code, "plan": {k: v.isoformat() for k, v in sorted(finals.items())},
        "decide_by": decide_by.isoformat() if decide_by else None,
        "routes": routes, "routes_missing": len(missed),
        "steps_missing": sorted({s["step"] for r in routes for s in r["steps"] if s["misses"]}),
        "clusters_missing": sorted({r["cluster"] for r in missed if r["cluster"]}),
    }


def accept_plan(
    session: Session, campaign_id: int, *, actor: Actor, finals: dict[str, date], accept_misses: bool = False, **what_if: Any
) -> tuple[Campaign, dict[str, Any]]:
    """Make the plan the campaign's calendar (audited). A plan whose forecast misses a date is
    refused (409, with the forecast) unless ``accept_misses`` says the Board knowingly accepts it."""
    if actor.role.value not in PLANNERS:
        raise Forbidden("Chỉ Ban Thi đua – Khen thưởng hoặc quản trị được đặt lịch của đợt thi đua.",
                        f"Only the Board or an admin may set a campaign's calendar (your role: {actor.role.value}).")
    result = forecast(session, campaign_id, finals=finals, **what_if)
    if result["routes_missing"] and not accept_misses:
        error = Conflict(
            f"Theo mô phỏng, {result['routes_missing']} tuyến hồ sơ không kịp hạn (bước {', '.join(result['steps_missing'])}); "
            "điều chỉnh lịch, hoặc gửi accept_misses=true nếu vẫn chấp nhận.",
            f"The forecast has {result['routes_missing']} route(s) missing their dates (steps {', '.join(result['steps_missing'])}); "
            "adjust the plan, or send accept_misses=true to accept it anyway.")
        error.details = {"steps_missing": result["steps_missing"], "clusters_missing": result["clusters_missing"]}
        raise error
    session.commit()
    with write_transaction(session):
        campaign = _campaign(session, campaign_id, lock=True)
        old = dict(campaign.calendar or {})
        new = {k: v.isoformat() for k, v in sorted(finals.items())}
        changes: dict[str, Any] = {"old": old, "new": new, "routes_missing": result["routes_missing"], "accept_misses": accept_misses}
        if "filing" in finals and finals["filing"] != campaign.filing_deadline:
            changes["filing_deadline"] = {"old": campaign.filing_deadline.isoformat(), "new": finals["filing"].isoformat()}
            campaign.filing_deadline = finals["filing"]
        campaign.calendar = new
        session.add(campaign)
        chain = f"campaign:{campaign.id}"
        seq = session.exec(select(func.count()).select_from(AuditEntry).where(AuditEntry.chain == chain)).one() + 1
        audit.append(session, chain=chain, seq=seq, actor=actor, action="set_calendar", from_state=None, to_state=None,
                     payload=changes)
    return campaign, result
