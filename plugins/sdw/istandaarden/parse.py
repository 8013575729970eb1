"""Parse one iWmo/iJw message file: validate while reading, apply the record and file rules
(``sdw.istandaarden.rules``), pseudonymise, reduce addresses to areas, and return the rows per
raw table and the quarantine records — or the file refused whole.

Whatever goes wrong while reading one file ends as that file's quarantine; nothing here touches
the warehouse (what it needs of it, it asks through the ``IngestContext``), so only the
caller's database errors can stop a delivery.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from lxml import etree

from sdw.ingest.contract import (
    Answers,
    IngestContext,
    ParsedFile,
    PendingLookups,
    deferred_file,
    resolved,
)
from sdw.ingest.contract import quarantine_whole_file as _quarantine_whole_file
from sdw.ingest.report import FileReport
from sdw.ingest.writer import QuarantineRecord
from sdw.istandaarden.declarations import (
    BSN_AT,
    CLIENT_AT,
    FIELDS_FROM,
    PRESTATIE_AT,
    DeclarationReader,
    NeedsStreaming,
    read_declaration,
)
from sdw.istandaarden.messages import MessageType
from sdw.istandaarden.reader import (
    HEADER_KEYS,
    HasDoctype,
    Header,
    MalformedMessage,
    NotAMessage,
    Record,
    detect_message_type,
    read_message,
)
from sdw.istandaarden.redact import redacted_fragment, whole_file
from sdw.istandaarden.rules import (
    BSN_IN_NUMBER,
    DTD,
    ENCODING,
    NOT_ISTANDAARDEN,
    NOT_XML,
    SCHEMA,
    TOTAL_MISMATCH,
    Rejection,
    bsn_rejection,
    duplicate_rejection,
    line_rejection,
    missing_rejection,
    prestatie_rejection,
    signed,
    value_rejection,
)
from sdw.istandaarden.tables import (
    BERICHT,
    CLIENT_301,
    DECLARATIE_323,
    FILE_KIND,
    MESSAGE_LEVEL,
    PRESTATIE_323,
)
from sdw.istandaarden.values import (
    Unreadable,
    as_date,
    date_text,
    first_unreadable,
    int_text,
)
from sdw.pseudonym import BsnScrubber, Pseudonymiser, mask_bsns, passes_elfproef
from sdw.seeds import product_categories

_REASON_LINE = re.compile(r"line ([0-9]+): ")
# How validate_file words a document that is not XML at all (NOT_XML rather than SCHEMA).
_NOT_WELL_FORMED = "not well-formed XML: "

# A message refused whole: its lines counted and its text redacted as a message.
quarantine_whole_file = partial(_quarantine_whole_file, kind=FILE_KIND, redaction=whole_file)


def _is_content_error(exc: BaseException) -> bool:
    """lxml reports a file it cannot decode as OSError without an errno ("Error reading file
    ...: Invalid bytes in character encoding"); a real I/O error carries one."""
    return isinstance(exc, etree.LxmlError) or (isinstance(exc, OSError) and exc.errno is None)


_XML_DECLARATION = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def encoding_problem(path: Path) -> str | None:
    """What makes the file's bytes not text in the encoding it declares (UTF-8 when it declares
    none), said the same way whichever parser stumbled on it; None when they are text."""
    data = path.read_bytes()
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), None)
    if encoding is None:
        m = _XML_DECLARATION.match(data)
        encoding = m[1].decode("ascii") if m else "utf-8"
    try:
        data.decode(encoding)
    except LookupError:
        return f"it declares encoding {encoding!r}, which is not an encoding"
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return f"byte 0x{data[exc.start]:02X} on line {line} is not valid {encoding}"
    return None


def _unreadable_file(
    path: Path, file_hash: str, detail: str, ctx: IngestContext, mt: MessageType | None
) -> ParsedFile:
    """ENCODING or NOT_XML for a file the parser could not read as text or as XML."""
    problem = encoding_problem(path)
    what = mt.name if mt is not None else "The file"
    if problem is not None:
        code, reason = (
            ENCODING,
            f"{what} is not text in its declared encoding: {problem}. Nothing of it was "
            "loaded; iStandaarden messages are UTF-8: ask the sender for a corrected message.",
        )
    else:
        code, reason = NOT_XML, f"Not well-formed XML: {detail}"
    return quarantine_whole_file(
        path,
        file_hash,
        code,
        reason,
        ctx,
        bericht_type=mt.number if mt else None,
        wet=mt.law if mt else None,
    )


def _first_line(exc: BaseException) -> str:
    # lxml's OSError repeats the file's full path; the ledger names the file already.
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return re.sub(r"^Error reading file '[^']*': ", "", text)


def parse_message_file(
    path: Path, file_hash: str, ctx: IngestContext, *, bulk: bool = True
) -> ParsedFile:
    """Everything about one file, decided in memory; nothing is written here. ``bulk=False``
    reads a 323 with the streaming reader only (the bulk reader's reference, for tests)."""
    from sdw.istandaarden.schema import describe_error, schema_for, validate_file

    try:
        mt = detect_message_type(path)
    except HasDoctype:
        return quarantine_whole_file(
            path,
            file_hash,
            DTD,
            "The file declares a DOCTYPE. iStandaarden messages have none, and entities from "
            "a DTD are never expanded here; nothing of it was loaded.",
            ctx,
        )
    except NotAMessage as exc:
        return quarantine_whole_file(
            path,
            file_hash,
            NOT_ISTANDAARDEN,
            f"Not an iWmo/iJw 3.2 message ({exc}); only iStandaarden 3.2 messages belong in "
            "the inbox.",
            ctx,
        )
    except (etree.LxmlError, OSError) as exc:
        if not _is_content_error(exc):
            raise  # the disk, not the file
        return _unreadable_file(path, file_hash, _first_line(exc), ctx, None)

    if mt.number == "301" and not ctx.has_address_file():
        # A 301's address is reduced to a CBS area at ingest and never kept, so loading it
        # before any address file would lose its district for good. It waits in the inbox.
        return deferred_file(path, file_hash, FILE_KIND, mt.number, mt.law)

    try:
        body = None
        if mt.number == "323" and bulk:
            try:
                body = _read_declaration_lines(read_declaration(path, mt, schema_for(mt)), ctx)
            except NeedsStreaming:
                body = None  # nothing of it was kept: read it again, record by record
        if body is None:
            body = _read_records(path, mt, ctx)
    except (etree.LxmlError, OSError, MalformedMessage) as exc:
        if not _is_content_error(exc) and not isinstance(exc, MalformedMessage):
            raise  # the disk, not the file
        if encoding_problem(path) is not None:
            return _unreadable_file(path, file_hash, _first_line(exc), ctx, mt)
        # Re-validate to learn line numbers (streaming validation does not report them).
        reasons = validate_file(path)
        if not reasons and isinstance(exc, MalformedMessage):
            raise  # schema-valid, yet our reader found it malformed: a bug, not the file
        reasons = reasons or [describe_error(exc)]
        if reasons[0].startswith(_NOT_WELL_FORMED):
            return _unreadable_file(path, file_hash, reasons[0][len(_NOT_WELL_FORMED) :], ctx, mt)
        reason = "; ".join(reasons[:3]) + (
            f" (+{len(reasons) - 3} more)" if len(reasons) > 3 else ""
        )
        return quarantine_whole_file(
            path,
            file_hash,
            SCHEMA,
            f"{mt.name} does not conform to the iStandaarden 3.2 schema: {reason}. Nothing of "
            "this file was loaded; ask the sender for a corrected message.",
            ctx,
            bericht_type=mt.number,
            wet=mt.law,
            line_number=int(m[1]) if (m := _REASON_LINE.match(reasons[0])) else None,
        )

    # A message-level value that cannot be kept voids the file: no line stands without it.
    for row in (body.header, *body.message_rows()):
        bad = first_unreadable(row)
        rejection = value_rejection(*bad) if bad else None
        if rejection is None:
            missing = [
                c
                for c in ctx.required_columns.get(str(row.get("_table", "")), ())
                if c in row and row[c] is None
            ]
            rejection = missing_rejection(sorted(missing)) if missing else None
        if rejection is not None:
            return quarantine_whole_file(
                path,
                file_hash,
                rejection.code,
                f"{mt.name}: {rejection.reason} Nothing of this file was loaded.",
                ctx,
                bericht_type=mt.number,
                wet=mt.law,
            )

    if body.declaratie_total is not None and body.declaratie_total != body.signed_total_lines:
        return quarantine_whole_file(
            path,
            file_hash,
            TOTAL_MISMATCH,
            f"TotaalIngediendBedrag {body.declaratie_total / 100:.2f} (signed) differs from the "
            f"signed sum of the lines {body.signed_total_lines / 100:.2f}; the whole "
            "declaration is rejected.",
            ctx,
            bericht_type=mt.number,
            wet=mt.law,
        )

    number = _number_holding_bsn(body)
    if number is not None:
        return quarantine_whole_file(
            path,
            file_hash,
            BSN_IN_NUMBER,
            f"{mt.name}: {number} holds a client BSN of this message; a number cannot be "
            "pseudonymised, so nothing of this file was loaded. Ask the sender for a corrected "
            "message.",
            ctx,
            bericht_type=mt.number,
            wet=mt.law,
        )

    body.add(BERICHT, dict(body.header))
    # A BSN where no BSN belongs becomes its pseudonym before anything is written; reasons
    # and fragments are masked with the message's BSNs too.
    scrub = BsnScrubber(ctx.pseudonymiser, body.bsns)
    for table, (columns, rows) in body.tables.items():
        scrub.rows(columns, rows, skip=body.numbers_as_text.get(table, frozenset()))
    for q in body.quarantine:
        q.reason = mask_bsns(q.reason, ctx.pseudonymiser, body.bsns)

    # OP283 across files: which loaded lines' ReferentieNummers the warehouse holds already;
    # and each 301 client's address reduced to its CBS area. Asked of the warehouse once the
    # file is read: by the group it is written with, or here (``resolved``).
    loaded = {scrub.value(ref): at for ref, at in body.loaded_lines.items()}
    addresses = tuple(body.addresses)

    def report(lines_loaded: int) -> FileReport:
        return FileReport(
            source_file=path.name,
            file_hash=file_hash,
            file_kind=FILE_KIND,
            status="loaded_with_rejections" if body.quarantine else "loaded",
            bericht_type=mt.number,
            wet=mt.law,
            lines_in=body.lines_in,
            lines_loaded=lines_loaded,
            lines_quarantined=body.lines_in - lines_loaded,
        )

    def finish(answers: Answers) -> ParsedFile:
        if addresses:
            _fill_addresses(body.tables[CLIENT_301], addresses, answers.addresses)
        lines_loaded = body.lines_loaded
        if answers.references:
            lines_loaded -= _drop_loaded_duplicates(
                path, mt, body.tables, body.quarantine, loaded, answers.references, ctx, body.bsns
            )
        return ParsedFile(report(lines_loaded), body.tables, body.quarantine)

    if not loaded and not addresses:
        return finish(Answers(set(), {}))
    pending = PendingLookups(
        finish,
        mt.law,
        str(body.header["aanbieder_agb"]) if loaded else "",
        tuple(sorted(loaded)),
        tuple(key for _row, key in addresses),
    )
    parsed = ParsedFile(report(body.lines_loaded), body.tables, body.quarantine, pending)
    return parsed if ctx.lookups_per_group else resolved(parsed, ctx)


_ADDRESS_COLUMNS = ("adres_status", "buurtcode", "wijkcode", "adres_gemeentecode")


def _fill_addresses(
    table: tuple[list[str], list[list[object]]],
    addresses: tuple[tuple[int, tuple[str, int]], ...],
    answers: Mapping[tuple[str, int], tuple[str, int | None, int | None, int | None]],
) -> None:
    """Each 301 client row's area columns from the answer for its address."""
    columns, rows = table
    at = [columns.index(c) for c in _ADDRESS_COLUMNS]
    for row_index, key in addresses:
        row = rows[row_index]
        for i, value in zip(at, answers[key], strict=True):
            row[i] = value


def _number_holding_bsn(body: _Body) -> str | None:
    """The first numeric field (amount, volume, rate) equal to a client BSN of the message."""
    if not body.bsns:
        return None
    bsns = {int(b) for b in body.bsns if b.isascii() and b.isdigit()}
    for table, (columns, rows) in body.tables.items():
        if not rows:
            continue
        as_text = body.numbers_as_text.get(table, frozenset())
        # numbers are ints (streaming reader) or, in the bulk reader's columns, digits as text
        at = [
            i
            for i, c in enumerate(columns)
            if c in as_text or any(type(r[i]) is int for r in rows[:1])
        ]
        for row in rows:
            for i in at:
                v = row[i]
                if v and (v if type(v) is int else int(v)) in bsns:  # type: ignore[call-overload]
                    return columns[i]
    return None


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
    bsns: set[str] = field(default_factory=set)  # every client BSN of the message, in clear
    # (row of the 301 client table, (postcode, huisnummer)): BRP addresses to reduce to areas
    addresses: list[tuple[int, tuple[str, int]]] = field(default_factory=list)
    # table -> numeric columns the bulk reader keeps as text (PostgreSQL reads them in COPY)
    numbers_as_text: dict[str, frozenset[str]] = field(default_factory=dict)

    def add(self, table: str, row: dict[str, object]) -> None:
        _cols, rows = self.tables.setdefault(table, (list(row), []))
        rows.append(list(row.values()))

    def message_rows(self) -> list[dict[str, object]]:
        """The message-level rows (a 323's Declaratie, a 325's answer), tagged with their
        table for the required-column check."""
        out = []
        for table in MESSAGE_LEVEL - {CLIENT_301}:
            if table in self.tables:
                cols, rows = self.tables[table]
                out += [dict(zip(cols, r, strict=True), _table=table) for r in rows]
        return out

    def reject(
        self,
        rejection: Rejection,
        element: etree._Element,
        bsn: object,
        mt: MessageType,
        record_path: str,
        pseudo: Pseudonymiser,
    ) -> None:
        if bsn:
            self.bsns.add(str(bsn))
        fragment = redacted_fragment(element, pseudo, self.bsns)
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
    reads them when they are copied in), converted by the same rules (``values.py``)."""
    mt, pseudo = d.mt, ctx.pseudonymiser
    body = _Body()
    keys = d.reader.prestatie_keys
    columns = [*HEADER_KEYS, "declaratienummer", *keys, "bsn_pseudoniem"]
    rows: list[list[object]] = []
    at = {k: i + FIELDS_FROM for i, k in enumerate(keys)}
    i_ref, i_cat = at["referentienummer"], at["productcategorie"]
    i_begin, i_end = at["productperiode_begindatum"], at["productperiode_einddatum"]
    i_amount, i_dc = at["ingediend_bedrag"], at["debet_credit"]
    typed = [
        (at[k], date_text if conv is as_date else int_text, k)
        for k, conv in d.reader.prestatie_converters.items()
    ]
    required = ctx.required_columns.get(PRESTATIE_323, frozenset())
    must = [(at[k], k) for k in keys if k in required]
    categories = product_categories().get(mt.law, frozenset())
    seen: set[str] = set()
    signed_sum = lines_in = 0
    common: list[object] = []
    for chunk in d.chunks():
        if not common:
            if d.header is None or d.declaratie is None:
                raise MalformedMessage("a declaration without its Header")
            common = [d.header[k] for k in HEADER_KEYS] + [d.declaratie["declaratienummer"]]
        lines_in += len(chunk.lines)
        for f in chunk.lines:
            bsn, ref = f[BSN_AT], f[i_ref]
            body.bsns.add(bsn)
            bad: tuple[str, Unreadable] | None = None
            for i, conv, key in typed:
                v = f[i]
                if v:
                    v = f[i] = conv(v)  # type: ignore[assignment]
                    if type(v) is Unreadable and bad is None:
                        bad = (key, v)
            amount = f[i_amount]
            if type(amount) is str and amount:
                signed_sum += signed(int(amount), f[i_dc]) or 0
            missing = [k for i, k in must if not f[i]]
            rejection = (
                bsn_rejection(bsn)
                or (value_rejection(*bad) if bad else None)
                or (missing_rejection(missing) if missing else None)
                or prestatie_rejection(f[i_cat], f[i_begin], f[i_end], mt.law, categories)
                or (duplicate_rejection(ref) if ref in seen else None)
            )
            if rejection is not None:
                client, position = int(f[CLIENT_AT]), int(f[PRESTATIE_AT])
                body.reject(
                    rejection,
                    chunk.prestatie(client, position),
                    bsn,
                    mt,
                    f"Client[{client}]/Prestatie[{position}]",
                    pseudo,
                )
                continue
            seen.add(ref)  # OP283 counts loaded lines, as the warehouse does across files
            body.loaded_lines[ref] = (
                len(rows),
                f"Client[{f[CLIENT_AT]}]/Prestatie[{f[PRESTATIE_AT]}]",
            )
            rows.append([*common, *[v or None for v in f[FIELDS_FROM:]], pseudo(bsn)])
    if d.header is None or d.declaratie is None:  # else NeedsStreaming was raised
        raise MalformedMessage("a declaration without its Header")
    body.header = d.header
    body.lines_in = lines_in
    body.lines_loaded = len(rows)
    body.signed_total_lines = signed_sum
    body.tables[PRESTATIE_323] = (columns, rows)
    body.numbers_as_text[PRESTATIE_323] = frozenset(
        k for k, conv in d.reader.prestatie_converters.items() if conv is not as_date
    )
    declaratie = dict(d.declaratie, prestaties_in=lines_in, prestaties_loaded=len(rows))
    body.declaratie_total = signed(
        declaratie["totaal_ingediend_bedrag"], declaratie["totaal_debet_credit"]
    )
    body.add(DECLARATIE_323, declaratie)
    return body


def _read_records(path: Path, mt: MessageType, ctx: IngestContext) -> _Body:
    """Any message, streamed record by record (``sdw.istandaarden.reader.read_message``)."""
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
        if row.get("_bsn"):
            body.bsns.add(str(row["_bsn"]))
        is_line = rec.table not in MESSAGE_LEVEL
        if rec.table == PRESTATIE_323:
            body.signed_total_lines += signed(row["ingediend_bedrag"], row["debet_credit"]) or 0
        if rec.table == DECLARATIE_323:
            body.declaratie_total = signed(
                row["totaal_ingediend_bedrag"], row["totaal_debet_credit"]
            )
            row["prestaties_in"] = body.lines_in
            row["prestaties_loaded"] = body.lines_loaded
        if is_line:
            body.lines_in += 1
            rejection = line_rejection(rec, mt.law, ctx.required_columns)
            ref = str(row.get("referentienummer"))
            if rejection is None and rec.table == PRESTATIE_323:
                if ref in seen_references:
                    rejection = duplicate_rejection(ref)
                seen_references.add(ref)
            if rejection is not None:
                body.reject(rejection, rec.element, row.get("_bsn"), mt, rec.record_path, pseudo)
                continue
            body.lines_loaded += 1
            if rec.table == PRESTATIE_323:
                body.loaded_lines[ref] = (
                    len(body.tables.get(rec.table, ((), []))[1]),
                    rec.record_path,
                )
        elif rec.table == CLIENT_301 and not passes_elfproef(str(row["_bsn"])):
            continue  # its products are quarantined one by one
        if rec.table == CLIENT_301 and row["_has_brp"]:
            at = len(body.tables[CLIENT_301][1]) if CLIENT_301 in body.tables else 0
            body.addresses.append(
                (at, (str(row["_postcode"]), int(row["_huisnummer"])))  # type: ignore[call-overload]
            )
        body.add(rec.table, _clean(rec.table, row, ctx))
    return body


def _drop_loaded_duplicates(
    path: Path,
    mt: MessageType,
    tables: dict[str, tuple[list[str], list[list[object]]]],
    quarantine: list[QuarantineRecord],
    loaded_lines: dict[str, tuple[int, str]],
    already: set[str],
    ctx: IngestContext,
    bsns: set[str],
) -> int:
    """Move lines whose ReferentieNummer this provider already declared under this law
    (``already``, of the keys of ``loaded_lines``) from the rows to quarantine; returns how
    many. ``loaded_lines`` is keyed by the number as it is stored (a BSN in it pseudonymised).
    Their original text is read again (rarely needed, so the common path keeps no
    fragments)."""
    already = already & loaded_lines.keys()
    if not already:
        return 0
    paths = {loaded_lines[ref][1]: ref for ref in already}
    for item in read_message(path, mt, None):
        if isinstance(item, Record) and item.record_path in paths:
            if item.table != PRESTATIE_323:
                continue
            bsn = str(item.row.get("_bsn"))
            duplicate = duplicate_rejection(paths[item.record_path])
            quarantine.append(
                QuarantineRecord(
                    scope="record",
                    reason_code=duplicate.code,
                    reason=mask_bsns(duplicate.reason, ctx.pseudonymiser, bsns),
                    original_fragment=f"<!-- Client Bsn {ctx.pseudonymiser.mask(bsn)} -->\n"
                    + redacted_fragment(item.element, ctx.pseudonymiser, bsns),
                    bericht_type=mt.number,
                    wet=mt.law,
                    record_path=item.record_path,
                    line_number=item.sourceline,
                )
            )
    drop = {loaded_lines[ref][0] for ref in already}
    cols, rows = tables[PRESTATIE_323]
    tables[PRESTATIE_323] = (
        cols,
        [r for i, r in enumerate(rows) if i not in drop],
    )
    dcols, drows = tables[DECLARATIE_323]
    at = dcols.index("prestaties_loaded")
    for r in drows:
        r[at] = int(r[at]) - len(drop)  # type: ignore[call-overload]
    return len(drop)


def _clean(table: str, row: dict[str, object], ctx: IngestContext) -> dict[str, object]:
    """Replace what must never be written: BSN -> pseudonym, BRP address -> CBS area."""
    out = {k: v for k, v in row.items() if not k.startswith("_")}
    if "_bsn" in row:
        out["bsn_pseudoniem"] = ctx.pseudonymiser(str(row["_bsn"]))
    if table == CLIENT_301:
        # a BRP address is looked up once the file is read (see body.addresses), never kept
        status = None if row["_has_brp"] else "no_brp_address"
        out.update(adres_status=status, buurtcode=None, wijkcode=None, adres_gemeentecode=None)
    return out
