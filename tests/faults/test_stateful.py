"""Random interleavings of actions on the demo's nominations (hypothesis stateful testing).

Any action, by any role, from the nominee's unit or another, with the current version, a stale
one or none, with or without a reason: each step either succeeds (version + 1) or is refused in
the service's terms (a ``WorkflowError``) changing nothing. After every step: state = fold(audit),
version = number of audit entries, no quota holds more places than its capacity; at the end
every audit chain verifies. ``TDKT_FAULTS_SCALE=full``: 40 runs × 30 steps per database.
"""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from service import audit, quotas
from service.actors import Actor
from service.cycle_models import QuotaLedger
from service.models import Nomination
from service.transitions import route_of
from service.verbs import ACTIONS, ActionInput, perform
from tests.faults.checks import nomination_problems
from tests.faults.plugin import Tally, size
from workflow.errors import WorkflowError
from workflow.nomination import enabled_events
from workflow.roles import Role, roles_for

GROUP = "Racing writers"
UNIT_ROLES = {Role.SUBMITTER, Role.UNIT_HEAD, Role.CLUSTER_HEAD, Role.CLUSTER_MEMBER}
OTHER_UNITS = ["SO_YT", "SO_LDTBXH", "THANH_TRA"]


def machine_for(engine: Engine, tally: Tally, fault: str, succeeded: list[int]) -> type[RuleBasedStateMachine]:
    class Interleavings(RuleBasedStateMachine):
        @initialize()
        def load(self) -> None:
            self.session = Session(engine, expire_on_commit=False)
            rows = self.session.exec(select(Nomination.id, Nomination.version, Nomination.proposing_unit_code)).all()
            self.versions = {i: v for i, v, _ in rows}
            self.units = {i: u for i, _, u in rows}
            self.touched: int | None = None

        @rule(
            data=st.data(),
            action=st.sampled_from(sorted(ACTIONS)),
            role=st.sampled_from([r for r in Role if r != Role.SYSTEM]),
            own_unit=st.booleans(),
            version=st.sampled_from(["current", "stale", "none"]),
            reason=st.sampled_from([None, "", "Thiếu biên bản họp bình xét."]),
            passed=st.sampled_from([None, True, False]),
        )
        def act(self, data: st.DataObject, action: str, role: Role, own_unit: bool, version: str, reason: str | None,
                passed: bool | None) -> None:
            nid = data.draw(st.sampled_from(sorted(self.versions)))
            n = self.session.get(Nomination, nid)
            enabled = [e for e in enabled_events(n.state, route_of(n)) if e in ACTIONS] if n else []
            self.session.rollback()
            if enabled and data.draw(st.booleans()):
                # Half the steps are plausible: an enabled action by a role allowed to take it.
                action = data.draw(st.sampled_from(enabled))
                role = data.draw(st.sampled_from(sorted(roles_for(action), key=lambda r: r.value)))
                own_unit, reason, version = True, reason or "Lý do hợp lệ.", data.draw(st.sampled_from(["current", "none"]))
            unit = None
            if role in UNIT_ROLES:
                unit = self.units[nid] if own_unit else data.draw(st.sampled_from(OTHER_UNITS))
            actor = Actor(f"fuzz.{role.value}", role, unit)
            expected = {"current": self.versions[nid], "stale": self.versions[nid] - 1, "none": None}[version]
            given = ActionInput(reason=reason, passed=passed, tally={"members": 15, "present": 14, "in_favour": 13},
                                bodies=["Cục Thuế"], document_number="123/QĐ-UBND", signed_on=date(2026, 11, 25),
                                signer="Chủ tịch UBND Thành phố")
            tally.tried(GROUP, fault)
            try:
                perform(self.session, nid, action, actor=actor, given=given, expected_version=expected)
                self.versions[nid] += 1
                succeeded.append(nid)
            except WorkflowError:
                self.session.rollback()
            self.touched = nid
            self.session.expire_all()
            now = self.session.get(Nomination, nid)
            assert now is not None and now.version == self.versions[nid], (action, now.version if now else None, self.versions[nid])

        @invariant()
        def consistent(self) -> None:
            if getattr(self, "touched", None) is None:
                return
            problems = nomination_problems(self.session, [self.touched])  # type: ignore[list-item]
            self.session.rollback()  # end the read transaction (SQLite: one connection)
            if problems:
                tally.lost(GROUP, fault, len(problems), note="; ".join(problems))
            assert problems == []

        @invariant()
        def quotas_hold(self) -> None:
            if not hasattr(self, "session"):
                return
            for ledger in self.session.exec(select(QuotaLedger)).all():
                held = quotas.status(self.session, ledger.award_code, ledger.ruleset_version, ledger.scope_id, lock=False)
                if held is not None and len(held.uses) > held.capacity:
                    tally.let_through(GROUP, "Quota exceeded in random interleavings", note=f"{ledger.award_code}: {len(held.uses)} > {held.capacity}")
                    raise AssertionError(f"quota {ledger.award_code} holds {len(held.uses)} > {held.capacity}")
            self.session.rollback()

        def teardown(self) -> None:
            if hasattr(self, "session"):
                self.session.close()

    return Interleavings


def test_random_interleavings_keep_state_audit_and_quotas_consistent(demo_engine: Engine, tally: Tally) -> None:
    kind = "SQLite" if demo_engine.dialect.name == "sqlite" else "PostgreSQL"
    fault = f"Random action interleavings, hypothesis stateful ({kind}; steps)"
    succeeded: list[int] = []
    run_state_machine_as_test(
        machine_for(demo_engine, tally, fault, succeeded),
        settings=settings(max_examples=size(8, 40), stateful_step_count=size(15, 30), deadline=None,
                          suppress_health_check=list(HealthCheck), derandomize=True),
    )
    tally.note(GROUP, fault, f"{len(succeeded)} steps changed a nomination, the rest were refused")
    with Session(demo_engine) as s:
        assert [str(b) for b in audit.verify_all(s)] == []
        assert nomination_problems(s) == []
