"""The ``tdkt`` command line (Typer). Commands call the same service actions as the API and flows."""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

import typer

from config.errors import ConfigError
from config.settings import get_settings
from service.actors import Actor
from service.db import default_engine, session_scope
from workflow.errors import WorkflowError
from workflow.nomination import EVENT_LABELS, STATE_LABELS
from workflow.roles import Role

app = typer.Typer(
    help="tdkt — quy trình xét khen thưởng (award nomination workflow).", no_args_is_help=True, pretty_exceptions_enable=False
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data (Hà Nội clusters, people, nominations).", no_args_is_help=True)
nom_app = typer.Typer(help="Nominations (hồ sơ đề nghị khen thưởng).", no_args_is_help=True)
audit_app = typer.Typer(help="Audit trail.", no_args_is_help=True)
config_app = typer.Typer(help="Configuration data.", no_args_is_help=True)
users_app = typer.Typer(help="Accounts that sign in.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(nom_app, name="nominations")
app.add_typer(audit_app, name="audit")
app.add_typer(config_app, name="config")
app.add_typer(users_app, name="users")

Lang = typer.Option("vi", "--lang", help="vi (default) or en")


def _label(table: dict[str, tuple[str, str]], key: str | None, lang: str) -> str:
    if key is None:
        return "—"
    vi, en = table.get(key, (key, key))
    return en if lang == "en" else vi


def _fail(exc: Exception, lang: str = "vi") -> None:
    if isinstance(exc, WorkflowError):
        typer.secho(exc.message_en if lang == "en" else exc.message_vi, fg="red", err=True)
    else:
        typer.secho(str(exc), fg="red", err=True)
    raise typer.Exit(code=2)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema to the latest revision."""
    from service.schema import current_revision, upgrade

    engine = default_engine()
    upgrade(engine)
    typer.echo(f"schema at revision {current_revision(engine)} ({engine.url.render_as_string(hide_password=True)})")


@app.command("serve")
def serve(
    host: str = typer.Option("127.0.0.1"),
    port: int = typer.Option(8000),
    workers: int = typer.Option(1, help="API worker processes"),
) -> None:
    """Run the HTTP API (uvicorn, uvloop)."""
    import uvicorn

    uvicorn.run("service.api.app:create_app", factory=True, host=host, port=port, workers=workers, loop="uvloop")


@app.command("up")
def up(
    host: str = typer.Option("127.0.0.1"),
    port: int = typer.Option(8000, help="API port"),
    prefect_port: int = typer.Option(4200, help="Prefect server and UI port"),
) -> None:
    """Start everything: Prefect server + UI, the flows as scheduled deployments, and the API."""
    from service.launcher import up as run

    raise typer.Exit(code=run(host=host, api_port=port, prefect_port=prefect_port))


@users_app.command("create")
def users_create(
    username: str,
    role: str = typer.Option(..., help="submitter, unit_head, cluster_member, cluster_head, board_officer, council_member, approver, admin"),
    full_name: str = typer.Option(..., "--full-name"),
    unit: Optional[str] = typer.Option(None, help="unit code, for unit and cluster roles"),
    email: Optional[str] = typer.Option(None),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """Create an account."""
    from service.users import create_user

    with session_scope(default_engine()) as session:
        try:
            user = create_user(session, username=username, password=password, role=role, full_name=full_name,
                               unit_code=unit, email=email)
        except WorkflowError as exc:
            _fail(exc)
    typer.echo(f"created {user.username} ({user.role})")


@config_app.command("check")
def config_check() -> None:
    """Load every configuration file; fail naming the file and entry of the first problem."""
    from config.calendar import load_calendar
    from config.catalogue import load_catalogue
    from config.org import load_org

    from config.council import load_council
    from config.escalation import load_escalation
    from config.overlaps import load_overlaps
    from config.statistics import load_statistics
    from config.pledges import load_pledges
    from config.reminders import load_reminders
    from flows.registry import load_schedules

    try:
        catalogue = load_catalogue()
        org = load_org()
        calendar = load_calendar()
        pledges = load_pledges()
        councils = load_council()
        load_reminders(), load_escalation(), load_schedules(), load_overlaps(), load_statistics()
    except ConfigError as exc:
        _fail(exc)
    typer.echo(f"rule sets: {', '.join(r.version for r in catalogue.rulesets)}")
    typer.echo(f"units: {len(org.units)}, cluster-years: {len(org.clusters)}")
    typer.echo(f"calendar: {calendar.first_year}–{calendar.last_year}, {len(calendar.holidays)} holidays")
    typer.echo(f"pledges: {len(pledges)} cluster-years; councils: {len(councils)} years; reminders, escalation, schedules: ok")


@demo_app.command("load")
def demo_load() -> None:
    """Load the Hà Nội demo: clusters, units, people with title histories, campaigns, nominations."""
    from service.demo import load_demo

    with session_scope(default_engine()) as session:
        summary = load_demo(session)
    typer.echo(summary)


def _actor(role: str, unit: Optional[str], name: Optional[str]) -> Actor:
    try:
        parsed = Role(role)
    except ValueError:
        raise typer.BadParameter(f"unknown role {role!r}; one of {[r.value for r in Role]}") from None
    return Actor(name=name or f"{parsed.value}@{unit or 'city'}", role=parsed, unit_code=unit)


AsRole = typer.Option("admin", "--as", help="role to act as")
AsUnit = typer.Option(None, "--unit", help="the actor's unit code (unit and cluster roles)")
AsName = typer.Option(None, "--name", help="the actor's name, recorded in the audit trail")


@nom_app.command("list")
def nominations_list(
    state: Optional[str] = typer.Option(None),
    award: Optional[str] = typer.Option(None),
    unit: Optional[str] = typer.Option(None, "--of-unit", help="proposing unit code"),
    role: str = AsRole,
    actor_unit: Optional[str] = AsUnit,
    lang: str = Lang,
) -> None:
    """List nominations visible to the actor, with state and deadline."""
    from service.queries import list_nominations

    actor = _actor(role, actor_unit, None)
    zone = get_settings().zone
    with session_scope(default_engine()) as session:
        rows = list_nominations(session, actor, state=state, award=award, unit=unit)
        for n in rows:
            due = n.due_at.astimezone(zone).strftime("%d/%m/%Y") if n.due_at else "—"
            typer.echo(
                f"#{n.id:<5} {n.award_code:<9} {n.nominee_name[:38]:<38} {_label(STATE_LABELS, n.state, lang):<34} "
                f"{'hạn' if lang == 'vi' else 'due'} {due}  v{n.version}"
            )
        typer.echo(f"({len(rows)})")


@nom_app.command("show")
def nominations_show(nomination_id: int, role: str = AsRole, actor_unit: Optional[str] = AsUnit, lang: str = Lang) -> None:
    """One nomination: state, deadline, timeline from the audit trail, next allowed actions."""
    from service.nominations import get_nomination
    from service.queries import documents_of, next_actions, step_clock, timeline

    actor = _actor(role, actor_unit, None)
    zone = get_settings().zone
    with session_scope(default_engine()) as session:
        try:
            n = get_nomination(session, nomination_id, actor)
        except WorkflowError as exc:
            _fail(exc, lang)
        typer.echo(f"#{n.id} {n.award_code} — {n.nominee_name} ({n.year}), {n.track} track, rules {n.ruleset_version}")
        typer.echo(f"state: {_label(STATE_LABELS, n.state, lang)} [{n.state}], version {n.version}")
        if n.due_at:
            typer.echo(f"due: {n.due_at.astimezone(zone):%d/%m/%Y %H:%M} ({zone.key})")
        clock = step_clock(session, n)
        if clock:
            held = f", the Board's {clock.held_working_days} on hold" if clock.held_working_days is not None else ""
            typer.echo(f"clock ({clock.clock}): {clock.working_days_used} working days used, "
                       f"{clock.working_days_left} left{held}")
        for doc in documents_of(session, n):
            typer.echo(f"document: {doc.filename} sha256 {doc.sha256}")
        if n.outcome_reason:
            typer.echo(f"reason: {n.outcome_reason}")
        typer.echo("timeline:")
        for item in timeline(session, n):
            why = f" — {item.reason}" if item.reason else ""
            typer.echo(
                f"  {item.seq:>3}. {item.at.astimezone(zone):%d/%m/%Y %H:%M} {item.actor} ({item.role}): {item.action} "
                f"{item.from_state or '∅'} → {item.to_state}{why}"
            )
        actions = next_actions(n, actor)
        typer.echo("next: " + (", ".join(f"{e} ({_label(EVENT_LABELS, e, lang)})" for e in actions) or "—"))


@nom_app.command("act")
def nominations_act(
    nomination_id: int,
    event: str,
    role: str = AsRole,
    actor_unit: Optional[str] = AsUnit,
    name: Optional[str] = AsName,
    reason: Optional[str] = typer.Option(None),
    passed: Optional[bool] = typer.Option(None, "--passed/--failed", help="outcome of a vote or consultation"),
    number: Optional[str] = typer.Option(None, help="decision / submission number for decide, forward, revoke"),
    signer: Optional[str] = typer.Option(None),
    expected_version: Optional[int] = typer.Option(None, "--if-version"),
    lang: str = Lang,
) -> None:
    """Fire an event on a nomination through the one write path (for operators and demos)."""
    from service.verbs import ActionInput, perform

    actor = _actor(role, actor_unit, name)
    given = ActionInput(reason=reason, passed=passed, document_number=number,
                        signed_on=date.today() if number else None, signer=signer or (actor.name if number else None))
    with session_scope(default_engine()) as session:
        try:
            n = perform(session, nomination_id, event, actor=actor, given=given, expected_version=expected_version)
        except WorkflowError as exc:
            _fail(exc, lang)
        typer.echo(f"#{n.id}: {_label(STATE_LABELS, n.state, lang)} [{n.state}], version {n.version}")


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute every audit chain; exit 1 naming the first broken link of each broken chain."""
    from service.audit import verify_all

    with session_scope(default_engine()) as session:
        problems = verify_all(session)
    if problems:
        for problem in problems:
            typer.secho(f"BROKEN {problem}", fg="red", err=True)
        raise typer.Exit(code=1)
    typer.echo("audit trail verified: every chain intact")


@app.command("diagram")
def diagram(machine: str = typer.Argument("nomination", help="which state machine")) -> None:
    """Print a state machine as a mermaid diagram."""
    from workflow.machines import MACHINES

    if machine not in MACHINES:
        raise typer.BadParameter(f"unknown machine {machine!r}; one of {sorted(MACHINES)}")
    typer.echo(MACHINES[machine]())


@app.command("eligibility")
def eligibility(
    award: str,
    person: Optional[str] = typer.Option(None, help="person code"),
    unit: Optional[str] = typer.Option(None, help="unit code (collective nominee)"),
    year: int = typer.Option(datetime.now().year, help="the year of the achievements"),
    lang: str = Lang,
) -> None:
    """Check a prospective nominee against an award's conditions, explaining each unmet one."""
    from sqlmodel import select

    from config.catalogue import catalogue
    from service.eligibility import check_award, nominee_record
    from service.models import Person

    ruleset = catalogue().in_force(date.today())
    try:
        award_rule = ruleset.award(award)
    except KeyError:
        raise typer.BadParameter(f"unknown award {award!r}") from None
    with session_scope(default_engine()) as session:
        person_id = None
        if person:
            row = session.exec(select(Person).where(Person.code == person)).first()
            if row is None:
                raise typer.BadParameter(f"unknown person {person!r}")
            person_id = row.id
        record = nominee_record(session, kind="individual" if person else "collective", person_id=person_id, unit_code=unit)
    result = check_award(ruleset, award_rule, record, year)
    typer.echo(("ĐỦ ĐIỀU KIỆN" if lang == "vi" else "ELIGIBLE") if result.passed else ("CHƯA ĐỦ ĐIỀU KIỆN" if lang == "vi" else "NOT ELIGIBLE"))
    for finding in result.unmet:
        typer.echo(f"  ✗ {finding.message_en if lang == 'en' else finding.message_vi} [{finding.citation}]")
    for finding in result.met:
        typer.echo(f"  ✓ {finding.message_en if lang == 'en' else finding.message_vi} [{finding.citation}]")
    raise typer.Exit(code=0 if result.passed else 1)


# Subcommand groups live in their own modules (imported last: they import this module's helpers).
from service.cli_bench import app as bench_app  # noqa: E402  benchmarks of bench/ (issue 8)
from service.cli_bulk import bulk_app  # noqa: E402  Excel import, national export, certificates (issue 10)
from service.cli_cycle import cycle_app  # noqa: E402  cluster years, ballots, council (issue 3)
from service.cli_rulesets import rulesets_app  # noqa: E402  rule sets, moving nominations in flight (issue 7)

app.add_typer(cycle_app, name="cycle")
app.add_typer(rulesets_app, name="rulesets")
app.add_typer(bench_app, name="bench")
app.add_typer(bulk_app, name="bulk")

if __name__ == "__main__":
    app()
