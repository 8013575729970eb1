"""CBS files through the real ingest machinery and dbt on a fresh PostgreSQL: the reference
SES-WOA and KWB files load with every non-secret value, the generated municipality's CBS
files load, and the CBS marts and per-1,000 rates come out as worked out by hand."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from sdw.ingest.inbox import ingest_inbox
from sdw.orchestration import cbs_tasks
from tests.conftest import dbt_build

pytestmark = pytest.mark.integration
KEY = b"test-key-" + b"x" * 32
REPO = Path(__file__).resolve().parents[2]
SES = "SES_WOA_85163NED_amsterdam_2019_statline_export.csv"
KWB = "kwb-2023_utrecht_GM0344.xlsx"


CBS_BENEFITS = "\r\n".join(
    [
        '"Wijken en buurten";"Perioden";"Regioaanduiding/Gemeentenaam (naam)";'
        '"Regioaanduiding/Soort regio (omschrijving)";"Regioaanduiding/Codering (code)";'
        '"Personen per soort uitkering/Bijstandsuitkering (aantal)";'
        '"Personen per soort uitkering/AOW-uitkering (aantal)";'
        '"Personen per soort uitkering, relatief/Bijstandsuitkering '
        '(% van het aantal inwoners vanaf 15 jaar)"',
        '"Denkstede";"2025 maart*";"Denkstede";"Gemeente  ";"GM0999    ";"  800";" 3400";"   4"',
        '"Centrum";"2025 maart*";"Denkstede";"Wijk      ";"WK099901  ";"  210";"    .";"   4"',
        '"Centrum 1";"2025 maart*";"Denkstede";"Buurt     ";"BU09990101";"   70";"  320";"   4"',
    ]
) + "\r\n"  # fmt: skip


# Counts beyond a 32-bit integer (2^31 = 2,147,483,648) and below the CBS value parser's bound
# (10^15), for a municipality of their own (GM0998): every CBS mart must build with them. The
# age bands add up to inhabitants (the mart suite allows 25 off): GM0998 199,999,999,999,995 +
# 4 x 200,000,000,000,000 = 999,999,999,999,995; WK099801 1,000,000,000 + 4 x 1,250,000,000
# = 6,000,000,000.
EXTREME_KWB = (
    "gwb_code_10;regio;gm_naam;recs;a_inw;a_00_14;a_15_24;a_25_44;a_45_64;a_65_oo\n"
    "GM0998;Extreemstad;Extreemstad;Gemeente;999999999999995;199999999999995;"
    "200000000000000;200000000000000;200000000000000;200000000000000\n"
    "WK099801;Extreemwijk;Extreemstad;Wijk;6000000000;1000000000;"
    "1250000000;1250000000;1250000000;1250000000\n"
)
EXTREME_SES = (
    '"Perioden";"Wijken en buurten";"Regiocode (gemeente, wijk, buurt) (code)";'
    '"Particuliere huishoudens (aantal)";"SES-WOA/Totaalscore/Gemiddelde score (Getal)"\r\n'
    '"2022";"Extreemwijk";"WK099801  ";"999999999999900";"   0.100"\r\n'
)
EXTREME_CBS_BENEFITS = (
    '"Wijken en buurten";"Perioden";"Regioaanduiding/Codering (code)";'
    '"Personen per soort uitkering/Bijstandsuitkering (aantal)"\r\n'
    '"Extreemwijk";"2025 maart";"WK099801  ";"3000000000"\r\n'
)


def q(url: str, sql: str, *args: object) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, args or None).fetchall()


def load(inbox: Path, url: str) -> tuple[dict, str]:
    batch = f"test-{uuid.uuid4().hex[:8]}"
    report = ingest_inbox(inbox, url, KEY, batch, dag_id="ingest_cbs", keep_files=True)
    cbs_tasks.reconcile(batch, url)
    return {f.source_file: f for f in report.files}, batch


@pytest.fixture(scope="module")
def loaded(
    reference_dir: Path,
    make_database: Callable[[str], str],
    tmp_path_factory: pytest.TempPathFactory,
) -> str:
    from sdw.generate.cbs_files import write_cbs_files
    from sdw.warehouse.bootstrap import ensure_schema

    url = make_database("sdw_test_cbs")
    ensure_schema(url)
    inbox = tmp_path_factory.mktemp("inbox")
    for name in (SES, KWB):
        shutil.copy(reference_dir / "cbs" / name, inbox / name)  # temp inbox, not the project
    from datetime import date

    write_cbs_files(inbox, "GM0999", date(2025, 1, 1), 2, seed=3)
    (inbox / "uitkeringen_fout.csv").write_text(
        "gemeentecode;wijkcode;maand;regeling;aantal_personen"  # the published contract
        "\nGM0999;WK099901;2025-01;bbz;7\nGM0999;WK099901;2025-13;bbz;7\n",
        encoding="utf-8",
    )
    # CBS's quarterly benefits table as StatLine exports it: BOM, text attribute columns,
    # "2025 maart*" (provisional), a secret AOW cell, codes padded to 10.
    (inbox / "uitkeringen_wijken_cbs.csv").write_bytes(
        b"\xef\xbb\xbf" + CBS_BENEFITS.encode("utf-8")
    )
    (inbox / "kwb-2023_extreem_GM0998.csv").write_text(EXTREME_KWB, encoding="utf-8")
    (inbox / "ses_woa_extreem.csv").write_bytes(b"\xef\xbb\xbf" + EXTREME_SES.encode())
    (inbox / "uitkeringen_extreem_cbs.csv").write_bytes(
        b"\xef\xbb\xbf" + EXTREME_CBS_BENEFITS.encode()
    )
    files, _ = load(inbox, url)
    assert {f.status for n, f in files.items() if n != "uitkeringen_fout.csv"} == {"loaded"}
    assert files["uitkeringen_fout.csv"].status == "loaded_with_rejections"
    assert (files[SES].lines_loaded, files[KWB].lines_loaded) == (579, 122)
    again, _ = load(inbox, url)
    assert {f.status for f in again.values()} == {"duplicate"}
    dbt_build(url, tmp_path_factory.mktemp("dbt"), "+ses_scores +population_by_district "
              "+dim_region +benefit_recipients")  # fmt: skip
    return url


def test_reference_cells_in_raw(loaded: str, reference_dir: Path) -> None:
    text = (reference_dir / "cbs" / SES).read_bytes().decode("utf-8-sig").splitlines()
    header = [h.strip('"') for h in text[0].split(";")]
    for line in text[1::37]:  # every 37th region row
        cells = [c.strip('"').strip() for c in line.split(";")]
        for i in range(3, len(header)):
            (value,) = q(
                loaded,
                "SELECT value FROM raw.cbs_observation WHERE region_code = %s "
                "AND source_key = %s AND _source_file = %s",
                cells[2],
                header[i],
                SES,
            )[0]
            assert value == (None if cells[i] == "." else Decimal(cells[i]))


def test_ses_scores_mart(loaded: str) -> None:
    rows = q(
        loaded,
        "SELECT region_code, total_score, households, spread_total, change_vs_baseline "
        "FROM marts_candidate.ses_scores WHERE year = 2019 AND region_code IN "
        "('GM0363', 'WK036300', 'BU03630100')",
    )
    assert sorted(rows) == [
        ("BU03630100", None, 0, None, None),  # secret stays null; 0 households stays 0
        ("GM0363", Decimal("-0.100"), 457400, Decimal("1.010"), None),
        ("WK036300", Decimal("-0.022"), 2900, Decimal("0.892"), None),  # no 2021 in the file
    ]
    (n_wk, max_rank) = q(
        loaded,
        "SELECT count(*), max(rank_in_municipality) FROM marts_candidate.ses_scores "
        "WHERE municipality_code = 'GM0363' AND region_level = 'WK'",
    )[0]
    assert n_wk == 99 and max_rank <= 99
    # generated municipality: 2021 baseline and 2024 score give a change
    (change,) = q(
        loaded,
        "SELECT count(*) FROM marts_candidate.ses_scores WHERE region_code LIKE 'WK0999%%' "
        "AND year = 2024 AND change_vs_baseline IS NOT NULL",
    )[0]
    assert change == 5


def test_population_and_benefits(loaded: str) -> None:
    # Utrecht, Wijk 01 West from the sheet: a_inw 29040, bands 4325/4160/11915/5780/2855
    assert q(
        loaded,
        "SELECT inhabitants, age_00_14, age_15_24, age_25_44, age_45_64, age_65_plus, "
        "inhabitants_15_plus FROM marts_candidate.population_by_district "
        "WHERE region_code = 'WK034401' AND year = 2023",
    ) == [(29040, 4325, 4160, 11915, 5780, 2855, 4160 + 11915 + 5780 + 2855)]
    (n_regions,) = q(
        loaded, "SELECT count(*) FROM marts_candidate.dim_region WHERE municipality_code = 'GM0344'"
    )[0]
    assert n_regions == 122
    # the generated Centrum has 6200 inhabitants (cbs_files._INHABITANTS), 15+ = 6200 - 990
    rows = q(
        loaded,
        "SELECT recipients, recipients_per_1000_inhabitants, pct_inhabitants_15_plus "
        "FROM marts_candidate.benefit_recipients WHERE district_code = 'WK099901' "
        "AND period_start = '2025-01-01' AND benefit_type = 'participatiewet'",
    )
    (recipients, per_1000, pct) = rows[0]
    assert per_1000 == round(Decimal(recipients) * 1000 / 6200, 2)
    assert pct == round(Decimal(recipients) * 100 / (6200 - 990), 1)
    # CBS's quarter: 2025 maart -> 2025-Q1; 210 * 1000 / 6200 = 33.87; CBS's own 4 % kept;
    # the secret AOW cell and a relative-less type give no row; gemeente/buurt rows are not
    # districts.
    assert q(
        loaded,
        "SELECT period_type, benefit_type, recipients, recipients_per_1000_inhabitants, "
        "pct_inhabitants_15_plus FROM marts_candidate.benefit_recipients "
        "WHERE source = 'cbs' ORDER BY district_code, benefit_type",
    ) == [
        # the extreme wijk: 3,000,000,000 x 1000 / 6,000,000,000 = 500.00; no CBS relative
        # measure, so x 100 / 15+ (5,000,000,000) = 60.0
        ("quarter", "bijstand", 3_000_000_000, Decimal("500.00"), Decimal("60.0")),
        ("quarter", "bijstand", 210, Decimal("33.87"), Decimal("4")),
    ]
    # the quarantined line of the bad file did not load, its good line did
    assert q(
        loaded,
        "SELECT count(*) FROM quarantine.rejected_record WHERE reason_code = 'BENEFIT_ROW'",
    ) == [(1,)]


def test_counts_beyond_a_32_bit_integer_build(loaded: str) -> None:
    """The CBS value parser admits up to 10^15; the marts hold it (bigint), where an integer
    cast failed the whole build from 2^31 on."""
    assert q(
        loaded,
        "SELECT region_code, inhabitants, age_00_14, inhabitants_15_plus "
        "FROM marts_candidate.population_by_district WHERE municipality_code = 'GM0998' "
        "ORDER BY region_code",
    ) == [
        ("GM0998", 999_999_999_999_995, 199_999_999_999_995, 800_000_000_000_000),
        ("WK099801", 6_000_000_000, 1_000_000_000, 5_000_000_000),
    ]
    assert q(
        loaded,
        "SELECT households, total_score FROM marts_candidate.ses_scores "
        "WHERE region_code = 'WK099801' AND year = 2022",
    ) == [(999_999_999_999_900, Decimal("0.100"))]


def test_gx_suites_pass_on_real_and_generated_data(loaded: str) -> None:
    from sdw.validation.runner import run_suite

    for suite in ("raw_cbs", "cbs_marts"):
        result = run_suite(suite, loaded, f"test-{uuid.uuid4().hex[:6]}")
        assert result.success, result.summary


def test_gx_raw_suite_catches_a_bad_score(loaded: str, make_database) -> None:
    from sdw.validation.runner import run_suite
    from sdw.warehouse.bootstrap import ensure_schema

    url = make_database("sdw_test_cbs_gx")
    ensure_schema(url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            """INSERT INTO raw.cbs_observation (dataset, file_format, region_code, period,
               measure, source_key, value, value_raw, line_number, _batch_id, _source_file,
               _file_hash) VALUES
               ('ses_woa', 'statline_csv', 'WK036300', '2019', 'ses_total_score', 'x', 42, '42',
                2, 'b', 'f.csv', 'h'),
               ('ses_woa', 'statline_csv', 'WK036301', '2019', 'households', 'y', NULL, '2900',
                3, 'b', 'f.csv', 'h')"""
        )
    result = run_suite("raw_cbs", url, "test-bad")
    assert not result.success
    assert "raw_cbs_ses_scores" in result.summary
    assert "raw_cbs_secret_is_not_a_lost_number" in result.summary
