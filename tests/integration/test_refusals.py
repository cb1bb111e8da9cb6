"""Refused writes: each raises a typed error in the user's terms and changes nothing."""

from __future__ import annotations

from typing import Callable

import pytest
from sqlmodel import Session, func, select

from service import nominations as actions
from service import transitions
from service.actors import Actor
from service.demo import DemoNomination, drive
from service.errors import Forbidden, InvalidInput, NotADraft, NotEligible, NotFound, StaleVersion
from service.models import AuditEntry, Nomination, OutboxMessage
from workflow.errors import ReasonRequired, TransitionRefused
from workflow.roles import Role

BOARD = Actor("cv.ban_tdkt", Role.BOARD_OFFICER)


def snapshot(session: Session, nomination_id: int) -> tuple:
    session.expire_all()
    n = session.get(Nomination, nomination_id)
    audits = session.exec(select(func.count()).select_from(AuditEntry)).one()
    outbox = session.exec(select(func.count()).select_from(OutboxMessage)).one()
    return (n.state, n.version, n.due_at, n.decision_id, audits, outbox)


@pytest.fixture
def received(session: Session) -> Nomination:
    return drive(session, DemoNomination(person="P009", award="BK_TP", campaign="TK-2026", steps=["submit", "endorse", "receive"]))


def assert_refused(session: Session, nomination: Nomination, error: type[Exception], call: Callable[[], object]) -> Exception:
    before = snapshot(session, nomination.id)
    with pytest.raises(error) as caught:
        call()
    assert snapshot(session, nomination.id) == before
    return caught.value


def test_stale_version_is_refused_and_changes_nothing(session: Session, received: Nomination) -> None:
    stale = received.version - 1
    err = assert_refused(session, received, StaleVersion,
                         lambda: actions.start_appraisal(session, received.id, actor=BOARD, expected_version=stale))
    assert err.current == received.version and err.state == "received"
    assert f"#{received.id}" in err.message_vi and "tải lại" in err.message_vi
    assert actions.start_appraisal(session, received.id, actor=BOARD, expected_version=received.version).state == "in_appraisal"


def test_illegal_event_is_refused_and_changes_nothing(session: Session, received: Nomination) -> None:
    err = assert_refused(session, received, TransitionRefused,
                         lambda: actions.send_to_council(session, received.id, actor=BOARD))
    assert "Ban TĐKT đã tiếp nhận" in err.message_vi


def test_missing_reason_is_refused(session: Session, received: Nomination) -> None:
    assert_refused(session, received, ReasonRequired,
                   lambda: actions.return_for_completion(session, received.id, actor=BOARD, reason="  "))


def test_wrong_role_is_forbidden(session: Session, received: Nomination) -> None:
    err = assert_refused(session, received, Forbidden,
                         lambda: actions.start_appraisal(session, received.id, actor=Actor("x", Role.APPROVER)))
    assert f"#{received.id}" in err.message_en


def test_another_units_nomination_is_not_found(session: Session, received: Nomination) -> None:
    other_unit = Actor("cb", Role.SUBMITTER, "SO_YT" if received.proposing_unit_code != "SO_YT" else "SO_NV")
    assert_refused(session, received, NotFound,
                   lambda: actions.withdraw(session, received.id, actor=other_unit, reason="rút"))
    with pytest.raises(NotFound):
        actions.get_nomination(session, received.id, other_unit)


def test_unknown_nomination_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        actions.receive(session, 987654, actor=BOARD)


def test_ineligible_nominee_cannot_leave_the_unit(session: Session) -> None:
    # P004 lacks the Grassroots Emulation Fighter title in 2025 (3 consecutive years needed).
    draft = drive(session, DemoNomination(person="P004", award="CSTD_TP", campaign="TK-2026"))
    submitter = Actor("cb", Role.SUBMITTER, draft.proposing_unit_code)
    err = assert_refused(session, draft, NotEligible, lambda: actions.submit(session, draft.id, actor=submitter))
    assert "2025" in err.message_vi and "Chiến sĩ thi đua cơ sở" in err.message_vi
    assert "2025" in err.message_en
    assert err.findings and all(f.citation for f in err.findings)


def test_duplicate_proposal_is_refused_with_a_link(session: Session) -> None:
    first = drive(session, DemoNomination(person="P001", award="BK_TP", campaign="TK-2026"))
    with pytest.raises(InvalidInput) as err:
        drive(session, DemoNomination(person="P001", award="BK_TP", campaign="TK-2026"))
    assert f"#{first.id}" in err.value.message_vi
    assert session.exec(select(func.count()).select_from(Nomination)).one() == 1


@pytest.mark.parametrize(
    "kwargs,fragment",
    [
        ({"award_code": "NO_SUCH"}, "NO_SUCH"),
        ({"campaign_code": "NOPE"}, "NOPE"),
        ({"person_code": None, "nominee_unit_code": "SO_GDDT"}, "tập thể"),  # CSTD_TP is for individuals
        ({"track": "cluster"}, "Cụm"),
    ],
)
def test_bad_creation_input_is_explained(session: Session, kwargs: dict, fragment: str) -> None:
    args = dict(award_code="CSTD_TP", campaign_code="TK-2026", year=2026, person_code="P001")
    args.update(kwargs)
    with pytest.raises(InvalidInput) as err:
        actions.create_nomination(session, actor=Actor("cb", Role.SUBMITTER, "SO_GDDT"), **args)
    assert fragment in err.value.message_vi
    assert session.exec(select(func.count()).select_from(Nomination)).one() == 0


def test_a_closed_campaign_refuses_new_drafts(session: Session) -> None:
    from datetime import date

    with pytest.raises(InvalidInput) as err:
        actions.create_nomination(session, actor=Actor("cb", Role.SUBMITTER, "SO_GDDT"), award_code="BK_TP",
                                  campaign_code="DX-2026", year=2026, person_code="P001", today=date(2027, 1, 5))
    assert "31/12/2026" in err.value.message_vi


def test_a_submitter_cannot_propose_another_units_people(session: Session) -> None:
    with pytest.raises(Forbidden):
        actions.create_nomination(session, actor=Actor("cb", Role.SUBMITTER, "SO_YT"), award_code="BK_TP",
                                  campaign_code="TK-2026", year=2026, person_code="P001")


def test_a_failure_after_the_state_change_rolls_everything_back(session: Session, received: Nomination, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def broken_outbox(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(transitions, "messages_for", broken_outbox)
    assert_refused(session, received, RuntimeError, lambda: actions.start_appraisal(session, received.id, actor=BOARD))


def test_only_drafts_can_be_edited(session: Session, received: Nomination) -> None:
    submitter = Actor("cb", Role.SUBMITTER, received.proposing_unit_code)
    err = assert_refused(session, received, NotADraft,
                         lambda: actions.edit_draft(session, received.id, actor=submitter, achievements="mới"))
    assert err.details["current_state"] == "received" and err.http_status == 409
    assert_refused(session, received, Forbidden,
                   lambda: actions.edit_draft(session, received.id, actor=BOARD, achievements="mới"))
    draft = drive(session, DemoNomination(person="P010", award="BK_TP", campaign="TK-2026"))
    edited = actions.edit_draft(session, draft.id, actor=Actor("cb", Role.SUBMITTER, draft.proposing_unit_code),
                                expected_version=1, achievements="Thành tích mới")
    assert (edited.achievements, edited.version, edited.state) == ("Thành tích mới", 2, "draft")
