"""The nomination lifecycle ("quy trình xét đề nghị khen thưởng") as an explicit state machine.

Two tracks share one machine: awards honoured by a cluster ballot ("suy tôn") pass through the
cluster states; a unit's own proposals go from the unit straight to the board. Which track and
which later steps (consultation, public notice, council, central forwarding) apply is decided
by the nomination's :class:`~workflow.route.Route`, built from the award's catalogue entry; the
guards below only ask the route, so there is no per-award ``if`` anywhere.

The machine is strict: ``StateMachine`` raises on an event with no transition and lets
exceptions from callbacks propagate without changing state. Use :func:`advance` and
:func:`enabled_events`; they wrap the machine around a plain holder, never around an ORM row.
"""

from __future__ import annotations

import functools

from statemachine import State, StateMachine
from statemachine.exceptions import TransitionNotAllowed

from workflow.errors import ReasonRequired, TransitionRefused, UnknownState
from workflow.route import Route, Step


class NominationMachine(StateMachine):
    """States and transitions of one nomination. The bound model must expose ``route``."""

    # At the proposing unit
    draft = State("Draft", initial=True)
    awaiting_unit_head = State("Awaiting unit head")
    submitted = State("Submitted")
    # Cluster track
    in_cluster_review = State("In cluster review")
    cluster_endorsed = State("Cluster-endorsed")
    # At the Board
    received = State("Received by the board")
    returned = State("Returned for completion")
    in_appraisal = State("In appraisal")
    in_consultation = State("In consultation")
    in_public_notice = State("In public notice")
    at_council = State("At council")
    council_passed = State("Council-passed")
    awaiting_signature = State("Awaiting signature")
    # Outcomes
    awarded = State("Awarded")
    forwarded_central = State("Forwarded to central level")
    centrally_decided = State("Centrally decided")
    not_awarded = State("Not awarded", final=True)
    centrally_rejected = State("Centrally rejected", final=True)
    withdrawn = State("Withdrawn", final=True)
    expired = State("Expired", final=True)
    revoked = State("Revoked", final=True)

    submit = draft.to(awaiting_unit_head)
    send_back = awaiting_unit_head.to(draft, validators="reason_given")
    endorse = awaiting_unit_head.to(submitted)
    # A unit's own candidacy arrives submitted; the cluster head may also enter a member unit
    # straight from a draft (the ballot's candidates). Only routes with a cluster ballot allow it.
    open_cluster_review = submitted.to(in_cluster_review, cond="on_route") | draft.to(in_cluster_review, cond="on_route")
    record_cluster_result = in_cluster_review.to(cluster_endorsed, cond="positive") | in_cluster_review.to(
        not_awarded, cond="negative", validators="reason_given"
    )
    receive = submitted.to(received, cond="on_route") | cluster_endorsed.to(received)
    return_for_completion = received.to(returned, validators="reason_given") | in_appraisal.to(
        returned, validators="reason_given"
    )
    resubmit = returned.to(received)
    start_appraisal = received.to(in_appraisal)
    reject = not_awarded.from_(received, in_appraisal, validators="reason_given")
    # The Chairman declines to sign ("không ký quyết định"), with the reason.
    decline = not_awarded.from_(council_passed, awaiting_signature, validators="reason_given")
    request_consultation = in_appraisal.to(in_consultation, cond="on_route")
    publish_notice = in_appraisal.to(in_public_notice, cond="on_route")
    send_to_council = in_appraisal.to(at_council, cond="on_route")
    submit_for_signature = in_appraisal.to(awaiting_signature, cond="on_route")
    # Leaving consultation or notice goes to whatever the route says comes next.
    record_consultation = (
        in_consultation.to(in_public_notice, cond=["positive", "on_route"])
        | in_consultation.to(at_council, cond=["positive", "on_route"])
        | in_consultation.to(awaiting_signature, cond=["positive", "on_route"])
        | in_consultation.to(not_awarded, cond="negative", validators="reason_given")
    )
    close_notice = (
        in_public_notice.to(at_council, cond=["positive", "on_route"])
        | in_public_notice.to(awaiting_signature, cond=["positive", "on_route"])
        | in_public_notice.to(not_awarded, cond="negative", validators="reason_given")
    )
    record_council_result = at_council.to(council_passed, cond="positive") | at_council.to(
        not_awarded, cond="negative", validators="reason_given"
    )
    decide = awarded.from_(council_passed, awaiting_signature, cond="decided_in_city")
    forward = forwarded_central.from_(council_passed, awaiting_signature, cond="goes_central")
    record_central_result = forwarded_central.to(centrally_decided, cond="positive") | forwarded_central.to(
        centrally_rejected, cond="negative", validators="reason_given"
    )
    revoke = revoked.from_(awarded, centrally_decided, validators="reason_given")
    withdraw = withdrawn.from_(
        draft,
        awaiting_unit_head,
        submitted,
        in_cluster_review,
        cluster_endorsed,
        received,
        returned,
        in_appraisal,
        in_consultation,
        in_public_notice,
        at_council,
        council_passed,
        awaiting_signature,
        validators="reason_given",
    )
    expire = expired.from_(draft, awaiting_unit_head, returned)

    # --- guards -----------------------------------------------------------------------------
    def on_route(self, source: State, target: State) -> bool:
        """The target is the step the route puts right after the source."""
        route: Route = self.model.route
        here = STEP_OF[source.id]
        if here is not None and here not in route:
            return False  # a state of a step this award does not have: nothing is "next"
        return STEP_OF[target.id] == route.next_after(here)

    def decided_in_city(self) -> bool:
        return Step.CENTRAL not in self.model.route

    def goes_central(self) -> bool:
        return Step.CENTRAL in self.model.route

    def positive(self, passed: bool = True) -> bool:
        return passed is True

    def negative(self, passed: bool = True) -> bool:
        return passed is False

    # --- validators -------------------------------------------------------------------------
    def reason_given(self, event: str, source: State, reason: str | None = None) -> None:
        if not (reason and reason.strip()):
            vi, en = EVENT_LABELS[event]
            raise ReasonRequired(
                source.id,
                event,
                f"Thao tác «{vi}» cần ghi rõ lý do. Hãy nhập lý do rồi thực hiện lại.",
                f"The action '{en}' needs a reason. Enter the reason and try again.",
            )


# Where each state sits on a route; ``None`` = still at the unit, before any route step.
STEP_OF: dict[str, Step | None] = {
    "draft": None,
    "awaiting_unit_head": None,
    "submitted": None,
    "in_cluster_review": Step.CLUSTER_BALLOT,
    "cluster_endorsed": Step.CLUSTER_BALLOT,
    "received": Step.APPRAISAL,
    "returned": Step.APPRAISAL,
    "in_appraisal": Step.APPRAISAL,
    "in_consultation": Step.CONSULTATION,
    "in_public_notice": Step.PUBLIC_NOTICE,
    "at_council": Step.COUNCIL,
    "council_passed": Step.COUNCIL,
    "awaiting_signature": Step.SIGNATURE,
    "awarded": None,
    "forwarded_central": Step.CENTRAL,
    "centrally_decided": None,
    "centrally_rejected": None,
    "not_awarded": None,
    "withdrawn": None,
    "expired": None,
    "revoked": None,
}

# Which clock ("thời hạn") runs in each state: a step's SLA key from the catalogue, or "filing"
# (the campaign's filing deadline). A state absent here has no deadline. Moving between two
# states with the same clock keeps the running deadline (receipt and appraisal share one).
CLOCK_OF: dict[str, str] = {
    "draft": "filing",
    "awaiting_unit_head": "filing",
    "in_cluster_review": "cluster_ballot",
    "received": "appraisal",
    "in_appraisal": "appraisal",
    "returned": "completion",
    "in_consultation": "consultation",
    "in_public_notice": "public_notice",
    "at_council": "council",
    "council_passed": "signature",
    "awaiting_signature": "signature",
    "forwarded_central": "central",
}

STATE_LABELS: dict[str, tuple[str, str]] = {
    "draft": ("Dự thảo", "Draft"),
    "awaiting_unit_head": ("Chờ thủ trưởng đơn vị ký trình", "Awaiting the unit head"),
    "submitted": ("Đã trình (rời đơn vị)", "Submitted (left the unit)"),
    "in_cluster_review": ("Cụm đang bình xét, suy tôn", "In cluster review"),
    "cluster_endorsed": ("Cụm đã suy tôn", "Endorsed by the cluster"),
    "received": ("Ban TĐKT đã tiếp nhận", "Received by the board"),
    "returned": ("Trả lại để bổ sung hồ sơ", "Returned for completion"),
    "in_appraisal": ("Đang thẩm định", "In appraisal"),
    "in_consultation": ("Đang xin ý kiến, hiệp y", "In consultation"),
    "in_public_notice": ("Đang công khai lấy ý kiến", "In public notice"),
    "at_council": ("Trình Hội đồng TĐKT", "At the council"),
    "council_passed": ("Hội đồng đã thông qua", "Passed by the council"),
    "awaiting_signature": ("Chờ Chủ tịch UBND TP ký", "Awaiting the Chairman's signature"),
    "awarded": ("Đã quyết định khen thưởng", "Awarded"),
    "not_awarded": ("Không khen thưởng", "Not awarded"),
    "forwarded_central": ("Đã trình cấp Trung ương", "Forwarded to the central level"),
    "centrally_decided": ("Trung ương đã quyết định", "Decided at the central level"),
    "centrally_rejected": ("Trung ương không khen thưởng", "Rejected at the central level"),
    "withdrawn": ("Đã rút hồ sơ", "Withdrawn"),
    "expired": ("Quá hạn, hết hiệu lực", "Expired"),
    "revoked": ("Đã hủy bỏ quyết định khen thưởng", "Revoked"),
}

EVENT_LABELS: dict[str, tuple[str, str]] = {
    "submit": ("Trình thủ trưởng đơn vị", "Submit to the unit head"),
    "send_back": ("Trả lại người soạn", "Send back to the drafter"),
    "endorse": ("Thủ trưởng ký trình", "Endorse (unit head)"),
    "open_cluster_review": ("Đưa vào bình xét của Cụm", "Open cluster review"),
    "record_cluster_result": ("Ghi kết quả suy tôn của Cụm", "Record the cluster ballot result"),
    "receive": ("Tiếp nhận hồ sơ", "Receive"),
    "return_for_completion": ("Trả lại, yêu cầu bổ sung", "Return for completion"),
    "resubmit": ("Nộp lại hồ sơ đã bổ sung", "Resubmit"),
    "start_appraisal": ("Bắt đầu thẩm định", "Start appraisal"),
    "reject": ("Không khen thưởng", "Reject"),
    "decline": ("Không ký quyết định khen thưởng", "Decline to sign"),
    "request_consultation": ("Xin ý kiến, hiệp y", "Request consultation"),
    "record_consultation": ("Ghi nhận ý kiến hiệp y", "Record consultation"),
    "publish_notice": ("Công khai lấy ý kiến", "Publish notice"),
    "close_notice": ("Kết thúc công khai", "Close notice"),
    "send_to_council": ("Trình Hội đồng TĐKT", "Send to the council"),
    "submit_for_signature": ("Trình Chủ tịch ký", "Submit for signature"),
    "record_council_result": ("Ghi kết quả bỏ phiếu của Hội đồng", "Record the council result"),
    "decide": ("Ký quyết định khen thưởng", "Decide (sign the award decision)"),
    "forward": ("Ký tờ trình chuyển Trung ương", "Forward to the central level"),
    "record_central_result": ("Ghi kết quả của Trung ương", "Record the central result"),
    "revoke": ("Hủy bỏ quyết định khen thưởng", "Revoke"),
    "withdraw": ("Rút hồ sơ", "Withdraw"),
    "expire": ("Đánh dấu quá hạn", "Expire"),
}

STATES: tuple[str, ...] = tuple(s.id for s in NominationMachine.states)
EVENTS: tuple[str, ...] = tuple(e.id for e in NominationMachine.events)
FINAL_STATES: frozenset[str] = frozenset(s.id for s in NominationMachine.states if s.final)
# Events whose outcome depends on a recorded result: callers pass ``passed=True/False``.
OUTCOME_EVENTS: frozenset[str] = frozenset(
    {"record_cluster_result", "record_consultation", "close_notice", "record_council_result", "record_central_result"}
)


class _Holder:
    """What the machine binds to: a state value and a route, nothing persistent."""

    __slots__ = ("state", "route")

    def __init__(self, state: str, route: Route) -> None:
        self.state = state
        self.route = route


def _check_state(state: str) -> None:
    if state not in STEP_OF:
        raise UnknownState(
            f"Trạng thái «{state}» không hợp lệ; dữ liệu hồ sơ cần được quản trị viên kiểm tra.",
            f"Unknown nomination state {state!r}; an administrator must check the record.",
        )


def _machine(state: str, route: Route) -> NominationMachine:
    _check_state(state)
    return NominationMachine(model=_Holder(state, route), state_field="state")


def advance(state: str, route: Route, event: str, *, reason: str | None = None, passed: bool | None = None) -> str:
    """Return the state reached by ``event`` from ``state``; raise :class:`TransitionRefused` if none."""
    _check_state(state)
    if event not in EVENT_LABELS:
        raise TransitionRefused(
            state, event, f"Thao tác «{event}» không tồn tại.", f"There is no action called {event!r}."
        )
    if event in OUTCOME_EVENTS and passed is None:
        vi, en = EVENT_LABELS[event]
        raise TransitionRefused(
            state, event, f"Thao tác «{vi}» cần ghi kết quả (đạt / không đạt).",
            f"The action '{en}' needs an outcome (passed or not).",
        )
    try:
        return _reached(state, route, event, passed if event in OUTCOME_EVENTS else None, bool(reason and reason.strip()))
    except TransitionNotAllowed:
        raise _refusal(state, route, event) from None


# The machine is a pure function of (state, route, event, outcome, whether a reason was given):
# its guards read only the route and the outcome, its one validator only whether the reason is
# blank, and it has no enter/exit actions. Building a python-statemachine instance costs far more
# than a database write (measured in bench/, issue 8), so answers are memoised. A refusal raises
# and lru_cache never stores an exception, so refusals are recomputed with their full message.
@functools.lru_cache(maxsize=4096)
def _reached(state: str, route: Route, event: str, passed: bool | None, reason_given: bool) -> str:
    machine = _machine(state, route)
    kwargs: dict[str, object] = {"reason": "given" if reason_given else None}
    if passed is not None:
        kwargs["passed"] = passed
    machine.send(event, **kwargs)
    return machine.model.state


def enabled_events(state: str, route: Route) -> list[str]:
    """Events that can fire now (guards evaluated, outcome events assumed favourable)."""
    return list(_enabled(state, route))


@functools.lru_cache(maxsize=1024)
def _enabled(state: str, route: Route) -> tuple[str, ...]:
    return tuple(e.id for e in _machine(state, route).enabled_events())


def _refusal(state: str, route: Route, event: str) -> TransitionRefused:
    ev_vi, ev_en = EVENT_LABELS[event]
    st_vi, st_en = STATE_LABELS[state]
    allowed = enabled_events(state, route)
    next_vi = ", ".join(f"«{EVENT_LABELS[e][0]}»" for e in allowed) or "không có (hồ sơ đã kết thúc)"
    next_en = ", ".join(f"'{EVENT_LABELS[e][1]}'" for e in allowed) or "none (the nomination is closed)"
    return TransitionRefused(
        state,
        event,
        f"Không thể thực hiện «{ev_vi}» khi hồ sơ đang ở trạng thái «{st_vi}». Thao tác được phép: {next_vi}.",
        f"Cannot '{ev_en}' a nomination that is '{st_en}'. Allowed now: {next_en}.",
    )


def mermaid() -> str:
    return f"{NominationMachine:mermaid}"


def replay(route: Route, events: list[tuple[str, str | None, bool | None]]) -> str:
    """Fold recorded ``(event, reason, passed)`` from draft; raises if any step was not allowed.

    Used to check that a stored state equals the fold of its audit trail."""
    state = NominationMachine.draft.id
    for event, reason, passed in events:
        state = advance(state, route, event, reason=reason, passed=passed)
    return state
