"""Award quotas as a ledger ("chỉ tiêu khen thưởng"), e.g. one City Emulation Flag per cluster
a year.

A :class:`~service.cycle_models.QuotaLedger` row per (award, cluster-year) holds the capacity
from the catalogue (``quota:`` of the award, with its citation); a
:class:`~service.cycle_models.QuotaUse` row per proposed nomination uses one place. A use is
taken when the cluster proposes the nomination — when it enters *cluster-endorsed* through
``service.nominations.record_cluster_result`` — and stops counting if that nomination later
ends without an award (withdrawn, not awarded, expired), so the cluster may propose another.
A nomination that was awarded, forwarded, or rejected or revoked after a decision keeps its
place: the year's quota was spent on it.

Races: :func:`reserve` locks the ledger row (``SELECT … FOR UPDATE``; created with ``INSERT …
ON CONFLICT DO NOTHING`` first, so two first proposals cannot create two ledgers) before
counting, so concurrent proposals queue on the row and the last one in sees every earlier use.
On SQLite, ``BEGIN IMMEDIATE`` already serialises writers.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from config.catalogue import Award, catalogue
from service.actors import Actor
from service.cycle_models import QuotaLedger, QuotaUse
from service.errors import InvalidInput, QuotaExceeded
from service.models import Cluster, Nomination, utcnow
from workflow.nomination import STATE_LABELS

# A nomination in one of these states no longer holds a place in the quota.
RELEASING_STATES: frozenset[str] = frozenset({"withdrawn", "not_awarded", "expired"})


@dataclass(frozen=True)
class QuotaStatus:
    award_code: str
    cluster_id: int
    capacity: int
    citation: str
    uses: list[dict]  # {"nomination_id", "nominee", "state"} of the places taken

    @property
    def remaining(self) -> int:
        return max(0, self.capacity - len(self.uses))


def _ledger(session: Session, award: Award, ruleset_version: str, cluster_id: int) -> QuotaLedger:
    """The ledger row, created if missing, locked until the end of the transaction."""
    key = {"award_code": award.code, "scope": award.quota.per, "scope_id": cluster_id}  # type: ignore[union-attr]
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(
        insert(QuotaLedger.__table__)  # type: ignore[attr-defined]
        .values(**key, capacity=award.quota.count, citation=award.quota.citation,  # type: ignore[union-attr]
                ruleset_version=ruleset_version, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["award_code", "scope", "scope_id"])
    )
    return session.exec(
        select(QuotaLedger)
        .where(QuotaLedger.award_code == award.code, QuotaLedger.scope == key["scope"], QuotaLedger.scope_id == cluster_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _uses(session: Session, ledger_id: int) -> list[dict]:
    rows = session.exec(
        select(Nomination.id, Nomination.nominee_name, Nomination.state)
        .join(QuotaUse, QuotaUse.nomination_id == Nomination.id)
        .where(QuotaUse.ledger_id == ledger_id, Nomination.state.not_in(sorted(RELEASING_STATES)))  # type: ignore[attr-defined]
        .order_by(Nomination.id)
    ).all()
    return [{"nomination_id": i, "nominee": name, "state": state} for i, name, state in rows]


def status(session: Session, award_code: str, ruleset_version: str, cluster_id: int, *, lock: bool = True) -> QuotaStatus | None:
    """The quota of ``award_code`` for the cluster-year and what uses it; ``None`` if the award has
    no quota. With ``lock`` (the default) the ledger stays locked until the caller commits."""
    award = catalogue().version(ruleset_version).award(award_code)
    if award.quota is None:
        return None
    if lock:
        ledger = _ledger(session, award, ruleset_version, cluster_id)
        capacity, citation, uses = ledger.capacity, ledger.citation, _uses(session, ledger.id)  # type: ignore[arg-type]
    else:
        ledger = session.exec(
            select(QuotaLedger).where(QuotaLedger.award_code == award_code, QuotaLedger.scope_id == cluster_id)
        ).first()
        capacity = ledger.capacity if ledger else award.quota.count
        citation = ledger.citation if ledger else award.quota.citation
        uses = _uses(session, ledger.id) if ledger else []  # type: ignore[arg-type]
    return QuotaStatus(award_code, cluster_id, capacity, citation, uses)


def reserve(session: Session, nomination: Nomination, actor: Actor) -> QuotaUse | None:
    """Take a place in the quota for ``nomination``, or refuse with :class:`QuotaExceeded` naming
    the quota and the nominations that hold it. Runs inside the caller's write transaction."""
    award = catalogue().version(nomination.ruleset_version).award(nomination.award_code)
    if award.quota is None:
        return None
    if award.quota.per == "cluster" and nomination.cluster_id is None:
        raise InvalidInput(
            f"Hồ sơ #{nomination.id} không thuộc Cụm thi đua nào nên không tính được chỉ tiêu «{award.name_vi}».",
            f"Nomination #{nomination.id} belongs to no cluster, so the {award.name_en} quota cannot apply.",
        )
    ledger = _ledger(session, award, nomination.ruleset_version, nomination.cluster_id)  # type: ignore[arg-type]
    held = session.exec(select(QuotaUse).where(QuotaUse.nomination_id == nomination.id)).first()
    if held is not None:
        return held
    uses = _uses(session, ledger.id)  # type: ignore[arg-type]
    if len(uses) >= ledger.capacity:
        cluster = session.get(Cluster, nomination.cluster_id)
        raise exceeded(award, cluster, ledger.capacity, ledger.citation, uses, nomination.nominee_name)  # type: ignore[arg-type]
    use = QuotaUse(ledger_id=ledger.id, nomination_id=nomination.id, reserved_by=actor.name)  # type: ignore[arg-type]
    session.add(use)
    return use


def exceeded(award: Award, cluster: Cluster, capacity: int, citation: str, uses: list[dict], nominee: str) -> QuotaExceeded:
    used_vi = "; ".join(f"hồ sơ #{u['nomination_id']} {u['nominee']} ({STATE_LABELS[u['state']][0]})" for u in uses) or "—"
    used_en = "; ".join(f"#{u['nomination_id']} {u['nominee']} ({STATE_LABELS[u['state']][1]})" for u in uses) or "—"
    return QuotaExceeded(
        f"Vượt chỉ tiêu: «{award.name_vi}» của {cluster.name_vi} năm {cluster.year} có chỉ tiêu {capacity} ({citation}), "
        f"đã dùng {len(uses)}: {used_vi}. Không thể đề nghị thêm «{nominee}».",
        f"Over quota: the {award.name_en} for {cluster.name_en} in {cluster.year} has a quota of {capacity} ({citation}), "
        f"{len(uses)} used by: {used_en}. {nominee} cannot be proposed as well.",
        capacity=capacity,
        uses=uses,
    )
