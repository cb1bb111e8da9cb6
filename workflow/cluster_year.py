"""The year of one emulation cluster ("năm thi đua của Cụm") as a state machine.

planned → pledge signed ("ký giao ước") → mid-year reviewed ("sơ kết 6 tháng") → scoring open
("chấm điểm") → scoring closed (cross-check done) → ballot open ("bỏ phiếu suy tôn") → ballot
closed → proposals filed with the Board ("gửi hồ sơ đề nghị").

A ballot round that leaves something undecided (a tie at the quota's edge, a failed quorum, an
election without a majority) may be followed by a re-vote: ``open_revote`` goes back from
*ballot closed* to *ballot open* with a new round. Filing is always possible from *ballot
closed*; whatever is still undecided then is not honoured (see ``service.cluster_cycle``).

Guards take named facts from the service: ``unscored`` (member units without a self-score) for
``close_scoring``, ``undecided`` (questions left open by the last round) for ``open_revote``.
"""

from __future__ import annotations

from statemachine import State, StateMachine

from workflow.aggregate_machine import MachineSpec


class ClusterYearMachine(StateMachine):
    planned = State("Planned", initial=True)
    pledge_signed = State("Pledge signed")
    mid_year_reviewed = State("Mid-year reviewed")
    scoring_open = State("Scoring open")
    scoring_closed = State("Scoring closed")
    ballot_open = State("Ballot open")
    ballot_closed = State("Ballot closed")
    proposals_filed = State("Proposals filed", final=True)

    sign_pledge = planned.to(pledge_signed)
    review_mid_year = pledge_signed.to(mid_year_reviewed)
    open_scoring = mid_year_reviewed.to(scoring_open)
    close_scoring = scoring_open.to(scoring_closed, cond="all_scored")
    open_ballot = scoring_closed.to(ballot_open)
    close_ballot = ballot_open.to(ballot_closed)
    open_revote = ballot_closed.to(ballot_open, cond="revote_needed")
    file_proposals = ballot_closed.to(proposals_filed)

    # A guard whose fact was not given refuses: forgetting to count is never "all scored".
    def all_scored(self, unscored: int | None = None) -> bool:
        return unscored == 0

    def revote_needed(self, undecided: int = 0) -> bool:
        return undecided > 0


STATE_LABELS: dict[str, tuple[str, str]] = {
    "planned": ("Đã lập kế hoạch", "Planned"),
    "pledge_signed": ("Đã ký giao ước thi đua", "Pledge signed"),
    "mid_year_reviewed": ("Đã sơ kết 6 tháng", "Mid-year reviewed"),
    "scoring_open": ("Đang chấm điểm", "Scoring open"),
    "scoring_closed": ("Đã chốt điểm (đã chấm chéo)", "Scoring closed (cross-checked)"),
    "ballot_open": ("Đang bỏ phiếu suy tôn", "Honouring ballot open"),
    "ballot_closed": ("Đã kiểm phiếu", "Ballot closed"),
    "proposals_filed": ("Đã gửi hồ sơ đề nghị về Ban TĐKT", "Proposals filed with the Board"),
}

EVENT_LABELS: dict[str, tuple[str, str]] = {
    "sign_pledge": ("Ký giao ước thi đua", "Sign the emulation pledge"),
    "review_mid_year": ("Sơ kết 6 tháng", "Hold the mid-year review"),
    "open_scoring": ("Mở chấm điểm", "Open scoring"),
    "close_scoring": ("Chốt điểm", "Close scoring"),
    "open_ballot": ("Mở bỏ phiếu suy tôn", "Open the honouring ballot"),
    "close_ballot": ("Kết thúc bỏ phiếu, kiểm phiếu", "Close and count the ballot"),
    "open_revote": ("Bỏ phiếu lại", "Open a re-vote"),
    "file_proposals": ("Gửi hồ sơ đề nghị về Ban TĐKT", "File the proposals with the Board"),
}

CLUSTER_YEAR = MachineSpec(ClusterYearMachine, "năm thi đua của Cụm", "cluster year", STATE_LABELS, EVENT_LABELS)

STATES: tuple[str, ...] = CLUSTER_YEAR.states
EVENTS: tuple[str, ...] = CLUSTER_YEAR.events


def advance(state: str, event: str, **facts: int) -> str:
    return CLUSTER_YEAR.advance(state, event, **facts)


def enabled_events(state: str, **facts: int) -> list[str]:
    return CLUSTER_YEAR.enabled_events(state, **facts)


def mermaid() -> str:
    return CLUSTER_YEAR.mermaid()
