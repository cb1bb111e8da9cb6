"""Campaign summary ("tổng hợp đợt thi đua"): a table artifact per campaign for admins."""

from __future__ import annotations

from prefect import flow
from prefect.artifacts import create_table_artifact
from sqlmodel import Session, func, select

from service.db import default_engine
from service.models import Campaign, Nomination, OutboxMessage, utcnow
from workflow.nomination import FINAL_STATES, STATE_LABELS


def summarise(session: Session) -> dict[str, list[dict[str, object]]]:
    """Per campaign: counts by award and state, overdue items, reminders sent and failed."""
    now = utcnow()
    out: dict[str, list[dict[str, object]]] = {}
    for campaign in session.exec(select(Campaign).order_by(Campaign.code)):
        rows: list[dict[str, object]] = []
        counts = session.exec(
            select(Nomination.award_code, Nomination.state, func.count())
            .where(Nomination.campaign_id == campaign.id)
            .group_by(Nomination.award_code, Nomination.state)
            .order_by(Nomination.award_code, Nomination.state)
        ).all()
        for award, state, n in counts:
            rows.append({"award": award, "state": STATE_LABELS[state][0], "count": n})
        in_campaign = select(Nomination.id).where(Nomination.campaign_id == campaign.id)
        overdue = session.exec(
            select(func.count()).select_from(Nomination).where(
                Nomination.campaign_id == campaign.id, Nomination.due_at < now,  # type: ignore[operator]
                Nomination.state.not_in(sorted(FINAL_STATES)),  # type: ignore[attr-defined]
            )
        ).one()
        mail = dict(session.exec(
            select(OutboxMessage.status, func.count()).where(OutboxMessage.nomination_id.in_(in_campaign))  # type: ignore[union-attr]
            .group_by(OutboxMessage.status)
        ).all())
        rows.append({"award": "—", "state": "quá hạn / overdue", "count": overdue})
        rows.append({"award": "—", "state": "thư đã gửi / mail sent", "count": mail.get("sent", 0)})
        rows.append({"award": "—", "state": "thư lỗi / mail failed", "count": mail.get("failed", 0)})
        out[campaign.code] = rows
    return out


def statistics_tables(session: Session) -> dict[str, list[dict[str, object]]]:
    """Per campaign, the statistics the city reports (service.statistics): processing time per
    step against the SLA, then the shares of awards to front-line workers and small collectives."""
    from service.statistics import statistics

    out: dict[str, list[dict[str, object]]] = {}
    for campaign in session.exec(select(Campaign).order_by(Campaign.code)):
        data = statistics(session, campaign_id=campaign.id)
        rows: list[dict[str, object]] = [
            {"measure": f"bước / step {s['clock']}", "value": f"median {s['median_working_days']}, p90 {s['p90_working_days']}",
             "target": f"SLA {s['sla_working_days']}", "note": f"{s['over_sla']}/{s['count']} quá hạn / over"}
            for s in data["steps"]
        ]
        for key, share in data["shares"].items():
            if isinstance(share, dict):
                rows.append({"measure": key, "value": share["share"], "target": share["target"],
                             "note": f"{share['awards']}/{share['of']}"})
        rows.append({"measure": "trả lại / returns", "value": data["returns"]["total"], "target": None, "note": ""})
        out[campaign.code] = rows
    return out


def artifact_key(campaign_code: str) -> str:
    # Artifact keys: lowercase letters, digits and dashes only.
    return "campaign-" + "".join(c if c.isalnum() else "-" for c in campaign_code.lower())


@flow(name="campaign-summary", retries=1, retry_delay_seconds=60)
def campaign_summary() -> dict[str, int]:
    with Session(default_engine()) as session:
        tables = summarise(session)
        figures = statistics_tables(session)
    for code, rows in tables.items():
        create_table_artifact(key=artifact_key(code), table=rows, description=f"Tổng hợp đợt {code} / campaign summary")
    for code, rows in figures.items():
        create_table_artifact(key=artifact_key(code) + "-statistics", table=rows,
                              description=f"Thống kê đợt {code}: thời gian xử lý, tỷ lệ khen thưởng / statistics")
    return {code: len(rows) for code, rows in tables.items()}
