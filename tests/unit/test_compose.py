"""docker-compose.yml against the Compose Specification's JSON Schema, plus what the stack needs.

No Docker engine runs here, so the schema `docker compose config` checks against stands in for
it; the rest pins the decisions the stack must keep (no secrets in the file, no telemetry).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
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


def interpolate(text: str) -> str:
    """What `docker compose` does with ${VAR:-default} / ${VAR:?error} given an empty .env,
    except that required variables get a placeholder instead of failing."""

    def value(match: re.Match[str]) -> str:
        operator, argument = match.group(2), match.group(3)
        return argument if operator == ":-" else "placeholder"

    text = re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:-|:\?)([^}]*))?\}", value, text)
    return text.replace("$$", "$")


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
def test_valid_against_compose_spec(which: str, request: pytest.FixtureRequest) -> None:
    if not SCHEMA.is_file():
        pytest.skip(f"compose-spec schema not found at {SCHEMA} (shared/reference absent)")
    validator = Draft7Validator(json.loads(SCHEMA.read_text()))
    errors = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(request.getfixturevalue(which))
    ]
    assert errors == []


def test_services_images_and_commands(compose: dict) -> None:
    services = compose["services"]
    assert set(services) == {*AIRFLOW_SERVICES, "airflow-db", "warehouse"}
    for name, command in AIRFLOW_SERVICES.items():
        assert services[name]["image"] == "apache/airflow:3.3.2", name
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


def test_every_long_running_service_has_a_healthcheck(compose: dict) -> None:
    for name, service in compose["services"].items():
        if name != "airflow-init":
            assert service["healthcheck"]["test"], name


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
    for name in AIRFLOW_SERVICES:
        env = env_of(compose["services"][name])
        assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "False", name
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
