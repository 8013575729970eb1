"""A workbook's shared strings (``xl/sharedStrings.xml``): the text of every ``<si>``, as Excel
shows it (rich-text runs joined, phonetic guides left out), within the limits on their number
and characters, since the whole table is held while a sheet is read."""

from __future__ import annotations

from collections.abc import Mapping

from sdw.ingest.workbook import limits
from sdw.ingest.workbook.errors import Done, WorkbookRefused, part_name
from sdw.ingest.workbook.xml import Target, local


class StringsTarget(Target):
    """The shared strings; ``wanted``: stop after the last of these indexes (the header's)."""

    def __init__(self, part: str, wanted: frozenset[int] | None = None) -> None:
        self.part, self.wanted = part, wanted
        self.last = max(wanted) if wanted else -1
        self.strings: list[str] = []
        self.found: dict[int, str] = {}
        self.index = -1
        self.total = 0
        self.text: list[str] | None = None
        self.chars = 0
        self.capture = False
        self.phonetic = 0
        self.max_strings = limits.MAX_SHARED_STRINGS
        self.max_chars = limits.MAX_CELL_CHARS
        self.max_total = limits.MAX_SHARED_CHARS

    def start(self, tag: str, _attrib: Mapping[str, str]) -> None:
        name = local(tag)
        if name == "si":
            self.index += 1
            if self.index >= self.max_strings:
                raise WorkbookRefused(
                    "shared_strings",
                    self.index + 1,
                    self.max_strings,
                    f"part {part_name(self.part)}",
                    at_least=True,
                )
            self.text, self.chars, self.phonetic = [], 0, 0
        elif name == "t" and self.text is not None and not self.phonetic:
            self.capture = True
        elif name == "rPh":
            self.phonetic += 1

    def data(self, text: str) -> None:
        if self.capture and self.text is not None:
            self.chars += len(text)
            self.total += len(text)
            if self.chars > self.max_chars:
                raise WorkbookRefused(
                    "cell_chars",
                    self.chars,
                    self.max_chars,
                    f"shared string {self.index}",
                    at_least=True,
                )
            if self.total > self.max_total:
                raise WorkbookRefused(
                    "shared_chars",
                    self.total,
                    self.max_total,
                    f"part {part_name(self.part)}",
                    at_least=True,
                )
            self.text.append(text)

    def end(self, tag: str) -> None:
        name = local(tag)
        if name == "t":
            self.capture = False
        elif name == "rPh" and self.phonetic:
            self.phonetic -= 1
        elif name == "si" and self.text is not None:
            text = "".join(self.text)
            self.text = None
            if self.wanted is None:
                self.strings.append(text)
            elif self.index in self.wanted:
                self.found[self.index] = text
                if self.index >= self.last:
                    raise Done
