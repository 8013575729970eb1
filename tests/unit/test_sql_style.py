"""The dbt project's SQL follows one style (.sqlfluff at the repository root), so a model written
by a newcomer reads like the rest and CI catches the difference rather than a reviewer.

SQLFluff's dbt templater compiles every model with dbt, and dbt-postgres opens a connection while
it does (nothing is written), so the lint runs against the test server's ``postgres`` database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from psycopg.conninfo import conninfo_to_dict

from tests.conftest import REPO


def test_dbt_project_sql_is_lint_clean(pg_admin_url: str) -> None:
    conn = conninfo_to_dict(pg_admin_url)
    env = {
        **os.environ,
        "SDW_PG_HOST": str(conn.get("host", "127.0.0.1")),
        "SDW_PG_PORT": str(conn.get("port", "5432")),
        "SDW_PG_USER": str(conn.get("user", "postgres")),
        "SDW_PG_PASSWORD": str(conn.get("password", "")),
        "SDW_PG_DATABASE": str(conn.get("dbname", "postgres")),
    }
    result = subprocess.run(
        [sys.executable, "-m", "sqlfluff", "lint", "dbt_project", "--format", "json", "--nocolor"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.stdout.strip(), f"sqlfluff printed nothing: {result.stderr[-2000:]}"
    files = json.loads(result.stdout)
    # Every model is linted (macros are linted through the models that call them), so a broken
    # templater that skips files cannot pass as clean.
    linted = {f["filepath"] for f in files}
    assert any(p.endswith("procedure_times_quarterly.sql") for p in linted), sorted(linted)
    violations = [
        f"{f['filepath']}:{v['start_line_no']}:{v['start_line_pos']} {v['code']} {v['description']}"
        for f in files
        for v in f["violations"]
    ]
    assert violations == [], "\n".join(violations)
    assert result.returncode == 0, result.stderr[-2000:]
