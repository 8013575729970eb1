"""Budget-file layouts: which column of a financial system's export holds which field of the
budget contract, one small JSON file per layout in ``layouts/`` read by the core's layout
mechanism (``sdw.ingest.layouts``; docs/budgets.md). ``FIELDS`` are the raw table's columns;
``REQUIRED`` must be mapped and present in every file."""

from __future__ import annotations

from pathlib import Path

from sdw.budgets.rules import AMOUNT_COLUMNS
from sdw.ingest.layouts import Layout, LayoutContract

__all__ = ["FIELDS", "REQUIRED", "Layout", "from_dict", "installed", "load"]

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
    *AMOUNT_COLUMNS,  # the euro fields, as the rules name them
)
REQUIRED = ("municipality_code", "begrotingsjaar", "peildatum", "budget_line", "taakveld")
FORMATS = ("csv", "xlsx")
CONTRACT = LayoutContract("budget", FIELDS, REQUIRED, FORMATS, FOLDER)
from_dict = CONTRACT.from_dict
load = CONTRACT.load
installed = CONTRACT.installed
