"""Reason codes of the case export. The rules that give them are the contract's, read row by
row in ``sdw.cases.procedures``; a rejected row is quarantined, the other rows load."""

from __future__ import annotations

ROW_MALFORMED = "CASE_ROW_MALFORMED"  # gemeentecode, identificatie or datumMelding unusable
DATE_INVALID = "CASE_DATE_INVALID"  # not a date, not a calendar date, implausible year
DATES_OUT_OF_ORDER = "CASE_DATES_OUT_OF_ORDER"  # melding, onderzoek, aanvraag, beschikking
LAW_UNKNOWN = "CASE_LAW_UNKNOWN"  # neither Wmo nor Jeugdwet
OUTCOME_INVALID = "CASE_OUTCOME_INVALID"  # resultaat without the dates it needs
ADDRESS_INVALID = "CASE_ADDRESS_INVALID"  # postcode, huisnummer or wijkcode unusable
DUPLICATE = "CASE_DUPLICATE"  # an identificatie already on an earlier line of the file
