"""Duplicate and overlap detection over HTTP: the nominee's other nominations of the same level
and year, or with the same achievement in another campaign, are flagged (a warning, with the
other nomination's id) in the nomination's view and in the submission's audit entry."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from service.models import Nomination, Person
from tests.e2e.conftest import assert_error_shape, fingerprint

Login = Callable[[str], dict[str, str]]


def nomination_of(engine: Engine, person: str, award: str, state: str | None = None) -> Nomination:
    with Session(engine) as s:
        pid = s.exec(select(Person.id).where(Person.code == person)).one()
        query = select(Nomination).where(Nomination.person_id == pid, Nomination.award_code == award)
        if state:
            query = query.where(Nomination.state == state)
        return s.exec(query.order_by(Nomination.id)).first()  # type: ignore[return-value]


def test_two_city_level_awards_for_one_person_in_one_year_are_flagged_both_ways(
    client: TestClient, login: Login, demo_engine: Engine
) -> None:
    fighter = nomination_of(demo_engine, "P001", "CSTD_TP")  # at the council
    merit = nomination_of(demo_engine, "P001", "BK_TP", "draft")
    seen = client.get(f"/nominations/{fighter.id}", headers=login("ban.tdkt")).json()["overlaps"]
    assert [(f["kind"], f["other_id"], f["other_award_code"]) for f in seen] == [("same_level_same_year", merit.id, "BK_TP")]
    assert f"#{merit.id}" in seen[0]["message_vi"] and f"#{merit.id}" in seen[0]["message_en"]

    # Flags warn, they do not block: the draft is submitted and its submission records the overlap.
    r = client.post(f"/nominations/{merit.id}/actions/submit", headers=login("cb.sogddt"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["state"] == "awaiting_unit_head"
    assert [f["other_id"] for f in body["overlaps"]] == [fighter.id]
    submitted = [e for e in body["timeline"] if e["action"] == "submit"][-1]
    assert submitted["payload"]["overlaps"] == [{"kind": "same_level_same_year", "nomination_id": fighter.id}]


def test_the_same_achievement_in_another_campaign_is_flagged(client: TestClient, login: Login, demo_engine: Engine) -> None:
    fighter = nomination_of(demo_engine, "P001", "CSTD_TP")
    # The same text, re-cased and without accents: still the same achievement.
    text = "sang kien doi moi phuong phap day Vat ly duoc ap dung toan thanh pho"
    r = client.post("/nominations", headers=login("cb.sogddt"), json={
        "award_code": "DOT_XUAT", "campaign_code": "DX-2026", "year": 2026, "person_code": "P001", "achievements": text})
    assert r.status_code == 201, r.text
    flags = {(f["kind"], f["other_id"]) for f in r.json()["overlaps"]}
    assert ("same_achievement", fighter.id) in flags
    assert next(f["similarity"] for f in r.json()["overlaps"] if f["kind"] == "same_achievement") >= 0.8
    # The older nomination now shows the new one too.
    seen = client.get(f"/nominations/{fighter.id}", headers=login("ban.tdkt")).json()["overlaps"]
    assert ("same_achievement", r.json()["id"]) in {(f["kind"], f["other_id"]) for f in seen}


def test_a_different_achievement_at_another_level_is_not_flagged_and_a_withdrawn_one_stops_counting(
    client: TestClient, login: Login, demo_engine: Engine
) -> None:
    officer = login("cb.sogddt")
    fighter = nomination_of(demo_engine, "P001", "CSTD_TP")
    # National Emulation Fighter (decided by the Prime Minister), another campaign, another achievement.
    r = client.post("/nominations", headers=officer, json={
        "award_code": "CSTD_TQ", "campaign_code": "DX-2026", "year": 2026, "person_code": "P001",
        "achievements": "Đạt giải Nhất hội thi giáo viên dạy giỏi toàn quốc."})
    assert r.status_code == 201, r.text
    assert r.json()["overlaps"] == []
    # An ad-hoc city award in the same year overlaps the City Emulation Fighter …
    r = client.post("/nominations", headers=officer, json={
        "award_code": "DOT_XUAT", "campaign_code": "DX-2026", "year": 2026, "person_code": "P001",
        "achievements": "Cứu người trong vụ cháy chung cư."})
    assert r.status_code == 201, r.text
    ad_hoc = r.json()["id"]
    seen = client.get(f"/nominations/{fighter.id}", headers=officer).json()["overlaps"]
    assert ("same_level_same_year", ad_hoc) in {(f["kind"], f["other_id"]) for f in seen}
    # … until it is withdrawn: a withdrawn nomination overlaps nothing.
    r = client.post(f"/nominations/{ad_hoc}/actions/withdraw", headers=officer, json={"reason": "Trùng với hồ sơ CSTĐ TP."})
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "withdrawn" and r.json()["overlaps"] == []
    seen = client.get(f"/nominations/{fighter.id}", headers=officer).json()["overlaps"]
    assert ad_hoc not in [f["other_id"] for f in seen]


def test_the_exact_duplicate_of_an_open_nomination_is_still_refused(client: TestClient, login: Login, demo_engine: Engine) -> None:
    merit = nomination_of(demo_engine, "P001", "BK_TP", "draft")
    before = fingerprint(demo_engine)
    r = client.post("/nominations", headers=login("cb.sogddt"), json={
        "award_code": "BK_TP", "campaign_code": "TK-2026", "year": 2026, "person_code": "P001"})
    error = assert_error_shape(r, 422, "duplicate_nomination")
    assert f"#{merit.id}" in error["message_vi"] and error["details"] == {"nomination_id": merit.id}
    assert fingerprint(demo_engine) == before
