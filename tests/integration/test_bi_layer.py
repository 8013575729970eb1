"""What a BI tool sees, connected as the read-only role ``sdw_bi_reader`` after a real dbt build,
a real mart validation and the real publish (the schema swap) on a fresh database.

Raw rows are written by hand (as in test_dbt_project), small enough to work out every expected
value here: two Wmo 323 messages and one 301, and two yearly KWB files that rename one wijk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import psycopg
import pytest

from sdw.publish import publish
from sdw.validation.runner import run_stage_or_raise
from sdw.warehouse.bootstrap import BI_ROLE, ensure_schema
from tests.conftest import dbt_build, insert_raw

pytestmark = pytest.mark.integration

RUN_ID = "run-bi-layer"
GM = "0363"


def client(n: int) -> str:
    """A stand-in HMAC pseudonym: 64 hex characters, no BSN anywhere."""
    return f"{n:02x}" * 32


def message(
    kind: str, message_id: str, dagtekening: str, loaded_at: str, law: str = "wmo"
) -> dict[str, Any]:
    return {
        "wet": law,
        "gemeentecode": GM,
        "aanbieder_agb": "12345678",
        "bericht_identificatie": message_id,
        "bericht_dagtekening": dagtekening,
        "_batch_id": "batch-bi",
        "_source_file": f"{message_id}.xml",
        "_file_hash": f"hash-{message_id}",
        "_loaded_at": loaded_at,
        "_kind": kind,
    }


# The 323 of May is the newest message; it was loaded before the April one.
APRIL = message("323", "A-323-1", "2024-04-05", "2024-06-02 10:00+00")
MAY = message("323", "A-323-2", "2024-05-06", "2024-06-01 10:00+00")
ASSIGN = message("301", "M-301-1", "2024-03-01", "2024-06-03 10:00+00")


def bericht(msg: dict[str, Any], code: str) -> dict[str, Any]:
    header = {k: v for k, v in msg.items() if k != "_kind"}
    return {
        **header,
        "bericht_type": msg["_kind"],
        "berichtcode": code,
        "afzender": "12345678",
        "ontvanger": GM,
    }


def prestatie(msg: dict[str, Any], ref: str, who: int, category: str) -> dict[str, Any]:
    header = {k: v for k, v in msg.items() if k != "_kind"}
    return {
        **header,
        "declaratienummer": "D1",
        "bsn_pseudoniem": client(who),
        "referentienummer": ref,
        "vorig_referentienummer": None,
        "toewijzingnummer": f"T{who}",
        "productcategorie": category,
        "productcode": f"{category}A01",
        "productperiode_begindatum": "2024-01-01",
        "productperiode_einddatum": "2024-01-31",
        "geleverd_volume": 2,
        "eenheid": "04",
        "producttarief": None,
        "ingediend_bedrag": 10000,
        "debet_credit": "D",
    }


LINES = [prestatie(APRIL, f"R{n}", n, "01") for n in range(1, 6)] + [prestatie(MAY, "R6", 6, "02")]


def kwb(region: str, name: str, year: int, inhabitants: int, file: str, loaded: str) -> dict:
    return {
        "dataset": "kwb",
        "table_id": None,
        "file_format": "kwb_csv",
        "region_code": region,
        "region_name": name,
        "period": str(year),
        "measure": "a_inw",
        "source_key": "a_inw",
        "value": inhabitants,
        "value_raw": str(inhabitants),
        "line_number": 2,
        "_batch_id": "batch-bi",
        "_source_file": file,
        "_file_hash": f"hash-{file}",
        "_loaded_at": loaded,
    }


# WK036301 is renamed in the 2024 indeling; WK036302 only exists in 2023.
OBSERVATIONS = [
    kwb("GM0363", "Amsterdam", 2023, 900000, "kwb-2023.csv", "2024-01-10 09:00+00"),
    kwb("WK036301", "Oud-West", 2023, 1000, "kwb-2023.csv", "2024-01-10 09:00+00"),
    kwb("WK036302", "Haven", 2023, 200, "kwb-2023.csv", "2024-01-10 09:00+00"),
    kwb("GM0363", "Amsterdam", 2024, 910000, "kwb-2024.csv", "2025-01-10 09:00+00"),
    kwb("WK036301", "Oud-West en De Baarsjes", 2024, 1100, "kwb-2024.csv", "2025-01-10 09:00+00"),
]


@pytest.fixture(scope="module")
def published(
    make_database: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    url = make_database("sdw_test_bi")
    ensure_schema(url)  # what `sdw run` does first: schemas, raw tables, the BI role and grants
    with psycopg.connect(url, autocommit=True) as conn:
        insert_raw(
            conn,
            "istandaarden_bericht",
            [bericht(APRIL, "486"), bericht(MAY, "486"), bericht(ASSIGN, "414")],
        )
        insert_raw(conn, "istandaarden_323_prestatie", LINES)
        insert_raw(conn, "cbs_observation", OBSERVATIONS)
    dbt_build(url, tmp_path_factory.mktemp("dbt"))
    run_stage_or_raise("marts", url, RUN_ID)
    publish(url, RUN_ID)
    yield url


def as_bi(url: str, sql: str, *params: Any) -> list[tuple]:
    """A query as the BI role would send it: its own login, nothing else."""
    with psycopg.connect(url, user=BI_ROLE) as conn:
        return conn.execute(sql, params).fetchall()


def marts_relations(url: str) -> set[str]:
    return {
        name
        for (name,) in as_bi(
            url,
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'marts' AND c.relkind IN ('r', 'v', 'm', 'p')",
        )
    }


def test_every_mart_and_column_carries_its_description(published: str) -> None:
    relations = marts_relations(published)
    # the ten marts of before, the new dimensions and the freshness pair, all published
    assert {
        "care_usage_quarterly",
        "dim_region",
        "dim_region_history",
        "dim_product_category",
        "dim_unit",
        "dim_referrer_type",
        "dim_message_norm",
        "dim_procedure_norm",
        "data_freshness",
        "data_freshness_sources",
    } <= relations
    rows = as_bi(
        published,
        """SELECT c.relname, a.attname, obj_description(c.oid, 'pg_class'),
                  col_description(c.oid, a.attnum)
           FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
           JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
           WHERE n.nspname = 'marts' AND c.relkind IN ('r', 'v', 'm', 'p')""",
    )
    assert {r[0] for r in rows} == relations
    missing = sorted(
        f"{table}.{column}" for table, column, _, comment in rows if not (comment or "").strip()
    )
    assert missing == []
    assert sorted({t for t, _, c, _ in rows if not (c or "").strip()}) == []
    # doc() blocks are rendered into the comment, not left as Jinja
    assert not [r for r in rows if "{{" in (r[2] or "") + (r[3] or "")]
    [(law_comment,)] = as_bi(
        published,
        "SELECT col_description('marts.care_usage_quarterly'::regclass, attnum) "
        "FROM pg_attribute WHERE attrelid = 'marts.care_usage_quarterly'::regclass "
        "AND attname = 'law'",
    )
    assert law_comment.startswith("`wmo` or `jeugdwet`, from the message namespace")


def test_dimensions_give_dutch_labels(published: str) -> None:
    assert as_bi(
        published,
        "SELECT law, product_category, law_name, product_category_name "
        "FROM marts.dim_product_category "
        "WHERE (law, product_category) IN (('wmo', '01'), ('jeugdwet', '45')) ORDER BY law",
    ) == [
        ("jeugdwet", "45", "Jeugdwet", "Jeugdhulp ambulant"),
        ("wmo", "01", "Wmo 2015", "Hulp bij het huishouden"),
    ]
    assert as_bi(published, "SELECT unit_name FROM marts.dim_unit WHERE unit = '04'") == [("Uur",)]
    assert as_bi(
        published,
        "SELECT referrer_type_name FROM marts.dim_referrer_type WHERE referrer_type = '02'",
    ) == [("Huisarts",)]
    assert as_bi(
        published,
        "SELECT business_rule, norm_days, day_type_name FROM marts.dim_message_norm "
        "WHERE norm_code = 'OP271_START'",
    ) == [("OP271", 5, "werkdagen")]
    assert as_bi(
        published,
        "SELECT law, step_name, norm_days FROM marts.dim_procedure_norm ORDER BY law, norm_days",
    ) == [
        ("jeugdwet", "Aanvraag tot beschikking", 56),
        ("wmo", "Aanvraag tot beschikking", 14),
        ("wmo", "Melding tot afgerond onderzoek", 42),
    ]
    # a BI join of a mart to its labels: wmo 01 (5 clients x 100.00) and wmo 02 (1 client)
    assert as_bi(
        published,
        "SELECT d.product_category_name, m.accepted_amount_eur, u.unit_name "
        "FROM marts.care_usage_quarterly m "
        "JOIN marts.dim_product_category d USING (law, product_category) "
        "JOIN marts.dim_unit u USING (unit) ORDER BY m.product_category",
    ) == [("Hulp bij het huishouden", 500, "Uur"), ("Begeleiding", 100, "Uur")]


def test_dim_region_has_one_row_per_code_and_history_per_year(published: str) -> None:
    assert as_bi(
        published,
        "SELECT region_code, region_level, region_name, district_code, first_year, last_year, "
        "is_current FROM marts.dim_region ORDER BY region_code",
    ) == [
        ("GM0363", "GM", "Amsterdam", None, 2023, 2024, True),
        ("WK036301", "WK", "Oud-West en De Baarsjes", "WK036301", 2023, 2024, True),
        ("WK036302", "WK", "Haven", "WK036302", 2023, 2023, False),
    ]
    assert as_bi(
        published,
        "SELECT indeling_year, region_name FROM marts.dim_region_history "
        "WHERE region_code = 'WK036301' ORDER BY indeling_year",
    ) == [(2023, "Oud-West"), (2024, "Oud-West en De Baarsjes")]


def test_data_freshness_per_mart_for_the_bi_role(published: str) -> None:
    rows = as_bi(
        published,
        "SELECT mart_name, published_at, row_count, source_name, newest_message_date, "
        "newest_file, source_files, validation_passed, validations_failed "
        "FROM marts.data_freshness",
    )
    by_mart = {r[0]: r[1:] for r in rows}
    # a row per published relation, each with the publication time
    assert set(by_mart) == marts_relations(published)
    assert all(r[1] is not None for r in rows)
    (published_at,) = {r[1] for r in rows}
    assert all(r[7] is True and r[8] == 0 for r in rows)  # the marts stage passed
    # care_usage_quarterly reads 323/325: the May 323 is the newest by Dagtekening (it was
    # loaded first); two files. It had 2 rows (wmo 01, wmo 02).
    assert by_mart["care_usage_quarterly"][1:6] == (
        2,
        "iWmo/iJw-berichten 323/325",
        date(2024, 5, 6),
        "A-323-2.xml",
        2,
    )
    # the district mart also reads the 301: three files
    assert by_mart["care_usage_by_district_quarterly"][2:6] == (
        "iWmo/iJw-berichten 301/323/325",
        date(2024, 5, 6),
        "A-323-2.xml",
        3,
    )
    # CBS marts: no message date; the newest CBS file
    assert by_mart["dim_region"][1:6] == (3, "CBS-bestanden", None, "kwb-2024.csv", 2)
    assert by_mart["dim_product_category"][2:6] == (
        "Codelijst (seed product_categories)",
        None,
        None,
        0,
    )
    # no case export loaded: the mart is there, named by its source, without a file
    assert by_mart["procedure_times_quarterly"][1:6] == (0, "Zaakexport", None, None, 0)
    # the view reports what audit.publication says, which the BI role may not read itself
    with psycopg.connect(published) as conn:
        (recorded,) = conn.execute("SELECT published_at FROM audit.publication").fetchone()
    assert published_at == recorded


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM audit.publication",
        "SELECT * FROM audit.validation_result",
        "SELECT * FROM reference.product_categories",
        "SELECT * FROM marts_previous.dim_region",
    ],
)
def test_bi_role_is_still_refused_outside_marts(published: str, sql: str) -> None:
    with pytest.raises(
        (psycopg.errors.InsufficientPrivilege, psycopg.errors.UndefinedTable)
    ) as refused:
        as_bi(published, sql)
    if "marts_previous" not in sql:
        assert isinstance(refused.value, psycopg.errors.InsufficientPrivilege)


def test_views_run_as_their_owner_not_the_invoker(published: str) -> None:
    [(owner, options)] = as_bi(
        published,
        "SELECT pg_get_userbyid(c.relowner), c.reloptions FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'marts' AND c.relname = 'data_freshness'",
    )
    assert owner != BI_ROLE
    assert not any("security_invoker=true" in o for o in options or [])


def test_comments_follow_the_swap(published: str) -> None:
    """Built in marts_candidate, read in marts: the schema rename kept every comment."""
    [(comment,)] = as_bi(
        published, "SELECT obj_description('marts.dim_region'::regclass, 'pg_class')"
    )
    assert comment.startswith("Regio's: one row per CBS region code")
    assert as_bi(
        published,
        "SELECT count(*) FROM pg_namespace WHERE nspname = 'marts_candidate'",
    ) == [(0,)]
