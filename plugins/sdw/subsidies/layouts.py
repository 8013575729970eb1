"""Register layouts: which column of a register holds which field of the warehouse's register
contract. A layout is a small JSON file in ``layouts/`` (documented in docs/subsidies.md), read
by the core's layout mechanism (``sdw.ingest.layouts``), so a municipality's register in a new
layout is loaded by adding a file, not code::

    {"description": "...", "format": "csv" | "json", "number_format": "nl" | "plain",
     "columns": {"subsidiejaar": "Jaar", "ontvanger": "Naam", "verleend_bedrag": "Verleend"}}

``columns`` maps contract fields (``FIELDS``) to the register's own column names. ``REQUIRED``
fields must be mapped; the others may be left out and are then empty.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from sdw.ingest import layouts
from sdw.ingest.layouts import Layout, choose, column_key

__all__ = ["FIELDS", "REQUIRED", "Layout", "choose", "column_key", "from_dict", "installed"]

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
_SPEC = {"what": "subsidy", "fields": FIELDS, "required": REQUIRED, "formats": FORMATS}


def from_dict(name: str, spec: dict) -> Layout:
    return layouts.from_dict(name, spec, **_SPEC)


def load(folder: Path = FOLDER) -> tuple[Layout, ...]:
    return layouts.load(folder, **_SPEC)


@cache
def installed() -> tuple[Layout, ...]:
    return load()
