#!/usr/bin/env bash
# Crash recovery of webhook deliveries (issue 21): how long after a `kill -9` of the delivering process
# the deliveries it held are sent again. See bench/recovery/driver.py for the scenarios.
#   bench/recovery/run.sh                         # WEBHOOKS=10 EVENTS_PER_WEBHOOK=40 DELAY_MS=100 ROUNDS=3
# Prints one JSON document (also in target/bench-recovery/result.json); serve logs in the same folder.
set -euo pipefail
cd "$(dirname "$0")/../.."
export BENCH_DB=${BENCH_DB:-shixin_recovery_bench}
OUT=target/bench-recovery
mkdir -p "$OUT"
export OUT
export SHIXIN_JWT_SECRET=${SHIXIN_JWT_SECRET:-bench-recovery-secret-0123456789abcdef-0123456789}
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$BENCH_DB"
export SHIXIN_BIN=target/release/shixin
PSQL=(psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -q)

cargo build --release --bin shixin
"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" -c "CREATE DATABASE $BENCH_DB"
"$SHIXIN_BIN" migrate >/dev/null
"${PSQL[@]}" -d "$BENCH_DB" -c "INSERT INTO courts (code, name, province, level, parent_code) VALUES
    ('京01', '北京市第一中级人民法院', '北京市', 'intermediate', '京'),
    ('京0105', '北京市朝阳区人民法院', '北京市', 'basic', '京01')
  ON CONFLICT (code) DO NOTHING"
python3 bench/recovery/driver.py | tee "$OUT/result.json"
"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)"
