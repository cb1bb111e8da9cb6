"""Workload 4: reads — the list / inbox endpoints and pages at ``read_rows`` nominations (100k at
full size) with ``read_users`` concurrent users (50), each signed in with their own role and unit.

Each user asks for what their inbox shows: the submitter their unit's drafts and returns, the
unit head what awaits them, a cluster head the cluster's reviews, a cluster member its cluster,
the Board what was received and what is overdue, the Chairman what awaits signature; plus the
unfiltered first page. Over the API (``API_LISTS``, JSON) and as the clerks see them in the
browser (``PAGES``: the home page's inbox and the filtered list pages, HTML), in separate bursts
of the same users, reported separately. Twice: with no think time (each user asks again as soon
as it has its answer: the server's saturation, where p99 is the queue of 50 requests in front of
two cores shared with the load generator) and with a clerk's pause between requests
(``read_think_s``, uniform ±50%: the latency a person waits at that many users)."""

from __future__ import annotations

import random
import time
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from sqlmodel import Session

from bench import dataset
from bench.common import API_WORKERS, Figure, Result, dialect, percentile, throwaway_database, use_database
from bench.server import Client, Load, run_clients, uvicorn
from service.web.session import COOKIE as SESSION_COOKIE
from service.api.security import issue_token
from service.api.settings import get_api_settings
from service.models import Nomination
from workflow.nomination import STATES
from workflow.roles import Role

# role -> the list requests an inbox makes (query strings of GET /nominations); {due} = now + 5 days.
API_LISTS: dict[Role, tuple[str, ...]] = {
    Role.SUBMITTER: ("state=draft", "state=returned", ""),
    Role.UNIT_HEAD: ("state=awaiting_unit_head", ""),
    Role.CLUSTER_HEAD: ("state=in_cluster_review", ""),
    Role.CLUSTER_MEMBER: ("",),
    Role.BOARD_OFFICER: ("state=received", "state=in_appraisal&due_before={due}", "award=CSTD_TP&state=at_council", ""),
    Role.APPROVER: ("state=awaiting_signature", ""),
}
# role -> the pages a clerk opens: the home page (inbox, "việc đang chờ bạn") and their list.
PAGES: dict[Role, tuple[str, ...]] = {
    Role.SUBMITTER: ("/web/", "/web/nominations?state=draft"),
    Role.UNIT_HEAD: ("/web/", "/web/nominations?state=awaiting_unit_head"),
    Role.CLUSTER_HEAD: ("/web/", "/web/nominations?state=in_cluster_review"),
    Role.CLUSTER_MEMBER: ("/web/", "/web/nominations"),
    Role.BOARD_OFFICER: ("/web/", "/web/nominations?state=received", "/web/nominations"),
    Role.APPROVER: ("/web/", "/web/nominations?state=awaiting_signature"),
}
MIX = (Role.SUBMITTER, Role.SUBMITTER, Role.UNIT_HEAD, Role.CLUSTER_HEAD, Role.CLUSTER_MEMBER, Role.BOARD_OFFICER,
       Role.BOARD_OFFICER, Role.APPROVER)


def run(size: dict, database: str) -> Result:
    with throwaway_database(database) as url:
        engine = use_database(url)
        return _measure(size, engine, url)


def _measure(size: dict, engine, url: str) -> Result:  # type: ignore[no-untyped-def]
    db = dialect(url)
    rng = random.Random(4)
    org = dataset.build_org(engine, clusters=10, units_per_cluster=8, people_per_unit=0)
    with Session(engine) as s:
        campaign = dataset.campaign_id(s)
    _bulk(engine, size["read_rows"], org, campaign, rng)
    # The table as a running database has it: PostgreSQL's autovacuum would have vacuumed 100k
    # rows loaded over months (it sets the visibility map that lets a count read the index only);
    # here they were inserted a moment ago, so vacuum and analyse them once, outside a transaction.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE nominations" if db == "postgresql" else "ANALYZE"))
    users = []
    for i in range(size["read_users"]):
        role = MIX[i % len(MIX)]
        cid = list(org.clusters)[i % len(org.clusters)]
        unit = {Role.CLUSTER_HEAD: org.head_of(cid), Role.CLUSTER_MEMBER: org.clusters[cid][-1]}.get(
            role, org.units[i % len(org.units)] if role in (Role.SUBMITTER, Role.UNIT_HEAD) else None)
        users.append((f"bench.reader.{i}", role, unit))
    dataset.add_users(engine, users)
    settings = get_api_settings()
    due = (datetime.now(timezone.utc) + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    result = Result()
    sizes_seen: list[int] = []

    def reader(name: str, role: Role, pages: bool, think: float = 0.0):  # type: ignore[no-untyped-def]
        token = issue_token(name, settings)[0]
        pause = random.Random(name).uniform
        if pages:  # the browser's session cookie holds the same signed token
            paths, auth = list(PAGES[role]), {"headers": {"Cookie": f"{SESSION_COOKIE}={token}"}}
        else:
            paths, auth = [f"/nominations?{q.format(due=due)}" for q in API_LISTS[role]], {"token": token}

        def work(client: Client) -> None:
            for i in range(size["read_requests"]):
                if client.expired:
                    return
                if think:
                    time.sleep(pause(0.5 * think, 1.5 * think))  # reading the page, not timed
                r = client.request("GET", paths[i % len(paths)], **auth)
                if r is None:
                    continue
                if pages:
                    pages_seen.append(r.text.count('<tr'))
                    assert "<h1>" in r.text, r.text[:200]
                else:
                    body = r.json()
                    sizes_seen.append(len(body["items"]))
                    assert body["total"] >= len(body["items"])
        return work

    pages_seen: list[int] = []
    loads: list[Load] = []
    page_loads: list[Load] = []
    think_loads: list[Load] = []
    think_page_loads: list[Load] = []
    think = size["read_think_s"]
    workers = API_WORKERS[db]
    with uvicorn("service.api.app:create_app", url, workers=workers) as api:
        # Warm-up, not measured: one request per user at once, so every worker opens its
        # connections and compiles its statements.
        run_clients([_one(name) for name, _, _ in users], api.url, 30)
        run_clients([reader(name, role, True) for name, role, _ in users[:8]], api.url, 60)  # the pages' templates
        for _ in range(size["repeats"]):
            loads.append(run_clients([reader(name, role, False) for name, role, _ in users], api.url, 120))
            page_loads.append(run_clients([reader(name, role, True) for name, role, _ in users], api.url, 120))
            think_loads.append(run_clients([reader(name, role, False, think) for name, role, _ in users], api.url, 240))
            think_page_loads.append(run_clients([reader(name, role, True, think) for name, role, _ in users], api.url, 240))
        server_errors = api.errors()
    label = f"{size['read_users']} users, {size['read_rows']:,} nominations"
    page_paths = ", ".join(sorted({p for ps in PAGES.values() for p in ps}))
    for kind, runs, note in (
            ("API lists, no think time", loads, "GET /nominations (JSON)"),
            ("pages, no think time", page_loads, f"home page inbox and list pages (HTML): {page_paths}"),
            (f"API lists, {think:g} s think time", think_loads, "each user pauses 0.5–1.5 s between requests"),
            (f"pages, {think:g} s think time", think_page_loads, "each user pauses 0.5–1.5 s between requests")):
        result.figures += [
            Figure("4 reads", f"{kind} p50, {label}", db, "ms", [percentile(l.latencies_ms, 50) for l in runs], higher_is_better=False),
            Figure("4 reads", f"{kind} p99, {label}", db, "ms", [percentile(l.latencies_ms, 99) for l in runs],
                   target="<= 150", higher_is_better=False, note=note),
            Figure("4 reads", f"{kind} requests/s, {label}", db, "requests/s", [l.per_second for l in runs]),
        ]
    if workers > 1:
        result.notes.append(f"the API ran with {workers} worker processes (API_WORKERS, as deployed)")
    errors = sum(sum(l.errors.values()) for l in loads + page_loads + think_loads + think_page_loads)
    result.checks["every read answered 200"] = errors == 0
    result.checks["the inboxes returned rows"] = sum(sizes_seen) > 0
    result.checks["the pages showed rows"] = sum(pages_seen) > 0
    if errors:
        result.notes.append("errors: " + "; ".join(f"{k}: {n}" for l in loads + page_loads + think_loads + think_page_loads for k, n in l.errors.items()))
        if server_errors:
            result.notes.append("the API's log ends: " + " ⏎ ".join(server_errors.strip().splitlines()[-6:]))
    return result


def _one(name: str):  # type: ignore[no-untyped-def]
    token = issue_token(name, get_api_settings())[0]
    return lambda client: client.request("GET", "/nominations?limit=1", token=token)


def _bulk(engine, count: int, org: dataset.Org, campaign: int, rng: random.Random) -> None:  # type: ignore[no-untyped-def]
    """Background rows over every state, both tracks, due dates spread over the next two months."""
    table = Nomination.__table__  # type: ignore[attr-defined]
    now = datetime.now(timezone.utc)
    clusters = list(org.clusters)
    with engine.begin() as conn:
        batch = []
        for i in range(count):
            cid = clusters[i % len(clusters)]
            unit = org.clusters[cid][i % len(org.clusters[cid])]
            cluster_track = i % 3 == 0
            batch.append(dict(
                award_code="BK_TP" if cluster_track else rng.choice(("DOT_XUAT", "CSTD_TP", "BK_TP")), ruleset_version="2025.7",
                track="cluster" if cluster_track else "unit", nominee_kind="collective", person_id=None, nominee_unit_code=unit,
                nominee_name=f"Tập thể thử nghiệm {i}", proposing_unit_code=unit, cluster_id=cid if cluster_track else None,
                campaign_id=campaign, year=2026, achievements="", facts={}, state=rng.choice(STATES), version=3,
                state_entered_at=now, due_at=now + timedelta(minutes=rng.randrange(60 * 24 * 60)), outcome_reason=None,
                decision_id=None, created_by="bench.bulk", created_at=now, updated_at=now,
            ))
            if len(batch) == 20_000:
                conn.execute(table.insert(), batch)
                batch = []
        if batch:
            conn.execute(table.insert(), batch)
