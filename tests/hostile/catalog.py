"""Every hostile-input class and its builder, in the order an inbox is written.

A builder is ``(inbox, source) -> [files written]``: ``source`` is a folder of generated files
(``seeds.generated``), which may be the inbox itself (the e2e adds every class to a generated
municipality). ``hostile_names`` comes last: it moves its seeds when they lie in the inbox.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.hostile import finance, messages, names, rows, workbooks

Builder = Callable[[Path, Path], list[Path]]

MESSAGE_CLASSES: dict[str, Builder] = {
    "invalid_bytes": messages.invalid_bytes,
    "dates_and_years": messages.dates_and_years,
    "broken_for_redaction": messages.broken_for_redaction,
    "parse_errors": messages.parse_errors,
    "odd_structures": messages.odd_structures,
    "readers_disagreed": messages.readers_disagreed,
    "comment_in_prestaties": messages.comment_in_prestaties,
    "doctypes": messages.doctypes,
    "bsn_in_other_fields": messages.bsn_in_other_fields,
    "bsn_behind_marks_and_scripts": messages.bsn_behind_marks_and_scripts,
}
CSV_ROW_CLASSES: dict[str, Builder] = {
    "bsn_in_benefits_row": rows.bsn_in_benefits_row,
    "bsn_in_address_row": rows.bsn_in_address_row,
    "kwb_without_population": rows.kwb_without_population,
}
FINANCE_CLASSES: dict[str, Builder] = {
    "budget_amounts": finance.budget_amounts,
    "subsidy_amounts": finance.subsidy_amounts,
    "bsn_in_budget_text": finance.bsn_in_budget_text,
    "same_version_twice": finance.same_version_twice,
    "budget_number_cells": workbooks.budget_number_cells,
    "workbook_bombs": workbooks.bombs,
}
NAME_CLASSES: dict[str, Builder] = {"hostile_names": names.hostile_names}

CLASSES: dict[str, Builder] = {
    **MESSAGE_CLASSES,
    **CSV_ROW_CLASSES,
    **FINANCE_CLASSES,
    **NAME_CLASSES,
}


def write_all(
    inbox: Path, source: Path, classes: dict[str, Builder] | None = None
) -> dict[str, list[Path]]:
    """Every class (or those given) written into ``inbox``: class name -> its files."""
    return {name: build(inbox, source) for name, build in (classes or CLASSES).items()}
