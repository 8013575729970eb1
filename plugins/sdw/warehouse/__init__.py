"""The warehouse: its DDL and the servers it can run on (embedded or WAREHOUSE_URL)."""
