"""Export of decided awards for the national database, over HTTP: CSV and JSON with the fields
documented in docs/national-export.md; standing awards only; admin and Board only."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from service.national_export import FIELDS
from tests.e2e.conftest import assert_error_shape

Login = Callable[[str], dict[str, str]]
DOC = Path(__file__).resolve().parents[2] / "docs" / "national-export.md"


def test_the_documented_field_table_is_the_export_s_field_list() -> None:
    documented = re.findall(r"^\| `([a-z_0-9]+)` \|", DOC.read_text(encoding="utf-8"), flags=re.M)
    assert tuple(documented) == FIELDS


def test_json_and_csv_hold_the_standing_awards_only(client: TestClient, login: Login, demo_engine: Engine) -> None:
    board = login("ban.tdkt")
    r = client.get("/exports/national-awards", params={"format": "json"}, headers=board)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["schema"] == "tdkt-national-awards/1" and body["fields"] == list(FIELDS)
    numbers = {i["decision_number"] for i in body["items"]}
    assert "5120/QĐ-UBND" in numbers  # P003's City Emulation Fighter
    assert "5121/QĐ-UBND" not in numbers and "5300/QĐ-UBND" not in numbers  # revoked in the demo
    p003 = next(i for i in body["items"] if i["decision_number"] == "5120/QĐ-UBND")
    assert (p003["person_code"], p003["award_code"], p003["nominee_kind"], p003["decision_date"]) == ("P003", "CSTD_TP", "individual", "2026-11-20")
    assert p003["issuer"].startswith("Chủ tịch Ủy ban nhân dân") and p003["unit_code"]

    r = client.get("/exports/national-awards", params={"format": "csv"}, headers=login("admin"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert not r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8"))))
    assert [tuple(row) for row in rows[:1]] == [FIELDS]
    assert [row["decision_number"] for row in rows] == [i["decision_number"] for i in body["items"]]

    # Revoking removes the award from the next export.
    r = client.post(f"/nominations/{p003['nomination_id']}/actions/revoke", headers=login("chutich"), json={
        "reason": "Kê khai sai.", "document_number": "9101/QĐ-UBND", "signed_on": "2026-11-22", "signer": "Chủ tịch UBND Thành phố"})
    assert r.status_code == 200, r.text
    after = client.get("/exports/national-awards", headers=board).json()
    assert p003["nomination_id"] not in [i["nomination_id"] for i in after["items"]]
    assert after["count"] == body["count"] - 1

    filtered = client.get("/exports/national-awards", params={"decided_from": "2027-01-01"}, headers=board).json()
    assert filtered["items"] == [] and filtered["count"] == 0


def test_export_refusals(client: TestClient, login: Login) -> None:
    assert_error_shape(client.get("/exports/national-awards"), 401)
    assert_error_shape(client.get("/exports/national-awards", headers=login("cb.sogddt")), 403)
    assert_error_shape(client.get("/exports/national-awards", headers=login("chutich")), 403)
    assert_error_shape(client.get("/exports/national-awards", params={"format": "xml"}, headers=login("admin")), 422)
    assert_error_shape(client.get("/exports/national-awards", params={"decided_from": "2026-12-01", "decided_to": "2026-01-01"},
                                  headers=login("admin")), 422)
