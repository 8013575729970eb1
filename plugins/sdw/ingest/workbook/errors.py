"""Why a workbook is refused whole, as exceptions: over a limit (``WorkbookRefused``,
``WORKBOOK_LIMIT``) or not a readable xlsx (``WorkbookInvalid``, ``WORKBOOK_INVALID``).

Neither is a ValueError on purpose: no row reader's ``except ValueError`` may take a refusal
of the whole file for one bad cell. A cell that is damaged while the sheet's XML is sound is
not refused here: it costs its row (``sdw.ingest.workbook.cells.BadCell``).
"""

from __future__ import annotations

from sdw.ingest.workbook.limits import LIMITS

WORKBOOK_LIMIT = "WORKBOOK_LIMIT"  # a workbook over one of the limits: refused whole
WORKBOOK_INVALID = "WORKBOOK_INVALID"  # not a readable xlsx: refused whole


class WorkbookError(Exception):
    """A workbook refused whole: ``code`` is its reason code, ``reason`` says why to a person."""

    code = WORKBOOK_INVALID

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class WorkbookRefused(WorkbookError):
    """Over a limit: ``limit`` (a key of ``LIMITS``), the value measured when reading stopped
    (``at_least``: reading stopped there, the file holds that much or more) and the limit."""

    code = WORKBOOK_LIMIT

    def __init__(
        self, limit: str, measured: int, allowed: int, where: str = "", *, at_least: bool = False
    ) -> None:
        template, constant = LIMITS[limit]
        self.limit, self.measured, self.allowed, self.where = limit, measured, allowed, where
        said = template.format(n=f"{'at least ' if at_least else ''}{measured:,}", where=where)
        super().__init__(
            f"Workbook limit {limit}: {said}, where the limit is {allowed:,} "
            f"(sdw.ingest.workbook.{constant}); nothing of the file was loaded. Real exports "
            "stay far below it: ask the sender for the file as their system exports it."
        )


class WorkbookInvalid(WorkbookError):
    """Not a readable xlsx: not a zip, a damaged member, XML that is not well-formed, a DTD."""

    code = WORKBOOK_INVALID

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(
            f"Not a readable xlsx workbook: {detail}; nothing of the file was loaded. Open it "
            "in Excel and save it again as an Excel Workbook (.xlsx)."
        )


class Done(Exception):
    """Raised by a parser target that has read what it needs (the header's row 1)."""


def part_name(member: str) -> str:
    """A member's name as a reason shows it: the zip's own text, shortened."""
    return repr(member if len(member) <= 80 else member[:77] + "...")
