"""CBS "Buurt, wijk en gemeente <jaar> voor postcode huisnummer" files.

Format: ``PC6;Huisnummer;Buurt<jaar>;Wijk<jaar>;Gemeente<jaar>``, codes as integers without
prefix (``Buurt2024=3630100`` means ``BU03630100``). Public reference data, loaded as is; it is
what turns a client's BRP address into a buurt/wijk at ingest, so that no address is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sdw.ingest.csv_contract import HeaderCheck, check_columns, first_line, header_cells
from sdw.money import shown

LABEL = "CBS address file (PC6;Huisnummer;Buurt<jaar>;Wijk<jaar>;Gemeente<jaar>)"
COLUMNS = ("PC6", "Huisnummer", "Buurt<jaar>", "Wijk<jaar>", "Gemeente<jaar>")
_COLUMN = re.compile(r"^(?:(pc6)|(huisnummer)|(buurt)[0-9]{4}|(wijk)[0-9]{4}|(gemeente)[0-9]{4})$")
_HEADER = re.compile(
    r"^\ufeff?\"?PC6\"?[;,]\"?Huisnummer\"?[;,]\"?Buurt([0-9]{4})\"?[;,]\"?Wijk\1\"?[;,]"
    r"\"?Gemeente\1\"?\s*$",
    re.IGNORECASE,
)
_POSTCODE = re.compile(r"^[1-9][0-9]{3}[A-Z]{2}$")
# The numbers of a row: a huisnummer (at most 99999) and CBS codes as integers (BU + 8, WK + 6,
# GM + 4 digits without prefix or leading zeros), in ASCII digits.
_NUMBERS = ("huisnummer", "buurt", "wijk", "gemeente")
_WIDTHS = (5, 8, 6, 4)


def address_file_year(path: Path) -> int | None:
    """The year of an address file, judged by its header line; None if it is not one."""
    with path.open("rb") as fh:
        raw = fh.readline(4096)
    try:
        first = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    m = _HEADER.match(first.strip())
    return int(m[1]) if m else None


def header_check(path: Path) -> HeaderCheck | None:
    """How the first line compares with the address file's columns (for a header that is not
    exactly the contract's: see ``address_file_year``)."""
    line = first_line(path)
    if line is None:
        return None
    present = set()
    for cell in header_cells(line):
        m = _COLUMN.match(cell)
        if m:
            present.add(COLUMNS[next(i for i, g in enumerate(m.groups()) if g)])
    return check_columns(LABEL, present, COLUMNS, COLUMNS)


@dataclass
class AddressRow:
    postcode: str
    huisnummer: int
    buurtcode: int
    wijkcode: int
    gemeentecode: int


def parse_line(line: str, sep: str) -> AddressRow:
    """Raises ValueError with a readable reason for a row that cannot be an address row."""
    parts = [p.strip().strip('"').strip() for p in line.rstrip("\r\n").split(sep)]
    if len(parts) != 5:
        raise ValueError(f"expected 5 fields, found {len(parts)}")
    pc = parts[0].replace(" ", "").upper()
    if not _POSTCODE.match(pc):
        raise ValueError(f"postcode {parts[0]!r} is not a PC6 like 1234AB")
    for name, text, width in zip(_NUMBERS, parts[1:], _WIDTHS, strict=True):
        if not re.fullmatch(f"[0-9]{{1,{width}}}", text):  # ASCII: int() takes ١٢٣ and +5
            raise ValueError(
                f"{name} {shown(text)} is not a whole number of at most {width} digits"
            )
    hn, buurt, wijk, gem = (int(p) for p in parts[1:])
    if not (buurt // 100 == wijk and wijk // 100 == gem):
        raise ValueError(f"buurt {buurt} is not inside wijk {wijk} of gemeente {gem}")
    return AddressRow(pc, hn, buurt, wijk, gem)
