"""The two ceilings the project's ingest is measured against.

- Parse ceiling: lxml building the tree of every file (``etree.parse``), in a pool of as many
  processes as the ingest uses, doing nothing else — no validation, no extraction, no database.
- COPY ceiling: the rows the ingest wrote to ``raw.istandaarden_323_prestatie``, read back into
  memory first (not timed), then written with ``COPY ... FROM STDIN (FORMAT BINARY)`` (psycopg
  ``set_types`` + ``write_row``) into an identical table (``LIKE ... INCLUDING ALL``: same
  columns, defaults and index), one transaction per stream; as many streams as ingest workers.
"""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import psycopg
from lxml import etree

COPY_TABLE = "bench_ceiling.istandaarden_323_prestatie"
MAX_COPY_ROWS = 2_000_000  # rows held in memory for the COPY ceiling (rows/s is a rate)


def _parse(path: str) -> int:
    tree = etree.parse(path)
    return len(tree.getroot())


def parse_ceiling(files: list[Path], workers: int = 2) -> float:
    """Seconds to build the trees of all ``files`` with ``workers`` processes."""
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(workers) as pool:
        pool.map(_parse, [str(files[0])])  # start the workers before the clock
        # largest first so the two workers finish together
        order = sorted(files, key=lambda p: p.stat().st_size, reverse=True)
        started = time.perf_counter()
        for _ in pool.imap_unordered(_parse, [str(p) for p in order], chunksize=1):
            pass
        return time.perf_counter() - started


def _columns(conn: psycopg.Connection) -> list[tuple[str, str]]:
    return conn.execute(
        """SELECT a.attname, format_type(a.atttypid, a.atttypmod)
           FROM pg_attribute a
           WHERE a.attrelid = 'raw.istandaarden_323_prestatie'::regclass AND a.attnum > 0
             AND NOT a.attisdropped AND a.atthasdef IS FALSE
           ORDER BY a.attnum"""
    ).fetchall()


def _copy_stream(args: tuple[str, int, int, int, object]) -> tuple[int, float, float]:
    """One COPY stream: load its share of rows (not timed), wait for the others, COPY them.

    The shares are cut from one total order (the OP283 key): without it each stream's scan may
    start elsewhere (synchronised sequential scans), so two streams could both take a row and
    the copy table's unique index would reject the second."""
    url, index, streams, limit, barrier = args
    with psycopg.connect(url) as conn:
        cols = _columns(conn)
        names = ", ".join(c for c, _t in cols)
        rows = conn.execute(
            f"""SELECT {names} FROM (
                    SELECT {names},
                           row_number() OVER (ORDER BY aanbieder_agb, referentienummer, wet) AS rn
                    FROM raw.istandaarden_323_prestatie LIMIT %s) t
                WHERE rn %% %s = %s""",
            (limit, streams, index),
        ).fetchall()
        conn.commit()
        barrier.wait()  # type: ignore[attr-defined]
        started = time.perf_counter()
        sql = f"COPY {COPY_TABLE} ({names}) FROM STDIN (FORMAT BINARY)"
        with conn.transaction(), conn.cursor() as cur, cur.copy(sql) as copy:
            copy.set_types([t for _c, t in cols])
            for row in rows:
                copy.write_row(row)
        finished = time.perf_counter()
    return len(rows), started, finished


def copy_ceiling(url: str, streams: int = 2) -> dict[str, float]:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA IF NOT EXISTS bench_ceiling")
        conn.execute(f"DROP TABLE IF EXISTS {COPY_TABLE}")
        conn.execute(
            f"CREATE TABLE {COPY_TABLE} (LIKE raw.istandaarden_323_prestatie INCLUDING ALL)"
        )
    out: dict[str, float] = {}
    for n in sorted({1, streams}):
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"TRUNCATE {COPY_TABLE}")
        ctx = multiprocessing.get_context("spawn")
        with ctx.Manager() as manager:
            barrier = manager.Barrier(n)
            with ctx.Pool(n) as pool:
                parts = pool.map(
                    _copy_stream, [(url, i, n, MAX_COPY_ROWS, barrier) for i in range(n)]
                )
        rows = sum(p[0] for p in parts)
        seconds = max(p[2] for p in parts) - min(p[1] for p in parts)
        out[f"copy_{n}_streams_rows"] = rows
        out[f"copy_{n}_streams_s"] = seconds
        out[f"copy_{n}_streams_rows_per_s"] = rows / seconds
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA bench_ceiling CASCADE")
    return out
