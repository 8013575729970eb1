"""Which cells the district-level marts must hide, as the generator reads the KPI contract.

The generator's own, second implementation of the small-cell rule of
docs/kpi-definitions.md#small-cell-suppression (the warehouse's is the dbt macro
``small_cell_suppression``), so the two can be compared cell by cell. Primary: 1 to 4
clients or cases could identify people, 0 identifies nobody. Complementary: the cells of one
additive group (municipality x law x quarter) add up to a published municipal total, so a
lone hidden cell would be that total minus the visible ones; the unsuppressed cell with the
smallest size >= 1 (ties: the lowest district code in byte order, ``UNKNOWN`` before ``WK...``)
is hidden with it. Without such a cell nothing more is hidden.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable

SMALL = range(1, 5)


def suppressed_cells(
    cells: Iterable[tuple[Hashable, str, int]],
) -> set[tuple[Hashable, str]]:
    """The (group, district) pairs to hide, given every cell as (group, district, size)."""
    groups: dict[Hashable, dict[str, int]] = defaultdict(dict)
    for group, district, size in cells:
        groups[group][district] = size
    hidden: set[tuple[Hashable, str]] = set()
    for group, sizes in groups.items():
        small = [d for d, n in sizes.items() if n in SMALL]
        hidden.update((group, d) for d in small)
        if len(small) != 1:
            continue
        candidates = [(n, d.encode()) for d, n in sizes.items() if n >= 1 and n not in SMALL]
        if candidates:
            hidden.add((group, min(candidates)[1].decode()))
    return hidden
