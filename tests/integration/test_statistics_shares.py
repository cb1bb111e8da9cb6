"""The share of awards to small collectives ("tập thể nhỏ", seed 003) that the statistics report:
a school inside a department, decided through the real actions, counts as a small collective; a
department does not. A statistics file naming a kind of unit config/org does not know is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session

from config.errors import ConfigError
from config.statistics import load_statistics
from service.demo import DEMO_TODAY, DemoNomination, drive
from service.models import TitleRecord, Unit
from service.statistics import statistics

DECIDE = {"decide": {"decision_number": "5999/QĐ-UBND", "signed_on": DEMO_TODAY, "signer": "Chủ tịch UBND Thành phố"}}
STEPS = ["submit", "endorse", "receive", "start_appraisal", "submit_for_signature", DECIDE]


def _collective_award(session: Session, unit: str, number: str) -> None:
    for year in (2025, 2026):  # Certificate of Merit of a collective: two years of Excellent Labour Collective
        session.add(TitleRecord(unit_code=unit, year=year, title="TTLDXS"))
    session.commit()
    steps = STEPS[:-1] + [{"decide": {**DECIDE["decide"], "decision_number": number}}]
    assert drive(session, DemoNomination(unit=unit, award="BK_TP", campaign="TK-2026", steps=steps)).state == "awarded"


def test_a_school_counts_as_a_small_collective_and_a_department_does_not(session: Session) -> None:
    session.add(Unit(code="THPT_CVA", name_vi="Trường THPT Chu Văn An", name_en="Chu Van An High School", kind="school"))
    session.commit()
    _collective_award(session, "THPT_CVA", "5998/QĐ-UBND")
    _collective_award(session, "SO_TP", "5999/QĐ-UBND")  # a department
    small = statistics(session, year=2026)["shares"]["small_collectives"]
    assert (small["awards"], small["of"], small["share"]) == (1, 2, 0.5)
    assert small["met"] is (0.5 >= small["target"])


def test_an_unknown_kind_of_unit_in_the_statistics_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "statistics.yaml"
    bad.write_text(
        'citation: "Kế hoạch 2024 (seed 003)"\ntargets: {front_line_individuals: 0.5, small_collectives: 0.3}\n'
        "small_collective_kinds: [school, village]\n", encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_statistics(bad)
    assert "statistics.yaml" in str(refused.value) and "small_collective_kinds" in str(refused.value)

