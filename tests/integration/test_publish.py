"""The publish step on a real PostgreSQL, with hand-made candidate marts (the real dbt build
and a BI query loop across a failed and a good build are in tests/e2e/test_publication.py).

- A BI transaction that read one mart before the swap reads the same version of every other
  mart: the swap waits for it, and BI sees no error meanwhile; a session that never lets go
  fails the publication with a message naming it, and nothing is published.
- An analyst's views on the marts (in a schema of their own, a view on a view, with a comment
  and a grant) survive publications and show the new data; one that reads a column the new
  marts no longer have is recorded in audit.publication_dropped_object, as is an object built
  on marts_previous; the publication goes through.
- audit.publication and audit.publication_file say which batches and files a publication holds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from decimal import Decimal

import psycopg
import pytest

from sdw.publish import MartsBusy, publish
from sdw.summary import bi_url
from sdw.warehouse.bootstrap import ensure_schema

pytestmark = pytest.mark.integration
D = Decimal


@pytest.fixture
def url(make_database: Callable[[str], str], monkeypatch: pytest.MonkeyPatch) -> str:
    url = make_database("sdw_test_publish")
    ensure_schema(url)  # raw/audit, the marts schema and the BI role with its grants
    monkeypatch.delenv("SDW_PUBLISH_LOCK_WAIT", raising=False)
    return url


def candidate(url: str, version: int, rows: int, *, unit: bool = True) -> None:
    """marts_candidate with two marts of ``rows`` rows each, every row stamped ``version``:
    care_usage_quarterly's jeugdwet rows declare 10.00 * version each (one per quarter of 2025)
    and one wmo row declares 1.00."""
    unit_col = ", '04'::text AS unit" if unit else ""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS marts_candidate CASCADE")
        conn.execute("CREATE SCHEMA marts_candidate")
        conn.execute(
            f"""CREATE TABLE marts_candidate.care_usage_quarterly AS
                SELECT {version} AS version,
                       CASE WHEN g = 1 THEN 'wmo' ELSE 'jeugdwet' END AS law,
                       '45'::text AS product_category,
                       make_date(2025, 3 * g - 2, 1) AS quarter_start,
                       CASE WHEN g = 1 THEN 1.00 ELSE 10.00 * {version} END::numeric(14, 2)
                           AS declared_amount_eur{unit_col}
                FROM generate_series(1, {rows}) AS g"""
        )
        conn.execute(
            f"""CREATE TABLE marts_candidate.waiting_times_quarterly AS
                SELECT {version} AS version, g AS id FROM generate_series(1, {rows}) AS g"""
        )


def as_bi(url: str) -> psycopg.Connection:
    return psycopg.connect(bi_url(url))


def one(url: str, query: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(query, params or None).fetchall()


def test_a_bi_transaction_sees_one_version(url: str) -> None:
    candidate(url, 1, 2)
    assert publish(url, "run-1") == {"care_usage_quarterly": 2, "waiting_times_quarterly": 2}
    candidate(url, 2, 3)

    bi = as_bi(url)  # not autocommit: the first statement opens a transaction
    assert bi.execute(
        "SELECT max(version), count(*) FROM marts.care_usage_quarterly"
    ).fetchone() == (1, 2)

    done: list[dict] = []
    swap = threading.Thread(target=lambda: done.append(publish(url, "run-2")))
    swap.start()
    time.sleep(1.5)  # the swap retries its lock every 200 ms meanwhile
    assert swap.is_alive(), "the swap committed while a BI transaction was reading the marts"
    # Within the open transaction the other mart is still version 1, 2 rows (not 2, 3).
    assert bi.execute(
        "SELECT max(version), count(*) FROM marts.waiting_times_quarterly"
    ).fetchone() == (1, 2)
    # Other BI sessions keep reading meanwhile, without error.
    with as_bi(url) as other:
        assert other.execute("SELECT count(*) FROM marts.care_usage_quarterly").fetchone() == (2,)
    bi.commit()
    swap.join(timeout=20)
    assert done == [{"care_usage_quarterly": 3, "waiting_times_quarterly": 3}]
    assert bi.execute(
        "SELECT (SELECT max(version) FROM marts.care_usage_quarterly),"
        " (SELECT max(version) FROM marts.waiting_times_quarterly)"
    ).fetchone() == (2, 2)
    bi.close()


def test_a_session_that_never_lets_go_fails_the_publication(url: str, monkeypatch) -> None:
    candidate(url, 1, 2)
    publish(url, "run-1")
    candidate(url, 2, 3)
    monkeypatch.setenv("SDW_PUBLISH_LOCK_WAIT", "1")
    with as_bi(url) as idle:
        idle.execute("SET application_name = 'superset'")
        idle.execute("SELECT count(*) FROM marts.waiting_times_quarterly")  # and stays open
        with pytest.raises(MartsBusy) as busy:
            publish(url, "run-2")
    message = str(busy.value)
    assert "kept the publication waiting for 1 s" in message
    assert "nothing was published" in message
    assert "sdw_bi_reader (superset, pid" in message
    assert one(url, "SELECT run_id FROM audit.publication") == [("run-1",)]
    assert one(url, "SELECT max(version) FROM marts.care_usage_quarterly") == [(1,)]


def test_analyst_views_survive_and_lost_ones_are_recorded(url: str) -> None:
    candidate(url, 1, 4)
    publish(url, "run-1")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA bi_sandbox AUTHORIZATION sdw_bi_reader")
    with as_bi(url) as bi:
        bi.execute(
            """CREATE VIEW bi_sandbox.jeugd_per_quarter AS
               SELECT quarter_start, sum(declared_amount_eur) AS declared
               FROM marts.care_usage_quarterly WHERE law = 'jeugdwet' GROUP BY quarter_start"""
        )
        bi.execute(
            "CREATE VIEW bi_sandbox.jeugd_total AS"
            " SELECT sum(declared) AS declared FROM bi_sandbox.jeugd_per_quarter"
        )
        bi.execute(
            "CREATE VIEW bi_sandbox.units WITH (security_barrier) AS"
            " SELECT DISTINCT unit FROM marts.care_usage_quarterly"
        )
        bi.execute("COMMENT ON VIEW bi_sandbox.jeugd_total IS 'Jeugdwet gedeclareerd, totaal'")
        bi.execute("COMMENT ON COLUMN bi_sandbox.jeugd_total.declared IS 'euro'")
        bi.execute("GRANT SELECT ON bi_sandbox.jeugd_total TO PUBLIC")
        bi.commit()
        # Version 1: three jeugdwet rows (quarters 2-4) of 10.00.
        assert bi.execute("SELECT declared FROM bi_sandbox.jeugd_total").fetchone() == (D("30.00"),)

    # Version 2, 3 rows: two jeugdwet rows of 20.00 -> 40.00.
    candidate(url, 2, 3)
    publish(url, "run-2")
    with as_bi(url) as bi:
        assert bi.execute("SELECT declared FROM bi_sandbox.jeugd_total").fetchone() == (D("40.00"),)
        assert bi.execute(
            "SELECT quarter_start::text, declared FROM bi_sandbox.jeugd_per_quarter ORDER BY 1"
        ).fetchall() == [("2025-04-01", D("20.00")), ("2025-07-01", D("20.00"))]
        assert bi.execute("SELECT unit FROM bi_sandbox.units").fetchall() == [("04",)]
    # Same owner, options, comments and grant as the analyst made them; it reads marts, not
    # marts_previous.
    assert one(
        url,
        """SELECT c.relname, pg_get_userbyid(c.relowner), c.reloptions::text,
                  obj_description(c.oid, 'pg_class'), coalesce(c.relacl::text, '') LIKE '%=r/%'
           FROM pg_class c WHERE c.relnamespace = 'bi_sandbox'::regnamespace ORDER BY 1""",
    ) == [
        ("jeugd_per_quarter", "sdw_bi_reader", None, None, False),
        ("jeugd_total", "sdw_bi_reader", None, "Jeugdwet gedeclareerd, totaal", True),
        ("units", "sdw_bi_reader", "{security_barrier=true}", None, False),
    ]
    assert one(url, "SELECT col_description('bi_sandbox.jeugd_total'::regclass, 1)") == [("euro",)]
    assert one(
        url,
        """SELECT DISTINCT rn.nspname FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
           JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace rn ON rn.oid = t.relnamespace
           WHERE r.ev_class = 'bi_sandbox.jeugd_per_quarter'::regclass
             AND t.oid <> r.ev_class""",
    ) == [("marts",)]

    # A controller's look-back at the superseded marts goes with them at the next publication.
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE VIEW public.look_back AS SELECT count(*) AS n"
            " FROM marts_previous.care_usage_quarterly"
        )
    # Version 3 has no unit column: the units view cannot be made again; the rest can.
    candidate(url, 3, 4, unit=False)
    publish(url, "run-3")
    with as_bi(url) as bi:
        # Three jeugdwet rows of 30.00.
        assert bi.execute("SELECT declared FROM bi_sandbox.jeugd_total").fetchone() == (D("90.00"),)
    assert one(url, "SELECT to_regclass('bi_sandbox.units'), to_regclass('public.look_back')") == [
        (None, None)
    ]
    dropped = one(
        url,
        """SELECT p.run_id, d.object_name, d.object_kind, d.owner, d.reason_code, d.reason,
                  d.definition LIKE '%marts.care_usage_quarterly%'
           FROM audit.publication_dropped_object d JOIN audit.publication p USING (publication_id)
           ORDER BY d.object_name""",
    )
    assert dropped == [
        ("run-3", "bi_sandbox.units", "view", "sdw_bi_reader", "VIEW_NOT_RECREATED",
         'column care_usage_quarterly.unit does not exist', True),
        ("run-3", "public.look_back", "view", None, "DROPPED_BY_CASCADE",
         "it depended on a superseded schema (marts_previous, lineage_previous) or on a "
         "dropped view", None),
    ]  # fmt: skip


def test_publication_says_which_batches_and_files(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        for file_hash, name, status, loaded, batch in [
            ("h1", "jeugdwet_323_a.xml", "loaded", 3, "batch-1"),
            ("h2", "jeugdwet_325_a.xml", "loaded_with_rejections", 1, "batch-2"),
            ("h3", "broken.xml", "quarantined", 0, "batch-2"),
        ]:
            conn.execute(
                """INSERT INTO audit.file_ledger (file_hash, source_file, file_size, file_kind,
                       bericht_type, wet, status, lines_in, lines_loaded, lines_quarantined,
                       _batch_id)
                   VALUES (%s, %s, 100, 'istandaarden', %s, 'jeugdwet', %s, %s, %s, %s, %s)""",
                (file_hash, name, name[9:12], status, 3, loaded, 3 - loaded, batch),
            )
    candidate(url, 1, 2)
    publish(url, "run-1")
    assert one(url, "SELECT run_id, batch_ids, files FROM audit.publication") == [
        ("run-1", ["batch-1", "batch-2"], 2)
    ]
    # The quarantined file added nothing to the marts, so the publication does not hold it.
    assert one(
        url,
        """SELECT source_file, bericht_type, batch_id, lines_loaded FROM audit.publication_file
           ORDER BY source_file""",
    ) == [("jeugdwet_323_a.xml", "323", "batch-1", 3), ("jeugdwet_325_a.xml", "325", "batch-2", 1)]


def test_an_idle_bi_transaction_is_ended_before_the_publication_gives_up(url: str) -> None:
    """A BI client left idle in a transaction holds the marts' locks; PostgreSQL ends it after
    five minutes, inside the publication's 600 s wait, so it cannot stop a publication."""
    with as_bi(url) as bi:
        (timeout,) = bi.execute("SHOW idle_in_transaction_session_timeout").fetchone()
    assert timeout == "5min"


def test_a_view_on_the_publication_is_counted_after_it_is_recorded(url: str) -> None:
    """data_freshness reads the publication in force; counted before the publication was
    recorded it had 0 rows in the summary while BI saw one per mart."""
    candidate(url, 1, 2)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            """CREATE VIEW marts_candidate.data_freshness AS
               SELECT p.run_id FROM audit.publication p
               WHERE p.publication_id = (SELECT max(publication_id) FROM audit.publication)"""
        )
    counts = publish(url, "run-1")
    assert counts["data_freshness"] == 1
    assert one(url, "SELECT mart_rows->>'data_freshness' FROM audit.publication") == [("1",)]
