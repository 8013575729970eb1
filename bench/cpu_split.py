"""Where the CPU of an ingest goes on this 2-core machine: the ingest process tree (client) and
the PostgreSQL backends serving it (server), in CPU seconds per declaration line.

    uv run --group bench python -m bench.cpu_split --scale 1m [--files 300]

CPU seconds, unlike wall time, barely move when other sessions load the machine. The server's
share is sampled from /proc for the backends connected to the benchmark database (their last
sample before they exit; at most one poll interval is lost per backend).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg

from bench.common import RESULTS, fresh_database, log
from bench.workload import SCALES, count_lines, link_inbox, sample_decl

_TICK = os.sysconf("SC_CLK_TCK")


def _cpu(pid: int) -> float | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="bench.cpu_split", description=__doc__)
    p.add_argument("--scale", default="1m", choices=list(SCALES))
    p.add_argument("--files", type=int, default=300)
    args = p.parse_args(argv)
    subset = sample_decl(args.scale, args.files)
    inbox = link_inbox(subset, "cpu-split-inbox")
    lines = sum(count_lines(f) for f in subset)
    with fresh_database("bench_cpu") as url:
        from sdw.warehouse.bootstrap import ensure_schema

        ensure_schema(url)
        name = url.rsplit("/", 1)[1]
        server: dict[int, float] = {}
        stop = threading.Event()

        def poll() -> None:
            with psycopg.connect(url, autocommit=True) as conn:
                me = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
                while not stop.is_set():
                    pids = [
                        r[0]
                        for r in conn.execute(
                            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> %s",
                            (name, me),
                        )
                    ]
                    for pid in pids:
                        c = _cpu(pid)
                        if c is not None:
                            server[pid] = c
                    stop.wait(0.1)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        log(f"ingest of {len(subset)} files, {lines:,} lines, CPU split ...")
        before = os.times()
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.ingest_child",
                url,
                str(inbox),
                "ingest_istandaarden",
                "cpu-split",
            ],
            check=True,
            capture_output=True,
        )
        wall = time.perf_counter() - started
        after = os.times()
        stop.set()
        poller.join()
    client = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    srv = sum(server.values())
    out = {
        "files": len(subset),
        "lines": lines,
        "wall_s": round(wall, 2),
        "lines_per_s": round(lines / wall),
        "client_cpu_s": round(client, 2),
        "server_cpu_s": round(srv, 2),
        "client_us_per_line": round(1e6 * client / lines, 1),
        "server_us_per_line": round(1e6 * srv / lines, 1),
        "cpu_use_of_2_cores": round((client + srv) / (2 * wall), 2),
        "lines_per_s_if_cpu_bound_on_2_cores": round(2 * lines / (client + srv)),
    }
    (RESULTS / f"cpu-split-{time.strftime('%Y-%m-%d')}.json").write_text(
        json.dumps(out, indent=1) + "\n"
    )
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
