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
