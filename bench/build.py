"""``dbt build`` of the project's dbt_project (seeds, staging/intermediate views, all marts into
``marts_candidate``, and every dbt test), in a subprocess, against the benchmark database."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from bench.common import QUIET_ENV, REPO, code_version, log, run_measured
from sdw.warehouse.connection import dbt_env


def _cancel_queries(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE datname = %s "
            "AND pid <> pg_backend_pid()",
            (name,),
        )


def _log_progress(logfile: Path) -> dict[str, object]:
    """Nodes finished, and the nodes still running when dbt was stopped, from dbt's log."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", logfile.read_text()) if logfile.exists() else ""
    started = dict(re.findall(r"(\d+) of \d+ START \S+ (\S+)", text))
    finished = set(re.findall(r"(\d+) of \d+ (?:OK|PASS|WARN|ERROR|FAIL|SKIP)", text))
    running = [name for i, name in started.items() if i not in finished]
    return {"nodes_finished": len(finished), "running_when_stopped": running}


def dbt_build(
    url: str,
    work: Path,
    label: str,
    *,
    select: str | None = None,
    timeout: float | None = None,
) -> dict[str, object]:
    project = REPO / "dbt_project"
    dbt = Path(sys.executable).parent / "dbt"
    target = work / f"dbt-{label}"
    version = code_version()
    m = run_measured(
        [
            str(dbt),
            "build",
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
            "--target-path",
            str(target / "target"),
            "--log-path",
            str(target / "logs"),
            *(["--select", select] if select else []),
        ],
        env={**QUIET_ENV, **dbt_env(url)},
        check=False,
        timeout=timeout,
    )
    if m.extra.get("timed_out"):
        _cancel_queries(url)
        progress = _log_progress(target / "logs" / "dbt.log")
        log(f"dbt build {label}: stopped after {m.seconds:.0f} s (timeout): {progress}")
        return {"code": version, "seconds": None, "timed_out_after_s": m.seconds, **progress}
    if m.returncode != 0:
        sys.stderr.write(m.stdout[-6000:])
        raise RuntimeError(f"dbt build ({label}) failed")
    results = json.loads((target / "target" / "run_results.json").read_text())
    nodes = results["results"]
    slowest = sorted(nodes, key=lambda r: r["execution_time"], reverse=True)[:5]
    out = {
        "code": version,
        "seconds": m.seconds,
        "dbt_elapsed_s": results.get("elapsed_time"),
        "nodes": len(nodes),
        "slowest_nodes": {r["unique_id"]: round(r["execution_time"], 2) for r in slowest},
    }
    log(f"dbt build {label}: {m.seconds:.1f} s ({len(nodes)} nodes)")
    return out
