"""The end-of-run summary: what was read, loaded and rejected, whether it validated, what was
published, the headline KPIs, and how to connect a BI tool. Read back from the warehouse's own
audit tables, so it shows what the warehouse holds, not what the run believed it did."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import psycopg

from sdw.warehouse.bootstrap import BI_ROLE

if TYPE_CHECKING:
    from rich.console import Console


@dataclass(frozen=True)
class AmbiguousSet:
    """Files of one delivery that state the same version of something (a row of
    audit.ambiguous_delivery): the marts used ``chosen_file`` by the one rule of docs/budgets.md,
    "Which file wins". Shown because the choice, however deterministic, is a guess about which
    export the sender meant: a controller must see it, not find it in the figures."""

    source: str  # 'budget' | 'subsidy_register' | 'case_export' | 'cbs_benefits' | 'cbs_statistics'
    version: str  # the version key, readable: 'GM0999 2024 2024-Q2', 'subsidiejaar 2016'
    files: tuple[str, ...]  # display names in the rule's order: the chosen file first
    chosen_file: str
    decided_by: str  # 'the later Peildatum', 'the file name that sorts last', ...


# At most this many sets are listed in the summary; the view holds them all.
AMBIGUOUS_SHOWN = 20


@dataclass
class RunSummary:
    files_by_status: dict[str, int] = field(default_factory=dict)
    lines_in: int = 0
    lines_loaded: int = 0
    lines_quarantined: int = 0
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    validations: list[tuple[str, str, bool, int, int]] = field(default_factory=list)
    mart_rows: dict[str, int] = field(default_factory=dict)
    last_quarter: str | None = None
    headline: list[tuple[str, int, Decimal]] = field(default_factory=list)
    cbs: tuple[int, int, int] | None = None  # ingest_cbs: files ledgered, rows loaded, quarantined
    cases: tuple[int, int, int] | None = None  # ingest_cases: the same
    finance: tuple[int, int, int] | None = None  # ingest_finance: the same
    # ingest_finance's euro reconciliation: (file x amount column checks, of which reconciled)
    finance_euros: tuple[int, int] = (0, 0)
    waiting_quarter: str | None = None
    # audit.ambiguous_delivery for this run's batches (the first AMBIGUOUS_SHOWN) and their count
    ambiguous: list[AmbiguousSet] = field(default_factory=list)
    ambiguous_sets: int = 0
    # municipality + law, requests, median days to decision, % within 5 working days, backlog
    waiting: list[tuple[str, int, Decimal | None, Decimal | None, int]] = field(
        default_factory=list
    )


def _quarter_label(d: date) -> str:
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}"


def _ledgered(conn: psycopg.Connection, run_id: str) -> tuple[int, int, int]:
    row = conn.execute(
        """SELECT count(*), coalesce(sum(lines_loaded), 0), coalesce(sum(lines_quarantined), 0)
           FROM audit.file_ledger WHERE _batch_id = %s""",
        (run_id,),
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])


def _ambiguous(conn: psycopg.Connection, runs: list[str]) -> tuple[list[AmbiguousSet], int]:
    rows = conn.execute(
        """SELECT source, version, files, chosen_file, decided_by, count(*) OVER ()
           FROM audit.ambiguous_delivery WHERE batch_id = ANY(%s)
           ORDER BY source, version, batch_id LIMIT %s""",
        (runs, AMBIGUOUS_SHOWN),
    ).fetchall()
    sets = [AmbiguousSet(r[0], r[1], tuple(r[2]), r[3], r[4]) for r in rows]
    return sets, int(rows[0][5]) if rows else 0


def collect(
    url: str,
    ingest_run_id: str,
    build_run_id: str | None,
    cbs_run_id: str | None = None,
    cases_run_id: str | None = None,
    finance_run_id: str | None = None,
) -> RunSummary:
    s = RunSummary()
    runs = [r for r in (ingest_run_id, cbs_run_id, cases_run_id, finance_run_id) if r]
    with psycopg.connect(url) as conn:
        if finance_run_id:
            s.finance = _ledgered(conn, finance_run_id)
            checks = conn.execute(
                """SELECT count(*), count(*) FILTER (WHERE reconciled)
                   FROM audit.euro_reconciliation WHERE run_id = %s""",
                (finance_run_id,),
            ).fetchone()
            assert checks is not None
            s.finance_euros = (int(checks[0]), int(checks[1]))
        if cbs_run_id:
            s.cbs = _ledgered(conn, cbs_run_id)
        if cases_run_id:
            s.cases = _ledgered(conn, cases_run_id)
        for outcome, n in conn.execute(
            "SELECT outcome, count(*) FROM audit.file_delivery WHERE _batch_id = %s GROUP BY 1",
            (ingest_run_id,),
        ):
            s.files_by_status[outcome] = n
        row = conn.execute(
            """SELECT coalesce(sum(lines_in), 0), coalesce(sum(lines_loaded), 0),
                      coalesce(sum(lines_quarantined), 0)
               FROM audit.file_ledger WHERE _batch_id = %s""",
            (ingest_run_id,),
        ).fetchone()
        s.lines_in, s.lines_loaded, s.lines_quarantined = (int(x) for x in row)
        s.ambiguous, s.ambiguous_sets = _ambiguous(conn, runs)
        s.quarantine_reasons = dict(
            conn.execute(
                "SELECT reason_code, count(*) FROM quarantine.rejected_record "
                "WHERE _batch_id = ANY(%s) GROUP BY 1 ORDER BY 2 DESC",
                (runs,),
            ).fetchall()
        )
        if build_run_id:
            s.validations = conn.execute(
                """SELECT suite_name, data_asset, success, evaluated, failed
                   FROM audit.validation_result WHERE run_id = %s ORDER BY validation_id""",
                (build_run_id,),
            ).fetchall()
        pub = conn.execute(
            "SELECT mart_rows FROM audit.publication ORDER BY publication_id DESC LIMIT 1"
        ).fetchone()
        s.mart_rows = pub[0] if pub else {}
        if s.mart_rows.get("care_usage_quarterly"):
            q = conn.execute("SELECT max(quarter_start) FROM marts.care_usage_quarterly").fetchone()
            if q and q[0]:
                s.last_quarter = _quarter_label(q[0])
                s.headline = conn.execute(
                    """SELECT law, coalesce(sum(clients), 0)::int, sum(accepted_amount_eur)
                       FROM marts.care_usage_quarterly WHERE quarter_start = %s
                       GROUP BY law ORDER BY law""",
                    (q[0],),
                ).fetchall()
        if s.mart_rows.get("waiting_times_quarterly"):
            q = conn.execute(
                "SELECT max(quarter_start) FROM marts.waiting_times_quarterly"
            ).fetchone()
            if q and q[0]:
                s.waiting_quarter = _quarter_label(q[0])
                s.waiting = conn.execute(
                    """SELECT municipality_code || ' ' || law, requests, median_days_to_decision,
                              pct_decided_within_5_workdays, open_at_quarter_end
                       FROM marts.waiting_times_quarterly WHERE quarter_start = %s
                       ORDER BY municipality_code, law""",
                    (q[0],),
                ).fetchall()
    return s


def _shown(text: str) -> str:
    """A sender's text for the terminal: a control character (an escape sequence, a newline in
    a file name) is written as its code point, so it can neither restyle nor split the line."""
    return "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in text)


def _render_ambiguous(c: Console, s: RunSummary) -> None:
    """The warning block: every set names its files and the one used. File names are the
    senders' text: escaped (a '[' is not markup, a control character not a command) and never
    wrapped (they stay copyable)."""
    from rich.markup import escape

    def esc(text: str) -> str:
        return escape(_shown(text))

    n = s.ambiguous_sets
    c.print(
        f"[yellow]Ambiguous deliveries: {n} set{'s' if n != 1 else ''} of files in one delivery "
        "state the same version[/]; the marts used one file of each by the rule of "
        'docs/budgets.md, "Which file wins" (view audit.ambiguous_delivery). Check that it is '
        "the export you meant; if not, deliver the right one again (a later delivery wins).",
        soft_wrap=True,
    )
    for a in s.ambiguous:
        c.print(
            f"  {a.source} {esc(a.version)}: {esc(', '.join(a.files))} -> used "
            f"{esc(a.chosen_file)} ({esc(a.decided_by)})",
            soft_wrap=True,
        )
    if n > len(s.ambiguous):
        c.print(
            f"  ... and {n - len(s.ambiguous)} more in audit.ambiguous_delivery", soft_wrap=True
        )


def bi_url(url: str) -> str:
    u = urlsplit(url)
    return f"postgresql://{BI_ROLE}@{u.hostname}:{u.port or 5432}{u.path}"


def render(
    s: RunSummary, url: str, wall_s: float, embedded: bool, report: Path | None = None
) -> None:
    from rich.console import Console
    from rich.table import Table

    c = Console()
    c.rule("[bold]Sociaal Domein Warehouse — run summary")
    files = ", ".join(f"{n} {k}" for k, n in sorted(s.files_by_status.items())) or "none"
    c.print(f"Files read: {sum(s.files_by_status.values())} ({files})")
    c.print(f"Lines: {s.lines_in} in = {s.lines_loaded} loaded + {s.lines_quarantined} quarantined")
    if s.cbs is not None:
        c.print(
            f"CBS open data (ingest_cbs): {s.cbs[0]} new files, {s.cbs[1]} region rows loaded, "
            f"{s.cbs[2]} quarantined"
        )
    if s.cases is not None:
        c.print(
            f"Case-system exports (ingest_cases): {s.cases[0]} new files, {s.cases[1]} rows "
            f"loaded, {s.cases[2]} quarantined"
        )
    if s.finance is not None:
        checks, ok = s.finance_euros
        euros = (
            "no amounts to reconcile"
            if not checks
            else ("yes" if ok == checks else f"NO ({checks - ok} of {checks} differ)")
            + f" ({checks} file x amount-column checks, audit.euro_reconciliation)"
        )
        c.print(
            f"Finance files (ingest_finance: subsidy registers, budget files): {s.finance[0]} new "
            f"files, {s.finance[1]} rows loaded, {s.finance[2]} quarantined; euros reconciled "
            f"to the cent: {euros}"
        )
    if s.ambiguous_sets:
        _render_ambiguous(c, s)
    if s.files_by_status.get("deferred"):
        c.print(
            f"[yellow]{s.files_by_status['deferred']} toewijzing (301) files wait for a CBS "
            "address file[/]: add `PC6;Huisnummer;Buurt<jaar>;Wijk<jaar>;Gemeente<jaar>` to "
            "the inbox and run again."
        )
    if s.quarantine_reasons:
        reasons = ", ".join(f"{k} {v}" for k, v in s.quarantine_reasons.items())
        c.print(f"Quarantine records: {reasons}  (table quarantine.rejected_record)")
    ok = all(v[2] for v in s.validations) if s.validations else None
    verdict = {True: "[green]passed", False: "[red]FAILED", None: "[yellow]not run"}[ok]
    c.print(
        f"Validation (Great Expectations): {verdict}[/] — {len(s.validations)} checkpoints, "
        f"{sum(v[3] for v in s.validations)} expectations"
    )
    t = Table("mart", "rows", title="Published marts (schema marts)")
    for k, v in sorted(s.mart_rows.items()):
        t.add_row(k, str(v))
    c.print(t)
    if s.headline:
        h = Table(
            "wet",
            "cliënten (som over productcategorieën)",
            "geaccepteerd (EUR)",
            title=f"Zorggebruik {s.last_quarter}",
        )
        for law, clients, eur in s.headline:
            h.add_row(
                law,
                f"{clients:,}".replace(",", "."),
                f"{eur:,.2f}".replace(",", "X").replace(".", ",").replace("X", "."),
            )
        c.print(h)
    if s.waiting:
        w = Table(
            "gemeente, wet",
            "verzoeken",
            "mediaan dagen tot besluit",
            "% binnen 5 werkdagen",
            "open aan eind kwartaal",
            title=f"Wachttijden {s.waiting_quarter} (verzoek 315 → besluit 301/319)",
        )
        for law, requests, median, pct, backlog in s.waiting:
            w.add_row(
                law,
                str(requests),
                "—" if median is None else f"{median:g}".replace(".", ","),
                "—" if pct is None else f"{pct:.2f}".replace(".", ","),
                str(backlog),
            )
        c.print(w)
    if report is not None:
        c.print(
            f"Report (open in a browser): {report}\n"
            f"  with dbt docs {report.parent / 'dbt-docs' / 'index.html'} and GX Data Docs "
            f"{report.parent / 'gx-docs' / 'index.html'}"
        )
    c.print(f"Wall time: {wall_s:.1f} s")
    c.print(
        "\n[bold]Connect a BI tool[/] (Power BI, Superset, Metabase, Excel): PostgreSQL "
        f"{bi_url(url)} , schema [bold]marts[/], read-only role {BI_ROLE}."
    )
    if embedded:
        c.print(
            "The embedded warehouse was stopped; `uv run sdw warehouse start` serves it again "
            "(same data, `sdw warehouse stop` to end)."
        )
