#!/usr/bin/env bash
# usage: bench/mart_checksums.sh <checkout> sample|gen11 <out.json>
# Runs `sdw run` from <checkout> on a fresh database (PostgreSQL on 127.0.0.1:5432, trust auth)
# and prints an md5 per published mart over its rows sorted as text. Run it before and after a
# refactor that must not change a figure (issue 11 did) and compare the two JSON files.
set -euo pipefail
repo=$1; kind=$2; out=$3
db=sdw_md5_$(date +%s%N | tail -c 8)
psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $db"
work=$(mktemp -d)
cd "$repo"
if [ "$kind" = gen11 ]; then
  uv run --frozen sdw generate "$work/inbox" --clients 120 --months 9 --seed 11 >/dev/null
else
  uv run --frozen sdw generate "$work/inbox" >/dev/null   # the demo's default municipality
fi
WAREHOUSE_URL=postgresql://postgres@127.0.0.1:5432/$db SDW_STATE_DIR=$work/state SDW_PSEUDONYM_KEY=md5-key-0123456789abcdef0123456789 \
  uv run --frozen sdw run --inbox "$work/inbox" > "$work/run.log" 2>&1 || { tail -30 "$work/run.log"; exit 1; }
psql -h 127.0.0.1 -U postgres -d $db -Atc "
  SELECT json_object_agg(table_name, md) FROM (
    SELECT table_name, (xpath('/row/m/text()', query_to_xml(
      format('SELECT md5(coalesce(string_agg(t::text, ''|'' ORDER BY t::text), '''')) AS m FROM marts.%I t', table_name), false, true, '')))[1]::text AS md
    FROM information_schema.tables WHERE table_schema = 'marts' ORDER BY 1) s" > "$out"
cat "$out"
