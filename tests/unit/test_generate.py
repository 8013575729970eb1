"""The data generator: messages the official XSDs accept, reproducible bytes, and an
expected.json that agrees with what the files themselves say.

The cross-checks re-derive the KPI rows from the written files with a small independent
implementation (lxml + the CBS csv), so a generator whose in-memory model drifted from its
files would fail here.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from lxml import etree

from sdw.generate import generate

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "istandaarden"
LAW_DIR = {"wmo": ("iwmo-3.2", "WMO"), "jeugdwet": ("ijw-3.2", "JW")}
CENT = Decimal("0.01")


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gen")
    generate(out, clients=40, months=4, seed=7)
    return out


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def _find(el: etree._Element, *path: str) -> etree._Element:
    for name in path:
        el = next(c for c in el if _local(c) == name)
    return el


def _text(el: etree._Element, *path: str) -> str:
    return _find(el, *path).text or ""


def _children(el: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in el if _local(c) == name]


def _elfproef(bsn: str) -> bool:
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return sum(int(d) * w for d, w in zip(bsn, weights, strict=True)) % 11 == 0


def _files(out: Path, law: str | None = None, number: str | None = None) -> list[Path]:
    result = []
    for f in sorted(out.glob("*.xml")):
        f_law, f_number = f.name.split("_")[:2]
        if (law is None or f_law == law) and (number is None or f_number == number):
            result.append(f)
    return result


def test_every_message_passes_its_official_xsd(dataset: Path) -> None:
    checked, numbers = _validate_all(dataset)
    assert checked > 100
    for law in ("wmo", "jeugdwet"):
        for number in ("301", "305", "315", "319", "323"):
            assert (law, number) in numbers, (law, number)
    assert ("jeugdwet", "325") in numbers


def _validate_all(dataset: Path) -> tuple[int, set[tuple[str, str]]]:
    if not REFERENCE.is_dir():
        pytest.skip(f"reference XSDs not found at {REFERENCE}")
    schemas: dict[Path, etree.XMLSchema] = {}
    checked = 0
    numbers = set()
    for f in _files(dataset):
        law, number = f.name.split("_")[:2]
        folder, prefix = LAW_DIR[law]
        xsd = REFERENCE / folder / "xsd" / f"{prefix}{number}.xsd"
        if not xsd.exists():  # WMO325: the reference set has no XSD for it
            assert (law, number) == ("wmo", "325")
            etree.parse(str(f))  # well-formed at least
            continue
        if xsd not in schemas:
            schemas[xsd] = etree.XMLSchema(etree.parse(str(xsd)))
        schema = schemas[xsd]
        assert schema.validate(etree.parse(str(f))), f"{f.name}: {schema.error_log.last_error}"
        checked += 1
        numbers.add((law, number))
    return checked, numbers


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    def snapshot(out: Path) -> dict[str, bytes]:
        return {f.name: f.read_bytes() for f in sorted(out.iterdir())}

    a = snapshot_dir = tmp_path / "a"
    generate(snapshot_dir, clients=15, months=3, seed=3)
    generate(tmp_path / "b", clients=15, months=3, seed=3)
    generate(tmp_path / "c", clients=15, months=3, seed=4)
    assert snapshot(a) == snapshot(tmp_path / "b")
    assert snapshot(a) != snapshot(tmp_path / "c")


def test_323_header_total_is_signed_sum_of_its_lines(dataset: Path) -> None:
    files = _files(dataset, number="323")
    assert files
    for f in files:
        decl = _find(etree.parse(str(f)).getroot(), "Declaratie")
        signed = 0
        for p in decl.iter("{*}Prestatie"):
            amount = int(_text(p, "IngediendBedrag", "Bedrag"))
            signed += amount if _text(p, "IngediendBedrag", "DebetCredit") == "D" else -amount
        total = int(_text(decl, "TotaalIngediendBedrag", "TotaalBedrag"))
        dc = _text(decl, "TotaalIngediendBedrag", "DebetCredit")
        assert (total if dc == "D" else -total) == signed, f.name


def _read_cbs(out: Path) -> dict[tuple[str, int], int]:
    (path,) = out.glob("cbs_adres_buurt_wijk_*.csv")
    year = path.stem.rsplit("_", 1)[1]
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    assert list(rows[0]) == ["PC6", "Huisnummer", f"Buurt{year}", f"Wijk{year}", f"Gemeente{year}"]
    lookup = {}
    for r in rows:
        gemeente, wijk, buurt = r[f"Gemeente{year}"], r[f"Wijk{year}"], r[f"Buurt{year}"]
        assert wijk.startswith(gemeente) and buurt.startswith(wijk)
        lookup[(r["PC6"], int(r["Huisnummer"]))] = int(wijk)
    return lookup


def _derive_rows(out: Path) -> tuple[dict, dict, int, int]:
    """The two care-usage marts recomputed from the files, per docs/kpi-definitions.md."""
    cbs = _read_cbs(out)
    # latest 301 per ToewijzingNummer (the municipality's own number) -> district
    latest: dict[tuple[str, str], tuple[str, str]] = {}
    for f in _files(out, number="301"):
        root = etree.parse(str(f)).getroot()
        dag = _text(root, "Header", "BerichtIdentificatie", "Dagtekening")
        gm = "GM" + _text(root, "Header", "Afzender")
        client = _find(root, "Client")
        district = "UNKNOWN"
        for contact in _children(_find(client, "Contactgegevens"), "Contact"):
            if _text(contact, "Soort") == "01":
                key = (
                    _text(contact, "Adres", "Postcode"),
                    int(_text(contact, "Adres", "Huis", "Huisnummer")),
                )
                if key in cbs:
                    district = f"WK{cbs[key]:06d}"
        for tp in _children(_find(client, "ToegewezenProducten"), "ToegewezenProduct"):
            nr = (gm, _text(tp, "ToewijzingNummer"))
            if nr not in latest or latest[nr][0] < dag:
                latest[nr] = (dag, district)
    rejected = set()
    for f in _files(out, number="325"):
        root = etree.parse(str(f)).getroot()
        agb = _text(root, "Header", "Ontvanger")
        answer = _find(root, "DeclaratieAntwoord")
        nummer = _text(answer, "DeclaratieNummer")
        for p in answer.iter("{*}Prestatie"):
            rejected.add((agb, nummer, _text(p, "ProductReferentie", "ReferentieNummer")))
    cells: dict[str, dict] = {
        "q": defaultdict(lambda: {"lines": []}),
        "d": defaultdict(lambda: {"lines": []}),
    }
    n_lines = n_bad = 0
    for f in _files(out, number="323"):
        law = f.name.split("_")[0]
        root = etree.parse(str(f)).getroot()
        agb = _text(root, "Header", "Afzender")
        gm = "GM" + _text(root, "Header", "Ontvanger")
        decl = _find(root, "Declaratie")
        nummer = _text(decl, "DeclaratieNummer")
        for client in decl.iter("{*}Client"):
            bsn = _text(client, "Bsn")
            for p in client.iter("{*}Prestatie"):
                n_lines += 1
                if not _elfproef(bsn):
                    n_bad += 1
                    continue
                begin = date.fromisoformat(_text(p, "ProductPeriode", "Begindatum"))
                q = date(begin.year, 3 * ((begin.month - 1) // 3) + 1, 1).isoformat()
                sign = 1 if _text(p, "IngediendBedrag", "DebetCredit") == "D" else -1
                line = (
                    bsn,
                    sign * int(_text(p, "IngediendBedrag", "Bedrag")),
                    sign * int(_text(p, "GeleverdVolume")),
                    _text(p, "Eenheid"),
                    (agb, nummer, _text(p, "ProductReferentie", "ReferentieNummer")) in rejected,
                )
                cat = _text(p, "ProductCategorie")
                district = latest.get((gm, _text(p, "ToewijzingNummer")), ("", "UNKNOWN"))[1]
                cells["q"][(gm, law, cat, q)]["lines"].append(line)
                cells["d"][(gm, district, law, q)]["lines"].append(line)

    def measures(lines: list) -> dict:
        declared = sum(a for _b, a, _v, _u, _r in lines)
        rej = sum(a for _b, a, _v, _u, r in lines if r)
        net: dict[str, int] = defaultdict(int)
        for b, a, _v, _u, r in lines:
            if not r:
                net[b] += a
        clients = sum(1 for v in net.values() if v > 0)
        units = {u for _b, _a, _v, u, _r in lines}
        per = None
        if clients:
            per = str((Decimal(declared - rej) / 100 / clients).quantize(CENT, ROUND_HALF_UP))
        return {
            "clients": clients,
            "declared": declared,
            "rejected": rej,
            "volume": sum(v for _b, _a, v, _u, r in lines if not r),
            "unit": units.pop() if len(units) == 1 else None,
            "per_client": per,
        }

    q_rows = {k: measures(v["lines"]) for k, v in cells["q"].items()}
    d_rows = {k: measures(v["lines"]) for k, v in cells["d"].items()}
    return q_rows, d_rows, n_lines, n_bad


def _cents(value: str | None) -> int | None:
    return None if value is None else int(Decimal(value) * 100)


def test_expected_json_agrees_with_the_files(dataset: Path) -> None:
    _agrees_with_the_files(dataset)


def _agrees_with_the_files(dataset: Path) -> None:
    expected = json.loads((dataset / ".expected.json").read_text())
    q_rows, d_rows, n_lines, n_bad = _derive_rows(dataset)
    totals = expected["totals"]
    assert totals["declaration_lines"] == n_lines
    assert totals["declaration_lines_failing_bsn"] == n_bad >= 1

    assert len(expected["care_usage_quarterly"]) == len(q_rows)
    for row in expected["care_usage_quarterly"]:
        gm = row["municipality_code"]
        mine = q_rows[(gm, row["law"], row["product_category"], row["quarter_start"])]
        assert _cents(row["declared_amount_eur"]) == mine["declared"]
        assert _cents(row["rejected_amount_eur"]) == mine["rejected"]
        assert row["clients"] == mine["clients"]
        assert row["delivered_volume"] == mine["volume"]
        assert row["unit"] == mine["unit"]
        assert row["amount_per_client_eur"] == mine["per_client"]

    assert len(expected["care_usage_by_district_quarterly"]) == len(d_rows)
    groups: dict[tuple[str, str, str], list[tuple[int, str, bool]]] = defaultdict(list)
    for row in expected["care_usage_by_district_quarterly"]:
        gm = row["municipality_code"]
        mine = d_rows[(gm, row["district_code"], row["law"], row["quarter_start"])]
        groups[(gm, row["law"], row["quarter_start"])].append(
            (mine["clients"], row["district_code"], row["suppressed"])
        )
        if not row["suppressed"]:
            assert row["clients"] == mine["clients"]
            assert _cents(row["accepted_amount_eur"]) == mine["declared"] - mine["rejected"]
    # The small-cell rule of docs/kpi-definitions.md stated as properties of each municipality x law
    # x quarter, on the clients counted from the files: every cell of 1 to 4 clients is hidden, no
    # 0-client cell is; beside a lone small cell exactly one other cell with clients >= 1 is hidden
    # when there is one, the first by (clients, district code in byte order); otherwise none.
    for cells in groups.values():
        small = [c for c in cells if 1 <= c[0] <= 4]
        assert all(hidden for _n, _d, hidden in small)
        assert not any(hidden for n, _d, hidden in cells if n == 0)
        others = sorted((n, d.encode(), hidden) for n, d, hidden in cells if n >= 5)
        complements = [c for c in others if c[2]]
        if len(small) == 1 and others:
            assert complements == [others[0]]
        else:
            assert complements == []


def test_expected_json_is_internally_consistent(dataset: Path) -> None:
    expected = json.loads((dataset / ".expected.json").read_text())
    q = expected["care_usage_quarterly"]
    d = expected["care_usage_by_district_quarterly"]
    for row in q + d:
        if row.get("suppressed"):
            assert row["clients"] is None
            for k in (
                "declared_amount_eur",
                "rejected_amount_eur",
                "accepted_amount_eur",
                "amount_per_client_eur",
            ):
                assert row[k] is None
            continue
        declared, rejected, accepted = (
            Decimal(row[k])
            for k in ("declared_amount_eur", "rejected_amount_eur", "accepted_amount_eur")
        )
        assert declared - rejected == accepted
        assert row["clients"] == 0 or row["clients"] >= 5 or "product_category" in row
        if row["clients"] == 0:
            assert row["amount_per_client_eur"] is None
    assert any(r["suppressed"] for r in d), "the small wijk should produce suppressed cells"
    assert any(r["district_code"] == "UNKNOWN" for r in d)
    totals = expected["totals"]
    assert sum(Decimal(r["accepted_amount_eur"]) for r in q) == Decimal(
        totals["accepted_amount_eur"]
    )
    assert Decimal(totals["declared_amount_eur"]) - Decimal(totals["rejected_amount_eur"]) == (
        Decimal(totals["accepted_amount_eur"])
    )


def test_suppressed_cells_hides_a_lone_small_cells_complement() -> None:
    from sdw.generate.suppression import suppressed_cells

    cells = [
        # wmo Q1: WK000002 (3) is the only small cell. Of the rest with clients >= 1, UNKNOWN
        # and WK000001 tie at 6: UNKNOWN comes first in byte order ('U' 0x55 < 'W' 0x57).
        # WK000009 (0 clients) has fewer but is never a complement; WK000003 (8) stays.
        (("wmo", "Q1"), "WK000001", 6),
        (("wmo", "Q1"), "WK000002", 3),
        (("wmo", "Q1"), "WK000003", 8),
        (("wmo", "Q1"), "UNKNOWN", 6),
        (("wmo", "Q1"), "WK000009", 0),
        # jeugdwet Q1: two small cells (1 and 4): nothing more, WK000003 (5) stays.
        (("jeugdwet", "Q1"), "WK000001", 1),
        (("jeugdwet", "Q1"), "WK000002", 4),
        (("jeugdwet", "Q1"), "WK000003", 5),
        # wmo Q2: one small cell, the other cell has 0 clients: nothing more.
        (("wmo", "Q2"), "WK000001", 2),
        (("wmo", "Q2"), "WK000002", 0),
    ]
    assert suppressed_cells(cells) == {
        (("wmo", "Q1"), "WK000002"),
        (("wmo", "Q1"), "UNKNOWN"),
        (("jeugdwet", "Q1"), "WK000001"),
        (("jeugdwet", "Q1"), "WK000002"),
        (("wmo", "Q2"), "WK000001"),
    }


def test_amount_per_client_rounds_half_up() -> None:
    # 100.01 euro over 2 clients is 50.005: half-up gives 50.01 (banker's would give 50.00)
    from sdw.generate.expected import _Cell
    from sdw.generate.model import Line

    class _T:  # the two attributes _Cell reads from a trajectory
        class product:
            eenheid = "04"

    cell = _Cell()
    cell.add(Line(_T, "111111110", "R1", None, date(2025, 1, 1), date(2025, 1, 31), 1, 5000, "D"))  # type: ignore[arg-type]
    cell.add(Line(_T, "222222220", "R2", None, date(2025, 1, 1), date(2025, 1, 31), 1, 5001, "D"))  # type: ignore[arg-type]
    assert cell.measures()["amount_per_client_eur"] == "50.01"


def test_file_size_limit_splits_declarations_without_changing_them(tmp_path: Path) -> None:
    limit = 12_000
    generate(tmp_path / "big", clients=60, months=2, seed=5)
    generate(tmp_path / "small", clients=60, months=2, seed=5, max_file_bytes=limit)
    small_323 = _files(tmp_path / "small", number="323")
    assert len(small_323) > len(_files(tmp_path / "big", number="323"))
    for f in _files(tmp_path / "small"):
        assert f.stat().st_size <= limit, f.name
    big = json.loads((tmp_path / "big" / ".expected.json").read_text())
    small = json.loads((tmp_path / "small" / ".expected.json").read_text())
    assert big["care_usage_quarterly"] == small["care_usage_quarterly"]
    assert big["care_usage_by_district_quarterly"] == small["care_usage_by_district_quarterly"]


# ------------------------------------------------------------------ the irregular shape


@pytest.fixture(scope="module")
def irregular(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Nine months from October, so the window holds a year boundary."""
    out = tmp_path_factory.mktemp("irregular")
    generate(out, clients=50, months=9, seed=5, start=date(2024, 10, 1), shape="irregular")
    return out


def _quarter(d: date) -> date:
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def _day(el: etree._Element, *path: str) -> date:
    return date.fromisoformat(_text(el, *path))


def test_irregular_messages_pass_their_xsd_and_agree_with_the_model(irregular: Path) -> None:
    checked, numbers = _validate_all(irregular)
    assert checked > 100
    assert {("wmo", "317"), ("jeugdwet", "319"), ("wmo", "319")} <= numbers
    _agrees_with_the_files(irregular)


def test_irregular_inbox_holds_two_municipalities(irregular: Path) -> None:
    gemeenten = set()
    for f in _files(irregular):
        header = _find(etree.parse(str(f)).getroot(), "Header")
        sender, receiver = _text(header, "Afzender"), _text(header, "Ontvanger")
        gemeenten.add(sender if len(sender) == 4 else receiver)
    assert gemeenten == {"0999", "1000"}
    with next(irregular.glob("cbs_adres_buurt_wijk_*.csv")).open(encoding="utf-8") as fh:
        in_address_file = {row.rstrip("\n").split(";")[4] for row in list(fh)[1:]}
    assert in_address_file == {"999", "1000"}  # one national file, both municipalities
    assert {p.name for p in irregular.glob("zaaksysteem_*.csv")} == {
        "zaaksysteem_wmo_jeugd_GM0999.csv",
        "zaaksysteem_wmo_jeugd_GM1000.csv",
    }
    expected = json.loads((irregular / ".expected.json").read_text())
    assert expected["municipality_codes"] == ["GM0999", "GM1000"]
    for mart in ("care_usage_quarterly", "waiting_times_quarterly", "procedure_times_quarterly"):
        assert {r["municipality_code"] for r in expected[mart]} == {"GM0999", "GM1000"}, mart


def test_irregular_has_a_quarter_with_backlog_and_no_requests(irregular: Path) -> None:
    """Derived from the files alone: requests (315), decisions (301 with the request's
    ReferentieAanbieder, 319 afgewezen); some municipality x law has a quarter inside its
    range of requests with no request while an earlier one is still open at its end."""
    requests: dict[tuple, date] = {}
    decisions: dict[tuple, date] = {}
    for f in _files(irregular):
        law, number = f.name.split("_")[:2]
        root = etree.parse(str(f)).getroot()
        header = _find(root, "Header")
        dag = _day(header, "BerichtIdentificatie", "Dagtekening")
        if number == "315":
            gm, agb = _text(header, "Ontvanger"), _text(header, "Afzender")
            for ap in root.iter("{*}AangevraagdProduct"):
                key = (gm, law, agb, _text(ap, "ReferentieAanbieder"))
                requests[key] = min(dag, requests.get(key, dag))
        elif number == "301":
            gm, agb = _text(header, "Afzender"), _text(header, "Ontvanger")
            for tp in root.iter("{*}ToegewezenProduct"):
                refs = _children(tp, "ReferentieAanbieder")
                if refs:
                    key = (gm, law, agb, refs[0].text)
                    when = _day(tp, "Toewijzingsdatum")
                    decisions[key] = min(when, decisions.get(key, when))
        elif number == "319" and _text(root, "Antwoord", "VerzoekAntwoord") == "1":
            gm, agb = _text(header, "Afzender"), _text(header, "Ontvanger")
            key = (gm, law, agb, _text(root, "Antwoord", "ReferentieAanbieder"))
            decisions[key] = min(dag, decisions.get(key, dag))
    found = []
    for gm, law in {(k[0], k[1]) for k in requests}:
        mine = {k: d for k, d in requests.items() if k[:2] == (gm, law)}
        quarters = {_quarter(d) for d in mine.values()}
        q = min(quarters)
        while q < max(quarters):
            next_q = date(q.year + 1, 1, 1) if q.month == 10 else date(q.year, q.month + 3, 1)
            if q not in quarters:  # open at the quarter's end: not decided before next_q
                still_open = [
                    k for k, d in mine.items() if d < q and decisions.get(k, next_q) >= next_q
                ]
                if still_open:
                    found.append((gm, law, q))
            q = next_q
    assert found, "no quarter with backlog but without requests"
    expected = json.loads((irregular / ".expected.json").read_text())
    quiet = {
        (r["municipality_code"][2:], r["law"], date.fromisoformat(r["quarter_start"]))
        for r in expected["waiting_times_quarterly"]
        if r["requests"] == 0 and r["open_at_quarter_end"] > 0
    }
    assert set(found) <= quiet


def test_irregular_providers_categories_and_answers(irregular: Path) -> None:
    clients_of: dict[str, set[str]] = defaultdict(set)
    months_of: dict[str, set[date]] = defaultdict(set)
    quarters_of: dict[tuple[str, str], set[date]] = defaultdict(set)
    year_end_credits = 0
    declared: dict[str, tuple[date, set[str]]] = {}  # DeclaratieNummer@AGB -> dag, refs
    for f in _files(irregular, number="323"):
        law = f.name.split("_")[0]
        root = etree.parse(str(f)).getroot()
        agb = _text(root, "Header", "Afzender")
        decl = _find(root, "Declaratie")
        periode = _day(decl, "DeclaratiePeriode", "Begindatum")
        months_of[agb].add(periode)
        refs = set()
        for client in decl.iter("{*}Client"):
            clients_of[agb].add(_text(client, "Bsn"))
            for p in client.iter("{*}Prestatie"):
                begin = _day(p, "ProductPeriode", "Begindatum")
                quarters_of[(law, _text(p, "ProductCategorie"))].add(_quarter(begin))
                refs.add(_text(p, "ProductReferentie", "ReferentieNummer"))
                credit = _text(p, "IngediendBedrag", "DebetCredit") == "C"
                if credit and begin.month == 12 and periode.year == begin.year + 1:
                    year_end_credits += 1
        key = f"{_text(decl, 'DeclaratieNummer')}@{agb}"
        declared[key] = (_day(decl, "DeclaratieDagtekening"), refs)
    sizes = sorted(len(v) for v in clients_of.values())
    assert 1 in sizes and 2 in sizes  # providers with one and with two clients
    window = {date(2024, 10, 1), date(2025, 6, 1)}
    assert any(min(m) > min(window) for m in months_of.values())  # starts mid-period
    assert any(max(m) < max(window) for m in months_of.values())  # stops mid-period
    assert quarters_of[("wmo", "04")] and len(quarters_of[("wmo", "04")]) == 1
    assert year_end_credits >= 2  # December lines credited in January's declaration

    late_rejections = 0
    for f in _files(irregular, number="325"):
        root = etree.parse(str(f)).getroot()
        answer = _find(root, "DeclaratieAntwoord")
        dag, refs = declared[
            f"{_text(answer, 'DeclaratieNummer')}@{_text(root, 'Header', 'Ontvanger')}"
        ]
        answered = _day(root, "Header", "BerichtIdentificatie", "Dagtekening")
        rejected = {
            _text(p, "ProductReferentie", "ReferentieNummer") for p in answer.iter("{*}Prestatie")
        }
        if rejected and (answered - dag).days >= 60:
            assert rejected <= refs
            late_rejections += 1
    assert late_rejections >= 1

    reasons, statuses, woonplaats = set(), set(), []
    for f in _files(irregular, number="319"):
        antwoord = _find(etree.parse(str(f)).getroot(), "Antwoord")
        reasons.update(r.text for r in _children(antwoord, "RedenAfwijzingVerzoek"))
        woonplaats += [_text(w, "Gemeente") for w in _children(antwoord, "Woonplaatsbeginsel")]
    for f in _files(irregular, number="305"):
        statuses.update(s.text for s in etree.parse(str(f)).getroot().iter("{*}StatusAanlevering"))
    assert {"5", "8"} <= reasons
    assert "1000" in woonplaats  # reason 8 names the responsible municipality
    assert {"1", "2", "3"} <= statuses  # first, corrected and withdrawn starts
    assert _files(irregular, number="317")


def test_regular_shape_has_none_of_the_irregular_messages(dataset: Path) -> None:
    assert not _files(dataset, number="317")
    expected = json.loads((dataset / ".expected.json").read_text())
    assert "municipality_codes" not in expected
    assert {r["municipality_code"] for r in expected["waiting_times_quarterly"]} == {"GM0999"}
