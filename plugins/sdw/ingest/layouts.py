"""Column layouts: which column of a delivered table holds which field of a source's contract.
A layout is a small JSON file in the source's ``layouts/`` folder, so a file in a new column
layout (another municipality's register, another financial system's export) is loaded by adding
a file, not code::

    {"description": "...", "format": "csv", "number_format": "nl" | "plain",
     "columns": {"<contract field>": "<the file's own column name>", ...}}

``columns`` maps contract fields to the file's column names, matched by ``column_key`` (without
case, spaces, dots, dashes, slashes and underscores). A source names its fields, the fields
that must be mapped, and the formats it reads; a file matches a layout when its columns include
the column of every required field, and of several such layouts the one whose columns the file
has most of wins (ties: file-name order). Used by ``sdw.subsidies`` and ``sdw.budgets``; the
rows of such a file are read by ``sdw.ingest.layout_rows``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

NUMBER_FORMATS = ("nl", "plain")


def column_key(name: object) -> str:
    """A column name as layouts match it: ``Aanvrager/Ontvanger`` is ``aanvragerontvanger``."""
    return re.sub(r"[\s._\-/]", "", str(name).strip().strip('"')).lower()


@dataclass(frozen=True)
class Layout:
    name: str  # the file's stem, stored with every row it loaded
    format: str
    number_format: str
    columns: dict[str, str]  # contract field -> the file's column
    required: tuple[str, ...]  # contract fields every file of this layout must have

    def keys(self) -> dict[str, str]:
        """The file's column key -> contract field."""
        return {column_key(c): f for f, c in self.columns.items()}

    def matches(self, present: set[str]) -> bool:
        """Every required field's column is there (the others may be absent)."""
        return all(column_key(self.columns[f]) in present for f in self.required)

    def found(self, present: set[str]) -> int:
        return sum(1 for k in self.keys() if k in present)


def from_dict(
    name: str,
    spec: dict,
    *,
    what: str,
    fields: Sequence[str],
    required: Sequence[str],
    formats: Sequence[str],
) -> Layout:
    """A layout as its file states it; a wrong file fails loudly, at import of the kinds,
    because it is the repository's, not a delivery's."""
    fmt = spec.get("format")
    number_format = spec.get("number_format", "nl")
    columns = spec.get("columns") or {}
    unknown = sorted(set(columns) - set(fields))
    missing = [f for f in required if f not in columns]
    if fmt not in formats or number_format not in NUMBER_FORMATS or unknown or missing:
        raise ValueError(
            f"{what} layout {name}: format {fmt!r} ({'|'.join(formats)}), number_format "
            f"{number_format!r} (nl|plain), unknown fields {unknown}, unmapped required {missing}"
        )
    return Layout(name, fmt, number_format, dict(columns), tuple(required))


def load(
    folder: Path,
    *,
    what: str,
    fields: Sequence[str],
    required: Sequence[str],
    formats: Sequence[str],
) -> tuple[Layout, ...]:
    """Every ``*.json`` layout of ``folder``, in file-name order."""
    return tuple(
        from_dict(
            p.stem,
            json.loads(p.read_text(encoding="utf-8")),
            what=what,
            fields=fields,
            required=required,
            formats=formats,
        )
        for p in sorted(folder.glob("*.json"))
    )


def choose(present: set[str], fmt: str, layouts: tuple[Layout, ...]) -> Layout | None:
    """The layout of a file whose column keys are ``present``: the one mapping the most."""
    fitting = [lay for lay in layouts if lay.format == fmt and lay.matches(present)]
    return max(fitting, key=lambda lay: lay.found(present), default=None)


@dataclass(frozen=True)
class LayoutContract:
    """A source's layout contract: what its layouts may map (``fields``), must map
    (``required``) and in which ``formats``, and the ``folder`` its layouts are installed in.
    A source names it once (``<source>/layouts.py``) and reads its layouts through it."""

    what: str  # the source as a wrong layout's error names it: "budget"
    fields: tuple[str, ...]
    required: tuple[str, ...]
    formats: tuple[str, ...]
    folder: Path

    def from_dict(self, name: str, spec: dict) -> Layout:
        return from_dict(
            name,
            spec,
            what=self.what,
            fields=self.fields,
            required=self.required,
            formats=self.formats,
        )

    def load(self, folder: Path | None = None) -> tuple[Layout, ...]:
        """Every layout of ``folder`` (default: the installed ones), in file-name order."""
        return load(
            folder or self.folder,
            what=self.what,
            fields=self.fields,
            required=self.required,
            formats=self.formats,
        )

    @cache  # noqa: B019 - a contract is a module constant: the cache lives as long anyway
    def installed(self) -> tuple[Layout, ...]:
        """The layouts of the source's own folder, read once."""
        return self.load()
