"""The home page's inbox ("việc đang chờ bạn"): the nominations on which it is the user's turn,
i.e. where :func:`service.queries.next_actions` offers them something that is a turn (not merely
withdrawing, expiring or revoking), the soonest due first."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from service.actors import Actor
from service.queries import next_actions, nominations_by_id, soonest_due, waiting_states
from service.web.views import Row, rows_of
from workflow.roles import NOT_A_TURN, Role

INBOX_SIZE = 50  # the most urgent shown on the home page, a list page's worth; the rest on /web/nominations


def inbox(session: Session, actor: Actor) -> list[Row]:
    """Up to ``INBOX_SIZE`` nominations waiting for ``actor``, the soonest due first.

    Only the states where the role can have a turn are read (an index range each), so the inbox
    costs the same at 100 or 100,000 nominations; it used to scan the first 1,000 by id, which
    at the city's volume missed most of the Board's work. A state is a turn on some awards'
    routes only, so each candidate is checked against its own route and a few more are read."""
    candidates = soonest_due(session, actor, waiting_states(actor.role), 2 * INBOX_SIZE)
    waiting = [c.id for c in candidates if set(next_actions(c, actor)) - NOT_A_TURN][:INBOX_SIZE]  # type: ignore[arg-type]
    rows = rows_of(session, nominations_by_id(session, waiting), actor)  # objects, clocks, names: the rows shown only
    rows.sort(key=lambda r: (r.due_at is None, r.due_at or 0))  # the clock's due date, as shown
    return rows


@dataclass(frozen=True)
class Task:
    """Work on a cluster year or council session waiting for the user: a word key and a link."""

    word: str
    title: str
    url: str


def cycle_tasks(session: Session, actor: Actor) -> list[Task]:
    """Cluster and council work for the user, from the same checks the pages use for their forms."""
    from service import ballots, council
    from service.cycle_models import ClusterScore, CouncilSession
    from service.web import clusters, council_pages

    tasks: list[Task] = []
    for cy, cluster in clusters.visible_years(session, actor):
        if actor.role not in (Role.CLUSTER_HEAD, Role.CLUSTER_MEMBER):
            break
        unit = clusters.member_unit(session, actor, cluster)
        title = f"{cluster.name_vi} {cluster.year}"
        if unit and cy.state == "scoring_open" and session.get(ClusterScore, (cy.id, unit)) is None:
            tasks.append(Task("task_self_score", title, f"/web/clusters/{cy.id}#self-score"))
        current = ballots.current_ballot(session, cy.id)  # type: ignore[arg-type]
        if unit and current and current.state == "open" and not ballots.has_voted(session, current.id, unit):  # type: ignore[arg-type]
            tasks.append(Task("task_vote_cluster", title, f"/web/clusters/{cy.id}#cast-ballot"))
        if clusters.head_steps(session, cy, cluster, actor):
            tasks.append(Task("task_head_step", title, f"/web/clusters/{cy.id}"))
    if actor.role in (Role.COUNCIL_MEMBER, Role.BOARD_OFFICER):
        for cs in session.exec(select(CouncilSession).where(CouncilSession.state.in_(("scheduled", "open", "closed")))):  # type: ignore[attr-defined]
            member = council_pages.council_member(session, cs, actor)
            if member and cs.state == "open" and not council.has_voted(session, cs.id, member.code):  # type: ignore[arg-type]
                tasks.append(Task("task_vote_council", cs.title_vi, f"/web/council/{cs.id}#council-ballot"))
            if council_pages.is_manager(actor):
                tasks.append(Task("task_run_session", cs.title_vi, f"/web/council/{cs.id}"))
    return tasks
