"""Register layouts: which column of a register holds which field of the warehouse's register
contract. A layout is a small JSON file in ``layouts/`` (documented in docs/subsidies.md), so a
municipality's register in a new layout is loaded by adding a file, not code::

    {"description": "...", "format": "csv" | "json", "number_format": "nl" | "plain",
     "columns": {"subsidiejaar": "Jaar", "ontvanger": "Naam", "verleend_bedrag": "Verleend"}}

``columns`` maps contract fields (``FIELDS``) to the register's own column names (matched
without case, spaces, dots, dashes, slashes and underscores). ``REQUIRED`` fields must be
mapped; the others may be left out and are then empty. A register matches a layout when its
columns include the column of every required field; of several such layouts, the one whose
columns the register has most of wins (ties: file-name order).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

FOLDER = Path(__file__).with_name("layouts")
FIELDS = (
    "subsidiejaar",
    "jaar_toekenning",
    "programma",
    "taakveld",
    "thema",
    "regeling",
    "soort_subsidie",
    "organisatie",
    "ontvanger",
    "omschrijving",
    "regelmaat",
    "aangevraagd_bedrag",
    "verleend_bedrag",
    "vastgesteld_bedrag",
)
REQUIRED = ("subsidiejaar", "ontvanger", "verleend_bedrag")
FORMATS = ("csv", "json")
NUMBER_FORMATS = ("nl", "plain")


def column_key(name: str) -> str:
    """A column name as layouts match it: ``Aanvrager/Ontvanger`` is ``aanvragerontvanger``."""
    return re.sub(r"[\s._\-/]", "", str(name).strip().strip('"')).lower()


@dataclass(frozen=True)
class Layout:
    name: str  # the file's stem, stored with every row it loaded
    format: str
    number_format: str
    columns: dict[str, str]  # contract field -> the register's column

    def keys(self) -> dict[str, str]:
        """The register's column key -> contract field."""
        return {column_key(c): f for f, c in self.columns.items()}

    def matches(self, present: set[str]) -> bool:
        """Every required field's column is there (the others may be absent)."""
        return all(column_key(self.columns[f]) in present for f in REQUIRED)

    def found(self, present: set[str]) -> int:
        return sum(1 for k in self.keys() if k in present)


def from_dict(name: str, spec: dict) -> Layout:
    """A layout as its file states it; a wrong file fails loudly, at import of the kinds,
    because it is the repository's, not a delivery's."""
    fmt = spec.get("format")
    number_format = spec.get("number_format", "nl")
    columns = spec.get("columns") or {}
    unknown = sorted(set(columns) - set(FIELDS))
    missing = [f for f in REQUIRED if f not in columns]
    if fmt not in FORMATS or number_format not in NUMBER_FORMATS or unknown or missing:
        raise ValueError(
            f"subsidy layout {name}: format {fmt!r} (csv|json), number_format "
            f"{number_format!r} (nl|plain), unknown fields {unknown}, unmapped required {missing}"
        )
    return Layout(name, fmt, number_format, dict(columns))


def load(folder: Path = FOLDER) -> tuple[Layout, ...]:
    return tuple(
        from_dict(p.stem, json.loads(p.read_text(encoding="utf-8")))
        for p in sorted(folder.glob("*.json"))
    )


@cache
def installed() -> tuple[Layout, ...]:
    return load()


def choose(present: set[str], fmt: str, layouts: tuple[Layout, ...]) -> Layout | None:
    """The layout of a register whose column keys are ``present``: the one mapping the most."""
    fitting = [lay for lay in layouts if lay.format == fmt and lay.matches(present)]
    return max(fitting, key=lambda lay: lay.found(present), default=None)
