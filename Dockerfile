# syntax=docker/dockerfile:1.7
# The Sociaal Domein Warehouse image: apache/airflow:3.3.2 with exactly what uv.lock pins
# (dbt, GX, Cosmos, the Celery provider, ...) and the project package.
#
#   docker build -t sdw-airflow:latest .          (docker compose build does the same)
#
# The install steps live in deploy/install-python-deps.sh so that CI runs the very same script in
# a fresh virtual environment (tests/integration/test_image_install.py): no Docker engine is
# needed to prove them.

# uv at a fixed version, from its official image (the Airflow image's own uv may differ).
FROM ghcr.io/astral-sh/uv:0.13.9 AS uv

# The Python minor the image runs: the one CI proves the install script with (the test creates
# its virtual environment with this version), and one uv.lock resolves for (3.11-3.13).
ARG PYTHON_VERSION=3.11
FROM apache/airflow:3.3.2-python${PYTHON_VERSION}

COPY --from=uv /uv /usr/local/bin/uv

# The install needs only the lock, the project metadata and the package's source.
WORKDIR /opt/sdw-build
COPY --chown=airflow:0 pyproject.toml uv.lock README.md ./
COPY --chown=airflow:0 deploy/install-python-deps.sh deploy/
COPY --chown=airflow:0 plugins/ plugins/
# Into the image's virtual environment ($VIRTUAL_ENV=/home/airflow/.local, where Airflow is).
# The cache mount keeps downloaded wheels between builds without putting them in a layer.
RUN --mount=type=cache,target=/home/airflow/.cache/uv,uid=50000,gid=0 \
    UV_LINK_MODE=copy bash deploy/install-python-deps.sh "${VIRTUAL_ENV}/bin/python"

# The project's runtime files, so the image also runs without the Compose bind mounts
# (which override them in docker-compose.yml, for editing DAGs without a rebuild).
WORKDIR /opt/airflow
COPY --chown=airflow:0 dags/ dags/
COPY --chown=airflow:0 plugins/ plugins/
COPY --chown=airflow:0 dbt_project/ dbt_project/
COPY --chown=airflow:0 expectations/ expectations/

ENV SDW_HOME=/opt/airflow \
    SDW_STATE_DIR=/opt/airflow/state \
    SDW_EXPECTATIONS_DIR=/opt/airflow/expectations \
    AIRFLOW__CORE__LOAD_EXAMPLES=False \
    AIRFLOW__COSMOS__ENABLE_TELEMETRY=False \
    DBT_SEND_ANONYMOUS_USAGE_STATS=False \
    DO_NOT_TRACK=1 \
    SCARF_ANALYTICS=false \
    GX_ANALYTICS_ENABLED=False
