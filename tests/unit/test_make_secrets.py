"""``deploy/make-secrets.sh`` as written: run as root it hands the secrets to the uid the
containers run as (AIRFLOW_UID from the environment, else ``.env``, else 50000), so a
container user can read them; run as another user it says when compose's uid could not read
them. Each case runs the real script from a copy of ``deploy/`` in a folder of its own, so the
project's own ``.env`` and ``secrets/`` are never read or touched."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NAMES = {
    "sdw_pseudonym_key",
    "airflow_fernet_key",
    "airflow_jwt_secret",
    "airflow_api_secret_key",
    "airflow_admin_password",
}
root_only = pytest.mark.skipif(os.geteuid() != 0, reason="chown needs root")


@pytest.fixture
def project() -> Iterator[Path]:
    """A folder holding deploy/make-secrets.sh, as a checkout does; traversable by anyone."""
    folder = Path(tempfile.mkdtemp(prefix="sdw-secrets-"))
    folder.chmod(0o777)
    (folder / "deploy").mkdir()
    shutil.copy(REPO / "deploy" / "make-secrets.sh", folder / "deploy" / "make-secrets.sh")
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(project: Path, env: dict[str, str] | None = None, user: int | None = None):
    base = {k: v for k, v in os.environ.items() if k not in ("AIRFLOW_UID", "SDW_SECRETS_DIR")}
    return subprocess.run(
        ["bash", str(project / "deploy" / "make-secrets.sh")],
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        user=user,
        check=False,
    )


def owners(folder: Path) -> set[tuple[int, int, str]]:
    """(uid, gid, mode) of the folder and each file in it."""
    paths = [folder, *folder.iterdir()]
    return {(p.stat().st_uid, p.stat().st_gid, stat.filemode(p.stat().st_mode)) for p in paths}


@root_only
def test_as_root_without_settings_the_files_go_to_uid_50000(project: Path) -> None:
    proc = run(project)
    assert proc.returncode == 0, proc.stderr
    secrets = project / "secrets"
    assert {p.name for p in secrets.iterdir()} == NAMES
    assert owners(secrets) == {(50000, 0, "drwx------"), (50000, 0, "-rw-------")}
    assert "owner   ./secrets and its files: uid 50000 (AIRFLOW_UID), mode 0600" in proc.stdout


@root_only
def test_as_root_the_uid_comes_from_dot_env_and_the_environment_wins(project: Path) -> None:
    (project / ".env").write_text("# comment\nAIRFLOW_UID=1234\nAIRFLOW_DB_PASSWORD=x\n")
    assert run(project).returncode == 0
    assert owners(project / "secrets") == {(1234, 0, "drwx------"), (1234, 0, "-rw-------")}

    proc = run(project, {"AIRFLOW_UID": "4321"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("kept    ") == 5
    assert owners(project / "secrets") == {(4321, 0, "drwx------"), (4321, 0, "-rw-------")}


@root_only
def test_a_rerun_keeps_every_value_and_hands_over_files_an_old_run_left_to_root(
    project: Path,
) -> None:
    secrets = project / "secrets"
    secrets.mkdir(mode=0o700)
    old_key = "ab" * 32 + "\n"
    (secrets / "sdw_pseudonym_key").write_text(old_key)
    (secrets / "sdw_pseudonym_key").chmod(0o600)
    assert (secrets / "sdw_pseudonym_key").stat().st_uid == 0
    first = run(project)
    assert first.returncode == 0, first.stderr
    assert "kept    ./secrets/sdw_pseudonym_key" in first.stdout
    values = {p.name: p.read_text() for p in secrets.iterdir()}
    assert values["sdw_pseudonym_key"] == old_key

    second = run(project)
    assert second.returncode == 0, second.stderr
    assert {p.name: p.read_text() for p in secrets.iterdir()} == values
    assert owners(secrets) == {(50000, 0, "drwx------"), (50000, 0, "-rw-------")}


@root_only
def test_a_user_whose_uid_is_not_airflow_uid_is_told_what_to_set(project: Path) -> None:
    nobody = 65534
    proc = run(project, {"AIRFLOW_UID": "50000"}, user=nobody)
    assert proc.returncode == 3
    assert "Set AIRFLOW_UID=65534 in .env" in proc.stderr
    assert {p.name for p in (project / "secrets").iterdir()} == NAMES

    proc = run(project, {"AIRFLOW_UID": "65534"}, user=nobody)
    assert proc.returncode == 0, proc.stderr
    assert {(uid, mode) for uid, _gid, mode in owners(project / "secrets")} == {
        (nobody, "drwx------"),
        (nobody, "-rw-------"),
    }


def test_a_uid_that_is_not_a_number_is_refused_before_anything_is_written(project: Path) -> None:
    proc = run(project, {"AIRFLOW_UID": "airflow"})
    assert proc.returncode == 2
    assert "AIRFLOW_UID must be a number, not 'airflow'" in proc.stderr
    assert not (project / "secrets").exists()
