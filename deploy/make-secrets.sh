#!/usr/bin/env bash
# Create the secret files docker-compose.yml reads, each random, mode 0600, in ./secrets (or
# SDW_SECRETS_DIR). An existing file is never overwritten: a new sdw_pseudonym_key would break
# the link between old and new pseudonyms, a new fernet key would make stored connections
# unreadable. Back up the folder (docs/production.md, "Backups").
#
#   deploy/make-secrets.sh            then: chown -R "$AIRFLOW_UID" secrets (when run as root)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dir="${SDW_SECRETS_DIR:-./secrets}"
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
