"""The files a run refused whole, named with their reason, after ``sdw run``'s summary.

A file refused whole (a budget export without a required column, a workbook that is not one,
a message that is not XML) loads nothing, while the rest of the delivery is published: the
run did its job, yet a delivery is missing from the marts until someone asks for a better file.
The summary's counts ("1 quarantined") did not say which file or why, and the exit code was 0,
so a scheduled ``sdw run`` looked perfect. Now the files are listed with the reason the loader
recorded (which names the columns and ends with what to do) and ``sdw run`` exits with
``EXIT_REFUSED`` (3): published, and something needs a person. A line quarantined inside a
file that loaded does not count here: real deliveries hold some, the summary counts them, and
they would turn every run into a 3.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

import psycopg

EXIT_REFUSED = 3
# At most this many files are listed; the query in the closing line finds them all.
SHOWN = 20


@dataclass(frozen=True)
class RefusedFile:
    """A row of audit.file_ledger with status 'quarantined', and its file-scope reason."""

    source_file: str
    reason_code: str
    reason: str


def refused_files(url: str, batch_ids: list[str]) -> tuple[list[RefusedFile], int]:
    """The first SHOWN files these batches refused whole, by name, and how many there are."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            """SELECT l.source_file, coalesce(l.reason_code, q.reason_code, 'UNKNOWN'),
                      coalesce(q.reason, 'no reason was recorded'), count(*) OVER ()
               FROM audit.file_ledger l
               LEFT JOIN LATERAL (
                   SELECT r.reason_code, r.reason FROM quarantine.rejected_record r
                   WHERE r._file_hash = l.file_hash AND r.scope = 'file'
                   ORDER BY r.rejected_id LIMIT 1) q ON true
               WHERE l._batch_id = ANY(%s) AND l.status = 'quarantined'
               ORDER BY l.source_file, l.file_hash
               LIMIT %s""",
            (batch_ids, SHOWN),
        ).fetchall()
    return [RefusedFile(r[0], r[1], r[2]) for r in rows], int(rows[0][3]) if rows else 0


def render_refused(files: list[RefusedFile], total: int, out: IO[str]) -> None:
    """The warning block: each file, its reason code and reason, and what to do."""
    noun = "file was refused whole and is" if total == 1 else "files were refused whole and are"
    out.write(
        f"\nsdw: {total} {noun} not in the marts (exit code "
        f"{EXIT_REFUSED}; everything else is published):\n"
    )
    for f in files:
        out.write(f"  {f.source_file}: {f.reason_code} — {f.reason}\n")
    if total > len(files):
        out.write(
            f"  … and {total - len(files)} more: SELECT source_file, reason_code FROM "
            "audit.file_ledger WHERE status = 'quarantined'\n"
        )
    out.write(
        "What to do: ask the sender for a corrected file (the reason names what is wrong), put "
        "it in the inbox and run `sdw run` again; the rest is not loaded twice.\n"
    )
    out.flush()
