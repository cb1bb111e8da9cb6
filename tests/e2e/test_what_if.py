"""The what-if calendar over HTTP: a plan is simulated over the working-day calendar (which steps
and clusters would miss their dates) without writing anything; accepting it makes it the
campaign's calendar, audited, and the statutory clock then uses it."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from service.models import AuditEntry, Campaign
from tests.e2e.conftest import assert_error_shape, fingerprint

Login = Callable[[str], dict[str, str]]


def campaign_id(engine: Engine, code: str = "TK-2026") -> int:
    with Session(engine) as s:
        return s.exec(select(Campaign.id).where(Campaign.code == code)).one()  # type: ignore[return-value]


# Cluster 7 starts its ballot late (20 January 2027: the 20 working days run across Tết), Cluster 6 early.
LATE_PLAN = {"calendar": {"filing": "2027-01-15", "cluster_ballot": "2027-01-29", "signature": "2027-06-30"},
             "cluster_starts": {"CUM_6": "2026-12-01", "CUM_7": "2027-01-20"}, "awards": ["CO_TD_TP", "BK_TP"]}


def test_a_plan_is_simulated_without_writing(client: TestClient, login: Login, demo_engine: Engine) -> None:
    cid = campaign_id(demo_engine)
    before = fingerprint(demo_engine)
    r = client.post(f"/campaigns/{cid}/what-if", headers=login("ban.tdkt"), json=LATE_PLAN)
    assert r.status_code == 200, r.text
    result = r.json()
    assert fingerprint(demo_engine) == before
    assert result["clusters_missing"] == ["CUM_7"] and result["steps_missing"] == ["cluster_ballot"]
    routes = {(x["award_code"], x["track"], x["cluster"]): x for x in result["routes"]}
    late = routes[("CO_TD_TP", "cluster", "CUM_7")]
    ballot = late["steps"][0]
    assert (ballot["step"], ballot["starts"], ballot["final"], ballot["misses"]) == ("cluster_ballot", "2027-01-20", "2027-01-29", True)
    assert ballot["slack_working_days"] < 0 and late["misses"] is True
    assert routes[("CO_TD_TP", "cluster", "CUM_6")]["misses"] is False
    unit = routes[("BK_TP", "unit", None)]
    assert unit["steps"][0]["starts"] == "2027-01-15" and unit["decided_on"] <= "2027-06-30"

    # Asking for decisions before the filing deadline makes every route miss.
    tight = client.post(f"/campaigns/{cid}/what-if", headers=login("admin"), json={**LATE_PLAN, "decide_by": "2027-01-16"}).json()
    assert tight["routes_missing"] == len(tight["routes"])


def test_accepting_a_plan_sets_the_calendar_audited_and_refuses_a_late_one(client: TestClient, login: Login, demo_engine: Engine) -> None:
    cid = campaign_id(demo_engine)
    board = login("ban.tdkt")
    before = fingerprint(demo_engine)
    refused = client.put(f"/campaigns/{cid}/calendar", headers=board, json=LATE_PLAN)
    error = assert_error_shape(refused, 409)
    assert error["details"]["clusters_missing"] == ["CUM_7"]
    assert fingerprint(demo_engine) == before

    good = {**LATE_PLAN, "cluster_starts": {"CUM_6": "2026-12-01", "CUM_7": "2026-12-01"}}
    r = client.put(f"/campaigns/{cid}/calendar", headers=board, json=good)
    assert r.status_code == 200, r.text
    assert r.json()["campaign"]["calendar"] == {"cluster_ballot": "2027-01-29", "filing": "2027-01-15", "signature": "2027-06-30"}
    listed = {c["code"]: c for c in client.get("/campaigns", headers=login("cb.sogddt")).json()}
    assert listed["TK-2026"]["calendar"]["signature"] == "2027-06-30"
    with Session(demo_engine) as s:
        [entry] = s.exec(select(AuditEntry).where(AuditEntry.chain == f"campaign:{cid}")).all()
    assert entry.action == "set_calendar" and entry.actor == "ban.tdkt"
    assert client.get("/admin/audit/verify", headers=login("admin")).json()["intact"] is True

    # The late plan, knowingly accepted.
    forced = client.put(f"/campaigns/{cid}/calendar", headers=board, json={**LATE_PLAN, "accept_misses": True})
    assert forced.status_code == 200 and forced.json()["forecast"]["routes_missing"] > 0


def test_bad_plans_are_refused(client: TestClient, login: Login, demo_engine: Engine) -> None:
    cid = campaign_id(demo_engine)
    board = login("ban.tdkt")
    before = fingerprint(demo_engine)
    assert_error_shape(client.post(f"/campaigns/{cid}/what-if", headers=board, json={"calendar": {"ky_thuat": "2027-01-01"}}), 422)
    assert_error_shape(client.post(f"/campaigns/{cid}/what-if", headers=board, json={"calendar": {"appraisal": "2020-01-01"}}), 422)
    assert_error_shape(client.post(f"/campaigns/{cid}/what-if", headers=board, json={"calendar": {"appraisal": "31/01/2027"}}), 422)
    assert_error_shape(client.post(f"/campaigns/{cid}/what-if", headers=board, json={"calendar": {}, "cluster_starts": {"CUM_99": "2026-12-01"}}), 422)
    assert_error_shape(client.post(f"/campaigns/{cid}/what-if", headers=board, json={"calendar": {}, "awards": ["KHONG_CO"]}), 422)
    far = client.post(f"/campaigns/{cid}/what-if", headers=board, json={"calendar": {"signature": "2090-01-01"}, "default_cluster_start": "2089-12-01"})
    assert "2089" in assert_error_shape(far, 422)["message_en"]
    assert_error_shape(client.post("/campaigns/999999/what-if", headers=board, json={"calendar": {}}), 404)
    assert_error_shape(client.put(f"/campaigns/{cid}/calendar", headers=login("cb.sogddt"), json={"calendar": {}}), 403)
    assert_error_shape(client.put(f"/campaigns/{cid}/calendar", headers=login("chutich"), json={"calendar": {}}), 403)
    assert fingerprint(demo_engine) == before
