"""build_marts' dbt operators: cosmos's local operators with two changes of the project's own.

- No OpenLineage events. Cosmos builds them from dbt's artifacts after every command whenever
  ``openlineage-integration-common`` is importable (it is a cosmos dependency); nothing here
  consumes them (no OpenLineage backend is configured), and building them took 1-1.5 s per task
  on the sample and wrote the profile's variables into the worker's environment.
- ``dbt_seed`` holds the warehouse's seed lock. ``dbt seed`` drops and recreates each seed
  table; two seeds at once on one warehouse (two ``sdw run``, or a run beside the scheduler) made
  the second fail with "relation ... already exists". With ``sdw.orchestration.locks.SEED`` held
  the second waits and then reloads the same rows.
"""

from __future__ import annotations

from typing import Any

from cosmos.operators.local import DbtBuildLocalOperator, DbtSeedLocalOperator

from sdw.orchestration.locks import SEED, warehouse_lock


class _WithoutOpenLineage:
    def calculate_openlineage_events_completes(self, *args: Any, **kwargs: Any) -> bool:
        return False


class DbtLayerBuildOperator(_WithoutOpenLineage, DbtBuildLocalOperator):  # type: ignore[misc]
    """``dbt build`` of one layer (sdw.orchestration.dbt_build.LAYERS)."""


class LockedDbtSeedOperator(_WithoutOpenLineage, DbtSeedLocalOperator):  # type: ignore[misc]
    def execute(self, context: Any, *args: Any, **kwargs: Any) -> Any:
        from sdw.warehouse.connection import warehouse_url

        with warehouse_lock(warehouse_url(), SEED):
            return super().execute(context, *args, **kwargs)
