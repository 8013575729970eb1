"""The ``sdw run`` demo, cold: a fresh state folder (embedded PostgreSQL initialised from
scratch, Airflow metadata migrated, dbt manifest parsed, the default sample generated), exactly
what a newcomer's first ``uv run sdw run`` does, timed end to end."""

from __future__ import annotations

import os
import shutil
import sys

from bench.common import QUIET_ENV, WORK, log, run_measured


def cold_demo() -> dict[str, object]:
    state = WORK / "demo-state"
    shutil.rmtree(state, ignore_errors=True)
    state.mkdir(parents=True)
    env = {
        **QUIET_ENV,
        "SDW_STATE_DIR": str(state),
        "NO_COLOR": "1",
    }
    for var in ("WAREHOUSE_URL", "SDW_INBOX", "SDW_PSEUDONYM_KEY", "SDW_PSEUDONYM_KEY_FILE"):
        os.environ.pop(var, None)
    log("sdw run (cold demo, embedded warehouse) ...")
    m = run_measured([sys.executable, "-m", "sdw.cli", "run"], env=env, check=False)
    if m.returncode != 0:
        sys.stderr.write(m.stdout[-4000:] + m.stderr[-4000:])
        raise RuntimeError("sdw run (demo) failed")
    log(f"demo: {m.seconds:.1f} s")
    shutil.rmtree(state, ignore_errors=True)
    return {"demo_s": m.seconds, "demo_peak_tree_rss_mb": m.peak_tree_rss_mb}
