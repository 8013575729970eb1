"""CSV classes of the CBS sources: a BSN in a row of the benefits or the address file (the
rejected row must be kept with the BSN masked), and a KWB export without its population column
(refused whole as MISSING_COLUMN, never loaded as "loaded" with every rate NULL).

Each starts from the generator's own file in ``source`` so the rest of the file is valid and
loads: the generated benefits file has 81 lines (header and 80 rows), the address file 1801,
the KWB file 19 (the municipality, 5 wijken, 12 buurten).
"""

from __future__ import annotations

from pathlib import Path

from tests.hostile.seeds import write

TEST_BSN = "123456782"  # passes the elfproef (see the package docstring)


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def bsn_in_benefits_row(inbox: Path, source: Path) -> list[Path]:
    """Line 82: the BSN where the wijkcode goes."""
    (generated,) = sorted(source.glob("uitkeringen_GM0999_*.csv"))
    text = _text(generated) + f"GM0999;{TEST_BSN};2025-01;participatiewet;5\n"
    return [write(inbox, "bsn_in_row_uitkeringen.csv", text.encode())]


def bsn_in_address_row(inbox: Path, source: Path) -> list[Path]:
    """Line 1802: the BSN where the postcode goes."""
    text = _text(source / "cbs_adres_buurt_wijk_2024.csv") + f"{TEST_BSN};1;9990101;99901;999\n"
    return [write(inbox, "bsn_in_row_cbs_adres_2024.csv", text.encode())]


def kwb_without_population(inbox: Path, source: Path) -> list[Path]:
    """The generated KWB CSV with its sixth column (a_inw) cut from every line."""
    lines = _text(source / "kwb-2024_GM0999.csv").splitlines()
    assert lines[0].split(";")[5] == "a_inw", "the generated KWB header changed"
    cut = [";".join(c for i, c in enumerate(line.split(";")) if i != 5) for line in lines]
    return [write(inbox, "kwb-2024_missing_a_inw.csv", ("\n".join(cut) + "\n").encode())]
