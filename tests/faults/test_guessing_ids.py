"""Guessing ids: a user who may not see a nomination must not get its files by trying ids.

Attachments (``GET /attachments/{id}``) and produced documents (listed in the nomination detail;
any route under ``/documents/`` the app gains is picked up from its routes) are fetched by every
demo account for every id that exists and a few that do not; the answer must be the file exactly
when the account may open the nomination it belongs to, and otherwise the same 404 as for an id
that does not exist (no hint that the file exists).
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from service.actors import Actor
from service.dossier import assemble_dossier
from service.models import Attachment, Document, Nomination
from tests.e2e.conftest import demo_users
from tests.faults.plugin import Tally
from workflow.roles import Role

GROUP = "Authorization"
Login = Callable[[str], dict[str, str]]
PDF = b"%PDF-1.4\n% minh chung\n"


def file_routes(client: TestClient) -> dict[str, type]:
    """GET routes serving one stored file by id, with the table holding it."""
    routes: dict[str, type] = {}
    for path, operations in client.app.openapi()["paths"].items():  # type: ignore[attr-defined]
        if "get" not in operations or path.count("{") != 1:
            continue
        if path.startswith("/attachments/"):
            routes[path] = Attachment
        elif path.startswith("/documents/") or "/documents/{" in path:
            routes[path] = Document
    return routes


def test_files_of_other_units_cannot_be_fetched_by_guessing_ids(client: TestClient, login: Login, demo_engine: Engine, tally: Tally) -> None:
    # Evidence attached by two units, and an assembled dossier (produced documents).
    with Session(demo_engine) as s:
        drafts = {unit: s.exec(select(Nomination.id).where(Nomination.proposing_unit_code == unit, Nomination.state == "draft")).first()
                  for unit in ("SO_GDDT", "SO_YT")}
        appraising = s.exec(select(Nomination.id).where(Nomination.state == "in_appraisal")).first()
    for unit, account in (("SO_GDDT", "cb.sogddt"), ("SO_YT", "cb.soyt")):
        if drafts[unit] is None:
            continue
        r = client.post(f"/nominations/{drafts[unit]}/attachments", files={"file": (f"minh-chung-{unit}.pdf", PDF, "application/pdf")},
                        headers=login(account))
        assert r.status_code == 201, r.text
    assert appraising is not None
    with Session(demo_engine, expire_on_commit=False) as s:
        assemble_dossier(s, appraising, actor=Actor("ban.tdkt", Role.BOARD_OFFICER))
    with Session(demo_engine) as s:
        owners = {Attachment: dict(s.exec(select(Attachment.id, Attachment.nomination_id)).all()),
                  Document: dict(s.exec(select(Document.id, Document.nomination_id)).all())}
        nomination_ids = list(s.exec(select(Nomination.id)).all())
    assert owners[Attachment] and owners[Document]

    routes = file_routes(client)
    assert "/attachments/{attachment_id}" in routes
    leaks: list[str] = []
    for user in demo_users():
        headers = login(user.username)
        visible = {n for n in nomination_ids if client.get(f"/nominations/{n}", headers=headers).status_code == 200}
        # Documents: only listed in the detail of a nomination the user may open.
        for n in nomination_ids:
            r = client.get(f"/nominations/{n}", headers=headers)
            if n not in visible:
                tally.tried(GROUP, "Another unit's nomination detail (lists its documents) by guessing its id")
                if r.status_code == 200 or "documents" in r.text:
                    leaks.append(f"{user.username} saw nomination {n}")
        for path, table in routes.items():
            ids = sorted(owners[table]) + [max(owners[table]) + 1, 10**9]
            missing = client.get(path.replace(path[path.index("{"):path.index("}") + 1], str(10**9)), headers=headers)
            for i in ids:
                r = client.get(path.replace(path[path.index("{"):path.index("}") + 1], str(i)), headers=headers)
                allowed = owners[table].get(i) in visible
                if not allowed:
                    tally.tried(GROUP, f"{table.__name__} of another unit fetched by guessing its id ({path})")
                    same = r.text.replace(f"#{i}", "#?") == missing.text.replace(f"#{10**9}", "#?")
                    if r.status_code != 404 or not same:
                        leaks.append(f"{user.username} GET {path} id={i}: {r.status_code}")
                        tally.let_through(GROUP, f"{table.__name__} of another unit fetched by guessing its id ({path})", note=leaks[-1])
                elif r.status_code != 200:
                    leaks.append(f"{user.username} could not fetch its own file {i}: {r.status_code}")
    assert leaks == [], leaks[:10]
