"""Ingest of one iWmo/iJw message file: validate while parsing, apply the record rules,
pseudonymise, reduce addresses to areas, and write it whole — or quarantine it whole.

Record rules (a failing record is quarantined, the rest of the file loads):
- BSN_ELFPROEF: the client's BSN fails the eleven test (all that client's records).
- CATEGORY_NOT_IN_LAW: a 323/325 ProductCategorie that the law's code list does not have.
- PERIOD_INVALID: ProductPeriode Einddatum before Begindatum.
- PERIOD_SPANS_MONTHS: a ProductPeriode that is not inside one calendar month.
File rules (the whole file is quarantined): NOT_XML, NOT_ISTANDAARDEN, SCHEMA, and for a 323
TOTAL_MISMATCH when the header total differs from the signed sum of all its lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from sdw.ingest.report import FileReport
from sdw.ingest.writer import FRAGMENT_LIMIT, QuarantineRecord
from sdw.istandaarden.codes import product_categories
from sdw.istandaarden.declarations import (
    DeclarationReader,
    NeedsStreaming,
    read_declaration,
)
from sdw.istandaarden.messages import MessageType
from sdw.istandaarden.parse import (
    HEADER_KEYS,
    Header,
    NotAMessage,
    Record,
    detect_message_type,
    read_message,
)
from sdw.istandaarden.redact import redacted_file, redacted_fragment
from sdw.pseudonym import Pseudonymiser, passes_elfproef

# (status, buurtcode, wijkcode, gemeentecode) for a BRP postcode + huisnummer.
AddressLookup = Callable[[str, int], tuple[str, int | None, int | None, int | None]]

# Records that describe the message rather than a line; they are not counted as lines.
_MESSAGE_LEVEL = frozenset(
    {"istandaarden_301_client", "istandaarden_323_declaratie", "istandaarden_325_antwoord"}
)
_LINE_TAG = re.compile(
    rb"<(?:[\w.-]+:)?(?:Prestatie|ToegewezenProduct|StartProduct|StopProduct|AangevraagdProduct"
    rb"|OngewijzigdProduct|TeWijzigenProduct|NieuwProduct|Antwoord)[\s>]"
)


@dataclass
class Rejection:
    code: str
    reason: str


# Which of these ReferentieNummers (wet, aanbieder_agb, numbers) are already loaded.
LoadedReferences = Callable[[str, str, list[str]], set[str]]


@dataclass
class IngestContext:
    pseudonymiser: Pseudonymiser
    lookup_address: AddressLookup
    has_address_file: Callable[[], bool]
    loaded_references: LoadedReferences


@dataclass
class ParsedFile:
    report: FileReport
    tables: dict[str, tuple[list[str], list[list[object]]]]
    quarantine: list[QuarantineRecord]


def _bsn_rejection(bsn: object) -> Rejection | None:
    if bsn is not None and not passes_elfproef(str(bsn)):
        return Rejection(
            "BSN_ELFPROEF",
            "The client's BSN fails the elfproef; ask the sender for a corrected message.",
        )
    return None


def _prestatie_rejection(
    cat: str, begin: str | None, end: str | None, law: str, categories: frozenset[str]
) -> Rejection | None:
    """The rules of a 323/325 line; ``begin``/``end`` as ISO text (YYYY-MM-DD), which orders
    and slices like the dates it spells."""
    if cat not in categories:
        return Rejection(
            "CATEGORY_NOT_IN_LAW",
            f"ProductCategorie {cat} is not a {law} category (seed product_categories.csv).",
        )
    if not begin or not end:
        return None
    if end < begin:
        return Rejection(
            "PERIOD_INVALID", f"ProductPeriode ends ({end}) before it begins ({begin})."
        )
    if begin[:7] != end[:7]:
        return Rejection(
            "PERIOD_SPANS_MONTHS",
            f"ProductPeriode {begin}..{end} is not inside one calendar month.",
        )
    return None


def _line_rejection(rec: Record, law: str) -> Rejection | None:
    """The first record rule this record breaks. A value the parser could not convert is None;
    its rule is skipped because the schema error that voids the whole file follows."""
    row = rec.row
    rejection = _bsn_rejection(row.get("_bsn"))
    if rejection is None and rec.table in (
        "istandaarden_323_prestatie",
        "istandaarden_325_prestatie",
    ):
        begin, end = row["productperiode_begindatum"], row["productperiode_einddatum"]
        rejection = _prestatie_rejection(
            str(row["productcategorie"]),
            begin.isoformat() if begin else None,  # type: ignore[attr-defined]
            end.isoformat() if end else None,  # type: ignore[attr-defined]
            law,
            product_categories().get(law, frozenset()),
        )
    return rejection


def _signed(amount: object, dc: object) -> int | None:
    if amount is None or dc not in ("D", "C"):
        return None  # unreadable: the schema error follows
    return int(amount) if dc == "D" else -int(amount)  # type: ignore[call-overload]


def count_line_records(path: Path) -> int:
    """Line elements in a file, counted in chunks (bounded memory) and cut only before a '<',
    so no tag is split between chunks."""
    count, carry = 0, b""
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            buf = carry + chunk
            cut = buf.rfind(b"<")
            if cut <= 0:
                carry = buf
                continue
            count += len(_LINE_TAG.findall(buf, 0, cut))
            carry = buf[cut:]
    return count + len(_LINE_TAG.findall(carry))


def quarantine_whole_file(
    path: Path,
    file_hash: str,
    code: str,
    reason: str,
    ctx: IngestContext,
    *,
    kind: str = "istandaarden",
    bericht_type: str | None = None,
    wet: str | None = None,
    line_number: int | None = None,
) -> ParsedFile:
    """Reject a file as a whole. Its lines count as quarantined (at least one: the file), and
    what quarantine keeps of it is redacted: no personal data, whatever the file was."""
    if kind == "istandaarden":
        lines = max(1, count_line_records(path))
        text, truncated = redacted_file(path, ctx.pseudonymiser, FRAGMENT_LIMIT)
    else:
        lines = 1
        text, truncated = (
            f"[{path.stat().st_size} bytes of an unrecognised file; content not kept because it "
            "may hold personal data — the file itself stays in the inbox]",
            False,
        )
    report = FileReport(
        source_file=path.name,
        file_hash=file_hash,
        file_kind=kind,
        status="quarantined",
        bericht_type=bericht_type,
        wet=wet,
        reason_code=code,
        reason=reason,
        lines_in=lines,
        lines_loaded=0,
        lines_quarantined=lines,
    )
    q = QuarantineRecord(
        scope="file",
        reason_code=code,
        reason=reason,
        original_fragment=text,
        fragment_truncated=truncated,
        bericht_type=bericht_type,
        wet=wet,
        line_number=line_number,
    )
    return ParsedFile(report, {}, [q])


def parse_message_file(path: Path, file_hash: str, ctx: IngestContext) -> ParsedFile:
    """Everything about one file, decided in memory; nothing is written here."""
    from sdw.istandaarden.schema import describe_error, schema_for, validate_file

    try:
        mt = detect_message_type(path)
    except etree.XMLSyntaxError as exc:
        return quarantine_whole_file(path, file_hash, "NOT_XML", f"Not well-formed XML: {exc}", ctx)
    except NotAMessage as exc:
        return quarantine_whole_file(
            path,
            file_hash,
            "NOT_ISTANDAARDEN",
            f"Not an iWmo/iJw 3.2 message ({exc}); only iStandaarden 3.2 messages belong in "
            "the inbox.",
            ctx,
        )

    if mt.number == "301" and not ctx.has_address_file():
        # A 301's address is reduced to a CBS area at ingest and never kept, so loading it
        # before any address file would lose its district for good. It waits in the inbox.
        report = FileReport(
            path.name,
            file_hash,
            "istandaarden",
            "deferred",
            mt.number,
            mt.law,
            reason_code="NO_ADDRESS_FILE",
            reason="No CBS address file loaded yet; add one to the inbox.",
        )
        return ParsedFile(report, {}, [])

    try:
        body = None
        if mt.number == "323":
            try:
                body = _read_declaration_lines(read_declaration(path, mt, schema_for(mt)), ctx)
            except NeedsStreaming:
                body = None  # nothing of it was kept: read it again, record by record
        if body is None:
            body = _read_records(path, mt, ctx)
    except etree.XMLSyntaxError as exc:
        # Re-validate to learn line numbers (streaming validation does not report them).
        reasons = validate_file(path) or [describe_error(exc)]
        reason = "; ".join(reasons[:3]) + (
            f" (+{len(reasons) - 3} more)" if len(reasons) > 3 else ""
        )
        return quarantine_whole_file(
            path,
            file_hash,
            "SCHEMA",
            f"{mt.name} does not conform to the iStandaarden 3.2 schema: {reason}. Nothing of "
            "this file was loaded; ask the sender for a corrected message.",
            ctx,
            bericht_type=mt.number,
            wet=mt.law,
            line_number=getattr(exc, "lineno", None),
        )

    if body.declaratie_total is not None and body.declaratie_total != body.signed_total_lines:
        return quarantine_whole_file(
            path,
            file_hash,
            "TOTAL_MISMATCH",
            f"TotaalIngediendBedrag {body.declaratie_total / 100:.2f} (signed) differs from the "
            f"signed sum of the lines {body.signed_total_lines / 100:.2f}; the whole "
            "declaration is rejected.",
            ctx,
            bericht_type=mt.number,
            wet=mt.law,
        )

    lines_loaded = body.lines_loaded
    if body.loaded_lines:
        lines_loaded -= _drop_loaded_duplicates(
            path, mt, body.header, body.tables, body.quarantine, body.loaded_lines, ctx
        )

    body.add("istandaarden_bericht", dict(body.header))
    report = FileReport(
        source_file=path.name,
        file_hash=file_hash,
        file_kind="istandaarden",
        status="loaded_with_rejections" if body.quarantine else "loaded",
        bericht_type=mt.number,
        wet=mt.law,
        lines_in=body.lines_in,
        lines_loaded=lines_loaded,
        lines_quarantined=body.lines_in - lines_loaded,
    )
    return ParsedFile(report, body.tables, body.quarantine)


def _duplicate_reason(ref: str) -> str:
    return (
        f"ReferentieNummer {ref} was already declared by this provider under this law "
        "(OP283: unique per provider and law); a correction is a credit plus a new line."
    )


@dataclass
class _Body:
    """What a reader made of a file's content, before the file-level rules."""

    header: dict[str, object] = field(default_factory=dict)
    tables: dict[str, tuple[list[str], list[list[object]]]] = field(default_factory=dict)
    quarantine: list[QuarantineRecord] = field(default_factory=list)
    lines_in: int = 0
    lines_loaded: int = 0
    signed_total_lines: int = 0
    declaratie_total: int | None = None
    # OP283: a ReferentieNummer is unique per provider within a law. A repeat inside the file
    # is caught while reading; one already loaded from an earlier file (a re-sent
    # declaration) is caught in one query after the file is read.
    loaded_lines: dict[str, tuple[int, str]] = field(default_factory=dict)  # ref -> (row, path)

    def add(self, table: str, row: dict[str, object]) -> None:
        _cols, rows = self.tables.setdefault(table, (list(row), []))
        rows.append(list(row.values()))

    def reject(
        self,
        rejection: Rejection,
        element: etree._Element,
        bsn: object,
        mt: MessageType,
        record_path: str,
        pseudo: Pseudonymiser,
    ) -> None:
        fragment = redacted_fragment(element, pseudo)
        if bsn is not None:
            fragment = f"<!-- Client Bsn {pseudo.mask(str(bsn))} -->\n{fragment}"
        self.quarantine.append(
            QuarantineRecord(
                scope="record",
                reason_code=rejection.code,
                reason=rejection.reason,
                original_fragment=fragment,
                bericht_type=mt.number,
                wet=mt.law,
                record_path=record_path,
                line_number=element.sourceline,
            )
        )


def _read_declaration_lines(d: DeclarationReader, ctx: IngestContext) -> _Body:
    """The record rules over a 323 read in bulk (see ``sdw.istandaarden.declarations``): the
    same rows as ``_read_records`` gives, with values as the message spells them (PostgreSQL
    reads them when they are copied in)."""
    mt, pseudo = d.mt, ctx.pseudonymiser
    body = _Body()
    keys = d.reader.prestatie_keys
    columns = [*HEADER_KEYS, "declaratienummer", *keys, "bsn_pseudoniem"]
    rows: list[list[object]] = []
    at = {k: i + 3 for i, k in enumerate(keys)}
    i_ref, i_cat = at["referentienummer"], at["productcategorie"]
    i_begin, i_end = at["productperiode_begindatum"], at["productperiode_einddatum"]
    i_amount, i_dc = at["ingediend_bedrag"], at["debet_credit"]
    categories = product_categories().get(mt.law, frozenset())
    seen: set[str] = set()
    signed = lines_in = 0
    common: list[object] = []
    for chunk in d.chunks():
        if not common:
            assert d.header is not None and d.declaratie is not None
            common = [d.header[k] for k in HEADER_KEYS] + [d.declaratie["declaratienummer"]]
        lines_in += len(chunk.lines)
        for f in chunk.lines:
            bsn, ref = f[2], f[i_ref]
            cents = _whole(f[i_amount])
            signed += cents if f[i_dc] == "D" else -cents
            rejection = (
                _bsn_rejection(bsn)
                or _prestatie_rejection(
                    f[i_cat], f[i_begin].strip(), f[i_end].strip(), mt.law, categories
                )
                or (Rejection("DUPLICATE_LINE", _duplicate_reason(ref)) if ref in seen else None)
            )
            seen.add(ref)
            if rejection is not None:
                client, position = int(f[0]), int(f[1])
                body.reject(
                    rejection,
                    chunk.prestatie(client, position),
                    bsn,
                    mt,
                    f"Client[{client}]/Prestatie[{position}]",
                    pseudo,
                )
                continue
            body.loaded_lines[ref] = (len(rows), f"Client[{f[0]}]/Prestatie[{f[1]}]")
            rows.append([*common, *[v or None for v in f[3:]], pseudo(bsn)])
    assert d.header is not None and d.declaratie is not None  # else NeedsStreaming was raised
    body.header = d.header
    body.lines_in = lines_in
    body.lines_loaded = len(rows)
    body.signed_total_lines = signed
    body.tables["istandaarden_323_prestatie"] = (columns, rows)
    declaratie = dict(d.declaratie, prestaties_in=lines_in, prestaties_loaded=len(rows))
    body.declaratie_total = _signed(
        declaratie["totaal_ingediend_bedrag"], declaratie["totaal_debet_credit"]
    )
    body.add("istandaarden_323_declaratie", declaratie)
    return body


def _whole(text: str) -> int:
    """An amount as spelled in the message. Validation may report a bad one only at the end of
    the file, which is then rejected whole: until then it counts as 0 rather than failing."""
    try:
        return int(text)
    except ValueError:
        return 0


def _read_records(path: Path, mt: MessageType, ctx: IngestContext) -> _Body:
    """Any message, streamed record by record (``sdw.istandaarden.parse.read_message``)."""
    from sdw.istandaarden.schema import schema_for

    pseudo = ctx.pseudonymiser
    body = _Body()
    seen_references: set[str] = set()
    for item in read_message(path, mt, schema_for(mt)):
        if isinstance(item, Header):
            body.header = item.row
            continue
        rec = item
        row = rec.row
        is_line = rec.table not in _MESSAGE_LEVEL
        if rec.table == "istandaarden_323_prestatie":
            body.signed_total_lines += _signed(row["ingediend_bedrag"], row["debet_credit"]) or 0
        if rec.table == "istandaarden_323_declaratie":
            body.declaratie_total = _signed(
                row["totaal_ingediend_bedrag"], row["totaal_debet_credit"]
            )
            row["prestaties_in"] = body.lines_in
            row["prestaties_loaded"] = body.lines_loaded
        if is_line:
            body.lines_in += 1
            rejection = _line_rejection(rec, mt.law)
            ref = str(row.get("referentienummer"))
            if rejection is None and rec.table == "istandaarden_323_prestatie":
                if ref in seen_references:
                    rejection = Rejection("DUPLICATE_LINE", _duplicate_reason(ref))
                seen_references.add(ref)
            if rejection is not None:
                body.reject(rejection, rec.element, row.get("_bsn"), mt, rec.record_path, pseudo)
                continue
            body.lines_loaded += 1
            if rec.table == "istandaarden_323_prestatie":
                body.loaded_lines[ref] = (
                    len(body.tables.get(rec.table, ((), []))[1]),
                    rec.record_path,
                )
        elif rec.table == "istandaarden_301_client" and not passes_elfproef(str(row["_bsn"])):
            continue  # its products are quarantined one by one
        body.add(rec.table, _clean(rec.table, row, ctx))
    return body


def _drop_loaded_duplicates(
    path: Path,
    mt: MessageType,
    header: dict[str, object],
    tables: dict[str, tuple[list[str], list[list[object]]]],
    quarantine: list[QuarantineRecord],
    loaded_lines: dict[str, tuple[int, str]],
    ctx: IngestContext,
) -> int:
    """Move lines whose ReferentieNummer this provider already declared under this law from
    the rows to quarantine; returns how many. Their original text is read again (rarely
    needed, so the common path keeps no fragments)."""
    already = ctx.loaded_references(mt.law, str(header["aanbieder_agb"]), sorted(loaded_lines))
    if not already:
        return 0
    paths = {loaded_lines[ref][1]: ref for ref in already}
    for item in read_message(path, mt, None):
        if isinstance(item, Record) and item.record_path in paths:
            if item.table != "istandaarden_323_prestatie":
                continue
            bsn = str(item.row.get("_bsn"))
            quarantine.append(
                QuarantineRecord(
                    scope="record",
                    reason_code="DUPLICATE_LINE",
                    reason=_duplicate_reason(paths[item.record_path]),
                    original_fragment=f"<!-- Client Bsn {ctx.pseudonymiser.mask(bsn)} -->\n"
                    + redacted_fragment(item.element, ctx.pseudonymiser),
                    bericht_type=mt.number,
                    wet=mt.law,
                    record_path=item.record_path,
                    line_number=item.sourceline,
                )
            )
    drop = {loaded_lines[ref][0] for ref in already}
    cols, rows = tables["istandaarden_323_prestatie"]
    tables["istandaarden_323_prestatie"] = (
        cols,
        [r for i, r in enumerate(rows) if i not in drop],
    )
    dcols, drows = tables["istandaarden_323_declaratie"]
    at = dcols.index("prestaties_loaded")
    for r in drows:
        r[at] = int(r[at]) - len(drop)  # type: ignore[call-overload]
    return len(drop)


def _clean(table: str, row: dict[str, object], ctx: IngestContext) -> dict[str, object]:
    """Replace what must never be written: BSN -> pseudonym, BRP address -> CBS area."""
    out = {k: v for k, v in row.items() if not k.startswith("_")}
    if "_bsn" in row:
        out["bsn_pseudoniem"] = ctx.pseudonymiser(str(row["_bsn"]))
    if table == "istandaarden_301_client":
        if row["_has_brp"]:
            status, buurt, wijk, gemeente = ctx.lookup_address(
                str(row["_postcode"]),
                int(row["_huisnummer"]),  # type: ignore[call-overload]
            )
        else:
            status, buurt, wijk, gemeente = "no_brp_address", None, None, None
        out.update(adres_status=status, buurtcode=buurt, wijkcode=wijk, adres_gemeentecode=gemeente)
    return out
