"""Reason codes of the CBS source: a data row (or OData record) its reader refuses is
quarantined with the code of its file kind; the rest of the file loads. The rules themselves
are each reader's (``adres.parse_line``, ``statline``, ``kwb``, ``odata``, ``benefits``); a
header lacking a required column is the core's MISSING_COLUMN (``sdw.ingest.csv_contract``)."""

from __future__ import annotations

CBS_ADRES_ROW = "CBS_ADRES_ROW"
CBS_STATLINE_ROW = "CBS_STATLINE_ROW"
CBS_KWB_ROW = "CBS_KWB_ROW"
CBS_ODATA_RECORD = "CBS_ODATA_RECORD"
BENEFIT_ROW = "BENEFIT_ROW"
