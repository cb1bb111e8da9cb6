"""A closed cluster ballot's counting minutes as .xlsx (Cluster 6's 2023 honouring ballot, seed
000): one row per candidate per award with its counts and outcome, and the election sheet; an
open round is refused (no early tallies)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlmodel import Session

from service import ballots
from service import cluster_cycle as cycle
from service.errors import Conflict
from service.xlsx_exports import ballot_minutes_xlsx
from tests.integration.cycle_helpers import HEAD, MEETING, score_all, vote_all, year_in_scoring

SEED_000 = {"CO_TD_CP": ["SO_NV"], "CO_TD_TP": ["VP_UBND"], "BK_TP": ["BAN_DT", "SO_NGV", "SO_TP", "THANH_TRA"]}


def test_minutes_of_a_closed_round_export_to_xlsx(session: Session) -> None:
    cy = year_in_scoring(session)
    score_all(session, cy)
    cy = cycle.close_scoring(session, cy.id, actor=HEAD)  # type: ignore[arg-type]
    ballot = ballots.open_ballot(session, cy.id, actor=HEAD, candidates=SEED_000,  # type: ignore[arg-type]
                                 election={"head": ["THANH_TRA"], "deputy": ["SO_NV"]}, today=MEETING)
    with pytest.raises(Conflict):
        ballot_minutes_xlsx(session, ballot.id)  # type: ignore[arg-type]
    vote_all(session, ballot, head="THANH_TRA", deputy="SO_NV")
    ballot = ballots.close_ballot(session, ballot.id, actor=HEAD, today=MEETING)  # type: ignore[arg-type]
    book = load_workbook(io.BytesIO(ballot_minutes_xlsx(session, ballot.id)))  # type: ignore[arg-type]
    rows = list(book["Kết quả suy tôn"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Mã hình thức", "Hình thức", "Mã đơn vị")
    by_candidate = {(r[0], r[2]): r for r in rows[1:]}
    assert set(by_candidate) == {(code, unit) for code, units in SEED_000.items() for unit in units}
    assert {r[10] for r in rows[1:]} == {"honoured"} and all(r[11] == 7 for r in rows[1:])
    elected = {r[0]: r[2] for r in list(book["Bầu cụm trưởng, cụm phó"].iter_rows(values_only=True))[1:]}
    assert elected["head"] == "THANH_TRA" and elected["deputy"] == "SO_NV"
