"""The demo's council session over HTTP, from its agenda to the counted results, each step by a
different signed-in user; the refusals (double vote, vote by a non-member, closing a session that
is not open, a stale version) each changing nothing; and the download of produced documents.

The demo has one council account (hd.thanhvien, member HD06); the other members listed in
config/demo/council.yaml get their accounts here (through ``service.users``) so that the session
has its quorum."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from config.council import council_of
from service.actors import Actor
from service.cycle_models import CouncilAgendaItem, CouncilSession
from service.demo import DEMO_PASSWORD
from service.dossier import assemble_dossier
from service.models import AuditEntry, Nomination
from service.users import create_user
from tests.e2e.conftest import assert_error_shape, fingerprint
from tests.e2e.test_authorization_matrix import plans, prepare
from workflow.roles import Role

BOARD = "ban.tdkt"
MEMBERS = {m.username: m.code for m in council_of(2026).members}  # type: ignore[union-attr]


@pytest.fixture
def council_accounts(demo_engine: Engine) -> None:
    with Session(demo_engine) as s:
        for m in council_of(2026).members:  # type: ignore[union-attr]
            if m.username != "hd.thanhvien":
                create_user(s, username=m.username, password=DEMO_PASSWORD, role="council_member", full_name=m.full_name)


def demo_session(engine: Engine) -> int:
    with Session(engine) as s:
        return s.exec(select(CouncilSession.id)).one()


def at_council(engine: Engine) -> int:
    """A new nomination at the council, driven there through the service."""
    with Session(engine) as s:
        target = plans(s, "record_council_result", "SO_YT")[0]
    nid, _ = prepare(engine, target, with_attachment=False)
    return nid


def test_council_session_from_agenda_to_results(client: TestClient, login: Callable[[str], dict[str, str]],
                                                council_accounts: None, demo_engine: Engine) -> None:
    sid = demo_session(demo_engine)
    url = f"/council-sessions/{sid}"
    listed = client.get("/council-sessions", headers=login(BOARD)).json()
    assert [s["id"] for s in listed["items"]] == [sid] and listed["total"] == 1
    shown = client.get(url, headers=login(BOARD))
    assert shown.status_code == 200 and shown.json()["state"] == "scheduled"
    assert {"add_to_agenda", "remove_from_agenda", "open_session"} <= set(shown.json()["allowed_actions"])
    # The administrator may prepare the agenda but does not run the meeting (domain.md §2).
    assert client.get(url, headers=login("admin")).json()["allowed_actions"] == ["add_to_agenda", "remove_from_agenda"]
    before_items = [i["nomination_id"] for i in shown.json()["agenda"]]

    # The Board puts a new nomination on the agenda (guarded by the ETag), then opens the session.
    nid = at_council(demo_engine)
    etag = client.get(url, headers=login(BOARD)).headers["ETag"]
    r = client.post(f"{url}/agenda", json={"nomination_id": nid}, headers={**login(BOARD), "If-Match": etag, "Idempotency-Key": "agenda-1"})
    assert r.status_code == 201, r.text
    assert r.json()["nomination_id"] == nid and r.json()["position"] == len(before_items) + 1
    again = client.post(f"{url}/agenda", json={"nomination_id": nid}, headers={**login(BOARD), "If-Match": etag, "Idempotency-Key": "agenda-1"})
    assert again.status_code == 201 and again.json() == r.json()  # the retry adds nothing
    agenda = [i["nomination_id"] for i in client.get(url, headers=login("admin")).json()["agenda"]]
    assert agenda == before_items + [nid]
    present = sorted(MEMBERS.values())
    r = client.post(f"{url}/open", json={"present": present}, headers={**login(BOARD), "If-Match": client.get(url, headers=login(BOARD)).headers["ETag"]})
    assert r.status_code == 200 and r.json()["state"] == "open", r.text
    assert_error_shape(client.get(f"{url}/results", headers=login(BOARD)), 409)  # no early tally
    # Closing records each nomination's result, the Board officer's step: not offered to the admin.
    assert client.get(url, headers=login(BOARD)).json()["allowed_actions"] == ["close_session", "record_arrival"]
    assert client.get(url, headers=login("admin")).json()["allowed_actions"] == []

    # Every member but one votes, each signed in as itself: thirteen in favour, one against.
    voters = sorted(MEMBERS)[:-1]
    for i, username in enumerate(voters):
        me = client.get(url, headers=login(username)).json()
        assert me["allowed_actions"] == ["cast_ballot"]
        choice = "no" if i == 0 else "yes"
        r = client.post(f"{url}/votes", json={"choices": {str(n): choice for n in agenda}}, headers=login(username))
        assert r.status_code == 201, r.text
        assert r.json() == {"box": f"council_session:{sid}", "voter": MEMBERS[username], "channel": "in_person", "received": True}
    assert client.get(url, headers=login("chutich")).json()["papers_received"] == len(voters)

    # The Board closes and counts; the results are counts and outcomes per nomination.
    r = client.post(f"{url}/close", headers=login(BOARD))
    assert r.status_code == 200, r.text
    minutes = r.json()["minutes"]
    assert minutes["papers"] == len(voters) and [item["nomination_id"] for item in minutes["items"]] == agenda
    by_id = {item["nomination_id"]: item for item in minutes["items"]}
    assert by_id[nid]["outcome"] == "passed"
    assert client.get(f"{url}/results", headers=login("chutich")).json()["minutes"] == minutes
    with Session(demo_engine) as s:
        assert s.get(Nomination, nid).state == "council_passed"  # type: ignore[union-attr]
        outcomes = {i.nomination_id: i.outcome for i in s.exec(select(CouncilAgendaItem).where(CouncilAgendaItem.session_id == sid))}
    assert outcomes == {n: by_id[n]["outcome"] for n in agenda}

    # The minutes are signed (a stale version is refused first), and the next session scheduled.
    etag = client.get(url, headers=login(BOARD)).headers["ETag"]
    stale = f'"v{int(etag.strip(chr(34)).removeprefix("v")) - 1}"'
    before = fingerprint(demo_engine)
    assert_error_shape(client.post(f"{url}/sign-minutes", json={"signed_by": "Trần Văn Khải"}, headers={**login(BOARD), "If-Match": stale}), 409)
    assert fingerprint(demo_engine) == before
    r = client.post(f"{url}/sign-minutes", json={"signed_by": "Trần Văn Khải"}, headers={**login(BOARD), "If-Match": etag})
    assert r.status_code == 200 and r.json()["state"] == "minutes_signed" and r.json()["minutes_signed_by"] == "Trần Văn Khải"
    body = {"year": 2026, "title_vi": "Phiên họp Hội đồng TĐKT Thành phố (đợt 2)", "scheduled_on": "2026-12-20"}
    r = client.post("/council-sessions", json=body, headers={**login(BOARD), "Idempotency-Key": "dot-2"})
    assert r.status_code == 201 and r.json()["state"] == "scheduled" and r.headers["Location"] == f"/council-sessions/{r.json()['id']}"
    assert client.post("/council-sessions", json=body, headers={**login(BOARD), "Idempotency-Key": "dot-2"}).json() == r.json()
    assert client.get("/council-sessions", headers=login("chutich")).json()["total"] == 2


def test_council_refusals_change_nothing(client: TestClient, login: Callable[[str], dict[str, str]],
                                         council_accounts: None, demo_engine: Engine) -> None:
    sid = demo_session(demo_engine)
    url = f"/council-sessions/{sid}"
    stale = client.get(url, headers=login(BOARD)).headers["ETag"]
    nid = at_council(demo_engine)
    assert client.post(f"{url}/agenda", json={"nomination_id": nid}, headers=login(BOARD)).status_code == 201
    present = sorted(MEMBERS.values())
    checks = [
        # the session moved on since the ETag was read
        (BOARD, f"{url}/open", {"json": {"present": present}, "headers": {"If-Match": stale}}, 409, "conflict"),
        # a council member does not run the session
        ("hd.thanhvien", f"{url}/open", {"json": {"present": present}}, 403, "forbidden"),
        # nor does the system administrator: the Board's officer runs it (domain.md §2)
        ("admin", f"{url}/open", {"json": {"present": present}}, 403, "forbidden"),
        # voting before the session opens
        ("hd.thanhvien", f"{url}/votes", {"json": {"choices": {str(nid): "yes"}}}, 409, "conflict"),
        # closing a session that is not open
        (BOARD, f"{url}/close", {}, 409, None),
        # a unit's submitter: sessions are not in its scope
        ("cb.soyt", f"{url}/agenda", {"json": {"nomination_id": nid}}, 404, None),
    ]
    for user, path, kwargs, status, code in checks:
        before = fingerprint(demo_engine)
        r = client.post(path, headers={**login(user), **kwargs.pop("headers", {})}, **kwargs)
        assert_error_shape(r, status, code)
        assert fingerprint(demo_engine) == before, (user, path)

    assert client.post(f"{url}/open", json={"present": present}, headers=login(BOARD)).status_code == 200
    for path, kwargs in ((f"{url}/close", {}), (f"{url}/arrivals", {"json": {"member": present[0]}})):
        before = fingerprint(demo_engine)
        assert_error_shape(client.post(path, headers=login("admin"), **kwargs), 403, "forbidden")
        assert fingerprint(demo_engine) == before and client.get(url, headers=login(BOARD)).json()["state"] == "open"
    assert client.post(f"{url}/votes", json={"choices": {str(nid): "yes"}}, headers=login("hd.thanhvien")).status_code == 201
    checks = [
        ("hd.thanhvien", {"choices": {str(nid): "no"}}, 409, "already_voted"),  # a second paper
        (BOARD, {"choices": {str(nid): "yes"}}, 403, "not_a_voter"),  # a city role, not a member
        ("tt.soyt", {"choices": {str(nid): "yes"}}, 404, None),  # out of scope
        ("hd.sonv", {"choices": {"999999": "yes"}}, 422, None),  # not on the agenda
    ]
    for user, paper, status, code in checks:
        before = fingerprint(demo_engine)
        assert_error_shape(client.post(f"{url}/votes", json=paper, headers=login(user)), status, code)
        assert fingerprint(demo_engine) == before, user
    assert_error_shape(client.get("/council-sessions/999999", headers=login(BOARD)), 404)
    assert client.get("/council-sessions", headers=login("cum7.truong")).json() == {"items": [], "total": 0, "limit": 50, "offset": 0}


def test_produced_documents_download_in_scope_only(client: TestClient, login: Callable[[str], dict[str, str]], demo_engine: Engine) -> None:
    with Session(demo_engine) as s:
        target = plans(s, "start_appraisal", "SO_GDDT")[0]  # received by the Board
    nid, _ = prepare(demo_engine, target, with_attachment=False)
    with Session(demo_engine, expire_on_commit=False) as s:
        n = s.get(Nomination, nid)
        docs = assemble_dossier(s, nid, actor=Actor("ban", Role.BOARD_OFFICER))
    listed = client.get(f"/nominations/{n.id}", headers=login("cb.sogddt")).json()["documents"]
    assert {d["id"] for d in listed} == {d.id for d in docs}
    doc = listed[0]
    r = client.get(f"/documents/{doc['id']}", headers=login("cb.sogddt"))
    assert r.status_code == 200 and hashlib.sha256(r.content).hexdigest() == doc["sha256"] == r.headers["ETag"].strip('"')
    assert r.headers["content-type"].startswith(doc["content_type"].split(";")[0])
    assert client.get(f"/documents/{doc['id']}", headers=login("ban.tdkt")).status_code == 200
    assert_error_shape(client.get(f"/documents/{doc['id']}", headers=login("cb.soyt")), 404)  # another unit guessing the id
    assert_error_shape(client.get("/documents/999999", headers=login("cb.sogddt")), 404)
    assert_error_shape(client.get(f"/documents/{doc['id']}"), 401)


def test_agenda_removal_and_late_arrival(client: TestClient, login: Callable[[str], dict[str, str]],
                                         council_accounts: None, demo_engine: Engine) -> None:
    """The Board takes a nomination off the agenda (with the reason) before the session, and counts
    a member who arrives late; refusals change nothing."""
    sid = demo_session(demo_engine)
    url = f"/council-sessions/{sid}"
    nid = at_council(demo_engine)
    assert client.post(f"{url}/agenda", json={"nomination_id": nid}, headers=login(BOARD)).status_code == 201
    agenda = [i["nomination_id"] for i in client.get(url, headers=login(BOARD)).json()["agenda"]]
    assert nid in agenda
    refusals = [
        (BOARD, f"{url}/agenda/{nid}/remove", {"reason": "  "}, 422),  # no reason
        ("hd.thanhvien", f"{url}/agenda/{nid}/remove", {"reason": "Rút hồ sơ."}, 403),  # a member does not prepare the agenda
        ("cb.soyt", f"{url}/agenda/{nid}/remove", {"reason": "Rút hồ sơ."}, 404),  # not in a unit's scope
        (BOARD, f"{url}/agenda/999999/remove", {"reason": "Rút hồ sơ."}, 404),  # not on the agenda
        (BOARD, f"{url}/arrivals", {"member": "HD01"}, 409),  # the session is not open yet
    ]
    for user, path, body, status in refusals:
        before = fingerprint(demo_engine)
        assert_error_shape(client.post(path, json=body, headers=login(user)), status)
        assert fingerprint(demo_engine) == before, (user, path)
    r = client.post(f"{url}/agenda/{nid}/remove", json={"reason": "Đơn vị đề nghị rút để bổ sung minh chứng."}, headers=login("admin"))
    assert r.status_code == 200, r.text
    assert [i["nomination_id"] for i in r.json()["agenda"]] == [n for n in agenda if n != nid]
    with Session(demo_engine) as s:
        entry = s.exec(select(AuditEntry).where(AuditEntry.chain == f"council_session:{sid}", AuditEntry.action == "remove_from_agenda")).one()
        assert entry.reason == unicodedata.normalize("NFC", "Đơn vị đề nghị rút để bổ sung minh chứng.")
        assert json.loads(entry.payload) == {"nomination_id": nid}

    present = sorted(MEMBERS.values())[:-1]
    late = sorted(MEMBERS.values())[-1]
    assert client.post(f"{url}/open", json={"present": present}, headers=login(BOARD)).status_code == 200
    for user, body, status in (("admin", {"member": late}, 403), (BOARD, {"member": "HD99"}, 422), ("hd.thanhvien", {"member": late}, 403)):
        before = fingerprint(demo_engine)
        assert_error_shape(client.post(f"{url}/arrivals", json=body, headers=login(user)), status)
        assert fingerprint(demo_engine) == before, (user, body)
    r = client.post(f"{url}/arrivals", json={"member": late}, headers=login(BOARD))
    assert r.status_code == 200, r.text
    assert late in r.json()["present"] and len(r.json()["present"]) == len(present) + 1
    # A member who already voted in writing cannot be counted present to vote again: shown by the
    # service's own refusal (409) once a paper is in; here the late member votes in person.
    me = [u for u, code in MEMBERS.items() if code == late][0]
    assert client.post(f"{url}/votes", json={"choices": {str(n): "yes" for n in agenda if n != nid}}, headers=login(me)).status_code == 201
    before = fingerprint(demo_engine)
    assert_error_shape(client.post(f"{url}/arrivals", json={"member": late}, headers=login(BOARD)), 409)
    assert fingerprint(demo_engine) == before
