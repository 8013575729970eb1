"""A workbook written byte by byte (zipfile and XML text, no openpyxl), so that a test decides
every detail a spreadsheet program or a hostile sender may choose: shared or inline strings,
a number cell holding text, an error cell, a sheet padded with blank XML, a dimension that
lies. Deterministic: the same sheet gives the same bytes (fixed zip times, fixed order).

A cell is a Python value (text, int, float, Decimal, date, datetime, None) written as a
spreadsheet program would, or a ``RawCell`` written exactly as given.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from xml.sax.saxutils import escape

FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
_EXCEL_EPOCH = datetime(1899, 12, 30)


@dataclass(frozen=True)
class RawCell:
    """A cell exactly as written: ``attrs`` inside ``<c r=".." ...>``, ``inner`` its content
    (``<v>#DIV/0!</v>`` with ``t="e"``, ``<v>abc</v>`` with ``t="n"``)."""

    attrs: str
    inner: str


@dataclass(frozen=True)
class SheetOptions:
    strings: str = "shared"  # 'shared' | 'inline' | 'str' (t="str", a formula's cached text)
    title: str = "Sheet1"
    dimension: str | None = None  # the <dimension ref=...> claimed; None: none written
    padding: int = 0  # bytes of blank XML inside sheetData, after the rows
    blank_cells: int = 0  # empty <c/> elements appended to every row, right of the data
    drop_shared_strings: bool = False  # a workbook that refers to a part it lacks


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    out = ""
    n = index + 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _serial(value: date | datetime) -> str:
    moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    days = (moment - _EXCEL_EPOCH).total_seconds() / 86400
    return repr(days) if days != int(days) else str(int(days))


def _xml_text(text: str) -> str:
    # XML 1.0 cannot hold most control characters: a program writes them as _xHHHH_ escapes
    # (which openpyxl reads back), never raw.
    return "".join(
        f"_x{ord(c):04X}_" if (ord(c) < 32 and c not in "\t\n\r") or c in "\ufffe\uffff" else c
        for c in escape(text)
    )


def _cell(ref: str, value: object, options: SheetOptions, shared: dict[str, int]) -> str:
    if value is None:
        return ""
    if isinstance(value, RawCell):
        return f'<c r="{ref}" {value.attrs}>{value.inner}</c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="1"><v>{_serial(value)}</v></c>'
    if isinstance(value, int | Decimal):
        return f'<c r="{ref}"><v>{value}</v></c>'
    if isinstance(value, float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    text = str(value)
    space = ' xml:space="preserve"' if text != text.strip() else ""
    if options.strings == "inline":
        return f'<c r="{ref}" t="inlineStr"><is><t{space}>{_xml_text(text)}</t></is></c>'
    if options.strings == "str":
        return f'<c r="{ref}" t="str"><v>{_xml_text(text)}</v></c>'
    index = shared.setdefault(text, len(shared))
    return f'<c r="{ref}" t="s"><v>{index}</v></c>'


def sheet_xml(rows: Sequence[Sequence[object]], options: SheetOptions) -> tuple[str, list[str]]:
    """The worksheet part and the shared strings it refers to, in order."""
    shared: dict[str, int] = {}
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n']
    out.append('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
    if options.dimension:
        out.append(f'<dimension ref="{options.dimension}"/>')
    out.append("<sheetData>")
    for r, row in enumerate(rows, start=1):
        cells = "".join(
            _cell(f"{column_letter(c)}{r}", v, options, shared) for c, v in enumerate(row)
        )
        cells += "<c/>" * options.blank_cells
        out.append(f'<row r="{r}">{cells}</row>')
    if options.padding:
        out.append(" " * options.padding)
    out.append("</sheetData></worksheet>")
    return "".join(out), list(shared)


_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_OFFICE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _override(part: str, content_type: str) -> str:
    return f'<Override PartName="{part}" ContentType="{_OFFICE}.{content_type}+xml"/>'


def _relationship(n: int, kind: str, target: str) -> str:
    return f'<Relationship Id="rId{n}" Type="{_REL}/{kind}" Target="{target}"/>'


_CONTENT_TYPES = (
    _XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    + _override("/xl/workbook.xml", "sheet.main")
    + _override("/xl/worksheets/sheet1.xml", "worksheet")
    + _override("/xl/styles.xml", "styles")
    + _override("/xl/sharedStrings.xml", "sharedStrings")
    + "</Types>"
)
_ROOT_RELS = (
    f'{_XML}<Relationships xmlns="{_PACKAGE_RELS}">'
    + _relationship(1, "officeDocument", "xl/workbook.xml")
    + "</Relationships>"
)
_WORKBOOK_RELS = (
    f'{_XML}<Relationships xmlns="{_PACKAGE_RELS}">'
    + _relationship(1, "worksheet", "worksheets/sheet1.xml")
    + _relationship(2, "styles", "styles.xml")
    + _relationship(3, "sharedStrings", "sharedStrings.xml")
    + "</Relationships>"
)
# Style 1 is a date (built-in number format 14), so a date cell reads back as a datetime.
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="1"><font/></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" xfId="0"/>'
    '<xf numFmtId="14" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _workbook(title: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{escape(title, {chr(34): "&quot;"})}" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>"
    )


def _shared_strings(strings: list[str]) -> str:
    keep = ' xml:space="preserve"'
    items = "".join(
        f"<si><t{keep if s != s.strip() else ''}>{_xml_text(s)}</t></si>" for s in strings
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'
    )


def xlsx_bytes(rows: Sequence[Sequence[object]], options: SheetOptions | None = None) -> bytes:
    """A one-sheet workbook holding ``rows`` (the header first)."""
    options = options or SheetOptions()
    sheet, strings = sheet_xml(rows, options)
    parts = {
        "[Content_Types].xml": _CONTENT_TYPES,
        "_rels/.rels": _ROOT_RELS,
        "xl/workbook.xml": _workbook(options.title),
        "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS,
        "xl/styles.xml": _STYLES,
        "xl/worksheets/sheet1.xml": sheet,
    }
    if not options.drop_shared_strings:
        parts["xl/sharedStrings.xml"] = _shared_strings(strings)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(
                zipfile.ZipInfo(name, FIXED_ZIP_TIME), text.encode("utf-8"), zipfile.ZIP_DEFLATED
            )
    return out.getvalue()
