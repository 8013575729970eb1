"""The naive peer: what a municipal data engineer would write first for a 323.

Per file: ``lxml.etree.iterparse`` on the Prestatie elements, ``findtext`` per field (with the
message's namespaces), a list of dicts into a ``pandas.DataFrame``, and ``DataFrame.to_sql``
(SQLAlchemy ``postgresql+psycopg://``, default method) appending to a table. One process, no
schema validation, no pseudonymisation, no ledger: it does less than the project's ingest.
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
from lxml import etree
from sqlalchemy import create_engine

FIELDS = {
    "referentienummer": "m:ProductReferentie/b:ReferentieNummer",
    "vorig_referentienummer": "m:ProductReferentie/b:VorigReferentieNummer",
    "toewijzingnummer": "m:ToewijzingNummer",
    "productcategorie": "m:ProductCategorie",
    "productcode": "m:ProductCode",
    "begindatum": "m:ProductPeriode/b:Begindatum",
    "einddatum": "m:ProductPeriode/b:Einddatum",
    "geleverd_volume": "m:GeleverdVolume",
    "eenheid": "m:Eenheid",
    "producttarief": "m:ProductTarief",
    "ingediend_bedrag": "m:IngediendBedrag/b:Bedrag",
    "debet_credit": "m:IngediendBedrag/b:DebetCredit",
}


def _namespaces(path: Path) -> dict[str, str]:
    for _event, elem in etree.iterparse(str(path), events=("start",)):
        m = elem.nsmap[elem.prefix]
        b = next(v for v in elem.nsmap.values() if v.endswith("/basisschema/schema"))
        return {"m": m, "b": b}
    raise ValueError(f"{path} is empty")


def read_323(path: Path) -> pd.DataFrame:
    ns = _namespaces(path)
    m = "{" + ns["m"] + "}"
    rows = []
    for _event, elem in etree.iterparse(str(path), events=("end",), tag=m + "Prestatie"):
        row = {name: elem.findtext(xpath, namespaces=ns) for name, xpath in FIELDS.items()}
        row["bsn"] = elem.getparent().getparent().findtext("m:Bsn", namespaces=ns)
        row["source_file"] = path.name
        rows.append(row)
    df = pd.DataFrame(rows)
    for col in ("geleverd_volume", "producttarief", "ingediend_bedrag"):
        df[col] = pd.to_numeric(df[col])
    for col in ("begindatum", "einddatum"):
        df[col] = pd.to_datetime(df[col]).dt.date
    return df


def run(url: str, files: list[Path]) -> float:
    """Seconds for the naive load of ``files`` into ``naive_peer.prestatie``."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE SCHEMA IF NOT EXISTS naive_peer")
        conn.exec_driver_sql("DROP TABLE IF EXISTS naive_peer.prestatie")
    started = time.perf_counter()
    for path in files:
        read_323(path).to_sql(
            "prestatie", engine, schema="naive_peer", if_exists="append", index=False
        )
    seconds = time.perf_counter() - started
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA naive_peer CASCADE")
    engine.dispose()
    return seconds


def sample(files: list[Path], fraction: float = 0.05) -> list[Path]:
    """Every 1/fraction-th file in name order (at least one): a spread over providers/months."""
    step = max(1, round(1 / fraction))
    return sorted(files)[::step] or sorted(files)[:1]
