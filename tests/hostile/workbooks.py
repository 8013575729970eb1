"""Workbook classes: number cells no amount can be (inf, NaN, 1E+300, 12345678901234.5), and
decompression bombs for the budget and the KWB kinds.

Written with zipfile and XML text (no openpyxl) so the test decides every byte: a number cell
is ``<c t="n"><v>…</v></c>`` with exactly the text given. A bomb is streamed into the zip at
deflate level 1 from one repeated chunk, so 1.1 GB of inflated sheet costs a few seconds and a
few MB of disk, never the memory it would take to hold.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from tests.hostile.finance import BUDGET_HEADER

FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
BOMB_BYTES = 1_100 * 2**20  # what the reproducers of 2026-12 inflated to: 1.1 GB
KWB_HEADER = (
    "gwb_code_10;gwb_code_8;regio;gm_naam;recs;a_inw;a_00_14;a_15_24;a_25_44;a_45_64;a_65_oo"
)

_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'  # noqa: E501
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'  # noqa: E501
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'  # noqa: E501
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'  # noqa: E501
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'  # noqa: E501
        "</Relationships>"
    ),
}  # fmt: skip
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_TAIL = "</sheetData></worksheet>"


class Number(str):
    """A number cell's text exactly as written in ``<v>`` (``1e309``, ``NaN``)."""


def _column(i: int) -> str:
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def row_xml(r: int | None, cells: Sequence[str | None]) -> str:
    """One row: text as inline strings, ``Number`` as a number cell, None as no cell. Without
    ``r`` the row and its cells carry no reference (allowed: their position is their order)."""
    out = []
    for i, v in enumerate(cells):
        if v is None:
            continue
        ref = f' r="{_column(i)}{r}"' if r is not None else ""
        if isinstance(v, Number):
            out.append(f'<c{ref} t="n"><v>{v}</v></c>')
        else:
            out.append(f'<c{ref} t="inlineStr"><is><t>{escape(v)}</t></is></c>')
    return (f'<row r="{r}">' if r is not None else "<row>") + "".join(out) + "</row>"


def _write(path: Path, rows: Iterable[str], padding: tuple[bytes, int] | None = None) -> Path:
    """The workbook, its sheet streamed: rows, then ``padding`` (a chunk and how many bytes of
    it) inside sheetData."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name, text in _PARTS.items():
            z.writestr(zipfile.ZipInfo(name, FIXED_ZIP_TIME), text, zipfile.ZIP_DEFLATED)
        # by name, not ZipInfo: only then does the part take the archive's level 1 (a ZipInfo
        # brings its own level, the default 6, five times slower on a bomb)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=padding is not None) as sheet:
            sheet.write(_SHEET_HEAD.encode())
            for row in rows:
                sheet.write(row.encode())
            if padding is not None:
                chunk, total = padding
                for _ in range(total // len(chunk)):
                    sheet.write(chunk)
            sheet.write(_SHEET_TAIL.encode())
    return path


def _budget_row(r: int, version: str, post: str, text: str, realisatie: str) -> str:
    cells: list[str | None] = ["GM0999", "2022", "31-12-2022", version, post, text, "6.1"]
    cells += [None, None, None, Number("1"), None, None, Number(realisatie)]
    return row_xml(r, cells)


# version -> the Realisatie number cell of its bad row
XLSX_NUMBERS = {
    "2022-X01": "1e309",  # inf as a float
    "2022-X02": "NaN",
    "2022-X03": "1E300",
    "2022-X04": "12345678901234.5",  # fits a float; over numeric(14,2)'s 12 digits
}


def budget_number_cells(inbox: Path, source: Path) -> list[Path]:
    """One budget workbook per number, each a good row (Realisatie 7) and the bad one."""
    header = row_xml(1, BUDGET_HEADER.split(";"))
    return [
        _write(
            inbox / f"begroting_xlsx_{version}.xlsx",
            [
                header,
                _budget_row(2, version, "GOOD", "xlsx value 7", "7"),
                _budget_row(3, version, "XAMT", f"xlsx value {number}", number),
            ],
        )
        for version, number in XLSX_NUMBERS.items()
    ]


def bombs(inbox: Path, source: Path, inflated: int = BOMB_BYTES) -> list[Path]:
    """A budget workbook whose sheet is padded with ``inflated`` bytes of blanks inside
    sheetData, and a KWB workbook with ``inflated`` bytes of rows (one wijk row repeated,
    without row references): refused by the workbook limits, never read whole."""
    budget = [
        row_xml(1, BUDGET_HEADER.split(";")),
        _budget_row(2, "2022-B01", "GOOD", "bomb neighbour", "7"),
    ]
    kwb_header = row_xml(1, KWB_HEADER.split(";"))
    gm = row_xml(2, ["GM0999", "0999", "Denkstede", "Denkstede", "Gemeente", *[Number("20")] * 6])
    wijk = row_xml(
        None, ["WK099901", "099901", "Centrum", "Denkstede", "Wijk", *[Number("1")] * 6]
    ).encode()
    return [
        _write(inbox / "begroting_bomb_2022.xlsx", budget, (b" " * 2**20, inflated)),
        _write(
            inbox / "kwb-2024_bomb.xlsx",
            [kwb_header, gm],
            (wijk * (2**20 // len(wijk)), inflated),
        ),
    ]
