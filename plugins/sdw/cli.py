"""``sdw``: the one command a newcomer needs.

sdw run [--inbox DIR]           load, build, validate, publish; print the summary
sdw generate DIR [--clients N --months M --seed S --shape regular|irregular --start DATE]
sdw report [--out DIR] [--no-docs]  the KPI report (HTML) with dbt docs and GX Data Docs
sdw warehouse start|stop|status
sdw warehouse backup FILE [--with-key]     pg_dump of the warehouse (docs/operating.md)
sdw warehouse restore FILE [--replace]
sdw key create                  make the pseudonymisation key (0600)
sdw ui [--port 8080]            the Airflow UI on sdw run's history (URL and login printed)

Exit codes: 0 done; 1 failed (the last lines say what to do); 2 could not start (a setting,
the warehouse, an argument); 3 published, but some files were refused whole (listed).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

from sdw import config


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("sdw").setLevel(logging.INFO)


def _inbox_is_empty(inbox: Path) -> bool:
    return not inbox.exists() or not any(p.is_file() for p in inbox.rglob("*"))


def cmd_generate(args: argparse.Namespace) -> int:
    from datetime import date

    from sdw.generate import generate

    out = Path(args.dir)
    start = date.fromisoformat(args.start) if args.start else date(2025, 1, 1)
    summary = generate(
        out, clients=args.clients, months=args.months, seed=args.seed, shape=args.shape, start=start
    )
    print(f"Wrote {summary} to {out}")
    return 0


def _unreachable(url: str) -> str | None:
    """A clear message when WAREHOUSE_URL cannot be used, before any DAG starts."""
    import psycopg

    from sdw.warehouse.connection import redact

    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return (
            f"sdw: cannot connect to WAREHOUSE_URL {redact(url)}: {first}\n"
            "Check that the server runs and the URL is right, or unset WAREHOUSE_URL to use the "
            "embedded warehouse."
        )
    return None


def stops_after_run(embedded: bool, keep_running: bool, was_running: bool) -> bool:
    """Whether ``sdw run`` stops the embedded warehouse at its end: only one it started itself.
    A server that ran before the run (``sdw warehouse start``, a BI session's) stays up."""
    return embedded and not keep_running and not was_running


def _left_running(keep_running: bool) -> str:
    why = "--keep-running" if keep_running else "it was running before this run"
    return f"The embedded warehouse keeps running ({why}); `sdw warehouse stop` ends it."


def cmd_run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    from sdw.orchestration.runner import configure_airflow

    configure_airflow()
    from sdw.warehouse.connection import configured_url

    embedded = configured_url() is None
    wh = None
    was_running = False
    if embedded:
        from sdw.warehouse.embedded import EmbeddedWarehouse

        wh = EmbeddedWarehouse(config.state_dir())
        was_running = wh.is_running()
        url = wh.start()
        os.environ["WAREHOUSE_URL"] = url  # tasks and dbt read it from here
    else:
        url = configured_url()  # type: ignore[assignment]
        problem = _unreachable(url)
        if problem:
            print(problem, file=sys.stderr)
            return 2
    stops = stops_after_run(embedded, args.keep_running, was_running)
    from sdw.orchestration.locks import RUN, WarehouseLock

    run_lock = WarehouseLock(url, RUN)
    try:
        # One run at a time per warehouse: a second waits here for the first to publish.
        run_lock.acquire(
            on_wait=lambda: print(
                "sdw: another `sdw run` is using this warehouse; waiting for it to finish ...",
                file=sys.stderr,
                flush=True,
            )
        )
        if not os.environ.get("SDW_PSEUDONYM_KEY"):
            path = config.create_key_file()
            print(f"Pseudonymisation key: {path} (keep it; it links pseudonyms across loads)")
        inbox = Path(args.inbox).resolve() if args.inbox else config.default_inbox()
        if _inbox_is_empty(inbox):
            if args.inbox:
                print(
                    f"Inbox {inbox} is empty: nothing to load. Put the files to load there, or "
                    "leave out --inbox to load (or generate a sample in) .sdw/inbox.",
                    file=sys.stderr,
                )
                return 2
            from sdw.generate import generate

            print(f"Inbox {inbox} is empty: generating a sample municipality there ...")
            generate(inbox, clients=args.clients, months=args.months, seed=args.seed)
        from sdw.orchestration.console import log_tail, run_console
        from sdw.orchestration.runner import DagRunFailed, migrate_metadata_db, run_dag

        log_path = config.state_dir() / "logs" / time.strftime("run-%Y%m%d-%H%M%S.log")
        print(f"Full log of this run: {log_path}")
        with run_console(log_path, args.verbose) as console:
            try:
                console.write("  … preparing: Airflow metadata database\n")
                migrate_metadata_db()
                ingest_run = run_dag("ingest_istandaarden", {"inbox": str(inbox)})
                cbs_run = run_dag("ingest_cbs", {"inbox": str(inbox)})
                cases_run = run_dag("ingest_cases", {"inbox": str(inbox)})
                finance_run = run_dag("ingest_finance", {"inbox": str(inbox)})
                shrink = {"allow_shrink": args.allow_shrink} if args.allow_shrink else None
                build_run = run_dag("build_marts", shrink)
            except DagRunFailed as exc:
                console.write(f"\n{log_tail(log_path)}\n\n{_failed_run(exc, console, log_path)}")
                return 1
        runs = [ingest_run, cbs_run, cases_run, finance_run]
        try:
            report = _write_report(url, None, docs=not args.no_docs)
            from sdw.summary import collect, render

            render(
                collect(url, ingest_run.run_id, build_run.run_id, *(r.run_id for r in runs[1:])),
                url,
                time.monotonic() - started,
                stops,
                report,
            )
            from sdw.refused_files import refused_files, render_refused

            refused, total = refused_files(url, [r.run_id for r in runs])
        except psycopg_errors() as exc:
            from sdw.orchestration.console import WAREHOUSE_ADVICE, one_line

            print(
                f"sdw: the marts were published, but the warehouse failed while the summary was "
                f"read: {one_line(exc)}\nWhat to do: {WAREHOUSE_ADVICE}",
                file=sys.stderr,
            )
            return 1
        if embedded and not stops:
            print(_left_running(args.keep_running))
        if refused:
            render_refused(refused, total, sys.stdout)
            return 3
    finally:
        # A run waiting for this one's lock needs the server this run started.
        waiting = run_lock.others_waiting()
        run_lock.release()
        if wh is not None and stops:
            if waiting:
                print("sdw: another run is waiting: the embedded warehouse keeps running.")
            else:
                wh.stop()
    return 0


def psycopg_errors() -> tuple[type[BaseException], ...]:
    """The errors that mean the warehouse went away after the DAGs (the summary's queries)."""
    import psycopg

    return (psycopg.OperationalError, psycopg.InterfaceError)


def _failed_run(exc: object, console: object, log_path: Path) -> str:
    """The closing lines of a failed run: what failed, in full, then what to do."""
    from sdw.orchestration.console import advice, one_line

    failure = getattr(console, "first_failure", None)
    if failure is not None and failure.error is not None:
        what = f"sdw: {failure.task} failed: {one_line(failure.error)}"
        todo = advice(failure.error, log_path)
    else:
        what = f"sdw: {one_line(exc)}"
        todo = advice(exc, log_path)
    return f"{what}\nWhat to do: {todo}\nFull log: {log_path}\n"


def _write_report(url: str, out: Path | None, docs: bool) -> Path | None:
    """The report after a publication; its failure is said, never hidden, and does not undo
    a publication that already happened (the run's marts are valid and published)."""
    from sdw.report import build_report

    print("Writing the report" + (", dbt docs and GX Data Docs" if docs else "") + " ...")
    try:
        result = build_report(url, out, docs=docs)
    except Exception as exc:
        print(f"sdw: the report could not be written: {type(exc).__name__}: {exc}", file=sys.stderr)
        return None
    for problem in result.problems:
        print(f"sdw: report: {problem}", file=sys.stderr)
    return result.report


def cmd_report(args: argparse.Namespace) -> int:
    from sdw.report import build_report
    from sdw.report.data import NothingPublished
    from sdw.warehouse.connection import configured_url

    wh = None
    url = configured_url()
    if url is None:
        from sdw.warehouse.embedded import EmbeddedWarehouse

        wh = EmbeddedWarehouse(config.state_dir())
        was_running = wh.url() is not None
        url = wh.start()
    else:
        problem = _unreachable(url)
        if problem:
            print(problem, file=sys.stderr)
            return 2
    try:
        result = build_report(url, Path(args.out) if args.out else None, docs=not args.no_docs)
    except NothingPublished as exc:
        print(f"sdw: {exc}", file=sys.stderr)
        return 2
    finally:
        if wh is not None and not was_running:
            wh.stop()
    print(f"Report: {result.report} ({result.charts} charts)")
    if result.dbt_docs:
        print(f"dbt docs: {result.dbt_docs}")
    if result.gx_docs:
        print(f"GX Data Docs: {result.gx_docs}")
    for problem in result.problems:
        print(f"sdw: {problem}", file=sys.stderr)
    return 1 if result.problems else 0


def cmd_warehouse(args: argparse.Namespace) -> int:
    if args.action in ("backup", "restore"):
        return _backup_or_restore(args)
    from sdw.warehouse.embedded import EmbeddedWarehouse

    wh = EmbeddedWarehouse(config.state_dir())
    if args.action == "start":
        url = wh.start()
        from sdw.summary import bi_url
        from sdw.warehouse.bootstrap import ensure_schema

        ensure_schema(url)
        # BI tools get the read-only role; the owner's URL can drop every table.
        print(f"BI tools (read-only, schema marts): {bi_url(url)}")
        print(f"Owner (superuser, for sdw and dbt only; not for BI tools): {url}")
    elif args.action == "stop":
        wh.stop()
        print("stopped")
    else:
        for k, v in wh.status().items():
            print(f"{k}: {v}")
    return 0


def _backup_or_restore(args: argparse.Namespace) -> int:
    """The warehouse in or out of a pg_dump archive (sdw.warehouse.backup): the embedded one,
    started for the command and stopped again when it was not running, or WAREHOUSE_URL's."""
    from sdw.warehouse import backup as bk
    from sdw.warehouse.connection import configured_url, redact

    archive = Path(args.file).resolve()
    wh = None
    was_running = True
    url = configured_url()
    if url is None:
        from sdw.warehouse.embedded import EmbeddedWarehouse

        wh = EmbeddedWarehouse(config.state_dir())
        was_running = wh.is_running()
        url = wh.start()
    else:
        problem = _unreachable(url)
        if problem:
            print(problem, file=sys.stderr)
            return 2
    try:
        if args.action == "backup":
            client = bk.backup(url, archive)
            size = archive.stat().st_size
            print(
                f"Backup: {archive} ({size / 1e6:.1f} MB) of {redact(url)}, made by "
                f"{client.path} (PostgreSQL {client.version})"
            )
            if args.with_key:
                copy = bk.write_key_copy(archive)
                print(
                    f"Key copy: {copy} (0600). Whoever holds it and a list of BSNs can "
                    "re-identify pseudonyms: store it apart from the backup (a password vault)."
                )
            else:
                _key, where = bk.configured_key()
                print(
                    f"Not in the backup: the pseudonymisation key ({where}). Keep a copy apart "
                    "from the backup (a password vault): without it, files loaded after a "
                    "restore get pseudonyms that do not link to these. `--with-key` writes a "
                    "copy beside the backup."
                )
        else:
            bk.install_key_copy(archive, install=False)  # a differing key refuses, first
            client = bk.restore(url, archive, replace=args.replace)
            print(
                f"Restored {archive} into {redact(url)} with {client.path} "
                f"(PostgreSQL {client.version})"
            )
            print(bk.install_key_copy(archive, install=True))
    except bk.BackupError as exc:
        print(f"sdw: {exc}", file=sys.stderr)
        return 1
    finally:
        if wh is not None and not was_running:
            wh.stop()
    return 0


def cmd_key(args: argparse.Namespace) -> int:
    path = config.key_file()
    existed = path.exists()
    config.create_key_file(path)
    print(f"{path} {'already exists (kept)' if existed else 'created (0600)'}")
    return 0


def cmd_ui(args: argparse.Namespace) -> int:
    from sdw.orchestration.ui import serve

    serve(args.host, args.port)  # becomes the API server; returns only if exec fails
    return 1


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="sdw", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log INFO from all components")
    sub = p.add_subparsers(dest="command", required=True)

    def sample_args(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--clients", type=int, default=300, help="care clients (default 300)")
        sp.add_argument("--months", type=int, default=12, help="months of care (default 12)")
        sp.add_argument("--seed", type=int, default=42, help="random seed (default 42)")

    r = sub.add_parser("run", help="load the inbox, build and publish the marts")
    r.add_argument(
        "--inbox",
        help="folder to load (default .sdw/inbox; a sample is generated there when it is empty)",
    )
    r.add_argument(
        "--keep-running",
        action="store_true",
        help="leave the embedded warehouse running for BI tools",
    )
    r.add_argument(
        "--allow-shrink",
        action="append",
        default=[],
        metavar="MART",
        help="publish MART even if it loses over half its rows or all of them (repeatable; "
        "'*' for every mart); otherwise validation fails",
    )
    r.add_argument(
        "--no-docs",
        action="store_true",
        help="write the report without regenerating dbt docs and GX Data Docs (about 50 s less)",
    )
    sample_args(r)
    r.set_defaults(func=cmd_run)

    g = sub.add_parser("generate", help="write a fictional municipality's files")
    g.add_argument("dir")
    sample_args(g)
    g.add_argument(
        "--shape",
        choices=["regular", "irregular"],
        default="regular",
        help="irregular: what real inboxes hold (one-client providers, a quarter without "
        "requests, 317s, corrected and withdrawn 305s, late 325s, a second municipality); "
        "at least 6 months",
    )
    g.add_argument("--start", help="first month, YYYY-MM-DD (default 2025-01-01)")
    g.set_defaults(func=cmd_generate)

    rp = sub.add_parser("report", help="write the KPI report with dbt docs and GX Data Docs")
    rp.add_argument("--out", help="folder to write to (default .sdw/report)")
    rp.add_argument(
        "--no-docs", action="store_true", help="only the report, without dbt docs and Data Docs"
    )
    rp.set_defaults(func=cmd_report)

    w = sub.add_parser("warehouse", help="the embedded PostgreSQL warehouse; backup, restore")
    wa = w.add_subparsers(dest="action", required=True)
    wa.add_parser("start", help="start the embedded warehouse (prints the BI tools' URL)")
    wa.add_parser("stop", help="stop the embedded warehouse (its data stays)")
    wa.add_parser("status", help="whether it runs, its port, data folder and log")
    b = wa.add_parser(
        "backup",
        help="pg_dump the warehouse (the embedded one, or WAREHOUSE_URL's) to FILE",
        description="A pg_dump custom-format archive of the warehouse database, made by a "
        "pg_dump that matches the server (the embedded server's own, or the lowest installed "
        "one of at least the server's major version). See docs/operating.md.",
    )
    b.add_argument("file", metavar="FILE")
    b.add_argument(
        "--with-key",
        action="store_true",
        help="also write the pseudonymisation key to FILE.key (0600); store it apart",
    )
    rs = wa.add_parser(
        "restore",
        help="restore FILE (from `sdw warehouse backup`) into the warehouse, all or nothing",
        description="pg_restore FILE into the warehouse in one transaction. A warehouse that "
        "already holds loaded files is only replaced with --replace. FILE.key beside it is "
        "installed when no key is configured, and refused when it differs from the key in use.",
    )
    rs.add_argument("file", metavar="FILE")
    rs.add_argument(
        "--replace",
        action="store_true",
        help="replace a warehouse that already holds loaded files (they are lost)",
    )
    w.set_defaults(func=cmd_warehouse)

    k = sub.add_parser("key", help="pseudonymisation key")
    k.add_argument("action", choices=["create"])
    k.set_defaults(func=cmd_key)

    u = sub.add_parser(
        "ui", help="open the Airflow UI on the runs `sdw run` made (prints URL and login)"
    )
    u.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    u.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine)"
    )
    u.set_defaults(func=cmd_ui)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _setup_logging(args.verbose)
    from sdw.warehouse.embedded import EmbeddedWarehouseError

    try:
        return args.func(args)
    except (config.ConfigurationError, EmbeddedWarehouseError) as exc:
        print(f"sdw: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
