"""The ingest's cost, stage by stage, on one core: what each step adds on top of lxml's tree
build, and what other extraction designs cost on the same files. No database.

    uv run --group bench python -m bench.ladder --scale 1m [--files 40]

Stages (each a full pass over the same 323 files, in this process, lines/s on one core):
  tree              etree.parse                               (parse ceiling per core)
  tree+xsd          etree.parse, then XMLSchema.validate(tree)
  iterparse         etree.iterparse(tag=Client..., remove_blank_text), clear as the project does
  iterparse+xsd     the same with the project's schema validating while parsing
  read_message      the project's extraction (findtext per field, dict per row)
  parse_file        the project's parse_message_file (rules, pseudonymise, rows), no DB
  alt: children     iterparse+xsd, one pass over each Prestatie's children instead of findtext
  alt: xslt         validating parse + one XSLT turning all Prestaties into TSV text, then per
                    line: split, pseudonymise (cached HMAC), elfproef, join — ready for COPY text
Writes ``bench/results/ladder-<date>.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import sys
import time
from pathlib import Path

from lxml import etree

from bench.common import PSEUDONYM_KEY, RESULTS
from bench.workload import SCALES, count_lines, sample_decl

XSLT = """<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:m="{m}" xmlns:b="{b}">
 <xsl:output method="text" encoding="UTF-8"/>
 <xsl:template match="/">
  <xsl:for-each select="/m:Bericht/m:Declaratie/m:Clienten/m:Client">
   <xsl:variable name="bsn" select="m:Bsn"/>
   <xsl:for-each select="m:Prestaties/m:Prestatie">
    <xsl:value-of select="$bsn"/><xsl:text>&#9;</xsl:text>
    <xsl:value-of select="m:ProductReferentie/b:ReferentieNummer"/><xsl:text>&#9;</xsl:text>
    <xsl:value-of select="m:ProductReferentie/b:VorigReferentieNummer"/><xsl:text>&#9;</xsl:text>
    <xsl:value-of select="m:ToewijzingNummer"/><xsl:text>&#9;</xsl:text>
    <xsl:value-of select="m:ProductCategorie"/><xsl:text>&#9;</xsl:text>
    <xsl:value-of select="m:ProductCode"/><xsl:text>&#9;</xsl:text>
    <xsl:value-of select="m:ProductPeriode/b:Begindatum"/><xsl:text>&#9;</xsl:text>
    <xsl:value-of select="m:ProductPeriode/b:Einddatum"/><xsl:text>&#9;</xsl:text>
    <xsl:value-of select="m:GeleverdVolume"/><xsl:text>&#9;</xsl:text>
    <xsl:value-of select="m:Eenheid"/><xsl:text>&#9;</xsl:text>
    <xsl:value-of select="m:ProductTarief"/><xsl:text>&#9;</xsl:text>
    <xsl:value-of select="m:IngediendBedrag/b:Bedrag"/><xsl:text>&#9;</xsl:text>
    <xsl:value-of select="m:IngediendBedrag/b:DebetCredit"/><xsl:text>&#10;</xsl:text>
   </xsl:for-each>
  </xsl:for-each>
 </xsl:template>
</xsl:stylesheet>"""


def _mt(path: Path):
    from sdw.istandaarden.parse import detect_message_type

    return detect_message_type(path)


def stage_tree(files, _ctx):
    for f in files:
        etree.parse(str(f))


def stage_tree_xsd(files, _ctx):
    from sdw.istandaarden.schema import schema_for

    for f in files:
        tree = etree.parse(str(f))
        if not schema_for(_mt(f)).validate(tree):
            raise AssertionError(f"{f} invalid")


def _iterparse(files, with_schema: bool):
    from sdw.istandaarden.schema import schema_for

    for f in files:
        mt = _mt(f)
        m = "{" + mt.namespace + "}"
        kwargs = {"events": ("end",), "tag": [m + "Header", m + "Client", m + "Declaratie"]}
        if with_schema:
            kwargs["schema"] = schema_for(mt)
        for _ev, elem in etree.iterparse(str(f), remove_blank_text=True, **kwargs):
            if elem.tag == m + "Client":
                elem.clear(keep_tail=True)
                parent = elem.getparent()
                while elem.getprevious() is not None:
                    del parent[0]


def stage_iterparse(files, _ctx):
    _iterparse(files, False)


def stage_iterparse_xsd(files, _ctx):
    _iterparse(files, True)


def stage_read_message(files, _ctx):
    from sdw.istandaarden.parse import read_message
    from sdw.istandaarden.schema import schema_for

    for f in files:
        mt = _mt(f)
        for _item in read_message(f, mt, schema_for(mt)):
            pass


def _context():
    from sdw.ingest.contract import IngestContext
    from sdw.pseudonym import Pseudonymiser

    return IngestContext(
        Pseudonymiser(PSEUDONYM_KEY),
        lambda _pc, _nr: ("not_found", None, None, None),
        lambda: True,
        lambda _wet, _agb, _numbers: set(),
    )


def stage_parse_file(files, ctx):
    from sdw.istandaarden.parse import parse_message_file

    for f in files:
        parsed = parse_message_file(f, "0" * 64, ctx)
        if parsed.report.status == "quarantined":
            raise AssertionError(parsed.report.reason)


_FIELDS = (
    "ReferentieNummer",
    "VorigReferentieNummer",
    "ToewijzingNummer",
    "ProductCategorie",
    "ProductCode",
    "Begindatum",
    "Einddatum",
    "GeleverdVolume",
    "Eenheid",
    "ProductTarief",
    "Bedrag",
    "DebetCredit",
)


def stage_children(files, _ctx):
    """Pure-Python best case: one walk over each Prestatie's descendants, no path lookups."""
    from sdw.istandaarden.schema import schema_for

    pseudo: dict[str, str] = {}
    for f in files:
        mt = _mt(f)
        m = "{" + mt.namespace + "}"
        bsn_tag, pres = m + "Bsn", m + "Prestatie"
        rows = []
        bsn = None
        for _ev, elem in etree.iterparse(
            str(f), events=("end",), tag=[bsn_tag, pres, m + "Client"], schema=schema_for(mt)
        ):
            tag = elem.tag
            if tag == bsn_tag:
                bsn = elem.text
            elif tag == pres:
                vals = {}
                for child in elem.iter():
                    if child.text and len(child) == 0:
                        vals[child.tag.rpartition("}")[2]] = child.text
                p = pseudo.get(bsn)
                if p is None:
                    p = pseudo[bsn] = hmac.new(
                        PSEUDONYM_KEY, bsn.encode(), hashlib.sha256
                    ).hexdigest()
                rows.append([p, *(vals.get(k) for k in _FIELDS)])
            else:
                elem.clear(keep_tail=True)
                parent = elem.getparent()
                while elem.getprevious() is not None:
                    del parent[0]


def stage_xslt(files, _ctx, validate: bool = True):
    """Validating parse, one XSLT to TSV, per line: pseudonymise + elfproef (cached per BSN)."""
    from sdw.istandaarden.schema import schema_for
    from sdw.pseudonym import passes_elfproef

    transforms: dict[str, etree.XSLT] = {}
    parsers: dict[str, etree.XMLParser] = {}
    pseudo: dict[str, str | None] = {}
    out_bytes = 0
    for f in files:
        mt = _mt(f)
        if mt.name not in transforms:
            transforms[mt.name] = etree.XSLT(
                etree.XML(XSLT.format(m=mt.namespace, b=mt.basis_namespace).encode())
            )
            parsers[mt.name] = (
                etree.XMLParser(schema=schema_for(mt)) if validate else etree.XMLParser()
            )
        tree = etree.parse(str(f), parsers[mt.name])
        text = str(transforms[mt.name](tree))
        lines = []
        for line in text.splitlines():
            bsn, _, rest = line.partition("\t")
            p = pseudo.get(bsn, "")
            if p == "":
                p = pseudo[bsn] = (
                    hmac.new(PSEUDONYM_KEY, bsn.encode(), hashlib.sha256).hexdigest()
                    if passes_elfproef(bsn)
                    else None
                )
            if p is not None:
                lines.append(p + "\t" + rest)
        out_bytes += sum(map(len, lines))


def stage_xslt_novalidate(files, ctx):
    stage_xslt(files, ctx, validate=False)


def _variant_schema(mt, strip: tuple[str, ...]) -> etree.XMLSchema:
    """The project's schema for ``mt`` with the named facets (xs:pattern, xs:enumeration)
    removed — to see which facets the validation time goes to."""
    import re

    from sdw.istandaarden import schema as project_schema

    def cut(xsd: bytes) -> bytes:
        for facet in strip:
            xsd = re.sub(rb"<xs:" + facet.encode() + rb" [^>]*/>", b"", xsd)
        return xsd

    class Resolver(etree.Resolver):
        def resolve(self, system_url, public_id, context):
            for law in ("wmo", "jeugdwet"):
                if system_url.endswith(project_schema._basis_location(law)):
                    return self.resolve_string(cut(project_schema.basisschema_xsd(law)), context)
            return None

    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(Resolver())
    doc = etree.fromstring(
        cut(project_schema.message_xsd(mt)),
        parser,
        base_url=f"{project_schema._BASE_URL}{mt.name}.xsd",
    )
    return etree.XMLSchema(etree.ElementTree(doc))


def facets(files, repeat: int) -> dict[str, float]:
    """Validation-only CPU (µs per line) on already-built trees, per schema variant."""
    lines = sum(count_lines(f) for f in files)
    trees = [(_mt(f), etree.parse(str(f))) for f in files]
    out = {}
    for label, strip in (
        ("full schema", ()),
        ("without xs:pattern", ("pattern",)),
        ("without xs:enumeration", ("enumeration",)),
        ("without both", ("pattern", "enumeration")),
    ):
        schemas = {}
        best = float("inf")
        for _ in range(repeat):
            cpu = time.process_time()
            for mt, tree in trees:
                sch = schemas.get(mt.name)
                if sch is None:
                    started = time.process_time()
                    sch = schemas[mt.name] = _variant_schema(mt, strip)
                    cpu += time.process_time() - started  # compile time not counted
                if not sch.validate(tree):
                    raise AssertionError(sch.error_log)
            best = min(best, time.process_time() - cpu)
        out[label] = round(1e6 * best / lines, 2)
        print(f"  validate, {label:<24} {out[label]:6.2f} us/line")
    return out


STAGES = {
    "tree": stage_tree,
    "tree+xsd": stage_tree_xsd,
    "iterparse": stage_iterparse,
    "iterparse+xsd": stage_iterparse_xsd,
    "read_message": stage_read_message,
    "parse_file": stage_parse_file,
    "alt: children": stage_children,
    "alt: xslt": stage_xslt,
    "alt: xslt, no xsd": stage_xslt_novalidate,
}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="bench.ladder", description=__doc__)
    p.add_argument("--scale", default="1m", choices=list(SCALES))
    p.add_argument("--files", type=int, default=40)
    p.add_argument("--repeat", type=int, default=2, help="best of N passes per stage")
    args = p.parse_args(argv)
    files = sample_decl(args.scale, args.files)
    lines = sum(count_lines(f) for f in files)
    ctx = _context()
    stage_parse_file(files[:1], ctx)  # warm: schemas compiled, modules imported
    stage_xslt(files[:1], ctx)
    result: dict[str, object] = {"files": len(files), "lines": lines, "stages": {}}
    print(f"{len(files)} files, {lines:,} lines, one core, best of {args.repeat}")
    print("  (CPU seconds of this process: robust when others load the machine; wall beside)")
    base = None
    for name, fn in STAGES.items():
        cpu, wall = min(_timed(fn, files, ctx) for _ in range(args.repeat))
        rate = lines / cpu
        base = base or rate
        result["stages"][name] = {  # type: ignore[index]
            "cpu_s": round(cpu, 3),
            "wall_s": round(wall, 3),
            "lines_per_cpu_s": round(rate),
            "us_per_line": round(1e6 * cpu / lines, 2),
        }
        print(
            f"  {name:<18} {cpu:7.2f} s cpu {wall:7.2f} s wall {rate:>9,.0f} lines/s "
            f"{1e6 * cpu / lines:6.1f} us/line ({rate / base:.2f} of tree)"
        )
    print("schema validation of built trees, by facets present:")
    result["validation_us_per_line"] = facets(files, args.repeat)
    out = RESULTS / f"ladder-{time.strftime('%Y-%m-%d')}.json"
    out.write_text(json.dumps(result, indent=1) + "\n")
    return 0


def _timed(fn, files, ctx) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    fn(files, ctx)
    return time.process_time() - cpu, time.perf_counter() - wall


if __name__ == "__main__":
    sys.exit(main())
