"""Opening a workbook's zip, and finding the parts the first sheet needs.

An xlsx is a zip of XML parts, so a file of 1 MB can stand for 1 GB of XML (deflate reaches
about 1,000 to 1 on blanks): a budget workbook padded so once took 240 s and 4.9 GB to load.
Before anything is inflated, from the zip's own directory (``open_archive``): the number of
members, the size of the directory, where each member lies, the total uncompressed size and
each large member's compression ratio. A workbook over a limit is refused in milliseconds,
whatever it inflates to.

The parts are then found as OPC says (``layout``): the package's relationships name the
workbook, the workbook's name its sheets, styles and shared strings; elements are matched by
local name, so transitional and Strict OOXML read alike.
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from sdw.ingest.workbook import limits
from sdw.ingest.workbook.errors import WorkbookInvalid, WorkbookRefused, part_name
from sdw.ingest.workbook.xml import Elements, drain, feed

LOCAL_HEADER_BYTES = 30  # a member's local header before its name (APPNOTE 4.3.7)
# A sheet's relationship id, as transitional and Strict OOXML spell the attribute.
REL_ID = (
    "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id",
    "{http://purl.oclc.org/ooxml/officeDocument/relationships}id",
)


def _directory(path: Path) -> tuple[int, int, int]:
    """(members, directory bytes, file bytes) from the zip's end record, read before zipfile
    reads the directory itself into memory. A field at its maximum (0xFFFF, 0xFFFFFFFF:
    ZIP64) means that much or more, which is over every limit here."""
    with path.open("rb") as fh:
        size = fh.seek(0, 2)
        back = min(size, 22 + 65_535)
        fh.seek(size - back)
        tail = fh.read(back)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        raise WorkbookInvalid("it is not a zip archive (no end of central directory record)")
    members, directory = struct.unpack("<HI", tail[at + 10 : at + 16])
    return members, directory, size


def open_zip(path: Path) -> zipfile.ZipFile:
    """The zip, its directory read once the end record says it is within the limits, and
    every member lying inside the file: a directory that places one before its start or past
    its end (a zip whose bytes were cut or changed) would make zipfile seek there, which the
    operating system refuses with EINVAL, an error of the disk's kind for a fault of the
    file's."""
    members, directory, size = _directory(path)
    if members > limits.MAX_MEMBERS:
        raise WorkbookRefused("members", members, limits.MAX_MEMBERS, at_least=members == 0xFFFF)
    if directory > limits.MAX_DIRECTORY_BYTES:
        raise WorkbookRefused("directory_bytes", directory, limits.MAX_DIRECTORY_BYTES)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as exc:
        raise WorkbookInvalid(f"its zip directory cannot be read ({exc})") from None
    infos = zf.infolist()
    if len(infos) > limits.MAX_MEMBERS:  # the end record undercounted
        zf.close()
        raise WorkbookRefused("members", len(infos), limits.MAX_MEMBERS)
    for i in infos:
        if not 0 <= i.header_offset <= size - LOCAL_HEADER_BYTES:
            zf.close()
            raise WorkbookInvalid(
                f"its zip directory places member {part_name(i.filename)} at byte "
                f"{i.header_offset:,} of a file of {size:,} bytes"
            )
    return zf


def check_sizes(zf: zipfile.ZipFile) -> None:
    """The limits the zip directory answers before anything is inflated: total uncompressed
    size, each large member's compression ratio, no encrypted member. zipfile stops a member
    at its declared size (and fails its CRC), so what the directory declares bounds what is
    read."""
    infos = zf.infolist()
    total = sum(i.file_size for i in infos)
    if total > limits.MAX_UNCOMPRESSED:
        raise WorkbookRefused("uncompressed_bytes", total, limits.MAX_UNCOMPRESSED)
    for i in infos:
        compressed = max(i.compress_size, 1)
        if i.file_size > limits.RATIO_FLOOR and i.file_size > limits.MAX_RATIO * compressed:
            where = f"member {part_name(i.filename)}"
            raise WorkbookRefused(
                "compression_ratio", i.file_size // compressed, limits.MAX_RATIO, where
            )
        if i.flag_bits & 0x1:
            raise WorkbookInvalid(f"member {part_name(i.filename)} is encrypted")


@contextmanager
def open_archive(path: Path) -> Iterator[zipfile.ZipFile]:
    """A zip-based input, open once its directory is within every limit (``check_sizes``);
    raises ``WorkbookRefused`` or ``WorkbookInvalid`` before reading any member."""
    zf = open_zip(path)
    try:
        check_sizes(zf)
        yield zf
    finally:
        zf.close()


class Package:
    """The members of an open zip by part name (OPC part names ignore case)."""

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf
        self.parts = {i.filename.lower(): i for i in zf.infolist()}

    def get(self, name: str) -> zipfile.ZipInfo | None:
        return self.parts.get(name.lstrip("/").lower())

    def elements(self, name: str, wanted: set[tuple[str, str]]) -> list[tuple[str, dict]]:
        """A small part's elements of interest (``xml.Elements``); a part larger than
        ``MAX_PART_BYTES`` is refused before it is read."""
        info = self.get(name)
        if info is None:
            return []
        if info.file_size > limits.MAX_PART_BYTES:
            raise WorkbookRefused(
                "part_bytes", info.file_size, limits.MAX_PART_BYTES, f"part {part_name(name)}"
            )
        target = Elements(info.filename, frozenset(wanted))
        drain(feed(self.zf, info, target))
        return target.found

    def relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """A part's relationships: id -> (type, target part name)."""
        folder = PurePosixPath(part).parent
        rels = str(folder / "_rels" / (PurePosixPath(part).name + ".rels"))
        out: dict[str, tuple[str, str]] = {}
        for _tag, a in self.elements(rels, {("Relationships", "Relationship")}):
            if a.get("TargetMode") == "External" or "Target" not in a:
                continue
            target = a["Target"]
            path = target[1:] if target.startswith("/") else str(folder / target)
            out[a.get("Id", "")] = (a.get("Type", ""), _normalised(path))
        return out


def _normalised(path: str) -> str:
    parts: list[str] = []
    for p in path.split("/"):
        if p == "..":
            if parts:
                parts.pop()
        elif p not in ("", "."):
            parts.append(p)
    return "/".join(parts)


@dataclass(frozen=True)
class Layout:
    """Where the first sheet and what it needs are."""

    sheet_name: str
    sheet: zipfile.ZipInfo
    strings: zipfile.ZipInfo | None
    styles: zipfile.ZipInfo | None
    date1904: bool


def layout(pkg: Package) -> Layout:
    """The first sheet (as Excel orders them), its shared strings, styles and calendar."""
    workbook = next(
        (t for _i, (kind, t) in pkg.relationships("").items() if kind.endswith("/officeDocument")),
        None,
    )
    if workbook is None:  # no package relationships: the content types name it
        for _tag, a in pkg.elements("[Content_Types].xml", {("Types", "Override")}):
            if ".main+xml" in a.get("ContentType", "") and "spreadsheetml" in a["ContentType"]:
                workbook = a.get("PartName", "").lstrip("/")
                break
    workbook = workbook or "xl/workbook.xml"
    if pkg.get(workbook) is None:
        raise WorkbookInvalid("it has no workbook part (xl/workbook.xml): it is not an xlsx")
    found = pkg.elements(workbook, {("sheets", "sheet"), ("workbook", "workbookPr")})
    sheets = [a for tag, a in found if tag == "sheet"]
    if not sheets:
        raise WorkbookInvalid("its workbook lists no sheet")
    date1904 = any(
        tag == "workbookPr" and a.get("date1904", "").lower() in ("1", "true") for tag, a in found
    )
    rels = pkg.relationships(workbook)
    first = sheets[0]
    rid = next((first[k] for k in REL_ID if k in first), None)
    if rid is None or rid not in rels or pkg.get(rels[rid][1]) is None:
        raise WorkbookInvalid(f"the first sheet {first.get('name', '')!r} has no part")
    by_type = {kind.rsplit("/", 1)[-1]: target for kind, target in rels.values()}
    strings = by_type.get("sharedStrings") or (
        "xl/sharedStrings.xml" if pkg.get("xl/sharedStrings.xml") else None
    )
    styles = by_type.get("styles")
    return Layout(
        first.get("name", ""),
        pkg.get(rels[rid][1]),  # type: ignore[arg-type]
        pkg.get(strings) if strings else None,
        pkg.get(styles) if styles else None,
        date1904,
    )
