"""Workload 1: transitions over HTTP against a real uvicorn, and the ceiling in the same run.

Each client is one unit's pipeline: it drives its own DOT_XUAT nominations (unit track) through
submit → endorse → receive → start_appraisal → submit_for_signature → decide, each action as the
right role with a Bearer token and the version of the last answer in ``If-Match``. The ceiling is
:mod:`bench.ceiling_app` walking the same states with only the writes, answering the new state
and version. tdkt is driven twice: with ``Prefer: return=minimal`` (its answer is the
nomination's own fields, comparable with the ceiling's) and with the default answer, the full
detail (timeline, attachments, documents, next actions: four more reads per action). Bursts
alternate (minimal, ceiling, detail) at each client count, so all see the same machine load; the
ratios are per burst. The API and the ceiling run with as many worker processes as the database's
deployment does (``API_WORKERS``). Untimed walks on each side warm every worker up first.
Also the peak resident memory of the API process (workload 7)."""

from __future__ import annotations

from collections import Counter
from typing import Callable

from sqlmodel import Session

from bench import dataset
from bench.common import API_WORKERS, Figure, Result, dialect, percentile, throwaway_database, use_database
from bench.server import Client, Load, run_clients, uvicorn
from service.api.security import issue_token
from service.api.settings import get_api_settings
from workflow.roles import Role

WALK = ("submit", "endorse", "receive", "start_appraisal", "submit_for_signature", "decide")
# What the issue asks of each database (client count, transitions/s, p99 ms).
TARGETS = {"sqlite": (4, 200, 250), "postgresql": (8, 300, 100)}


def run(size: dict, database: str) -> Result:
    with throwaway_database(database) as url:
        engine = use_database(url)
        return _measure(size, engine, url)


def _measure(size: dict, engine, url: str) -> Result:  # type: ignore[no-untyped-def]
    db = dialect(url)
    levels, per, repeats = size["http_clients"], size["http_per_client"], size["repeats"]
    clients = max(levels)
    # Per unit: two halves, one per tdkt series (the ceiling walks copies of the first); the last
    # nomination of each half warms the servers up.
    need = 2 * (per * repeats * len(levels) + 1)
    org = dataset.build_org(engine, clusters=1, units_per_cluster=clients, people_per_unit=2 * need)
    units = org.units
    users = [("bench.board", Role.BOARD_OFFICER, None), ("bench.chairman", Role.APPROVER, None)]
    users += [(f"bench.sub.{u}", Role.SUBMITTER, u) for u in units] + [(f"bench.head.{u}", Role.UNIT_HEAD, u) for u in units]
    dataset.add_users(engine, users)
    settings = get_api_settings()
    token = {name: issue_token(name, settings)[0] for name, _, _ in users}
    ours: dict[str, list[int]] = {}
    with Session(engine, expire_on_commit=False) as session:
        for u in units:
            ours[u] = [dataset.create(session, u, "DOT_XUAT", person=p) for p in org.people[u][:need]]
    ceiling = {u: dataset.ceiling_copies(engine, ours[u][: need // 2]) for u in units}

    def ours_walk(unit: str, ids: list[int], minimal: bool = True) -> Callable[[Client], None]:
        role_token = {"submit": token[f"bench.sub.{unit}"], "endorse": token[f"bench.head.{unit}"],
                      "decide": token["bench.chairman"]}
        prefer = {"Prefer": "return=minimal"} if minimal else {}

        def work(client: Client) -> None:
            for nid in ids:
                version = 1
                for event in WALK:
                    if client.expired:
                        return
                    body = {"document_number": f"{nid}/QĐ-UBND", "signed_on": "2026-11-22", "signer": "Chủ tịch"} if event == "decide" else None
                    r = client.request("POST", f"/nominations/{nid}/actions/{event}", token=role_token.get(event, token["bench.board"]),
                                       headers={"If-Match": f'"v{version}"', **prefer}, json=body)
                    if r is None:
                        break
                    version = r.json()["version"]
        return work

    def ceiling_walk(ids: list[int]) -> Callable[[Client], None]:
        def work(client: Client) -> None:
            for nid in ids:
                for event in WALK:
                    if client.expired:
                        return
                    if client.request("POST", f"/ceiling/{nid}/{event}") is None:
                        break
        return work

    result = Result()
    errors: Counter = Counter()
    error_runs: list[float] = []
    workers = API_WORKERS[db]
    with uvicorn("service.api.app:create_app", url, workers=workers) as api, \
            uvicorn("bench.ceiling_app:create_app", url, workers=workers) as ceil:
        # Warm-up, not measured: walks on every unit at once (so every worker gets some), with
        # both kinds of answer, so no timed request pays for first imports, compiled statements
        # and connections (the ceiling has almost none to pay).
        run_clients([ours_walk(u, ours[u][-1:], minimal=False) for u in units], api.url, size["http_seconds"])
        run_clients([ours_walk(u, ours[u][need // 2 - 1: need // 2]) for u in units], api.url, size["http_seconds"])
        run_clients([ceiling_walk(ceiling[u][-1:]) for u in units], ceil.url, size["http_seconds"])
        cursor = 0  # into the first half of each unit's nominations (the ceiling has copies of these)
        full_cursor = need // 2  # the second half: the series with the full detail answer
        for level in levels:
            mine_runs: list[Load] = []
            full_runs: list[Load] = []
            ceil_runs: list[Load] = []
            for _ in range(repeats):
                batch = {u: slice(cursor, cursor + per) for u in units[:level]}
                full_batch = {u: slice(full_cursor, full_cursor + per) for u in units[:level]}
                cursor += per
                full_cursor += per
                mine = run_clients([ours_walk(u, ours[u][s]) for u, s in batch.items()], api.url, size["http_seconds"])
                base = run_clients([ceiling_walk(ceiling[u][s]) for u, s in batch.items()], ceil.url, size["http_seconds"])
                full = run_clients([ours_walk(u, ours[u][s], minimal=False) for u, s in full_batch.items()], api.url,
                                   size["http_seconds"])
                mine_runs.append(mine)
                full_runs.append(full)
                ceil_runs.append(base)
                for run_ in (mine, full):
                    errors.update(run_.errors)
                    error_runs.append(sum(run_.errors.values()))
                    if run_.timed_out:
                        result.notes.append(f"{level} client(s): a tdkt burst hit the {size['http_seconds']} s bound")
            want_clients, want_rate, want_p99 = TARGETS[db]
            hit = level == want_clients
            for series, runs, note in (("tdkt", mine_runs, "Prefer: return=minimal (the answer the ceiling gives)"),
                                       ("tdkt, full detail answer", full_runs, "the default answer: 4 more reads per action")):
                result.figures += [
                    Figure("1 http", f"{series} transitions/s, {level} client(s)", db, "transitions/s", [m.per_second for m in runs],
                           target=f">= {want_rate}" if hit else "", note=note),
                    Figure("1 http", f"{series} p50 latency, {level} client(s)", db, "ms", [percentile(m.latencies_ms, 50) for m in runs],
                           higher_is_better=False),
                    Figure("1 http", f"{series} p99 latency, {level} client(s)", db, "ms", [percentile(m.latencies_ms, 99) for m in runs],
                           target=f"<= {want_p99}" if hit else "", higher_is_better=False),
                ]
            result.figures += [
                Figure("1 http", f"ceiling transitions/s, {level} client(s)", db, "transitions/s", [c.per_second for c in ceil_runs],
                       note="same writes, no engine logic, no auth"),
                Figure("1 http", f"ceiling p99 latency, {level} client(s)", db, "ms", [percentile(c.latencies_ms, 99) for c in ceil_runs],
                       higher_is_better=False),
                Figure("1 http", f"tdkt / ceiling, {level} client(s)", db, "ratio",
                       [m.per_second / c.per_second if c.per_second else 0.0 for m, c in zip(mine_runs, ceil_runs)], target=">= 0.6"),
                Figure("1 http", f"tdkt, full detail answer / ceiling, {level} client(s)", db, "ratio",
                       [m.per_second / c.per_second if c.per_second else 0.0 for m, c in zip(full_runs, ceil_runs)], target=">= 0.6"),
            ]
        rss = api.peak_rss_mib()
        if errors and api.errors():
            result.notes.append("the API's log ends: " + " ⏎ ".join(api.errors().strip().splitlines()[-6:]))
        rss_ceiling = ceil.peak_rss_mib()
    if workers > 1:
        result.notes.append(f"the API and the ceiling ran with {workers} worker processes each (API_WORKERS, as deployed)")
    result.figures.append(Figure("1 http", "tdkt errors (all kinds, per burst)", db, "errors", error_runs, target="<= 0",
                                 higher_is_better=False, note=_kinds(errors)))
    result.figures.append(Figure("7 memory", "peak RSS of the API process under workload 1", db, "MiB", [rss],
                                 higher_is_better=False, note=f"per worker process ({workers}); ceiling app: {rss_ceiling:.0f} MiB"))
    result.checks["no 'database is locked' errors"] = not any("locked" in k for k in errors)
    result.checks["every walked tdkt nomination's audit trail replays to its state"] = _fold_check(engine, [i for ids in ours.values() for i in ids])
    return result


def _kinds(errors: Counter) -> str:
    return "; ".join(f"{k}: {n}" for k, n in errors.most_common()) or "none"


def _fold_check(engine, ids: list[int]) -> bool:  # type: ignore[no-untyped-def]
    from bench.checks import fold_mismatches

    return not fold_mismatches(engine, ids)
