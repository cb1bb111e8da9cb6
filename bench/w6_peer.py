"""Workload 6: the same approval process on SpiffWorkflow (a pure-Python BPMN engine) and on
tdkt, on the same database, in the same process, blocks interleaved.

The process is a nomination's unit track with a return (``bench/nomination_unit_track.bpmn``):
submit → endorse → receive → return for completion → resubmit → appraise → send to council →
council vote → decide, nine steps. SpiffWorkflow keeps its state as its serialized workflow: each
step, like a stateless web request, loads the JSON from the database (row locked), deserializes,
completes the ready task, runs the engine, serializes and writes it back with a version check,
in one transaction. tdkt fires the same nine events through its service verbs (each: lock, check,
machine, state + deadline + HMAC-chained audit + outbox, one commit). A third walk writes only
what workload 1's ceiling writes at each step (locked read, versioned update, audit insert, a
transaction each; :func:`bench.ceiling_app.write_step`), with no engine at all: its rate over
SpiffWorkflow's is the most any engine writing those rows through SQLAlchemy could reach, the
bound the 3× target is read against. Creation is not timed on any side."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from bench import ceiling_app as ceiling
from bench import dataset
from bench.checks import fold_mismatches
from bench.common import Figure, Result, dialect, throwaway_database, use_database
from service import nominations as act

BPMN = Path(__file__).with_name("nomination_unit_track.bpmn")
PROCESS = "nomination_unit_track"
STEPS = 9
METADATA = sa.MetaData()
SPIFF = sa.Table(  # benchmark-only table, created by this script (not part of tdkt's schema)
    "bench_spiff_workflows", METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("serialized", sa.Text, nullable=False),
)


# Built once, as tdkt's statements are (a statement built per call costs its construction and cache key).
_SPIFF_WRITE = SPIFF.update().where(SPIFF.c.id == sa.bindparam("wid"), SPIFF.c.version == sa.bindparam("read_version")).values(
    version=sa.bindparam("new_version"), serialized=sa.bindparam("serialized"))


def run(size: dict, database: str) -> Result:
    with throwaway_database(database) as url:
        engine = use_database(url)
        return _measure(size, engine, dialect(url))


def _measure(size: dict, engine, db: str) -> Result:  # type: ignore[no-untyped-def]
    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.bpmn.parser import BpmnParser
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer

    METADATA.create_all(engine)
    per_block, repeats = size["peer_nominations"], size["repeats"]
    org = dataset.build_org(engine, clusters=1, units_per_cluster=4, people_per_unit=-(-per_block * repeats // 4))
    people = [(u, p) for u in org.units for p in org.people[u]]
    with Session(engine, expire_on_commit=False) as s:
        ours = [dataset.create(s, u, "CSTD_TP", person=p) for u, p in people[: per_block * repeats]]
    parser = BpmnParser()
    parser.add_bpmn_file(str(BPMN))
    spec = parser.get_spec(PROCESS)
    serializer = BpmnWorkflowSerializer()
    floor = dataset.ceiling_copies(engine, ours)
    theirs = []
    with engine.begin() as conn:
        for _ in range(per_block * repeats):
            workflow = BpmnWorkflow(spec)
            workflow.do_engine_steps()
            theirs.append(conn.execute(SPIFF.insert().values(version=1, serialized=serializer.serialize_json(workflow))
                                       .returning(SPIFF.c.id)).scalar_one())

    result = Result()
    ours_rate, theirs_rate, ratio = [], [], []
    ours_cpu, theirs_cpu = [], []
    floor_rate, floor_cpu, bound = [], [], []
    read = ceiling.locked_read(engine)
    done_names: list[list[str]] = []
    for rep in range(repeats):
        block = slice(rep * per_block, (rep + 1) * per_block)
        t0, c0 = time.perf_counter(), time.process_time()
        with Session(engine, expire_on_commit=False) as s:
            for nid in ours[block]:
                _tdkt_walk(s, nid, people[ours.index(nid)][0])
        t_ours, c_ours = time.perf_counter() - t0, time.process_time() - c0
        t0, c0 = time.perf_counter(), time.process_time()
        for wid in theirs[block]:
            done_names.append(_spiff_walk(engine, serializer, wid, locked=db == "postgresql"))
        t_theirs, c_theirs = time.perf_counter() - t0, time.process_time() - c0
        t0, c0 = time.perf_counter(), time.process_time()
        for nid in floor[block]:
            _floor_walk(engine, read, nid)
        t_floor, c_floor = time.perf_counter() - t0, time.process_time() - c0
        n = per_block * STEPS
        floor_rate.append(n / t_floor)
        floor_cpu.append(c_floor * 1000 / n)
        bound.append((n / t_floor) / (n / t_theirs))
        ours_rate.append(n / t_ours)
        theirs_rate.append(n / t_theirs)
        ratio.append((n / t_ours) / (n / t_theirs))
        ours_cpu.append(c_ours * 1000 / n)
        theirs_cpu.append(c_theirs * 1000 / n)
    result.figures += [
        Figure("6 peer", "tdkt service actions, transitions/s", db, "transitions/s", ours_rate),
        Figure("6 peer", "SpiffWorkflow 3.2 + serialized state in the database, transitions/s", db, "transitions/s", theirs_rate),
        Figure("6 peer", "tdkt / SpiffWorkflow", db, "ratio", ratio, target=">= 3"),
        Figure("6 peer", "tdkt CPU per transition (this process)", db, "ms", ours_cpu, higher_is_better=False),
        Figure("6 peer", "SpiffWorkflow CPU per transition (this process)", db, "ms", theirs_cpu, higher_is_better=False),
        Figure("6 peer", "workload 1's ceiling writes alone, transitions/s", db, "transitions/s", floor_rate,
               note="locked read, versioned update, audit insert, one commit per step; no engine, no outbox"),
        Figure("6 peer", "workload 1's ceiling writes alone, CPU per transition (this process)", db, "ms", floor_cpu,
               higher_is_better=False),
        Figure("6 peer", "the ceiling writes / SpiffWorkflow: the most any engine writing them could reach", db, "ratio", bound,
               note="an engine with no logic at all, writing only these rows through SQLAlchemy"),
    ]
    expected = ["submit", "endorse", "receive", "return_for_completion", "resubmit", "start_appraisal", "send_to_council",
                "council_vote", "decide"]
    result.checks["every SpiffWorkflow instance walked the nine steps and ended awarded"] = all(d == expected + ["awarded"] for d in done_names)
    with Session(engine) as s:
        def states(ids: list[int]) -> set[str]:
            return set(s.exec(sa.select(act.Nomination.state).where(act.Nomination.id.in_(ids))).scalars())  # type: ignore[attr-defined]
        result.checks["every tdkt nomination ended awarded"] = states(ours) == {"awarded"}
        result.checks["every ceiling-writes walk ended awarded"] = states(floor) == {"awarded"}
    result.checks["every tdkt nomination's state equals the fold of its audit trail"] = not fold_mismatches(engine, ours)
    return result


def _tdkt_walk(session: Session, nid: int, unit: str) -> None:
    sub, head, board = dataset.submitter(unit), dataset.unit_head(unit), dataset.BOARD
    act.submit(session, nid, actor=sub)
    act.endorse(session, nid, actor=head)
    act.receive(session, nid, actor=board)
    act.return_for_completion(session, nid, actor=board, reason="Thiếu xác nhận sáng kiến; đề nghị bổ sung.")
    act.resubmit(session, nid, actor=sub)
    act.start_appraisal(session, nid, actor=board)
    act.send_to_council(session, nid, actor=board)
    act.record_council_result(session, nid, actor=board, passed=True, tally={"members": 15, "present": 14, "in_favour": 14})
    act.decide(session, nid, actor=dataset.APPROVER, decision_number=f"P-{nid}/QĐ-UBND", signed_on=date(2026, 12, 1), signer="Chủ tịch")


# The nine steps as tdkt's unit track records them; the ceiling writes the states without a machine.
FLOOR_STEPS = (("submit", "awaiting_unit_head"), ("endorse", "submitted"), ("receive", "received"),
               ("return_for_completion", "returned"), ("resubmit", "received"), ("start_appraisal", "in_appraisal"),
               ("send_to_council", "at_council"), ("record_council_result", "council_passed"), ("decide", "awarded"))


def _floor_walk(engine, read, nid: int) -> None:  # type: ignore[no-untyped-def]
    """The nine steps as workload 1's ceiling writes them: a transaction each, no engine."""
    for event, state in FLOOR_STEPS:
        with engine.connect().execution_options(tdkt_write=True) as conn, conn.begin():
            ceiling.write_step(conn, read, nid, event, state)  # a missing row shows in the check at the end


def _spiff_walk(engine, serializer, wid: int, *, locked: bool) -> list[str]:  # type: ignore[no-untyped-def]
    from SpiffWorkflow.util.task import TaskState

    done: list[str] = []
    data = {"receive": {"complete": False}, "council_vote": {"passed": True}}
    read = sa.select(SPIFF.c.version, SPIFF.c.serialized).where(SPIFF.c.id == wid)
    if locked:
        read = read.with_for_update()
    completed = False
    while not completed:  # one transaction per step; the step that completes the workflow ends the walk
        with engine.connect().execution_options(tdkt_write=True) as conn, conn.begin():
            version, serialized = conn.execute(read).one()
            workflow = serializer.deserialize_json(serialized)
            task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
            name = task.task_spec.name
            task.data.update(data.get(name, {}))
            if name == "resubmit":
                task.data["complete"] = True
            task.run()
            workflow.do_engine_steps()
            updated = conn.execute(_SPIFF_WRITE, {"wid": wid, "read_version": version, "new_version": version + 1,
                                                  "serialized": serializer.serialize_json(workflow)})
            assert updated.rowcount == 1
            done.append(name)
            completed = workflow.is_completed()
    ends = [t.task_spec.name for t in workflow.get_tasks(state=TaskState.COMPLETED) if t.task_spec.name in ("awarded", "not_awarded")]
    return done + ends
