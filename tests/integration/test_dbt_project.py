"""The dbt project built for real on a fresh database from a small hand-made raw dataset.

The dataset exercises every rule of the care-usage KPI contract
(docs/kpi-definitions.md#care_usage_quarterly): a debit, its credit and a re-declaration; a quarter
decided by ProductPeriode/Begindatum; a 325 rejection while another provider uses the same
DeclaratieNummer + ReferentieNummer; districts from the latest 301 by Dagtekening; a client with an
address not in the CBS file and clients without any 301; small cells. The expected mart rows are
worked out by hand in the comments below.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from sdw.warehouse.bootstrap import schema_sql
from tests.conftest import dbt_build, insert_raw

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]

GM = "0363"
PROVIDER_A = "12345678"
PROVIDER_B = "87654321"
Q1 = date(2024, 1, 1)
Q2 = date(2024, 4, 1)
D = Decimal


def client(n: int) -> str:
    """A stand-in HMAC pseudonym: 64 hex characters, no BSN anywhere."""
    return f"{n:02x}" * 32


LOAD = {"_batch_id": "batch-test", "_loaded_at": "2024-06-01 12:00:00+00"}


def header(law: str, agb: str, message_id: str, dagtekening: str, file_hash: str) -> dict:
    return {
        "wet": law,
        "gemeentecode": GM,
        "aanbieder_agb": agb,
        "bericht_identificatie": message_id,
        "bericht_dagtekening": dagtekening,
        "_source_file": f"{message_id}.xml",
        "_file_hash": file_hash,
        **LOAD,
    }


def line(
    msg: dict,
    decl: str,
    ref: str,
    who: int,
    assignment: str,
    category: str,
    period: tuple[str, str],
    volume: int,
    unit: str,
    cents: int,
    dc: str = "D",
    previous: str | None = None,
) -> dict:
    return {
        **msg,
        "declaratienummer": decl,
        "bsn_pseudoniem": client(who),
        "referentienummer": ref,
        "vorig_referentienummer": previous,
        "toewijzingnummer": assignment,
        "productcategorie": category,
        "productcode": f"{category}A01",
        "productperiode_begindatum": period[0],
        "productperiode_einddatum": period[1],
        "geleverd_volume": volume,
        "eenheid": unit,
        "producttarief": None,
        "ingediend_bedrag": cents,
        "debet_credit": dc,
    }


JAN, FEB = ("2024-01-01", "2024-01-31"), ("2024-02-01", "2024-02-29")

# ---- 323 declarations (gemeente 0363)
A1 = header("wmo", PROVIDER_A, "A-323-1", "2024-04-05", "ha1")
A2 = header("wmo", PROVIDER_A, "A-323-2", "2024-05-06", "ha2")
B1 = header("wmo", PROVIDER_B, "B-323-1", "2024-04-10", "hb1")
B2 = header("wmo", PROVIDER_B, "B-323-2", "2024-04-10", "hb2")
B3 = header("wmo", PROVIDER_B, "B-323-3", "2024-05-10", "hb3")
BJ = header("jeugdwet", PROVIDER_B, "B-J323-1", "2024-04-12", "hbj")
LINES_323 = [
    # Provider A, D1: client 1 Jan + Feb; client 2 from 25 March to 5 April (Q1 by begindatum).
    line(A1, "D1", "R1", 1, "T1", "02", JAN, 10, "04", 50000),
    line(A1, "D1", "R2", 1, "T1", "02", FEB, 8, "04", 40000),
    line(A1, "D1", "R3", 2, "T2", "02", ("2024-03-25", "2024-04-05"), 5, "04", 25000),
    # Provider A, D2: credit of R2 and its re-declaration; client 1 dagbesteding in April.
    line(A2, "D2", "R4", 1, "T1", "02", FEB, 8, "04", 40000, "C", previous="R2"),
    line(A2, "D2", "R5", 1, "T1", "02", FEB, 9, "04", 45000),
    line(A2, "D2", "R6", 1, "T6", "07", ("2024-04-01", "2024-04-30"), 4, "16", 12345),
    # Provider B uses the same DeclaratieNummer D1 and ReferentieNummer R3.
    line(B1, "D1", "R3", 3, "T3", "02", JAN, 3, "04", 15000),
    line(B1, "D1", "R4", 4, "T4", "02", ("2024-01-15", "2024-01-31"), 2, "14", 20000),
    # Provider B: client 10 declared and later fully credited (the credit is a line of its own,
    # R5, pointing back at R1: OP283 keeps ReferentieNummers unique per provider and law).
    line(B2, "D3", "R1", 10, "T10", "01", FEB, 5, "04", 7500),
    line(B3, "D4", "R5", 10, "T10", "01", FEB, 5, "04", 7500, "C", previous="R1"),
    # Jeugdwet, provider B: five clients, none with a 301.
    line(BJ, "J1", "R1", 5, "J5", "45", JAN, 6, "04", 6001),
    line(BJ, "J1", "R2", 6, "J6", "45", JAN, 4, "04", 4000),
    line(BJ, "J1", "R3", 7, "J7", "44", JAN, 3, "14", 3000),
    line(BJ, "J1", "R4", 8, "J8", "44", JAN, 2, "14", 2000),
    line(BJ, "J1", "R5", 9, "J9", "44", JAN, 1, "14", 1000),
]

# ---- 325: gemeente 0363 rejects provider A's D1/R3 (client 2), not provider B's D1/R3.
ANSWER = header("wmo", PROVIDER_A, "G-325-1", "2024-04-20", "hg325")
REJECTED_325 = [
    {
        **line(ANSWER, "D1", "R3", 2, "T2", "02", ("2024-03-25", "2024-04-05"), 5, "04", 25000),
        "retourcodes": "0233",
    }
]
for row in REJECTED_325:
    del row["producttarief"]
ANSWER_HEADER = {
    **ANSWER,
    "declaratie_identificatie": "A-323-1",
    "declaratienummer": "D1",
    "totaal_ingediend_bedrag": 115000,
    "totaal_ingediend_debet_credit": "D",
    "totaal_toegekend_bedrag": 90000,
    "totaal_toegekend_debet_credit": "D",
    "retourcodes": "0001",
}


# ---- 301 assignments: the client's area (already reduced to CBS codes) and the products.
def assignment(
    agb: str,
    message_id: str,
    dagtekening: str,
    who: int,
    status: str,
    wijk: int | None,
    numbers: list[str],
    loaded_at: str,
) -> tuple[dict, list[dict]]:
    msg = {**header("wmo", agb, message_id, dagtekening, f"h{message_id}"), "_loaded_at": loaded_at}
    area = {
        **msg,
        "bsn_pseudoniem": client(who),
        "adres_status": status,
        "buurtcode": wijk * 100 if wijk else None,
        "wijkcode": wijk,
        "adres_gemeentecode": 363 if wijk else None,
    }
    products = [
        {
            **msg,
            "bsn_pseudoniem": client(who),
            "toewijzingnummer": number,
            "productcategorie": "02",
            "productcode": "02A01",
            "toewijzingsdatum": dagtekening,
            "toewijzingstijd": "09:00:00",
            "ingangsdatum": "2024-01-01",
        }
        for number in numbers
    ]
    return area, products


ASSIGNMENTS = [
    # Client 1: the March 301 (wijk 36305) is the latest by Dagtekening, although the January
    # one (wijk 36301) was loaded after it.
    assignment(PROVIDER_A, "M1", "2024-01-05", 1, "matched", 36301, ["T1"], "2024-03-10 08:00+00"),
    assignment(
        PROVIDER_A, "M2", "2024-03-01", 1, "matched", 36305, ["T1", "T6"], "2024-03-02 08:00+00"
    ),
    # Client 2: BRP address not in the CBS file.
    assignment(PROVIDER_A, "M3", "2024-01-05", 2, "not_found", None, ["T2"], "2024-01-06 08:00+00"),
    assignment(PROVIDER_B, "M4", "2024-01-05", 3, "matched", 36301, ["T3"], "2024-01-06 08:00+00"),
    assignment(
        PROVIDER_B, "M5", "2024-01-20", 10, "matched", 36309, ["T10"], "2024-01-21 08:00+00"
    ),
    # Clients 4 to 9 have no 301 at all.
]


# ---- budget files (raw.budget_line), written by hand. Three 2024 files and one for 2023:
# 2024-Q1 as of 31 March, 2024-Q2 as of 30 June, and a corrected re-export of 2024-Q2 loaded
# later that restates WMO-ONDERSTEUNING only. The seed maps wmo 01/02/07 to
# WMO-ONDERSTEUNING, jeugdwet 45 to JW-ZONDER-VERBLIJF and jeugdwet 44 to JW-MET-VERBLIJF,
# a line these files do not have (its spend must land on NIET_GEKOPPELD).
def budget_file(
    year: int, peildatum: str, version: str, file_hash: str, loaded_at: str
) -> Callable[..., dict]:
    def budget_line(
        number: int, code: str, taakveld: str, primitive: str | None, spent: str | None,
        committed: str | None, amendments: str | None = None, carry_over: str | None = None,
    ) -> dict:  # fmt: skip
        return {
            "layout": "budget-csv",
            "municipality_code": "GM" + GM,
            "begrotingsjaar": year,
            "peildatum": peildatum,
            "report_version": version,
            "budget_line": code,
            "budget_line_name": code.title(),
            "taakveld": taakveld,
            "programma": "Sociaal domein",
            "project": None,
            "kostenplaats": None,
            "primitieve_begroting": primitive,
            "begrotingswijzigingen": amendments,
            "overheveling": carry_over,
            "realisatie": spent,
            "verplichtingen": committed,
            "prognose": None,
            "line_number": number,
            "_batch_id": "batch-budget",
            "_source_file": f"begroting_{version}_{file_hash}.csv",
            "_file_hash": file_hash,
            "_loaded_at": loaded_at,
        }

    return budget_line


WMO, JW = "WMO-ONDERSTEUNING", "JW-ZONDER-VERBLIJF"
Q4_2023 = budget_file(2023, "2023-12-31", "2023-Q4", "hb23", "2024-01-20 09:00+00")
Q1_2024 = budget_file(2024, "2024-03-31", "2024-Q1", "hbq1", "2024-04-10 09:00+00")
Q2_2024 = budget_file(2024, "2024-06-30", "2024-Q2", "hbq2", "2024-07-10 09:00+00")
Q2_2024_CORRECTED = budget_file(2024, "2024-06-30", "2024-Q2", "hbq2b", "2024-07-20 09:00+00")
BUDGET_LINES = [
    # the council's table: budget 600,000, spent 3,520, committed 330,280
    Q4_2023(2, "TRANSFORMATIE", "6.72", "600000.00", "3520.00", "330280.00"),
    Q1_2024(2, WMO, "6.71", "1000000.00", "1000.00", "200000.00", "-50000.00", "25000.00"),
    Q1_2024(3, JW, "6.72", "500000.00", "80.00", None),
    Q2_2024(2, WMO, "6.71", "1000000.00", "1300.00", "150000.00", "-50000.00", "25000.00"),
    Q2_2024(3, JW, "6.72", "500000.00", "90.00", None),
    # the re-export books April's 123.45 too; JW-ZONDER-VERBLIJF keeps the first file's 90.00
    Q2_2024_CORRECTED(
        2, WMO, "6.71", "1000000.00", "1423.45", "150000.00", "-50000.00", "25000.00"
    ),
]


@pytest.fixture(scope="module")
def built_warehouse(
    make_database: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    url = make_database("sdw_test_dbt")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(schema_sql())  # the bootstrap's DDL: core + every source
        insert_raw(conn, "istandaarden_323_prestatie", LINES_323)
        insert_raw(conn, "istandaarden_325_antwoord", [ANSWER_HEADER])
        insert_raw(conn, "istandaarden_325_prestatie", REJECTED_325)
        insert_raw(conn, "istandaarden_301_client", [area for area, _ in ASSIGNMENTS])
        insert_raw(conn, "istandaarden_301_product", [p for _, ps in ASSIGNMENTS for p in ps])
        insert_raw(conn, "budget_line", BUDGET_LINES)

    dbt_build(url, tmp_path_factory.mktemp("dbt"))
    yield url


def fetch(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


def test_care_usage_quarterly(built_warehouse: str) -> None:
    rows = fetch(
        built_warehouse,
        """
        select municipality_code, law, product_category, quarter_start, declared_amount_eur,
               rejected_amount_eur, accepted_amount_eur, clients, delivered_volume, unit,
               amount_per_client_eur
        from marts_candidate.care_usage_quarterly
        order by law, product_category, quarter_start
        """,
    )
    assert rows == [
        # jeugdwet 44: 30.00 + 20.00 + 10.00 = 60.00, clients 7, 8, 9; volume 3 + 2 + 1 = 6,
        # all in unit 14 (etmaal); 60.00 / 3 = 20.00.
        ("GM0363", "jeugdwet", "44", Q1, D("60.00"), D("0.00"), D("60.00"), 3, 6, "14", D("20.00")),
        # jeugdwet 45: 60.01 + 40.00 = 100.01, 2 clients, 100.01 / 2 = 50.005 -> half-up 50.01.
        ("GM0363", "jeugdwet", "45", Q1, D("100.01"), D("0.00"), D("100.01"), 2, 10, "04",
         D("50.01")),
        # wmo 01: client 10 declared 75.00 and credited 75.00 -> 0.00, nobody counted,
        # volume 5 - 5 = 0, no amount per client.
        ("GM0363", "wmo", "01", Q1, D("0.00"), D("0.00"), D("0.00"), 0, 0, "04", None),
        # wmo 02, Q1 (client 2's line from 25 March counts in Q1):
        # declared A: 500 + 400 + 250 - 400 + 450 = 1200; B: 150 + 200 = 350 -> 1550.00.
        # rejected: only A/D1/R3 (client 2) = 250.00, B/D1/R3 stays accepted.
        # accepted 1550 - 250 = 1300.00. Clients: 1 (net 950), 3 (150), 4 (200); client 2 has
        # only a rejected line -> 3. Volume of accepted lines: 10 + 8 - 8 + 9 + 3 + 2 = 24.
        # Units 04 and 14 mixed -> null. 1300.00 / 3 = 433.333... -> 433.33.
        ("GM0363", "wmo", "02", Q1, D("1550.00"), D("250.00"), D("1300.00"), 3, 24, None,
         D("433.33")),
        # wmo 07, Q2: client 1's dagbesteding 123.45, 4 dagdelen.
        ("GM0363", "wmo", "07", Q2, D("123.45"), D("0.00"), D("123.45"), 1, 4, "16", D("123.45")),
    ]  # fmt: skip


def test_care_usage_quarterly_reconciles_to_raw(built_warehouse: str) -> None:
    # Hand total of all signed lines: 1550.00 + 123.45 + 0.00 + 60.00 + 100.01 = 1833.46.
    [(total,)] = fetch(
        built_warehouse, "select sum(declared_amount_eur) from marts_candidate.care_usage_quarterly"
    )
    assert total == D("1833.46")


def test_care_usage_by_district_quarterly(built_warehouse: str) -> None:
    rows = fetch(
        built_warehouse,
        """
        select municipality_code, district_code, law, quarter_start, declared_amount_eur,
               rejected_amount_eur, accepted_amount_eur, clients, delivered_volume, unit,
               amount_per_client_eur, clients_per_1000_inhabitants, suppressed
        from marts_candidate.care_usage_by_district_quarterly
        order by law, district_code, quarter_start
        """,
    )
    hidden = (None, None, None, None)  # declared, rejected, accepted, clients
    # Complementary suppression adds nothing here: wmo Q1 has three small cells (UNKNOWN,
    # WK036301, WK036305) and only a 0-client row beside them; wmo Q2 has one small cell and
    # no other row; jeugdwet Q1 has none.
    assert rows == [
        # Jeugdwet, no 301s: all five clients UNKNOWN. 60.01 + 40 + 30 + 20 + 10 = 160.01;
        # 5 clients is not a small cell; 160.01 / 5 = 32.002 -> 32.00; volume 6+4+3+2+1 = 16,
        # units 04 and 14 -> null. Population not loaded yet -> rate null.
        ("GM0363", "UNKNOWN", "jeugdwet", Q1, D("160.01"), D("0.00"), D("160.01"), 5, 16, None,
         D("32.00"), None, False),
        # Wmo UNKNOWN Q1: client 2 (address not found; line rejected) + client 4 (no 301):
        # 1 client counted -> suppressed. Volume of accepted lines: client 4's 2 etmalen.
        ("GM0363", "UNKNOWN", "wmo", Q1, *hidden, 2, None, None, None, True),
        # WK036301 Q1: client 3 only (provider B's D1/R3, not rejected) -> suppressed.
        # Client 1 is NOT here: the January 301 with wijk 36301 is not the latest.
        ("GM0363", "WK036301", "wmo", Q1, *hidden, 3, "04", None, None, True),
        # WK036305 (client 1's latest 301, March): Q1 volume 10 + 8 - 8 + 9 = 19, Q2 4 dagdelen.
        ("GM0363", "WK036305", "wmo", Q1, *hidden, 19, "04", None, None, True),
        ("GM0363", "WK036305", "wmo", Q2, *hidden, 4, "16", None, None, True),
        # WK036309: client 10 fully credited -> 0 clients, not suppressed, amounts 0.00.
        ("GM0363", "WK036309", "wmo", Q1, D("0.00"), D("0.00"), D("0.00"), 0, 0, "04", None,
         None, False),
    ]  # fmt: skip


def test_marts_build_only_into_candidate_schema(built_warehouse: str) -> None:
    schemas = {
        name
        for (name,) in fetch(
            built_warehouse,
            "select table_schema from information_schema.tables"
            " where table_name like 'care_usage%'",
        )
    }
    assert schemas == {"marts_candidate"}


def test_kpi_scorecard_restates_the_care_marts(built_warehouse: str) -> None:
    rows = fetch(
        built_warehouse,
        """
        select kpi_code, law, product_category, period_start, value, status, previous_value
        from marts_candidate.kpi_scorecard
        where kpi_family <> 'budget'
        order by kpi_code, law, product_category, period_start
        """,
    )
    # (The budget family depends on the budget rows another test of this module writes; its
    # rule is the dbt unit test kpi_scorecard_previous_period.)
    # Only 323/325/301 data here: care_usage_quarterly's five rows, each as two KPIs (the
    # figures worked out in test_care_usage_quarterly); no target for care KPIs -> geen_norm;
    # wmo 07 has no Q1 row -> no previous value.
    assert rows == [
        ("care_accepted_eur", "jeugdwet", "44", Q1, D("60.00"), "geen_norm", None),
        ("care_accepted_eur", "jeugdwet", "45", Q1, D("100.01"), "geen_norm", None),
        ("care_accepted_eur", "wmo", "01", Q1, D("0.00"), "geen_norm", None),
        ("care_accepted_eur", "wmo", "02", Q1, D("1300.00"), "geen_norm", None),
        ("care_accepted_eur", "wmo", "07", Q2, D("123.45"), "geen_norm", None),
        ("care_clients", "jeugdwet", "44", Q1, 3, "geen_norm", None),
        ("care_clients", "jeugdwet", "45", Q1, 2, "geen_norm", None),
        ("care_clients", "wmo", "01", Q1, 0, "geen_norm", None),
        ("care_clients", "wmo", "02", Q1, 3, "geen_norm", None),
        ("care_clients", "wmo", "07", Q2, 1, "geen_norm", None),
        # The district mart's suppressed wmo cells (WK036301 Q1, WK036305 Q1 and Q2) stay
        # hidden, and Q2's previous value is Q1's hidden cell: null. WK036309 (0 clients, no
        # population) has no rate, so no row; UNKNOWN never has one.
        ("care_clients_per_1000", "wmo", "all", Q1, None, "onderdrukt", None),
        ("care_clients_per_1000", "wmo", "all", Q1, None, "onderdrukt", None),
        ("care_clients_per_1000", "wmo", "all", Q2, None, "onderdrukt", None),
    ]
    # Built, not yet validated or published: the view finds neither.
    [(runs, validated, published)] = fetch(
        built_warehouse,
        "select count(distinct run_id), count(validated_at), count(publication_id)"
        " from marts_candidate.kpi_scorecard",
    )
    assert (runs, validated, published) == (1, 0, 0)


def test_scorecard_suite_passes_on_the_built_marts(built_warehouse: str) -> None:
    from sdw.validation.runner import run_suite

    summary = run_suite("scorecard_marts", built_warehouse, "run-scorecard")
    assert summary.success, summary.summary
    assert summary.failed == 0 and summary.evaluated >= 8


def test_budget_realisation(built_warehouse: str) -> None:
    rows = fetch(
        built_warehouse,
        """
        select begrotingsjaar, report_version, peildatum, budget_line, taakveld_name,
               current_budget_eur, spent_eur, committed_eur, available_eur, burn_rate_pct,
               year_elapsed_pct, is_care_line, declaration_spend_eur, difference_eur
        from marts_candidate.budget_realisation
        where municipality_code = 'GM0363'
        order by begrotingsjaar, report_version, budget_line
        """,
    )
    q1, q2 = date(2024, 3, 31), date(2024, 6, 30)
    jw_name, wmo_name = "Maatwerkdienstverlening 18-", "Maatwerkdienstverlening 18+"
    assert rows == [
        # The council's table: 600,000 - 3,520 - 330,280 = 266,200 still available;
        # 100 x 3,520 / 600,000 = 0.587 -> 0.59; 31 December -> 100.00 of the year elapsed.
        # Not a care line; no 2023 declarations, so no NIET_GEKOPPELD row for 2023.
        (2023, "2023-Q4", date(2023, 12, 31), "TRANSFORMATIE", jw_name, D("600000.00"),
         D("3520.00"), D("330280.00"), D("266200.00"), D("0.59"), D("100.00"), False, None,
         None),
        # 2024-Q1 (31 March = day 91 of 366 -> 24.86). JW-ZONDER-VERBLIJF: jeugdwet 45 in Q1
        # accepted 60.01 + 40.00 = 100.01, ledger 80.00 -> 20.01 not yet booked; 500,000 - 80
        # = 499,920 available; 100 x 80 / 500,000 = 0.016 -> 0.02.
        (2024, "2024-Q1", q1, JW, jw_name, D("500000.00"), D("80.00"), None, D("499920.00"),
         D("0.02"), D("24.86"), True, D("100.01"), D("20.01")),
        # jeugdwet 44 (30.00 + 20.00 + 10.00 = 60.00) maps to JW-MET-VERBLIJF, absent here.
        (2024, "2024-Q1", q1, "NIET_GEKOPPELD", None, D("0.00"), None, None, D("0.00"), None,
         D("24.86"), True, D("60.00"), D("60.00")),
        # WMO: current 1,000,000 - 50,000 + 25,000 = 975,000; available 975,000 - 1,000 -
        # 200,000 = 774,000; burn 100 x 1,000 / 975,000 = 0.103 -> 0.10. Declarations up to
        # 31 March: wmo 02 Q1 accepted 1,300.00 (1,550.00 - the rejected 250.00) + wmo 01's
        # credited 0.00; April's 123.45 (wmo 07) is after the peildatum. 1,300 - 1,000 = 300.
        (2024, "2024-Q1", q1, WMO, wmo_name, D("975000.00"), D("1000.00"), D("200000.00"),
         D("774000.00"), D("0.10"), D("24.86"), True, D("1300.00"), D("300.00")),
        # 2024-Q2 (30 June = day 182 of 366 -> 49.73): JW-ZONDER-VERBLIJF from the first Q2
        # file (the re-export does not restate it): 100.01 - 90.00 = 10.01.
        (2024, "2024-Q2", q2, JW, jw_name, D("500000.00"), D("90.00"), None, D("499910.00"),
         D("0.02"), D("49.73"), True, D("100.01"), D("10.01")),
        (2024, "2024-Q2", q2, "NIET_GEKOPPELD", None, D("0.00"), None, None, D("0.00"), None,
         D("49.73"), True, D("60.00"), D("60.00")),
        # WMO from the corrected re-export: spent 1,423.45 (not the first file's 1,300.00);
        # 975,000 - 1,423.45 - 150,000 = 823,576.55; 100 x 1,423.45 / 975,000 = 0.146 -> 0.15;
        # declarations 1,300.00 + 123.45 = 1,423.45, all booked -> difference 0.00.
        (2024, "2024-Q2", q2, WMO, wmo_name, D("975000.00"), D("1423.45"), D("150000.00"),
         D("823576.55"), D("0.15"), D("49.73"), True, D("1423.45"), D("0.00")),
    ]  # fmt: skip


def test_budget_realisation_care_spend_equals_care_marts(built_warehouse: str) -> None:
    # 2024-Q1: 100.01 + 60.00 + 1,300.00 = 1,460.01 = care_usage_quarterly's Q1 accepted
    # (60.00 + 100.01 + 0.00 + 1,300.00); 2024-Q2 adds April's 123.45 -> 1,583.46.
    rows = fetch(
        built_warehouse,
        """
        select report_version, sum(declaration_spend_eur)
        from marts_candidate.budget_realisation
        where begrotingsjaar = 2024
        group by report_version order by report_version
        """,
    )
    assert rows == [("2024-Q1", D("1460.01")), ("2024-Q2", D("1583.46"))]


def test_budget_suite_passes_and_catches_a_broken_row(built_warehouse: str) -> None:
    from sdw.validation.runner import run_suite

    summary = run_suite("budget_marts", built_warehouse, "test-budget")
    assert summary.success, summary.summary
    # A copy of the marts with one available amount off by a cent and the Q2 care spend of
    # the care mart raised by 1.00 must fail both cross-checks.
    with psycopg.connect(built_warehouse, autocommit=True) as conn:
        conn.execute("create schema tampered")
        for table in ("budget_realisation", "care_usage_quarterly"):
            conn.execute(f"create table tampered.{table} as select * from marts_candidate.{table}")
        conn.execute(
            "update tampered.budget_realisation set available_eur = available_eur - 0.01"
            " where budget_line = 'TRANSFORMATIE'"
        )
        conn.execute(
            "update tampered.care_usage_quarterly set accepted_amount_eur ="
            " accepted_amount_eur + 1 where law = 'wmo' and product_category = '07'"
        )
    broken = run_suite(
        "budget_marts", built_warehouse, "test-budget-tampered", {"marts_candidate": "tampered"}
    )
    assert not broken.success
    assert "2023-Q4 TRANSFORMATIE: available 266199.99 <> current budget 600000.00" in (
        broken.summary
    ), broken.summary
    assert (
        "GM0363 2024 2024-Q2 (peildatum 2024-06-30): declaration spend EUR 1583.46 but"
        " care_usage_quarterly accepted EUR 1584.46" in broken.summary
    ), broken.summary


def test_lineage_of_a_mart_row(built_warehouse: str) -> None:
    """Which declarations make up Wmo category 02, Q1 2024? The lines of that mart row, with
    their verdict, file and batch; they sum to the row's declared 1550.00 and accepted
    1300.00 (test_care_usage_quarterly)."""
    rows = fetch(
        built_warehouse,
        """
        select provider_agb, declaration_number, reference_number, source_file, district_code,
               client_pseudonym, debit_credit, declared_amount_eur, accepted_amount_eur, verdict,
               answer_return_codes, answer_source_files, batch_id
        from lineage_candidate.care_declaration_lines
        where municipality_code = 'GM0363' and law = 'wmo' and product_category = '02'
            and quarter_start = '2024-01-01'
        order by provider_agb, declaration_number, reference_number
        """,
    )
    c1, c2, c3, c4 = client(1), client(2), client(3), client(4)
    b = "batch-test"
    assert rows == [
        # Provider A, D1: client 1 January and February; client 2's line from 25 March is the
        # one G-325-1 rejects (0233), so it is declared but accepts 0.00.
        (PROVIDER_A, "D1", "R1", "A-323-1.xml", "WK036305", c1, "D", D("500.00"), D("500.00"),
         "accepted", None, None, b),
        (PROVIDER_A, "D1", "R2", "A-323-1.xml", "WK036305", c1, "D", D("400.00"), D("400.00"),
         "accepted", None, None, b),
        (PROVIDER_A, "D1", "R3", "A-323-1.xml", "UNKNOWN", c2, "D", D("250.00"), D("0.00"),
         "rejected", "0233", "G-325-1.xml", b),
        # Provider A, D2: the credit of R2 and its re-declaration.
        (PROVIDER_A, "D2", "R4", "A-323-2.xml", "WK036305", c1, "C", D("-400.00"), D("-400.00"),
         "accepted", None, None, b),
        (PROVIDER_A, "D2", "R5", "A-323-2.xml", "WK036305", c1, "D", D("450.00"), D("450.00"),
         "accepted", None, None, b),
        # Provider B's own D1/R3 is not the rejected line.
        (PROVIDER_B, "D1", "R3", "B-323-1.xml", "WK036301", c3, "D", D("150.00"), D("150.00"),
         "accepted", None, None, b),
        (PROVIDER_B, "D1", "R4", "B-323-1.xml", "UNKNOWN", c4, "D", D("200.00"), D("200.00"),
         "accepted", None, None, b),
    ]  # fmt: skip
    # 500 + 400 + 250 - 400 + 450 + 150 + 200 = 1550.00; less the rejected 250 = 1300.00.
    assert sum(r[7] for r in rows) == D("1550.00")
    assert sum(r[8] for r in rows) == D("1300.00")
    # Every line of the 15 loaded is in the lineage once; clients are pseudonyms, never a BSN.
    [(lines, pseudonyms)] = fetch(
        built_warehouse,
        "select count(*), count(*) filter (where client_pseudonym ~ '^[0-9a-f]{64}$')"
        " from lineage_candidate.care_declaration_lines",
    )
    assert (lines, pseudonyms) == (15, 15)
