"""The one place a workbook (xlsx; any zip-based input) is opened, for every source: within
limits, without expanding an entity, and with cells every row rule can take.

- ``limits``: how much is read at most (the constants, and how a refusal states each);
- ``archive``: the zip, checked from its own directory before anything is inflated
  (``open_archive``, ``check_sizes``), and the parts the first sheet needs;
- ``xml``: the one safe way every part is parsed (streaming callbacks, no entity expanded, a
  DTD refused);
- ``strings``, ``sheet``: the shared strings and the first sheet's rows, streamed
  (``first_sheet``);
- ``cells``: what a cell's XML stands for (``number``; a damaged cell is a ``BadCell``, which
  costs its row, not the file);
- ``recognition``: recognising a file (``header``) from a bounded prefix, remembered per file
  version;
- ``refusal``: a workbook refused whole as its file's quarantine (``guarded``).

Over a limit: ``WorkbookRefused`` (reason code ``WORKBOOK_LIMIT``, naming the limit, what was
measured and the constant that sets it). Not a readable xlsx (not a zip, a damaged member, XML
that is not well-formed, a DTD): ``WorkbookInvalid`` (``WORKBOOK_INVALID``). A kind's parser
lets them propagate; ``guarded(kind)`` turns them into the file's quarantine, whole, with that
reason. Both are raised, never swallowed: a sniffer that gets one says "not mine". A damaged
cell in a sound sheet is neither: its row is refused as ``WORKBOOK_CELL_INVALID``
(``CELL_INVALID``) by the source's row reader, and the other rows load.

The limits are read from ``limits`` whenever reading starts, and are also here, as they were
in the single module this package replaces: setting one here (``monkeypatch.setattr(workbook,
"MAX_ROWS", 3)`` in a test, and its undoing) sets it in both places.
"""

from __future__ import annotations

import sys
import types

from sdw.ingest.workbook import limits
from sdw.ingest.workbook.archive import check_sizes, open_archive
from sdw.ingest.workbook.cells import CELL_INVALID, BadCell, Cell, Row, number
from sdw.ingest.workbook.errors import (
    WORKBOOK_INVALID,
    WORKBOOK_LIMIT,
    WorkbookError,
    WorkbookInvalid,
    WorkbookRefused,
)
from sdw.ingest.workbook.limits import (
    CHUNK,
    HEADER_CACHE,
    HEADER_SHEET_BYTES,
    HEADER_STRINGS_BYTES,
    LIMITS,
    MAX_CELL_CHARS,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_DIRECTORY_BYTES,
    MAX_MEMBERS,
    MAX_PART_BYTES,
    MAX_RATIO,
    MAX_ROWS,
    MAX_SHARED_CHARS,
    MAX_SHARED_STRINGS,
    MAX_UNCOMPRESSED,
    RATIO_FLOOR,
)
from sdw.ingest.workbook.recognition import Header, clear_cache, header
from sdw.ingest.workbook.refusal import guarded, redaction, refused_file
from sdw.ingest.workbook.sheet import Sheet, first_sheet


class _Package(types.ModuleType):
    """This package's module type: setting a limit sets it in ``limits`` (module doc)."""

    def __setattr__(self, name: str, value: object) -> None:
        if name in limits.NAMES:
            setattr(limits, name, value)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

__all__ = [
    "CELL_INVALID",
    "CHUNK",
    "HEADER_CACHE",
    "HEADER_SHEET_BYTES",
    "HEADER_STRINGS_BYTES",
    "LIMITS",
    "MAX_CELLS",
    "MAX_CELL_CHARS",
    "MAX_COLUMNS",
    "MAX_DIRECTORY_BYTES",
    "MAX_MEMBERS",
    "MAX_PART_BYTES",
    "MAX_RATIO",
    "MAX_ROWS",
    "MAX_SHARED_CHARS",
    "MAX_SHARED_STRINGS",
    "MAX_UNCOMPRESSED",
    "RATIO_FLOOR",
    "WORKBOOK_INVALID",
    "WORKBOOK_LIMIT",
    "BadCell",
    "Cell",
    "Header",
    "Row",
    "Sheet",
    "WorkbookError",
    "WorkbookInvalid",
    "WorkbookRefused",
    "check_sizes",
    "clear_cache",
    "first_sheet",
    "guarded",
    "header",
    "number",
    "open_archive",
    "redaction",
    "refused_file",
]
