"""``tdkt rulesets …``: the rule-set versions, and moving nominations in flight to a new one.

``tdkt rulesets move --to 2025.7 --reason "…"`` previews (dry run is the default, as a bulk
change deserves); ``--apply`` carries it out through :mod:`service.ruleset_moves` (one
transaction, an audit entry with the reason on each nomination moved).
"""

from __future__ import annotations

import json
from typing import Optional

import typer

from service.db import default_engine, session_scope
from workflow.errors import WorkflowError

rulesets_app = typer.Typer(help="Rule-set versions (bộ quy định) and moving nominations in flight.", no_args_is_help=True)


@rulesets_app.command("list")
def list_rulesets() -> None:
    """Every rule-set version with its dates, and how many live nominations follow it."""
    from sqlmodel import func, select

    from config.catalogue import catalogue
    from service.models import Nomination
    from service.ruleset_moves import SETTLED_STATES

    with session_scope(default_engine()) as session:
        live = dict(session.exec(
            select(Nomination.ruleset_version, func.count()).where(Nomination.state.not_in(sorted(SETTLED_STATES)))  # type: ignore[attr-defined]
            .group_by(Nomination.ruleset_version)
        ).all())
    for r in catalogue().rulesets:
        typer.echo(f"{r.version:<8} {r.effective_from} → {r.effective_to or '…':<10}  in flight: {live.get(r.version, 0):>4}  {r.name_vi}")


@rulesets_app.command("move")
def move(
    to: str = typer.Option(..., "--to", help="target rule-set version, e.g. 2025.7"),
    reason: str = typer.Option(..., "--reason", help="why (recorded in each nomination's audit trail)"),
    dry_run: bool = typer.Option(True, "--dry-run/--apply", help="preview (default) or apply"),
    from_version: Optional[str] = typer.Option(None, "--from", help="only nominations under this version"),
    as_name: str = typer.Option("cli:admin", "--as-name", help="the admin's name in the audit trail"),
    output: str = typer.Option("text", "--output", help="text or json"),
    lang: str = typer.Option("vi", "--lang"),
) -> None:
    """Preview or apply the move of nominations in flight to another rule set."""
    from service.actors import Actor
    from service.ruleset_moves import move_rulesets
    from workflow.roles import Role

    actor = Actor(name=as_name, role=Role.ADMIN)
    with session_scope(default_engine()) as session:
        try:
            report = move_rulesets(session, to, actor=actor, reason=reason, dry_run=dry_run, from_version=from_version)
        except WorkflowError as exc:
            typer.secho(exc.message_en if lang == "en" else exc.message_vi, fg="red", err=True)
            raise typer.Exit(code=2) from None
    if output == "json":
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
        return
    en = lang == "en"
    for p in report.plans:
        verdict = ("move" if en else "chuyển") if p.move else ("keep" if en else "giữ")
        eligible = {True: "eligible" if en else "đủ điều kiện", False: "NOT eligible" if en else "KHÔNG đủ điều kiện",
                    None: "—"}[p.eligible]
        why = p.why_en if en else p.why_vi
        typer.echo(f"#{p.nomination_id:<5} {p.award_code:<9} {p.state:<18} {p.from_version} → {p.to_version}  {verdict:<6} {eligible}"
                   + (f"  ({why})" if why else ""))
    if report.dry_run:
        typer.echo((f"dry run: {len(report.moved)} would move, {len(report.kept)} would keep their rule set; nothing changed"
                    if en else f"chạy thử: {len(report.moved)} hồ sơ sẽ chuyển, {len(report.kept)} giữ nguyên; chưa thay đổi gì"))
    else:
        typer.echo((f"moved {len(report.moved)}, kept {len(report.kept)}" if en
                    else f"đã chuyển {len(report.moved)} hồ sơ, giữ nguyên {len(report.kept)}"))
