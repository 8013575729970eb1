"""The dbt manifest that cosmos renders the build_marts DAG from: built before any DAG is parsed,
rebuilt only when the dbt project changed since."""

from __future__ import annotations

import os
from pathlib import Path

from sdw.config import dbt_project_dir


def _newest_source_mtime(project: Path) -> float:
    newest = (project / "dbt_project.yml").stat().st_mtime
    for sub in ("models", "macros", "seeds", "tests", "snapshots", "analyses"):
        for p in (project / sub).rglob("*") if (project / sub).exists() else ():
            if p.is_file():
                newest = max(newest, p.stat().st_mtime)
    return newest


def manifest_is_current(manifest: Path, project: Path | None = None) -> bool:
    project = project or dbt_project_dir()
    return manifest.exists() and manifest.stat().st_mtime >= _newest_source_mtime(project)


def build_manifest(manifest: Path | None = None, force: bool = False) -> Path:
    """Run ``dbt parse`` in-process (no database connection) and return the manifest path."""
    from sdw.orchestration.dbt_build import manifest_path

    project = dbt_project_dir()
    manifest = manifest or manifest_path()
    if not force and manifest_is_current(manifest, project):
        return manifest
    from dbt.cli.main import dbtRunner

    os.environ.setdefault("SDW_PG_DATABASE", "warehouse")  # parse renders, never connects
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
    result = dbtRunner().invoke(
        [
            "parse",
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
            "--target-path",
            str(manifest.parent),
            "--quiet",
        ]
    )
    if not result.success:
        raise RuntimeError(f"dbt parse failed: {result.exception}")
    return manifest
