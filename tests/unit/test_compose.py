"""docker-compose.yml against the Compose Specification's JSON Schema, plus what the stack needs.

No Docker engine runs here, so the schema `docker compose config` checks against stands in for
it, for the default stack and for each profile; the rest pins the decisions the stack must keep
(no secrets in the file, no telemetry) and checks that every path, variable and connection the
file names is one the code reads: sdw.config, dbt's profiles.yml, Airflow's own configuration.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import pytest
import yaml
from jsonschema import Draft7Validator

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO.parent / "shared" / "reference" / "compose-spec" / "compose-spec.json"

AIRFLOW_SERVICES = {
    "airflow-init": None,
    "airflow-api-server": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-triggerer": "triggerer",
}
CELERY_SERVICES = {"redis", "airflow-worker"}
ALL_AIRFLOW_SERVICES = {*AIRFLOW_SERVICES, "airflow-worker", "airflow-flower"}
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:-|:\?)([^}]*))?\}")


def interpolate(text: str, env: dict[str, str] | None = None) -> str:
    """What `docker compose` does with ${VAR:-default} / ${VAR:?error} given a .env holding
    ``env``, except that required variables missing from it get a placeholder."""
    env = env or {}

    def value(match: re.Match[str]) -> str:
        name, operator, argument = match.groups()
        if name in env:
            return env[name]
        return argument if operator == ":-" else "placeholder"

    text = _VARIABLE.sub(value, text)
    return text.replace("$$", "$")


def with_profiles(model: dict, *profiles: str) -> dict:
    """The model `docker compose --profile ... config` would show: services without profiles
    plus those of the given profiles; optional (required: false) dependencies on services left
    out are dropped, required ones stay (and must then resolve)."""
    active = {
        name: service
        for name, service in model["services"].items()
        if not service.get("profiles") or set(service["profiles"]) & set(profiles)
    }
    services = {}
    for name, service in active.items():
        service = {k: v for k, v in service.items() if k != "profiles"}
        depends = service.get("depends_on")
        if isinstance(depends, dict):
            service["depends_on"] = {
                dep: cond
                for dep, cond in depends.items()
                if dep in active or cond.get("required", True)
            }
        services[name] = service
    return {**model, "services": services}


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(interpolate((REPO / "docker-compose.yml").read_text()))


def env_of(service: dict) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


@pytest.mark.parametrize("which", ["raw", "compose"])
@pytest.mark.parametrize("profiles", [(), ("celery",), ("celery", "flower")])
def test_valid_against_compose_spec(
    which: str, profiles: tuple[str, ...], request: pytest.FixtureRequest
) -> None:
    if not SCHEMA.is_file():
        pytest.skip(f"compose-spec schema not found at {SCHEMA} (shared/reference absent)")
    validator = Draft7Validator(json.loads(SCHEMA.read_text()))
    model = request.getfixturevalue(which)
    if profiles:
        model = with_profiles(model, *profiles)
    errors = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(model)
    ]
    assert errors == []


@pytest.mark.parametrize("profiles", [(), ("celery",), ("celery", "flower")])
def test_profiles_resolve(compose: dict, profiles: tuple[str, ...]) -> None:
    """Every dependency and every named volume/secret of the active services exists."""
    model = with_profiles(compose, *profiles)
    services = model["services"]
    expected = {*AIRFLOW_SERVICES, "airflow-db", "warehouse"}
    if "celery" in profiles:
        expected |= CELERY_SERVICES
    if "flower" in profiles:
        expected |= {"airflow-flower", "redis"}
    assert set(services) == expected
    for name, service in services.items():
        for dep in service.get("depends_on", {}):
            assert dep in services, (name, dep)
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith((".", "/")):
                assert source in model["volumes"], (name, source)
        for secret in service.get("secrets", []):
            assert secret in model["secrets"], (name, secret)


def test_services_images_and_commands(compose: dict) -> None:
    services = compose["services"]
    assert set(services) == {
        *AIRFLOW_SERVICES,
        "airflow-db",
        "warehouse",
        *CELERY_SERVICES,
        "airflow-flower",
    }
    for name in ALL_AIRFLOW_SERVICES:
        # The project's image, built from the Dockerfile on apache/airflow:3.3.2.
        assert services[name]["image"] == "sdw-airflow:latest", name
        assert services[name]["build"] == {"context": ".", "dockerfile": "Dockerfile"}, name
    dockerfile = (REPO / "Dockerfile").read_text()
    assert dockerfile.count("\nFROM apache/airflow:3.3.2-python${PYTHON_VERSION}\n") == 1
    for name, command in AIRFLOW_SERVICES.items():
        if command is not None:
            assert services[name]["command"] == command
    init = services["airflow-init"]
    assert "airflow db migrate" in " ".join(init["command"])
    assert services["airflow-db"]["image"] == "postgres:16"
    assert services["warehouse"]["image"] == "postgres:16"
    # The metadata database and the warehouse are separate servers with separate volumes.
    db_volumes = {v.split(":")[0] for v in services["airflow-db"]["volumes"]}
    wh_volumes = {v.split(":")[0] for v in services["warehouse"]["volumes"]}
    assert db_volumes.isdisjoint(wh_volumes)


def test_every_long_running_service_has_a_healthcheck_and_restarts(compose: dict) -> None:
    for name, service in compose["services"].items():
        if name == "airflow-init":
            assert service["restart"] == "no"  # one-shot: migrate, then exit
            continue
        assert service["healthcheck"]["test"], name
        assert service["restart"] == "unless-stopped", name


def test_airflow_waits_for_databases_and_migration(compose: dict) -> None:
    for name in AIRFLOW_SERVICES.keys() - {"airflow-init"}:
        depends = compose["services"][name]["depends_on"]
        assert depends["airflow-db"]["condition"] == "service_healthy", name
        assert depends["warehouse"]["condition"] == "service_healthy", name
        assert depends["airflow-init"]["condition"] == "service_completed_successfully", name
    assert compose["services"]["airflow-init"]["depends_on"]["airflow-db"] == {
        "condition": "service_healthy"
    }


def test_environment_of_airflow_services(compose: dict) -> None:
    for name in ALL_AIRFLOW_SERVICES:
        env = env_of(compose["services"][name])
        assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "False", name
        assert env["AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION"] == "False", name
        assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor", name  # without .env
        assert env["AIRFLOW__COSMOS__ENABLE_TELEMETRY"] == "False", name
        assert env["DBT_SEND_ANONYMOUS_USAGE_STATS"] == "False", name
        assert env["DO_NOT_TRACK"] == "1", name
        warehouse = urlsplit(env["WAREHOUSE_URL"])
        assert (warehouse.scheme, warehouse.hostname, warehouse.path) == (
            "postgresql",
            "warehouse",
            "/warehouse",
        )
        assert "airflow-db" in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"], name


def test_pseudonym_key_comes_from_a_docker_secret(compose: dict) -> None:
    assert compose["secrets"]["sdw_pseudonym_key"] == {"file": "./secrets/sdw_pseudonym_key"}
    for name in AIRFLOW_SERVICES:
        service = compose["services"][name]
        env = env_of(service)
        assert env["SDW_PSEUDONYM_KEY_FILE"] == "/run/secrets/sdw_pseudonym_key", name
        assert "sdw_pseudonym_key" in service["secrets"], name
        assert "SDW_PSEUDONYM_KEY" not in env, name
    for secret in compose["secrets"].values():
        assert set(secret) == {"file"}  # never `environment:` or inline content


def test_no_secret_literals_in_the_file() -> None:
    text = (REPO / "docker-compose.yml").read_text()
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    # Long hex runs, or long runs mixing digits and both cases (base64), are what keys look like.
    assert not re.search(r"\b[0-9a-fA-F]{32,}\b", body)
    for token in re.findall(r"[A-Za-z0-9+/=_-]{32,}", body):
        looks_random = all(re.search(p, token) for p in (r"\d", r"[a-z]", r"[A-Z]"))
        assert not looks_random, token
    # Every password is interpolated from the environment (.env), never written here.
    # A setting named like a secret holds an interpolation, a secret file or another path.
    setting = re.compile(r"^\s*[A-Z_]*(PASSWORD|SECRET|KEY)[A-Z_]*:\s*(.+)$", re.MULTILINE)
    for match in setting.finditer(body):
        assert match.group(2).startswith(("${", "cat /run/secrets/", "/")), match.group(0)
    for match in re.finditer(r"://[^:/@\s]+:([^@\s]+)@", body):
        assert match.group(1).startswith("${"), match.group(0)


def test_project_folders_are_mounted(compose: dict) -> None:
    wanted = {
        "/opt/airflow/dags",
        "/opt/airflow/plugins",
        "/opt/airflow/dbt_project",
        "/opt/airflow/expectations",
        "/opt/airflow/inbox",
    }
    for name in AIRFLOW_SERVICES:
        targets = {v.split(":")[1] for v in compose["services"][name]["volumes"]}
        assert wanted <= targets, name
        env = env_of(compose["services"][name])
        assert env["SDW_INBOX"] == "/opt/airflow/inbox"
    for folder in ("dags", "plugins", "dbt_project", "expectations"):
        for name in AIRFLOW_SERVICES:
            assert f"./{folder}:/opt/airflow/{folder}" in compose["services"][name]["volumes"]


# ------------------------------------------------------------------ celery profile
def test_celery_profile_switches_the_executor_and_adds_two_workers() -> None:
    text = (REPO / "docker-compose.yml").read_text()
    model = with_profiles(
        yaml.safe_load(interpolate(text, {"SDW_EXECUTOR": "CeleryExecutor"})), "celery"
    )
    services = model["services"]
    for name in {*AIRFLOW_SERVICES, "airflow-worker"}:
        assert env_of(services[name])["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
    worker = services["airflow-worker"]
    assert worker["command"] == "celery worker"
    assert worker["deploy"]["replicas"] == 2
    assert env_of(worker)["AIRFLOW__CELERY__WORKER_CONCURRENCY"] == "4"
    assert worker["depends_on"]["redis"] == {"condition": "service_healthy"}
    assert "celery@$${HOSTNAME}" in text  # each replica pings its own node name
    redis = services["redis"]
    assert redis["image"].startswith("redis:")
    assert redis["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    # Under LocalExecutor the scheduler starts without Redis; under Celery it waits for it.
    assert services["airflow-scheduler"]["depends_on"]["redis"] == {
        "condition": "service_healthy",
        "required": False,
    }
    env = env_of(worker)
    broker = urlsplit(env["AIRFLOW__CELERY__BROKER_URL"])
    assert (broker.scheme, broker.hostname, broker.port) == ("redis", "redis", 6379)
    assert "6379" in redis["expose"]
    backend = urlsplit(env["AIRFLOW__CELERY__RESULT_BACKEND"])
    assert (backend.scheme, backend.hostname, backend.path) == (
        "db+postgresql+psycopg2",
        "airflow-db",
        "/airflow",
    )


# ------------------------------------------------------------------ compose vs .env.example
def compose_variables(text: str) -> set[str]:
    """The ${VAR} names docker compose interpolates (``$${VAR}`` is the container's own)."""
    return {m.group(1) for m in _VARIABLE.finditer(text.replace("$${", "<escaped>{"))}


def test_env_example_documents_every_variable_and_holds_no_secret() -> None:
    text = (REPO / "docker-compose.yml").read_text()
    example = (REPO / ".env.example").read_text()
    settings = dict(
        line.split("=", 1)
        for line in example.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    )
    assert set(settings) == compose_variables(text)
    for name, value in settings.items():
        if re.search(r"PASSWORD|KEY", name):
            assert value.startswith("change-me"), name
    ignored = (REPO / ".gitignore").read_text().split()
    assert ".env" in ignored and "secrets/" in ignored


# ------------------------------------------------------------------ the compose file vs the code
def _python_sources() -> str:
    return "\n".join(p.read_text() for p in (REPO / "plugins" / "sdw").rglob("*.py"))


def test_every_sdw_variable_is_one_the_code_reads(compose: dict) -> None:
    sources = _python_sources()
    for name in ALL_AIRFLOW_SERVICES:
        sdw = {k for k in env_of(compose["services"][name]) if k.startswith("SDW_")}
        assert sdw == {
            "SDW_HOME",
            "SDW_STATE_DIR",
            "SDW_INBOX",
            "SDW_EXPECTATIONS_DIR",
            "SDW_PSEUDONYM_KEY_FILE",
            "SDW_ALERT_WEBHOOK",
        }, name
        for key in sdw:
            assert f'"{key}"' in sources, key


def _mount_targets(service: dict) -> dict[str, str]:
    """container path -> host source (a ./folder or a named volume)."""
    return {v.split(":")[1]: v.split(":")[0] for v in service["volumes"]}


def test_paths_the_code_resolves_are_mounted(
    compose: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sdw import config

    for name in ALL_AIRFLOW_SERVICES:
        service = compose["services"][name]
        env = env_of(service)
        for key, value in env.items():
            if key.startswith("SDW_"):
                monkeypatch.setenv(key, value)
        mounts = _mount_targets(service)
        secrets = {f"/run/secrets/{s}" for s in service["secrets"]}
        resolved = {
            "project": config.project_root(),
            "dbt": config.dbt_project_dir(),
            "expectations": config.expectations_dir(),
            "inbox": config.default_inbox(),
            "state": config.state_dir(),
        }
        posix = {k: str(PurePosixPath(v)) for k, v in resolved.items()}
        assert posix["project"] == "/opt/airflow", name
        assert mounts[posix["dbt"]] == "./dbt_project", name
        assert mounts[posix["expectations"]] == "./expectations", name
        assert mounts[posix["inbox"]] == "./inbox", name  # SDW_INBOX_DIR's default
        assert mounts[posix["state"]] in compose["volumes"], name  # a named volume: it persists
        assert str(config.key_file()) in secrets, name
        # Airflow's own folders under the image's AIRFLOW_HOME=/opt/airflow
        assert mounts["/opt/airflow/dags"] == "./dags", name
        assert mounts["/opt/airflow/plugins"] == "./plugins", name
        assert mounts["/opt/airflow/logs"] in compose["volumes"], name
        passwords = PurePosixPath(env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"])
        assert str(passwords.parent) == posix["state"], name
    for folder in ("dags", "plugins", "dbt_project", "expectations"):
        assert (REPO / folder).is_dir(), folder
    init = " ".join(compose["services"]["airflow-init"]["command"])
    assert "/opt/airflow/state/simple_auth_manager_passwords.json" in init
    assert "/run/secrets/airflow_admin_password" in init


def _service_password_variable(raw: dict, service: str) -> str:
    value = env_of(raw["services"][service])["POSTGRES_PASSWORD"]
    return _VARIABLE.match(value).group(1)


def test_connections_point_at_the_services_that_serve_them(raw: dict, compose: dict) -> None:
    from sdw.warehouse.connection import dbt_env

    services = compose["services"]
    warehouse_env = env_of(services["warehouse"])
    metadata_env = env_of(services["airflow-db"])
    raw_env = env_of(raw["services"]["airflow-scheduler"])
    for name in ALL_AIRFLOW_SERVICES:
        env = env_of(services[name])
        # The warehouse as dbt sees it (profiles.yml reads SDW_PG_*, from dbt_env).
        pg = dbt_env(env["WAREHOUSE_URL"])
        assert pg["SDW_PG_HOST"] == "warehouse" and pg["SDW_PG_PORT"] == "5432", name
        assert pg["SDW_PG_USER"] == warehouse_env["POSTGRES_USER"] == "sdw", name
        assert pg["SDW_PG_DATABASE"] == warehouse_env["POSTGRES_DB"] == "warehouse", name
        # The metadata database, for the sync engine, the async engine and Celery's results.
        for key, scheme in (
            ("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "postgresql+psycopg2"),
            ("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC", "postgresql+psycopg"),
            ("AIRFLOW__CELERY__RESULT_BACKEND", "db+postgresql+psycopg2"),
        ):
            url = urlsplit(env[key])
            assert (url.scheme, url.hostname, url.port, url.username, url.path) == (
                scheme,
                "airflow-db",
                5432,
                metadata_env["POSTGRES_USER"],
                "/" + metadata_env["POSTGRES_DB"],
            ), (name, key)
    profiles = (REPO / "dbt_project" / "profiles.yml").read_text()
    for key in dbt_env("postgresql://u:p@h:1/d"):
        assert f"env_var('{key}'" in profiles, key
    # The passwords in the URLs are the very variables the database services are created with.
    wh_var = _service_password_variable(raw, "warehouse")
    md_var = _service_password_variable(raw, "airflow-db")
    assert (wh_var, md_var) == ("SDW_WAREHOUSE_PASSWORD", "AIRFLOW_DB_PASSWORD")
    assert "${SDW_WAREHOUSE_PASSWORD:?" in raw_env["WAREHOUSE_URL"]
    for key in (
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC",
        "AIRFLOW__CELERY__RESULT_BACKEND",
    ):
        assert "${AIRFLOW_DB_PASSWORD:?" in raw_env[key], key
    # The drivers those schemes name are installed (asyncpg, Airflow's default, is not).
    assert importlib.util.find_spec("psycopg") and importlib.util.find_spec("psycopg2")


_AIRFLOW_OPTIONS = """
import json, sys
from sdw.orchestration.runner import configure_airflow
configure_airflow()
from airflow.configuration import conf
described = conf.configuration_description
out = {}
for key in json.loads(sys.argv[1]):
    _, section, option = key.split("__", 2)
    section, option = section.lower(), option.lower()
    cmd = option.endswith("_cmd")
    option = option.removesuffix("_cmd")
    spec = described.get(section, {}).get("options", {}).get(option)
    out[key] = None if spec is None else {"sensitive": bool(spec.get("sensitive")), "cmd": cmd}
print(json.dumps(out))
"""


def test_every_airflow_variable_is_an_option_airflow_reads(compose: dict, tmp_path: Path) -> None:
    """AIRFLOW__SECTION__KEY names only work when they match an option of Airflow, its
    providers (celery) or Cosmos; a typo is silently ignored by Airflow, so it is caught here.
    ``_CMD`` variants are honoured for sensitive options only."""
    keys = sorted(
        {
            key
            for name in ALL_AIRFLOW_SERVICES
            for key in env_of(compose["services"][name])
            if key.startswith("AIRFLOW__")
        }
    )
    assert "AIRFLOW__CELERY__BROKER_URL" in keys and "AIRFLOW__CELERY__RESULT_BACKEND" in keys
    env = {**os.environ, "SDW_STATE_DIR": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-c", _AIRFLOW_OPTIONS, json.dumps(keys)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    # Cosmos reads its options straight from Airflow's conf without describing them.
    cosmos = Path(importlib.util.find_spec("cosmos").origin).with_name("settings.py").read_text()
    unknown = [
        key
        for key, spec in found.items()
        if spec is None
        and not (
            key.startswith("AIRFLOW__COSMOS__")
            and f'"cosmos", "{key.removeprefix("AIRFLOW__COSMOS__").lower()}"' in cosmos
        )
    ]
    assert unknown == []
    assert [k for k, s in found.items() if s and s["cmd"] and not s["sensitive"]] == []
