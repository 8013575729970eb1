"""CBS OData v3/v4: parsing by meaning (not key suffix) and the online download replayed from a
local HTTP server serving responses this test writes, with paging, a retry and the cache."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from sdw.cbs import odata
from sdw.cbs.parse import parse_odata_file
from sdw.ingest.classify import classify


def v3_props(suffix: int) -> list[dict]:
    """DataProperties of an SES-WOA edition whose keys end in ``suffix``-based numbers."""
    return [
        {"ID": 0, "Key": "WijkenEnBuurten", "Type": "GeoDimension", "Title": "Wijken en buurten"},
        {"ID": 1, "Key": "Perioden", "Type": "TimeDimension", "Title": "Perioden"},
        {"ID": 2, "Key": f"ParticuliereHuishoudens_{suffix}", "Type": "Topic",
         "Title": "Particuliere huishoudens"},
        {"ID": 3, "Key": "", "Type": "TopicGroup", "Title": "SES-WOA", "ParentID": None},
        {"ID": 4, "Key": "", "Type": "TopicGroup", "Title": "Totaalscore", "ParentID": 3},
        {"ID": 5, "Key": f"GemiddeldeScore_{suffix + 1}", "Type": "Topic",
         "Title": "Gemiddelde score", "ParentID": 4},
        {"ID": 6, "Key": "", "Type": "TopicGroup", "Title": "Financiële welvaart", "ParentID": 3},
        {"ID": 7, "Key": f"GemiddeldeScore_{suffix + 2}", "Type": "Topic",
         "Title": "Gemiddelde score", "ParentID": 6},
    ]  # fmt: skip


def v3_rows(suffix: int) -> list[dict]:
    return [
        {"ID": 0, "WijkenEnBuurten": "GM0363    ", "Perioden": "2021JJ00",
         f"ParticuliereHuishoudens_{suffix}": 457400, f"GemiddeldeScore_{suffix + 1}": -0.1,
         f"GemiddeldeScore_{suffix + 2}": 0.05},
        {"ID": 1, "WijkenEnBuurten": "WK036300  ", "Perioden": "2021JJ00",
         f"ParticuliereHuishoudens_{suffix}": 2900, f"GemiddeldeScore_{suffix + 1}": None,
         f"GemiddeldeScore_{suffix + 2}": -0.022},
        {"ID": 2, "WijkenEnBuurten": "BU03630000", "Perioden": "2021JJ00",
         f"ParticuliereHuishoudens_{suffix}": 700, f"GemiddeldeScore_{suffix + 1}": 0.045,
         f"GemiddeldeScore_{suffix + 2}": 0.1},
    ]  # fmt: skip


@pytest.mark.parametrize("suffix", [4, 29])
def test_v3_meaning_survives_suffix_shift(tmp_path: Path, suffix: int) -> None:
    bundle = {
        "table_id": "85900NED",
        "odata_version": 3,
        "format": "TypedDataSet",
        "DataProperties": v3_props(suffix),
        "regions": [{"Key": "GM0363    ", "Title": "Amsterdam"}],
        "TypedDataSet": v3_rows(suffix),
    }
    path = tmp_path / "cbs.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    assert classify(path) == "cbs_odata"
    table, version, obs, bad, n = odata.read_odata(path)
    assert (table, version, bad, n) == ("85900NED", 3, [], 3)
    cell = {(o.region_code, o.measure): o.value for o in obs}
    assert cell[("GM0363", "ses_total_score")] == Decimal("-0.1")
    assert cell[("GM0363", "ses_welvaart_score")] == Decimal("0.05")
    assert cell[("GM0363", "households")] == Decimal("457400")
    assert cell[("WK036300", "ses_total_score")] is None  # null in CBS's JSON stays null
    assert {o.period for o in obs} == {"2021"}
    assert next(o.region_name for o in obs if o.region_code == "GM0363") == "Amsterdam"
    parsed = parse_odata_file(path, "h")
    assert parsed.report.lines_loaded == 3
    assert {r[0] for r in parsed.tables["cbs_observation"][1]} == {"ses_woa"}


def test_v4_observations_with_secret_attribute(tmp_path: Path) -> None:
    bundle = {
        "table_id": "86092NED",
        "odata_version": 4,
        "format": "Observations",
        "MeasureGroups": [
            {"Id": "G1", "Title": "SES-WOA", "ParentId": None},
            {"Id": "G2", "Title": "Totaalscore", "ParentId": "G1"},
        ],
        "MeasureCodes": [
            {"Identifier": "M001", "Title": "Gemiddelde score", "MeasureGroupId": "G2"},
            {"Identifier": "M002", "Title": "Particuliere huishoudens", "MeasureGroupId": None},
        ],
        "Observations": [
            {"Id": 1, "Measure": "M001", "Value": 0.2, "ValueAttribute": "None",
             "WijkenEnBuurten": "WK036300", "Perioden": "2022JJ00"},
            {"Id": 2, "Measure": "M001", "Value": None, "ValueAttribute": "Confidential",
             "WijkenEnBuurten": "BU03630000", "Perioden": "2022JJ00"},
            {"Id": 3, "Measure": "M002", "Value": 2900, "ValueAttribute": "None",
             "WijkenEnBuurten": "WK036300", "Perioden": "2022JJ00"},
            {"Id": 4, "Measure": "M002", "Value": 1, "WijkenEnBuurten": "XX", "Perioden": "2022"},
        ],
    }  # fmt: skip
    path = tmp_path / "v4.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    _table, version, obs, bad, n = odata.read_odata(path)
    assert (version, n, [b[0] for b in bad]) == (4, 4, [4])
    cell = {(o.region_code, o.measure): o.value for o in obs}
    assert cell == {
        ("WK036300", "ses_total_score"): Decimal("0.2"),
        ("BU03630000", "ses_total_score"): None,
        ("WK036300", "households"): Decimal("2900"),
    }


# -- what does not parse, and records loaded whole or refused whole (issue 22) -------------------


def _guarded(path: Path):  # type: ignore[no-untyped-def]
    """The file classified and read as the worker does (``sdw.ingest.guard``)."""
    from sdw.ingest.guard import read_file
    from tests.mutation.oracle import context

    return read_file(path, "h" * 64, classify(path), context())


_V3_RECORD = (
    b'{"table_id":"85984NED","odata_version":3,"TypedDataSet":[{"ID":0,'
    b'"WijkenEnBuurten":"GM0363","AantalInwoners_5":5,"k_0Tot15Jaar_8":"NaN"}]}'
)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        # a UTF-16 mark before UTF-8 JSON: byte 0 is 0xff
        (b"\xff\xfe" + _V3_RECORD, "Byte 0 (0xff) is not UTF-8"),
        # cut off after '"TypedDataSet":[' (characters 0-56): a value expected at 57
        (_V3_RECORD[:57], "Not JSON at line 1, column 58 (character 57): Expecting value"),
        # 0xe9 (Windows-1252's é) put in at byte 51, inside "TypedDataSet"
        (_V3_RECORD[:51] + b"\xe9" + _V3_RECORD[51:], "Byte 51 (0xe9) is not UTF-8"),
    ],
)
def test_odata_that_is_not_utf8_json_is_refused_whole_by_its_own_code(
    tmp_path: Path, data: bytes, reason: str
) -> None:
    """These ended as INGEST_ERROR (UnicodeDecodeError, JSONDecodeError)."""
    path = tmp_path / "cbs_odata_v3_85984NED.json"
    path.write_bytes(data)
    parsed = _guarded(path)
    r = parsed.report
    assert (r.file_kind, r.status, r.reason_code) == (
        "cbs_odata",
        "quarantined",
        "CBS_ODATA_NOT_JSON",
    )
    assert r.reason is not None and r.reason.startswith(reason)
    assert (r.lines_in, r.lines_loaded) == (1, 0) and parsed.tables == {}


@pytest.mark.parametrize(
    ("doc", "reason"),
    [
        (b'[{"TypedDataSet": []}]', "the document is a JSON list, not an object"),
        (b'{"odata_version": 5, "TypedDataSet": []}', "odata_version '5' is not 3 or 4"),
        (b'{"odata_version": 3, "TypedDataSet": {"ID": 0}}', "TypedDataSet is a JSON dict"),
        (b'{"table_id": ["x"], "TypedDataSet": []}', "table_id \"['x']\" is not text"),
        (b'{"DataProperties": 3, "TypedDataSet": []}', "DataProperties is a JSON int"),
    ],
)
def test_json_that_is_no_odata_bundle_is_refused_whole(
    tmp_path: Path, doc: bytes, reason: str
) -> None:
    path = tmp_path / "cbs.json"
    path.write_bytes(doc)
    parsed = _guarded(path)
    r = parsed.report
    assert (r.file_kind, r.status, r.reason_code) == (
        "cbs_odata", "quarantined", "CBS_ODATA_BUNDLE_INVALID"
    )  # fmt: skip
    assert r.reason is not None and reason in r.reason


def test_v3_record_is_loaded_whole_or_refused_whole(tmp_path: Path) -> None:
    """AantalInwoners_5 reads, k_0Tot15Jaar_8 ("NaN") does not: the record is refused whole,
    where its first measure used to stay in raw (1 observation of a quarantined line)."""
    path = tmp_path / "cbs_odata_v3_85984NED.json"
    path.write_bytes(_V3_RECORD)
    parsed = _guarded(path)
    r = parsed.report
    assert (r.status, r.lines_in, r.lines_loaded, r.lines_quarantined) == (
        "loaded_with_rejections", 1, 0, 1
    )  # fmt: skip
    assert parsed.tables["cbs_observation"][1] == []
    (q,) = parsed.quarantine
    assert (q.reason_code, q.line_number) == ("CBS_ODATA_RECORD", 1)
    assert "NaN" in q.reason


def test_v3_record_without_measures_is_refused(tmp_path: Path) -> None:
    """Only the ID and the region: no number to load, so not a loaded line without rows."""
    path = tmp_path / "cbs.json"
    path.write_bytes(
        b'{"table_id":"85984NED","odata_version":3,"TypedDataSet":['
        b'{"ID":0,"WijkenEnBuurten":"GM0363","AantalInwoners_5":5},'
        b'{"ID":1,"WijkenEnBuurten":"WK036300"}]}'
    )
    parsed = _guarded(path)
    assert (parsed.report.lines_loaded, parsed.report.lines_quarantined) == (1, 1)
    assert parsed.quarantine[0].reason == "Line 2: the record holds no measure, only its dimensions"


def test_v4_metadata_without_identifier_or_with_a_cycle_is_read(tmp_path: Path) -> None:
    """A MeasureCodes entry without Identifier (a KeyError before) names nothing a record can
    refer to and is left out; a MeasureGroups cycle (G1 -> G2 -> G1) ends the title path."""
    bundle = {
        "table_id": "86092NED",
        "odata_version": 4,
        "MeasureGroups": [
            {"Id": "G1", "Title": "SES-WOA", "ParentId": "G2"},
            {"Id": "G2", "Title": "Totaalscore", "ParentId": "G1"},
        ],
        "MeasureCodes": [
            {"Title": "Particuliere huishoudens", "MeasureGroupId": None},
            {"Identifier": "M001", "Title": "Gemiddelde score", "MeasureGroupId": "G2"},
            "not an object",
        ],
        "Observations": [
            {"Id": 1, "Measure": "M001", "Value": 0.2, "WijkenEnBuurten": "WK036300",
             "Perioden": "2022JJ00"},
            {"Id": 2, "Measure": ["M001"], "Value": 1, "WijkenEnBuurten": "WK036300",
             "Perioden": "2022JJ00"},
            7,
        ],
    }  # fmt: skip
    path = tmp_path / "v4.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    _table, _version, obs, bad, n = odata.read_odata(path)
    # G2's path: G1 (SES-WOA), then G1's parent G2 again ends it: SES-WOA/Totaalscore/...
    assert [(o.source_key, o.measure, o.value) for o in obs] == [
        ("M001", "ses_total_score", Decimal("0.2"))
    ]
    assert n == 3
    assert [(b[0], b[1]) for b in bad] == [
        (2, "Measure \"['M001']\" is not a measure code"),
        (3, "the record is not a JSON object"),
    ]


class _Recorded(BaseHTTPRequestHandler):
    """Serves the responses in ``routes``; a path listed in ``fail_once`` answers 503 once."""

    routes: ClassVar[dict[str, bytes]] = {}
    fail_once: ClassVar[set[str]] = set()
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        if self.path in self.fail_once:
            self.fail_once.discard(self.path)
            self.send_response(503)
            self.end_headers()
            return
        body = self.routes.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Recorded)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def test_download_pages_retries_and_caches(server: str, tmp_path: Path) -> None:
    rows = v3_rows(7)
    page2 = "/85900NED/TypedDataSet?$format=json&$skip=2"
    _Recorded.routes = {
        "/85900NED/DataProperties?$format=json": json.dumps({"value": v3_props(7)}).encode(),
        "/85900NED/WijkenEnBuurten?$format=json": json.dumps(
            {"value": [{"Key": "WK036300  ", "Title": "Burgwallen-Oude Zijde"}]}
        ).encode(),
        "/85900NED/TypedDataSet?$format=json": json.dumps(
            {
                "odata.metadata": f"{server}/85900NED/$metadata#TypedDataSet",
                "value": rows[:2],
                "odata.nextLink": server + page2,
            }
        ).encode(),
        page2: json.dumps({"value": rows[2:]}).encode(),
    }
    _Recorded.fail_once = {page2}
    _Recorded.hits = []
    sleeps: list[float] = []
    inbox = tmp_path / "inbox"
    out = odata.download_table("85900NED", inbox, base_url=server, backoff=0.5, sleep=sleeps.append)
    assert sleeps == [0.5]  # one retry after the 503
    assert _Recorded.hits.count(page2) == 2
    table, _version, obs, bad, n = odata.read_odata(out)
    assert (table, n, bad) == ("85900NED", 3, [])
    assert classify(out) == "cbs_odata"
    names = {o.region_code: o.region_name for o in obs}
    assert names["WK036300"] == "Burgwallen-Oude Zijde"
    # raw responses are cached: a second download asks the server nothing
    _Recorded.hits = []
    odata.download_table("85900NED", tmp_path / "again", base_url=server,
                         cache_dir=inbox / ".cbs_cache", sleep=sleeps.append)  # fmt: skip
    assert _Recorded.hits == []


def test_client_error_is_not_retried(server: str, tmp_path: Path) -> None:
    import urllib.error

    _Recorded.routes, _Recorded.fail_once, _Recorded.hits = {}, set(), []
    with pytest.raises(urllib.error.HTTPError):
        odata.download_table("99999NED", tmp_path, base_url=server, sleep=lambda s: None)
    assert len(_Recorded.hits) == 1
