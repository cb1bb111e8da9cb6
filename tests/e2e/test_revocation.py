"""Revocation with its consequences, over HTTP: the revoking decision is recorded apart from the
award's own; every award that counted the revoked title gets a review task; revoking what is not
decided is 409 and changes nothing; review tasks are listed and closed once."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from service.models import Decision, Nomination, Person
from tests.e2e.conftest import assert_error_shape, fingerprint

Login = Callable[[str], dict[str, str]]
SIGNED = {"signed_on": "2026-11-22", "signer": "Chủ tịch UBND Thành phố"}


def nomination_of(engine: Engine, person: str, award: str) -> Nomination:
    with Session(engine) as s:
        pid = s.exec(select(Person.id).where(Person.code == person)).one()
        return s.exec(select(Nomination).where(Nomination.person_id == pid, Nomination.award_code == award)
                      .order_by(Nomination.id)).first()  # type: ignore[return-value]


def title_id(client: TestClient, headers: dict[str, str], person: str, year: int, title: str) -> int:
    r = client.get("/titles", params={"person_code": person}, headers=headers)
    assert r.status_code == 200, r.text
    return next(t["id"] for t in r.json() if (t["year"], t["title"]) == (year, title))


def decision_number(engine: Engine, decision_id: int | None) -> str | None:
    with Session(engine) as s:
        d = s.get(Decision, decision_id) if decision_id else None
        return d.number if d else None


def test_revoking_a_grassroots_year_opens_a_review_of_the_city_fighter_title_that_counted_it(
    client: TestClient, login: Login, demo_engine: Engine
) -> None:
    board = login("ban.tdkt")
    fighter = nomination_of(demo_engine, "P003", "CSTD_TP")  # awarded by 5120/QĐ-UBND
    assert fighter.state == "awarded"
    tid = title_id(client, board, "P003", 2025, "CSTD_CS")
    r = client.post(f"/titles/{tid}/revoke", headers=board, json={
        "reason": "Kê khai sai sáng kiến năm 2025.", "document_number": "88/QĐ-UBND", **SIGNED})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["title"]["revoked_by"] == "88/QĐ-UBND"
    [review] = body["reviews"]
    assert review["nomination_id"] == fighter.id and review["cause"] == f"title:{tid}"
    assert (review["title"], review["title_year"], review["status"]) == ("CSTD_CS", 2025, "open")
    assert review["unmet"] and all(f["message_vi"] and f["citation"] for f in review["unmet"])

    # The title no longer counts: the eligibility check now fails for the same award.
    check = client.post("/eligibility/check", headers=board, json={"award_code": "CSTD_TP", "person_code": "P003", "year": 2026})
    assert check.json()["passed"] is False

    listed = client.get("/reviews", params={"status": "open"}, headers=board).json()
    assert [i["id"] for i in listed["items"]] == [review["id"]] and listed["total"] == 1

    # Revoking the same title twice is refused, and changes nothing.
    before = fingerprint(demo_engine)
    again = client.post(f"/titles/{tid}/revoke", headers=board, json={
        "reason": "Lần hai.", "document_number": "89/QĐ-UBND", **SIGNED})
    assert "88/QĐ-UBND" in assert_error_shape(again, 409)["message_vi"]
    assert fingerprint(demo_engine) == before

    closed = client.post(f"/reviews/{review['id']}/close", headers=board, json={"resolution": "Trình Chủ tịch thu hồi danh hiệu CSTĐ TP."})
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed" and closed.json()["closed_by"]
    before = fingerprint(demo_engine)
    twice = client.post(f"/reviews/{review['id']}/close", headers=board, json={"resolution": "Lần hai."})
    assert_error_shape(twice, 409)
    assert fingerprint(demo_engine) == before
    assert client.get("/reviews", params={"status": "open"}, headers=board).json()["total"] == 0

    audit = client.get("/admin/audit/verify", headers=login("admin")).json()
    assert audit == {"intact": True, "problems": []}


def test_revoking_a_decided_award_keeps_its_decision_records_the_revoking_one_and_reviews_what_counted_it(
    client: TestClient, login: Login, demo_engine: Engine
) -> None:
    # P014 holds City Emulation Fighter 2022 and 2025 (history) and is proposed for the National one.
    national = nomination_of(demo_engine, "P014", "CSTD_TQ")
    unit, head, board, chair = login("cb.soyt"), login("tt.soyt"), login("ban.tdkt"), login("chutich")
    # A City Emulation Fighter award for 2025 decided in the system, then revoked.
    r = client.post("/nominations", headers=unit, json={
        "award_code": "CSTD_TP", "campaign_code": "TK-2026", "year": 2025, "person_code": "P014"})
    assert r.status_code == 201, r.text
    nid = r.json()["id"]
    steps = [(unit, "submit", {}), (head, "endorse", {}), (board, "receive", {}), (board, "start_appraisal", {}),
             (board, "send_to_council", {}), (board, "record_council_result", {"passed": True}),
             (chair, "decide", {"document_number": "6001/QĐ-UBND", **SIGNED})]
    for who, action, body in steps:
        r = client.post(f"/nominations/{nid}/actions/{action}", headers=who, json=body)
        assert r.status_code == 200, (action, r.text)
    award_decision = r.json()["decision_id"]

    r = client.post(f"/nominations/{nid}/actions/revoke", headers=chair, json={
        "reason": "Vi phạm quy trình bình xét.", "document_number": "6002/QĐ-UBND", **SIGNED})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["state"] == "revoked"
    assert body["decision_id"] == award_decision and decision_number(demo_engine, body["decision_id"]) == "6001/QĐ-UBND"
    assert decision_number(demo_engine, body["revocation_decision_id"]) == "6002/QĐ-UBND"
    entry = [e for e in body["timeline"] if e["action"] == "revoke"][-1]
    assert entry["reason"] == "Vi phạm quy trình bình xét." and entry["payload"]["reviews_for"] == [national.id]

    reviews = client.get("/reviews", headers=board).json()["items"]
    assert [(x["nomination_id"], x["cause"], x["revoking_decision"]) for x in reviews] == [(national.id, f"nomination:{nid}", "6002/QĐ-UBND")]
    # The history record of that title is marked revoked too.
    history = client.get("/titles", params={"person_code": "P014"}, headers=board).json()
    assert [t["revoked_by"] for t in history if (t["year"], t["title"]) == (2025, "CSTD_TP")] == ["6002/QĐ-UBND"]


def test_revoking_what_is_not_decided_is_409_and_changes_nothing(client: TestClient, login: Login, demo_engine: Engine) -> None:
    draft = nomination_of(demo_engine, "P004", "CSTD_TP")
    assert draft.state == "draft"
    before = fingerprint(demo_engine, draft.id)
    r = client.post(f"/nominations/{draft.id}/actions/revoke", headers=login("chutich"), json={
        "reason": "Thử thu hồi hồ sơ chưa quyết định.", "document_number": "7001/QĐ-UBND", **SIGNED})
    error = assert_error_shape(r, 409)
    assert f"#{draft.id}" in error["message_vi"] and "chưa có quyết định" in error["message_vi"]
    assert error["details"]["current_state"] == "draft"
    assert fingerprint(demo_engine, draft.id) == before


def test_bad_revocation_requests_are_refused(client: TestClient, login: Login, demo_engine: Engine) -> None:
    fighter = nomination_of(demo_engine, "P003", "CSTD_TP")
    before = fingerprint(demo_engine, fighter.id)
    chair, board = login("chutich"), login("ban.tdkt")
    # No revoking decision number.
    r = client.post(f"/nominations/{fighter.id}/actions/revoke", headers=chair, json={"reason": "Sai.", **SIGNED})
    assert_error_shape(r, 422)
    # A number already used by the award decision itself.
    r = client.post(f"/nominations/{fighter.id}/actions/revoke", headers=chair, json={
        "reason": "Sai.", "document_number": "5120/QĐ-UBND", **SIGNED})
    assert "5120/QĐ-UBND" in assert_error_shape(r, 422)["message_en"]
    # A title that does not exist, a review that does not exist, an empty resolution, a council member.
    assert_error_shape(client.post("/titles/999999/revoke", headers=board, json={"reason": "x", "document_number": "1/QĐ", **SIGNED}), 404)
    assert_error_shape(client.post("/reviews/999999/close", headers=board, json={"resolution": "x"}), 404)
    assert_error_shape(client.post("/reviews/1/close", headers=board, json={"resolution": ""}), 422)
    assert_error_shape(client.get("/titles", headers=board), 422)
    assert_error_shape(client.post("/titles/1/revoke", headers=login("hd.thanhvien"), json={"reason": "x", "document_number": "1/QĐ", **SIGNED}), 403)
    assert fingerprint(demo_engine, fighter.id) == before


def test_the_demo_revocation_kept_the_award_decision(demo_engine: Engine) -> None:
    revoked = nomination_of(demo_engine, "P010", "BK_TP")
    assert revoked.state == "revoked"
    assert decision_number(demo_engine, revoked.decision_id) == "5121/QĐ-UBND"
    assert decision_number(demo_engine, revoked.revocation_decision_id) == "5300/QĐ-UBND"
