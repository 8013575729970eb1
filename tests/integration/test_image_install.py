"""The image's install steps (deploy/install-python-deps.sh, which the Dockerfile RUNs) in a fresh
virtual environment: no Docker engine runs here, so CI proves the same script this way.

The environment must hold exactly what uv.lock pins (no other distribution, no other version)
plus the project, import the pipeline's stack, and run `airflow version`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "deploy" / "install-python-deps.sh"
DOCKERFILE = REPO / "Dockerfile"

# Packages whose version the image must carry, with the version uv.lock pins for them.
KEY_PACKAGES = (
    "apache-airflow",
    "apache-airflow-task-sdk",
    "apache-airflow-providers-celery",
    "astronomer-cosmos",
    "dbt-core",
    "dbt-postgres",
    "great-expectations",
    "celery",
    "redis",
    "psycopg",
    "psycopg2-binary",
    "sqlalchemy",
    "pandas",
)

_LIST = """
import json
from importlib.metadata import distributions
print(json.dumps({d.metadata["Name"]: d.version for d in distributions()}))
"""


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_versions() -> dict[str, set[str]]:
    """name -> versions uv.lock holds (a package can be pinned per Python version)."""
    lock = tomllib.loads((REPO / "uv.lock").read_text())
    versions: dict[str, set[str]] = {}
    for package in lock["package"]:
        versions.setdefault(canonical(package["name"]), set()).add(package.get("version", ""))
    return versions


def image_python_version() -> str:
    """The Python minor the Dockerfile builds on (ARG PYTHON_VERSION, the base image's tag)."""
    text = DOCKERFILE.read_text()
    version = re.search(r"^ARG PYTHON_VERSION=(3\.\d+)$", text, re.MULTILINE).group(1)
    assert "\nFROM apache/airflow:3.3.2-python${PYTHON_VERSION}\n" in text
    return version


def interpreter(version: str) -> str:
    """An interpreter of that minor: the test's own when it matches, else one uv finds."""
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        return sys.executable
    found = subprocess.run(
        ["uv", "python", "find", "--no-project", version], capture_output=True, text=True
    )
    if found.returncode:
        pytest.skip(f"no Python {version} here (the image's); the install would not be the same")
    return found.stdout.strip()


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    if (
        shutil.which("uv") is None
        and subprocess.run(
            [sys.executable, "-m", "uv", "--version"], capture_output=True
        ).returncode
    ):
        pytest.skip("uv is not installed (the install script and .ci/run use it)")
    base = tmp_path_factory.mktemp("image")
    venv = base / "venv"
    # The image's Python minor; a stdlib venv with pip, so the script's fallback (pip install
    # uv) would work too.
    subprocess.run([interpreter(image_python_version()), "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "AIRFLOW_HOME")}
    env["AIRFLOW_HOME"] = str(base / "airflow-home")
    started = time.monotonic()
    proc = subprocess.run(
        ["bash", str(SCRIPT), str(python)],
        capture_output=True,
        text=True,
        env=env,
        timeout=1200,
    )
    seconds = time.monotonic() - started
    assert proc.returncode == 0, proc.stderr[-4000:]
    print(f"\ninstall-python-deps.sh took {seconds:.1f} s")
    listed = subprocess.run(
        [str(python), "-c", _LIST], capture_output=True, text=True, env=env, check=True
    )
    return {
        "python": python,
        "env": env,
        "seconds": seconds,
        "dists": {canonical(k): v for k, v in json.loads(listed.stdout).items()},
    }


def test_environment_holds_exactly_the_lock(installed: dict) -> None:
    locked = lock_versions()
    dists = installed["dists"]
    assert dists.pop("sociaal-domein-warehouse") == "0.1.0"
    # `uv pip sync` removes what the lock does not name, except the installers a venv is seeded
    # with (pip, setuptools, wheel: it keeps those so the environment stays usable).
    assert set(dists) - set(locked) <= {"pip", "setuptools", "wheel"}
    wrong = {n: v for n, v in dists.items() if n in locked and v not in locked[n]}
    assert wrong == {}
    for name in KEY_PACKAGES:
        assert name in dists, name
    assert dists["apache-airflow"] == "3.3.2"
    assert dists["dbt-core"].startswith("1.12.")
    # pyproject overrides it away (its build downloads a binary); the export must honour that.
    assert "dbt-core-experimental-parser" not in dists


def test_stack_imports_and_airflow_runs(installed: dict) -> None:
    python, env = installed["python"], installed["env"]
    proc = subprocess.run(
        [str(python), "-c", "import sdw, airflow, cosmos, dbt, great_expectations, celery"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    version = subprocess.run(
        [str(python.parent / "airflow"), "version"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert version.returncode == 0, version.stderr[-3000:]
    assert version.stdout.strip().splitlines()[-1] == "3.3.2"
    # The installed package is the project's own (schema.sql ships in the wheel).
    where = subprocess.run(
        [
            str(python),
            "-c",
            "from sdw.warehouse.bootstrap import schema_sql; print(len(schema_sql()) > 1000)",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert where.stdout.strip().splitlines()[-1] == "True", where.stderr[-2000:]


def test_install_is_fast_with_uv_cache(installed: dict) -> None:
    """A warm uv cache (CI keeps it between runs) makes the install a matter of seconds; a cold
    one downloads ~750 MB. The bound catches a script that resolves or builds from source."""
    assert installed["seconds"] < 600
