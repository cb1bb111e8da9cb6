"""The authorization matrix of the cluster-year and council-session routes: every such route ×
every demo account (plus anonymous) × (own scope / other scope), each cell's expected status
generated from ``POLICY`` (tests/e2e/test_authorization_matrix.py, which also fails for a route
without a row) and the scope rules below — nothing hand-picked per cell.

* Targets: the demo's year of Cluster 7 (the cluster of the demo's cluster accounts) and the 2026
  year of Cluster 6 (started here through the service), both driven through the service to the
  stage a row needs; the demo's council session likewise (scheduled → open → closed). For each
  account "own" is the first target it may see and "other" the first it may not (for the city's
  roles, the other cluster).
* The head's steps (``/actions/{action}``) get one row each; a row's stage is the first stage of
  the year where the machine enables the step (:mod:`workflow.cluster_year` with the facts the
  service gives it), so the head's cell is the success status there, or 409 where no reachable
  stage allows it.
* Expected: anonymous → 401; scheduling a session (a collection's POST) → the role decides (201
  or 403); out of scope → 404 (a cluster role of another cluster, a unit role,
  anyone but the city's roles for a council session); in scope without the function → 403;
  else the route's success status. Lists: 200, with the target listed only if in scope.

Refused cells must change nothing (row counts of every table, the versions of nominations,
cluster years and council sessions); a cell that changed the database is followed by a restore.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from config.council import council_of
from config.pledges import pledge_for
from config.yamlfiles import read_yaml
from service import ballots, council
from service import cluster_cycle as cycle
from service.actors import Actor
from service.cycle_demo import CYCLE_FILE
from service.cycle_models import ClusterScore, CouncilSession
from service.demo import DEMO_PASSWORD, DemoUser
from service.models import Cluster, ClusterMember
from tests.e2e.conftest import demo_users, tables
from tests.e2e.test_authorization_matrix import Cell, Row, Rule, _check_error_body, matrix_rows, plans, prepare, render
from workflow import cluster_year as year_machine
from workflow.roles import EVENT_ROLES, Role

YEAR, CAMPAIGN = 2026, "TK-2026"
CLUSTERS = ("CUM_7", "CUM_6")
CITY_ROLES = frozenset({"board_officer", "council_member", "approver", "admin"})
CLUSTER_ROLES = frozenset({"cluster_head", "cluster_member"})
MANAGERS = frozenset({"board_officer", "admin"})
# Who runs a council session (domain.md §2: the Board "prepares council sessions"; admin is a system
# operator and records no council result): the Board's officer alone.
RUNNERS = frozenset({"board_officer"})
STARTED = "CUM_6"  # the cluster whose year POST /cluster-years starts (at the "unstarted" stage)
REASON = "Điều chỉnh trong kiểm thử ma trận phân quyền."

# The stages of the year reachable from the demo (Cluster 7 is at scoring, four of six scored),
# with the state and the facts the service would give the machine there.
YEAR_STAGES: dict[str, tuple[str, dict[str, int]]] = {
    "scoring_open": ("scoring_open", {"unscored": 2, "undecided": 0}),
    "all_scored": ("scoring_open", {"unscored": 0, "undecided": 0}),
    "scoring_closed": ("scoring_closed", {"unscored": 0, "undecided": 0}),
    "ballot_open": ("ballot_open", {"unscored": 0, "undecided": 0}),
    "ballot_closed": ("ballot_closed", {"unscored": 0, "undecided": 2}),  # a round without quorum leaves both offices open
}
COUNCIL_STAGES = ("scheduled", "open", "closed")


@functools.cache
def step_stage(step: str) -> str:
    """The first reachable stage where the machine enables the head's step (else the demo's)."""
    return next((stage for stage, (state, facts) in YEAR_STAGES.items() if step in year_machine.enabled_events(state, **facts)),
                "scoring_open")


def step_allowed(step: str, stage: str) -> bool:
    state, facts = YEAR_STAGES[stage]
    return step in year_machine.enabled_events(state, **facts)


@dataclass(frozen=True)
class Target:
    kind: str  # cluster_year | council_session
    key: str  # cluster code, or "council"
    members: frozenset[str] = frozenset()
    heads: frozenset[str] = frozenset()
    peers_review: bool = False


def sees(user: DemoUser, t: Target) -> bool:
    if user.role in CITY_ROLES:
        return True
    return t.kind == "cluster_year" and user.role in CLUSTER_ROLES and user.unit in t.members


def may(user: DemoUser, rule: Rule, t: Target, reviewed: str | None) -> bool:
    if rule.who is None:
        return True
    if rule.who == "head":
        return user.role == "cluster_head" and user.unit in t.heads
    if rule.who == "voter":
        return user.role in CLUSTER_ROLES and user.unit in t.members
    if rule.who == "reviewer":
        head = user.role == "cluster_head" and user.unit in t.heads
        peer = t.peers_review and user.role in CLUSTER_ROLES and user.unit in t.members
        return user.unit != reviewed and (head or peer)
    if rule.who == "manager":
        return user.role in MANAGERS
    if rule.who == "runner":  # opening, arrivals, closing (which records each nomination's result): the Board's officer
        return user.role in RUNNERS and Role(user.role) in EVENT_ROLES["record_council_result"]
    if rule.who == "starter":  # starting a year: the Board, or the head or deputy of the cluster started (no demo account)
        return user.role in MANAGERS or user.role == "cluster_head" and t.key == STARTED and user.unit in t.heads
    if rule.who == "council_voter":
        return user.role == "council_member" and user.username in {m.username for m in council_of(YEAR).members}  # type: ignore[union-attr]
    raise AssertionError(rule.who)


def expected(rule: Rule, user: DemoUser | None, t: Target, step: str | None, reviewed: str | None) -> str:
    if user is None:
        return "401"
    if rule.lists:
        return "200+" if sees(user, t) else "200-"
    if rule.creates:  # a collection's POST: no target to be out of scope of, only the role counts
        return str(rule.success) if may(user, rule, t, reviewed) else "403"
    if not sees(user, t):
        return "404"
    if not may(user, rule, t, reviewed):
        return "403"
    if step is not None and not step_allowed(step, step_stage(step)):
        return "409"
    return str(rule.success)


def stage_of(row: Row) -> str | None:
    return step_stage(row.event) if row.rule.steps else row.rule.stage  # type: ignore[arg-type]


# --- preparing the targets through the service ---------------------------------------------------


def _member(unit: str) -> Actor:
    return Actor(f"e2e.cluster_member.{unit}", Role.CLUSTER_MEMBER, unit)


def _members(s: Session, cluster: Cluster) -> list[str]:
    return sorted(s.exec(select(ClusterMember.unit_code).where(ClusterMember.cluster_id == cluster.id)))


def _score(s: Session, cy_id: int, unit: str) -> None:
    spec = read_yaml(CYCLE_FILE)["cluster_year"]["scores"][0]
    pledge = cycle.pledge_of(cycle.find_cluster_year(s, cycle.cluster_of(s, s.get(cycle.ClusterYear, cy_id)).code, YEAR))  # type: ignore[arg-type]
    evidence = {c.code: f"{c.evidence_vi} (ma trận)" for c in pledge.criteria if c.code in spec["criteria"]}
    cycle.submit_self_score(s, cy_id, actor=_member(unit), criteria=spec["criteria"], bonus=spec["bonus"], penalty=spec["penalty"],
                            gates=spec["gates"], evidence=evidence)


def drive_year(engine: Engine, code: str, stage: str) -> None:
    """The cluster's 2026 year at ``stage``: started and scored (all but two units) if missing;
    at ``unstarted`` only the demo's own year (Cluster 7) exists."""
    if stage == "unstarted":
        return
    with Session(engine, expire_on_commit=False) as s:
        cluster = s.exec(select(Cluster).where(Cluster.code == code, Cluster.year == YEAR)).one()
        head = Actor(f"e2e.cluster_head.{cluster.head_unit}", Role.CLUSTER_HEAD, cluster.head_unit)
        members = _members(s, cluster)
        cy = cycle.find_cluster_year(s, code, YEAR)
        if cy is None:
            cy = cycle.start_cluster_year(s, actor=head, cluster_code=code, year=YEAR, campaign_code=CAMPAIGN)
            cycle.sign_pledge(s, cy.id, actor=head, signed_on=date(2026, 3, 20))  # type: ignore[arg-type]
            cycle.review_mid_year(s, cy.id, actor=head, held_on=date(2026, 9, 8), summary="Sơ kết 6 tháng (ma trận phân quyền).")  # type: ignore[arg-type]
            cycle.open_scoring(s, cy.id, actor=head)  # type: ignore[arg-type]
            for unit in members[:-2]:
                _score(s, cy.id, unit)  # type: ignore[arg-type]
        order = list(YEAR_STAGES)
        if order.index(stage) >= 1:
            scored = set(cycle_reads_scored(s, cy.id))  # type: ignore[arg-type]
            for unit in members:
                if unit not in scored:
                    _score(s, cy.id, unit)  # type: ignore[arg-type]
        if order.index(stage) >= 2:
            cycle.close_scoring(s, cy.id, actor=head)  # type: ignore[arg-type]
        if order.index(stage) >= 3:
            ballot = ballots.open_ballot(s, cy.id, actor=head, candidates={}, election=election(members))  # type: ignore[arg-type]
        if order.index(stage) >= 4:
            ballots.close_ballot(s, ballot.id, actor=head)  # type: ignore[arg-type]


def cycle_reads_scored(s: Session, cy_id: int) -> list[str]:
    return list(s.exec(select(ClusterScore.unit_code).where(ClusterScore.cluster_year_id == cy_id)))


def election(members: list[str]) -> dict[str, list[str]]:
    return {"head": [members[0]], "deputy": [members[1]]}


def council_session_id(engine: Engine) -> int:
    with Session(engine) as s:
        return s.exec(select(CouncilSession.id)).one()  # type: ignore[return-value]


def drive_council(engine: Engine, stage: str) -> int | None:
    """The demo's session at ``stage``; at *scheduled*, a nomination at the council not yet on
    its agenda (returned) for the agenda row."""
    sid = council_session_id(engine)
    board = Actor("e2e.board_officer", Role.BOARD_OFFICER)
    if stage == "scheduled":
        with Session(engine) as s:
            target = plans(s, "record_council_result", "SO_YT")[0]
        return prepare(engine, target, with_attachment=False)[0]
    with Session(engine, expire_on_commit=False) as s:
        council.open_session(s, sid, actor=board, present=[m.code for m in council_of(YEAR).members])  # type: ignore[union-attr]
        if stage == "closed":
            council.close_session(s, sid, actor=board)
    return None


class CycleWorld:
    def __init__(self, engine: Engine, restore: Callable[[], None]) -> None:
        self.engine, self._restore = engine, restore
        self.at: tuple[str, str] | None = None
        self.fresh_nomination: int | None = None

    def settle(self, kind: str, stage: str) -> None:
        if self.at == (kind, stage):
            return
        self._restore()
        if kind == "cluster_year":
            for code in CLUSTERS:
                drive_year(self.engine, code, stage)
        else:
            self.fresh_nomination = drive_council(self.engine, stage)
        self.at = (kind, stage)

    def spoil(self) -> None:
        self.at = None  # the database changed: prepare again before the next cell


def targets(engine: Engine, kind: str) -> list[Target]:
    if kind == "council_session":
        return [Target("council_session", "council")]
    out = []
    with Session(engine) as s:
        for code in CLUSTERS:
            cluster = s.exec(select(Cluster).where(Cluster.code == code, Cluster.year == YEAR)).one()
            peers = pledge_for(code, YEAR).pledge.regulation.cross_check == "peers"
            out.append(Target("cluster_year", code, frozenset(_members(s, cluster)),
                              frozenset(u for u in (cluster.head_unit, cluster.deputy_unit) if u), peers))
    return out


def reviewed_unit(engine: Engine, t: Target) -> str | None:
    """The unit a cross-check row reviews: the first that has self-scored."""
    if t.kind != "cluster_year":
        return None
    with Session(engine) as s:
        cy = cycle.find_cluster_year(s, t.key, YEAR)
        return min(cycle_reads_scored(s, cy.id)) if cy else None  # type: ignore[arg-type]


def request_for(row: Row, t: Target, world: CycleWorld, reviewed: str | None) -> tuple[str, str, dict[str, Any]]:
    path, kwargs = row.path, {}
    members = sorted(t.members)
    if t.kind == "cluster_year":
        path = (path.replace("{cluster}", t.key).replace("{year}", str(YEAR)).replace("{round_no}", "1")
                .replace("{unit}", reviewed or "X").replace("{award}", "CO_TD_TP"))
        if row.event:
            path = path.replace("{action}", row.event)
            kwargs["json"] = {"sign_pledge": {"signed_on": "2026-03-20"},
                              "review_mid_year": {"held_on": "2026-09-08", "summary": "Sơ kết (ma trận)."}}.get(row.event, {})
        elif path.endswith("/scores"):
            spec = read_yaml(CYCLE_FILE)["cluster_year"]["scores"][0]
            kwargs["json"] = {k: spec[k] for k in ("criteria", "bonus", "penalty", "gates")} | {
                "evidence": {c: "Báo cáo tổng kết năm 2026" for c in spec["criteria"]}}
        elif path.endswith("/review"):
            kwargs["json"] = {"adjustments": {"I.4": 8}, "reason": REASON}
        elif row.method == "POST" and path.endswith("/ballots"):
            kwargs["json"] = {"election": election(members)}
        elif path.endswith("/votes"):
            kwargs["json"] = {"head": members[0], "deputy": members[1]}
        elif row.rule.creates:
            kwargs["json"] = {"cluster": STARTED, "year": YEAR, "campaign": CAMPAIGN}
        elif row.method == "POST" and path.endswith("/ballot-schedule"):
            kwargs["json"] = {"election": election(members), "opens_at": "2026-12-20T08:00:00+07:00"}
    else:
        sid = council_session_id(world.engine)
        path = path.replace("{session_id}", str(sid))
        if "{nomination_id}" in path:
            with Session(world.engine) as s:
                path = path.replace("{nomination_id}", str(council.agenda(s, sid)[0].nomination_id))
        if row.rule.creates:
            kwargs["json"] = {"year": YEAR, "title_vi": "Phiên họp bổ sung (ma trận phân quyền)", "scheduled_on": "2026-12-20"}
        elif path.endswith("/sign-minutes"):
            kwargs["json"] = {"signed_by": "Trần Văn Khải"}
        elif path.endswith("/agenda"):
            kwargs["json"] = {"nomination_id": world.fresh_nomination}
        elif path.endswith("/remove"):
            kwargs["json"] = {"reason": REASON}
        elif path.endswith("/arrivals"):
            kwargs["json"] = {"member": council_of(YEAR).members[-1].code}  # type: ignore[union-attr]
        elif path.endswith("/open"):
            kwargs["json"] = {"present": [m.code for m in council_of(YEAR).members]}  # type: ignore[union-attr]
        elif path.endswith("/votes"):
            with Session(world.engine) as s:
                kwargs["json"] = {"choices": {str(i.nomination_id): "yes" for i in council.agenda(s, sid)}}
    if row.rule.lists:
        kwargs["params"] = {"limit": 200}
    return row.method, path, kwargs


def listed(response: Any, t: Target, engine: Engine) -> bool:
    items = response.json()["items"]
    if t.kind == "cluster_year":
        return (t.key, YEAR) in [(i["cluster"], i["year"]) for i in items]
    return council_session_id(engine) in [i["id"] for i in items]


def _fingerprint(engine: Engine, names: list[str]) -> tuple[int, ...]:
    parts = [f"(SELECT COUNT(*) FROM {name})" for name in names if name != "login_attempts"]
    parts += [f"(SELECT COALESCE(SUM(version), 0) FROM {t})" for t in ("nominations", "cluster_years", "council_sessions")]
    with engine.connect() as conn:
        return tuple(conn.execute(text("SELECT " + ", ".join(parts))).one())


def test_cycle_authorization_matrix(client: TestClient, demo_engine: Engine, restore: Callable[[], None]) -> None:
    rows = [r for r in matrix_rows(client.app) if r.rule.cycle is not None]
    assert rows, "the policy has cluster-year and council rows"
    users = demo_users()
    accounts: list[DemoUser | None] = [*users, None]
    names = [u.username if u else "anon" for u in accounts]
    tokens = {}
    for u in users:
        r = client.post("/auth/token", data={"username": u.username, "password": DEMO_PASSWORD})
        assert r.status_code == 200, r.text
        tokens[u.username] = {"Authorization": f"Bearer {r.json()['access_token']}"}
    world = CycleWorld(demo_engine, restore)
    table_names = [t.name for t in tables(demo_engine)]
    pools = {kind: targets(demo_engine, kind) for kind in ("cluster_year", "council_session")}
    cells: list[Cell] = []

    def targets_for(user: DemoUser | None, pool: list[Target]) -> list[tuple[str, Target]]:
        if user is None:
            return [("-", pool[0])]
        own = next((t for t in pool if sees(user, t)), None)
        other = next((t for t in pool if not sees(user, t)), None)
        if other is None and own is not None:
            other = next((t for t in pool if t.key != own.key), None)
        return [(scope, t) for scope, t in (("own", own), ("other", other)) if t is not None]

    for row in rows:
        kind = row.rule.cycle
        stage = stage_of(row) or ("scoring_open" if kind == "cluster_year" else "scheduled")
        world.settle(kind, stage)  # type: ignore[arg-type]
        reviewed = {t.key: reviewed_unit(demo_engine, t) for t in pools[kind]}  # type: ignore[index]
        plan = [(user, scope, t, expected(row.rule, user, t, row.event, reviewed[t.key]))
                for user in accounts for scope, t in targets_for(user, pools[kind])]  # type: ignore[index]
        plan.sort(key=lambda c: c[3].startswith("2"))  # refusals first, on the shared targets
        for user, scope, t, exp in plan:
            world.settle(kind, stage)  # type: ignore[arg-type]
            method, url, kwargs = request_for(row, t, world, reviewed[t.key])
            name = user.username if user else "anon"
            before = _fingerprint(demo_engine, table_names)
            response = client.request(method, url, headers=tokens.get(name, {}), **kwargs)
            got = str(response.status_code)
            if row.rule.lists and response.status_code == 200:
                got += "+" if listed(response, t, demo_engine) else "-"
            changed = _fingerprint(demo_engine, table_names) != before
            if response.status_code >= 400 or not row.rule.mutates:
                got += "Δ" if changed else ""
            elif not changed:
                got += "∅"
            if response.status_code >= 400:
                _check_error_body(response)
            label = row.path.replace("{action}", row.event) if row.event else row.path
            cells.append(Cell(f"{row.method} {label}", name, scope, exp, got))
            if changed:
                world.spoil()

    wrong = [c for c in cells if c.got != c.expected]
    print(f"{len(cells)} cells, {len(rows)} rows × {len(accounts)} accounts × own/other scope")
    print(render(cells, names))
    assert not wrong, (
        f"{len(wrong)} of {len(cells)} cells differ from the policy:\n" + render(cells, names)
        + "\n\n" + "\n".join(f"{c.row} as {c.user} ({c.scope}): expected {c.expected}, got {c.got} — {c}" for c in wrong)
    )
    assert {c.expected for c in cells} >= {"401", "403", "404", "409", "200", "201", "200+", "200-"}
