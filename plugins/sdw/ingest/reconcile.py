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

Where a kind's lines carry money (``LineTable.amounts``), euros as well (``euro_mismatches``):
per file and amount column, the file's own total (``raw.file_euro_total``, added up by its
parser over every readable cell, see ``sdw.ingest.euros``) equals the column's sum in raw plus
the part in quarantined lines, to the cent. A file refused whole loads nothing and has no
totals; it is not checked for euros.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

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


@dataclass(frozen=True)
class EuroCheck:
    """One file x amount column of the euro reconciliation (a row of audit.euro_reconciliation)."""

    file_hash: str
    source_file: str
    file_kind: str
    amount_column: str
    file_eur: Decimal | None  # None: the parser handed over no total for the column
    loaded_eur: Decimal
    quarantined_eur: Decimal | None

    @property
    def reconciled(self) -> bool:
        return (
            self.file_eur is not None
            and self.quarantined_eur is not None
            and self.file_eur == self.loaded_eur + self.quarantined_eur
        )

    def problem(self) -> str:
        if self.file_eur is None or self.quarantined_eur is None:
            return f"{self.source_file}: no file total for {self.amount_column}"
        return (
            f"{self.source_file}: {self.amount_column} file total {self.file_eur} != "
            f"{self.loaded_eur} loaded + {self.quarantined_eur} in quarantined lines"
        )


def euro_checks(
    conn: psycopg.Connection,
    batch_id: str,
    line_tables: Mapping[tuple[str, str | None], LineTable],
    kinds: frozenset[str] | None = None,
) -> list[EuroCheck]:
    """Every file x amount column of the batch's files (or those of ``kinds``) whose line table
    has amounts, except files refused whole."""
    files = conn.execute(
        """SELECT file_hash, source_file, file_kind, bericht_type FROM audit.file_ledger
           WHERE _batch_id = %s AND status <> 'quarantined'
             AND (%s::text[] IS NULL OR file_kind = ANY(%s::text[]))
           ORDER BY source_file""",
        (batch_id, sorted(kinds) if kinds else None, sorted(kinds) if kinds else None),
    ).fetchall()
    checks: list[EuroCheck] = []
    for file_hash, name, kind, btype in files:
        line = line_tables.get((kind, btype)) or line_tables.get((kind, None))
        if line is None or not line.amounts:
            continue
        totals = {
            col: (f, q)
            for col, f, q in conn.execute(
                """SELECT amount_column, sum(file_eur), sum(quarantined_eur)
                   FROM raw.file_euro_total WHERE _file_hash = %s GROUP BY amount_column""",
                (file_hash,),
            )
        }
        sums = ", ".join(f"coalesce(sum({c}), 0)" for c in line.amounts)
        loaded = conn.execute(
            f"SELECT {sums} FROM raw.{line.table} WHERE _file_hash = %s", (file_hash,)
        ).fetchone()
        assert loaded is not None
        for col, loaded_eur in zip(line.amounts, loaded, strict=True):
            file_eur, quarantined_eur = totals.get(col, (None, None))
            checks.append(
                EuroCheck(file_hash, name, kind, col, file_eur, loaded_eur, quarantined_eur)
            )
    return checks
