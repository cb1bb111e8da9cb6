"""The Docker files cannot run here (no Docker engine): check they hold together instead.

Every compose service built from the tdkt image names a role of deploy/entrypoint.sh (or an
installed executable), every role calls a command that exists, every ``depends_on`` names a
service, every TDKT_* variable is a real setting; deploy/prefect.yaml has one deployment per flow
of flows/registry.py, its entrypoint resolving to that flow, with the schedule of
config/schedules.yaml; deploy/.env.example names every setting and loads; deploy/multiprocess.py
uses the same roles as compose.
"""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path

import yaml
from typer.testing import CliRunner

from config.settings import Settings
from flows.registry import FLOWS, load_schedules
from service.api.settings import ApiSettings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent
# Variables read by deploy/entrypoint.sh, not by the settings classes.
PROCESS_VARS = {"TDKT_API_HOST", "TDKT_API_PORT", "TDKT_API_WORKERS", "TDKT_WORKER_NAME", "TDKT_BIN"}


def entrypoint_roles() -> set[str]:
    text = (DEPLOY / "entrypoint.sh").read_text()
    return set(re.findall(r"^  ([a-z]+)\)$", text, flags=re.M))


def setting_vars() -> set[str]:
    return {f"TDKT_{name.upper()}" for name in (*Settings.model_fields, *ApiSettings.model_fields)}


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_entrypoint_is_valid_bash_and_its_roles_call_existing_commands() -> None:
    assert subprocess.run(["bash", "-n", str(DEPLOY / "entrypoint.sh")]).returncode == 0
    assert entrypoint_roles() == {"api", "worker", "migrate", "deploy", "demo"}
    text = (DEPLOY / "entrypoint.sh").read_text()
    module, factory = re.search(r"uvicorn (\S+):(\S+) --factory", text).groups()  # type: ignore[union-attr]
    assert callable(getattr(importlib.import_module(module), factory))
    from service.cli import app

    for argv in (["db", "upgrade", "--help"], ["demo", "load", "--help"], ["rulesets", "move", "--help"]):
        assert CliRunner().invoke(app, argv).exit_code == 0, argv
    for exe in ("prefect", "tdkt", "python"):
        assert (BIN / exe).exists(), exe
    assert "--prefect-file deploy/prefect.yaml" in text and "--pool \"$pool\" --type process" in text
    assert re.search(r"^pool=tdkt\b", text, flags=re.M)


def test_every_compose_service_names_a_command_that_exists() -> None:
    services = compose()["services"]
    roles = entrypoint_roles()
    assert {"postgres", "prefect-server", "api", "worker", "mailpit", "migrate", "deploy"} <= set(services)
    for name, spec in services.items():
        for dependency in spec.get("depends_on", {}):
            assert dependency in services, f"{name} depends on unknown service {dependency}"
        if spec.get("image", "").startswith("tdkt") or "build" in spec:
            command = spec["command"]
            assert command[0] in roles or (BIN / command[0]).exists(), f"{name}: {command}"
            for var in spec.get("environment", {}):
                if var.startswith("TDKT_"):
                    assert var in setting_vars() | PROCESS_VARS, f"{name}: {var} is not a setting"
        else:
            assert "image" in spec and "build" not in spec, name
    assert services["prefect-server"]["command"][:3] == ["prefect", "server", "start"]
    assert "postgresql+asyncpg://" in services["prefect-server"]["environment"]["PREFECT_API_DATABASE_CONNECTION_URL"]
    assert services["api"]["command"] == ["api"] and services["worker"]["command"] == ["worker"]
    assert "/ready" in " ".join(services["api"]["healthcheck"]["test"])


def test_the_multiprocess_run_uses_the_compose_roles() -> None:
    text = (DEPLOY / "multiprocess.py").read_text()
    used = set(re.findall(r'\[\*ENTRY, "([a-z]+)"\]', text))
    assert used == {"api", "worker", "migrate", "deploy", "demo"} and used <= entrypoint_roles()
    assert '"prefect"), "server", "start"' in text  # the compose prefect-server's command
    assert '"PREFECT_API_DATABASE_CONNECTION_URL": top.url(top.prefect_db, "asyncpg")' in text


def test_prefect_yaml_deploys_every_flow_with_its_schedule() -> None:
    spec = yaml.safe_load((DEPLOY / "prefect.yaml").read_text())
    schedules = load_schedules()
    deployments = {d["name"]: d for d in spec["deployments"]}
    assert set(deployments) == set(FLOWS)
    for name, d in deployments.items():
        path, func = d["entrypoint"].split(":")
        assert (ROOT / path).is_file(), path
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        assert getattr(module, func) is FLOWS[name], name
        assert FLOWS[name].name == name  # the deployment is addressed as <flow>/<deployment>
        assert d["work_pool"]["name"] == "tdkt"
        [schedule] = d["schedules"]
        want = schedules.flows[name]
        assert schedule["timezone"] == schedules.timezone
        if want.cron:
            assert schedule["cron"] == want.cron, name
        else:
            assert schedule["interval"] == want.every_minutes * 60, name  # type: ignore[operator]


def test_env_example_names_every_setting_and_loads() -> None:
    path = DEPLOY / ".env.example"
    named = set(re.findall(r"^#? ?(TDKT_[A-Z_]+)=", path.read_text(), flags=re.M))
    assert setting_vars() - named == set(), "settings missing from .env.example"
    assert named - setting_vars() - PROCESS_VARS == set(), "unknown TDKT_ variables in .env.example"
    settings = Settings(_env_file=path)  # type: ignore[call-arg]
    assert settings.audit_key_id in settings.audit_keys and settings.audit_key_id != "dev"
    assert ApiSettings(_env_file=path).jwt_secret != ApiSettings.model_fields["jwt_secret"].default  # type: ignore[call-arg]


def test_dockerfile_copies_what_the_entrypoint_needs() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    for source in re.findall(r"^COPY (.+) \S+$", text, flags=re.M):
        for item in source.split():
            assert (ROOT / item).exists(), item
    assert 'ENTRYPOINT ["bash", "/app/deploy/entrypoint.sh"]' in text and "deploy/prefect.yaml" in text
    assert "-c requirements.lock" in text
