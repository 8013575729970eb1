"""The workbook limits: how much of a workbook is read at most, and how each is stated when a
file is refused for it.

Chosen from the largest real inputs: a KWB of every region in the country (about 17,500 rows
x 121 columns = 2.1 million cells; the Utrecht extract in the reference files is 549 KB of
sheet XML for 123 rows, so the whole country is about 80 MB) and budget exports of a few
thousand lines (a few MB). Excel itself stops at 1,048,576 rows x 16,384 columns and 32,767
characters in a cell: more is not a spreadsheet anyone saved.

The readers look a limit up here each time they start reading (never ``from limits import``),
so a test lowers one with ``monkeypatch.setattr(workbook, "MAX_ROWS", 3)``: the package
(``sdw.ingest.workbook``) forwards that to this module.
"""

from __future__ import annotations

MiB = 2**20
# -- checked from the zip directory, before anything is inflated ---------------------------
# An xlsx from Excel has about 10 members plus 3 per sheet; 1,000 allows hundreds of sheets,
# and bounds the directory zipfile reads into memory.
MAX_MEMBERS = 1_000
# Real directories take under 100 bytes per member; a longer one is padding (names and extra
# fields of up to 64 KiB each).
MAX_DIRECTORY_BYTES = 4 * MiB
# Total uncompressed size: 3x the largest real input (a whole-country KWB, about 80 MB).
MAX_UNCOMPRESSED = 256 * MiB
# Sheet XML deflates 5 to 10 to 1 (the reference KWB: 7.3); blanks 1,000 to 1. Checked for
# members over RATIO_FLOOR only: a small member cannot be a bomb, whatever its ratio.
MAX_RATIO = 100
RATIO_FLOOR = 1 * MiB
# A part read whole (content types, relationships, workbook.xml, styles.xml): real ones are KB.
MAX_PART_BYTES = 16 * MiB
# -- checked while streaming the first sheet ------------------------------------------------
MAX_ROWS = 1_048_576  # rows per sheet, and the highest row number: Excel's own maximum
MAX_COLUMNS = 16_384  # cells per row, and the highest column (XFD): Excel's own maximum
# Cells per sheet: about twice a whole-country KWB (2.1 million).
MAX_CELLS = 4_000_000
MAX_CELL_CHARS = 32_767  # characters in one cell: Excel's own maximum
# Shared strings (the whole table is held while a sheet is read): a whole-country KWB has
# tens of thousands; the characters bound the table's memory whatever their number.
MAX_SHARED_STRINGS = 1_000_000
MAX_SHARED_CHARS = 64 * MiB
# -- recognising a file (``header``) -----------------------------------------------------------
# Sheet XML read at most to reach the end of row 1: what precedes sheetData (column widths,
# views) plus a full row of 16,384 cells is under 1 MB.
HEADER_SHEET_BYTES = 4 * MiB
# Shared-string XML read at most to reach the last string row 1 uses (they need not come
# first: the reference KWB's row 1 uses strings as far as number 947 of its 976).
HEADER_STRINGS_BYTES = 32 * MiB
HEADER_CACHE = 32  # files whose header is remembered (the kinds sniff one file after another)

CHUNK = 64 * 1024  # bytes of XML fed to the parser at a time

# The names above a test may lower through the package (module doc); not HEADER_CACHE,
# which sizes the cache once, when the package is imported.
NAMES = frozenset(
    {
        "MAX_MEMBERS",
        "MAX_DIRECTORY_BYTES",
        "MAX_UNCOMPRESSED",
        "MAX_RATIO",
        "RATIO_FLOOR",
        "MAX_PART_BYTES",
        "MAX_ROWS",
        "MAX_COLUMNS",
        "MAX_CELLS",
        "MAX_CELL_CHARS",
        "MAX_SHARED_STRINGS",
        "MAX_SHARED_CHARS",
        "HEADER_SHEET_BYTES",
        "HEADER_STRINGS_BYTES",
        "CHUNK",
    }
)

# Each limit as a reason states it ({n}: what was measured, {where}: the part or cell), and the
# constant that sets it.
LIMITS: dict[str, tuple[str, str]] = {
    "members": ("the zip has {n} members", "MAX_MEMBERS"),
    "directory_bytes": ("the zip directory takes {n} bytes", "MAX_DIRECTORY_BYTES"),
    "uncompressed_bytes": ("the workbook inflates to {n} bytes", "MAX_UNCOMPRESSED"),
    "compression_ratio": ("{where} inflates to {n} times its compressed size", "MAX_RATIO"),
    "part_bytes": ("{where} inflates to {n} bytes", "MAX_PART_BYTES"),
    "rows": ("the first sheet has {n} rows", "MAX_ROWS"),
    "row_number": ("{where} numbers a row {n}", "MAX_ROWS"),
    "cells_per_row": ("{where} has {n} cells", "MAX_COLUMNS"),
    "column": ("{where} lies in column {n}", "MAX_COLUMNS"),
    "cells": ("the first sheet has {n} cells", "MAX_CELLS"),
    "cell_chars": ("{where} holds {n} characters", "MAX_CELL_CHARS"),
    "shared_strings": ("{where} holds {n} shared strings", "MAX_SHARED_STRINGS"),
    "shared_chars": ("{where} holds {n} characters of shared strings", "MAX_SHARED_CHARS"),
    "header_bytes": (
        "row 1 does not end within the first {n} bytes of {where}",
        "HEADER_SHEET_BYTES",
    ),
    "header_strings_bytes": (
        "the strings row 1 uses do not end within the first {n} bytes of {where}",
        "HEADER_STRINGS_BYTES",
    ),
}
