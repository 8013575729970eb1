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

from pathlib import Path

from sdw.ingest.layouts import Layout, LayoutContract
from sdw.subsidies.rules import AMOUNT_COLUMNS

__all__ = ["FIELDS", "REQUIRED", "Layout", "from_dict", "installed", "load"]

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
    *AMOUNT_COLUMNS,  # the euro fields, as the rules name them
)
REQUIRED = ("subsidiejaar", "ontvanger", "verleend_bedrag")
FORMATS = ("csv", "json")
CONTRACT = LayoutContract("subsidy", FIELDS, REQUIRED, FORMATS, FOLDER)
from_dict = CONTRACT.from_dict
load = CONTRACT.load
installed = CONTRACT.installed
