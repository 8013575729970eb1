"""National code lists the ingest checks against. The dbt seeds are their single source, so the
warehouse's checks and the marts' labels can never disagree."""

from __future__ import annotations

import csv
from functools import cache

from sdw.config import dbt_project_dir


@cache
def product_categories() -> dict[str, frozenset[str]]:
    """law -> the ProductCategorie codes valid for that law (seed ``product_categories.csv``)."""
    path = dbt_project_dir() / "seeds" / "product_categories.csv"
    by_law: dict[str, set[str]] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            by_law.setdefault(row["law"], set()).add(row["product_category"].zfill(2))
    return {law: frozenset(codes) for law, codes in by_law.items()}
