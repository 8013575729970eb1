#!/usr/bin/env bash
# Create the secret files docker-compose.yml reads, each random, mode 0600, in ./secrets (or
# SDW_SECRETS_DIR). An existing file is never overwritten: a new sdw_pseudonym_key would break
# the link between old and new pseudonyms, a new fernet key would make stored connections
# unreadable. Back up the folder (docs/production.md, "Backups").
#
# The containers run as AIRFLOW_UID (compose: `user: "${AIRFLOW_UID:-50000}:0"`) and read these
# files through bind mounts, so the files must belong to that uid. Run as root, this script
# hands the folder and every file in it to AIRFLOW_UID (from the environment, else from ./.env,
# else 50000), including files an earlier run left root-owned. Run as a normal user, the files
# are that user's: compose's AIRFLOW_UID must then be `id -u`, which is checked here.
#
#   deploy/make-secrets.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dir="${SDW_SECRETS_DIR:-./secrets}"

# The uid the containers run as: what `docker compose` would use.
uid="${AIRFLOW_UID:-}"
if [[ -z "$uid" && -f .env ]]; then
  uid="$(sed -n 's/^[[:space:]]*AIRFLOW_UID[[:space:]]*=[[:space:]]*["'\'']\{0,1\}\([0-9]*\).*/\1/p' .env | tail -n 1)"
fi
uid="${uid:-50000}"
if [[ ! "$uid" =~ ^[0-9]+$ ]]; then
  echo "make-secrets.sh: AIRFLOW_UID must be a number, not '$uid'; set it in .env or the environment" >&2
  exit 2
fi

mkdir -p "$dir"
chmod 0700 "$dir"
umask 077

make() {  # name, python expression printing the value
  if [[ -e "$dir/$1" ]]; then
    echo "kept    $dir/$1"
  else
    python3 -c "import base64, os, secrets; print($2)" > "$dir/$1"
    echo "created $dir/$1"
  fi
}

make sdw_pseudonym_key      "secrets.token_hex(32)"
# A Fernet key is 32 random bytes, URL-safe base64 (what Fernet.generate_key() returns).
make airflow_fernet_key     "base64.urlsafe_b64encode(os.urandom(32)).decode()"
make airflow_jwt_secret     "secrets.token_urlsafe(32)"
make airflow_api_secret_key "secrets.token_urlsafe(32)"
make airflow_admin_password "secrets.token_urlsafe(16)"

if [[ "$(id -u)" == 0 ]]; then
  # Group 0 as in compose's `user: "<uid>:0"`; the modes stay 0700/0600 (owner only).
  chown -R "$uid:0" "$dir"
  echo "owner   $dir and its files: uid $uid (AIRFLOW_UID), mode 0600"
elif [[ "$(id -u)" != "$uid" ]]; then
  echo "make-secrets.sh: the files belong to uid $(id -u), but the containers run as AIRFLOW_UID" \
    "$uid and cannot read them. Set AIRFLOW_UID=$(id -u) in .env, or run this script as root" \
    "(it then hands the files to uid $uid)." >&2
  exit 3
fi
