"""The source contracts under test, one entry each: the file kind that must claim a valid file
(``sdw.sources`` / ``sdw.ingest.classify.by_name()``), how a valid file is made, and where its
lines land (the raw table and, for finance files, its euro columns). Kinds and tables are
written here again, not imported, so that a renamed kind or table is noticed."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from hypothesis import strategies as st

from tests.mutation.sources import cbs, finance, registers
from tests.mutation.sources.doc import Doc


@dataclass(frozen=True)
class Contract:
    name: str  # as the campaign command names it: budget-csv
    kind: str  # the FileKind that must claim a valid file
    valid: Callable[[random.Random], Doc]
    table: str  # the raw table holding the file's lines
    # the file's euro columns -> the raw table's (finance sources only)
    amounts: Mapping[str, str] = field(default_factory=dict)
    # CBS long format: one line is several rows; a measure that is not a number keeps NULL
    observations: bool = False
    # raw columns of PostgreSQL type integer (the rest of the numbers are bigint or numeric)
    int4: tuple[str, ...] = ()

    def files(self) -> st.SearchStrategy[Doc]:
        """Valid files of this contract, as a Hypothesis strategy."""
        return st.randoms(use_true_random=False).map(self.valid)


CONTRACTS: dict[str, Contract] = {
    c.name: c
    for c in (
        Contract("budget-csv", "budget_csv", finance.budget_csv, "budget_line",
                 finance.BUDGET_AMOUNT_FIELDS),
        Contract("budget-xlsx", "budget_xlsx", finance.budget_xlsx, "budget_line",
                 finance.BUDGET_AMOUNT_FIELDS),
        Contract("subsidy-csv", "subsidy_register_csv", finance.subsidy_csv, "subsidy_grant",
                 finance.SUBSIDY_AMOUNT_FIELDS),
        Contract("subsidy-json", "subsidy_register_json", finance.subsidy_json,
                 "subsidy_grant", finance.SUBSIDY_AMOUNT_FIELDS),
        Contract("case-csv", "cases", registers.cases_csv, "case_procedure",
                 int4=("buurtcode", "wijkcode", "adres_gemeentecode")),
        Contract("statline-csv", "cbs_statline", cbs.statline_csv, "cbs_observation",
                 observations=True),
        Contract("kwb-csv", "cbs_kwb", cbs.kwb_csv, "cbs_observation", observations=True),
        Contract("kwb-xlsx", "cbs_kwb", cbs.kwb_xlsx, "cbs_observation", observations=True),
        Contract("odata-json", "cbs_odata", cbs.odata_json, "cbs_observation",
                 observations=True),
        Contract("benefits-csv", "cbs_gemeente_uitkering", registers.benefits_csv,
                 "cbs_municipal_benefit"),
        Contract("address-csv", "cbs_adres", cbs.adres_csv, "cbs_adres_gebied",
                 int4=("huisnummer", "buurtcode", "wijkcode", "gemeentecode", "jaar")),
    )
}  # fmt: skip
