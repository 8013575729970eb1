"""Valid CBS files, shaped like the real downloads (``sdw.cbs``' module docs): a StatLine CSV
export, the Kerncijfers wijken en buurten as CSV and xlsx, an OData v3 or v4 bundle (or a
plain OData response), and the address file (PC6 CSV)."""

from __future__ import annotations

import random

from tests.mutation.sources.doc import (
    CODE,
    COUNT,
    MEASURE,
    OTHER,
    PERIOD,
    TEXT,
    Column,
    Doc,
)
from tests.mutation.sources.workbook import SheetOptions

NAMES = ("Amsterdam", "Centrum", "Noord-Oost", "Buurt 't Hof", "Zuid, west", "Ĳsselmonde")


def _regions(rng: random.Random) -> list[tuple[str, str]]:
    """(code, name) of a gemeente, some of its wijken and buurten."""
    gm = rng.randrange(1, 2000)
    out = [(f"GM{gm:04d}", rng.choice(NAMES))]
    for w in rng.sample(range(100), rng.randrange(0, 3)):
        out.append((f"WK{gm:04d}{w:02d}", rng.choice(NAMES)))
        if rng.random() < 0.5:
            out.append((f"BU{gm:04d}{w:02d}{rng.randrange(100):02d}", rng.choice(NAMES)))
    rng.shuffle(out)
    return out[: rng.randrange(1, 6)]


def _number_text(rng: random.Random, *, decimals: bool) -> str:
    """A CBS number as text: padded, a decimal comma or point, '.' for secret."""
    if rng.random() < 0.15:
        return rng.choice([".", "", "x", "-", "?"])
    if decimals:
        n = rng.randrange(-999, 1000)
        text = f"{n / 1000:.3f}"
        if rng.random() < 0.3:
            text = text.replace(".", ",")
    else:
        text = str(5 * rng.randrange(0, 20000))
    return text


STATLINE_MEASURES = (
    "Particuliere huishoudens (Aantal)",
    "SES-WOA/Totaalscore/Gemiddelde score (Getal)",
    "SES-WOA/Financiële welvaart/Gemiddelde score (Getal)",
    "Spreiding/Spreiding totaal/Waarde (Getal)",
    "Personen per soort uitkering/Bijstand (aantal)",
)
STATLINE_PERIODS = (
    "2021",
    "2021JJ00",
    "2024 maart",
    "2023KW02",
    "2024MM03",
    "2022*",
    "2023 2e kwartaal",
)


def statline_csv(rng: random.Random) -> Doc:
    measures = rng.sample(STATLINE_MEASURES, rng.randrange(1, 4))
    cols = [
        Column("Perioden", PERIOD),
        Column("Wijken en buurten", TEXT),
        Column("Regiocode (gemeente, wijk, buurt) (code)", CODE),
        *(Column(m, MEASURE, key=m) for m in measures),
    ]
    rows = []
    period = rng.choice(STATLINE_PERIODS)
    for code, name in _regions(rng):
        cells: list[object] = [period, name, f"{code:<10}"]
        for m in measures:
            text = _number_text(rng, decimals="Getal" in m)
            cells.append(f"{text:>8}" if rng.random() < 0.7 else text)
        rows.append(cells)
    doc = Doc("csv", cols, rows, "SES_WOA_86092NED_statline_export.csv", counting="splitlines")
    doc.quote_all = rng.random() < 0.8
    doc.bom = rng.random() < 0.7
    doc.crlf = rng.random() < 0.7
    return doc


KWB_REQUIRED = ("a_inw", "a_00_14", "a_15_24", "a_25_44", "a_45_64", "a_65_oo")
KWB_OPTIONAL = ("a_soz_wb", "a_wmo_t", "p_wmo_t", "a_jz_tn")


def _kwb(rng: random.Random, xlsx: bool) -> Doc:
    year = rng.randrange(2018, 2025)
    code_col = rng.choice(["gwb_code_10", "gwb_code"])
    with_year = rng.random() < 0.2
    measures = [*KWB_REQUIRED, *(m for m in KWB_OPTIONAL if rng.random() < 0.5)]
    cols = [
        Column(code_col, CODE),
        Column("regio", TEXT),
        Column("gm_naam", TEXT),
        Column("recs", OTHER),
        *([Column("jaar", PERIOD)] if with_year else []),
        *(Column(m, MEASURE, key=m) for m in measures),
    ]
    if rng.random() < 0.3:
        rng.shuffle(cols)
    rows = []
    for code, name in _regions(rng):
        row: list[object] = []
        for c in cols:
            if c.role == CODE:
                row.append(code)
            elif c.name == "regio":
                row.append(name)
            elif c.name == "gm_naam":
                row.append(NAMES[0])
            elif c.name == "recs":
                row.append({"GM": "Gemeente", "WK": "Wijk", "BU": "Buurt"}[code[:2]])
            elif c.role == PERIOD:
                row.append(year if xlsx and rng.random() < 0.5 else str(year))
            else:
                text = _number_text(rng, decimals=c.name.startswith("p_"))
                if xlsx and rng.random() < 0.6 and text not in (".", "", "x", "-", "?"):
                    row.append(int(text) if text.isdigit() else float(text.replace(",", ".")))
                else:
                    row.append(text)
        rows.append(row)
    stem = f"kwb-{year}"
    if xlsx:
        doc = Doc("xlsx", cols, rows, f"{stem}.xlsx", counting="sheet")
        title = stem if rng.random() < 0.5 else "Sheet1"
        doc.sheet = SheetOptions(strings=rng.choice(["shared", "inline"]), title=title)
        return doc
    doc = Doc("csv", cols, rows, f"{stem}.csv", counting="records")
    doc.sep = rng.choice(";,")
    doc.bom = rng.random() < 0.5
    doc.crlf = rng.random() < 0.5
    doc.quote_all = rng.random() < 0.2
    return doc


def kwb_csv(rng: random.Random) -> Doc:
    return _kwb(rng, xlsx=False)


def kwb_xlsx(rng: random.Random) -> Doc:
    return _kwb(rng, xlsx=True)


_KWB_V3 = {  # OData key -> DataProperties title (the KWB 2024 table, 85984NED)
    "AantalInwoners_5": "Aantal inwoners",
    "k_0Tot15Jaar_8": "0 tot 15 jaar",
    "k_65JaarOfOuder_12": "65 jaar of ouder",
    "WmoClienten_93": "Wmo-cliënten",
}
_SES_V4 = {  # MeasureCode -> title (SES-WOA, 85900NED)
    "M000352": "Gemiddelde score",
    "M000353": "Spreiding",
}


def odata_json(rng: random.Random) -> Doc:
    """A bundle as ``sdw.cbs.odata.download_table`` writes it, or a plain OData response."""
    regions = _regions(rng)
    plain = rng.random() < 0.3
    if rng.random() < 0.5:  # v3 TypedDataSet of the KWB table: no Perioden
        keys = rng.sample(sorted(_KWB_V3), rng.randrange(1, 5))
        cols = [Column("ID", OTHER), Column("WijkenEnBuurten", CODE),
                *(Column(k, MEASURE, key=k) for k in keys)]  # fmt: skip
        rows = []
        for i, (code, _name) in enumerate(regions):
            record: dict[str, object] = {"ID": i, "WijkenEnBuurten": f"{code:<10}"}
            for k in keys:
                record[k] = rng.choice([None, 5 * rng.randrange(20000), 1234])
            rows.append(record)
        if plain:
            bundle = {"odata.metadata": "https://opendata.cbs.nl/ODataApi/OData/85984NED/"
                      "$metadata#Cbs.OData.WebAPI.TypedDataSet"}  # fmt: skip
            key = "value"
        else:
            bundle = {
                "table_id": "85984NED",
                "odata_version": 3,
                "format": "TypedDataSet",
                "DataProperties": [
                    {"ID": 0, "Key": "WijkenEnBuurten", "Type": "GeoDimension",
                     "Title": "Wijken en buurten"},
                    *({"ID": n, "Key": k, "Type": "Topic", "Title": _KWB_V3[k]}
                      for n, k in enumerate(sorted(_KWB_V3), start=1)),
                ],
                "regions": [{"Key": f"{c:<10}", "Title": n} for c, n in regions],
            }  # fmt: skip
            key = "TypedDataSet"
        name = "cbs_odata_v3_85984NED.json"
    else:  # v4 Observations of SES-WOA: one record per region x period x measure
        cols = [Column("Id", OTHER), Column("Measure", OTHER), Column("ValueAttribute", OTHER),
                Column("Value", MEASURE), Column("WijkenEnBuurten", CODE),
                Column("Perioden", PERIOD)]  # fmt: skip
        rows = []
        period = rng.choice(["2021JJ00", "2022JJ00", "2021"])
        n = 0
        for code, _name in regions:
            for m in rng.sample(sorted(_SES_V4), rng.randrange(1, 3)):
                secret = rng.random() < 0.15
                rows.append({
                    "Id": n, "Measure": m, "ValueAttribute": "Confidential" if secret else "None",
                    "Value": None if secret else rng.randrange(-300, 300) / 1000,
                    "WijkenEnBuurten": code, "Perioden": period,
                })  # fmt: skip
                n += 1
        if plain:
            bundle = {"@odata.context": "https://datasets.cbs.nl/odata/v1/CBS/85900NED/"
                      "$metadata#Observations"}  # fmt: skip
            key = "value"
        else:
            bundle = {
                "table_id": "85900NED",
                "odata_version": 4,
                "format": "Observations",
                "MeasureCodes": [{"Identifier": k, "Title": t, "MeasureGroupId": None}
                                 for k, t in sorted(_SES_V4.items())],
                "MeasureGroups": [],
                "regions": [{"Key": c, "Title": n} for c, n in regions],
            }  # fmt: skip
            key = "Observations"
        name = "cbs_odata_v4_85900NED.json"
    doc = Doc("odata", cols, rows, name, counting="records", bundle=bundle, records_key=key)
    doc.indent = rng.random() < 0.3
    doc.ascii_json = rng.random() < 0.5
    return doc


ADRES_COLUMNS = [
    Column("PC6", CODE),
    Column("Huisnummer", COUNT),
    Column("Buurt<jaar>", COUNT),
    Column("Wijk<jaar>", COUNT),
    Column("Gemeente<jaar>", COUNT),
]


def adres_csv(rng: random.Random) -> Doc:
    year = rng.randrange(2019, 2026)
    gm = rng.randrange(1, 2000)
    rows = []
    for _ in range(rng.randrange(1, 6)):
        wijk = gm * 100 + rng.randrange(100)
        buurt = wijk * 100 + rng.randrange(100)
        pc = f"{rng.randrange(1000, 10000)}{rng.choice('ABZ')}{rng.choice('ACX')}"
        hn = str(rng.randrange(1, 3000))
        rows.append([pc, hn, str(buurt), str(wijk), str(gm)])
    doc = Doc("csv", list(ADRES_COLUMNS), rows, f"pc6hnr{year}0801_gwb.csv", counting="lf")
    doc.header = ["PC6", "Huisnummer", f"Buurt{year}", f"Wijk{year}", f"Gemeente{year}"]
    doc.sep = rng.choice(";,")
    doc.bom = rng.random() < 0.3
    doc.crlf = rng.random() < 0.5
    doc.quote_all = rng.random() < 0.2
    return doc
