"""``tdkt bulk``: the import template, a preview and an apply from the command line, the national
export and certificate issuing — the same service functions as the API."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from service.cli import app
from service.demo import DEMO_TODAY, DemoNomination, drive
from service.models import Certificate, Nomination

DECIDED = ["submit", "endorse", "receive", "start_appraisal", "send_to_council",
           {"record_council_result": {"passed": True}},
           {"decide": {"decision_number": "7777/QĐ-UBND", "signed_on": DEMO_TODAY, "signer": "Chủ tịch UBND Thành phố"}}]


@pytest.fixture
def cli(engine: Engine, process_database, demo_day) -> CliRunner:  # type: ignore[no-untyped-def]
    process_database(engine.url.render_as_string(hide_password=False))
    return CliRunner()


def test_template_preview_and_apply(session: Session, cli: CliRunner, tmp_path: Path) -> None:
    template = tmp_path / "mau.xlsx"
    assert cli.invoke(app, ["bulk", "template", str(template)]).exit_code == 0
    before = session.exec(select(func.count()).select_from(Nomination)).one()
    session.commit()
    preview = cli.invoke(app, ["bulk", "import", str(template), "--unit", "SO_GDDT", "--lang", "en"])
    assert preview.exit_code == 0, preview.output
    assert "row 2: create Nguyễn Thị Thu Hà BK_TP 2026" in preview.output
    assert session.exec(select(func.count()).select_from(Nomination)).one() == before
    session.commit()
    applied = cli.invoke(app, ["bulk", "import", str(template), "--unit", "SO_GDDT", "--apply"])
    assert applied.exit_code == 0 and "row 2: created" in applied.output
    assert session.exec(select(func.count()).select_from(Nomination)).one() == before + 1
    session.commit()
    again = cli.invoke(app, ["bulk", "import", str(template), "--unit", "SO_GDDT", "--apply", "--lang", "en"])
    assert again.exit_code == 1 and "[error]" in again.output  # now a duplicate of the draft just created
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(b"not a workbook")
    refused = cli.invoke(app, ["bulk", "import", str(broken), "--unit", "SO_GDDT"])
    assert refused.exit_code == 2 and ".xlsx" in refused.output


def test_national_export_and_certificates(session: Session, cli: CliRunner, tmp_path: Path) -> None:
    decided = drive(session, DemoNomination(person="P003", award="CSTD_TP", campaign="TK-2026", steps=DECIDED))  # type: ignore[arg-type]
    session.commit()
    out = tmp_path / "awards.csv"
    r = cli.invoke(app, ["bulk", "national-export", "--format", "csv", "-o", str(out)])
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [(x["person_code"], x["decision_number"]) for x in rows] == [("P003", "7777/QĐ-UBND")]
    first = cli.invoke(app, ["bulk", "issue-certificates"])
    assert first.exit_code == 0 and f"#{decided.id} " in first.output and "1 issued" in first.output
    second = cli.invoke(app, ["bulk", "issue-certificates"])
    assert second.exit_code == 0 and "0 issued" in second.output
    assert session.exec(select(func.count()).select_from(Certificate)).one() == 1
