"""Two files of one delivery that state the same version: which one the marts use is decided by
the one documented rule (docs/budgets.md, "Which file wins"), never by the order the workers
committed in or by the files' hashes, and it is never silent: audit.ambiguous_delivery lists the
set and the run summary names the files and the one used.

The files are built here from literals. Their SHA-256 order is the OPPOSITE of the rule's choice
(asserted below as a precondition), so a model that still breaks ties by hash picks the other
file and these tests fail. Every expected figure is the winning file's literal.

Delivery 1 (one ingest run):
- budget 2024-Q2, both Peildatum 30-06-2024: ``..._q2_a.csv`` Realisatie 100, ``..._q2_b.csv``
  Realisatie 200. Equal dates: the name that sorts last, ``_b``, wins -> 200,00.
- budget 2024-Q3: ``..._q3_a.csv`` Peildatum 01-10-2024 Realisatie 300, ``..._q3_b.csv``
  Peildatum 30-09-2024 Realisatie 400. The later Peildatum wins although ``_a`` sorts first
  -> 300,00 as of 2024-10-01.
- budget 2024-Q1, the same name ``begroting_2024_q1.csv`` in two folders (700 and 800): the
  rule cannot decide; the larger SHA-256 (the 800 file) is used and the view says so.
- budget 2024-Q4 ``..._q4_z.csv`` (31-12-2024, 500) and register 2017 ``..._2017_z.csv``
  (granted 3.000): each alone in this delivery, corrected by delivery 2.
- register 2016: ``..._2016_a.csv`` granted 1.000, ``..._2016_b.csv`` granted 2.000: ``_b`` wins.
Delivery 2 (a later ingest run): ``..._q4_a.csv`` (30-12-2024, 600) and ``..._2017_a.csv``
(granted 4.000). A later delivery replaces the earlier one although its name sorts first and its
Peildatum is earlier: that is a correction, not an ambiguity, so nothing is flagged for it.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from sdw.ingest.inbox import ingest_inbox
from sdw.orchestration import finance_tasks
from tests.conftest import dbt_build, insert_raw

pytestmark = pytest.mark.integration
KEY = b"test-key-" + b"h" * 32
D = Decimal

BUDGET_HEADER = (
    "Gemeentecode;Begrotingsjaar;Peildatum;Rapportageversie;Begrotingspost;Omschrijving;"
    "Taakveld;Programma;Project;Kostenplaats;Primitieve begroting;Begrotingswijzigingen;"
    "Overheveling;Realisatie;Verplichtingen;Prognose"
)
REGISTER_HEADER = (
    "Subsidiejaar;Jaar van toekenning;Programma;Taakveld;Soort subsidie;Aanvrager/Ontvanger;"
    "Omschrijving;Regelmaat;Aangevraagd bedrag;Verleend bedrag;Vastgesteld bedrag"
)
# SHA-256 prefixes of the files as written by csv_bytes (BOM, CRLF), recorded by hand.
HASHES = {
    "begroting_2024_q2_a.csv": "4fd04410",
    "begroting_2024_q2_b.csv": "15233f01",
    "begroting_2024_q3_a.csv": "038bd69d",
    "begroting_2024_q3_b.csv": "f949a485",
    "a/begroting_2024_q1.csv": "921fdbcc",
    "b/begroting_2024_q1.csv": "a48af898",
    "subsidieregister_2016_a.csv": "50cd4874",
    "subsidieregister_2016_b.csv": "190a1709",
}


def budget(peildatum: str, version: str, realisatie: str) -> bytes:
    """A budget CSV of one line, G-A of GM0999 2024, as the financial system exports it."""
    row = f"GM0999;2024;{peildatum};{version};G-A;Lijn A;6.1;;;;€ 1.000,00;-;-;€ {realisatie};-;-"
    return csv_bytes(BUDGET_HEADER, row)


def register(year: int, granted: str, description: str) -> bytes:
    """A subsidy register CSV of one row for ``year``."""
    row = (
        f"{year};{year};Welzijn;6.1 Samenkracht;Project;Stichting A;{description};Eenmalig;"
        f"€ 5.000;€ {granted};-"
    )
    return csv_bytes(REGISTER_HEADER, row)


def csv_bytes(header: str, row: str) -> bytes:
    return b"\xef\xbb\xbf" + "\r\n".join([header, row]).encode() + b"\r\n"


DELIVERY_1 = {
    "begroting_2024_q2_a.csv": budget("30-06-2024", "2024-Q2", "100,00"),
    "begroting_2024_q2_b.csv": budget("30-06-2024", "2024-Q2", "200,00"),
    "begroting_2024_q3_a.csv": budget("01-10-2024", "2024-Q3", "300,00"),
    "begroting_2024_q3_b.csv": budget("30-09-2024", "2024-Q3", "400,00"),
    "a/begroting_2024_q1.csv": budget("31-03-2024", "2024-Q1", "700,00"),
    "b/begroting_2024_q1.csv": budget("31-03-2024", "2024-Q1", "800,00"),
    "begroting_2024_q4_z.csv": budget("31-12-2024", "2024-Q4", "500,00"),
    "subsidieregister_2016_a.csv": register(2016, "1.000", "Buurtkamer"),
    "subsidieregister_2016_b.csv": register(2016, "2.000", "Buurtkamer 2016"),
    "subsidieregister_2017_z.csv": register(2017, "3.000", "Buurtkamer"),
}
DELIVERY_2 = {
    "begroting_2024_q4_a.csv": budget("30-12-2024", "2024-Q4", "600,00"),
    "subsidieregister_2017_a.csv": register(2017, "4.000", "Buurtkamer"),
}


def deliver(files: dict[str, bytes], inbox: Path, url: str) -> str:
    for name, data in files.items():
        (inbox / name).parent.mkdir(parents=True, exist_ok=True)
        (inbox / name).write_bytes(data)
    batch = f"test-{uuid.uuid4().hex[:8]}"
    report = ingest_inbox(inbox, url, KEY, batch, dag_id=finance_tasks.DAG_ID, keep_files=True)
    assert sorted((f.source_file, f.status) for f in report.files) == sorted(
        (Path(name).name, "loaded") for name in files
    )
    return batch


@pytest.fixture(scope="module")
def delivered(
    make_database: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, str, str]:
    """Both deliveries ingested and the finance marts built: (url, batch 1, batch 2)."""
    from sdw.warehouse.bootstrap import ensure_schema

    url = make_database("sdw_test_ambiguous")
    ensure_schema(url)
    first = deliver(DELIVERY_1, tmp_path_factory.mktemp("delivery1"), url)
    second = deliver(DELIVERY_2, tmp_path_factory.mktemp("delivery2"), url)
    dbt_build(
        url,
        tmp_path_factory.mktemp("dbt"),
        "+budget_realisation +subsidies_by_theme_year product_categories units",
    )
    return url, first, second


def test_the_hash_order_is_opposite_to_the_rule() -> None:
    """Precondition of the tests below: ordering by hash would pick the other file."""
    for name, prefix in HASHES.items():
        assert hashlib.sha256(DELIVERY_1[name]).hexdigest().startswith(prefix), name
    # the rule's winners have the SMALLER hash of their pair
    assert HASHES["begroting_2024_q2_b.csv"] < HASHES["begroting_2024_q2_a.csv"]
    assert HASHES["begroting_2024_q3_a.csv"] < HASHES["begroting_2024_q3_b.csv"]
    assert HASHES["subsidieregister_2016_b.csv"] < HASHES["subsidieregister_2016_a.csv"]


def test_the_budget_mart_holds_the_winning_files_figures(delivered: tuple[str, str, str]) -> None:
    url, _first, _second = delivered
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            """SELECT report_version, peildatum, spent_eur FROM marts_candidate.budget_realisation
               WHERE municipality_code = 'GM0999' AND begrotingsjaar = 2024
                 AND budget_line = 'G-A'
               ORDER BY report_version"""
        ).fetchall()
    assert rows == [
        # same name in two folders: the rule cannot decide; the larger hash (a48a...) is used
        ("2024-Q1", date(2024, 3, 31), D("800.00")),
        # equal Peildatum: begroting_2024_q2_b.csv, the name that sorts last
        ("2024-Q2", date(2024, 6, 30), D("200.00")),
        # the later Peildatum: begroting_2024_q3_a.csv
        ("2024-Q3", date(2024, 10, 1), D("300.00")),
        # the later delivery: begroting_2024_q4_a.csv, though its name and date come first
        ("2024-Q4", date(2024, 12, 30), D("600.00")),
    ]


def test_the_subsidy_mart_holds_the_winning_registers_figures(
    delivered: tuple[str, str, str],
) -> None:
    url, _first, _second = delivered
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            """SELECT subsidy_year, theme, requests, granted_eur
               FROM marts_candidate.subsidies_by_theme_year ORDER BY subsidy_year"""
        ).fetchall()
        files = conn.execute(
            """SELECT subsidy_year, source_file FROM staging.stg_subsidies__grants
               ORDER BY subsidy_year"""
        ).fetchall()
    # 2016: subsidieregister_2016_b.csv (2.000); 2017: the later delivery's register (4.000)
    assert rows == [(2016, "Welzijn", 1, D("2000.00")), (2017, "Welzijn", 1, D("4000.00"))]
    assert files == [(2016, "subsidieregister_2016_b.csv"), (2017, "subsidieregister_2017_a.csv")]


def test_the_audit_view_lists_each_set_of_the_delivery(delivered: tuple[str, str, str]) -> None:
    url, first, _second = delivered
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            """SELECT source, version_key, version, files, file_hashes, stated_dates, lines,
                      chosen_file, chosen_file_hash, decided_by, rule
               FROM audit.ambiguous_delivery WHERE batch_id = %s ORDER BY source, version""",
            (first,),
        ).fetchall()
    summary = [(r[0], r[2], r[3], r[5], r[6], r[7], r[9]) for r in rows]
    assert summary == [
        ("budget", "GM0999 2024 2024-Q1",
         ["begroting_2024_q1.csv", "begroting_2024_q1.csv"],
         [date(2024, 3, 31), date(2024, 3, 31)], [1, 1], "begroting_2024_q1.csv",
         "nothing in the rule (same date, same file name): the larger SHA-256 was used; "
         "rename one of the files and deliver both again"),
        ("budget", "GM0999 2024 2024-Q2",
         ["begroting_2024_q2_b.csv", "begroting_2024_q2_a.csv"],
         [date(2024, 6, 30), date(2024, 6, 30)], [1, 1], "begroting_2024_q2_b.csv",
         "the file name that sorts last"),
        ("budget", "GM0999 2024 2024-Q3",
         ["begroting_2024_q3_a.csv", "begroting_2024_q3_b.csv"],
         [date(2024, 10, 1), date(2024, 9, 30)], [1, 1], "begroting_2024_q3_a.csv",
         "the later Peildatum"),
        ("subsidy_register", "subsidiejaar 2016",
         ["subsidieregister_2016_b.csv", "subsidieregister_2016_a.csv"],
         [None, None], [1, 1], "subsidieregister_2016_b.csv",
         "the file name that sorts last"),
    ]  # fmt: skip
    assert rows[1][1] == {
        "municipality_code": "GM0999",
        "begrotingsjaar": 2024,
        "report_version": "2024-Q2",
    }
    assert rows[3][1] == {"subsidiejaar": 2016}
    # hashes in the rule's order, the chosen one first
    assert [h[:8] for h in rows[0][4]] == ["a48af898", "921fdbcc"]
    assert [h[:8] for h in rows[1][4]] == ["15233f01", "4fd04410"]
    assert rows[1][8].startswith("15233f01")
    assert "Peildatum" in rows[1][10] and "byte order" in rows[1][10]
    assert "byte order" in rows[3][10]


def test_a_later_delivery_correcting_an_earlier_one_is_not_flagged(
    delivered: tuple[str, str, str],
) -> None:
    url, first, second = delivered
    with psycopg.connect(url) as conn:
        versions = conn.execute(
            "SELECT batch_id, version FROM audit.ambiguous_delivery ORDER BY batch_id, version"
        ).fetchall()
    assert (second, "GM0999 2024 2024-Q4") not in versions
    assert [v for b, v in versions if b == second] == []
    assert "GM0999 2024 2024-Q4" not in [v for _b, v in versions]
    assert "subsidiejaar 2017" not in [v for _b, v in versions]
    assert {b for b, _v in versions} == {first}


def test_the_run_summary_names_the_files_and_the_one_used(
    delivered: tuple[str, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    from sdw.summary import collect, render

    url, first, second = delivered
    summary = collect(url, "no-message-run", None, finance_run_id=first)
    render(summary, url, 1.0, embedded=False)
    out = capsys.readouterr().out
    assert "Ambiguous deliveries: 4 sets of files in one delivery state the same version" in out
    assert (
        "budget GM0999 2024 2024-Q2: begroting_2024_q2_b.csv, begroting_2024_q2_a.csv -> used "
        "begroting_2024_q2_b.csv (the file name that sorts last)"
    ) in out
    assert (
        "budget GM0999 2024 2024-Q3: begroting_2024_q3_a.csv, begroting_2024_q3_b.csv -> used "
        "begroting_2024_q3_a.csv (the later Peildatum)"
    ) in out
    assert (
        "subsidy_register subsidiejaar 2016: subsidieregister_2016_b.csv, "
        "subsidieregister_2016_a.csv -> used subsidieregister_2016_b.csv"
    ) in out

    # The second delivery only corrected: its summary has no such block.
    render(collect(url, "no-message-run", None, finance_run_id=second), url, 1.0, embedded=False)
    assert "Ambiguous deliveries" not in capsys.readouterr().out


def test_the_summary_escapes_and_caps_the_listed_sets(capsys: pytest.CaptureFixture[str]) -> None:
    """A sender's file name is text, not markup; a long list ends in a count."""
    from sdw.summary import AmbiguousSet, RunSummary, render

    s = RunSummary(
        ambiguous=[
            AmbiguousSet(
                "budget",
                "GM0999 2024 2024-Q2",
                ("begroting [bold]b[/bold].csv", "begroting a.csv"),
                "begroting [bold]b[/bold].csv",
                "the file name that sorts last",
            )
        ],
        ambiguous_sets=21,
    )
    render(s, "postgresql://u@h:5432/db", 1.0, embedded=False)
    out = capsys.readouterr().out
    assert "Ambiguous deliveries: 21 sets" in out
    assert "-> used begroting [bold]b[/bold].csv (the file name that sorts last)" in out
    assert "... and 20 more in audit.ambiguous_delivery" in out


def test_row_level_sources_are_listed_by_file_name_order(warehouse_db: str) -> None:
    """Case exports, benefits and CBS statistics choose per row: two files of one delivery
    stating the same melding (wijk x regeling x month, region x measure of one edition) are a
    set; files stating different rows, of different deliveries or editions, are not."""
    common = {"line_number": 2, "_batch_id": "d1"}
    benefit = {"gemeentecode": "GM0999", "maand": "2025-01", "regeling": "participatiewet",
               "aantal_personen": 10, "wijkcode": "WK099901", **common}  # fmt: skip
    observation = {"dataset": "kwb", "table_id": "85984NED", "file_format": "kwb_csv",
                   "region_code": "GM0999", "period": "2023", "measure": "a_inw",
                   "source_key": "a_inw", **common}  # fmt: skip

    def file(name: str, file_hash: str) -> dict[str, str]:
        return {"_source_file": name, "_file_hash": file_hash}

    with psycopg.connect(warehouse_db, autocommit=True) as conn:
        insert_raw(
            conn,
            "cbs_municipal_benefit",
            [
                {**benefit, **file("uitk_b.csv", "01")},
                {**benefit, **file("uitk_a.csv", "ff")},
                # another wijk only: no row in common with uitk_a/uitk_b
                {**benefit, "wijkcode": "WK099902", **file("uitk_c.csv", "02")},
                # the same row in a later delivery: a correction
                {**benefit, "_batch_id": "d2", **file("uitk_z.csv", "03")},
            ],
        )
        insert_raw(
            conn,
            "cbs_observation",
            [
                {**observation, **file("kwb_2.csv", "11")},
                {**observation, **file("kwb_1.csv", "fe")},
                # a newer edition stating the same row: the edition decides, not ambiguous
                {**observation, "table_id": "86000NED", **file("kwb_3.csv", "12")},
            ],
        )
        case = {"gemeentecode": "GM0999", "wet": "wmo", "datum_melding": date(2025, 1, 6),
                "resultaat": "lopend", "adres_status": "no_address", **common}  # fmt: skip
        insert_raw(
            conn,
            "case_procedure",
            [
                # melding m1 in both files, m2 only in zaken_1: one melding in common
                {**case, "melding_pseudoniem": "m1", **file("zaken_1.csv", "21")},
                {**case, "melding_pseudoniem": "m2", **file("zaken_1.csv", "21")},
                {**case, "melding_pseudoniem": "m1", **file("zaken_2.csv", "20")},
            ],
        )
        rows = conn.execute(
            """SELECT source, batch_id, version, files, lines, chosen_file, decided_by
               FROM audit.ambiguous_delivery ORDER BY source, version"""
        ).fetchall()
    assert rows == [
        ("case_export", "d1", "GM0999 meldingen", ["zaken_2.csv", "zaken_1.csv"], [1, 1],
         "zaken_2.csv", "the file name that sorts last"),
        ("cbs_benefits", "d1", "GM0999 2025-01", ["uitk_b.csv", "uitk_a.csv"], [1, 1],
         "uitk_b.csv", "the file name that sorts last"),
        ("cbs_statistics", "d1", "kwb 85984NED 2023", ["kwb_2.csv", "kwb_1.csv"], [1, 1],
         "kwb_2.csv", "the file name that sorts last"),
    ]  # fmt: skip
