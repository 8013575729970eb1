"""``sdw warehouse backup`` / ``restore`` round trips: a warehouse with loaded data (a small
generated inbox ingested: raw, audit, quarantine) and mart tables (written here by hand, with
the values a COPY must carry: NULLs, tabs, newlines, non-ASCII text, large numerics) is dumped,
restored into an empty database, and every table's rows come back identical (row count and the
md5 of all rows, each as its full text, in the order of that text).

Two servers take part: the test server (a fresh database each) and the embedded one of the
wheel (its own folder), because the client must match each: the external round trip uses the
lowest client that fits, the embedded one the embedded server's own through the CLI, with the
pseudonymisation key beside the archive (``--with-key``) installed by the restore.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from sdw.generate import generate
from sdw.ingest.inbox import ingest_inbox
from sdw.warehouse import backup as bk
from sdw.warehouse.bootstrap import BI_ROLE, grant_bi_read
from sdw.warehouse.embedded import EmbeddedWarehouse

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
KEY = "k" * 64
SCHEMAS = ("raw", "audit", "quarantine", "marts")


def digests(url: str) -> dict[str, tuple[int, str]]:
    """Per base table of the warehouse's schemas: (rows, md5 of every row's text, sorted)."""
    with psycopg.connect(url) as conn:
        tables = conn.execute(
            """SELECT table_schema, table_name FROM information_schema.tables
               WHERE table_schema = ANY(%s) AND table_type = 'BASE TABLE' ORDER BY 1, 2""",
            (list(SCHEMAS),),
        ).fetchall()
        out = {}
        for schema, table in tables:
            query = sql.SQL(
                "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), ''))"
                " FROM {}.{} AS t"
            ).format(sql.Identifier(schema), sql.Identifier(table))
            count, md5 = conn.execute(query).fetchone()
            out[f"{schema}.{table}"] = (int(count), md5)
    return out


def fill(url: str, inbox: Path) -> None:
    """Load a generated inbox and write two mart tables, as a published warehouse has."""
    generate(inbox, clients=4, months=2, seed=5)
    ingest_inbox(inbox, url, KEY.encode(), f"backup-{uuid.uuid4().hex[:8]}", keep_files=True)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            """CREATE TABLE marts.files_by_kind AS
               SELECT file_kind, bericht_type, count(*) AS files, sum(lines_loaded) AS lines
               FROM audit.file_ledger GROUP BY 1, 2"""
        )
        conn.execute(
            """CREATE TABLE marts.awkward_values (
                   id int PRIMARY KEY, label text, amount numeric(16, 2), day date,
                   at timestamptz)"""
        )
        conn.execute(
            # \u2019: the typographic apostrophe Dutch place names are often written with.
            """INSERT INTO marts.awkward_values VALUES
               (1, 'cliënt \u2019s-Hertogenbosch', 99999999999999.99, '2025-02-28',
                '2025-03-30 01:30:00+01'),
               (2, E'tab\\there, newline\\nthere, back\\\\slash', -0.01, NULL, NULL),
               (3, NULL, NULL, '1900-01-01', '2038-01-19 03:14:08+00')"""
        )
        grant_bi_read(conn)


@pytest.fixture
def project() -> Iterator[Path]:
    """A folder the embedded server's account can traverse (it is not root's tmp_path)."""
    folder = Path(tempfile.mkdtemp(prefix="sdw-backup-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for state in folder.glob("*/.sdw"):
            if (state / "pgdata" / "postmaster.pid").exists():
                EmbeddedWarehouse(state).stop()
        shutil.rmtree(folder, ignore_errors=True)


def sdw(state: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WAREHOUSE_URL", "SDW_"))}
    return subprocess.run(
        [sys.executable, "-m", "sdw.cli", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={**env, "SDW_STATE_DIR": str(state)},
    )


def test_a_restore_into_an_empty_database_gives_back_every_row(
    warehouse_db: str, make_database, tmp_path: Path
) -> None:
    fresh_db = make_database("sdw_test")  # not the fixture: warehouse_db is that database
    fill(warehouse_db, tmp_path / "inbox")
    before = digests(warehouse_db)
    assert sum(rows for name, (rows, _md5) in before.items() if name.startswith("raw.")) > 100
    assert before["audit.file_ledger"][0] > 10
    assert before["quarantine.rejected_record"][0] >= 1  # the generator's one failing BSN
    assert before["marts.awkward_values"][0] == 3

    archive = tmp_path / "warehouse.dump"
    dumped_by = bk.backup(warehouse_db, archive)
    assert archive.read_bytes()[:5] == b"PGDMP"
    assert not (tmp_path / "warehouse.dump.partial").exists()

    restored_by = bk.restore(fresh_db, archive)
    assert digests(fresh_db) == before
    with psycopg.connect(fresh_db) as conn:
        (may_read,) = conn.execute(
            "SELECT has_table_privilege(%s, 'marts.awkward_values', 'SELECT')", (BI_ROLE,)
        ).fetchone()
    assert may_read  # grants are not in the archive (--no-acl): the bootstrap gives them again
    # Each is the lowest of its kind that fits: the test server's major or the archive's.
    assert dumped_by.major == restored_by.major

    with pytest.raises(bk.BackupError, match=r"already holds loaded files.*--replace"):
        bk.restore(fresh_db, archive)
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        conn.execute("DELETE FROM marts.awkward_values WHERE id = 2")
    bk.restore(fresh_db, archive, replace=True)
    assert digests(fresh_db) == before

    # A restore that fails changes nothing: it runs in one transaction. Here a view the
    # archive does not know reads a table the restore must replace.
    other = make_database("sdw_test")
    with psycopg.connect(other, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA marts")
        conn.execute("CREATE TABLE marts.awkward_values (unrelated text)")
        conn.execute("INSERT INTO marts.awkward_values VALUES ('kept')")
        conn.execute("CREATE VIEW public.reads_it AS SELECT * FROM marts.awkward_values")
    with pytest.raises(bk.BackupError, match=r"pg_restore .*nothing was changed"):
        bk.restore(other, archive)
    with psycopg.connect(other) as conn:
        assert conn.execute("SELECT * FROM marts.awkward_values").fetchall() == [("kept",)]
        assert conn.execute("SELECT to_regclass('audit.file_ledger')").fetchone() == (None,)


def test_the_embedded_warehouse_round_trips_through_the_cli_with_its_key(
    warehouse_db: str, project: Path, tmp_path: Path
) -> None:
    fill(warehouse_db, tmp_path / "inbox")
    before = digests(warehouse_db)
    first = tmp_path / "external.dump"
    bk.backup(warehouse_db, first)

    # The first embedded warehouse, running (started on purpose), gets the data and its key.
    one = project / "one" / ".sdw"
    one_url = EmbeddedWarehouse(one).start()
    (one / "pseudonym.key").write_text(KEY + "\n")
    bk.restore(one_url, first)
    assert digests(one_url) == before

    archive = project / "embedded.dump"
    made = sdw(one, "warehouse", "backup", str(archive), "--with-key")
    assert made.returncode == 0, made.stderr
    assert "made by " + str(bk._wheel_bin() / "pg_dump") in made.stdout
    key_copy = project / "embedded.dump.key"
    assert key_copy.read_text() == KEY + "\n"
    assert oct(key_copy.stat().st_mode & 0o777) == "0o600"
    assert EmbeddedWarehouse(one).is_running()  # it ran before the command: it still does

    # A second, new embedded warehouse: the restore starts it, installs the key, stops it.
    two = project / "two" / ".sdw"
    restored = sdw(two, "warehouse", "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert f"Pseudonymisation key restored from {key_copy} to {two / 'pseudonym.key'}" in (
        restored.stdout
    )
    assert (two / "pseudonym.key").read_text() == KEY + "\n"
    assert not EmbeddedWarehouse(two).is_running()
    two_url = EmbeddedWarehouse(two).start()
    assert digests(two_url) == before

    again = sdw(two, "warehouse", "restore", str(archive))
    assert again.returncode == 1
    assert "already holds loaded files" in again.stderr and "--replace" in again.stderr


def test_a_key_copy_that_differs_from_the_key_in_use_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "w.dump"
    archive.write_bytes(b"PGDMP")
    (tmp_path / "w.dump.key").write_text("a" * 64 + "\n")
    monkeypatch.setenv("SDW_PSEUDONYM_KEY", "b" * 64)
    with pytest.raises(bk.BackupError, match=r"differs from the key in use \(SDW_PSEUDONYM_KEY\)"):
        bk.install_key_copy(archive, install=False)
    monkeypatch.setenv("SDW_PSEUDONYM_KEY", "a" * 64)
    assert "matches" in bk.install_key_copy(archive, install=False)


def test_the_client_is_the_lowest_that_fits_and_none_fitting_names_them_all() -> None:
    old = bk.Client(Path("/usr/lib/postgresql/15/bin/pg_dump"), 15, "15.20")
    new = bk.Client(Path("/wheel/bin/pg_dump"), 18, "18.6")
    assert bk.pick([old, new], 15, "pg_dump", "") is old
    assert bk.pick([old, new], 16, "pg_dump", "") is new
    with pytest.raises(bk.BackupError) as refused:
        bk.pick([old, new], 19, "pg_dump", "the server is 19")
    assert str(refused.value).startswith(
        "No pg_dump of PostgreSQL 19 or newer was found (the server is 19); found: "
        "/usr/lib/postgresql/15/bin/pg_dump (15.20), /wheel/bin/pg_dump (18.6)."
    )


def test_a_file_that_is_not_an_archive_is_named(warehouse_db: str, tmp_path: Path) -> None:
    text = tmp_path / "dump.sql"
    text.write_text("CREATE TABLE x (a int);\n")
    with pytest.raises(bk.BackupError, match="is not a pg_dump custom-format archive"):
        bk.restore(warehouse_db, text)
