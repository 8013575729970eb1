#!/usr/bin/env bash
# Install exactly what uv.lock pins, then the project package, into one Python environment.
#
#   deploy/install-python-deps.sh [PYTHON]
#
# PYTHON defaults to the active virtual environment's ($VIRTUAL_ENV/bin/python), else `python`.
#
# The Dockerfile RUNs this inside apache/airflow:3.3.2 (whose `python` is the image's virtual
# environment, /home/airflow/.local); CI runs the very same script against a fresh virtual
# environment (tests/integration/test_image_install.py), so the image's install steps are
# proven without a Docker engine.
#
# Why these steps:
# - `uv export --frozen` turns uv.lock into a pinned requirements list without re-resolving
#   (the lock is the single source of truth; pyproject's override of
#   dbt-core-experimental-parser becomes the marker `sys_platform == 'never'`, so it never
#   installs: its build downloads a binary from GitHub).
# - `uv pip sync` makes the environment equal to that list: pinned versions replace the base
#   image's, and packages the lock does not name (the image's extra providers) are removed.
#   It never resolves, so nothing outside the lock can slip in.
# - The project itself goes in last with --no-deps: its dependencies are exactly the above.
set -euo pipefail

PROJECT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ $# -ge 1 ]]; then
  PYTHON="$1"
elif [[ -n "${VIRTUAL_ENV:-}" ]]; then
  PYTHON="$VIRTUAL_ENV/bin/python"
else
  PYTHON=python
fi
WANTED="$PYTHON"
PYTHON="$(command -v "$WANTED")" || { echo "install-python-deps.sh: no Python at $WANTED" >&2; exit 2; }

if command -v uv >/dev/null 2>&1; then
  UV=(uv)
else
  "$PYTHON" -m pip install --quiet --disable-pip-version-check uv
  UV=("$PYTHON" -m uv)
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

"${UV[@]}" export --project "$PROJECT" --frozen --no-dev --no-hashes --no-emit-project \
  --format requirements.txt --output-file "$WORK/requirements.txt" --quiet
"${UV[@]}" pip sync --python "$PYTHON" --strict "$WORK/requirements.txt"
"${UV[@]}" pip install --python "$PYTHON" --no-deps "$PROJECT"
echo "installed $(grep -c '==' "$WORK/requirements.txt") pinned requirements and the project into $("$PYTHON" -c 'import sys; print(sys.prefix)')"
