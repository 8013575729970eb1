"""What a person reads while ``sdw run`` works and when it fails: a failed task's line keeps the
error's whole text (its end is where PostgreSQL puts its hint) and ends with what to do, which
for a warehouse that stopped answering is to start it, not to look at the quarantine; progress
lines say a name once; and ``sdw run`` stops only a warehouse it started itself."""

from __future__ import annotations

import io
import socket
from types import SimpleNamespace

import psycopg
import pytest

from sdw.cli import build_parser, stops_after_run
from sdw.orchestration.console import (
    VALIDATION_ADVICE,
    WAREHOUSE_ADVICE,
    TaskLines,
    advice,
    one_line,
)
from sdw.progress import _said_once


def _refused_connection() -> psycopg.OperationalError:
    """The error psycopg raises for a stopped server: a real connect to a closed port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again when the block ends: nothing listens
    try:
        psycopg.connect(host="127.0.0.1", port=port, user="x", dbname="x", connect_timeout=3)
    except psycopg.OperationalError as exc:
        return exc
    raise AssertionError("a closed port accepted a connection")


def test_a_stopped_warehouse_is_said_in_full_and_asks_for_the_warehouse() -> None:
    error = _refused_connection()
    assert "\n" in str(error).strip()  # PostgreSQL's hint is on a line of its own
    out = io.StringIO()
    lines = TaskLines(out)
    ti = SimpleNamespace(dag_id="build_marts", task_id="publish", map_index=-1)
    lines.running(ti)
    lines.finished(ti, False, error)
    first, second = out.getvalue().splitlines()[1:]
    assert first.startswith("  ✗ build_marts.publish (")
    assert first.endswith("Is the server running on that host and accepting TCP/IP connections?")
    assert second == f"    What to do: {WAREHOUSE_ADVICE}"
    assert "quarantine" not in second and "validation_result" not in second
    assert "sdw warehouse start" in second and "WAREHOUSE_URL" in second
    assert [f.task for f in lines.failures] == ["build_marts.publish"]


def test_an_error_wrapping_a_lost_connection_still_asks_for_the_warehouse() -> None:
    try:
        try:
            raise _refused_connection()
        except psycopg.OperationalError as cause:
            raise RuntimeError("dbt build of the marts layer failed") from cause
    except RuntimeError as wrapped:
        assert advice(wrapped) == WAREHOUSE_ADVICE
    assert advice(RuntimeError("server closed the connection unexpectedly")) == WAREHOUSE_ADVICE


def test_other_failures_get_their_own_advice() -> None:
    class ValidationFailed(Exception):  # the class name is what advice() recognises
        pass

    assert advice(ValidationFailed("2 expectations failed")) == VALIDATION_ADVICE
    generic = advice(ValueError("bad"), None)
    assert "the task log has the details" in generic and "`sdw run` again" in generic


def test_a_long_error_loses_its_middle_not_its_end() -> None:
    text = "start " + "x" * 1000 + " what to do at the end"
    said = one_line(text, limit=100)
    assert len(said) <= 100
    assert said.startswith("start ") and said.endswith("what to do at the end")
    assert one_line("a\n\n  b  \n") == "a b"


def test_a_name_said_twice_in_a_progress_line_is_said_once() -> None:
    assert _said_once("part: part") == "part"
    assert _said_once("ingest_cbs: inbox") == "ingest_cbs: inbox"
    assert _said_once("ingest_istandaarden: part") == "ingest_istandaarden: part"


@pytest.mark.parametrize(
    ("embedded", "keep_running", "was_running", "stops"),
    [
        (True, False, False, True),  # the run started it: it stops it
        (True, False, True, False),  # `sdw warehouse start` before: it stays up
        (True, True, False, False),  # --keep-running
        (False, False, False, False),  # WAREHOUSE_URL: never ours to stop
    ],
)
def test_sdw_run_stops_only_a_warehouse_it_started(
    embedded: bool, keep_running: bool, was_running: bool, stops: bool
) -> None:
    assert stops_after_run(embedded, keep_running, was_running) is stops


def test_the_warehouse_commands_parse() -> None:
    parser = build_parser()
    args = parser.parse_args(["warehouse", "backup", "w.dump", "--with-key"])
    assert (args.action, args.file, args.with_key) == ("backup", "w.dump", True)
    args = parser.parse_args(["warehouse", "restore", "w.dump", "--replace"])
    assert (args.action, args.file, args.replace) == ("restore", "w.dump", True)
    assert parser.parse_args(["warehouse", "start"]).action == "start"


def test_each_task_s_part_of_the_run_log_goes_where_the_ui_reads_it(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """sdw run's tasks run one after another in its process: what the run log gains between a
    task's start and end is that task's log, copied to Airflow's per-task log file."""
    monkeypatch.setenv("AIRFLOW__LOGGING__BASE_LOG_FOLDER", str(tmp_path / "logs"))
    run_log = tmp_path / "run.log"
    run_log.write_text("migrating the metadata database\n")
    lines = TaskLines(io.StringIO(), run_log)
    plain = SimpleNamespace(
        dag_id="build_marts", task_id="publish", run_id="manual__1", map_index=-1, try_number=1
    )
    mapped = SimpleNamespace(
        dag_id="ingest_istandaarden",
        task_id="ingest_group",
        run_id="manual__2",
        map_index=2,
        try_number=1,
    )
    lines.running(plain)
    with run_log.open("a") as log:
        log.write("published 23 marts\nswap done\n")
    lines.finished(plain, True)
    lines.running(mapped)
    with run_log.open("a") as log:
        log.write("part: 8/88 files\n")
    lines.finished(mapped, False, ValueError("bad part"))

    logs = tmp_path / "logs"
    assert (
        logs / "dag_id=build_marts/run_id=manual__1/task_id=publish/attempt=1.log"
    ).read_text() == ("published 23 marts\nswap done\n")
    part = logs / "dag_id=ingest_istandaarden/run_id=manual__2/task_id=ingest_group"
    assert (part / "map_index=2/attempt=1.log").read_text() == "part: 8/88 files\n"
