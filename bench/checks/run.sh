#!/usr/bin/env bash
# Checks benchmark (issue: carrier checks). Against a database seeded with 1,000,000 listings, 8 clients
# post batches of 1,000 subjects (5 % restricted, some by passport, some by legacy ID) for 20 s; in the
# same run pgbench measures the baseline: the plain PostgreSQL query answering the same batches, and "the
# log alone": the check log's row of each batch (check_requests) written by 8 pgbench clients, one check per
# transaction, so the output shows how much of the service's time the durable log can account for.
#   bench/checks/run.sh [LISTINGS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
LISTINGS=${1:-1000000}
SECONDS_RUN=${2:-20}
DB=${BENCH_DB:-shixin_bench}
PORT=18090
OUT=target/bench-checks
mkdir -p "$OUT"
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"

cargo build --release --bin shixin --example bench_checks
BIN=target/release/shixin
have=$(psql -h 127.0.0.1 -U postgres -d "$DB" -Atc "SELECT count(*) FROM listings" 2>/dev/null || echo 0)
if [ -z "${SKIP_SEED:-}" ] && [ "${have:-0}" -lt "$LISTINGS" ]; then
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
  "$BIN" seed --listings "$LISTINGS"
fi
psql -h 127.0.0.1 -U postgres -d "$DB" -qc "VACUUM ANALYZE"

SHIXIN_BIND=127.0.0.1:$PORT REDIS_URL=none SHIXIN_TICK_INTERVAL=off RUST_LOG=warn "$BIN" serve > "$OUT/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done

ADMIN=$("$BIN" token --role admin)
SUB=$(curl -sf -X POST "http://127.0.0.1:$PORT/v1/subscribers" -H "Authorization: Bearer $ADMIN" \
  -H 'Content-Type: application/json' -d '{"name":"bench airline","sector":"airline"}')
CID=$(echo "$SUB" | jq -r .client_id); CSECRET=$(echo "$SUB" | jq -r .client_secret)
TOKEN=$(curl -sf -X POST "http://127.0.0.1:$PORT/v1/oauth/token" -u "$CID:$CSECRET" -d grant_type=client_credentials | jq -r .access_token)

python3 bench/checks/make_batches.py "$DB" "$OUT"
# Warm up, then measure.
target/release/examples/bench_checks "http://127.0.0.1:$PORT/v1/checks" "$TOKEN" "$OUT/batches.jsonl" 8 3 >/dev/null
SERVICE=$(target/release/examples/bench_checks "http://127.0.0.1:$PORT/v1/checks" "$TOKEN" "$OUT/batches.jsonl" 8 "$SECONDS_RUN")
# The check log is written asynchronously: give it 3 s to drain, then read what it wrote and dropped.
sleep 3
LOGGED=$(curl -sf "http://127.0.0.1:$PORT/metrics" | sed -nE 's/^shixin_check_log_subjects_total\{outcome="(written|dropped)"\} ([0-9]+)$/\1=\2/p' | tr '\n' ' ')
kill $SERVER; wait $SERVER 2>/dev/null || true

files=(); for f in "$OUT"/baseline_*.sql; do files+=(-f "$f"); done
PGB=$(pgbench -n -h 127.0.0.1 -U postgres -c 8 -j 2 -T "$SECONDS_RUN" "${files[@]}" "$DB" 2>&1)
TPS=$(echo "$PGB" | sed -nE 's/^tps = ([0-9.]+).*/\1/p' | head -1)
LAT=$(echo "$PGB" | sed -nE 's/^latency average = ([0-9.]+) ms/\1/p' | head -1)

# The log alone: the same rows the check log writes for these batches, same clients, same partitioned table.
files=(); for f in "$OUT"/log_*.sql; do files+=(-f "$f"); done
LOGB=$(pgbench -n -h 127.0.0.1 -U postgres -c 8 -j 2 -T "$SECONDS_RUN" "${files[@]}" "$DB" 2>&1)
LOG_TPS=$(echo "$LOGB" | sed -nE 's/^tps = ([0-9.]+).*/\1/p' | head -1)
LOG_LAT=$(echo "$LOGB" | sed -nE 's/^latency average = ([0-9.]+) ms/\1/p' | head -1)
# Its rows are no check anybody made: gone again, so the log holds what the service wrote.
psql -h 127.0.0.1 -U postgres -d "$DB" -qc \
  "DELETE FROM check_requests WHERE subscriber_id = '00000000-0000-0000-0000-00000000b10c'"

python3 - "$SERVICE" "$TPS" "$LAT" "$LOGGED" "$LOG_TPS" "$LOG_LAT" <<'PY'
import json, sys
s = json.loads(sys.argv[1]); tps = float(sys.argv[2]); lat = float(sys.argv[3] or 0)
log_tps = float(sys.argv[5] or 0); log_lat = float(sys.argv[6] or 0)
s["check_log"] = dict(kv.split("=") for kv in sys.argv[4].split())  # warm-up included
base = tps * s["subjects_per_batch"]
log = log_tps * s["subjects_per_batch"]
ratio = lambda a, b: a / b if b else None
print(json.dumps({"service": s, "baseline": {"batches_per_sec": tps, "subjects_per_sec": base, "latency_avg_ms": lat},
                  "log_alone": {"checks_per_sec": log_tps, "subjects_per_sec": log, "latency_avg_ms": log_lat},
                  "ratio": ratio(s["subjects_per_sec"], base),
                  "ratio_log_alone_to_baseline": ratio(log, base),
                  "ratio_service_to_log_alone": ratio(s["subjects_per_sec"], log)}, indent=2))
PY
