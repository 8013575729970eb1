"""Case exports through the real ingest machinery and dbt on a fresh PostgreSQL.

A hand-written export (Dutch dates with ``;`` and a BOM; a re-delivery with ISO dates, ``,``
and its columns in another order) is loaded next to a CBS address file; the mart
``procedure_times_quarterly`` must equal what is worked out by hand below, to the day. Then
the generated municipality's export must reproduce the generator's own model of the mart.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from sdw.ingest.inbox import ingest_inbox
from sdw.orchestration import case_tasks
from tests.conftest import dbt_build

pytestmark = pytest.mark.integration
KEY = b"test-key-" + b"y" * 32
SELECT = "+procedure_times_quarterly"

ADDRESSES = (
    "PC6;Huisnummer;Buurt2024;Wijk2024;Gemeente2024\n"
    + "".join(f"9991AA;{n};9990101;99901;999\n" for n in range(1, 10))
    + "9992AA;1;9990201;99902;999\n"
)
HEADER = (
    "gemeentecode;identificatie;wet;datumMelding;datumOnderzoekAfgerond;datumStartAanvraag;"
    "datumBeschikking;datumAfhandeling;resultaat;postcode;huisnummer;wijkcode"
)
# Wmo in WK099901 (postcode 9991AA), 2025-Q1. Line numbers: the header is line 1.
FIRST = "\r\n".join(
    [
        HEADER,
        # 2  W-1: onderzoek 06-01 + 42 = 17-02 (on the norm day); beschikking 17-02 + 14 = 03-03
        "GM0999;W-1;Wmo;06-01-2025;17-02-2025;17-02-2025;03-03-2025;;toegekend;9991 AA;1;",
        # 3  W-2: onderzoek 10-01 -> 22-02 = 43 days (late); beschikking 24-02 -> 20-03 = 24
        "GM0999;W-2;WMO;10-01-2025;22-02-2025;24-02-2025;20-03-2025;;afgewezen;9991aa;2;",
        # 4  W-3: onderzoek open; deadline 03-02 + 42 = 17-03
        "GM0999;W-3;wmo;3-2-2025;;;;;lopend;9991AA;3;",
        # 5  W-4: onderzoek open; deadline 20-02 + 42 = 03-04; huisletter ignored
        "0999;W-4;Wmo 2015;20-02-2025;;;;;;9991AA;4A;",
        # 6  W-5: onderzoek 7 days; aanvraag 12-03 open, deadline 26-03 (re-delivered below)
        "GM0999;W-5;wmo;03-03-2025;10-03-2025;12-03-2025;;;lopend;9991AA;5;",
        # 7  W-6: direct aanvraag 20-01, withdrawn 28-02
        "GM0999;W-6;wmo;15-01-2025;;20-01-2025;;28-02-2025;ingetrokken;9991AA;6;",
        # 8  31 February
        "GM0999;W-7;wmo;31-02-2025;;;;;lopend;9991AA;7;",
        # 9  beschikking 07-02 before its aanvraag 10-02
        "GM0999;W-8;wmo;05-02-2025;06-02-2025;10-02-2025;07-02-2025;;toegekend;9991AA;8;",
        # 10 not a law of this mart
        "GM0999;W-9;Wlz;05-02-2025;;;;;lopend;9991AA;9;",
        # 11 three fields
        "GM0999;W-10;wmo",
        # 12 W-11: address not in the CBS file -> UNKNOWN; onderzoek open, deadline 18-02
        "GM0999;W-11;wmo;07-01-2025;;;;;lopend;9999ZZ;1;",
        # 13 W-12: wijkcode only -> WK099902; onderzoek open, deadline 08-01 + 42 = 19-02. A
        #    second small cell beside W-11's in wmo Q1, so WK099901 is no complement.
        "GM0999;W-12;wmo;08-01-2025;;;;;lopend;;;99902",
    ]
)
# Jeugdwet in WK099902 (wijkcode only), 2025-Q2, and W-5 decided; another export, other shape.
SECOND = "\n".join(
    [
        "identificatie,gemeentecode,wet,datumMelding,datumOnderzoekAfgerond,datumStartAanvraag,"
        "datumBeschikking,datumAfhandeling,resultaat,postcode,huisnummer,wijkcode,behandelaar",
        # J-1: 10 days; J-2: onderzoek 7 days, beschikking 20 days; J-3: 02-04 + 56 = 28-05,
        # on the norm day; J-4: 03-04 -> 30-05 = 57 days (late); J-5: open, deadline
        # 04-04 + 56 = 30-05; J-6: the latest date of the export, 16-06 (the horizon).
        "J-1,0999,Jeugdwet,2025-04-01,,2025-04-01,2025-04-11,,toegekend,,,WK099902,A. Jansen",
        "J-2,0999,jw,2025-04-01,2025-04-08,2025-04-08,2025-04-28,,toegekend,,,99902,A. Jansen",
        "J-3,0999,jeugd,2025-04-02,,2025-04-02,2025-05-28,,afgewezen,,,WK099902,B. Bos",
        "J-4,0999,JEUGDWET,2025-04-03,,2025-04-03,2025-05-30 00:00:00,,toegekend,,,WK099902,",
        "J-5,0999,Jeugdwet,2025-04-04,,2025-04-04,,,lopend,,,WK099902,",
        "J-6,0999,Jeugdwet,2025-06-16,,,,,lopend,,,WK099902,",
        # W-5 again: its aanvraag of 12-03 decided on 01-04 (20 days, late)
        "W-5,GM0999,wmo,2025-03-03,2025-03-10,2025-03-12,2025-04-01,,toegekend,9991AA,5,,",
    ]
)


def q(url: str, sql: str, *args: object) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, args or None).fetchall()


def load(inbox: Path, url: str, dag_id: str) -> dict:
    batch = f"test-{uuid.uuid4().hex[:8]}"
    report = ingest_inbox(inbox, url, KEY, batch, dag_id=dag_id, keep_files=True)
    if dag_id == case_tasks.DAG_ID:
        case_tasks.reconcile(batch, url)
    return {f.source_file: f for f in report.files}


@pytest.fixture(scope="module")
def built(make_database: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory) -> str:
    from sdw.warehouse.bootstrap import ensure_schema

    url = make_database("sdw_test_cases")
    ensure_schema(url)
    cases = tmp_path_factory.mktemp("cases")
    (cases / "export_2025q1.csv").write_bytes(b"\xef\xbb\xbf" + FIRST.encode("utf-8"))
    # Without an address file, an export with addresses waits in the inbox, like a 301.
    assert load(cases, url, "ingest_cases")["export_2025q1.csv"].status == "deferred"
    assert q(url, "SELECT count(*) FROM audit.file_ledger") == [(0,)]

    addresses = tmp_path_factory.mktemp("addresses")
    (addresses / "cbs_adres_2024.csv").write_text(ADDRESSES, encoding="utf-8")
    assert load(addresses, url, "ingest_istandaarden")["cbs_adres_2024.csv"].status == "loaded"

    first = load(cases, url, "ingest_cases")["export_2025q1.csv"]
    # 12 data lines = 8 loaded + 4 quarantined (lines 8 to 11)
    assert (first.status, first.lines_in, first.lines_loaded, first.lines_quarantined) == (
        "loaded_with_rejections",
        12,
        8,
        4,
    )
    (cases / "export_2025q2.csv").write_text(SECOND, encoding="utf-8")
    files = load(cases, url, "ingest_cases")
    assert files["export_2025q1.csv"].status == "duplicate"
    assert (files["export_2025q2.csv"].status, files["export_2025q2.csv"].lines_loaded) == (
        "loaded",
        7,
    )
    dbt_build(url, tmp_path_factory.mktemp("dbt"), SELECT)
    return url


D = Decimal


def test_quarantine_reasons_and_lines(built: str) -> None:
    assert q(
        built,
        "SELECT line_number, reason_code FROM quarantine.rejected_record ORDER BY line_number",
    ) == [
        (8, "CASE_DATE_INVALID"),
        (9, "CASE_DATES_OUT_OF_ORDER"),
        (10, "CASE_LAW_UNKNOWN"),
        (11, "CASE_ROW_MALFORMED"),
    ]
    fragments = " ".join(
        r[0] for r in q(built, "SELECT original_fragment FROM quarantine.rejected_record")
    )
    # No case number, postcode or huisnummer in quarantine: W-8's row keeps its dates only.
    assert "W-8" not in fragments and "9991AA" not in fragments
    assert "postcode=9991**" in fragments and "datumBeschikking=07-02-2025" in fragments
    # The ledger holds: every line of every file is loaded or quarantined, once.
    assert q(
        built,
        "SELECT sum(lines_in), sum(lines_loaded), sum(lines_quarantined) FROM audit.file_ledger "
        "WHERE file_kind = 'cases'",
    ) == [(19, 15, 4)]


def test_no_address_or_case_number_is_stored(built: str) -> None:
    columns = {r[0] for r in q(
        built,
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'raw' "
        "AND table_name = 'case_procedure'",
    )}  # fmt: skip
    assert not columns & {"postcode", "huisnummer", "identificatie"}
    rows = q(built, "SELECT melding_pseudoniem, adres_status, wijkcode FROM raw.case_procedure")
    assert all(len(p) == 64 and not p.startswith("W-") for p, _s, _w in rows)
    statuses = sorted((s, w) for _p, s, w in rows)
    # 6 matched in WK099901 (W-1..W-6) + W-5 again; W-11 not found; W-12, J-1..J-6 given as
    # wijkcode
    assert statuses == [("matched", 99901)] * 7 + [("not_found", None)] + [("wijkcode", 99902)] * 7


def _mart(url: str, where: str) -> list[tuple]:
    return q(
        url,
        f"""SELECT law, district_code, quarter_start, cases, meldingen, onderzoeken_afgerond,
                  median_days_melding_to_onderzoek, p90_days_melding_to_onderzoek,
                  pct_onderzoek_within_norm, onderzoeken_open_past_norm, aanvragen,
                  beschikkingen, median_days_aanvraag_to_beschikking,
                  p90_days_aanvraag_to_beschikking, pct_beschikking_within_norm,
                  aanvragen_open_past_norm, backlog_measured_on::text, suppressed
           FROM marts_candidate.procedure_times_quarterly WHERE {where}
           ORDER BY law, district_code, quarter_start""",
    )


def test_wmo_quarter_worked_by_hand(built: str) -> None:
    from datetime import date

    # Horizon: the latest date in GM0999's export is J-6's melding, 16-06-2025.
    # 2025-Q1, WK099901: W-1..W-6 started (W-5 as re-delivered); 6 cases.
    # Onderzoek: W-1 42 days, W-2 43, W-5 7 -> sorted [7, 42, 43]; median 42;
    #   p90 at 0.9 x 2 = 1.8 -> 42 + 0.8 x (43 - 42) = 42.8; within 42 days: W-1, W-5 -> 2/3.
    #   Open past norm on 31-03: W-3 (deadline 17-03); W-4's deadline 03-04 has not passed;
    #   W-6 moved on to its aanvraag on 20-01.
    # Aanvraag: W-1 (17-02), W-2 (24-02), W-5 (12-03), W-6 (20-01) = 4; decided W-1 14 days,
    #   W-2 24, W-5 20 (01-04, in the second file) -> [14, 20, 24]; median 20; p90 at 1.8 ->
    #   20 + 0.8 x 4 = 23.2; within 14 days: W-1 -> 1/3 = 33.33 %.
    #   Open past norm on 31-03: W-5 (deadline 26-03, decided only on 01-04); W-6 withdrawn 28-02.
    # 2025-Q2, WK099901, measured on 16-06: W-3 and W-4 still open past norm: 2 cases, suppressed.
    # Complementary suppression: wmo Q1 has two small cells (UNKNOWN: W-11; WK099902: W-12) and
    # wmo Q2 three (WK099901, UNKNOWN, WK099902), so no shown row is hidden with them.
    assert _mart(built, "law = 'wmo' AND district_code = 'WK099901'") == [
        ("wmo", "WK099901", date(2025, 1, 1), 6, 6, 3, D("42.0"), D("42.8"), D("66.67"), 1,
         4, 3, D("20.0"), D("23.2"), D("33.33"), 1, "2025-03-31", False),
        ("wmo", "WK099901", date(2025, 4, 1), *[None] * 13, "2025-06-16", True),
    ]  # fmt: skip
    # W-11's address is not in the CBS file: UNKNOWN, one case per quarter, suppressed.
    assert _mart(built, "district_code = 'UNKNOWN'") == [
        ("wmo", "UNKNOWN", date(2025, 1, 1), *[None] * 13, "2025-03-31", True),
        ("wmo", "UNKNOWN", date(2025, 4, 1), *[None] * 13, "2025-06-16", True),
    ]
    # W-12 in WK099902: its melding in Q1, its onderzoek still open past norm on 31-03 and 16-06:
    # one case per quarter, suppressed.
    assert _mart(built, "law = 'wmo' AND district_code = 'WK099902'") == [
        ("wmo", "WK099902", date(2025, 1, 1), *[None] * 13, "2025-03-31", True),
        ("wmo", "WK099902", date(2025, 4, 1), *[None] * 13, "2025-06-16", True),
    ]


def test_jeugdwet_quarter_worked_by_hand(built: str) -> None:
    from datetime import date

    # 2025-Q2, WK099902: J-1..J-6 = 6 cases, 6 meldingen. Onderzoek: J-2 only, 7 days; no
    # legal term for Jeugdwet -> no percentage and no onderzoek backlog.
    # Aanvraag: J-1..J-5 = 5; decided J-1 10, J-2 20, J-3 56, J-4 57 -> median (20 + 56) / 2
    #   = 38; p90 at 0.9 x 3 = 2.7 -> 56 + 0.7 x 1 = 56.7; within 56 days: 3 of 4 = 75 %.
    #   Open past norm on 16-06 (the horizon, not 30-06): J-5 (deadline 30-05).
    assert _mart(built, "law = 'jeugdwet'") == [
        ("jeugdwet", "WK099902", date(2025, 4, 1), 6, 6, 1, D("7.0"), D("7.0"), None, 0,
         5, 4, D("38.0"), D("56.7"), D("75.00"), 1, "2025-06-16", False),
    ]  # fmt: skip


def test_raw_and_mart_suites_pass(built: str) -> None:
    from sdw.validation.runner import run_suite

    for suite in ("raw_cases", "procedure_marts"):
        result = run_suite(suite, built, f"test-{uuid.uuid4().hex[:6]}")
        assert result.success, result.summary


def test_suites_catch_a_decision_before_its_request_and_a_bad_percentage(
    make_database: Callable[[str], str],
) -> None:
    from sdw.validation.runner import run_suite
    from sdw.warehouse.bootstrap import ensure_schema

    url = make_database("sdw_test_cases_gx")
    ensure_schema(url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            """INSERT INTO raw.case_procedure (gemeentecode, melding_pseudoniem, wet,
               datum_melding, datum_start_aanvraag, datum_beschikking, resultaat, adres_status,
               line_number, _batch_id, _source_file, _file_hash)
               VALUES ('GM0999', repeat('a', 64), 'wmo', '2025-02-01', '2025-02-10',
                       '2025-02-07', 'toegekend', 'no_address', 2, 'b', 'f.csv', 'h')"""
        )
        conn.execute("CREATE SCHEMA marts_candidate")
        conn.execute(
            """CREATE TABLE marts_candidate.procedure_times_quarterly AS
               SELECT 'GM0999'::text AS municipality_code, 'jeugdwet'::text AS law,
                      'WK099901'::text AS district_code, date '2025-01-01' AS quarter_start,
                      3 AS cases, 3 AS meldingen, 1 AS onderzoeken_afgerond,
                      2.0 AS median_days_melding_to_onderzoek,
                      2.0 AS p90_days_melding_to_onderzoek,
                      100.0 AS pct_onderzoek_within_norm, 0 AS onderzoeken_open_past_norm,
                      3 AS aanvragen, 2 AS beschikkingen,
                      5.0 AS median_days_aanvraag_to_beschikking,
                      4.0 AS p90_days_aanvraag_to_beschikking,
                      101.0 AS pct_beschikking_within_norm, 0 AS aanvragen_open_past_norm,
                      date '2025-03-31' AS backlog_measured_on, false AS suppressed"""
        )
    raw = run_suite("raw_cases", url, "test-bad")
    assert not raw.success
    assert "raw_cases_dates_in_order" not in raw.summary  # melding <= aanvraag holds
    assert "raw_cases_no_decision_before_request" in raw.summary
    marts = run_suite("procedure_marts", url, "test-bad")
    assert not marts.success
    for check in (
        "pct_beschikking_within_norm",  # 101 is not a percentage
        "procedure_times_jeugdwet_has_no_onderzoek_norm",
        "procedure_times_small_cells",  # 3 cases shown
        "p90_days_aanvraag_to_beschikking",  # p90 below the median
    ):
        assert check in marts.summary, check


@pytest.fixture(scope="module")
def generated(
    make_database: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, dict]:
    from sdw.generate import EXPECTED_FILE, generate
    from sdw.warehouse.bootstrap import ensure_schema

    out = tmp_path_factory.mktemp("generated")
    generate(out, clients=120, months=6, seed=5)
    expected = json.loads((out / EXPECTED_FILE).read_text())
    url = make_database("sdw_test_cases_gen")
    ensure_schema(url)
    addresses, cases = tmp_path_factory.mktemp("gen_addr"), tmp_path_factory.mktemp("gen_cases")
    shutil.copy(out / expected["generator"]["address_file"], addresses)
    shutil.copy(out / expected["case_export"]["file"], cases)
    load(addresses, url, "ingest_istandaarden")
    load(cases, url, "ingest_cases")
    dbt_build(url, tmp_path_factory.mktemp("gen_dbt"), SELECT)
    return url, expected


MART_COLUMNS = (
    "municipality_code",
    "law",
    "district_code",
    "quarter_start",
    "cases",
    "meldingen",
    "onderzoeken_afgerond",
    "median_days_melding_to_onderzoek",
    "p90_days_melding_to_onderzoek",
    "pct_onderzoek_within_norm",
    "onderzoeken_open_past_norm",
    "aanvragen",
    "beschikkingen",
    "median_days_aanvraag_to_beschikking",
    "p90_days_aanvraag_to_beschikking",
    "pct_beschikking_within_norm",
    "aanvragen_open_past_norm",
    "backlog_measured_on",
    "suppressed",
)


def mart_as_json(url: str, schema: str = "marts_candidate") -> list[dict]:
    """The mart in the generator's JSON shape: numerics as their text, dates ISO."""

    def norm(value: object) -> object:
        if isinstance(value, Decimal):
            return str(value)
        return value.isoformat() if hasattr(value, "isoformat") else value

    rows = q(url, f"SELECT {', '.join(MART_COLUMNS)} FROM {schema}.procedure_times_quarterly")
    out = [{c: norm(v) for c, v in zip(MART_COLUMNS, r, strict=True)} for r in rows]
    return sorted(out, key=lambda r: (r["law"], r["district_code"], r["quarter_start"]))


def test_generated_export_matches_the_generators_model(generated: tuple[str, dict]) -> None:
    url, expected = generated
    want = sorted(
        expected["procedure_times_quarterly"],
        key=lambda r: (r["law"], r["district_code"], r["quarter_start"]),
    )
    assert mart_as_json(url) == want
    assert any(not r["suppressed"] and r["onderzoeken_open_past_norm"] for r in want)
    export = expected["case_export"]
    assert q(
        url,
        "SELECT lines_in, lines_loaded, lines_quarantined FROM audit.file_ledger "
        "WHERE file_kind = 'cases'",
    ) == [(export["rows"], export["rows_loaded"], sum(export["rows_quarantined"].values()))]
    assert (
        dict(q(url, "SELECT reason_code, count(*) FROM quarantine.rejected_record GROUP BY 1"))
        == export["rows_quarantined"]
    )
