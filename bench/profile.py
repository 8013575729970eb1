"""Where the project's ingest spends its time: py-spy over the ingest process and its worker
pool, on a representative subset of a generated workload's 323 files.

    uv run --group bench python -m bench.profile --scale 1m [--files 80] [--native]
    uv run --group bench python -m bench.profile --scale 1m --shape lifecycle --files 3000

``--shape lifecycle`` profiles that many of the scale's small lifecycle messages
(301/305/307/315/319, spread over the name order) after loading the CBS address file the 301s
need (not profiled), and writes ``profile-<date>-lifecycle.{txt,json}``.

Writes ``bench/results/profile-<date>.txt`` (py-spy's collapsed stacks, all processes, idle
samples included so that waiting on PostgreSQL shows) and ``profile-<date>.json`` (the
breakdown: inclusive share of worker time per stage, the top self-time frames, and the CPU the
PostgreSQL server spent meanwhile). Also ``profile-<date>.svg`` (flame graph) with ``--svg``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from bench import shapes
from bench.common import RESULTS, fresh_database, log
from bench.workload import SCALES, count_lines, link_inbox, sample_decl, workload_root

# Stages of a worker's time, matched on py-spy frame text ("function (file:line)"); a sample
# counts for the first stage (outermost-first order below) found in its stack.
STAGES = [
    ("COPY of raw rows (copy_rows/_copy_group, write_row)", r"^(copy_rows|_copy_group) "),
    ("ledger insert (_insert_ledger)", r"^_insert_ledger "),
    ("write: transaction, delivery rows, commit (write_file[s])", r"^write_files? \("),
    ("re-read for DUPLICATE_LINE (_drop_loaded_duplicates)", r"^_drop_loaded_duplicates "),
    ("323 bulk: XSLT field extraction (C)", r"^_transform "),
    ("323 bulk: split XSLT text into fields", r"^_split_lines "),
    ("323 bulk, whole file: libxml2 parse + schema validation (C)", r"^_parse_validated "),
    ("323 bulk, large file: iterparse + schema validation (C)", r"^_streamed "),
    ("per-field extraction (_client_records/_prestatie)", r"^(_client_records|_prestatie) "),
    ("header / declaratie rows", r"^(header_row|declaratie_row) "),
    (
        "record rules (_line_rejection, elfproef)",
        r"^(_line_rejection|_bsn_rejection|_prestatie_rejection) ",
    ),
    ("quarantine fragments (redact)", r"^(reject|redacted_fragment) "),
    ("323 bulk: rules, pseudonymise, rows (_read_declaration_lines)", r"^_read_declaration_lines "),
    ("pseudonymise + clean rows (_clean, HMAC)", r"^_clean "),
    ("detect message type", r"^(detect_message_type|_root_message_type) "),
    ("schema compile (schema_for)", r"^schema_for "),
    ("file hashing (file_sha256)", r"^file_sha256 "),
]


def _stage_of(frames: list[str]) -> str:
    if frames and frames[-1].startswith("read_message "):
        # py-spy shows no Cython frames: time inside lxml's iterparse (libxml2 parsing and the
        # streaming schema validation, in C) lands on the Python frame that called it
        return "iterparse: libxml2 parse + schema validation (C)"
    for name, pattern in STAGES:
        rx = re.compile(pattern)
        if any(rx.search(f) for f in frames):
            return name
    joined = ";".join(frames)
    if "parse_message_file" in joined:
        # inside parse_message_file but not in a stage: iterparse itself (libxml2 parsing +
        # streaming schema validation, in C) and the generator plumbing around it
        if "read_message" in joined:
            return "iterparse: libxml2 parse + schema validation (C)"
        return "parse_message_file other"
    if "_work " in joined or "ingest (" in joined or "ingest_group (" in joined:
        return "worker: other inside ingest"
    return "worker: idle / pool plumbing"


def breakdown(folded: Path) -> dict[str, object]:
    per_process: Counter[str] = Counter()
    worker_stage: Counter[str] = Counter()
    self_frames: Counter[str] = Counter()
    main_funcs: Counter[str] = Counter()
    worker_funcs: Counter[str] = Counter()
    worker_total = 0
    for line in folded.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        n = int(count)
        frames = stack.split(";")
        procs = [i for i, f in enumerate(frames) if f.startswith("process ")]
        proc = frames[procs[-1]] if procs else ""
        if "spawn_main" in proc:
            kind = "worker"
        elif "resource_tracker" in proc:
            kind = "resource_tracker"
        else:
            kind = "main"
        per_process[kind] += n
        body = frames[procs[-1] + 1 :] if procs else frames
        if kind == "worker":
            worker_total += n
            worker_stage[_stage_of(body)] += n
            if body:
                self_frames[re.sub(r" \(.*?([^/]+:\d+)\)$", r" (\1)", body[-1])] += n
            for f in {re.sub(r" \(.*$", "", f) for f in body}:
                worker_funcs[f] += n
        elif kind == "main":
            for f in {re.sub(r" \(.*$", "", f) for f in body}:
                main_funcs[f] += n
    pct = lambda n, d: round(100.0 * n / d, 1) if d else 0.0  # noqa: E731
    return {
        "samples": dict(per_process),
        "worker_stages_pct": {k: pct(v, worker_total) for k, v in worker_stage.most_common()},
        "worker_top_self_frames_pct": {
            k: pct(v, worker_total) for k, v in self_frames.most_common(25)
        },
        "worker_top_inclusive_pct": {
            k: pct(v, worker_total) for k, v in worker_funcs.most_common(40)
        },
        "main_process_top_inclusive_pct": {
            k: pct(v, per_process["main"]) for k, v in main_funcs.most_common(12)
        },
    }


def _postgres_cpu_s() -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        if comm.startswith("postgres"):
            fields = stat[stat.rindex(")") + 2 :].split()
            # utime + stime, and cutime + cstime: backends that exited are reaped by the
            # postmaster, whose children's time holds theirs
            total += sum(int(x) for x in fields[11:15])
    return total / tick


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="bench.profile", description=__doc__)
    p.add_argument("--scale", default="1m", choices=list(SCALES))
    p.add_argument("--files", type=int, default=80, help="files in the subset (>= 64)")
    p.add_argument("--shape", choices=["decl", "lifecycle"], default="decl")
    p.add_argument("--rate", type=int, default=50, help="py-spy samples per second")
    p.add_argument("--native", action="store_true", help="also sample C frames (libxml2)")
    p.add_argument("--svg", action="store_true", help="also record a flame graph (second run)")
    args = p.parse_args(argv)
    root = workload_root(args.scale)
    address: Path | None = None
    if args.shape == "lifecycle":
        subset = shapes.sample_files(root / "lifecycle", args.files)
        lines = len(subset)  # one message each
        address = link_inbox(sorted((root / "answers").glob("cbs_adres_*")), "profile-address")
    else:
        subset = sample_decl(args.scale, args.files)
        lines = sum(count_lines(f) for f in subset)
    inbox = link_inbox(subset, "profile-inbox")
    date = time.strftime("%Y-%m-%d")
    suffix = "" if args.shape == "decl" else f"-{args.shape}"
    py_spy = Path(sys.executable).parent / "py-spy"
    out: dict[str, object] = {
        "shape": args.shape,
        "scale": args.scale,
        "files": len(subset),
        "lines": lines,
        "rate_hz": args.rate,
    }
    runs = [("raw", RESULTS / f"profile-{date}{suffix}.txt")]
    if args.svg:
        runs.append(("flamegraph", RESULTS / f"profile-{date}{suffix}.svg"))
    for fmt, target in runs:
        with fresh_database("bench_profile") as url:
            from sdw.warehouse.bootstrap import ensure_schema

            ensure_schema(url)
            if address is not None:  # the 301s' addresses need the CBS address file
                child = [sys.executable, "-m", "bench.ingest_child", url, str(address)]
                subprocess.run(
                    [*child, "ingest_istandaarden", "profile-address"],
                    check=True,
                    capture_output=True,
                )
            cmd = [str(py_spy), "record", "--subprocesses", "--idle", "--rate", str(args.rate)]
            cmd += ["--native"] if args.native else []
            cmd += ["--format", fmt, "-o", str(target), "--"]
            cmd += [sys.executable, "-m", "bench.ingest_child", url, str(inbox)]
            cmd += ["ingest_istandaarden", f"profile-{fmt}"]
            log(f"py-spy ({fmt}) over the ingest of {len(subset)} files, {lines:,} lines ...")
            pg_before, started = _postgres_cpu_s(), time.perf_counter()
            usage_before = os.times()
            proc = subprocess.run(cmd, capture_output=True, text=True)
            usage_after = os.times()
            seconds, pg_cpu = time.perf_counter() - started, _postgres_cpu_s() - pg_before
            if proc.returncode != 0:
                sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
                raise SystemExit("profiled ingest failed")
            if fmt == "raw":
                client_cpu = (usage_after.children_user - usage_before.children_user) + (
                    usage_after.children_system - usage_before.children_system
                )
                out.update(
                    wall_s=round(seconds, 1),
                    lines_per_s_under_profiler=round(lines / seconds),
                    client_cpu_s_incl_py_spy=round(client_cpu, 1),
                    # server CPU is not attributable here: the server is shared with other
                    # sessions' tests and exited backends' CPU moves to the postmaster
                    postgres_cpu_s_all_databases=round(pg_cpu, 1),
                    **breakdown(target),
                )
    (RESULTS / f"profile-{date}{suffix}.json").write_text(json.dumps(out, indent=1) + "\n")
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
