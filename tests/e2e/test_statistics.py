"""Statistics over HTTP: counts by award and state, processing time per step against the SLA,
returns and their reasons, the shares the city reports on; JSON and .xlsx; city roles only."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from service.models import Campaign, Nomination
from tests.e2e.conftest import assert_error_shape

Login = Callable[[str], dict[str, str]]


def test_statistics_of_the_demo(client: TestClient, login: Login, demo_engine: Engine) -> None:
    board = login("ban.tdkt")
    with Session(demo_engine) as s:
        campaign = s.exec(select(Campaign).where(Campaign.code == "TK-2026")).one()
        expected = Counter((n.award_code, n.state) for n in s.exec(select(Nomination).where(Nomination.campaign_id == campaign.id)))
    r = client.get("/statistics", params={"campaign_id": campaign.id}, headers=board)
    assert r.status_code == 200, r.text
    data = r.json()
    assert {(c["award_code"], c["state"]): c["count"] for c in data["counts"]} == dict(expected)
    assert data["nominations"] == sum(expected.values())
    # The demo returned two Certificate of Merit dossiers, each with its reason.
    reasons = {x["reason"] for x in data["returns"]["by_reason"] if x["action"] == "return_for_completion"}
    assert "Thiếu biên bản họp bình xét của Hội đồng TĐKT đơn vị; đề nghị bổ sung." in reasons
    assert data["returns"]["total"] >= 2
    appraisal = next(s for s in data["steps"] if s["clock"] == "appraisal")
    assert appraisal["count"] >= 3 and appraisal["sla_working_days"] == 20
    assert appraisal["median_working_days"] <= appraisal["p90_working_days"] and appraisal["over_sla"] == 0
    # P003 (a front-line worker) holds the campaign's one standing individual award.
    front = data["shares"]["front_line_individuals"]
    assert (front["awards"], front["of"], front["share"], front["met"]) == (1, 1, 1.0, True)
    assert data["shares"]["small_collectives"]["share"] is None and data["shares"]["target_to_confirm"] is True
    assert "seed 003" in data["shares"]["citation"]

    unit = client.get("/statistics", params={"unit": "SO_GDDT"}, headers=board).json()
    assert 0 < unit["nominations"] < data["nominations"] + 10
    with Session(demo_engine) as s:
        assert unit["nominations"] == len(s.exec(select(Nomination).where(Nomination.proposing_unit_code == "SO_GDDT")).all())

    book = client.get("/statistics.xlsx", params={"campaign_id": campaign.id}, headers=login("admin"))
    assert book.status_code == 200
    sheets = load_workbook(io.BytesIO(book.content))
    assert sheets.sheetnames == ["Số lượng", "Thời gian xử lý", "Trả lại", "Tỷ lệ", "Căn cứ"]
    assert sum(row[2] for row in list(sheets["Số lượng"].iter_rows(values_only=True))[1:]) == data["nominations"]


def test_statistics_refusals(client: TestClient, login: Login) -> None:
    assert_error_shape(client.get("/statistics"), 401)
    assert_error_shape(client.get("/statistics", headers=login("cb.sogddt")), 403)
    assert_error_shape(client.get("/statistics", params={"year": 1800}, headers=login("admin")), 422)
    assert_error_shape(client.get("/statistics.xlsx", params={"campaign_id": 0}, headers=login("admin")), 422)
