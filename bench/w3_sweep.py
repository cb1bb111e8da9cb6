"""Workload 3: the deadline sweep and the reminder pass as the database grows (10k → 100k → 1M).

One database grows level by level. The background is bulk-inserted (COPY on PostgreSQL): 80% in
final states, 20% active with deadlines months after every measured instant. At each level
``sweep_due`` drafts are created through the service in a campaign whose filing deadline is that
level's day D, so exactly they are due. Measured: the reminder pass three working days before D
(they are within the 5-day offset), the due-time query of the sweep ("claim what is due", read
only, repeated), and one whole deadline sweep the day after D (expires them through the one
write path). The query plans must use the ``due_at`` index."""

from __future__ import annotations

import random
import time
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa
from sqlmodel import Session, func, select

from bench import dataset
from bench.common import Figure, Result, dialect, throwaway_database, use_database
from service.models import Campaign, Nomination
from service.reminders import queue_deadline_reminders
from service.sweeps import due_ids, sweep_deadlines
from service.transitions import end_of_day_utc
from workflow.nomination import FINAL_STATES

ACTIVE = ("received", "in_appraisal", "at_council", "awaiting_signature", "returned")
FINAL = ("awarded", "not_awarded", "withdrawn", "expired")
COLUMNS = ("award_code", "ruleset_version", "track", "nominee_kind", "nominee_unit_code", "nominee_name",
           "proposing_unit_code", "campaign_id", "year", "achievements", "facts", "state", "version",
           "state_entered_at", "due_at", "created_by", "created_at", "updated_at")


def run(size: dict, database: str) -> Result:
    with throwaway_database(database) as url:
        engine = use_database(url)
        return _measure(size, engine, dialect(url))


def _measure(size: dict, engine, db: str) -> Result:  # type: ignore[no-untyped-def]
    rng = random.Random(8)
    due = size["sweep_due"]
    # One unit per due nomination: a unit may hold one open DOT_XUAT of a year (duplicates are refused).
    org = dataset.build_org(engine, clusters=-(-due // 8), units_per_cluster=8, people_per_unit=0)
    with Session(engine) as s:
        campaign = dataset.campaign_id(s)
    result = Result()
    levels = list(size["sweep_sizes"])
    first_day = date(2027, 3, 1)
    far = end_of_day_utc(first_day + timedelta(days=60 * len(levels) + 120))
    timings: dict[str, list[float]] = {}
    for k, total in enumerate(levels):
        day = first_day + timedelta(days=60 * k)
        with Session(engine) as s:
            have = s.exec(select(func.count()).select_from(Nomination)).one()
        t0 = time.perf_counter()
        _bulk_background(engine, db, total - have - due, org.units, campaign, far, rng)
        fill_s = time.perf_counter() - t0
        code = f"SWEEP-{k}"
        with Session(engine) as s, s.begin():
            s.add(Campaign(code=code, name_vi=f"Đợt thử nghiệm {k}", kind="periodic", year=2027, opens_on=date(2027, 1, 1),
                           filing_deadline=day, calendar={}))
        with Session(engine, expire_on_commit=False) as s:
            for i in range(due):
                unit = org.units[i % len(org.units)]
                _create_due(s, unit, code, day)
        _analyze(engine, db)
        label = f"{total:,} nominations"
        before = datetime.combine(day - timedelta(days=5), datetime.min.time(), tzinfo=timezone.utc) + timedelta(hours=2)
        after = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc) + timedelta(hours=2)
        reminder_runs, reminded = [], []
        for _ in range(size["repeats"]):
            with Session(engine) as s:
                t0 = time.perf_counter()
                reminded.append(queue_deadline_reminders(s, now=before))
                reminder_runs.append((time.perf_counter() - t0) * 1000)
        query_runs = []
        for _ in range(max(3, size["repeats"])):
            with Session(engine) as s:
                t0 = time.perf_counter()
                found = due_ids(s, after)
                query_runs.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        report = sweep_deadlines(engine, now=after)
        sweep_ms = (time.perf_counter() - t0) * 1000
        timings.setdefault("query", []).append(min(query_runs))
        timings.setdefault("sweep", []).append(sweep_ms)
        timings.setdefault("reminders", []).append(min(reminder_runs))
        last = k == len(levels) - 1
        result.figures += [
            Figure("3 sweep", f"due-time query (claim {due} due), {label}", db, "ms", query_runs, higher_is_better=False,
                   target="<= 10" if last and total >= 1_000_000 else "", note=f"background filled in {fill_s:.0f} s"),
            Figure("3 sweep", f"reminder pass ({due} due), {label}", db, "ms", reminder_runs, higher_is_better=False,
                   note=f"queued {reminded[0]} on the first run, {reminded[-1]} on the last"),
            Figure("3 sweep", f"one deadline sweep (expires {due}), {label}", db, "ms", [sweep_ms], higher_is_better=False),
        ]
        result.checks[f"{label}: the due query finds exactly the {due} due"] = len(found) == due
        result.checks[f"{label}: the sweep expired exactly them"] = len(report.expired) == due and report.total == due
        result.checks[f"{label}: reminders queued once (a re-run adds none)"] = reminded[0] > 0 and all(r == 0 for r in reminded[1:])
    for what in ("query", "sweep", "reminders"):
        values = timings[what]
        result.figures.append(Figure("3 sweep", f"growth of {what} time, {levels[0]:,} → {levels[-1]:,}", db, "×",
                                     [values[-1] / values[0]], target="< 2" if what in ("query", "sweep") else "",
                                     higher_is_better=False, note="best run at each size"))
    plans = _plans(engine, db, after, before)
    result.notes += [f"plan of {name}: {plan}" for name, plan in plans.items()]
    for name, plan in plans.items():
        result.checks[f"the {name} query uses the due_at index"] = "ix_nominations_due_at" in plan
    return result


def _create_due(session: Session, unit: str, campaign_code: str, day: date) -> None:
    from service.nominations import create_nomination

    create_nomination(session, actor=dataset.submitter(unit), award_code="DOT_XUAT", campaign_code=campaign_code, year=2027,
                      nominee_unit_code=unit, achievements="Hồ sơ đến hạn (thử nghiệm).", today=day - timedelta(days=30))


def _bulk_background(engine, db: str, count: int, units: list[str], campaign: int, far: datetime, rng: random.Random) -> None:  # type: ignore[no-untyped-def]
    """``count`` background rows (not through the service: they are the database's size, not the
    work measured), 80% final, 20% active and due long after every measured instant."""
    if count <= 0:
        return
    now = datetime.now(timezone.utc)

    def rows(n: int):  # type: ignore[no-untyped-def]
        for i in range(n):
            unit = units[i % len(units)]
            active = rng.random() < 0.2
            state = rng.choice(ACTIVE) if active else rng.choice(FINAL)
            due_at = far + timedelta(minutes=rng.randrange(0, 60 * 24 * 90)) if active else None
            yield ("DOT_XUAT", "2025.7", "unit", "collective", unit, f"Tập thể thử nghiệm {i}", unit, campaign, 2026, "",
                   "{}", state, 3, now, due_at, "bench.bulk", now, now)

    if db == "postgresql":
        raw = engine.raw_connection()
        try:
            with raw.cursor() as cur, cur.copy(f"COPY nominations ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows(count):
                    copy.write_row(row)
            raw.commit()
        finally:
            raw.close()
        return
    table = Nomination.__table__  # type: ignore[attr-defined]
    batch: list[dict] = []
    with engine.begin() as conn:
        for row in rows(count):
            values = dict(zip(COLUMNS, row))
            values["facts"] = {}
            batch.append(values)
            if len(batch) == 20_000:
                conn.execute(table.insert(), batch)
                batch = []
        if batch:
            conn.execute(table.insert(), batch)


def _analyze(engine, db: str) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        conn.execute(sa.text("ANALYZE nominations" if db == "postgresql" else "ANALYZE"))
        conn.commit()


def _plans(engine, db: str, sweep_at: datetime, remind_at: datetime) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The plans of the sweep's and the reminder pass's queries at the last level's instants."""
    n = Nomination.__table__  # type: ignore[attr-defined]
    queries = {
        "deadline sweep": sa.select(n.c.id).where(n.c.due_at <= sweep_at, n.c.state.not_in(sorted(FINAL_STATES))).order_by(n.c.due_at).limit(5000),
        "reminder": sa.select(n.c).where(n.c.due_at > remind_at, n.c.due_at <= remind_at + timedelta(days=9)).order_by(n.c.due_at, n.c.id),
    }
    out = {}
    with engine.connect() as conn:
        for name, query in queries.items():
            sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
            prefix = "EXPLAIN QUERY PLAN " if db == "sqlite" else "EXPLAIN "
            rows = conn.execute(sa.text(prefix + sql)).all()
            out[name] = " / ".join(str(r[-1]) for r in rows)
    return out
