{#-
  The waiting-time measures of the KPI contract (docs/kpi-definitions.md#waiting_times_quarterly) at
  any grain, so the headline mart and its breakdowns cannot drift apart.

  `requests`: one row per request with the grain columns, request_date, request_quarter_start,
  decision_date, days_to_decision, decision_due_date (request date + 5 working days).
  `assignments`: one row per assignment with the grain columns, assignment_quarter_start and
  days_assignment_to_start (null without a 305).
  Rows: every quarter from a grain's first to its last quarter with a request or assignment,
  so a quiet quarter still shows its backlog (open_at_quarter_end) rather than vanishing.

  `span` (a prefix of `grain`, default the whole grain) names the group whose rows must add
  up to a coarser mart, e.g. ['municipality_code', 'law', 'breakdown'] for the breakdowns of
  the headline. A grain value then also gets a row for every later quarter of its span's
  range in which it still has backlog: a category whose last request is still open when the
  municipality's other requests come in must carry that open request, or the breakdown no
  longer adds up to the headline.
-#}
{% macro waiting_time_measures(requests, assignments, grain, span=none) %}
{%- set cols = grain | join(', ') -%}
{%- set span_cols = (span if span is not none else grain) | join(', ') -%}
with

bounds as (

    select
        {{ cols }},
        min(q) as first_quarter,
        max(q) as own_last_quarter,
        max(max(q)) over (partition by {{ span_cols }}) as last_quarter
    from (
        select {{ cols }}, request_quarter_start as q from {{ requests }}
        union all
        select {{ cols }}, assignment_quarter_start as q from {{ assignments }}
        where days_assignment_to_start is not null
    ) as quarters
    group by {{ cols }}

),

spine as (

    select
        {% for col in grain %}bounds.{{ col }},
        {% endfor -%}
        bounds.own_last_quarter,
        q::date as quarter_start,
        (q + interval '3 months' - interval '1 day')::date as quarter_end

    from bounds
    cross join lateral generate_series(
        bounds.first_quarter, bounds.last_quarter, interval '3 months'
    ) as q

),

request_measures as (

    select
        {{ cols }},
        request_quarter_start as quarter_start,
        count(*) as requests,
        count(decision_date) as decided,
        percentile_cont(0.5) within group (order by days_to_decision) as median_days_to_decision,
        percentile_cont(0.9) within group (order by days_to_decision) as p90_days_to_decision,
        count(*) filter (where decision_date <= decision_due_date) as decided_within_5_workdays

    from {{ requests }}
    group by {{ cols }}, request_quarter_start

),

-- The backlog as a running balance, so it costs one pass however long the history: a request
-- opens in its request quarter and closes in the quarter of its decision (never before its
-- request), and open_at_quarter_end is the sum of opens minus closes up to that quarter.
backlog_changes as (

    select {{ cols }}, q, sum(change) as change
    from (
        select {{ cols }}, date_trunc('quarter', request_date)::date as q, 1 as change
        from {{ requests }}
        union all
        select
            {{ cols }},
            date_trunc('quarter', greatest(request_date, decision_date))::date,
            -1
        from {{ requests }}
        where decision_date is not null
    ) as changes
    group by {{ cols }}, q

),

backlog as (

    select
        {% for col in grain %}spine.{{ col }},
        {% endfor -%}
        spine.quarter_start,
        sum(coalesce(backlog_changes.change, 0)) over (
            partition by {% for col in grain %}spine.{{ col }}{{ ", " if not loop.last }}{% endfor %}
            order by spine.quarter_start
        ) as open_at_quarter_end

    from spine
    left join backlog_changes
        on {% for col in grain %}backlog_changes.{{ col }} = spine.{{ col }}
        and {% endfor -%}
        backlog_changes.q = spine.quarter_start

),

start_measures as (

    select
        {{ cols }},
        assignment_quarter_start as quarter_start,
        percentile_cont(0.5) within group (order by days_assignment_to_start)
            as median_days_assignment_to_start

    from {{ assignments }}
    where days_assignment_to_start is not null
    group by {{ cols }}, assignment_quarter_start

)

select
    {% for col in grain %}spine.{{ col }},
    {% endfor -%}
    spine.quarter_start,
    coalesce(request_measures.requests, 0) as requests,
    coalesce(request_measures.decided, 0) as decided,
    request_measures.median_days_to_decision,
    request_measures.p90_days_to_decision,
    case
        when request_measures.decided > 0
            then round(
                100.0 * request_measures.decided_within_5_workdays / request_measures.decided, 2
            )
    end as pct_decided_within_5_workdays,
    backlog.open_at_quarter_end,
    start_measures.median_days_assignment_to_start

from spine

inner join backlog
    using ({{ cols }}, quarter_start)

left join request_measures
    using ({{ cols }}, quarter_start)

left join start_measures
    using ({{ cols }}, quarter_start)

-- past its own last quarter a value only shows while it still has open requests
where spine.quarter_start <= spine.own_last_quarter
    or backlog.open_at_quarter_end > 0
{% endmacro %}
