"""Benchmark-only reference data: synthetic units, clusters, people and their title histories.

Nothing here goes to ``config/``: these are made-up units ("Đơn vị thử nghiệm") sized for the
workloads, bulk-inserted because they are the background, not what is measured. Nominations are
created through :func:`service.nominations.create_nomination` (the real path) unless a workload
says it bulk-inserts background rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from service.actors import Actor
from service.models import Campaign, Cluster, ClusterMember, InitiativeRecord, Nomination, Person, TitleRecord, Unit, User
from workflow.roles import Role

YEAR = 2026
TODAY = date(2026, 11, 22)  # rule set 2025.7 in force, as in the demo
CAMPAIGN = "BENCH-2026"


@dataclass
class Org:
    units: list[str] = field(default_factory=list)
    clusters: dict[int, list[str]] = field(default_factory=dict)  # cluster id -> member units (head first)
    people: dict[str, list[str]] = field(default_factory=dict)  # unit -> person codes

    def head_of(self, cluster_id: int) -> str:
        return self.clusters[cluster_id][0]


def unit_code(c: int, u: int) -> str:
    return f"BU{c:02d}_{u}"


def build_org(engine: Engine, *, clusters: int, units_per_cluster: int, people_per_unit: int) -> Org:
    """Units in clusters of ``units_per_cluster`` (the first heads, the second deputises), people with
    five Grassroots Emulation Fighter years, an earlier City certificate and a city-level initiative
    (eligible for BK_TP, CSTD_TP and BK_TTG), units with two Excellent Labour Collective years (BK_TP collective), one campaign."""
    org = Org()
    units = [unit_code(c, u) for c in range(clusters) for u in range(units_per_cluster)]
    with engine.begin() as conn:
        conn.execute(sa.insert(Unit.__table__), [  # type: ignore[attr-defined]
            dict(code=u, name_vi=f"Đơn vị thử nghiệm {u}", name_en=f"Benchmark unit {u}", kind="department", email=None)
            for u in units
        ])
        for c in range(clusters):
            members = [unit_code(c, u) for u in range(units_per_cluster)]
            cid = conn.execute(sa.insert(Cluster.__table__).returning(Cluster.__table__.c.id), dict(  # type: ignore[attr-defined]
                code=f"BCUM_{c:02d}", year=YEAR, name_vi=f"Cụm thi đua thử nghiệm {c}", name_en=f"Benchmark cluster {c}",
                head_unit=members[0], deputy_unit=members[1] if len(members) > 1 else None,
            )).scalar_one()
            conn.execute(sa.insert(ClusterMember.__table__), [dict(cluster_id=cid, unit_code=m) for m in members])  # type: ignore[attr-defined]
            org.clusters[cid] = members
        people = [
            dict(code=f"BP_{u}_{i}", full_name=f"Nguyễn Văn Thử {u} {i}", gender="Nam", birth_year=1980, unit_code=u,
                 position_vi="Chuyên viên", front_line=i % 3 == 0)
            for u in units for i in range(people_per_unit)
        ]
        ids = conn.execute(sa.insert(Person.__table__).returning(Person.__table__.c.id, Person.__table__.c.code), people).all() if people else []  # type: ignore[attr-defined]
        for pid, code in ids:
            org.people.setdefault(code.split("_")[1] + "_" + code.split("_")[2], []).append(code)
        titles = [dict(person_id=pid, unit_code=None, year=y, title="CSTD_CS", decision_ref=None) for pid, _ in ids for y in range(YEAR - 4, YEAR + 1)]
        titles += [dict(person_id=pid, unit_code=None, year=YEAR - 6, title="BK_TP", decision_ref=None) for pid, _ in ids]
        titles += [dict(person_id=None, unit_code=u, year=y, title="TTLDXS", decision_ref=None) for u in units for y in (YEAR - 1, YEAR)]
        for chunk in _chunks(titles, 5000):
            conn.execute(sa.insert(TitleRecord.__table__), chunk)  # type: ignore[attr-defined]
        initiatives = [dict(person_id=pid, year=YEAR - 1, title="Sáng kiến thử nghiệm", scope="city", certified=True) for pid, _ in ids]
        for chunk in _chunks(initiatives, 5000):
            conn.execute(sa.insert(InitiativeRecord.__table__), chunk)  # type: ignore[attr-defined]
        conn.execute(sa.insert(Campaign.__table__), dict(  # type: ignore[attr-defined]
            code=CAMPAIGN, name_vi="Đợt thi đua thử nghiệm 2026", kind="annual", year=YEAR,
            opens_on=date(YEAR, 1, 1), filing_deadline=date(YEAR + 1, 12, 31), calendar={},
        ))
    org.units = units
    return org


def add_users(engine: Engine, rows: Iterable[tuple[str, Role, str | None]]) -> None:
    """Accounts for the HTTP workloads; tokens are issued directly, so the hash is never checked."""
    now = datetime.now(timezone.utc)
    with engine.begin() as conn:
        conn.execute(sa.insert(User.__table__), [  # type: ignore[attr-defined]
            dict(username=name, full_name=name, email=None, password_hash="!bench", role=role.value, unit_code=unit,
                 active=True, created_at=now)
            for name, role, unit in rows
        ])


def submitter(unit: str) -> Actor:
    return Actor(name=f"bench.submitter.{unit}", role=Role.SUBMITTER, unit_code=unit)


def unit_head(unit: str) -> Actor:
    return Actor(name=f"bench.head.{unit}", role=Role.UNIT_HEAD, unit_code=unit)


def cluster_head(unit: str) -> Actor:
    return Actor(name=f"bench.cluster_head.{unit}", role=Role.CLUSTER_HEAD, unit_code=unit)


BOARD = Actor(name="bench.board", role=Role.BOARD_OFFICER)
APPROVER = Actor(name="bench.chairman", role=Role.APPROVER)


def create(session: Session, unit: str, award: str, *, person: str | None = None, collective: bool = False,
           track: str | None = None, facts: dict | None = None) -> int:
    from service.nominations import create_nomination

    n = create_nomination(
        session, actor=submitter(unit), award_code=award, campaign_code=CAMPAIGN, year=YEAR,
        person_code=None if collective else person, nominee_unit_code=unit if collective else None,
        track=track, achievements="Thành tích xuất sắc trong năm (dữ liệu thử nghiệm).", facts=facts, today=TODAY,
    )
    return n.id  # type: ignore[return-value]


def campaign_id(session: Session) -> int:
    return session.exec(select(Campaign.id).where(Campaign.code == CAMPAIGN)).one()  # type: ignore[return-value]


def _chunks(rows: list, size: int) -> Iterable[list]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def ceiling_copies(engine: Engine, like: list[int]) -> list[int]:
    """Copies of the nominations ``like`` as fresh rows for the ceiling's writes (workloads 1
    and 6): rows of their own, never walked by tdkt."""
    table = Nomination.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:
        rows = [dict(r._mapping) for r in conn.execute(sa.select(table).where(table.c.id.in_(like)).order_by(table.c.id))]
        for r in rows:
            r.pop("id")
            r["person_id"], r["nominee_unit_code"] = None, r["proposing_unit_code"]
            r["nominee_kind"] = "collective"  # its own nominee, so no duplicate of a tdkt row
        return [conn.execute(table.insert().values(**r).returning(table.c.id)).scalar_one() for r in rows]
