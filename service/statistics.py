"""Statistics of the awards ("thống kê, báo cáo"), per campaign, cluster, unit and year: counts by
award and state, processing time per step from the audit trail (median, 90th percentile, against
the SLA), returns and their reasons, and the shares of awards to front-line workers and small
collectives that the city reports on (config/statistics.yaml, with its citation)."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from sqlmodel import Session, func, select

from config.calendar import load_calendar
from config.settings import get_settings
from config.statistics import statistics_config
from service import audit
from service.models import AuditEntry, Nomination, Person, Unit
from service.transitions import award_of, ruleset_of
from workflow.nomination import CLOCK_OF, STATE_LABELS
from workflow.processing_time import days_per_clock, summarise

STANDING = ("awarded", "centrally_decided")
RETURN_ACTIONS = ("return_for_completion", "send_back")


def _scope(campaign_id: int | None, cluster_id: int | None, unit: str | None, year: int | None) -> list[Any]:
    where = []
    if campaign_id is not None:
        where.append(Nomination.campaign_id == campaign_id)
    if cluster_id is not None:
        where.append(Nomination.cluster_id == cluster_id)
    if unit is not None:
        where.append(Nomination.proposing_unit_code == unit)
    if year is not None:
        where.append(Nomination.year == year)
    return where


def statistics(session: Session, *, campaign_id: int | None = None, cluster_id: int | None = None, unit: str | None = None,
               year: int | None = None) -> dict[str, Any]:
    where = _scope(campaign_id, cluster_id, unit, year)
    nominations = list(session.exec(select(Nomination).where(*where).order_by(Nomination.id)))
    counts = session.exec(select(Nomination.award_code, Nomination.state, func.count()).where(*where)
                          .group_by(Nomination.award_code, Nomination.state).order_by(Nomination.award_code, Nomination.state)).all()
    return {
        "filters": {"campaign_id": campaign_id, "cluster_id": cluster_id, "unit": unit, "year": year},
        "nominations": len(nominations),
        "counts": [{"award_code": a, "state": s, "state_label_vi": STATE_LABELS[s][0], "count": n} for a, s, n in counts],
        **_time_and_returns(session, nominations),
        "shares": _shares(session, nominations),
    }


def _time_and_returns(session: Session, nominations: list[Nomination]) -> dict[str, Any]:
    calendar, tz = load_calendar(), get_settings().zone
    by_chain = {audit.nomination_chain(n.id): n for n in nominations}  # type: ignore[arg-type]
    trails: dict[str, list[AuditEntry]] = defaultdict(list)
    chains = list(by_chain)
    for start in range(0, len(chains), 500):  # bounded IN lists
        for e in session.exec(select(AuditEntry).where(AuditEntry.chain.in_(chains[start:start + 500]))  # type: ignore[attr-defined]
                              .order_by(AuditEntry.chain, AuditEntry.seq)):
            trails[e.chain].append(e)
    samples: dict[str, list[tuple[int, int]]] = defaultdict(list)
    reasons: Counter[tuple[str, str]] = Counter()
    for chain, entries in trails.items():
        n = by_chain[chain]
        spent = days_per_clock([(e.at, e.to_state) for e in entries], CLOCK_OF, calendar, tz)
        ruleset, award = ruleset_of(n), award_of(n)
        for clock, days in spent.items():
            if clock == "filing":
                continue  # the unit's own drafting time runs to the campaign's filing date, not an SLA
            samples[clock].append((days, ruleset.sla_days(award, clock)))
        for e in entries:
            if e.action in RETURN_ACTIONS:
                reasons[(e.action, (e.reason or "").strip())] += 1
    steps = []
    for clock in sorted(samples):
        s = summarise(clock, samples[clock])
        slas = sorted(sla for _, sla in samples[clock])
        steps.append({"clock": clock, "count": s.count, "median_working_days": s.median, "p90_working_days": s.p90,
                      "sla_working_days": slas[len(slas) // 2], "over_sla": s.over_sla, "share_over_sla": s.share_over_sla})
    returns = [{"action": a, "reason": r, "count": c} for (a, r), c in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))]
    return {"steps": steps, "returns": {"total": sum(reasons.values()), "by_reason": returns}}


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _shares(session: Session, nominations: list[Nomination]) -> dict[str, Any]:
    config = statistics_config()
    standing = [n for n in nominations if n.state in STANDING]
    individuals = [n for n in standing if n.person_id is not None]
    collectives = [n for n in standing if n.nominee_unit_code is not None]
    front = sum(bool(session.get(Person, n.person_id).front_line) for n in individuals)  # type: ignore[union-attr]
    small = sum((u := session.get(Unit, n.nominee_unit_code)) is not None and u.kind in config.small_collective_kinds for n in collectives)
    out = {}
    for key, part, whole, target in (("front_line_individuals", front, len(individuals), config.targets.front_line_individuals),
                                     ("small_collectives", small, len(collectives), config.targets.small_collectives)):
        share = _share(part, whole)
        out[key] = {"awards": part, "of": whole, "share": share, "target": target,
                    "met": None if share is None else share >= target}
    out["citation"] = config.citation
    out["target_to_confirm"] = config.confirm
    return out


def statistics_xlsx(data: dict[str, Any]) -> bytes:
    """The statistics as a workbook: one sheet per section."""
    from openpyxl import Workbook

    from service.nominee_import import workbook_bytes

    workbook = Workbook()
    sheets = [
        ("Số lượng", ["Mã hình thức", "Trạng thái", "Số hồ sơ"], [[c["award_code"], c["state_label_vi"], c["count"]] for c in data["counts"]]),
        ("Thời gian xử lý", ["Bước", "Số hồ sơ", "Trung vị (ngày làm việc)", "P90 (ngày làm việc)", "Thời hạn (ngày làm việc)", "Quá hạn", "Tỷ lệ quá hạn"],
         [[s["clock"], s["count"], s["median_working_days"], s["p90_working_days"], s["sla_working_days"], s["over_sla"], s["share_over_sla"]]
          for s in data["steps"]]),
        ("Trả lại", ["Thao tác", "Lý do", "Số lần"], [[r["action"], r["reason"], r["count"]] for r in data["returns"]["by_reason"]]),
        ("Tỷ lệ", ["Chỉ số", "Số khen thưởng", "Trên tổng", "Tỷ lệ", "Chỉ tiêu", "Đạt"],
         [[k, v["awards"], v["of"], v["share"], v["target"], v["met"]] for k, v in data["shares"].items() if isinstance(v, dict)]),
    ]
    for index, (title, headings, rows) in enumerate(sheets):
        ws = workbook.active if index == 0 else workbook.create_sheet()
        ws.title = title
        ws.append(headings)
        for row in rows:
            ws.append(row)
    workbook.create_sheet("Căn cứ").append([data["shares"]["citation"]])
    return workbook_bytes(workbook)
