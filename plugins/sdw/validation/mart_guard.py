"""The mart guard: a candidate mart that would publish far fewer rows than BI sees now fails
validation, unless the run says the shrink is expected.

Every expectation on a mart checks the rows that are there; none notices rows that are not. A
source file that loads without the column a mart needs (a KWB without ``a_inw``) once published
``population_by_district`` empty and every per-1,000 rate NULL with validation green. So before
publishing, each candidate mart's row count is compared with the count recorded for it by the
last publication (``audit.publication.mart_rows``, what BI sees now):

- it held rows and the candidate is empty (or the candidate has no such table): fails;
- it lost more than half of its rows (candidate * 2 < published): fails.

Half, because nothing in a normal delivery removes rows from a mart: marts are rebuilt from
all of raw, so a new month adds rows and a correction replaces them; losing half is a lost
file or column, not a correction. A real shrink (a source withdrawn, a mart redefined) is
allowed per mart by the run: ``sdw run --allow-shrink MART`` (repeatable), the DAG run conf
``{"allow_shrink": ["MART", ...]}`` of build_marts, or ``SDW_ALLOW_SHRINK=MART,MART`` in the
environment; ``*`` allows every mart. Each compared mart is one row in
``audit.validation_result`` (suite ``mart_row_counts``), allowed or not.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

import psycopg
from psycopg import sql

from sdw.publish import CANDIDATE
from sdw.validation.runner import AssetOutcome, ValidationSummary, _record, libpq_url

SUITE = "mart_row_counts"
ENV = "SDW_ALLOW_SHRINK"
CONF_KEY = "allow_shrink"
ALL = "*"


def allowed_shrinks(conf: Mapping[str, Any] | None = None) -> frozenset[str]:
    """The marts this run may shrink: from the DAG run conf and the environment."""
    names: set[str] = set()
    value = (conf or {}).get(CONF_KEY)
    if isinstance(value, str):
        value = value.split(",")
    names.update(str(v) for v in value or ())
    names.update(os.environ.get(ENV, "").split(","))
    return frozenset(n.strip() for n in names if n.strip())


def last_publication(conn: psycopg.Connection) -> tuple[str, dict[str, int]] | None:
    row = conn.execute(
        "SELECT run_id, mart_rows FROM audit.publication "
        "ORDER BY published_at DESC, publication_id DESC LIMIT 1"
    ).fetchone()
    return (row[0], {k: int(v) for k, v in row[1].items()}) if row else None


def candidate_counts(conn: psycopg.Connection) -> dict[str, int]:
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (CANDIDATE,),
        )
    ]
    return {
        t: conn.execute(
            sql.SQL("SELECT count(*) FROM {}.{}").format(
                sql.Identifier(CANDIDATE), sql.Identifier(t)
            )
        ).fetchone()[0]
        for t in tables
    }


def shrinks_too_much(published: int, candidate: int) -> bool:
    return published > 0 and (candidate == 0 or 2 * candidate < published)


def check(warehouse_url: str, run_id: str, allowed: Iterable[str] = ()) -> ValidationSummary:
    """Compare every mart of the last publication with its candidate; record and summarise.
    The first publication has nothing to compare with and passes. ``allowed`` adds to the
    marts the environment allows."""
    allow = frozenset(allowed) | allowed_shrinks()
    with psycopg.connect(libpq_url(warehouse_url)) as conn:
        last = last_publication(conn)
        candidates = candidate_counts(conn)
    outcomes: list[AssetOutcome] = []
    if last is not None:
        published_run, published = last
        for mart, before in sorted(published.items()):
            if before == 0:
                continue
            after = candidates.get(mart, 0)
            counts = f"{after} rows in {CANDIDATE}, {before} in the last publication"
            detail = {"published": before, "candidate": after, "published_run": published_run}
            if not shrinks_too_much(before, after):
                summary = f"passed {mart}: {counts}"
                ok = True
            elif mart in allow or ALL in allow:
                summary = f"passed {mart}: {counts}; allowed by this run ({CONF_KEY})"
                ok = True
                detail["allowed"] = True
            else:
                what = "would be published empty" if after == 0 else "would lose over half its rows"
                summary = (
                    f"FAILED {mart}: {what} ({counts}, run {published_run}). A source file or "
                    "column is probably missing: see the quarantine. If the shrink is "
                    f"expected, run again with --allow-shrink {mart} (or {ENV}={mart})."
                )
                ok = False
            outcomes.append(AssetOutcome(mart, ok, 1, 0 if ok else 1, summary, detail))
    if outcomes:
        _record(warehouse_url, run_id, SUITE, outcomes)
    failed = [o for o in outcomes if not o.success]
    head = (
        f"Mart row counts (run {run_id}): "
        + ("passed" if not failed else "FAILED")
        + f", {len(failed)} of {len(outcomes)} marts shrink too much"
        + ("" if last else " (no earlier publication to compare with)")
    )
    return ValidationSummary(
        suite_name=SUITE,
        run_id=run_id,
        success=not failed,
        evaluated=len(outcomes),
        failed=len(failed),
        summary="\n".join([head, *(o.summary for o in failed)]),
        assets=outcomes,
    )
