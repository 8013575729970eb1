"""Reason codes of subsidy registers and the rules no layout can change. A rejected row is
quarantined with its reason; the other rows load. An amount that cannot be read is never
taken as 0: a register's totals would silently shrink."""

from __future__ import annotations

ROW_MALFORMED = "SUBSIDY_ROW_MALFORMED"  # not an object, or a line of another width
YEAR_INVALID = "SUBSIDY_YEAR_INVALID"  # subsidiejaar missing, not a year or implausible
AMOUNT_INVALID = "SUBSIDY_AMOUNT_INVALID"  # not a euro amount exact to the cent
AMOUNT_NEGATIVE = "SUBSIDY_AMOUNT_NEGATIVE"  # a request, grant or settlement below zero
RECIPIENT_MISSING = "SUBSIDY_RECIPIENT_MISSING"  # no aanvrager/ontvanger
FIELD_MISSING = "SUBSIDY_FIELD_MISSING"  # a JSON record without a key its layout requires

# Outside: a typo, not a register year.
YEARS = (1990, 2100)
# Amounts a register states as euros; none of them can be negative (a reclaim is a lower
# vastgesteld amount, never a negative one).
AMOUNT_COLUMNS = ("aangevraagd_bedrag", "verleend_bedrag", "vastgesteld_bedrag")
