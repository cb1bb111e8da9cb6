"""The home page's inbox ("việc đang chờ bạn"): the nominations on which it is the user's turn,
i.e. where :func:`service.queries.next_actions` offers them something beyond withdrawing."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from service.actors import Actor
from service.queries import list_nominations
from service.web.views import NOT_A_TURN, Row, row
from workflow.nomination import FINAL_STATES
from workflow.roles import Role

INBOX_SCAN = 1000  # nominations scanned for the inbox; paging of the full lists is on /web/nominations


def inbox(session: Session, actor: Actor) -> list[Row]:
    rows = []
    for n in list_nominations(session, actor, limit=INBOX_SCAN):
        if n.state in FINAL_STATES:
            continue
        r = row(session, n, actor)
        if set(r.actions) - NOT_A_TURN:
            rows.append(r)
    rows.sort(key=lambda r: (r.due_at is None, r.due_at or 0))
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
