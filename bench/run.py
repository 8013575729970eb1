"""Benchmark: ingest and build at city and national scale, against the limits (issue 5).

    uv run --group bench python -m bench.run --scale small|1m|10m [--scale ...] [--no-demo]

Per scale, in one run and on the same files: the project's ingest, the parse ceiling, the COPY
ceiling, the naive peer (5% sample), dbt build full and after one more month, peak RSS, and at
the end a check of the marts against the generator's own expected totals (exit 1 on any
difference). Prints a table and writes ``bench/results/<YYYY-MM-DD>.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import psycopg

from bench import ceilings, naive, shapes
from bench.build import dbt_build
from bench.check import check
from bench.common import (
    ADMIN_URL,
    REPO,
    RESULTS,
    WORK,
    code_version,
    fresh_database,
    log,
    run_measured,
)
from bench.demo import cold_demo
from bench.workload import Workload, count_lines, generate, link_inbox

TARGETS = {
    "ingest_lines_per_s": 100_000,
    "ingest_vs_parse_ceiling": 0.5,
    "ingest_vs_validated_ceiling": 0.5,  # per shape (issue 14)
    "ingest_vs_naive_peer": 10.0,
    "dbt_full_s": 120.0,
    "incremental_vs_full": 0.2,
    "peak_rss_mb": 1024.0,
    "demo_s": 120.0,
}


def ingest(url: str, inbox: Path, dag_id: str, label: str) -> dict[str, object]:
    batch = f"bench-{label}-{time.strftime('%H%M%S')}"
    version = code_version()
    m = run_measured([sys.executable, "-m", "bench.ingest_child", url, str(inbox), dag_id, batch])
    summary = json.loads(m.stdout.strip().splitlines()[-1])
    summary.update(
        code=version,
        seconds=m.seconds,
        peak_tree_rss_mb=round(m.peak_tree_rss_mb, 1),
        peak_single_rss_mb=round(m.peak_single_rss_mb, 1),
    )
    log(
        f"ingest {label} ({dag_id}): {summary['files_seen']} files, {summary['lines_in']} lines "
        f"in {m.seconds:.1f} s; peak RSS tree {m.peak_tree_rss_mb:.0f} MB"
    )
    if summary["files_quarantined"]:
        raise RuntimeError(f"ingest {label} quarantined files: {summary['quarantined_files']}")
    return summary


def machine_facts() -> dict[str, object]:
    def version(pkg: str) -> str | None:
        try:
            return metadata.version(pkg)
        except metadata.PackageNotFoundError:
            return None

    from lxml import etree

    mem_kb = int(
        next(
            ln for ln in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in ln
        ).split()[1]
    )
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        platform.processor(),
    )
    with psycopg.connect(ADMIN_URL) as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    dirty = bool(
        subprocess.run(
            ["git", "status", "--porcelain", "--", "plugins", "dbt_project"],
            cwd=REPO,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    diff = subprocess.run(
        ["git", "diff", "HEAD", "--", "plugins", "dbt_project"],
        cwd=REPO,
        capture_output=True,
    ).stdout
    return {
        "uncommitted_product_diff_sha256": hashlib.sha256(diff).hexdigest() if diff else None,
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 2**20, 1),
        "cpu": cpu,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "postgresql": pg,
        "lxml": ".".join(map(str, etree.LXML_VERSION)),
        "libxml2": ".".join(map(str, etree.LIBXML_VERSION)),
        "psycopg": version("psycopg"),
        "pandas": version("pandas"),
        "sqlalchemy": version("sqlalchemy"),
        "dbt_core": version("dbt-core"),
        "dbt_postgres": version("dbt-postgres"),
        "commit": commit,
        "product_code_modified": dirty,
        "nice": os.nice(0),
    }


def raw_323_totals(url: str) -> list[tuple[object, ...]]:
    """What the warehouse holds of the 323 lines (count and euros per law and debit/credit,
    plus the lines failing the elfproef): the provider shape, the same lines grouped over other
    providers, must load exactly this."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT wet, debet_credit, count(*), sum(ingediend_bedrag), sum(geleverd_volume), "
            "count(DISTINCT bsn_pseudoniem) FROM raw.istandaarden_323_prestatie "
            "GROUP BY 1, 2 ORDER BY 1, 2"
        ).fetchall()
        (bad,) = conn.execute(
            "SELECT count(*) FROM quarantine.rejected_record WHERE reason_code = 'BSN_ELFPROEF' "
            "AND bericht_type = '323'"
        ).fetchone()
    return [tuple(str(v) for v in row) for row in rows] + [("BSN_ELFPROEF", str(bad))]


def shape_result(
    shape: str, files: list[Path], lines: int, ingest_s: float, *, workers: int = 2, **extra: object
) -> dict[str, object]:
    """One workload shape: the ingest's rate (measured by the caller) against lxml parsing with
    schema validation of the same files on as many processes (own compiled schema, and the
    official XSDs from ../shared/reference when they are there)."""
    log(f"validated ceiling ({shape}, own schema) on {len(files):,} files ...")
    own_s = shapes.validated_ceiling(files, "own", workers)
    log(f"validated ceiling ({shape}, own schema): {own_s:.1f} s")
    missing = shapes.official_xsd_missing(files)
    official_s = None
    if missing is None:
        log(f"validated ceiling ({shape}, official XSDs) ...")
        official_s = shapes.validated_ceiling(files, "official", workers)
        log(f"validated ceiling ({shape}, official XSDs): {official_s:.1f} s")
    else:
        log(f"official-XSD ceiling skipped: {missing}")
    n = len(files)
    out: dict[str, object] = {
        "shape": shape,
        "files": n,
        "lines": lines,
        "ingest_s": round(ingest_s, 2),
        "ingest_files_per_s": round(n / ingest_s, 1),
        "ingest_lines_per_s": round(lines / ingest_s),
        "validated_ceiling_s": round(own_s, 2),
        "validated_ceiling_files_per_s": round(n / own_s, 1),
        "validated_ceiling_lines_per_s": round(lines / own_s),
        "official_xsd_ceiling_s": round(official_s, 2) if official_s else None,
        "official_xsd_ceiling_files_per_s": round(n / official_s, 1) if official_s else None,
        "official_xsd_ceiling_lines_per_s": round(lines / official_s) if official_s else None,
        "official_xsd_ceiling_skipped": missing,
        "ingest_vs_validated_ceiling": round(own_s / ingest_s, 3),
        "ingest_vs_official_xsd_ceiling": round(official_s / ingest_s, 3) if official_s else None,
        "ceiling_workers": workers,
        **extra,
    }
    return out


def run_scale(
    w: Workload,
    keep_db: bool,
    skip_lifecycle: bool,
    dbt_timeout: float,
    lifecycle_sample: int = 20_000,
    provider_shape: bool = True,
) -> dict[str, object]:
    r: dict[str, object] = {
        "workload": w.to_json(),
        "lifecycle_ingested": not skip_lifecycle,
        "load_avg_start": os.getloadavg(),
    }
    work = w.root / "run"
    with fresh_database("bench", keep=keep_db) as url:
        from sdw.warehouse.bootstrap import ensure_schema

        ensure_schema(url)
        # The address file and the 325 answers, the CBS statistics, then the lifecycle messages
        # (the 301s need the address file; the district mart needs the 301s).
        r["ingest_answers"] = ingest(url, w.answers, "ingest_istandaarden", "answers")
        r["ingest_cbs"] = ingest(url, w.answers, "ingest_cbs", "cbs")
        if not skip_lifecycle:
            r["ingest_lifecycle"] = ingest(url, w.lifecycle, "ingest_istandaarden", "lifecycle")
            life_files = sorted(w.lifecycle.iterdir())
            life_run, sampled_from = r["ingest_lifecycle"], None
        else:
            # Too many to load in the time (4.3M at 10m): a fixed-size sample, evenly spread
            # over the name order (law, message, provider), in its own inbox.
            sampled_from = sum(1 for _ in w.lifecycle.iterdir())
            life_files = shapes.sample_files(w.lifecycle, lifecycle_sample)
            inbox = link_inbox(life_files, f"{w.scale}-lifecycle-sample")
            r["ingest_lifecycle_sample"] = life_run = ingest(
                url, inbox, "ingest_istandaarden", "lifecycle-sample"
            )
        # The headline: the 323 files of the base months.
        decl = ingest(url, w.decl, "ingest_istandaarden", "decl")
        r["ingest_decl"] = decl
        if decl["lines_in"] != w.decl_lines:
            raise AssertionError(f"ingest saw {decl['lines_in']} lines, files hold {w.decl_lines}")
        files = [w.decl / n for n in w.decl_files]
        decl_totals = raw_323_totals(url)
        r["shapes"] = shape_results = {}
        shape_results["lifecycle"] = shape_result(
            "lifecycle: 301/305/307/315/319, one small file each",
            life_files,
            # a lifecycle file's "lines": the records the ingest read (clients, products, ...)
            int(life_run["lines_in"]),  # type: ignore[call-overload]
            float(life_run["seconds"]),  # type: ignore[arg-type]
            sampled_from=sampled_from,
        )
        shape_results["large"] = shape_result(
            "large: the generator's 323 files (one per provider, law and month; <= 150 providers)",
            files,
            w.decl_lines,
            float(decl["seconds"]),
            file_bytes_max=max(p.stat().st_size for p in files),
            file_bytes_median=sorted(p.stat().st_size for p in files)[len(files) // 2],
        )
        log("parse ceiling ...")
        parse_s = ceilings.parse_ceiling(files, workers=2)
        r["parse_ceiling_s"] = parse_s
        log(f"parse ceiling: {parse_s:.1f} s")
        log("COPY ceiling ...")
        r["copy"] = ceilings.copy_ceiling(url, streams=2)
        log(f"COPY ceiling: {r['copy']}")
        sample = naive.sample(files)
        sample_lines = sum(count_lines(p) for p in sample)
        log(f"naive peer on {len(sample)} files ({sample_lines} lines) ...")
        naive_s = naive.run(url, sample)
        r["naive"] = {"files": len(sample), "lines": sample_lines, "seconds": naive_s}
        log(f"naive peer: {naive_s:.1f} s")
        r["dbt_full"] = dbt_build(url, work, "full", timeout=dbt_timeout)
        r["ingest_month"] = ingest(url, w.month, "ingest_istandaarden", "month")
        if not skip_lifecycle:
            r["ingest_month_lifecycle"] = ingest(
                url, w.month_lifecycle, "ingest_istandaarden", "month_lifecycle"
            )
        r["dbt_incremental"] = dbt_build(url, work, "incremental", timeout=dbt_timeout)
        if r["dbt_incremental"]["seconds"] is None:  # type: ignore[index]
            # The check needs the care marts: build just them (and what they need).
            r["dbt_care_marts_only"] = dbt_build(
                url, work, "care-marts", select="+care_usage_quarterly", timeout=dbt_timeout
            )
        r["check"] = check(url, w.expected)
        log(f"correctness: {r['check']}")
    if provider_shape:
        try:
            shape_results["providers"] = providers_shape(w, files, decl_totals, keep_db)
        except (AssertionError, RuntimeError) as exc:
            # keep what was measured (main() writes it), then exit 1 all the same
            r["failed"] = f"provider shape: {exc}"
            log(r["failed"])
    r["load_avg_end"] = os.getloadavg()

    lines = w.decl_lines
    ingest_rate = lines / decl["seconds"]
    parse_rate = lines / parse_s
    copy_rate = r["copy"]["copy_2_streams_rows_per_s"]  # type: ignore[index]
    naive_rate = sample_lines / naive_s
    full_s = r["dbt_full"]["seconds"]  # type: ignore[index]
    incr_s = r["dbt_incremental"]["seconds"]  # type: ignore[index]
    # a build stopped at the timeout is reported as '>timeout' (None in the ratios)
    r.update(
        lines=lines,
        lines_total=w.expected["totals"]["declaration_lines"],
        ingest_lines_per_s=round(ingest_rate),
        ingest_in_process_lines_per_s=round(lines / decl["ingest_inbox_s"]),
        parse_ceiling_lines_per_s=round(parse_rate),
        copy_ceiling_rows_per_s=round(copy_rate),
        copy_ceiling_1stream_rows_per_s=round(r["copy"]["copy_1_streams_rows_per_s"]),  # type: ignore[index]
        naive_peer_lines_per_s=round(naive_rate),
        dbt_full_s=round(full_s, 1) if full_s is not None else f">{dbt_timeout:.0f}",
        dbt_incremental_s=round(incr_s, 1) if incr_s is not None else f">{dbt_timeout:.0f}",
        # the larger of the sampled tree sum and the exact peak of the largest process
        peak_rss_mb=max(decl["peak_tree_rss_mb"], decl["peak_single_rss_mb"]),
        peak_rss_single_process_mb=decl["peak_single_rss_mb"],
        lifecycle_ingest_files_per_s=(
            round(r["ingest_lifecycle"]["files_seen"] / r["ingest_lifecycle"]["seconds"], 1)  # type: ignore[index]
            if not skip_lifecycle
            else None
        ),
        month_ingest_s=round(r["ingest_month"]["seconds"], 1),  # type: ignore[index]
        ratios={
            "ingest_vs_parse_ceiling": round(ingest_rate / parse_rate, 3),
            "ingest_vs_copy_ceiling": round(ingest_rate / copy_rate, 3),
            "ingest_vs_naive_peer": round(ingest_rate / naive_rate, 2),
            "incremental_vs_full": round(incr_s / full_s, 3) if full_s and incr_s else None,
            **{
                f"ingest_vs_validated_ceiling_{name}": sr["ingest_vs_validated_ceiling"]
                for name, sr in shape_results.items()
            },
            **{
                f"ingest_vs_official_xsd_ceiling_{name}": sr["ingest_vs_official_xsd_ceiling"]
                for name, sr in shape_results.items()
            },
        },
    )
    return r


def providers_shape(
    w: Workload, decl_files: list[Path], decl_totals: list[tuple[object, ...]], keep_db: bool
) -> dict[str, object]:
    """The base months' 323 lines over a heavy-tailed set of providers (bench/shapes.py), loaded
    into a database of their own; the warehouse must then hold exactly the rows the generator's
    own files gave (count and euros per law and debit/credit, elfproef failures), else exit 1."""
    facts = shapes.provider_split(decl_files, w.root / "providers")
    if facts["lines"] != w.decl_lines:
        raise AssertionError(f"provider shape holds {facts['lines']} lines, decl {w.decl_lines}")
    files = sorted((w.root / "providers").glob("*.xml"))
    with fresh_database("bench_providers", keep=keep_db) as url:
        from sdw.warehouse.bootstrap import ensure_schema

        ensure_schema(url)
        run = ingest(url, w.root / "providers", "ingest_istandaarden", "providers")
        got = raw_323_totals(url)
    if got != decl_totals:
        raise AssertionError(
            f"provider shape: the warehouse holds {got}, the generator's files gave {decl_totals}"
        )
    log("provider shape: raw 323 totals equal the generator's files")
    out = shape_result(
        "providers: 323 lines over a heavy-tailed provider set (one file per provider, law, month)",
        files,
        w.decl_lines,
        float(run["seconds"]),  # type: ignore[arg-type]
        distribution=facts,
        check={"raw_323_totals_equal_decl": True, "totals": got},
    )
    out["ingest"] = run
    return out


def _fmt(v: object) -> str:
    if isinstance(v, float):
        return f"{v:.3g}" if abs(v) < 10 else f"{v:,.1f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def table(results: dict) -> str:
    scales = list(results["scales"])
    rows = [
        ("323 lines ingested (base months)", "lines"),
        ("ingest, lines/s (2 workers)", "ingest_lines_per_s"),
        ("  same, without process start", "ingest_in_process_lines_per_s"),
        ("parse ceiling, lines/s (2 procs)", "parse_ceiling_lines_per_s"),
        ("COPY ceiling, rows/s (2 streams)", "copy_ceiling_rows_per_s"),
        ("COPY ceiling, rows/s (1 stream)", "copy_ceiling_1stream_rows_per_s"),
        ("naive peer, lines/s (1 proc)", "naive_peer_lines_per_s"),
        ("dbt build full, s", "dbt_full_s"),
        ("dbt build after +1 month, s", "dbt_incremental_s"),
        ("peak ingest RSS, MB (tree)", "peak_rss_mb"),
        ("peak RSS one process, MB", "peak_rss_single_process_mb"),
        ("lifecycle messages ingest, files/s", "lifecycle_ingest_files_per_s"),
        ("ingest / validated: lifecycle", ("ratios", "ingest_vs_validated_ceiling_lifecycle")),
        ("ingest / validated: providers", ("ratios", "ingest_vs_validated_ceiling_providers")),
        ("ingest / validated: large", ("ratios", "ingest_vs_validated_ceiling_large")),
        ("ingest / parse ceiling", ("ratios", "ingest_vs_parse_ceiling")),
        ("ingest / COPY ceiling", ("ratios", "ingest_vs_copy_ceiling")),
        ("ingest / naive peer", ("ratios", "ingest_vs_naive_peer")),
        ("incremental / full build", ("ratios", "incremental_vs_full")),
    ]
    width = 36
    out = ["| " + "measure".ljust(width) + " | " + " | ".join(s.rjust(12) for s in scales) + " |"]
    out.append("|" + "-" * (width + 2) + "|" + "|".join("-" * 14 for _ in scales) + "|")
    for label, key in rows:
        vals = []
        for s in scales:
            d = results["scales"][s]
            v = d.get(key[0], {}).get(key[1]) if isinstance(key, tuple) else d.get(key)
            vals.append(_fmt(v).rjust(12))
        out.append("| " + label.ljust(width) + " | " + " | ".join(vals) + " |")
    if "demo_s" in results:
        out.append(
            f"\ncold `sdw run` demo (default sample, embedded warehouse): {results['demo_s']:.1f} s"
        )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="bench.run", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--scale", action="append", choices=["small", "1m", "10m"])
    p.add_argument("--no-demo", action="store_true", help="skip the cold sdw run demo")
    p.add_argument("--keep-db", action="store_true", help="keep the benchmark database")
    p.add_argument("--regenerate", action="store_true", help="do not reuse generated files")
    p.add_argument(
        "--skip-lifecycle",
        nargs="*",
        choices=["small", "1m", "10m"],
        metavar="SCALE",
        help="do not load 301/305/307/315/319 at these scales (all, when none is named); the "
        "district mart then has only UNKNOWN. For 10m: ~4.3M small files, which the project "
        "loads at a few thousand per second and whose per-file reports the ingest keeps",
    )
    p.add_argument(
        "--dbt-timeout",
        type=float,
        default=900.0,
        help="stop a dbt build after this many seconds and report '>N' (default 900)",
    )
    p.add_argument(
        "--lifecycle-sample",
        type=int,
        default=20_000,
        help="where lifecycle messages are skipped, measure that shape on this many of them",
    )
    p.add_argument(
        "--no-provider-shape",
        nargs="*",
        choices=["small", "1m", "10m"],
        metavar="SCALE",
        help="leave out the provider-size shape at these scales (all, when none is named)",
    )
    p.add_argument("--out", help="results file (default bench/results/<date>.json)")
    args = p.parse_args(argv)
    scales = args.scale or ["small"]
    WORK.mkdir(parents=True, exist_ok=True)
    out = Path(args.out) if args.out else RESULTS / f"{time.strftime('%Y-%m-%d')}.json"
    results: dict = json.loads(out.read_text()) if out.exists() else {}
    results.setdefault("scales", {})
    results["machine"] = machine_facts()
    results["note"] = (
        "2-core shared machine: other sessions may have been running tests at the same time "
        "(see load_avg_start/end per scale); numbers are noisy at the 10-20% level."
    )
    for scale in scales:
        started = time.perf_counter()
        w = generate(scale, reuse=not args.regenerate)
        skip = args.skip_lifecycle is not None and (
            not args.skip_lifecycle or scale in args.skip_lifecycle
        )
        no_providers = args.no_provider_shape is not None and (
            not args.no_provider_shape or scale in args.no_provider_shape
        )
        r = run_scale(
            w, args.keep_db, skip, args.dbt_timeout, args.lifecycle_sample, not no_providers
        )
        r["wall_s"] = round(time.perf_counter() - started, 1)
        r["date"] = time.strftime("%Y-%m-%dT%H:%M:%S")
        results["scales"][scale] = r
        RESULTS.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=1, default=str) + "\n")
        if r.get("failed"):
            raise AssertionError(f"{scale}: {r['failed']}")
    if not args.no_demo:
        results.update(cold_demo())
    out.write_text(json.dumps(results, indent=1, default=str) + "\n")
    print()
    print(table(results))
    print(f"\nresults: {out}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except AssertionError as exc:
        print(f"\nBENCHMARK FAILED the correctness check:\n{exc}", file=sys.stderr)
        sys.exit(1)
