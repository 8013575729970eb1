"""What the Airflow DAGs call: assets, task bodies, the dbt (cosmos) configuration, the runner."""
