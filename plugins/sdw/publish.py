"""Publish: make the validated candidate marts what BI sees, in one atomic step.

dbt builds every mart into ``marts_candidate``; GX validates that schema; only then does this
swap it into ``marts`` inside a single transaction, so a BI query sees either the old marts or
the new ones, never a half-built mix. The previous version stays as ``marts_previous`` until the
next publish, for a quick look back.
"""

from __future__ import annotations

import json

import psycopg
from psycopg import sql

from sdw.warehouse.bootstrap import BI_ROLE, grant_bi_read

CANDIDATE, LIVE, PREVIOUS = "marts_candidate", "marts", "marts_previous"


class NothingToPublish(RuntimeError):
    pass


def publish(url: str, run_id: str) -> dict[str, int]:
    with psycopg.connect(url, autocommit=True) as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('sdw.publish'))")
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
                "ORDER BY table_name",
                (CANDIDATE,),
            )
        ]
        if not tables:
            raise NothingToPublish(
                f"Schema {CANDIDATE} has no tables: did the dbt build run? Nothing was published."
            )
        counts = {}
        for t in tables:
            (n,) = conn.execute(
                sql.SQL("SELECT count(*) FROM {}.{}").format(
                    sql.Identifier(CANDIDATE), sql.Identifier(t)
                )
            ).fetchone()
            counts[t] = n
        conn.execute(f"DROP SCHEMA IF EXISTS {PREVIOUS} CASCADE")
        (live_exists,) = conn.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = %s)", (LIVE,)
        ).fetchone()
        if live_exists:
            conn.execute(f"ALTER SCHEMA {LIVE} RENAME TO {PREVIOUS}")
        conn.execute(f"ALTER SCHEMA {CANDIDATE} RENAME TO {LIVE}")
        (has_role,) = conn.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s)", (BI_ROLE,)
        ).fetchone()
        if has_role:
            grant_bi_read(conn)
            if live_exists:  # BI sees the published marts only, not the superseded ones
                conn.execute(f"REVOKE ALL ON SCHEMA {PREVIOUS} FROM {BI_ROLE}")
                conn.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA {PREVIOUS} FROM {BI_ROLE}")
        conn.execute(
            "INSERT INTO audit.publication (run_id, mart_rows) VALUES (%s, %s)",
            (run_id, json.dumps(counts)),
        )
    return counts
