"""A page per state machine ("sơ đồ trạng thái"): the mermaid diagram from
:data:`workflow.machines.MACHINES` (as ``tdkt diagram`` prints it), drawn in the browser by the
vendored ``mermaid.min.js``, with a state highlighted: a nomination's current state when the
signed-in user may see it, or ``?state=`` for the other machines. The same states are listed as
text beside it, for readers without JavaScript or with a screen reader."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from service.api.deps import SessionDep, SettingsDep
from service.models import Nomination
from service.scope import can_act_on
from service.users import actor_of
from service.web.i18n import lang_of, pick
from service.web.render import render
from service.web.session import user_of
from workflow import cluster_year, council_session, nomination
from workflow.machines import MACHINES

router = APIRouter(prefix="/web", include_in_schema=False)

LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "nomination": nomination.STATE_LABELS,
    "cluster_year": cluster_year.STATE_LABELS,
    "council_session": council_session.STATE_LABELS,
}
EVENTS: dict[str, tuple[type, dict[str, tuple[str, str]]]] = {
    "nomination": (nomination.NominationMachine, nomination.EVENT_LABELS),
    "cluster_year": (cluster_year.ClusterYearMachine, cluster_year.EVENT_LABELS),
    "council_session": (council_session.CouncilSessionMachine, council_session.EVENT_LABELS),
}
TITLES: dict[str, tuple[str, str]] = {
    "nomination": ("Quy trình hồ sơ đề nghị khen thưởng", "Nomination lifecycle"),
    "cluster_year": ("Năm thi đua của Cụm", "Cluster year"),
    "council_session": ("Phiên họp Hội đồng TĐKT", "Council session"),
}
_STATE_LINE = re.compile(r'^(\s*state )"[^"]*"( as (\w+))$', re.MULTILINE)
_EDGE_LABEL = re.compile(r"^(\s*\S+ --> \S+ : )([^\[\n]+?)(\s*\[[^\]]*\])?$", re.MULTILINE)


def _edge_labels(machine: str, text: str, lang: str) -> str:
    """Edge labels in ``lang``: the machine draws event names; the domain has their labels."""
    cls, labels = EVENTS[machine]
    by_name = {e.name: labels[e.id] for e in cls.events if e.id in labels}  # type: ignore[attr-defined]
    return _EDGE_LABEL.sub(lambda m: m.group(1) + (pick(by_name[m.group(2)], lang) if m.group(2) in by_name else m.group(2))
                           + (m.group(3) or ""), text)


# Withdrawing and expiring are possible from nearly every open state; drawn, their dozens of
# edges hide the process. They are left out unless ``?all=1`` (and said so under the diagram).
UNIVERSAL_EDGES = (": Withdraw", ": Expire")


def diagram(machine: str, lang: str, current: str | None, everything: bool = False) -> str:
    """The machine's mermaid text with labels in ``lang`` and ``current`` marked."""
    labels = LABELS[machine]
    text = _STATE_LINE.sub(lambda m: f'{m.group(1)}"{pick(labels.get(m.group(3), (m.group(3),) * 2), lang)}"{m.group(2)}',
                           MACHINES[machine]())
    # Top to bottom: on a page (and a phone) the width is what is scarce.
    text = text.replace("direction LR", "direction TB", 1)
    if not everything:
        text = "\n".join(line for line in text.splitlines() if not line.rstrip().endswith(UNIVERSAL_EDGES))
    text = _edge_labels(machine, text, lang)
    if current in labels:
        text += f"\n    classDef current fill:#ffd54f,stroke:#1a1a1a,stroke-width:3px,font-weight:bold\n    class {current} current\n"
    return text


@router.get("/diagrams/{machine}", response_class=HTMLResponse)
def diagram_page(machine: str, request: Request, session: SessionDep, settings: SettingsDep,
                 nomination_id: Annotated[int | None, Query(alias="nomination", ge=1)] = None,
                 state: Annotated[str | None, Query(max_length=30)] = None,
                 everything: Annotated[bool, Query(alias="all")] = False) -> Response:
    user = user_of(request, session, settings)
    request.state.user = user
    lang = lang_of(request)
    if machine not in MACHINES:
        return render(request, "error.html", 404, error=pick((f"Không có sơ đồ «{machine}».", f"There is no diagram {machine!r}."), lang))
    current, subject = (state if state in LABELS[machine] else None), None
    if machine == "nomination" and nomination_id is not None:
        n = session.get(Nomination, nomination_id)
        # Only someone who may see the nomination learns its state.
        if n is not None and user is not None and can_act_on(session, actor_of(user), n):
            current, subject = n.state, n
    return render(request, "diagram.html", machine=machine, machines=list(MACHINES), titles=TITLES,
                  title=pick(TITLES[machine], lang), text=diagram(machine, lang, current, everything), current=current, everything=everything,
                  nomination_id=nomination_id,
                  states=LABELS[machine], subject=subject)
