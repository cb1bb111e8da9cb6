"""The issue 10 pages refuse bad input with a page error and change nothing: a malformed or
faulty nominee list (at preview and at confirmation, even when the posted file was tampered
with), a certificate check of a forged hash, a what-if plan with a bad date; and the
page-only spreadsheet export holds exactly the user's scope."""

from __future__ import annotations

import base64
import io
import re

from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from service.api.app import create_app
from service.demo import DEMO_PASSWORD
from service.models import Nomination
from service.nominee_import import COLUMNS, SHEET
from service.queries import list_nominations
from service.users import actor_of
from service.models import User
from tests.e2e.conftest import fingerprint
from tests.e2e.test_page_authorization import login_token


def signed_in(engine: Engine, username: str) -> tuple[TestClient, str]:
    c = TestClient(create_app(engine))
    r = c.post("/web/login", data={"username": username, "password": DEMO_PASSWORD, "csrf": login_token(c)}, follow_redirects=False)
    assert r.status_code == 303
    token = re.search(r'name="csrf" value="([0-9a-f]{64})"', c.get("/web/imports/nominees" if username.startswith("cb.") else "/web/reviews").text)
    assert token
    return c, token.group(1)


def sheet(*rows: list[object]) -> bytes:
    workbook = Workbook()
    ws = workbook.active
    ws.title = SHEET
    ws.append([c.heading for c in COLUMNS])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_faulty_nominee_lists_change_nothing(demo_engine: Engine) -> None:
    c, csrf = signed_in(demo_engine, "cb.sogddt")
    before = fingerprint(demo_engine)
    r = c.post("/web/imports/nominees/preview", data={"csrf": csrf}, files={"file": ("x.xlsx", b"PK\x03\x04 broken", "application/octet-stream")})
    assert r.status_code == 422 and 'role="alert"' in r.text and 'id="nothing-written"' in r.text
    wrong_heading = sheet()
    wb = load_workbook(io.BytesIO(wrong_heading))
    wb.active["C1"] = "Cột lạ"
    buffer = io.BytesIO()
    wb.save(buffer)
    r = c.post("/web/imports/nominees/preview", data={"csrf": csrf}, files={"file": ("y.xlsx", buffer.getvalue(), "application/octet-stream")})
    assert r.status_code == 422 and "Ô C1" in r.text
    good = [1, "P021", None, "Kiều Văn Nam", None, None, "DOT_XUAT", "DX-2026", 2026, "Cứu người."]
    bad = [2, "P001", None, "Tên Khác", None, None, "DOT_XUAT", "DX-2026", 2026, None]
    r = c.post("/web/imports/nominees/preview", data={"csrf": csrf}, files={"file": ("z.xlsx", sheet(good, bad), "application/octet-stream")})
    assert r.status_code == 200 and 'data-ok="no"' in r.text and 'data-code="name_mismatch"' in r.text
    assert 'id="confirm-import"' not in r.text
    # Confirming a list with an error (posted by hand), or a tampered payload: 422, nothing created.
    r = c.post("/web/imports/nominees", data={"csrf": csrf, "data": base64.b64encode(sheet(good, bad)).decode()})
    assert r.status_code == 422 and 'data-applied="no"' in r.text
    r = c.post("/web/imports/nominees", data={"csrf": csrf, "data": "!!not base64!!"})
    assert r.status_code == 422 and 'role="alert"' in r.text
    assert fingerprint(demo_engine) == before
    # Another role may not import at all.
    board, board_csrf = signed_in(demo_engine, "ban.tdkt")
    r = board.post("/web/imports/nominees", data={"csrf": board_csrf, "data": base64.b64encode(sheet(good)).decode()})
    assert r.status_code == 403
    assert fingerprint(demo_engine) == before


def test_a_valid_list_creates_its_drafts_once(demo_engine: Engine, restore) -> None:  # type: ignore[no-untyped-def]
    c, csrf = signed_in(demo_engine, "cb.sogddt")
    data = sheet([1, "P021", None, "Kiều Văn Nam", None, None, "DOT_XUAT", "DX-2026", 2026, "Cứu người."])
    r = c.post("/web/imports/nominees/preview", data={"csrf": csrf}, files={"file": ("ok.xlsx", data, "application/octet-stream")})
    posted = re.search(r'name="data" value="([^"]+)"', r.text)
    assert r.status_code == 200 and posted and base64.b64decode(posted.group(1)) == data
    r = c.post("/web/imports/nominees", data={"csrf": csrf, "data": posted.group(1), "filename": "ok.xlsx"})
    assert r.status_code == 201 and 'data-applied="yes"' in r.text
    created = int(re.search(r'href="/web/nominations/(\d+)"', r.text).group(1))  # type: ignore[union-attr]
    with Session(demo_engine) as s:
        n = s.get(Nomination, created)
        assert n is not None and (n.state, n.award_code, n.proposing_unit_code) == ("draft", "DOT_XUAT", "SO_GDDT")
    before = fingerprint(demo_engine)
    again = c.post("/web/imports/nominees", data={"csrf": csrf, "data": posted.group(1)})
    assert again.status_code == 422 and 'data-code="duplicate"' in again.text  # the same list twice: a duplicate
    assert fingerprint(demo_engine) == before
    restore()


def test_export_holds_the_users_scope_and_refusals_change_nothing(demo_engine: Engine) -> None:
    c, _ = signed_in(demo_engine, "cb.soyt")
    r = c.get("/web/exports/nominations.xlsx?state=draft&award=nope")
    exported = {row[0] for row in load_workbook(io.BytesIO(r.content)).active.iter_rows(min_row=2, values_only=True)}
    with Session(demo_engine) as s:
        actor = actor_of(s.exec(select(User).where(User.username == "cb.soyt")).one())
        expected = {n.id for n in list_nominations(s, actor, limit=1000, state="draft")}
    assert exported == expected  # an unknown award filter is ignored, as on the list page
    assert c.get("/web/statistics").status_code == 403 and c.get("/web/exports/decisions/1/annex.xlsx").status_code == 403
    board, csrf = signed_in(demo_engine, "ban.tdkt")
    before = fingerprint(demo_engine)
    r = board.post("/web/campaigns/1/what-if", data={"csrf": csrf, "step_filing": "15/01/2027"})
    assert r.status_code == 422 and "không hợp lệ" in r.text
    r = board.post("/web/campaigns/1/calendar", data={"csrf": csrf, "step_cluster_ballot": "2026-10-02"})
    assert r.status_code == 409 and 'data-routes-missing="' in r.text  # refused, with the forecast shown
    r = board.post("/web/titles/1/revoke", data={"csrf": csrf, "reason": "", "document_number": "1/QĐ", "signed_on": "2026-11-22", "signer": "X"})
    assert r.status_code == 422
    r = board.post("/web/reviews/999/close", data={"csrf": csrf, "resolution": "x"})
    assert r.status_code == 404
    assert fingerprint(demo_engine) == before
