"""Budget and subsidy classes, from literals: amounts no mart can hold or the contract does not
name, a BSN in a budget's free text, two exports of one report version in one delivery.

Files are written as the exports are (UTF-8 with a BOM, CRLF, ``€ 1.000,00`` amounts, ``-``
for none). Each file that has a good row keeps it first, so "the rest of the file loads" can be
checked: one bad row never costs its good neighbour. Report versions differ per file (V07,
V10, …) so no two of these files state one version by accident; ``same_version_twice`` does
that on purpose.
"""

from __future__ import annotations

from pathlib import Path

from tests.hostile.seeds import write

BUDGET_HEADER = (
    "Gemeentecode;Begrotingsjaar;Peildatum;Rapportageversie;Begrotingspost;Omschrijving;"
    "Taakveld;Programma;Project;Kostenplaats;Primitieve begroting;Begrotingswijzigingen;"
    "Overheveling;Realisatie;Verplichtingen;Prognose"
)
SUBSIDY_HEADER = (
    "Subsidiejaar;Jaar van toekenning;Programma;Taakveld;Soort subsidie;Aanvrager/Ontvanger;"
    "Omschrijving;Regelmaat;Aangevraagd bedrag;Verleend bedrag;Vastgesteld bedrag"
)
TEST_BSN = "123456782"  # passes the elfproef (see the package docstring)


def export_bytes(header: str, rows: list[str]) -> bytes:
    """A CSV as a finance system exports it: BOM, CRLF line ends."""
    return ("\ufeff" + "\r\n".join([header, *rows]) + "\r\n").encode("utf-8")


def _budget_good(version: str) -> str:
    return f"GM0999;2023;31-12-2023;{version};GOOD;good row;6.1;;;;€ 1,00;-;-;€ 7,00;-;-"


def _budget_bad(version: str, post: str, realisatie: str) -> str:
    return f"GM0999;2023;31-12-2023;{version};{post};bad row;6.1;;;;€ 1,00;-;-;{realisatie};-;-"


# version -> the Realisatie cell of its bad row
BUDGET_AMOUNTS = {
    "2023-V10": "999.999.999.999.999,99",  # 15 digits before the comma: beyond numeric(14,2)
    "2023-V07": "1" * 40,  # 40 digits: once decimal.InvalidOperation out of the parser
    "2023-V08": "1" * 27,  # 27 digits: the first length decimal's context refused
    "2023-V16": "\u0661\u0662\u0663",  # Arabic-Indic 123: not a notation the contract names
    "2023-V17": "\uff11\uff12\uff13,\uff14\uff15",  # full-width 123,45
    "2023-V15": "12 3,45",  # a space between digits
}
SUBSIDY_AMOUNTS = {
    "15digit": "999.999.999.999.999,99",
    "40digit": "1" * 40,
    "27digit": "1" * 27,
}


def budget_amounts(inbox: Path, source: Path) -> list[Path]:
    """One file per amount class, each a good row and a bad one, plus a budget line of
    € 1.000.000.000.000,00 alone (fits raw's column, overflowed the intermediate model)."""
    out = [
        write(
            inbox,
            f"begroting_amount_{version}.csv",
            export_bytes(BUDGET_HEADER, [_budget_good(version), _budget_bad(version, "AMT", cell)]),
        )
        for version, cell in BUDGET_AMOUNTS.items()
    ]
    big = (
        "GM0999;2023;31-12-2023;2023-Q4;BIG;een biljoen;6.1;;;;€ 1,00;-;-;"
        "€ 1.000.000.000.000,00;-;-"
    )
    out.append(
        write(inbox, "begroting_1e12_GM0999_2023_Q4.csv", export_bytes(BUDGET_HEADER, [big]))
    )
    return out


def subsidy_amounts(inbox: Path, source: Path) -> list[Path]:
    """Grants beyond what the register's marts hold: too many digits (good row first), two
    grants of 99.999.999.999.999,99 whose sum and shares overflow, and a plausible typo
    (requested € 1,00, granted € 100.000,00) whose ratio overflowed numeric(9,4)."""
    good = "2016;2016;Sociaal domein;6.1;S;Goede ontvanger;good row;Eenmalig;€ 1,00;€ 7,00;-"
    out = [
        write(
            inbox,
            f"subsidieregister_amount_{label}_2016.csv",
            export_bytes(
                SUBSIDY_HEADER,
                [
                    good,
                    f"2016;2016;Sociaal domein;6.1;S;Ontvanger {label};x;Eenmalig;€ 1,00;{cell};-",
                ],
            ),
        )
        for label, cell in SUBSIDY_AMOUNTS.items()
    ]
    huge = "99.999.999.999.999,99"
    out.append(
        write(
            inbox,
            "subsidieregister_sum_overflow_2017.csv",
            export_bytes(
                SUBSIDY_HEADER,
                [
                    f"2017;2017;Sociaal domein;6.1;S;Ontvanger {i};x;Eenmalig;€ 1,00;{huge};-"
                    for i in (0, 1)
                ],
            ),
        )
    )
    out.append(
        write(
            inbox,
            "subsidieregister_ratio_overflow_2018.csv",
            export_bytes(
                SUBSIDY_HEADER,
                [
                    "2018;2018;Sociaal domein;6.1;Projectsubsidie;Stichting Tikfout;"
                    "aangevraagd 1,00 getypt i.p.v. 100.000,00;Eenmalig;€ 1,00;€ 100.000,00;-"
                ],
            ),
        )
    )
    return out


def bsn_in_budget_text(inbox: Path, source: Path) -> list[Path]:
    """The test BSN in a budget's Omschrijving, Begrotingspost, Project and Kostenplaats (a
    loaded row, a row whose post is the BSN, a quarantined row: taakveld 9.99x), and the same
    text in a subsidy register, which masks it."""
    row = (
        "GM0999;2024;31-12-2024;2024-Q4;{post};{text};{tv};Inkomen;{project};{kp};"
        "€ 1.000,00;-;-;€ 500,00;-;€ 900,00"
    )
    budget = [
        row.format(
            post="TERUGVORDERING",
            text=f"Terugvordering J. de Vries BSN {TEST_BSN}",
            tv="6.3",
            project=f"dossier {TEST_BSN}",
            kp=f"KP-{TEST_BSN}",
        ),
        row.format(post=TEST_BSN, text="post met bsn als code", tv="6.3", project=TEST_BSN, kp=""),
        row.format(post="BAD-TV", text=f"Quarantined {TEST_BSN}", tv="9.99x", project="", kp=""),
    ]
    subsidy = [
        f"2019;2019;Sociaal domein;6.1;Individuele subsidie;J. de Vries {TEST_BSN};"
        f"Mantelzorgwaardering BSN {TEST_BSN};Eenmalig;€ 250,00;€ 250,00;-",
        f"2019;2019;Sociaal domein;6.1;Individuele subsidie;{TEST_BSN};bsn:{TEST_BSN};"
        "Eenmalig;€ 250,00;€ 250,00;-",
        f"2019;2019;Programma {TEST_BSN};6.1;Individuele subsidie;P. Jansen ({TEST_BSN});x;"
        "Eenmalig;abc;€ 250,00;-",
        "2019;2019;Sociaal domein;6.1;Individuele subsidie;K. Bakker;extra cell row;Eenmalig;"
        f"€ 1,00;€ 1,00;-;{TEST_BSN}",
    ]
    return [
        write(inbox, "begroting_bsn_in_text_2024_Q4.csv", export_bytes(BUDGET_HEADER, budget)),
        write(
            inbox, "subsidieregister_bsn_in_text_2019.csv", export_bytes(SUBSIDY_HEADER, subsidy)
        ),
    ]


def same_version_twice(inbox: Path, source: Path) -> list[Path]:
    """Two exports of report version 2024-Q2 in one delivery, differing in Realisatie (100 and
    200 per line) and in trailing blanks of one Omschrijving: which one counts must be decided
    by the documented rule and shown in ``audit.ambiguous_delivery``, never by hash alone."""
    row = "GM0999;2024;30-06-2024;2024-Q2;{post};{text};6.1;;;;€ {prim};-;-;€ {real};-;-"
    first = [
        row.format(post="G-A", text="line A", prim="1.000,00", real="100,00"),
        row.format(post="G-B", text="line B", prim="2.000,00", real="100,00"),
    ]
    second = [
        row.format(post="G-A", text="line A         ", prim="1.000,00", real="200,00"),
        row.format(post="G-B", text="line B", prim="2.000,00", real="200,00"),
    ]
    return [
        write(inbox, "begroting_same_version_first.csv", export_bytes(BUDGET_HEADER, first)),
        write(inbox, "begroting_same_version_second.csv", export_bytes(BUDGET_HEADER, second)),
    ]
