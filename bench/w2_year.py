"""Workload 2: a Hà Nội-scale year, compressed, in-process through the service actions.

Clusters of units (benchmark data, see :mod:`bench.dataset`), nominations spread over the award
catalogue on both tracks, driven phase by phase as a year goes: filing (create, submit, endorse),
cluster ballots (each cluster honours up to the award's quota through ``record_cluster_result``,
the verb a closed ballot round calls, which takes the quota place), the Board (receive, 10%
returned and resubmitted, appraisal, consultation, public notice), council sessions
(``record_council_result``, a few refused), signature (decisions shared by batch), forwarding and
central results, deadline reminders queued at simulated later dates, and deadline sweeps (the 1%
of drafts never submitted expire after the filing deadline). At the end every nomination's state
must equal the fold of its audit trail. Also the peak resident memory (workload 7)."""

from __future__ import annotations

import random
import time
from collections import Counter
from datetime import date, datetime, timedelta, timezone

from sqlmodel import Session, func, select

from bench import dataset
from bench.checks import fold_mismatches
from bench.common import Figure, Result, dialect, peak_rss_mib, throwaway_database, use_database
from service import nominations as act
from service.models import AuditEntry, Nomination, OutboxMessage
from service.reminders import queue_deadline_reminders
from service.sweeps import sweep_deadlines
from service.transitions import route_of
from workflow.nomination import EVENT_LABELS
from workflow.route import Step

# Share of the individual nominations per award (unit track); the collectives are per unit.
INDIVIDUAL_MIX = (("BK_TP", 0.35), ("DOT_XUAT", 0.30), ("CSTD_TP", 0.20), ("HC_LD", 0.10), ("BK_TTG", 0.05))
TTLDXS_FACTS = {"all_members_completed_tasks": True, "advanced_worker_share": 0.8, "has_grassroots_fighter": True}
SIGNED = date(2026, 12, 20)


def run(size: dict, database: str) -> Result:
    with throwaway_database(database) as url:
        engine = use_database(url)
        return simulate(size, engine, dialect(url))


def simulate(size: dict, engine, db: str) -> Result:  # type: ignore[no-untyped-def]
    rng = random.Random(2026)
    clusters, units_per, total = size["year_clusters"], size["year_units"], size["year_nominations"]
    n_units = clusters * units_per
    # Per unit: one TTLDXS (unit track), and for cluster-track collectives the cluster's candidates.
    collective_cluster = n_units  # every unit is a candidate for BK_TP by its cluster; one per cluster for each flag
    individuals = max(0, total - n_units - collective_cluster - 2 * clusters)
    people_per_unit = -(-individuals // n_units) + 1
    org = dataset.build_org(engine, clusters=clusters, units_per_cluster=units_per, people_per_unit=people_per_unit)
    result = Result()
    phases: dict[str, float] = {}
    session = Session(engine, expire_on_commit=False)
    start, cpu_start = time.perf_counter(), time.process_time()

    # --- filing --------------------------------------------------------------------------------
    t0 = time.perf_counter()
    unit_track: list[int] = []
    cluster_track: dict[int, list[int]] = {cid: [] for cid in org.clusters}
    never_sent: list[int] = []
    awards = [a for a, _ in INDIVIDUAL_MIX]
    weights = [w for _, w in INDIVIDUAL_MIX]
    made = 0
    for unit in org.units:
        unit_track.append(dataset.create(session, unit, "TTLDXS", collective=True, facts=TTLDXS_FACTS))
    for cid, members in org.clusters.items():
        for unit in members:
            cluster_track[cid].append(dataset.create(session, unit, "BK_TP", collective=True, track="cluster"))
        for award, unit in (("CO_TD_TP", members[0]), ("CO_TD_CP", members[-1])):
            cluster_track[cid].append(dataset.create(session, unit, award, collective=True, track="cluster"))
    for unit in org.units:
        for person in org.people[unit]:
            if made >= individuals:
                break
            award = rng.choices(awards, weights)[0]
            nid = dataset.create(session, unit, award, person=person)
            made += 1
            (never_sent if rng.random() < 0.01 else unit_track).append(nid)
    head_of = {nid: _unit(session, nid) for nid in unit_track + [i for ids in cluster_track.values() for i in ids]}
    for nid in unit_track + [i for ids in cluster_track.values() for i in ids]:
        act.submit(session, nid, actor=dataset.submitter(head_of[nid]))
        act.endorse(session, nid, actor=dataset.unit_head(head_of[nid]))
    phases["filing"] = time.perf_counter() - t0

    # --- cluster ballots: honour up to the award's quota, in the order the ballot ranked them ------
    t0 = time.perf_counter()
    board_queue = list(unit_track)
    for cid, ids in cluster_track.items():
        head = dataset.cluster_head(org.head_of(cid))
        taken: Counter = Counter()
        quota = {"BK_TP": 4, "CO_TD_TP": 1, "CO_TD_CP": 1}
        for nid in ids:
            act.open_cluster_review(session, nid, actor=head)
        for nid in ids:
            award = session.get(Nomination, nid).award_code  # type: ignore[union-attr]
            members = len(org.clusters[cid])
            if taken[award] < quota[award]:
                taken[award] += 1
                act.record_cluster_result(session, nid, actor=head, honoured=True,
                                          tally={"members": members, "in_favour": members - 1})
                board_queue.append(nid)
            else:
                act.record_cluster_result(session, nid, actor=head, honoured=False, reason="Không đạt đủ số phiếu suy tôn.",
                                          tally={"members": members, "in_favour": 1})
    phases["cluster ballots"] = time.perf_counter() - t0

    # --- the Board: receipt, 10% returned, appraisal, consultation, public notice ------------------
    t0 = time.perf_counter()
    returned = set(rng.sample(board_queue, len(board_queue) // 10))
    board = dataset.BOARD
    for nid in board_queue:
        act.receive(session, nid, actor=board)
        if nid in returned:
            act.return_for_completion(session, nid, actor=board, reason="Thiếu biên bản họp bình xét; đề nghị bổ sung.")
            act.resubmit(session, nid, actor=dataset.submitter(head_of[nid]), note="Đã bổ sung biên bản.")
        act.start_appraisal(session, nid, actor=board)
    reminders = queue_deadline_reminders(session, now=datetime.now(timezone.utc) + timedelta(days=21))
    to_council, to_sign = [], []
    for nid in board_queue:
        n = session.get(Nomination, nid)
        route = route_of(n)  # type: ignore[arg-type]
        state = n.state  # type: ignore[union-attr]
        # Consultation and notice lead on to whatever the route says comes next.
        while state not in ("at_council", "awaiting_signature"):
            if state == "in_appraisal" and Step.CONSULTATION in route:
                state = act.request_consultation(session, nid, actor=board, bodies=["Cục Thuế", "Bảo hiểm xã hội"]).state
            elif state == "in_consultation":
                state = act.record_consultation(session, nid, actor=board, favourable=True).state
            elif state == "in_appraisal" and Step.PUBLIC_NOTICE in route:
                state = act.publish_notice(session, nid, actor=board, where="Cổng thông tin điện tử Thành phố").state
            elif state == "in_public_notice":
                state = act.close_notice(session, nid, actor=board).state
            elif state == "in_appraisal" and Step.COUNCIL in route:
                state = act.send_to_council(session, nid, actor=board).state
            else:
                state = act.submit_for_signature(session, nid, actor=board).state
        (to_council if state == "at_council" else to_sign).append(nid)
    phases["board"] = time.perf_counter() - t0

    # --- council sessions: 5% do not reach the threshold -----------------------------------------
    t0 = time.perf_counter()
    for nid in to_council:
        if rng.random() < 0.05:
            act.record_council_result(session, nid, actor=board, passed=False, reason="Không đạt tỷ lệ phiếu đồng ý.",
                                      tally={"members": 15, "present": 14, "in_favour": 9})
        else:
            act.record_council_result(session, nid, actor=board, passed=True, tally={"members": 15, "present": 14, "in_favour": 14})
            to_sign.append(nid)
    phases["council"] = time.perf_counter() - t0

    # --- signature, forwarding, central results ----------------------------------------------------
    t0 = time.perf_counter()
    reminders += queue_deadline_reminders(session, now=datetime.now(timezone.utc) + timedelta(days=35))
    forwarded = []
    for i, nid in enumerate(to_sign):
        n = session.get(Nomination, nid)
        batch = f"{n.award_code}-{i // 200}"  # type: ignore[union-attr]
        if Step.CENTRAL in route_of(n):  # type: ignore[arg-type]
            act.forward(session, nid, actor=dataset.APPROVER, submission_number=f"TTr-{batch}/UBND", signed_on=SIGNED, signer="Chủ tịch")
            forwarded.append(nid)
        else:
            act.decide(session, nid, actor=dataset.APPROVER, decision_number=f"{batch}/QĐ-UBND", signed_on=SIGNED, signer="Chủ tịch")
    for nid in forwarded:
        act.record_central_result(session, nid, actor=board, approved=True, decision_number=f"TW-{nid // 500}/QĐ-TTg",
                                  signed_on=date(2027, 3, 1), signer="Thủ tướng Chính phủ")
    phases["signature"] = time.perf_counter() - t0

    # --- sweeps: after the filing deadline the drafts never sent expire; a second run does nothing --
    t0 = time.perf_counter()
    after_filing = datetime(2028, 1, 3, 3, 0, tzinfo=timezone.utc)
    first = sweep_deadlines(engine, now=after_filing)
    second = sweep_deadlines(engine, now=after_filing)
    phases["sweeps"] = time.perf_counter() - t0
    total_s = time.perf_counter() - start
    cpu_s = time.process_time() - cpu_start
    session.close()

    with Session(engine) as s:
        transitions = s.exec(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.chain.like("nomination:%"), AuditEntry.action.in_(sorted(EVENT_LABELS)))).one()  # type: ignore[attr-defined]
        nominations = s.exec(select(func.count()).select_from(Nomination)).one()
        states = Counter(dict(s.exec(select(Nomination.state, func.count()).group_by(Nomination.state)).all()))
        outbox = s.exec(select(func.count()).select_from(OutboxMessage)).one()
    mismatches = fold_mismatches(engine)
    result.figures += [
        Figure("2 year", f"total time, {nominations:,} nominations in {clusters}×{units_per} units", db, "s", [total_s],
               target="<= 120" if db == "sqlite" and nominations >= 10_000 else "", higher_is_better=False,
               note="; ".join(f"{k} {v:.1f} s" for k, v in phases.items())),
        Figure("2 year", "transitions/s over the whole year", db, "transitions/s", [transitions / total_s],
               note=f"{transitions:,} transitions + {nominations:,} creations"),
        Figure("2 year", "CPU time of the simulation process", db, "s", [cpu_s], higher_is_better=False,
               note="less sensitive than wall time to the shared cores; excludes the PostgreSQL server's own CPU"),
        Figure("7 memory", "peak RSS of the year simulation", db, "MiB", [peak_rss_mib()], higher_is_better=False),
    ]
    result.checks["every nomination's state equals the fold of its audit trail"] = not mismatches
    result.checks["the drafts never sent expired in the sweep"] = sorted(first.expired) == sorted(never_sent)
    result.checks["a second sweep changes nothing"] = second.total == 0
    result.checks["no nomination is left mid-way (only outcomes and the expired drafts)"] = set(states) <= {
        "awarded", "not_awarded", "centrally_decided", "expired"}
    result.notes.append(f"states at the end: {dict(states)}; outbox rows {outbox:,}; reminders queued {reminders:,}; "
                        f"{len(returned)} returned and resubmitted; sweep expired {len(first.expired)}, escalated {len(first.escalated)}"
                        + (f"; fold mismatches (first 5): {mismatches[:5]}" if mismatches else ""))
    return result


def _unit(session: Session, nid: int) -> str:
    return session.exec(select(Nomination.proposing_unit_code).where(Nomination.id == nid)).one()
