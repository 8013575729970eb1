"""Prove the ledger against the data, with one rule for every source.

Per file of a batch (every ledgered file: loaded, loaded with rejections, quarantined):

- the ledger adds up: lines_in = lines_loaded + lines_quarantined;
- raw holds lines_loaded lines of it: in the table its kind names for its lines (the source's
  ``tables.LINE_TABLES``), counting a line once however many rows it became (``line_column``)
  and each row as a line where rows are lines — so a line written twice is caught too;
- quarantine explains the rest: a file refused whole has exactly one file record and nothing
  loaded; otherwise there is exactly one record per quarantined line.

Exact counts on both sides, where the three rules before were weaker in different places
(only "some quarantine record exists", or distinct line numbers only): a loader that loses a
line, writes one twice or forgets its quarantine record fails here, whatever the source.
"""

from __future__ import annotations

from collections.abc import Mapping

import psycopg

from sdw.ingest.contract import LineTable


def _raw_lines(conn: psycopg.Connection, line: LineTable, file_hash: str) -> int:
    counted = f"DISTINCT {line.line_column}" if line.line_column else "*"
    (n,) = conn.execute(
        f"SELECT count({counted}) FROM raw.{line.table} WHERE _file_hash = %s", (file_hash,)
    ).fetchone()
    return int(n)


def mismatches(
    conn: psycopg.Connection,
    batch_id: str,
    line_tables: Mapping[tuple[str, str | None], LineTable],
    kinds: frozenset[str] | None = None,
) -> tuple[int, list[str]]:
    """(files checked, one sentence per file that does not reconcile) for the batch's files,
    or those of ``kinds``."""
    files = conn.execute(
        """SELECT l.file_hash, l.source_file, l.file_kind, l.bericht_type, l.status, l.lines_in,
                  l.lines_loaded, l.lines_quarantined,
                  count(q.*) FILTER (WHERE q.scope = 'record'),
                  count(q.*) FILTER (WHERE q.scope = 'file')
           FROM audit.file_ledger l
           LEFT JOIN quarantine.rejected_record q ON q._file_hash = l.file_hash
           WHERE l._batch_id = %s AND (%s::text[] IS NULL OR l.file_kind = ANY(%s::text[]))
           GROUP BY l.file_hash, l.source_file, l.file_kind, l.bericht_type, l.status,
                    l.lines_in, l.lines_loaded, l.lines_quarantined
           ORDER BY l.source_file""",
        (batch_id, sorted(kinds) if kinds else None, sorted(kinds) if kinds else None),
    ).fetchall()
    problems: list[str] = []
    for file_hash, name, kind, btype, status, n_in, loaded, quarantined, records, whole in files:
        line = line_tables.get((kind, btype)) or line_tables.get((kind, None))
        raw = _raw_lines(conn, line, file_hash) if line is not None else 0
        where = f"raw.{line.table}" if line is not None else "raw (no line table for its kind)"
        if n_in != loaded + quarantined:
            problems.append(
                f"{name}: ledger {n_in} in != {loaded} loaded + {quarantined} quarantined"
            )
        if raw != loaded:
            problems.append(f"{name}: ledger says {loaded} lines loaded, {where} has {raw}")
        if status == "quarantined" or whole:
            if not (whole == 1 and records == 0 and loaded == 0):
                problems.append(
                    f"{name}: refused whole, so 1 file record and nothing loaded expected; "
                    f"quarantine has {whole} file and {records} line records, {loaded} loaded"
                )
        elif records != quarantined:
            problems.append(
                f"{name}: ledger says {quarantined} lines quarantined, quarantine has {records} "
                "line records"
            )
    return len(files), problems
