"""The council session page offers exactly the session steps the service allows the user — the
same answer as the API's ``allowed_actions`` — so the Board's officer, who runs the meeting, sees
"open", and the administrator, who does not record council results, does not."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from service.api.app import create_app
from service.cycle_models import CouncilSession
from service.demo import DEMO_PASSWORD
from workflow import council_session as machine

READERS = ("ban.tdkt", "admin", "hd.thanhvien", "chutich")


def _page_steps(engine: Engine, username: str, session_id: int) -> list[str]:
    with TestClient(create_app(engine)) as c:
        token = re.search(r'name="csrf" value="([^"]+)"', c.get("/web/login").text)
        assert token
        r = c.post("/web/login", data={"username": username, "password": DEMO_PASSWORD, "csrf": token.group(1)},
                   follow_redirects=False)
        assert r.status_code == 303, r.text
        page = c.get(f"/web/council/{session_id}")
        assert page.status_code == 200, (username, page.status_code)
        return sorted(re.findall(r'data-step="(\w+)"', page.text))


def test_council_page_steps_are_the_services_allowed_actions(
    demo_engine: Engine, client: TestClient, login: Callable[[str], dict[str, str]]
) -> None:
    with Session(demo_engine) as s:
        cs = s.exec(select(CouncilSession).order_by(CouncilSession.id)).first()
        assert cs is not None and cs.state == "scheduled"
        session_id = cs.id
    offered: dict[str, list[str]] = {}
    for username in READERS:
        api = client.get(f"/council-sessions/{session_id}", headers=login(username))
        assert api.status_code == 200, api.text
        allowed = sorted(a for a in api.json()["allowed_actions"] if a in machine.EVENT_LABELS)
        offered[username] = _page_steps(demo_engine, username, session_id)  # type: ignore[arg-type]
        assert offered[username] == allowed, (username, offered[username], allowed)
    # The demo session has its agenda: the Board's officer may open it; nobody else may.
    assert offered["ban.tdkt"] == ["open_session"]
    assert offered["admin"] == offered["hd.thanhvien"] == offered["chutich"] == []
