"""The authorization matrix: every route × every role (one demo account each, plus anonymous) ×
(own scope / other scope), each cell's expected status generated from the policy below.

Nothing is hand-picked per cell:

* the rows are ``app.routes`` (docs and the OpenAPI document aside), the actions route expanded
  into one row per event of ``workflow.roles.EVENT_ROLES``; a route the policy does not cover
  fails the test, so a new endpoint cannot slip past the matrix;
* the columns are the accounts of ``config/demo/users.yaml`` plus anonymous;
* the target of an id-taking route is a nomination proposed by one of the demo units, prepared
  through the service in a state where the action is enabled (a draft, with an attachment and a
  produced dossier, for the other id routes). For each account the "own" target is the first one it may see and the
  "other" target the first it may not (for city-wide roles, one of another unit), per the scope
  rules of ``POLICY`` / :func:`sees` (domain.md §2);
* the expected status follows from the policy: anonymous → 401 except public routes; out of
  scope → 404 (existence does not leak); a role without the function → 403; an action the
  state does not allow → 409; otherwise the route's success status.

Refused cells must change nothing (row counts of every table and the sum of nomination
versions, which covers state, version and audit entries); a cell that changed the database is
followed by a restore of the demo snapshot, so every mutating cell runs on fresh data.
"""

from __future__ import annotations

import functools
import inspect
import itertools
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from config.catalogue import catalogue
from service import attachments as attach
from service import nominations as actions
from service.actors import SYSTEM, Actor
from service.demo import DEMO_PASSWORD, DEMO_TODAY, DemoUser
from service.dossier import assemble_dossier
from service.eligibility import check_award, nominee_record
from service.models import Campaign, Certificate, Cluster, ClusterMember, Decision, Document, Nomination, Person, ReviewTask, TitleRecord
from tests.e2e.conftest import demo_users, tables
from workflow.errors import WorkflowError
from workflow.nomination import FINAL_STATES, advance, enabled_events
from workflow.roles import EVENT_ROLES, Role
from workflow.route import Route

# --- the policy (domain.md §2) -----------------------------------------------------------------

CITY_ROLES = frozenset({"board_officer", "council_member", "approver", "admin"})
UNIT_ROLES = frozenset({"submitter", "unit_head"})
CREATORS = frozenset({"submitter", "unit_head", "cluster_head"})
DECISION_READERS = frozenset({"board_officer", "approver", "council_member", "admin"})


@dataclass(frozen=True)
class Rule:
    """Who may use a route. ``roles=None``: anyone signed in. ``on``: the route takes the id of a
    nomination or attachment, so scope is checked first (404). ``success``: the status when allowed."""

    roles: frozenset[str] | None = None
    public: bool = False
    sign_in: bool = False  # POST /auth/token: an account signs in with its password; anonymous cannot
    on: str | None = None  # "nomination" | "attachment"
    event_roles: bool = False  # the roles come from EVENT_ROLES of the action
    creates: bool = False  # the nominee must be in the creator's scope (403 otherwise)
    lists: bool = False  # the list shows the nominations in scope, and only those
    success: int = 200
    mutates: bool = False
    # The cluster year and council session rows (tests/e2e/cycle_matrix.py): what the target is,
    # who may act beyond reading ("head", "voter", "reviewer", "manager", "council_voter", "runner", "starter"), the
    # stage the target is prepared at, and whether the route is the head's steps (one row each).
    cycle: str | None = None  # "cluster_year" | "council_session"
    who: str | None = None
    stage: str | None = None
    steps: bool = False
    decided: bool = False  # only a decided award has it: 409 on a target that is not decided


POLICY: dict[tuple[str, str], Rule] = {
    ("POST", "/auth/token"): Rule(sign_in=True),
    ("GET", "/auth/me"): Rule(),
    ("GET", "/nominations"): Rule(lists=True),
    ("POST", "/nominations"): Rule(roles=CREATORS, creates=True, success=201, mutates=True),
    ("GET", "/nominations/{nomination_id}"): Rule(on="nomination"),
    ("PATCH", "/nominations/{nomination_id}"): Rule(roles=UNIT_ROLES, on="nomination", mutates=True),
    ("POST", "/nominations/{nomination_id}/actions/{action}"): Rule(event_roles=True, on="nomination", mutates=True),
    ("POST", "/nominations/{nomination_id}/attachments"): Rule(roles=UNIT_ROLES, on="nomination", success=201, mutates=True),
    ("GET", "/attachments/{attachment_id}"): Rule(on="attachment"),
    ("GET", "/catalogue"): Rule(),
    ("GET", "/catalogue/{version}"): Rule(),
    ("GET", "/units"): Rule(),
    ("GET", "/clusters"): Rule(),
    ("POST", "/eligibility/check"): Rule(),
    ("GET", "/decisions"): Rule(roles=DECISION_READERS),
    ("GET", "/public/decisions"): Rule(public=True),
    ("GET", "/admin/audit/verify"): Rule(roles=frozenset({"admin"})),
    ("GET", "/health"): Rule(public=True),
    ("GET", "/documents/{document_id}"): Rule(on="document"),
    ("GET", "/cluster-years"): Rule(cycle="cluster_year", lists=True),
    ("GET", "/cluster-years/{cluster}/{year}"): Rule(cycle="cluster_year", stage="scoring_open"),
    ("POST", "/cluster-years"): Rule(cycle="cluster_year", who="starter", creates=True, stage="unstarted", success=201, mutates=True),
    ("GET", "/cluster-years/{cluster}/{year}/quotas/{award}"): Rule(cycle="cluster_year", stage="scoring_open"),
    ("POST", "/cluster-years/{cluster}/{year}/scores"): Rule(cycle="cluster_year", who="voter", stage="scoring_open", mutates=True),
    ("POST", "/cluster-years/{cluster}/{year}/scores/{unit}/review"): Rule(cycle="cluster_year", who="reviewer", stage="scoring_open",
                                                                        mutates=True),
    ("POST", "/cluster-years/{cluster}/{year}/actions/{action}"): Rule(cycle="cluster_year", who="head", steps=True, mutates=True),
    ("GET", "/cluster-years/{cluster}/{year}/ballots"): Rule(cycle="cluster_year", stage="ballot_open"),
    ("POST", "/cluster-years/{cluster}/{year}/ballots"): Rule(cycle="cluster_year", who="head", stage="scoring_closed", success=201,
                                                            mutates=True),
    ("GET", "/cluster-years/{cluster}/{year}/ballots/{round_no}"): Rule(cycle="cluster_year", stage="ballot_open"),
    ("POST", "/cluster-years/{cluster}/{year}/ballots/{round_no}/votes"): Rule(cycle="cluster_year", who="voter", stage="ballot_open",
                                                                             success=201, mutates=True),
    ("POST", "/cluster-years/{cluster}/{year}/ballots/{round_no}/close"): Rule(cycle="cluster_year", who="head", stage="ballot_open",
                                                                             mutates=True),
    ("GET", "/cluster-years/{cluster}/{year}/ballots/{round_no}/minutes"): Rule(cycle="cluster_year", stage="ballot_closed"),
    ("GET", "/cluster-years/{cluster}/{year}/ballots/{round_no}/minutes.xlsx"): Rule(cycle="cluster_year", stage="ballot_closed"),
    ("POST", "/cluster-years/{cluster}/{year}/ballot-schedule"): Rule(cycle="cluster_year", who="head", stage="scoring_open", success=201,
                                                                    mutates=True),
    ("GET", "/cluster-years/{cluster}/{year}/ballot-schedule"): Rule(cycle="cluster_year", stage="scoring_open"),
    ("GET", "/council-sessions"): Rule(cycle="council_session", lists=True),
    ("POST", "/council-sessions"): Rule(cycle="council_session", who="manager", creates=True, success=201, mutates=True),
    ("GET", "/council-sessions/{session_id}"): Rule(cycle="council_session", stage="scheduled"),
    ("POST", "/council-sessions/{session_id}/sign-minutes"): Rule(cycle="council_session", who="manager", stage="closed", mutates=True),
    ("POST", "/council-sessions/{session_id}/agenda"): Rule(cycle="council_session", who="manager", stage="scheduled", success=201,
                                                            mutates=True),
    ("POST", "/council-sessions/{session_id}/open"): Rule(cycle="council_session", who="runner", stage="scheduled", mutates=True),
    ("POST", "/council-sessions/{session_id}/agenda/{nomination_id}/remove"): Rule(cycle="council_session", who="manager", stage="scheduled",
                                                                                   mutates=True),
    ("POST", "/council-sessions/{session_id}/arrivals"): Rule(cycle="council_session", who="runner", stage="open", mutates=True),
    ("POST", "/council-sessions/{session_id}/votes"): Rule(cycle="council_session", who="council_voter", stage="open", success=201,
                                                           mutates=True),
    ("POST", "/council-sessions/{session_id}/close"): Rule(cycle="council_session", who="runner", stage="open", mutates=True),
    ("GET", "/council-sessions/{session_id}/results"): Rule(cycle="council_session", stage="closed"),
    ("GET", "/ready"): Rule(public=True),
    # Public like /health: scraped on the private network; deploy/README.md blocks it at the proxy.
    ("GET", "/metrics"): Rule(public=True),
    # The preview (dry run) in the matrix; applying is tested in tests/integration/test_ruleset_moves.py.
    ("POST", "/admin/rulesets/move"): Rule(roles=frozenset({"admin"})),
    # Revocation consequences (issue 10): title history, title revocation, review tasks.
    ("GET", "/titles"): Rule(roles=DECISION_READERS),
    ("POST", "/titles/{title_id}/revoke"): Rule(roles=frozenset({"board_officer", "approver"}), mutates=True),
    ("GET", "/reviews"): Rule(roles=DECISION_READERS),
    ("POST", "/reviews/{review_id}/close"): Rule(roles=frozenset({"board_officer", "admin"}), mutates=True),
    # Certificates (issue 10): issue and download on a decided award; public verification by code.
    ("POST", "/nominations/{nomination_id}/certificate"): Rule(roles=frozenset({"board_officer", "approver", "admin"}),
                                                                on="nomination", decided=True, mutates=True),
    ("GET", "/nominations/{nomination_id}/certificate"): Rule(on="nomination", decided=True),
    ("GET", "/public/certificates/{code}"): Rule(public=True),
    ("POST", "/public/certificates/{code}/verify"): Rule(public=True),
    ("GET", "/exports/national-awards"): Rule(roles=frozenset({"admin", "board_officer"})),
    # Excel in and out (issue 10): a unit imports its own list; exports follow the list's scope.
    ("POST", "/imports/nominees/preview"): Rule(roles=UNIT_ROLES),
    ("POST", "/imports/nominees"): Rule(roles=UNIT_ROLES, success=201, mutates=True),
    ("GET", "/exports/nominations.xlsx"): Rule(),
    ("GET", "/exports/decisions/{decision_id}/annex.xlsx"): Rule(roles=DECISION_READERS),
    ("GET", "/statistics"): Rule(roles=DECISION_READERS),
    ("GET", "/statistics.xlsx"): Rule(roles=DECISION_READERS),
    # What-if calendar (issue 10): anyone signed in lists campaigns; the Board plans.
    ("GET", "/campaigns"): Rule(),
    ("POST", "/campaigns/{campaign_id}/what-if"): Rule(roles=frozenset({"board_officer", "admin"})),
    ("PUT", "/campaigns/{campaign_id}/calendar"): Rule(roles=frozenset({"board_officer", "admin"}), mutates=True),
}
SKIPPED_PATHS = ("/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc")


@dataclass(frozen=True)
class Target:
    """A nomination the matrix acts on, as planned (its id is known once prepared)."""

    unit: str  # proposing unit
    cluster_units: frozenset[str]  # member units of its cluster (empty on the unit track)
    cluster_heads: frozenset[str]  # head and deputy units of its cluster
    state: str
    route: Route
    award: str
    track: str
    person: str | None
    path: tuple[str, ...]


def sees(user: DemoUser, t: Target) -> bool:
    """Scope: unit roles see their unit's proposals; cluster roles their cluster's (that year's)
    nominations; city-level roles everything."""
    if user.role in CITY_ROLES:
        return True
    if user.role in UNIT_ROLES:
        return t.unit == user.unit
    if user.role == "cluster_head":
        return user.unit in t.cluster_heads
    if user.role == "cluster_member":
        return user.unit in t.cluster_units
    return False


def may_create_for(user: DemoUser, t: Target) -> bool:
    if user.role in UNIT_ROLES:
        return t.unit == user.unit
    if user.role == "cluster_head":
        return user.unit in t.cluster_heads
    return False


def expected(rule: Rule, user: DemoUser | None, t: Target | None, event: str | None) -> str:
    if rule.public:
        return str(rule.success)
    if user is None:
        return "401"
    if rule.sign_in:
        return str(rule.success)
    roles = frozenset(r.value for r in EVENT_ROLES[event]) if rule.event_roles else rule.roles  # type: ignore[index]
    if rule.on is not None:
        assert t is not None
        if not sees(user, t):
            return "404"
        if roles is not None and user.role not in roles:
            return "403"
        if event is not None and not allowed(event, t.state, t.route):
            return "409"
        if rule.decided and t.state not in ("awarded", "centrally_decided"):
            return "409"
        return str(rule.success)
    if roles is not None and user.role not in roles:
        return "403"
    if rule.creates:
        return str(rule.success) if may_create_for(user, t) else "403"  # type: ignore[arg-type]
    if rule.lists:
        return "200+" if sees(user, t) else "200-"  # type: ignore[arg-type]
    return str(rule.success)


# --- targets: planned from the demo data, prepared through the service --------------------------

YEAR, CAMPAIGN = 2026, "TK-2026"
REASON = "Lý do ghi trong kiểm thử ma trận phân quyền."
_ROLE_PREFERENCE = (Role.SUBMITTER, Role.UNIT_HEAD, Role.CLUSTER_HEAD, Role.BOARD_OFFICER, Role.APPROVER, Role.SYSTEM)


@functools.cache
def moves(state: str, route: Route) -> dict[str, str]:
    """The events enabled in ``state`` and where each leads (favourable outcome, reason given)."""
    out = {}
    for e in enabled_events(state, route):
        try:
            out[e] = advance(state, route, e, reason=REASON, passed=True)
        except WorkflowError:
            continue
    return out


@functools.cache
def allowed(event: str, state: str, route: Route) -> bool:
    """Whether the state allows the event (the machine's guards, outcome assumed favourable)."""
    return event in enabled_events(state, route)


@functools.cache
def path_to(event: str | None, route: Route) -> tuple[str, ...] | None:
    """The shortest run of favourable events from draft to a state where ``event`` is enabled
    (``None``: the draft itself)."""
    seen: dict[str, tuple[str, ...]] = {"draft": ()}
    queue = deque(["draft"])
    while queue:
        state = queue.popleft()
        if event is None or event in moves(state, route):
            return seen[state]
        for e, nxt in moves(state, route).items():
            if nxt not in seen:
                seen[nxt] = seen[state] + (e,)
                queue.append(nxt)
    return None


def _state_after(path: tuple[str, ...], route: Route) -> str:
    state = "draft"
    for e in path:
        state = moves(state, route)[e]
    return state


def plans(session: Session, goal: str | None, unit: str, *, cluster_only: bool = False) -> list[Target]:
    """Candidate nominations proposed by ``unit`` that reach a state where ``goal`` is enabled,
    best first: cluster track (so cluster roles have it in scope), then the shortest path; the
    nominee eligible and with no open nomination for the award. Drafts come last, for an action
    no candidate can reach (the matrix then expects 409 from its role)."""
    ruleset = catalogue().in_force(DEMO_TODAY)
    people = session.exec(select(Person).where(Person.unit_code == unit).order_by(Person.code)).all()
    cluster = session.exec(
        select(Cluster).join(ClusterMember, ClusterMember.cluster_id == Cluster.id)
        .where(ClusterMember.unit_code == unit, Cluster.year == YEAR)
    ).first()
    options = []
    for fallback, attempt_goal in enumerate((goal, None) if goal else (None,)):
        for award in ruleset.awards:
            for track in award.routes:
                if track == "cluster" and cluster is None or cluster_only and track != "cluster":
                    continue
                route = award.route(track)
                path = path_to(attempt_goal, route)
                if path is None:
                    continue
                for kind, person in [("collective", None)] + [("individual", p) for p in people]:
                    if kind not in award.nominee_kinds:
                        continue
                    open_ = select(Nomination.id).where(
                        Nomination.award_code == award.code, Nomination.year == YEAR,
                        Nomination.state.not_in(sorted(FINAL_STATES)),  # type: ignore[attr-defined]
                        (Nomination.person_id == person.id) if person else (Nomination.nominee_unit_code == unit),
                    )
                    if session.exec(open_).first() is not None:
                        continue
                    record = nominee_record(session, kind=kind, person_id=person.id if person else None, unit_code=None if person else unit)
                    if not check_award(ruleset, award, record, YEAR).passed:
                        continue
                    options.append(((fallback, track != "cluster", len(path), award.code, person.code if person else ""),
                                    award, track, person, path))
    assert options, f"no nomination of {unit} can be prepared for {goal}"
    members: frozenset[str] = frozenset()
    heads: frozenset[str] = frozenset()
    if cluster is not None:
        members = frozenset(session.exec(select(ClusterMember.unit_code).where(ClusterMember.cluster_id == cluster.id)).all())
        heads = frozenset(u for u in (cluster.head_unit, cluster.deputy_unit) if u)
    out = []
    for _, award, track, person, path in sorted(options, key=lambda o: o[0]):
        route = award.route(track)
        on_cluster = track == "cluster"
        out.append(Target(unit=unit, cluster_units=members if on_cluster else frozenset(), cluster_heads=heads if on_cluster else frozenset(),
                          state=_state_after(path, route), route=route, award=award.code, track=track,
                          person=person.code if person else None, path=path))
    return out


def _step_kwargs(event: str, nid: int) -> dict[str, Any]:
    signed = {"signed_on": DEMO_TODAY, "signer": "Chủ tịch UBND Thành phố"}
    verb = inspect.signature(getattr(actions, event)).parameters
    needs_reason = "reason" in verb and verb["reason"].default is inspect.Parameter.empty
    return ({"reason": REASON} if needs_reason else {}) | {
        "record_cluster_result": {"honoured": True}, "record_consultation": {"favourable": True},
        "close_notice": {"objection_upheld": False}, "record_council_result": {"passed": True},
        "request_consultation": {"bodies": ["Cục Thuế TP"]},
        "decide": {"decision_number": f"E2E-{nid}/QĐ-UBND", **signed},
        "forward": {"submission_number": f"E2E-{nid}/TTr-UBND", **signed},
        "record_central_result": {"approved": True, "decision_number": f"E2E-{nid}/QĐ-TTg", **signed},
        "revoke": {"decision_number": f"E2E-{nid}/QĐ-HB", **signed},
    }.get(event, {})


def _actor_for(session: Session, event: str, n: Nomination) -> Actor:
    role = next(r for r in _ROLE_PREFERENCE if r in EVENT_ROLES[event])
    if role is Role.SYSTEM:
        return SYSTEM
    unit = None
    if role in (Role.SUBMITTER, Role.UNIT_HEAD):
        unit = n.proposing_unit_code
    elif role is Role.CLUSTER_HEAD:
        unit = session.get(Cluster, n.cluster_id).head_unit  # type: ignore[union-attr]
    return Actor(name=f"e2e.{role.value}", role=role, unit_code=unit)


def prepare(engine: Engine, t: Target, with_attachment: bool) -> tuple[int, int | None]:
    """Create the planned nomination and drive it along its path; returns (id, attachment id)."""
    with Session(engine, expire_on_commit=False) as s:
        creator = Actor(name="e2e.submitter", role=Role.SUBMITTER, unit_code=t.unit)
        n = actions.create_nomination(
            s, actor=creator, award_code=t.award, campaign_code=CAMPAIGN, year=YEAR, track=t.track,
            person_code=t.person, nominee_unit_code=None if t.person else t.unit, achievements="Hồ sơ của ma trận phân quyền.",
            today=DEMO_TODAY,
        )
        attachment_id = None
        if with_attachment:
            attachment_id = attach.add_attachment(s, n.id, actor=creator, filename="bien-ban.pdf", content_type="application/pdf",  # type: ignore[arg-type]
                                                  data=b"%PDF-1.4\n% e2e\n").id
            assemble_dossier(s, n.id, actor=Actor(name="e2e.board_officer", role=Role.BOARD_OFFICER))  # type: ignore[arg-type]  # a produced document
        for event in t.path:
            getattr(actions, event)(s, n.id, actor=_actor_for(s, event, n), **_step_kwargs(event, n.id))  # type: ignore[arg-type]
        assert n.state == t.state, (t, n.state)
        return n.id, attachment_id  # type: ignore[return-value]


# --- the run ------------------------------------------------------------------------------------


@dataclass
class Row:
    method: str
    path: str
    rule: Rule
    event: str | None = None

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}".replace("{action}", self.event) if self.event else f"{self.method} {self.path}"


@dataclass
class Cell:
    row: str
    user: str
    scope: str
    expected: str
    got: str = "?"


def matrix_rows(app: Any) -> list[Row]:
    rows, uncovered = [], []
    for route in _flat_routes(app):
        if not isinstance(route.original_route, APIRoute) or route.path in SKIPPED_PATHS:
            continue
        # The server-rendered pages (service.web) answer HTML and redirect to the sign-in page
        # instead of 401; their own matrix is tests/e2e/test_page_authorization.py.
        if route.original_route.endpoint.__module__.startswith("service.web."):
            continue
        for method in sorted(route.methods):
            rule = POLICY.get((method, route.path))
            if rule is None:
                uncovered.append(f"{method} {route.path}")
            elif rule.event_roles:
                rows.extend(Row(method, route.path, rule, event) for event in EVENT_ROLES)
            elif rule.steps:
                from service.api.routes.cluster_years import HEAD_STEPS

                rows.extend(Row(method, route.path, rule, step) for step in HEAD_STEPS)
            else:
                rows.append(Row(method, route.path, rule))
    assert not uncovered, f"routes without an authorization policy in this test: {uncovered}"
    assert {(r.method, r.path) for r in rows} == set(POLICY), "a policy entry names a route the app does not have"
    return rows


def _flat_routes(app: Any) -> list[Any]:
    """``app.routes`` with included routers flattened (FastAPI ≥ 0.150 keeps them nested)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI: app.routes is flat already
        return [type("R", (), {"original_route": r, "path": r.path, "methods": getattr(r, "methods", None)}) for r in app.routes]
    return list(iter_route_contexts(app.routes))


def _fingerprint(engine: Engine, names: list[str]) -> tuple[int, ...]:
    """Row counts of every table (sign-in attempts aside) and the sum of nomination versions."""
    parts = [f"(SELECT COUNT(*) FROM {name})" for name in names if name != "login_attempts"]
    parts.append("(SELECT COALESCE(SUM(version), 0) FROM nominations)")
    with engine.connect() as conn:
        return tuple(conn.execute(text("SELECT " + ", ".join(parts))).one())


def render(cells: list[Cell], users: list[str]) -> str:
    by_row: dict[str, dict[tuple[str, str], Cell]] = {}
    for c in cells:
        by_row.setdefault(c.row, {})[(c.user, c.scope)] = c
    width = max(len(r) for r in by_row)

    def show(c: Cell | None) -> str:
        if c is None:
            return "·"
        return c.got if c.got == c.expected else f"!{c.expected}>{c.got}"

    lines = ["own/other per account; '!expected>got' marks a wrong cell; '+/-' = target listed or not",
             " " * width + " | " + " | ".join(users)]
    for label, row in by_row.items():
        parts = []
        for u in users:
            if (u, "-") in row:
                parts.append(show(row[(u, "-")]))
            else:
                parts.append(f"{show(row.get((u, 'own')))}/{show(row.get((u, 'other')))}")
        lines.append(label.ljust(width) + " | " + " | ".join(parts))
    return "\n".join(lines)


class World:
    """Planned targets (from the demo data) and their prepared copies in the current database."""

    def __init__(self, engine: Engine, restore: Callable[[], None]) -> None:
        self.engine, self._restore = engine, restore
        self.plans: dict[tuple[str | None, str, bool], list[Target]] = {}
        self.prepared: dict[tuple[str | None, str], tuple[int, int | None]] = {}
        self.dirty = True  # the database changed outside the cells (restore, preparation)

    def plan(self, goal: str | None, unit: str, cluster_only: bool = False) -> Target:
        key = (goal, unit, cluster_only)
        if key not in self.plans:
            with Session(self.engine) as s:
                self.plans[key] = plans(s, goal, unit, cluster_only=cluster_only)
        return self.plans[key][0]

    def settle(self, goal: str | None, units: list[str]) -> None:
        """Prepare the targets of all ``units`` together, from the demo snapshot. A candidate the
        service refuses (a rule the planner does not model, e.g. a cluster's quota for an award
        already taken) is dropped for the next one, so the cells only see targets that exist."""
        for _ in range(20):
            self.reset()
            for unit in units:
                try:
                    self.ids(goal, unit)
                except WorkflowError:
                    self.plans[(goal, unit, False)].pop(0)
                    break
            else:
                return
        raise AssertionError(f"cannot prepare targets for {goal} in {units}")

    def ids(self, goal: str | None, unit: str) -> tuple[int, int | None]:
        if (goal, unit) not in self.prepared:
            self.prepared[(goal, unit)] = prepare(self.engine, self.plan(goal, unit), with_attachment=goal is None)
            self.dirty = True
        return self.prepared[(goal, unit)]

    def reset(self) -> None:
        self._restore()
        self.prepared.clear()
        self.dirty = True


def test_authorization_matrix(client: TestClient, demo_engine: Engine, restore: Callable[[], None]) -> None:
    app = client.app
    rows = matrix_rows(app)
    users = demo_users()
    accounts: list[DemoUser | None] = [*users, None]
    names = [u.username if u else "anon" for u in accounts]
    tokens = {}
    for u in users:  # signed in once; the tokens stay valid across restores of the snapshot
        r = client.post("/auth/token", data={"username": u.username, "password": DEMO_PASSWORD})
        assert r.status_code == 200, r.text
        tokens[u.username] = {"Authorization": f"Bearer {r.json()['access_token']}"}

    world = World(demo_engine, restore)
    table_names = [t.name for t in tables(demo_engine)]
    target_units = list(dict.fromkeys(u.unit for u in users if u.role in UNIT_ROLES and u.unit))
    serial = itertools.count(1)
    cells: list[Cell] = []
    last: tuple[int, ...] | None = None  # the database's fingerprint after the previous cell

    def targets_for(user: DemoUser | None, goal: str | None, creating: bool = False) -> list[tuple[str, Target]]:
        """("own", t) and ("other", t) for this account; anonymous gets one ("-", t)."""
        cluster_roles = user is not None and user.role in ("cluster_head", "cluster_member")
        pool = [world.plan(goal, unit) for unit in target_units]
        if goal is not None:  # where a unit's target could not reach the action, look at the others first
            pool.sort(key=lambda t: not allowed(goal, t.state, t.route))
        if creating and cluster_roles:  # a cluster role proposes for a member of its cluster
            mine = [world.plan(goal, m, cluster_only=True) for m in sorted(_cluster_of_user(demo_engine, user))]  # type: ignore[arg-type]
            pool = mine[:1] + pool
        if user is None:
            return [("-", pool[0])]
        visible = may_create_for if creating and user.role in CREATORS else sees
        own = next((t for t in pool if visible(user, t)), None)
        other = next((t for t in pool if not visible(user, t)), None)
        if other is None and own is not None:
            other = next((t for t in pool if t.unit != own.unit), None)
        return [(scope, t) for scope, t in (("own", own), ("other", other)) if t is not None]

    for row in rows:
        rule = row.rule
        if rule.cycle is not None:
            continue  # cluster years and council sessions: tests/e2e/test_cycle_authorization_matrix.py
        if rule.on is not None or rule.lists:
            world.settle(row.event, target_units)  # every row starts from the demo snapshot
        else:
            world.reset()
        plan_of_row: list[tuple[DemoUser | None, str, Target | None, str]] = []
        for user in accounts:
            scoped = rule.on is not None or rule.lists or rule.creates
            for scope, target in targets_for(user, row.event, rule.creates) if scoped else [("-", None)]:
                plan_of_row.append((user, scope, target, expected(rule, user, target, row.event)))
        # Refusals first, on shared targets; then each expected success on fresh data.
        plan_of_row.sort(key=lambda c: c[3].startswith("2"))
        for user, scope, target, exp in plan_of_row:
            name = user.username if user else "anon"
            method, url, kwargs = _request(row, target, world, user, serial)  # prepares the target first
            if world.dirty or last is None:
                last, world.dirty = _fingerprint(demo_engine, table_names), False
            before = last
            response = client.request(method, url, headers=tokens.get(name, {}), **kwargs)
            got = str(response.status_code)
            if rule.lists and response.status_code == 200:
                nid, _ = world.ids(None, target.unit)  # type: ignore[union-attr]
                got += "+" if nid in [n["id"] for n in response.json()["items"]] else "-"
            last = _fingerprint(demo_engine, table_names)
            changed = last != before
            if response.status_code >= 400 or not rule.mutates:
                got += "Δ" if changed else ""  # a refusal (or a read) changed the database
            elif not changed:
                got += "∅"  # a successful write left no trace
            if response.status_code >= 400:
                _check_error_body(response)
            cells.append(Cell(row.label, name, scope, exp, got))
            if changed:
                world.reset()  # the next cell runs on fresh data

    wrong = [c for c in cells if c.got != c.expected]
    print(f"{len(cells)} cells, {len(rows)} rows × {len(accounts)} accounts × own/other scope")
    print(render(cells, names))
    assert not wrong, (
        f"{len(wrong)} of {len(cells)} cells differ from the policy:\n" + render(cells, names)
        + "\n\n" + "\n".join(f"{c.row} as {c.user} ({c.scope}): expected {c.expected}, got {c.got}" for c in wrong)
    )
    assert len(cells) > 500  # the matrix really is routes × roles × scopes


def _cluster_of_user(engine: Engine, user: DemoUser) -> set[str]:
    """Member units of the clusters (this year) the user's unit belongs to."""
    with Session(engine) as s:
        ids = select(ClusterMember.cluster_id).join(Cluster, Cluster.id == ClusterMember.cluster_id).where(
            ClusterMember.unit_code == user.unit, Cluster.year == YEAR)
        return set(s.exec(select(ClusterMember.unit_code).where(ClusterMember.cluster_id.in_(ids))).all())  # type: ignore[attr-defined]


def _document_of(engine: Engine, nomination_id: int) -> int:
    """The first produced document of a prepared nomination (its dossier, see :func:`prepare`)."""
    with Session(engine) as s:
        return s.exec(select(Document.id).where(Document.nomination_id == nomination_id).order_by(Document.id)).first()  # type: ignore[return-value]


def _check_error_body(response: Any) -> None:
    body = response.json()
    assert set(body) == {"error"} and {"code", "message_vi", "message_en", "details"} <= set(body["error"]), body


def _request(row: Row, t: Target | None, world: World, user: DemoUser | None, serial: itertools.count) -> tuple[str, str, dict[str, Any]]:
    """How to call a route for one cell."""
    key = (row.method, row.path)
    path, kwargs = row.path, {}
    if row.rule.on is not None:
        nid, attachment_id = world.ids(row.event, t.unit)  # type: ignore[union-attr]
        path = path.replace("{nomination_id}", str(nid)).replace("{attachment_id}", str(attachment_id))
        if "{document_id}" in path:
            path = path.replace("{document_id}", str(_document_of(world.engine, nid)))
    if row.event:
        path = path.replace("{action}", row.event)
        n = next(serial)
        kwargs["json"] = {"reason": REASON, "passed": True, "bodies": ["Cục Thuế TP"], "document_number": f"E2E-HTTP-{n}/QĐ",
                          "signed_on": DEMO_TODAY.isoformat(), "signer": "Chủ tịch UBND Thành phố"}
    elif key == ("POST", "/auth/token"):
        username = user.username if user else "khach.vang.lai"
        kwargs["data"] = {"username": username, "password": DEMO_PASSWORD if user else "sai-mat-khau"}
    elif key == ("POST", "/nominations"):
        assert t is not None
        body = {"award_code": t.award, "campaign_code": CAMPAIGN, "year": YEAR, "track": t.track,
                "achievements": "Đề nghị tạo trong ma trận phân quyền."}
        body.update({"person_code": t.person} if t.person else {"nominee_unit_code": t.unit})
        kwargs["json"] = body
    elif key == ("PATCH", "/nominations/{nomination_id}"):
        kwargs["json"] = {"achievements": "Bổ sung thành tích (ma trận phân quyền)."}
    elif key == ("POST", "/nominations/{nomination_id}/attachments"):
        kwargs["files"] = {"file": ("minh-chung.pdf", b"%PDF-1.4\n% minh chung\n", "application/pdf")}
    elif key == ("GET", "/nominations"):
        world.ids(None, t.unit)  # type: ignore[union-attr]  # the target whose presence in the list is checked
        kwargs["params"] = {"limit": 200}
    elif key == ("GET", "/catalogue/{version}"):
        path = path.replace("{version}", catalogue().in_force(DEMO_TODAY).version)
    elif key == ("POST", "/admin/rulesets/move"):
        kwargs["json"] = {"to_version": catalogue().in_force(DEMO_TODAY).version, "reason": REASON, "dry_run": True}
    elif key == ("POST", "/eligibility/check"):
        kwargs["json"] = {"award_code": "CSTD_TP", "person_code": "P001", "year": YEAR}
    elif key == ("GET", "/titles"):
        kwargs["params"] = {"person_code": "P001"}
    elif key == ("POST", "/titles/{title_id}/revoke"):
        with Session(world.engine) as s:
            title = s.exec(select(TitleRecord.id).where(TitleRecord.revoked_decision_id.is_(None)).order_by(TitleRecord.id)).first()  # type: ignore[union-attr]
        path = path.replace("{title_id}", str(title))
        kwargs["json"] = {"reason": REASON, "document_number": f"E2E-HB-{next(serial)}/QĐ", "signed_on": DEMO_TODAY.isoformat(),
                          "signer": "Chủ tịch UBND Thành phố"}
    elif key == ("POST", "/reviews/{review_id}/close"):
        path = path.replace("{review_id}", str(_open_review(world)))
        kwargs["json"] = {"resolution": "Đã rà soát (ma trận phân quyền)."}
    elif key in (("POST", "/imports/nominees/preview"), ("POST", "/imports/nominees")):
        kwargs["files"] = {"file": ("danh-sach.xlsx", _nominee_list(user.unit if user and user.unit else "SO_GDDT"),
                                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}
    elif key == ("GET", "/exports/decisions/{decision_id}/annex.xlsx"):
        with Session(world.engine) as s:
            decision = s.exec(select(Decision.id).where(Decision.kind == "award").order_by(Decision.id)).first()
        path = path.replace("{decision_id}", str(decision))
    elif key in (("POST", "/campaigns/{campaign_id}/what-if"), ("PUT", "/campaigns/{campaign_id}/calendar")):
        with Session(world.engine) as s:
            campaign = s.exec(select(Campaign.id).where(Campaign.code == CAMPAIGN)).one()
        path = path.replace("{campaign_id}", str(campaign))
        kwargs["json"] = {"calendar": {"filing": "2027-01-15", "cluster_ballot": "2027-01-10"}, "accept_misses": True}
        if row.method == "POST":
            kwargs["json"].pop("accept_misses")
    elif key in (("GET", "/public/certificates/{code}"), ("POST", "/public/certificates/{code}/verify")):
        code, sha = _certificate(world)
        path = path.replace("{code}", code)
        if row.method == "POST":
            kwargs["data"] = {"sha256": sha}
    return row.method, path, kwargs


def _nominee_list(unit: str) -> bytes:
    """A one-row list of nominees: the unit itself proposed for the Labour Order."""
    import io

    from openpyxl import Workbook

    from service.nominee_import import COLUMNS

    workbook = Workbook()
    workbook.active.append([c.heading for c in COLUMNS])
    row = {"unit_code": unit, "full_name": unit, "award_code": "HC_LD", "campaign_code": CAMPAIGN, "year": YEAR}
    workbook.active.append([row.get(c.key) for c in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _certificate(world: World) -> tuple[str, str]:
    """The code and hash of a certificate of a decided demo award (issued through the service)."""
    from service.certificates import issue_certificate

    with Session(world.engine, expire_on_commit=False) as s:
        decided = s.exec(select(Nomination.id).where(Nomination.state == "awarded").order_by(Nomination.id)).first()
        s.commit()
        before = s.exec(select(func.count()).select_from(Certificate)).one()
        s.commit()
        c = issue_certificate(s, decided, actor=SYSTEM)  # type: ignore[arg-type]
        after = s.exec(select(func.count()).select_from(Certificate)).one()
    world.dirty = world.dirty or after != before
    return c.code, c.sha256


def _open_review(world: World) -> int:
    """An open review task to close (test data written directly: the route under test only closes it)."""
    with Session(world.engine, expire_on_commit=False) as s:
        existing = s.exec(select(ReviewTask.id).where(ReviewTask.status == "open")).first()
        if existing is not None:
            return existing
        decision = Decision(number="E2E-REVIEW/QĐ-UBND", kind="revocation", signed_on=DEMO_TODAY, signer="Chủ tịch UBND Thành phố")
        s.add(decision)
        s.flush()
        nomination = s.exec(select(Nomination.id).order_by(Nomination.id)).first()
        task = ReviewTask(nomination_id=nomination, cause="title:0", revoking_decision_id=decision.id, title="CSTD_CS", title_year=2025)  # type: ignore[arg-type]
        s.add(task)
        s.commit()
        world.dirty = True
        return task.id  # type: ignore[return-value]
