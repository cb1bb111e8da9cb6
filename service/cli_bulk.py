"""``tdkt bulk …``: the bulk work of issue 10 from the command line — import a list of nominees,
export decided awards for the national database, issue missing certificates, write the import
template. Each command calls the same service function as the HTTP API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from service.actors import Actor
from service.db import default_engine, session_scope
from workflow.errors import WorkflowError
from workflow.roles import Role

bulk_app = typer.Typer(help="Bulk work: Excel import, national export, certificates (nhập Excel, xuất dữ liệu, cấp bằng).",
                       no_args_is_help=True)


def _fail(exc: WorkflowError, lang: str) -> None:
    typer.secho(exc.message_en if lang == "en" else exc.message_vi, fg="red", err=True)
    details = getattr(exc, "details", None)
    if details:
        typer.secho(json.dumps(details, ensure_ascii=False), err=True)
    raise typer.Exit(code=2)


@bulk_app.command("template")
def write_template(path: Path) -> None:
    """Write the empty list-of-nominees template (.xlsx) with one example row."""
    from service.nominee_import import template

    path.write_bytes(template())
    typer.echo(str(path))


@bulk_app.command("import")
def import_nominees(
    file: Path,
    unit: str = typer.Option(..., "--unit", help="the importing unit's code"),
    name: str = typer.Option("cli", "--name", help="who imports, recorded in the audit trail"),
    apply: bool = typer.Option(False, "--apply", help="create the drafts (default: preview only)"),
    lang: str = typer.Option("vi", "--lang"),
) -> None:
    """Preview (or with --apply, create) the drafts of a list of nominees; exit 1 if a row has errors."""
    from service.nominee_import import run_import

    actor = Actor(name=name, role=Role.SUBMITTER, unit_code=unit)
    try:
        with session_scope(default_engine()) as session:
            plan = run_import(session, file.read_bytes(), actor=actor, apply=apply)
    except WorkflowError as exc:
        _fail(exc, lang)
    for row in plan.as_dict()["rows"]:
        typer.echo(f"row {row['row']}: {row['action']} {row['nominee']} {row['award_code']} {row['year']}"
                   + (f" → #{row['nomination_id']}" if row["nomination_id"] else ""))
        for p in row["problems"]:
            typer.echo(f"  [{p['severity']}] {p['column'] or ''} {p['message_en'] if lang == 'en' else p['message_vi']}")
    raise typer.Exit(code=0 if plan.ok else 1)


@bulk_app.command("national-export")
def national_export(
    format: str = typer.Option("csv", "--format", help="csv or json"),
    year: Optional[int] = typer.Option(None, "--year"),
    output: Optional[Path] = typer.Option(None, "--output", "-o"),
) -> None:
    """Decided awards for the national database (docs/national-export.md)."""
    from service import national_export as ne

    if format not in ("csv", "json"):
        raise typer.BadParameter("format is csv or json")
    with session_scope(default_engine()) as session:
        rows = ne.export_rows(session, year=year)
    text = ne.to_csv(rows) if format == "csv" else json.dumps(ne.to_json(rows), ensure_ascii=False, indent=2)
    if output:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"{len(rows)} awards → {output}")
    else:
        typer.echo(text, nl=False)


@bulk_app.command("issue-certificates")
def issue_certificates(lang: str = typer.Option("vi", "--lang")) -> None:
    """Issue a certificate for every decided award that has none yet (safe to run twice)."""
    from service.actors import SYSTEM
    from service.certificates import issue_missing, verify_url

    try:
        with session_scope(default_engine()) as session:
            issued = issue_missing(session, actor=SYSTEM)
    except WorkflowError as exc:
        _fail(exc, lang)
    for c in issued:
        typer.echo(f"#{c.nomination_id} {c.sha256[:12]} {verify_url(c.code)}")
    typer.echo(f"{len(issued)} issued")
