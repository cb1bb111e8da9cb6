"""Excel in and out over HTTP: the list of nominees ("danh sách trích ngang") is previewed row by
row with every problem before anything is written, applied in one transaction or not at all, and
a malformed spreadsheet is 422 with the row and column; list views and decision annexes export to
.xlsx."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from service.models import Decision, Nomination
from service.nominee_import import COLUMNS
from tests.e2e.conftest import assert_error_shape, fingerprint

Login = Callable[[str], dict[str, str]]
TEMPLATE = Path(__file__).resolve().parents[2] / "docs" / "danh-sach-trich-ngang.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADINGS = [c.heading for c in COLUMNS]


def sheet(*rows: dict[str, Any], headings: list[str] = HEADINGS) -> bytes:
    workbook = Workbook()
    ws = workbook.active
    ws.append(headings)
    keys = [c.key for c in COLUMNS]
    for row in rows:
        ws.append([row.get(k) for k in keys])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(data: bytes, name: str = "danh-sach.xlsx") -> dict[str, Any]:
    return {"files": {"file": (name, data, XLSX)}}


COLLECTIVE = {"unit_code": "SO_GDDT", "full_name": "Sở Giáo dục và Đào tạo", "award_code": "HC_LD", "campaign_code": "TK-2026",
              "year": 2026, "achievements": "Hoàn thành xuất sắc nhiệm vụ năm 2026."}
NOT_ELIGIBLE = {"person_code": "P021", "full_name": "Kiều Văn Nam", "birth_date": "05/06/1970", "award_code": "CSTD_TP",
                "campaign_code": "TK-2026", "year": 2026}


def problems(row: dict[str, Any]) -> set[tuple[str, str]]:
    return {(p["severity"], p["code"]) for p in row["problems"]}


def test_preview_lists_every_problem_row_by_row_and_writes_nothing(client: TestClient, login: Login, demo_engine: Engine) -> None:
    data = sheet(
        COLLECTIVE,
        {**COLLECTIVE, "unit_code": "SO_KHONG_CO", "full_name": "Đơn vị không có"},
        {**NOT_ELIGIBLE, "award_code": "CSTD_TQ", "birth_date": "31/02/1970"},
        {"person_code": "P004", "award_code": "CSTD_TP", "campaign_code": "TK-2026", "year": 2026},
        NOT_ELIGIBLE,
        {**COLLECTIVE, "year": "hai nghìn"},
    )
    before = fingerprint(demo_engine)
    r = client.post("/imports/nominees/preview", headers=login("cb.sogddt"), **upload(data))
    assert r.status_code == 200, r.text
    plan = r.json()
    assert fingerprint(demo_engine) == before
    rows = {row["row"]: row for row in plan["rows"]}
    assert sorted(rows) == [2, 3, 4, 5, 6, 7] and plan["ok"] is False and plan["applied"] is False
    assert rows[2]["action"] == "create" and not any(p["severity"] == "error" for p in rows[2]["problems"])
    assert ("error", "unknown_unit") in problems(rows[3])
    assert ("error", "bad_date") in problems(rows[4])
    assert ("error", "missing") in problems(rows[5])  # the name cell left empty
    assert ("warning", "not_eligible") in problems(rows[6]) and rows[6]["action"] == "create"
    assert ("warning", "same_level_same_year") in problems(rows[6])  # P021 already has an open Certificate of Merit
    assert ("error", "bad_year") in problems(rows[7])
    assert plan["rows_with_errors"] == 4
    column = next(p["column"] for p in rows[3]["problems"] if p["code"] == "unknown_unit")
    assert column == "Mã tập thể"

    # Apply with errors: 422 carrying the same preview, and nothing is created.
    r = client.post("/imports/nominees", headers=login("cb.sogddt"), **upload(data))
    error = assert_error_shape(r, 422, "import_has_errors")
    assert error["details"]["rows_with_errors"] == 4
    assert fingerprint(demo_engine) == before


def test_the_template_s_example_is_a_duplicate_of_an_open_draft(client: TestClient, login: Login) -> None:
    r = client.post("/imports/nominees/preview", headers=login("cb.sogddt"), **upload(TEMPLATE.read_bytes()))
    assert r.status_code == 200, r.text
    [row] = r.json()["rows"]
    assert ("error", "duplicate") in problems(row) and row["action"] == "skip"


def test_apply_creates_every_row_in_one_transaction(client: TestClient, login: Login, demo_engine: Engine) -> None:
    before = fingerprint(demo_engine)
    r = client.post("/imports/nominees", headers=login("cb.sogddt"), **upload(sheet(COLLECTIVE, NOT_ELIGIBLE)))
    assert r.status_code == 201, r.text
    plan = r.json()
    assert plan["applied"] is True and [row["action"] for row in plan["rows"]] == ["created", "created"]
    ids = [row["nomination_id"] for row in plan["rows"]]
    after = fingerprint(demo_engine)
    assert after["nominations"] == before["nominations"] + 2
    with Session(demo_engine) as s:
        made = [s.get(Nomination, i) for i in ids]
        assert [(n.state, n.award_code, n.proposing_unit_code) for n in made] == [("draft", "HC_LD", "SO_GDDT"), ("draft", "CSTD_TP", "SO_GDDT")]
    shown = client.get(f"/nominations/{ids[0]}", headers=login("cb.sogddt")).json()
    assert [e["action"] for e in shown["timeline"]] == ["create"]
    # The same list again: every row is now a duplicate of what the first import created.
    again = client.post("/imports/nominees", headers=login("cb.sogddt"), **upload(sheet(COLLECTIVE, NOT_ELIGIBLE)))
    assert_error_shape(again, 422, "import_has_errors")
    assert fingerprint(demo_engine) == after


def test_a_malformed_spreadsheet_is_422_with_row_and_column(client: TestClient, login: Login, demo_engine: Engine) -> None:
    officer = login("cb.sogddt")
    before = fingerprint(demo_engine)
    for route in ("/imports/nominees/preview", "/imports/nominees"):
        error = assert_error_shape(client.post(route, headers=officer, **upload(b"PK\x03\x04 not really a workbook")), 422)
        assert ".xlsx" in error["message_vi"]
        bad = [*HEADINGS[:2], "Cột lạ", *HEADINGS[3:]]
        error = assert_error_shape(client.post(route, headers=officer, **upload(sheet(COLLECTIVE, headings=bad))), 422)
        assert error["details"] == {"row": 1, "column": "C"} and "C1" in error["message_vi"]
        error = assert_error_shape(client.post(route, headers=officer, **upload(sheet(headings=HEADINGS[:5]))), 422)
        assert error["details"]["row"] == 1 and "Mã hình thức khen thưởng" in error["message_vi"]
        error = assert_error_shape(client.post(route, headers=officer, **upload(sheet())), 422)
        assert error["details"]["row"] == 2
    assert_error_shape(client.post("/imports/nominees/preview", headers=officer), 422)  # no file
    assert_error_shape(client.post("/imports/nominees/preview", headers=login("chutich"), **upload(sheet(COLLECTIVE))), 403)
    # Another unit's collective is refused by the create function's scope rule, as an error of its row.
    r = client.post("/imports/nominees/preview", headers=login("cb.soyt"), **upload(sheet(COLLECTIVE)))
    assert r.status_code == 200 and ("error", "refused") in problems(r.json()["rows"][0])
    assert fingerprint(demo_engine) == before


def test_list_view_and_decision_annex_export_to_xlsx(client: TestClient, login: Login, demo_engine: Engine) -> None:
    officer = login("cb.sogddt")
    listed = client.get("/nominations", params={"limit": 200}, headers=officer).json()
    r = client.get("/exports/nominations.xlsx", headers=officer)
    assert r.status_code == 200 and r.headers["content-type"] == XLSX
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "Số hồ sơ" and [row[0] for row in rows[1:]] == [n["id"] for n in listed["items"]]
    drafts = client.get("/exports/nominations.xlsx", params={"state": "draft"}, headers=officer)
    assert {row[7] for row in list(load_workbook(io.BytesIO(drafts.content)).active.iter_rows(values_only=True))[1:]} == {"Dự thảo"}

    with Session(demo_engine) as s:
        decision = s.exec(select(Decision).where(Decision.number == "5120/QĐ-UBND")).one()
        awardee = s.exec(select(Nomination).where(Nomination.decision_id == decision.id)).one()
    r = client.get(f"/exports/decisions/{decision.id}/annex.xlsx", headers=login("ban.tdkt"))
    assert r.status_code == 200, r.text
    book = load_workbook(io.BytesIO(r.content))
    annex = list(book["Phụ lục"].iter_rows(values_only=True))
    assert annex[1][:2] == (1, awardee.nominee_name) and len(annex) == 2
    assert ("Số quyết định", "5120/QĐ-UBND") in list(book["Quyết định"].iter_rows(values_only=True))
    assert_error_shape(client.get("/exports/decisions/999999/annex.xlsx", headers=login("ban.tdkt")), 404)
    assert_error_shape(client.get(f"/exports/decisions/{decision.id}/annex.xlsx", headers=officer), 403)
