"""Merging a partial run into the report keeps what the report had: the other workloads' rows,
the commands, and the later runs that ``python -m bench.merge`` recorded."""

from bench.runner import merged


def _result(workload: str, database: str, value: float) -> dict:  # type: ignore[type-arg]
    return {"workload": workload, "database": database, "figures": [{"runs": [value]}]}


def test_a_merge_replaces_only_its_rows_and_keeps_the_later_runs() -> None:
    earlier = {"size": "small", "command": "python -m bench --size small", "later_runs": ["`python -m bench --only 2` replaced …"],
               "results": [_result("1", "sqlite", 1.0), _result("2", "sqlite", 2.0), _result("6", "sqlite", 6.0)]}
    report = {"size": "small", "command": "python -m bench --size small --only 6", "machine": {}, "results": [_result("6", "sqlite", 60.0)]}
    out = merged(earlier, report)
    assert [(r["workload"], r["figures"][0]["runs"][0]) for r in out["results"]] == [("1", 1.0), ("2", 2.0), ("6", 60.0)]
    assert out["command"] == "python -m bench --size small; then python -m bench --size small --only 6 --merge"
    assert out["later_runs"] == earlier["later_runs"]
    assert "later_runs" not in merged({**earlier, "later_runs": []}, report)
