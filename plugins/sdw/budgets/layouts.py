"""Budget-file layouts: which column of a financial system's export holds which field of the
budget contract, one small JSON file per layout in ``layouts/`` read by the core's layout
mechanism (``sdw.ingest.layouts``; docs/budgets.md). ``FIELDS`` are the raw table's columns;
``REQUIRED`` must be mapped and present in every file."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from sdw.ingest import layouts
from sdw.ingest.layouts import Layout

FOLDER = Path(__file__).with_name("layouts")
FIELDS = (
    "municipality_code",
    "begrotingsjaar",
    "peildatum",
    "report_version",
    "budget_line",
    "budget_line_name",
    "taakveld",
    "programma",
    "project",
    "kostenplaats",
    "primitieve_begroting",
    "begrotingswijzigingen",
    "overheveling",
    "realisatie",
    "verplichtingen",
    "prognose",
)
REQUIRED = ("municipality_code", "begrotingsjaar", "peildatum", "budget_line", "taakveld")
FORMATS = ("csv", "xlsx")
_SPEC = {"what": "budget", "fields": FIELDS, "required": REQUIRED, "formats": FORMATS}


def from_dict(name: str, spec: dict) -> Layout:
    return layouts.from_dict(name, spec, **_SPEC)


def load(folder: Path = FOLDER) -> tuple[Layout, ...]:
    return layouts.load(folder, **_SPEC)


@cache
def installed() -> tuple[Layout, ...]:
    return load()
