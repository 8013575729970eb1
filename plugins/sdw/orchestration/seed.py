"""The dbt_seed task: cosmos's seed operator, holding the warehouse's seed lock while it runs.

``dbt seed`` drops and recreates each seed table; two seeds at once on one warehouse (two
``sdw run``, or a run beside the scheduler) made the second fail with "relation ... already
exists". With ``sdw.orchestration.locks.SEED`` held the second waits and then reloads the same
rows.
"""

from __future__ import annotations

from typing import Any

from cosmos.operators.local import DbtSeedLocalOperator

from sdw.orchestration.locks import SEED, warehouse_lock


class LockedDbtSeedOperator(DbtSeedLocalOperator):  # type: ignore[misc]
    def execute(self, context: Any, *args: Any, **kwargs: Any) -> Any:
        from sdw.warehouse.connection import warehouse_url

        with warehouse_lock(warehouse_url(), SEED):
            return super().execute(context, *args, **kwargs)
