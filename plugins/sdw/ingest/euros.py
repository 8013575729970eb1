"""A file's own euro totals, for the euro reconciliation (``sdw.ingest.reconcile.euro_mismatches``).

The row rule (lines in = loaded + quarantined) cannot see a loader that loads every line but
changes an amount, or that counts a line's euros twice. A source whose lines carry money
therefore also hands over, per amount column, what the file itself adds up to:

- ``file_eur``: the sum of every cell of the column that reads as an amount, over every data
  line that splits into the file's columns, whatever then happens to the line;
- ``quarantined_eur``: the part of it in lines that were quarantined (for any reason: a bad
  year, a duplicate line, another column's unreadable amount).

The source adds each line's cells once, before and apart from deciding the line (``add``); the
writer stores the totals in ``raw.file_euro_total`` with the file's rows, and reconcile proves
``file_eur = Σ raw.<line table>.<column> + quarantined_eur`` to the cent from the warehouse. A
cell that does not read as an amount has no euro value: it is not in ``file_eur`` and its line
is quarantined (the quarantine record keeps it as written).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

TABLE = "file_euro_total"
COLUMNS = ["amount_column", "file_eur", "quarantined_eur", "cells"]


@dataclass
class EuroTotals:
    """Per amount column (in the line table's column names): the file's sum, the quarantined
    part, and how many cells held an amount."""

    columns: Sequence[str]
    file: dict[str, Decimal] = field(default_factory=dict)
    quarantined: dict[str, Decimal] = field(default_factory=dict)
    cells: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for c in self.columns:
            self.file.setdefault(c, Decimal("0.00"))
            self.quarantined.setdefault(c, Decimal("0.00"))
            self.cells.setdefault(c, 0)

    def add(self, amounts: Mapping[str, Decimal | None], quarantined: bool) -> None:
        """One line's readable amounts (column -> amount; None or absent: no amount)."""
        for c in self.columns:
            value = amounts.get(c)
            if value is None:
                continue
            self.file[c] += value
            self.cells[c] += 1
            if quarantined:
                self.quarantined[c] += value

    def table(self) -> tuple[list[str], list[list[object]]]:
        """The ``ParsedFile.tables`` entry: ``{euros.TABLE: totals.table()}``."""
        return COLUMNS, [
            [c, self.file[c], self.quarantined[c], self.cells[c]] for c in self.columns
        ]
