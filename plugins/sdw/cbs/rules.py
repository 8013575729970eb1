"""Reason codes of the CBS source: a data row (or OData record) its reader refuses is
quarantined with the code of its file kind; the rest of the file loads. The rules themselves
are each reader's (``adres.parse_line``, ``statline``, ``kwb``, ``odata``, ``benefits``); a
header lacking a required column is the core's MISSING_COLUMN (``sdw.ingest.csv_contract``).

A few files cannot be read row by row at all, and are refused whole with a code of their
own (``FileRefused``), never the core's INGEST_ERROR, which means "the project did not
understand what went wrong": a StatLine export whose header is not text or names no measure,
and an OData file that is not JSON or not an OData bundle. One JSON document has no lines to
keep apart, and a header decides what every cell below it means."""

from __future__ import annotations

CBS_ADRES_ROW = "CBS_ADRES_ROW"
CBS_STATLINE_ROW = "CBS_STATLINE_ROW"
CBS_KWB_ROW = "CBS_KWB_ROW"
CBS_ODATA_RECORD = "CBS_ODATA_RECORD"
BENEFIT_ROW = "BENEFIT_ROW"

# Whole files.
CBS_STATLINE_HEADER_NOT_TEXT = "CBS_STATLINE_HEADER_NOT_TEXT"  # header bytes not UTF-8
CBS_STATLINE_NO_MEASURES = "CBS_STATLINE_NO_MEASURES"  # no column with a unit: no statistics
CBS_ODATA_NOT_JSON = "CBS_ODATA_NOT_JSON"  # bytes not UTF-8, or not JSON syntax
CBS_ODATA_BUNDLE_INVALID = "CBS_ODATA_BUNDLE_INVALID"  # JSON, but not an OData bundle's shape


class FileRefused(Exception):
    """A CBS file refused whole: its reason code (above), a reason a person can act on, what
    quarantine may keep of it (CBS's own header labels; never the data of a file that may be
    anything) and how many lines it counts as (its data lines where they can be told, else 1).
    Raised by a reader, turned into the file's quarantine by ``sdw.cbs.parse``."""

    def __init__(
        self, code: str, reason: str, fragment: str = "", lines: int = 1, truncated: bool = False
    ) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.fragment = fragment
        self.lines = max(1, lines)
        self.truncated = truncated  # the fragment is cut short
