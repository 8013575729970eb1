"""``sdw warehouse start`` names the URL a BI tool uses (the read-only role) and labels the
owner's URL as such; the real embedded server, in a folder of its own."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]


def sdw(state: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "WAREHOUSE_URL"}
    return subprocess.run(
        [sys.executable, "-m", "sdw.cli", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={**env, "SDW_STATE_DIR": str(state)},
    )


def test_start_prints_the_bi_url_first() -> None:
    folder = Path(tempfile.mkdtemp(prefix="sdw-cli-"))
    folder.chmod(0o755)  # the server may run as an unprivileged account (see embedded tests)
    state = folder / ".sdw"
    try:
        proc = sdw(state, "warehouse", "start")
        assert proc.returncode == 0, proc.stderr
        lines = proc.stdout.strip().splitlines()
        bi = re.fullmatch(
            r"BI tools \(read-only, schema marts\): "
            r"postgresql://sdw_bi_reader@127\.0\.0\.1:(\d+)/warehouse",
            lines[0],
        )
        assert bi, proc.stdout
        owner = re.fullmatch(
            r"Owner \(superuser, for sdw and dbt only; not for BI tools\): "
            r"postgresql://(\w+)@127\.0\.0\.1:(\d+)/warehouse",
            lines[1],
        )
        assert owner and owner[2] == bi[1] and owner[1] != "sdw_bi_reader", proc.stdout
    finally:
        sdw(state, "warehouse", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def _ledger(conn, name: str, status: str, batch: str, code: str | None = None) -> None:
    digest = f"{name}-{batch}"
    conn.execute(
        """INSERT INTO audit.file_ledger (file_hash, source_file, file_size, file_kind, status,
               reason_code, lines_in, lines_loaded, lines_quarantined, _batch_id)
           VALUES (%s, %s, 100, 'budget', %s, %s, 2, %s, %s, %s)""",
        (digest, name, status, code, 0 if code else 2, 2 if code else 0, batch),
    )
    if code:
        conn.execute(
            """INSERT INTO quarantine.rejected_record (scope, reason_code, reason,
                   original_fragment, _batch_id, _source_file, _file_hash)
               VALUES ('file', %s, %s, 'header: Jaar;Bedrag', %s, %s, %s)""",
            (
                code,
                "This looks like a budget file but the header lacks the required column "
                "Gemeentecode; nothing of it was loaded. Ask for a complete file.",
                batch,
                name,
                digest,
            ),
        )


def test_files_refused_whole_are_named_with_their_reason(warehouse_db: str) -> None:
    """sdw run lists the files its batches refused whole (and exits 3); a file that loaded,
    and a file refused by another batch, are not listed."""
    import io

    import psycopg

    from sdw.refused_files import EXIT_REFUSED, refused_files, render_refused

    with psycopg.connect(warehouse_db, autocommit=True) as conn:
        _ledger(conn, "begroting_2025.csv", "quarantined", "run-a", "MISSING_COLUMN")
        _ledger(conn, "begroting_2024.csv", "loaded", "run-a")
        _ledger(conn, "older.csv", "quarantined", "run-old", "MISSING_COLUMN")
    files, total = refused_files(warehouse_db, ["run-a", "run-b"])
    assert total == 1
    assert [(f.source_file, f.reason_code) for f in files] == [
        ("begroting_2025.csv", "MISSING_COLUMN")
    ]
    out = io.StringIO()
    render_refused(files, total, out)
    assert EXIT_REFUSED == 3
    assert out.getvalue().splitlines() == [
        "",
        "sdw: 1 file was refused whole and is not in the marts (exit code 3; everything else "
        "is published):",
        "  begroting_2025.csv: MISSING_COLUMN — This looks like a budget file but the header "
        "lacks the required column Gemeentecode; nothing of it was loaded. Ask for a complete "
        "file.",
        "What to do: ask the sender for a corrected file (the reason names what is wrong), put "
        "it in the inbox and run `sdw run` again; the rest is not loaded twice.",
    ]
    assert refused_files(warehouse_db, ["run-b"]) == ([], 0)
