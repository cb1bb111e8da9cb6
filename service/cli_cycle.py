"""``tdkt cycle …``: read the cluster years, pledges, ballots, quotas and council sessions.

Writes go through the service functions (``service.cluster_cycle``, ``service.ballots``,
``service.council``) from the API and flows; these commands only show where things stand.
Ballot results appear only once a round or session is closed.
"""

from __future__ import annotations

from typing import Optional

import typer
from sqlmodel import select

from service.db import default_engine, session_scope
from workflow.errors import WorkflowError

cycle_app = typer.Typer(help="Cluster years, ballots, quotas and council sessions (năm thi đua của Cụm, suy tôn, Hội đồng).",
                        no_args_is_help=True)


def _fail(exc: Exception, lang: str) -> None:
    message = exc.message_en if lang == "en" else exc.message_vi if isinstance(exc, WorkflowError) else str(exc)  # type: ignore[attr-defined]
    typer.secho(message, fg="red", err=True)
    raise typer.Exit(code=2)


@cycle_app.command("pledge")
def show_pledge(cluster: str, year: int, lang: str = typer.Option("vi", "--lang")) -> None:
    """The pledge and scoring table a cluster adopts for a year (config/clusters)."""
    from config.pledges import pledge_for

    try:
        source = pledge_for(cluster, year)
    except LookupError as exc:
        typer.secho(str(exc), fg="red", err=True)
        raise typer.Exit(code=2) from None
    p = source.pledge
    en = lang == "en"
    typer.echo(f"{p.name_en if en else p.name_vi} — {source.file} (sha256 {source.sha256[:12]})")
    typer.echo("targets:" if en else "chỉ tiêu giao ước:")
    for t in p.targets:
        typer.echo(f"  [{t.code}] {t.text_en if en else t.text_vi}")
    for unit, targets in p.member_targets.items():
        for t in targets:
            typer.echo(f"  [{unit}] {t.text_en if en else t.text_vi}")
    for g in p.groups:
        typer.echo(f"{g.code}. {g.name_en if en else g.name_vi} ({g.max_points})")
        for c in g.criteria:
            typer.echo(f"   {c.code:<6} {c.max_points:>5}  {c.name_en if en else c.name_vi}")
    typer.echo(f"{'bonus, cap' if en else 'điểm thưởng, tối đa'} {p.bonus.cap}: " + ", ".join(f"{i.code} ≤{i.max_points}" for i in p.bonus.items))
    typer.echo(f"{'penalty, cap' if en else 'điểm trừ, tối đa'} {p.penalty.cap}: " + ", ".join(f"{i.code} ≤{i.max_points}" for i in p.penalty.items))
    r = p.regulation
    typer.echo(f"{'cross-check' if en else 'chấm chéo'}: {r.cross_check}; quorum {r.ballot_quorum}; tie-break {', '.join(r.tie_break)}")


@cycle_app.command("year")
def show_year(cluster: str, year: int, lang: str = typer.Option("vi", "--lang")) -> None:
    """A cluster's year: its step, who has scored, the ranking, its ballots."""
    from service import ballots
    from service import cluster_cycle as cycle
    from service.cycle_models import ClusterBallotRound, ClusterScore
    from workflow.cluster_year import STATE_LABELS

    with session_scope(default_engine()) as session:
        cy = cycle.find_cluster_year(session, cluster, year)
        if cy is None:
            typer.secho(f"{cluster} {year}: —", fg="red", err=True)
            raise typer.Exit(code=1)
        vi, en = STATE_LABELS[cy.state]
        typer.echo(f"{cluster} {year} (#{cy.id}): {en if lang == 'en' else vi} [{cy.state}], version {cy.version}")
        if cy.pledge:
            typer.echo(f"pledge: {cy.pledge['file']} signed {cy.pledge_signed_on}")
        members = cycle.members_of(session, cy.cluster_id)
        scored = set(session.exec(select(ClusterScore.unit_code).where(ClusterScore.cluster_year_id == cy.id)))
        typer.echo("scores: " + ", ".join(f"{u}{'✓' if u in scored else '…'}" for u in members))
        if cy.pledge and scored:
            for r in cycle.current_ranking(session, cy):
                gates = f"  ✗ {', '.join(r['failed_gates'])}" if r["failed_gates"] else ""
                typer.echo(f"  {r['rank']:>2}{'=' if r['shared'] else ' '} {r['unit']:<10} {r['total']:>6} "
                           f"(+{r['bonus']} −{r['penalty']}){gates}")
        for b in session.exec(select(ClusterBallotRound).where(ClusterBallotRound.cluster_year_id == cy.id).order_by(ClusterBallotRound.round)):
            typer.echo(f"ballot #{b.id} round {b.round}: {b.state}, voted: {', '.join(ballots.voters(session, b.id)) or '—'}")


@cycle_app.command("ballot")
def show_ballot(ballot_id: int, lang: str = typer.Option("vi", "--lang")) -> None:
    """Who has voted in a ballot round; its minutes once it is closed."""
    import json

    from service import ballots

    with session_scope(default_engine()) as session:
        try:
            typer.echo("voted: " + (", ".join(ballots.voters(session, ballot_id)) or "—"))
            typer.echo(json.dumps(ballots.minutes(session, ballot_id), ensure_ascii=False, indent=2))
        except WorkflowError as exc:
            _fail(exc, lang)


@cycle_app.command("council")
def show_council(session_id: int, lang: str = typer.Option("vi", "--lang")) -> None:
    """A council session: agenda, attendance, papers received; the count once it is closed."""
    import json

    from service import council
    from service.cycle_models import CouncilSession
    from service.models import Nomination
    from workflow.council_session import STATE_LABELS

    with session_scope(default_engine()) as session:
        cs = session.get(CouncilSession, session_id)
        if cs is None:
            typer.secho(f"#{session_id}: —", fg="red", err=True)
            raise typer.Exit(code=1)
        vi, en = STATE_LABELS[cs.state]
        typer.echo(f"#{cs.id} {cs.title_vi} — {cs.scheduled_on:%d/%m/%Y}: {en if lang == 'en' else vi} [{cs.state}]")
        for item in council.agenda(session, session_id):
            n = session.get(Nomination, item.nomination_id)
            typer.echo(f"  {item.position}. #{n.id} {n.award_code} {n.nominee_name}" + (f" → {item.outcome}" if item.outcome else ""))  # type: ignore[union-attr]
        members = council.members_of(session, cs.year)
        typer.echo(f"members {len(members)}, present {len(cs.attendance.get('members', []))}, "
                   f"papers {len(council.voters(session, session_id))}")
        if cs.state in ("closed", "minutes_signed"):
            typer.echo(json.dumps(council.minutes(session, session_id), ensure_ascii=False, indent=2))


@cycle_app.command("quota")
def show_quota(award: str, cluster: str, year: int, ruleset: Optional[str] = typer.Option(None, help="rule set version")) -> None:
    """An award's quota for a cluster-year and the nominations that use it."""
    from datetime import date

    from config.catalogue import catalogue
    from service import quotas
    from service.models import Cluster

    version = ruleset or catalogue().in_force(date(year + 1, 1, 15)).version
    with session_scope(default_engine()) as session:
        row = session.exec(select(Cluster).where(Cluster.code == cluster, Cluster.year == year)).first()
        if row is None:
            raise typer.BadParameter(f"no cluster {cluster} in {year}")
        state = quotas.status(session, award, version, row.id, lock=False)  # type: ignore[arg-type]
        if state is None:
            typer.echo(f"{award}: no quota ({version})")
            return
        typer.echo(f"{award} {cluster} {year}: {len(state.uses)}/{state.capacity} ({state.citation})")
        for use in state.uses:
            typer.echo(f"  #{use['nomination_id']} {use['nominee']} [{use['state']}]")


def _units(spec: str) -> list[str]:
    return [u.strip() for u in spec.split(",") if u.strip()]


def _moment(text: str, zone: object) -> "datetime":
    from datetime import datetime

    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r}: give a date and time like 2026-12-20T08:00 (Hà Nội time unless an offset is given)") from None
    return at if at.tzinfo else at.replace(tzinfo=zone)  # type: ignore[arg-type]


@cycle_app.command("schedule-ballot")
def schedule_ballot(
    cluster: str,
    year: int,
    opens: str = typer.Option(..., "--opens", help="when the sweep opens round 1, e.g. 2026-12-20T08:00 (Hà Nội time)"),
    closes: Optional[str] = typer.Option(None, "--closes", help="when it closes; default: end of the calendar's cluster_ballot date"),
    award: list[str] = typer.Option([], "--award", help="AWARD=UNIT,UNIT (repeatable): an award and its candidate units"),
    head: Optional[str] = typer.Option(None, "--head", help="units standing for cluster head, comma-separated"),
    deputy: Optional[str] = typer.Option(None, "--deputy", help="units standing for deputy, comma-separated"),
    unit: str = typer.Option(..., "--as", help="the head's or deputy's unit code (Cụm trưởng, Cụm phó)"),
    name: Optional[str] = typer.Option(None, "--name", help="the actor's name, recorded in the audit trail"),
    lang: str = typer.Option("vi", "--lang"),
) -> None:
    """Schedule the cluster's honouring ballot ("đặt lịch bỏ phiếu suy tôn"): the deadline sweep opens it at --opens."""
    from config.settings import get_settings
    from service import ballot_schedule
    from service import cluster_cycle as cycle
    from service.actors import Actor
    from workflow.roles import Role

    zone = get_settings().zone
    candidates: dict[str, list[str]] = {}
    for spec in award:
        code, sep, units = spec.partition("=")
        if not sep or not code.strip() or not _units(units):
            raise typer.BadParameter(f"--award {spec!r}: write AWARD=UNIT,UNIT")
        candidates[code.strip()] = _units(units)
    election = {office: _units(v) for office, v in (("head", head), ("deputy", deputy)) if v}
    actor = Actor(name=name or f"cluster_head@{unit}", role=Role.CLUSTER_HEAD, unit_code=unit)
    with session_scope(default_engine()) as session:
        cy = cycle.find_cluster_year(session, cluster, year)
        if cy is None:
            typer.secho(f"{cluster} {year}: —", fg="red", err=True)
            raise typer.Exit(code=1)
        try:
            made = ballot_schedule.schedule_ballot(session, cy.id, actor=actor, candidates=candidates,  # type: ignore[arg-type]
                                                   election=election or None, opens_at=_moment(opens, zone),
                                                   closes_at=_moment(closes, zone) if closes else None)
        except WorkflowError as exc:
            _fail(exc, lang)
        typer.echo(f"schedule #{made.id}: {made.state}, opens {made.opens_at.isoformat()}, "
                   f"closes {made.closes_at.isoformat() if made.closes_at else '—'}")
