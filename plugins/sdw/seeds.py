"""The dbt seeds (``dbt_project/seeds/*.csv``) as Python reads them: one loader for the ingest
rules and the GX suites alike, so a check in Python and a label in a mart can never read the
same code list two ways.

The seeds are taken as written. A code is compared as the text the seed holds (dbt loads
``product_category`` as text, and the marts join on it), so nothing here pads, lowercases or
maps aliases: a seed that needs that is wrong, and is refused with the line that is.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

from sdw.config import dbt_project_dir

LAWS = ("wmo", "jeugdwet")  # as the seeds and raw tables spell them
_PRODUCT_CATEGORY = re.compile(r"^[0-9]{2}$")  # iWmo WMO020 / iJw JZ020: two digits


def seed_path(name: str) -> Path:
    return dbt_project_dir() / "seeds" / f"{name}.csv"


def read_seed(path: Path) -> list[dict[str, str]]:
    """Every row of a seed, its cells stripped of surrounding blanks."""
    if not path.is_file():
        raise FileNotFoundError(f"seed {path} is missing: the checks read their code lists there")
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return [
            {k.strip(): (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)
        ]


def _product_categories(path: Path) -> dict[str, frozenset[str]]:
    by_law: dict[str, set[str]] = {}
    for line, row in enumerate(read_seed(path), start=2):
        law, code = row["law"], row["product_category"]
        if law not in LAWS or not _PRODUCT_CATEGORY.match(code):
            raise ValueError(
                f"{path.name} line {line}: law {law!r} / product_category {code!r}; expected a "
                f"law of {', '.join(LAWS)} and a two-digit code as the iStandaard writes it"
            )
        by_law.setdefault(law, set()).add(code)
    return {law: frozenset(codes) for law, codes in by_law.items()}


@cache
def _default_product_categories() -> dict[str, frozenset[str]]:
    return _product_categories(seed_path("product_categories"))


def product_categories(path: Path | None = None) -> dict[str, frozenset[str]]:
    """law -> the ProductCategorie codes valid for that law (seed ``product_categories``)."""
    return _product_categories(path) if path is not None else _default_product_categories()
