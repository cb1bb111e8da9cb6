"""The home page's inbox ("việc đang chờ bạn"): the nominations on which it is the user's turn,
i.e. where :func:`service.queries.next_actions` offers them something beyond withdrawing."""

from __future__ import annotations

from sqlmodel import Session

from service.actors import Actor
from service.queries import list_nominations
from service.web.views import NOT_A_TURN, Row, row
from workflow.nomination import FINAL_STATES

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
