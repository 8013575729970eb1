"""CBS OData: v3 ``TypedDataSet`` (opendata.cbs.nl/ODataApi) and v4 ``Observations``
(datasets.cbs.nl/odata/v1), parsed to long-format observations, and the online download.

Column keys carry numeric suffixes that shift between editions (``GemiddeldeScore_29`` in one,
``_31`` in the next): a measure is named by its meaning, taken from ``DataProperties`` (v3:
the Title path through ParentID) or ``MeasureCodes``/``MeasureGroups`` (v4), and only without
metadata from the key's words with the suffix stripped. Never by the suffix.

Inbox format: a JSON bundle ``{"table_id", "odata_version", "DataProperties"|"MeasureCodes"
+ "MeasureGroups", "TypedDataSet"|"Observations"}`` as ``download_table`` writes it, or one
plain OData response (``{"odata.metadata": "...#TypedDataSet", "value": [...]}``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from sdw.cbs.observations import (
    Observation,
    benefit_meaning,
    measure_meaning,
    normalise_period,
    parse_value,
    region_code,
    strip_suffix,
)
from sdw.cbs.rules import CBS_ODATA_BUNDLE_INVALID, CBS_ODATA_NOT_JSON, FileRefused
from sdw.ingest import text
from sdw.money import shown

log = logging.getLogger(__name__)

V3_BASE = "https://opendata.cbs.nl/ODataApi/odata"
V4_BASE = "https://datasets.cbs.nl/odata/v1/CBS"
SES_TABLES = frozenset({"85163NED", "85539NED", "85900NED", "86092NED"})
# KWB tables have no Perioden dimension: the edition's year belongs to the table.
KWB_TABLES = {
    "84286NED": 2018,
    "84583NED": 2019,
    "84799NED": 2020,
    "85039NED": 2021,
    "85318NED": 2022,
    "85618NED": 2023,
    "85984NED": 2024,
}
# KWB OData keys (suffix stripped) -> the short names of the KWB download.
KWB_KEYS = {
    "AantalInwoners": "a_inw",
    "k_0Tot15Jaar": "a_00_14",
    "k_15Tot25Jaar": "a_15_24",
    "k_25Tot45Jaar": "a_25_44",
    "k_45Tot65Jaar": "a_45_64",
    "k_65JaarOfOuder": "a_65_oo",
    "PersonenPerSoortUitkeringBijstand": "a_soz_wb",
    "JongerenMetJeugdzorgInNatura": "a_jz_tn",
    "PercentageJongerenMetJeugdzorg": "p_jz_tn",
    "WmoClienten": "a_wmo_t",
    "WmoClientenRelatief": "p_wmo_t",
}
_GEO = ("WijkenEnBuurten", "RegioS", "Regio")
_SECRET_ATTRIBUTES = {"Impossible", "Missing", "Confidential", "Secret", "NotAvailable"}


def sniff(path: Path) -> bool:
    if path.suffix.lower() != ".json":
        return False
    try:
        with path.open("rb") as fh:
            head = fh.read(65536).decode("utf-8", errors="ignore")
    except OSError:
        return False
    return "TypedDataSet" in head or "#Observations" in head or '"Observations"' in head


def _json_int(text: str) -> int | Decimal:
    """A JSON integer: an ``int``, or beyond 18 digits a ``Decimal``, which ``parse_value``
    refuses by name. Python refuses to read an integer of more than 4,300 digits as ``int``: a
    ValueError for the whole file instead of one refused record."""
    return int(text) if len(text) <= 18 else Decimal(text)


def _record_text(row: object) -> str:
    """A refused record as quarantine keeps it (a ``Decimal`` from ``_json_int`` as its text)."""
    return json.dumps(row, default=str)[:2000]


def _not_a_bundle(reason: str) -> FileRefused:
    return FileRefused(
        CBS_ODATA_BUNDLE_INVALID,
        f"Not a CBS OData bundle: {reason}; nothing of it was loaded. Download the table again "
        "(python -m sdw.cbs.odata).",
    )


def odata_version(bundle: dict[str, Any]) -> int:
    """3 or 4: the bundle's ``odata_version`` (a number or its ASCII text), else judged by its
    records. Anything else refuses the file with a reason naming it (``int()`` would read
    ``"٤"`` as 4 and ``3.9`` as 3)."""
    stated = bundle.get("odata_version")
    if stated is None or stated == "":
        return 4 if "Observations" in bundle else 3
    if not isinstance(stated, bool) and str(stated).strip() in ("3", "4"):
        return int(str(stated).strip())
    raise _not_a_bundle(f"odata_version {shown(str(stated))} is not 3 or 4")


def _utf8_error_at(data: bytes) -> int | None:
    """The offset of the first byte that is not UTF-8 (a mark at the start allowed), or None."""
    body = data[len(text.BOM) :] if data.startswith(text.BOM) else data
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start + len(data) - len(body)
    return None


def load_document(path: Path) -> object:
    """The file's JSON document. JSON is UTF-8 (RFC 8259; a UTF-8 mark allowed, as
    ``sdw.ingest.text`` reads every source): bytes that are not, or text that is not JSON,
    refuse the file whole as ``CBS_ODATA_NOT_JSON`` naming where. One document has no lines to
    keep apart, and a UTF-16 file read as anything else would be guessed, not read."""
    data = path.read_bytes()
    at = _utf8_error_at(data)
    if at is not None:
        raise FileRefused(
            CBS_ODATA_NOT_JSON,
            f"Byte {at} (0x{data[at]:02x}) is not UTF-8, which JSON must be (a UTF-16 download "
            "starts with 0xff 0xfe); nothing of the file was loaded. Download it again or save "
            "it as UTF-8.",
        )
    try:
        return json.loads(text.decode(data, fallback=None), parse_int=_json_int)
    except json.JSONDecodeError as exc:
        raise FileRefused(
            CBS_ODATA_NOT_JSON,
            f"Not JSON at line {exc.lineno}, column {exc.colno} (character {exc.pos}): "
            f"{exc.msg}; nothing of the file was loaded. Download it again: a cut-off or "
            "edited download does not parse.",
        ) from None
    except RecursionError:
        raise FileRefused(
            CBS_ODATA_NOT_JSON,
            "The JSON is nested deeper than any OData response; nothing of the file was loaded.",
        ) from None


def load_bundle(path: Path) -> dict[str, Any]:
    """The file as a bundle, whichever of the accepted shapes it has; ``FileRefused`` for a
    file that is not JSON or not one of them."""
    doc = load_document(path)
    if not isinstance(doc, dict):
        raise _not_a_bundle(f"the document is a JSON {type(doc).__name__}, not an object")
    if "value" in doc and ("odata.metadata" in doc or "@odata.context" in doc):
        ctx = str(doc.get("odata.metadata") or doc.get("@odata.context"))
        v4 = "#Observations" in ctx
        table = next((p for p in ctx.split("/") if p.upper().endswith("NED")), None)
        return {
            "table_id": table,
            "odata_version": 4 if v4 else 3,
            ("Observations" if v4 else "TypedDataSet"): doc["value"],
        }
    return doc


def _objects(bundle: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """The bundle's array ``name`` (absent: empty) of objects; ``FileRefused`` when it is not
    an array. Metadata entries that are not objects name nothing and are left out."""
    found = bundle.get(name)
    if found is None:
        return []
    if not isinstance(found, list):
        raise _not_a_bundle(f"{name} is a JSON {type(found).__name__}, not an array")
    return [e for e in found if isinstance(e, dict)]


def _hashable(value: object) -> str | int | None:
    """An ID or ParentID as a look-up key: text or a whole number; anything else is none."""
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    return None


def _title_path(title: object, parent: object, by_id: dict[Any, dict[str, Any]], up: str) -> str:
    """``Group/Subgroup/Title`` up the ``up`` (ParentID, ParentId) links; a link seen twice
    ends the path (a cycle in broken metadata would otherwise never end)."""
    parts = [str(title if title is not None else "")]
    seen: set[object] = set()
    key = _hashable(parent)
    while key is not None and key not in seen and key in by_id:
        seen.add(key)
        node = by_id[key]
        parts.insert(0, str(node.get("Title", "")))
        key = _hashable(node.get(up))
    return "/".join(parts)


def _v3_labels(props: list[dict[str, Any]]) -> dict[str, str]:
    """Key -> Title path (``SES-WOA/Totaalscore/Gemiddelde score``) from DataProperties. An
    entry without a text Key names no column and is left out."""
    by_id = {k: p for p in props if (k := _hashable(p.get("ID"))) is not None}
    labels = {}
    for p in props:
        key = p.get("Key")
        if not key or not isinstance(key, str) or "Dimension" in str(p.get("Type")):
            continue
        labels[key] = _title_path(p.get("Title", ""), p.get("ParentID"), by_id, "ParentID")
    return labels


def _v4_labels(codes: list[dict[str, Any]], groups: list[dict[str, Any]]) -> dict[str, str]:
    """Measure code -> Title path from MeasureCodes and MeasureGroups. A code without a text
    Identifier names no measure any record can refer to, so leaving it out loses nothing."""
    by_id = {k: g for g in groups if (k := _hashable(g.get("Id"))) is not None}
    labels = {}
    for c in codes:
        ident = c.get("Identifier")
        if not ident or not isinstance(ident, str):
            continue
        labels[ident] = _title_path(c.get("Title", ""), c.get("MeasureGroupId"), by_id, "ParentId")
    return labels


def _meaning(table_id: str | None, key: str, label: str | None) -> str:
    """KWB keys keep KWB's short names; outside a KWB table a label that names a benefit
    measure wins (the benefits table and KWB share words like "PersonenPerSoortUitkering")."""
    bare = strip_suffix(key)
    if bare in KWB_KEYS and not (table_id not in KWB_TABLES and benefit_meaning(label or "")):
        return KWB_KEYS[bare]
    return measure_meaning(label or key)


def dataset_of(table_id: str | None, measures: set[str]) -> str:
    if table_id in SES_TABLES or "ses_total_score" in measures:
        return "ses_woa"
    if table_id in KWB_TABLES or "a_inw" in measures:
        return "kwb"
    if any(m.startswith("benefit_") or "uitkering" in m for m in measures):
        return "uitkeringen"
    return "statline"


def _period(row: dict[str, Any], table_id: str | None, bundle: dict[str, Any]) -> str:
    if row.get("Perioden") is not None:
        return normalise_period(row["Perioden"])
    if bundle.get("period"):
        return normalise_period(bundle["period"])
    if table_id in KWB_TABLES:
        return str(KWB_TABLES[table_id])
    raise ValueError("no Perioden and no known year for this table")


def _region(row: dict[str, Any]) -> str:
    geo = next((k for k in _GEO if k in row), None)
    if geo is None:
        raise ValueError(f"no region column ({', '.join(_GEO)})")
    return region_code(row[geo])


def _v3_record(
    row: dict[str, Any],
    n: int,
    ctx: tuple[str | None, dict[str, Any], dict[str, str], set[str], dict[str, str | None]],
) -> list[Observation]:
    """A TypedDataSet record's observations, all of them or none (``ValueError``): a record
    is loaded whole or refused whole, so raw never holds part of a refused one."""
    table_id, bundle, labels, dims, names = ctx
    code = _region(row)
    period = _period(row, table_id, bundle)
    out = []
    for key, raw in row.items():
        if key in dims:
            continue
        value, written = parse_value(raw)
        meaning = _meaning(table_id, key, labels.get(key))
        out.append(Observation(code, names.get(code), period, meaning, key, value, written, n))
    if not out:
        raise ValueError("the record holds no measure, only its dimensions")
    return out


def _v4_record(
    row: dict[str, Any],
    n: int,
    ctx: tuple[str | None, dict[str, Any], dict[str, str], set[str], dict[str, str | None]],
) -> list[Observation]:
    """An Observations record: one measure of one region and period."""
    table_id, bundle, labels, _dims, names = ctx
    code = _region(row)
    period = _period(row, table_id, bundle)
    key = row.get("Measure")
    if not isinstance(key, str) or not key.strip():
        raise ValueError(f"Measure {shown(str(key))} is not a measure code")
    value, written = parse_value(row.get("Value"))
    if str(row.get("ValueAttribute") or "None") in _SECRET_ATTRIBUTES:
        value, written = None, str(row.get("ValueAttribute"))
    meaning = _meaning(table_id, key, labels.get(key))
    return [Observation(code, names.get(code), period, meaning, key, value, written, n)]


def read_odata(
    path: Path,
) -> tuple[str | None, int, list[Observation], list[tuple[int, str, str]], int]:
    """(table_id, version, observations, bad records (number, reason, text), records). Raises
    ``FileRefused`` for a file that is not JSON or not an OData bundle (see ``load_bundle``):
    its records cannot be told apart, or what they mean cannot be read."""
    bundle = load_bundle(path)
    table_id = bundle.get("table_id")
    if table_id is not None and not isinstance(table_id, str):
        raise _not_a_bundle(f"table_id {shown(str(table_id))} is not text")
    version = odata_version(bundle)
    records_key = "Observations" if version == 4 else "TypedDataSet"
    records = bundle.get(records_key) or []
    if not isinstance(records, list):
        raise _not_a_bundle(f"{records_key} is a JSON {type(records).__name__}, not an array")
    names: dict[str, str | None] = {}
    for r in _objects(bundle, "regions"):
        title = r.get("Title")
        names[str(r.get("Key", "")).strip()] = title if isinstance(title, str) else None
    if version == 3:
        props = _objects(bundle, "DataProperties")
        labels = _v3_labels(props)
        dims = {"ID", "Perioden", *_GEO}
        for p in props:
            if "Dimension" in str(p.get("Type")) and isinstance(p.get("Key"), str):
                dims.add(p["Key"])
        record = _v3_record
    else:
        labels = _v4_labels(_objects(bundle, "MeasureCodes"), _objects(bundle, "MeasureGroups"))
        dims = set()
        record = _v4_record
    ctx = (table_id, bundle, labels, dims, names)
    obs: list[Observation] = []
    bad: list[tuple[int, str, str]] = []
    for n, row in enumerate(records, start=1):
        if not isinstance(row, dict):
            bad.append((n, "the record is not a JSON object", _record_text(row)))
            continue
        try:
            obs.extend(record(row, n, ctx))
        except ValueError as exc:
            bad.append((n, str(exc), _record_text(row)))
    return table_id, version, obs, bad, len(records)


# ---------------------------------------------------------------- online mode

Fetch = Callable[[str], bytes]


def http_get(url: str, timeout: float = 60.0) -> bytes:
    req = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return resp.read()


def fetch_with_retries(
    url: str,
    *,
    fetch: Fetch = http_get,
    attempts: int = 4,
    backoff: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
) -> bytes:
    """GET with exponential backoff on network errors, 429 and 5xx; 4xx other than 429 is final."""
    for attempt in range(1, attempts + 1):
        try:
            return fetch(url)
        except urllib.error.HTTPError as exc:
            if (exc.code != 429 and exc.code < 500) or attempt == attempts:
                raise
            log.warning("CBS %s answered %s; retry %d", url, exc.code, attempt)
        except (urllib.error.URLError, TimeoutError, ConnectionError):
            if attempt == attempts:
                raise
            log.warning("CBS %s unreachable; retry %d", url, attempt)
        sleep(backoff * 2 ** (attempt - 1))
    raise AssertionError("unreachable")


def _cached(url: str, cache_dir: Path, get: Callable[[str], bytes]) -> dict[str, Any]:
    """A raw response from the cache, or fetched and kept there (the cache is the audit trail
    of what CBS sent; delete it to download again)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / (hashlib.sha256(url.encode()).hexdigest()[:32] + ".json")
    if path.is_file():
        return json.loads(path.read_bytes())
    body = get(url)
    doc = json.loads(body)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(body)
    tmp.replace(path)
    return doc


def _all_pages(url: str, cache_dir: Path, get: Callable[[str], bytes]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    next_url: str | None = url
    while next_url:
        doc = _cached(next_url, cache_dir, get)
        rows.extend(doc.get("value", []))
        next_url = doc.get("odata.nextLink") or doc.get("@odata.nextLink")
    return rows


def download_table(
    table_id: str,
    out_dir: Path,
    *,
    version: int = 3,
    base_url: str | None = None,
    cache_dir: Path | None = None,
    fetch: Fetch = http_get,
    backoff: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Path:
    """Download a whole table (all pages) and write it as one bundle into ``out_dir`` (the
    inbox), ready for ingest_cbs. Returns the bundle's path."""
    base = (base_url or (V3_BASE if version == 3 else V4_BASE)).rstrip("/")
    cache = cache_dir or out_dir / ".cbs_cache"

    def get(url: str) -> bytes:
        return fetch_with_retries(url, fetch=fetch, backoff=backoff, sleep=sleep)

    root = f"{base}/{table_id}"
    bundle: dict[str, Any] = {"table_id": table_id, "odata_version": version}
    if version == 3:
        bundle["DataProperties"] = _all_pages(f"{root}/DataProperties?$format=json", cache, get)
        geo = next(
            (p["Key"] for p in bundle["DataProperties"] if p.get("Type") == "GeoDimension"),
            "WijkenEnBuurten",
        )
        bundle["regions"] = _all_pages(f"{root}/{geo}?$format=json", cache, get)
        bundle["TypedDataSet"] = _all_pages(f"{root}/TypedDataSet?$format=json", cache, get)
    else:
        bundle["MeasureCodes"] = _all_pages(f"{root}/MeasureCodes", cache, get)
        bundle["MeasureGroups"] = _all_pages(f"{root}/MeasureGroups", cache, get)
        bundle["regions"] = [
            {"Key": r.get("Identifier"), "Title": r.get("Title")}
            for r in _all_pages(f"{root}/WijkenEnBuurtenCodes", cache, get)
        ]
        bundle["Observations"] = _all_pages(f"{root}/Observations", cache, get)
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"cbs_odata_v{version}_{table_id}.json"
    # TypedDataSet/Observations first in the text so the inbox recognises the file cheaply.
    ordered = {k: bundle[k] for k in ("table_id", "odata_version")}
    ordered["format"] = "TypedDataSet" if version == 3 else "Observations"
    ordered.update({k: v for k, v in bundle.items() if k not in ordered})
    out.write_text(json.dumps(ordered, ensure_ascii=False), encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    """``python -m sdw.cbs.odata 85984NED [--inbox DIR] [--version 3|4]``: download into the
    inbox; the next ``sdw run`` (or ingest_cbs run) loads it."""
    import argparse

    from sdw.config import default_inbox

    parser = argparse.ArgumentParser(prog="python -m sdw.cbs.odata", description=main.__doc__)
    parser.add_argument("tables", nargs="+", help="CBS table ids, e.g. 85984NED")
    parser.add_argument("--inbox", type=Path, default=None)
    parser.add_argument("--version", type=int, choices=(3, 4), default=3)
    parser.add_argument("--base-url", default=None)
    args = parser.parse_args(argv)
    inbox = args.inbox or default_inbox()
    for table in args.tables:
        print(download_table(table, inbox, version=args.version, base_url=args.base_url))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
