"""Publish: make the validated candidate marts what BI sees, in one atomic step.

dbt builds every mart into ``marts_candidate`` (and the controllers' line-level lineage into
``lineage_candidate``); GX validates the marts; only then does this swap each candidate schema
into its live name inside a single transaction. The previous version stays as
``marts_previous`` / ``lineage_previous`` until the next publish, for a quick look back.

What "atomic" has to mean for a BI tool, and how each part is kept:

- **No half-built mix.** The renames commit together, so a new query sees the old marts or
  the new ones. The candidate of a failed build is never renamed.
- **One version per BI transaction.** A renamed schema alone is not enough: a transaction that
  read ``marts.a`` and then, after the swap committed, reads ``marts.b`` would resolve ``b`` to
  the new table (PostgreSQL resolves names per statement). So the swap first takes ACCESS
  EXCLUSIVE locks on every live mart, which waits until every transaction that touched one
  has ended. It asks with a short ``lock_timeout`` and retries, so a BI query that waits behind
  the request is never part of a deadlock: the swap backs off first (its timeout is shorter than
  PostgreSQL's default ``deadlock_timeout`` of 1 s) and BI queries see at most a short delay.
  A session that keeps a transaction open on the marts for longer than
  ``SDW_PUBLISH_LOCK_WAIT`` seconds (default 600) fails the publication with a message that
  names it; nothing is published then.
- **Analysts' own views survive.** A view an analyst made on ``marts.x`` in another schema
  follows the table by OID into ``marts_previous`` at the swap (showing stale data) and would be
  dropped by the next ``DROP SCHEMA marts_previous CASCADE``. So, in the same transaction, every
  view outside the published schemas that depends on them (directly or through other such
  views) is captured (definition, owner, options, grants, comments), dropped, and created again
  on the new marts after the swap. A view that can no longer be created (a column it reads is
  gone) does not stop the publication: it is listed in ``audit.publication_dropped_object``
  with its definition and the reason, and logged. So is anything else the swap had to drop
  (a materialized view or function on the marts, an object on ``marts_previous``).
- **What it holds.** ``audit.publication`` records the row count per mart, the ingest batches
  and the number of files; ``audit.publication_file`` the files themselves (docs/lineage.md).
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from dataclasses import dataclass, field

import psycopg
from psycopg import errors, sql

from sdw.warehouse.bootstrap import BI_ROLE, grant_bi_read

log = logging.getLogger(__name__)

CANDIDATE, LIVE, PREVIOUS = "marts_candidate", "marts", "marts_previous"
LINEAGE_CANDIDATE, LINEAGE, LINEAGE_PREVIOUS = "lineage_candidate", "lineage", "lineage_previous"
# (candidate, live, previous): the marts must be there; lineage goes along when dbt built it.
SWAPS = ((CANDIDATE, LIVE, PREVIOUS), (LINEAGE_CANDIDATE, LINEAGE, LINEAGE_PREVIOUS))
SWAPPED_SCHEMAS = frozenset(s for swap in SWAPS for s in swap)

LOCK_WAIT_ENV = "SDW_PUBLISH_LOCK_WAIT"
_LOCK_ATTEMPT = "200ms"  # below PostgreSQL's default deadlock_timeout (1 s): the swap backs off
_LOCKED_KINDS = ("r", "p", "v", "m", "f")

# Reason codes of audit.publication_dropped_object.
VIEW_NOT_RECREATED = "VIEW_NOT_RECREATED"
NOT_A_VIEW = "NOT_A_VIEW"
DROPPED_BY_CASCADE = "DROPPED_BY_CASCADE"


class NothingToPublish(RuntimeError):
    pass


class MartsBusy(RuntimeError):
    """Sessions kept transactions open on the live marts for longer than the publish waits."""


@dataclass
class DependentView:
    """A view outside the published schemas that reads them, as it must be created again."""

    oid: int
    schema: str
    name: str
    kind: str  # pg_class.relkind: 'v' view, 'm' materialized view
    owner: str
    definition: str
    options: list[str]
    comment: str | None
    column_comments: dict[str, str] = field(default_factory=dict)
    grants: list[tuple[str, str, bool]] = field(
        default_factory=list
    )  # grantee, privilege, grantable

    @property
    def qualified(self) -> sql.Composed:
        return sql.SQL("{}.{}").format(sql.Identifier(self.schema), sql.Identifier(self.name))

    @property
    def label(self) -> str:
        return f"{self.schema}.{self.name}"


def publish(url: str, run_id: str) -> dict[str, int]:
    """Swap the validated candidate schemas into place; returns the row count per mart."""
    notices: list[tuple[str, str]] = []  # (message, detail): a Diagnostic dies with its callback
    with psycopg.connect(url, autocommit=True) as conn:
        conn.add_notice_handler(
            lambda d: notices.append((d.message_primary or "", d.message_detail or ""))
        )
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('sdw.publish'))")
            # Every name PostgreSQL prints (a view's definition, a DROP's notices) comes out
            # schema-qualified; every name here is qualified already.
            conn.execute("SELECT set_config('search_path', 'pg_catalog', true)")
            counts = _candidate_counts(conn)
            swaps = [s for s in SWAPS if s[0] == CANDIDATE or _schema_exists(conn, s[0])]
            views = _lock_live(conn, [s[1] for s in SWAPS], [s[2] for s in SWAPS], notices)
            captured = {v.label for v in views}
            cascaded = [c for c in _cascaded_objects(notices) if c[1] not in captured]
            for _, _, previous in SWAPS:
                conn.execute(
                    sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(previous))
                )
            cascaded += _cascaded_objects(notices)
            live_existed = {}
            for candidate, live, previous in SWAPS:
                live_existed[live] = _schema_exists(conn, live)
                if live_existed[live]:
                    _rename(conn, live, previous)
                if (candidate, live, previous) in swaps:
                    _rename(conn, candidate, live)
                elif live_existed[live]:
                    log.warning(
                        "%s was not built: the stale %s is moved to %s", candidate, live, previous
                    )
            if _role_exists(conn, BI_ROLE):
                grant_bi_read(conn)
                if live_existed[LIVE]:  # BI sees the published marts only
                    conn.execute(f"REVOKE ALL ON SCHEMA {PREVIOUS} FROM {BI_ROLE}")
                    conn.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA {PREVIOUS} FROM {BI_ROLE}")
            publication_id = _record_publication(conn, run_id, counts)
            for kind, name in cascaded:
                _record_dropped(
                    conn,
                    publication_id,
                    name,
                    kind,
                    None,
                    None,
                    DROPPED_BY_CASCADE,
                    "it depended on a superseded schema (marts_previous, "
                    "lineage_previous) or on a dropped view",
                )
            _recreate(conn, publication_id, views)
            _count_views_again(conn, publication_id, counts)
    log.info("publication %s (run %s): %s", publication_id, run_id, counts)
    return counts


def _count_views_again(
    conn: psycopg.Connection, publication_id: int, counts: dict[str, int]
) -> None:
    """A view such as ``data_freshness`` reads the publication in force: counted before this
    publication was recorded it showed none (0 rows in the summary where BI saw 23), so the
    views of the published schema are counted again now, in the same transaction."""
    views = [
        r[0]
        for r in conn.execute(
            "SELECT table_name FROM information_schema.views WHERE table_schema = %s",
            (LIVE,),
        )
    ]
    for v in views:
        (counts[v],) = conn.execute(
            sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(LIVE), sql.Identifier(v))
        ).fetchone()
    if views:
        conn.execute(
            "UPDATE audit.publication SET mart_rows = %s WHERE publication_id = %s",
            (json.dumps(counts), publication_id),
        )


def _candidate_counts(conn: psycopg.Connection) -> dict[str, int]:
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
    return counts


def _schema_exists(conn: psycopg.Connection, schema: str) -> bool:
    return conn.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = %s)", (schema,)
    ).fetchone()[0]


def _role_exists(conn: psycopg.Connection, role: str) -> bool:
    return conn.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s)", (role,)
    ).fetchone()[0]


def _rename(conn: psycopg.Connection, old: str, new: str) -> None:
    conn.execute(
        sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(sql.Identifier(old), sql.Identifier(new))
    )


# ------------------------------------------------------------------ waiting for BI transactions


def _lock_live(
    conn: psycopg.Connection, schemas: list[str], superseded: list[str], notices: list
) -> list[DependentView]:
    """Hold ACCESS EXCLUSIVE on every live (and superseded) relation, so no transaction that
    has read the old marts is still running when the swap commits; then capture and drop every
    view outside that reads a live one (captured while locked: nothing can start depending on a
    locked table; dropped here because DROP is what locks a view without locking, with its
    owner's rights, what it reads). Returns those views."""
    wait = float(os.environ.get(LOCK_WAIT_ENV, "600"))
    deadline = time.monotonic() + wait
    attempt = 0
    while True:
        attempt += 1
        try:
            with conn.transaction():  # a savepoint: a failed try releases what it got
                conn.execute(f"SET LOCAL lock_timeout = '{_LOCK_ATTEMPT}'")
                _lock(conn, _relations_in(conn, [*schemas, *superseded]))
                views = _dependent_views(conn, schemas)
                notices.clear()
                for view in reversed(views):  # what reads a view goes first
                    kind = "MATERIALIZED VIEW" if view.kind == "m" else "VIEW"
                    conn.execute(
                        sql.SQL("DROP {} IF EXISTS {} CASCADE").format(
                            sql.SQL(kind), view.qualified
                        )
                    )
                conn.execute("SET LOCAL lock_timeout = 0")
                if attempt > 1:
                    log.info("publish: the marts were free after %s attempts", attempt)
                return views
        except errors.LockNotAvailable:
            if time.monotonic() >= deadline:
                raise MartsBusy(
                    f"Open transactions on the live marts kept the publication waiting for "
                    f"{wait:.0f} s ({LOCK_WAIT_ENV}); nothing was published. Sessions holding "
                    f"them: {_holders(conn, schemas)}. End them (or wait) and run build_marts "
                    "again."
                ) from None
            time.sleep(min(0.05 * attempt, 1.0))  # let the queries that queued behind us run


def _relations_in(conn: psycopg.Connection, schemas: list[str]) -> list[int]:
    return [
        r[0]
        for r in conn.execute(
            """SELECT c.oid::int FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = ANY(%s) AND c.relkind = ANY(%s) ORDER BY c.oid""",
            (schemas, list(_LOCKED_KINDS)),
        )
    ]


def _lock(conn: psycopg.Connection, oids: list[int]) -> None:
    if not oids:
        return
    names = conn.execute(
        "SELECT oid::regclass::text FROM unnest(%s::oid[]) AS oid", (oids,)
    ).fetchall()
    conn.execute(
        sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(
            sql.SQL(", ").join(sql.SQL(n[0]) for n in names)  # regclass text is quoted already
        )
    )


def _holders(conn: psycopg.Connection, schemas: list[str]) -> str:
    """Who holds the marts: user, application, pid and since when (never the query text)."""
    rows = conn.execute(
        """SELECT DISTINCT a.usename, a.application_name, a.pid, a.xact_start::text
           FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
           JOIN pg_namespace n ON n.oid = c.relnamespace
           JOIN pg_stat_activity a ON a.pid = l.pid
           WHERE n.nspname = ANY(%s) AND l.granted AND a.pid <> pg_backend_pid()""",
        (schemas,),
    ).fetchall()
    return (
        "; ".join(
            f"{u} ({app or 'no application_name'}, pid {p}, since {x})" for u, app, p, x in rows
        )
        or "none any more"
    )


# ------------------------------------------------------------------ analysts' views


def _dependent_views(conn: psycopg.Connection, schemas: list[str]) -> list[DependentView]:
    """Every view or materialized view outside the swapped schemas that reads a relation in
    ``schemas``, directly or through another such view; ordered so each comes after what it
    reads. Definitions are taken with search_path pg_catalog (see publish), so every name in
    them is schema-qualified and resolves to the new marts once the swap is done."""
    rows = conn.execute(
        """WITH RECURSIVE dep (oid, depth) AS (
               SELECT c.oid, 0 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = ANY(%(live)s)
             UNION
               SELECT r.ev_class, dep.depth + 1
               FROM dep
               JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = dep.oid
                   AND d.classid = 'pg_rewrite'::regclass
               JOIN pg_rewrite r ON r.oid = d.objid
               JOIN pg_class v ON v.oid = r.ev_class
               JOIN pg_namespace vn ON vn.oid = v.relnamespace
               WHERE r.ev_class <> dep.oid AND NOT vn.nspname = ANY(%(swapped)s)
                   AND dep.depth < 50
           )
           SELECT c.oid::int, n.nspname, c.relname, c.relkind::text, pg_get_userbyid(c.relowner),
                  coalesce(c.reloptions, '{}'), obj_description(c.oid, 'pg_class'),
                  max(dep.depth) AS depth
           FROM dep JOIN pg_class c ON c.oid = dep.oid
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE dep.depth > 0
           GROUP BY c.oid, n.nspname, c.relname, c.relkind, c.relowner, c.reloptions
           ORDER BY depth, n.nspname, c.relname""",
        {"live": schemas, "swapped": list(SWAPPED_SCHEMAS)},
    ).fetchall()
    if not rows:
        return []
    views = []
    for oid, schema, name, kind, owner, options, comment, _ in rows:
        (definition,) = conn.execute("SELECT pg_get_viewdef(%s::oid)", (oid,)).fetchone()
        view = DependentView(oid, schema, name, kind, owner, definition, list(options), comment)
        view.column_comments = dict(
            conn.execute(
                """SELECT attname, col_description(attrelid, attnum) FROM pg_attribute
                   WHERE attrelid = %s AND attnum > 0 AND NOT attisdropped
                   AND col_description(attrelid, attnum) IS NOT NULL""",
                (oid,),
            ).fetchall()
        )
        view.grants = conn.execute(
            """SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END,
                      a.privilege_type, a.is_grantable
               FROM pg_class c, aclexplode(c.relacl) a
               WHERE c.oid = %s AND a.grantee <> c.relowner""",
            (oid,),
        ).fetchall()
        views.append(view)
    return views


def _recreate(conn: psycopg.Connection, publication_id: int, views: list[DependentView]) -> None:
    for view in views:
        if view.kind != "v":
            _record_dropped(
                conn,
                publication_id,
                view.label,
                "materialized view",
                view.owner,
                view.definition,
                NOT_A_VIEW,
                "only plain views are created again; create it again by hand",
            )
            continue
        try:
            with conn.transaction():
                _create_view(conn, view)
        except psycopg.Error as exc:
            reason = (exc.diag.message_primary or str(exc)).strip()
            _record_dropped(
                conn,
                publication_id,
                view.label,
                "view",
                view.owner,
                view.definition,
                VIEW_NOT_RECREATED,
                reason,
            )


def _create_view(conn: psycopg.Connection, view: DependentView) -> None:
    options = sql.SQL("")
    if view.options:
        # reloptions are 'name=value' with names PostgreSQL validated when the view was made
        options = sql.SQL(" WITH ({})").format(
            sql.SQL(", ").join(
                sql.SQL("{} = {}").format(sql.Identifier(k), sql.Literal(v))
                for k, _, v in (o.partition("=") for o in view.options)
            )
        )
    conn.execute(
        sql.SQL("CREATE VIEW {}{} AS {}").format(view.qualified, options, sql.SQL(view.definition))
    )
    conn.execute(
        sql.SQL("ALTER VIEW {} OWNER TO {}").format(view.qualified, sql.Identifier(view.owner))
    )
    for grantee, privilege, grantable in view.grants:
        conn.execute(
            sql.SQL("GRANT {} ON {} TO {}{}").format(
                sql.SQL(privilege),  # from aclexplode: SELECT, INSERT, ...
                view.qualified,
                sql.SQL("PUBLIC") if grantee == "PUBLIC" else sql.Identifier(grantee),
                sql.SQL(" WITH GRANT OPTION" if grantable else ""),
            )
        )
    if view.comment is not None:
        conn.execute(
            sql.SQL("COMMENT ON VIEW {} IS {}").format(view.qualified, sql.Literal(view.comment))
        )
    for column, comment in view.column_comments.items():
        conn.execute(
            sql.SQL("COMMENT ON COLUMN {}.{} IS {}").format(
                view.qualified, sql.Identifier(column), sql.Literal(comment)
            )
        )


_CASCADE = re.compile(
    r"^drop cascades to (materialized view|view|function|procedure|table|sequence|type|rule"
    r"|trigger|constraint|default value|index|policy)\s+(.+)$"
)
_OTHER = re.compile(r"^drop cascades to (.+)$")


def _cascaded_objects(notices: list) -> list[tuple[str, str]]:
    """(kind, name) of each object outside the swapped schemas that a DROP ... CASCADE took
    along, read from its notices (``drop cascades to view bi.x``); consumes the notices."""
    found = []
    for message, detail in notices:
        for line in [message, *detail.splitlines()]:
            line = line.strip()
            if not line.startswith("drop cascades to ") or line.endswith(" other objects"):
                continue
            m = _CASCADE.match(line)
            kind, name = m.groups() if m else ("object", _OTHER.match(line).group(1))
            if name.split(".", 1)[0].strip('"') not in SWAPPED_SCHEMAS:
                found.append((kind, name))
    notices.clear()
    return found


# ------------------------------------------------------------------ audit


def _record_publication(conn: psycopg.Connection, run_id: str, counts: dict[str, int]) -> int:
    """The publication row and the files it holds: every file whose rows are in raw now (the
    ledger's loaded files; a quarantined file adds nothing). A run holds the warehouse lock from
    its first load to this publication, so that is what its build read."""
    (publication_id,) = conn.execute(
        """INSERT INTO audit.publication (run_id, mart_rows, batch_ids, files)
           SELECT %s, %s, coalesce(array_agg(DISTINCT _batch_id ORDER BY _batch_id), '{}'),
                  count(*)
           FROM audit.file_ledger WHERE status <> 'quarantined'
           RETURNING publication_id""",
        (run_id, json.dumps(counts)),
    ).fetchone()
    conn.execute(
        """INSERT INTO audit.publication_file
               (publication_id, file_hash, source_file, file_kind, bericht_type, wet,
                batch_id, lines_loaded)
           SELECT %s, file_hash, source_file, file_kind, bericht_type, wet, _batch_id,
                  lines_loaded
           FROM audit.file_ledger WHERE status <> 'quarantined'""",
        (publication_id,),
    )
    return publication_id


def _record_dropped(
    conn: psycopg.Connection,
    publication_id: int,
    name: str,
    kind: str,
    owner: str | None,
    definition: str | None,
    reason_code: str,
    reason: str,
) -> None:
    log.warning(
        "publication %s dropped %s %s (%s): %s", publication_id, kind, name, reason_code, reason
    )
    conn.execute(
        """INSERT INTO audit.publication_dropped_object
               (publication_id, object_name, object_kind, owner, definition, reason_code, reason)
           VALUES (%s, %s, %s, %s, %s, %s, %s)""",
        (publication_id, name, kind, owner, definition, reason_code, reason),
    )
