"""The domain core (``workflow/``) stays pure: no database, web, scheduler, mail or config library.

Checked twice: at run time (what importing the modules actually loads, in a fresh interpreter)
and statically (every import statement in every ``workflow/*.py``, including lazy imports
inside functions, which the run-time check cannot see).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW_DIR = ROOT / "workflow"

FORBIDDEN = frozenset(
    {
        "sqlalchemy",
        "sqlmodel",
        "fastapi",
        "starlette",
        "prefect",
        "uvicorn",
        "psycopg",
        "alembic",
        "httpx",
        "emails",
        "pydantic",
        "yaml",
    }
)

CORE_MODULES = (
    "workflow.nomination",
    "workflow.route",
    "workflow.roles",
    "workflow.eligibility",
    "workflow.calendar",
    "workflow.machines",
    "workflow.errors",
    "workflow.aggregate_machine",
    "workflow.cluster_year",
    "workflow.council_session",
    "workflow.votes",
    "workflow.scoring",
)


def _loaded_modules() -> list[str]:
    code = f"import {', '.join(CORE_MODULES)}; import sys; print(sorted(sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return ast.literal_eval(result.stdout.strip().splitlines()[-1])


def test_importing_the_core_loads_no_forbidden_library():
    loaded = _loaded_modules()
    # The probe really imported the core (so an empty result is not a false pass).
    assert set(CORE_MODULES) <= set(loaded)
    assert "statemachine" in loaded
    top_level = {name.partition(".")[0] for name in loaded}
    assert sorted(top_level & FORBIDDEN) == []


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, top-level module) of every absolute import in the file, at any depth."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.partition(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.partition(".")[0]))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, (ast.Name, ast.Attribute))
            and (node.func.id if isinstance(node.func, ast.Name) else node.func.attr) in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value.partition(".")[0]))
    return found


WORKFLOW_FILES = sorted(WORKFLOW_DIR.glob("*.py"))


def test_the_static_scan_sees_the_core_files():
    names = {p.name for p in WORKFLOW_FILES}
    assert {f"{m.split('.')[1]}.py" for m in CORE_MODULES} <= names


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_no_forbidden_import_anywhere_in_workflow(path):
    offending = [
        f"{path.relative_to(ROOT)}:{line}: imports {module}" for line, module in _imports(path) if module in FORBIDDEN
    ]
    assert offending == [], "\n".join(offending)


def test_the_static_scan_catches_a_lazy_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os\n"
        "def f():\n"
        "    import sqlalchemy.orm\n"
        "    from pydantic import BaseModel\n"
        "    return __import__('yaml')\n"
        "from .route import Route\n",
        encoding="utf-8",
    )
    assert sorted(_imports(sample)) == [(1, "os"), (3, "sqlalchemy"), (4, "pydantic"), (5, "yaml")]
    assert {m for _, m in _imports(sample)} & FORBIDDEN == {"sqlalchemy", "pydantic", "yaml"}


def test_search_fold_ignores_case_and_vietnamese_accents() -> None:
    from workflow.text import search_fold

    assert search_fold("Nguyễn Thị Thu Hà") == "nguyen thi thu ha"
    assert search_fold("88/QĐ-UBND") == "88/qd-ubnd"
    assert search_fold("ĐẶNG") == search_fold("dang")
