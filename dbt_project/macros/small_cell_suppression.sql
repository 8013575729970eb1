{#-
  Small-cell protection of the KPI contract (docs/kpi-definitions.md#small-cell-suppression), for
  every mart that suppresses cells below municipality level: one definition, so the marts cannot
  protect their cells in different ways.

  Renders a query over `cells` (one row per cell, e.g. per district) returning every column of
  `cells` plus `suppressed`:
  - primary: 1 <= size <= 4 could identify people; 0 identifies nobody, and a null size (a
    count the source itself kept secret) is not a small cell of ours;
  - complementary: the cells of one `additive_group` add up to a total published elsewhere
    (the municipal figure), so a lone hidden cell is that total minus the visible ones. When
    exactly one cell of a group is small, the unsuppressed cell with the smallest size >= 1
    (ties: the lowest `cell_key` in byte order, `UNKNOWN` before `WK...`) is hidden as well;
    without such a cell nothing more is hidden.
  The mart nulls its own figures where `suppressed`; the helper columns (`is_small_cell`,
  `is_complement_candidate`, `small_cells_in_group`, `complement_rank`) are not for publishing.
-#}
{% macro small_cell_suppression(cells, additive_group, size, cell_key='district_code') %}
{%- set group = additive_group | join(', ') -%}
with

classified as (

    select
        *,
        coalesce({{ size }} between 1 and 4, false) as is_small_cell,
        coalesce({{ size }} >= 1 and not ({{ size }} between 1 and 4), false)
            as is_complement_candidate

    from {{ cells }}

),

ranked as (

    select
        *,
        count(*) filter (where is_small_cell) over (partition by {{ group }})
            as small_cells_in_group,
        -- collate "C": byte order whatever the database's locale.
        row_number() over (
            partition by {{ group }}
            order by is_complement_candidate desc, {{ size }}, {{ cell_key }} collate "C"
        ) as complement_rank

    from classified

)

select
    *,
    is_small_cell
    or (small_cells_in_group = 1 and is_complement_candidate and complement_rank = 1)
        as suppressed

from ranked
{% endmacro %}
