"""Create what the warehouse needs before the first load: schemas, raw tables, the BI role."""

from __future__ import annotations

import logging
from importlib import resources

import psycopg

log = logging.getLogger(__name__)

BI_ROLE = "sdw_bi_reader"
BI_IDLE_TRANSACTION_TIMEOUT = "5min"


def schema_sql() -> str:
    """The core DDL (schema.sql), then each source's own DDL in ddl/*.sql, in name order."""
    package = resources.files("sdw.warehouse")
    parts = [package.joinpath("schema.sql").read_text(encoding="utf-8")]
    ddl = package.joinpath("ddl")
    if ddl.is_dir():
        parts += [
            f.read_text(encoding="utf-8")
            for f in sorted(ddl.iterdir(), key=lambda f: f.name)
            if f.name.endswith(".sql")
        ]
    return "\n".join(parts)


# Incremental dbt models and the bookkeeping column each has had since it became incremental.
# A warehouse built before that holds a plain table without the column; dbt would then try an
# incremental run on it and fail (on_schema_change='fail'). The table is derived state, so it is
# dropped and dbt builds it in full once.
INCREMENTAL_SINCE = (("intermediate", "int_declaration_lines_assessed", "assessed_at"),)


def _drop_pre_incremental_tables(conn: psycopg.Connection) -> None:
    for schema, table, column in INCREMENTAL_SINCE:
        stale = conn.execute(
            """SELECT to_regclass(format('%%I.%%I', %s::text, %s::text)) IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM information_schema.columns
                                  WHERE table_schema = %s AND table_name = %s
                                    AND column_name = %s)""",
            (schema, table, schema, table, column),
        ).fetchone()[0]
        if stale:
            log.warning(
                "%s.%s predates its incremental build: dropped, dbt rebuilds it", schema, table
            )
            conn.execute(f'DROP TABLE "{schema}"."{table}" CASCADE')


def ensure_schema(url: str) -> None:
    """Idempotent: run on every start. The read-only BI role is created only where the connecting
    user may create roles; elsewhere the DBA creates it (see docs/bi.md)."""
    # The advisory lock serialises concurrent bootstraps (two workers starting at once).
    with psycopg.connect(url, autocommit=True) as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('sdw.bootstrap'))")
        conn.execute(schema_sql())
        conn.execute("CREATE SCHEMA IF NOT EXISTS marts")
        _drop_pre_incremental_tables(conn)
        can_create_role = conn.execute(
            "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"
        ).fetchone()[0]
        exists = conn.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s)", (BI_ROLE,)
        ).fetchone()[0]
        if not exists and can_create_role:
            # Roles are cluster-wide: another database's bootstrap may create it concurrently.
            conn.execute(
                f"DO $$ BEGIN CREATE ROLE {BI_ROLE} LOGIN; "
                "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
            )
            exists = True
        elif not exists:
            log.warning(
                "Role %s does not exist and %s may not create roles: BI tools need a DBA to "
                "run CREATE ROLE %s LOGIN.",
                BI_ROLE,
                "the warehouse user",
                BI_ROLE,
            )
        if exists and can_create_role:
            # A BI session left idle inside a transaction would hold the marts' locks, and the
            # publication waits for those (publish.py, SDW_PUBLISH_LOCK_WAIT, 600 s) rather than
            # show it mixed versions. PostgreSQL ends such a session after this timeout, well
            # inside that wait, so a forgotten SQL client cannot stop the nightly publication.
            conn.execute(
                f'ALTER ROLE {BI_ROLE} IN DATABASE "{conn.info.dbname}" '
                f"SET idle_in_transaction_session_timeout = '{BI_IDLE_TRANSACTION_TIMEOUT}'"
            )
        if exists:
            grant_bi_read(conn)


def grant_bi_read(conn: psycopg.Connection) -> None:
    """BI reads marts and nothing else; re-applied after every publish (the schema is new)."""
    db = conn.info.dbname
    conn.execute(f'GRANT CONNECT ON DATABASE "{db}" TO {BI_ROLE}')
    conn.execute(f"GRANT USAGE ON SCHEMA marts TO {BI_ROLE}")
    conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA marts TO {BI_ROLE}")
