"""``tdkt demo load``: the Hà Nội demo, written through the same actions as real use.

Organisation, people and title histories come from ``config/org`` and ``config/demo``; the
nominations in ``config/demo/nominations.yaml`` are created and driven step by step through the
service actions, so their audit trails, deadlines and outbox messages are genuine.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlmodel import Session, select

from config.demo_data import load_collective_titles, load_demo_people
from config.org import load_org
from config.yamlfiles import DATA_DIR, parse, read_yaml
from service import nominations as actions
from service.actors import Actor
from service.db import write_transaction
from service.models import (
    Campaign,
    Cluster,
    ClusterMember,
    InitiativeRecord,
    Nomination,
    Person,
    TitleRecord,
    Unit,
)
from workflow.nomination import CLOCK_OF
from workflow.roles import EVENT_ROLES, Role

DEMO_FILE = DATA_DIR / "demo" / "nominations.yaml"
USERS_FILE = DATA_DIR / "demo" / "users.yaml"
# Every demo account has this password (development only; listed in the README).
DEMO_PASSWORD = "tdkt-demo-2026"
# The demo's story is set on this day (campaign TK-2026 open, rule set 2025.7 in force), so the
# demo loads the same way whenever it is run; audit timestamps are still the real time.
DEMO_TODAY = date(2026, 11, 22)
# When an event may be fired by several roles, the demo acts as the first of these it finds.
_ROLE_PREFERENCE = (Role.SUBMITTER, Role.UNIT_HEAD, Role.CLUSTER_HEAD, Role.BOARD_OFFICER, Role.APPROVER)


class DemoCampaign(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str
    name_vi: str
    kind: str
    year: int
    opens_on: date
    filing_deadline: date
    # Final dates per clock (see workflow.nomination.CLOCK_OF), e.g. {"cluster_ballot": 2027-01-10}.
    calendar: dict[str, date] = Field(default_factory=dict)

    @field_validator("calendar")
    @classmethod
    def _known_clocks(cls, calendar: dict[str, date]) -> dict[str, date]:
        unknown = set(calendar) - set(CLOCK_OF.values())
        if unknown:
            raise ValueError(f"unknown step {sorted(unknown)}; known: {sorted(set(CLOCK_OF.values()))}")
        return calendar


class DemoNomination(BaseModel):
    model_config = ConfigDict(extra="forbid")
    award: str
    campaign: str
    person: str | None = None
    unit: str | None = None
    track: str | None = None
    achievements: str = ""
    steps: list[str | dict[str, dict[str, Any]]] = Field(default_factory=list)


class DemoUser(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str
    full_name: str
    role: str
    unit: str | None = None
    email: str | None = None


class DemoUsers(BaseModel):
    model_config = ConfigDict(extra="forbid")
    users: list[DemoUser]


class DemoFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    campaigns: list[DemoCampaign]
    nominations: list[DemoNomination]


def load_demo(session: Session, today: date | None = None) -> str:
    if session.exec(select(Unit)).first() is not None:
        return "demo data already loaded (the database is not empty); nothing changed"
    demo = load_reference_data(session)
    load_demo_users(session)
    for spec in demo.nominations:
        drive(session, spec, today or DEMO_TODAY)
    from service.cycle_demo import load_cycle_demo

    cycle = load_cycle_demo(session)  # the cluster year and council session in progress
    count = len(session.exec(select(Nomination.id)).all())
    return f"demo loaded: {count} nominations, {len(load_org().units)} units, {len(load_demo_people())} people; {cycle}"


def load_reference_data(session: Session) -> DemoFile:
    """Units, clusters, people with their histories and the demo campaigns, committed."""
    demo = parse(DemoFile, read_yaml(DEMO_FILE), file=DEMO_FILE, entry="(file)")
    with write_transaction(session):
        _load_org(session)
        _load_people(session)
        for c in demo.campaigns:
            session.add(Campaign(**c.model_dump(exclude={"calendar"}), calendar=c.model_dump(mode="json")["calendar"]))
    return demo


def load_demo_users(session: Session) -> list[str]:
    """One account per role (see config/demo/users.yaml), all with :data:`DEMO_PASSWORD`."""
    from service.users import create_user

    spec = parse(DemoUsers, read_yaml(USERS_FILE), file=USERS_FILE, entry="(file)")
    for u in spec.users:
        create_user(session, username=u.username, password=DEMO_PASSWORD, role=u.role, full_name=u.full_name,
                    unit_code=u.unit, email=u.email)
    return [u.username for u in spec.users]


def _load_org(session: Session) -> None:
    org = load_org()
    for unit in org.units.values():
        session.add(Unit(code=unit.code, name_vi=unit.name_vi, name_en=unit.name_en, kind=unit.kind, email=unit.email))
    session.flush()
    for cy in org.clusters:
        cluster = Cluster(
            code=cy.code, year=cy.year, name_vi=cy.name_vi, name_en=cy.name_en, head_unit=cy.head, deputy_unit=cy.deputy
        )
        session.add(cluster)
        session.flush()
        for member in cy.members:
            session.add(ClusterMember(cluster_id=cluster.id, unit_code=member))  # type: ignore[arg-type]


def _load_people(session: Session) -> None:
    for p in load_demo_people():
        person = Person(
            code=p.code, full_name=p.full_name, gender=p.gender, birth_year=p.birth_year, unit_code=p.unit,
            position_vi=p.position_vi, front_line=p.front_line,
        )
        session.add(person)
        session.flush()
        for t in p.titles:
            session.add(TitleRecord(person_id=person.id, year=t.year, title=t.title))
        for i in p.initiatives:
            session.add(InitiativeRecord(person_id=person.id, year=i.year, title=i.title_vi, scope=i.scope, certified=i.certified))
    for ct in load_collective_titles():
        session.add(TitleRecord(unit_code=ct.unit, year=ct.year, title=ct.title))


def _actor_for(session: Session, event: str, nomination: Nomination) -> Actor:
    role = next(r for r in _ROLE_PREFERENCE if r in EVENT_ROLES[event])
    unit = None
    if role in (Role.SUBMITTER, Role.UNIT_HEAD):
        unit = nomination.proposing_unit_code
    elif role is Role.CLUSTER_HEAD:
        unit = session.get(Cluster, nomination.cluster_id).head_unit  # type: ignore[union-attr]
    return Actor(name=f"demo.{role.value}" + (f".{unit}" if unit else ""), role=role, unit_code=unit)


def drive(session: Session, spec: DemoNomination, today: date = DEMO_TODAY) -> Nomination:
    """Create the nomination described by ``spec`` and fire its steps, each as the right role."""
    home_unit = spec.unit
    if spec.person:
        home_unit = session.exec(select(Person.unit_code).where(Person.code == spec.person)).one()
    creator = Actor(name=f"demo.submitter.{home_unit}", role=Role.SUBMITTER, unit_code=home_unit)
    year = session.exec(select(Campaign.year).where(Campaign.code == spec.campaign)).one()
    nomination = actions.create_nomination(
        session, actor=creator, award_code=spec.award, campaign_code=spec.campaign, year=year,
        person_code=spec.person, nominee_unit_code=spec.unit, track=spec.track, achievements=spec.achievements, today=today,
    )
    for step in spec.steps:
        event, kwargs = (step, {}) if isinstance(step, str) else next(iter(step.items()))
        getattr(actions, event)(session, nomination.id, actor=_actor_for(session, event, nomination), **kwargs)
    return nomination
