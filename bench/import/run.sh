#!/usr/bin/env bash
# Import benchmark (bench/README.md "Import"): `shixin import listings` of N listings (default
# 1,000,000) into a fresh database, without and with events, against a plain `COPY` of the same rows
# (the CSV export) into a bare table with the same columns, all in the same run.
#
#   bench/import/run.sh [N]          # uses CARGO_TARGET_DIR when set; REDIS_URL defaults to none
#   KEEP=1 bench/import/run.sh       # keep the databases and files
#   DATA=/tmp/import-data bench/import/run.sh   # seed and export into DATA once, reuse it after
set -euo pipefail
cd "$(dirname "$0")/../.."

N=${1:-1000000}
PG=${PG_BASE:-postgres://postgres@127.0.0.1:5432}
export REDIS_URL=${REDIS_URL:-none}
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres)
SRC=shixin_bench_import_src
DB_A=shixin_bench_import_quiet
DB_B=shixin_bench_import_events
DB_C=shixin_bench_import_copy
WORK=${DATA:-$(mktemp -d /tmp/shixin-import-bench.XXXXXX)}
mkdir -p "$WORK"

cargo build --release --quiet
BIN=${CARGO_TARGET_DIR:-target}/release/shixin

drop_all() {
    for db in "$SRC" "$DB_A" "$DB_B" "$DB_C"; do
        "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)"
    done
}
cleanup() {
    if [ -z "${KEEP:-}" ]; then
        drop_all
        [ -n "${DATA:-}" ] || rm -rf "$WORK"
    fi
}
trap cleanup EXIT
drop_all

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

if [ -s "$WORK/listings.csv" ] && [ -s "$WORK/courts.ndjson" ]; then
    echo "== data: reusing $WORK"
else
    echo "== data: shixin seed --listings $N, then shixin export (NDJSON and CSV)"
    DATABASE_URL=$PG/$SRC "$BIN" seed --listings "$N" --quiet
    DATABASE_URL=$PG/$SRC "$BIN" export courts --quiet -o "$WORK/courts.ndjson"
    DATABASE_URL=$PG/$SRC "$BIN" export listings --quiet -o "$WORK/listings.ndjson"
    DATABASE_URL=$PG/$SRC "$BIN" export listings --quiet -o "$WORK/listings.csv"
    "${PSQL[@]}" -d postgres -c "DROP DATABASE \"$SRC\" WITH (FORCE)"
fi
ls -l "$WORK"
lines=$(wc -l < "$WORK/listings.ndjson")

import_into() { # db, extra flags…
    local db=$1
    shift
    DATABASE_URL=$PG/$db "$BIN" migrate > /dev/null
    DATABASE_URL=$PG/$db "$BIN" import courts "$WORK/courts.ndjson" --quiet > /dev/null
    "${PSQL[@]}" -d "$db" -c "CHECKPOINT"
    local t0 t1
    t0=$(now)
    DATABASE_URL=$PG/$db "$BIN" import listings "$WORK/listings.ndjson" --quiet "$@"
    t1=$(now)
    secs "$t0" "$t1"
}

echo "== (a) shixin import listings --no-events"
out_a=$(import_into "$DB_A" --no-events | tee -a /dev/stderr | tail -1)
echo "== (b) shixin import listings (with events)"
out_b=$(import_into "$DB_B" | tee -a /dev/stderr | tail -1)
events=$("${PSQL[@]}" -d "$DB_B" -At -c "SELECT count(*) FROM events")

echo "== (c) baseline: psql \\copy of the CSV export into a bare table with the same columns"
"${PSQL[@]}" -d postgres -c "CREATE DATABASE \"$DB_C\""
"${PSQL[@]}" -d "$DB_C" -c "CREATE TABLE listings_csv (
    id uuid, status text, court_code text, court_name text, case_number text, debtor_kind text,
    debtor_name text, debtor_id_number text, debtor_credit_code text, debtor_documents text,
    legal_representative_name text, legal_representative_id_number text, associated_persons jsonb,
    filed_on date, basis_document_number text, basis_issuer text, obligation text, performance text,
    grounds text, extension_years integer, decided_on date, grace_until date, initiated_by text,
    published_at timestamptz, expires_on date, removal_reason text, removal_note text,
    removed_at timestamptz, keep_restriction boolean, version integer, restriction_id uuid,
    created_at timestamptz, updated_at timestamptz, debtor_student boolean, decision_signed_by text,
    decision_signed_on date, served_on date, service_method text, debtor_official_status text,
    debtor_employer text, debtor_ownership text, debtor_supervising_body text)"
"${PSQL[@]}" -d "$DB_C" -c "CHECKPOINT"
t0=$(now)
"${PSQL[@]}" -d "$DB_C" -c "\\copy listings_csv FROM '$WORK/listings.csv' WITH (FORMAT csv, HEADER true)"
t1=$(now)
out_c=$(secs "$t0" "$t1")

rate() { awk -v n="$lines" -v s="$1" 'BEGIN { printf "%.0f", n / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
echo
echo "## $lines listings ($(nproc) cores, $(date -u +%Y-%m-%d), commit $(git rev-parse --short HEAD))"
echo "| run | seconds | listings/s | × COPY time |"
echo "|---|---|---|---|"
echo "| (a) shixin import listings --no-events | $out_a | $(rate "$out_a") | $(ratio "$out_a" "$out_c") |"
echo "| (b) shixin import listings ($events events) | $out_b | $(rate "$out_b") | $(ratio "$out_b" "$out_c") |"
echo "| (c) psql \\copy of the CSV export (bare table) | $out_c | $(rate "$out_c") | 1.0 |"
