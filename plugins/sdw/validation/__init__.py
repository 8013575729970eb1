"""Great Expectations validation of the warehouse: suites live in <repo>/expectations/.

Importing this package does not import Great Expectations (that costs ~11 s); only running a
suite does.
"""

from sdw.validation.runner import (
    ValidationFailed,
    ValidationSummary,
    run_suite,
    run_suite_or_raise,
)

__all__ = ["ValidationFailed", "ValidationSummary", "run_suite", "run_suite_or_raise"]
