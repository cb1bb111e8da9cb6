"""The admin page's latest flow runs, read from a real Prefect server (the test harness's)."""

from __future__ import annotations

from prefect import flow


@flow(name="web-admin-probe")
def probe() -> int:
    return 1


def test_latest_flow_runs_lists_a_run_of_the_server(prefect: None) -> None:
    from prefect.settings import PREFECT_API_URL

    from service.web.admin import latest_flow_runs
    from service.web.settings import WebSettings

    state = probe(return_state=True)
    runs = latest_flow_runs(WebSettings(prefect_api_url=PREFECT_API_URL.value(), prefect_timeout_seconds=10))
    assert runs.problem is None
    assert state.state_details.flow_run_id is not None
    assert str(state.state_details.flow_run_id) in {r["id"] for r in runs.runs}
