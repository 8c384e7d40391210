#!/usr/bin/env bash
# The public lookup under load (issue 4): wrk, 64 connections, against a database of 1,000,000 seeded
# listings, 90 % unknown names / 10 % listed names, three modes (cache warm, cache cold, REDIS_URL=none),
# and the same service's /healthz as the baseline, in one run. Loopback only.
#
#   bench/public_lookup/run.sh            # LISTINGS=1000000 DURATION=20s CONNECTIONS=64 THREADS=2
#   SHIXIN_BIN=/tmp/shixin-before bench/public_lookup/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
LISTINGS="${LISTINGS:-1000000}" DURATION="${DURATION:-20s}" CONNECTIONS="${CONNECTIONS:-64}" THREADS="${THREADS:-2}"
DB="${BENCH_DB:-shixin_bench}"
URL="postgres://postgres@127.0.0.1:5432/$DB"
PORT="${BENCH_PORT:-18080}"
OUT="${CARGO_TARGET_DIR:-target}/bench"
mkdir -p "$OUT"
command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)

# SHIXIN_BIN: another build to measure (e.g. a copy of the binary before a change); else this tree's.
if [ -z "${SHIXIN_BIN:-}" ]; then cargo build --release --locked --quiet; fi
BIN="${SHIXIN_BIN:-${CARGO_TARGET_DIR:-target}/release/shixin}"
export DATABASE_URL="$URL" SHIXIN_BIND="127.0.0.1:$PORT" SHIXIN_PUBLIC_RATE_LIMIT="1000000000/s" RUST_LOG=warn SHIXIN_LOG_FORMAT=json
"$BIN" migrate >/dev/null
have="$(psql "$URL" -Atc "SELECT count(*) FROM listings")"
if [ "$have" -lt "$LISTINGS" ]; then "$BIN" seed --listings "$((LISTINGS - have))"; fi
psql "$URL" -qc "VACUUM ANALYZE listings"
python3 bench/public_lookup/paths.py "$URL" "$OUT"
EPOCH_KEY="shixin:$(printf %s "$DB" | sha256sum | cut -c1-16):pub:epoch"

SERVER=""
start() { # REDIS_URL
  REDIS_URL="$1" "$BIN" serve > "$OUT/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
  sleep 1
}
stop() { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; }
# The run's keys go at the end (a million generations would stay a day, and slow other users).
cleanup() {
  if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; fi
  redis-cli --scan --pattern "${EPOCH_KEY%:pub:epoch}:*" | xargs -r -n 5000 redis-cli UNLINK >/dev/null || true
}
trap cleanup EXIT
run() { # label script paths-file url
  local line
  line="$(PATHS_FILE="${3:-}" WRK_THREADS="$THREADS" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency \
    -s "bench/public_lookup/$2" "http://127.0.0.1:$PORT$4" | grep '^RESULT' | sed 's/^RESULT //')"
  echo "$1 $line" | tee -a "$OUT/results.txt"
}
: > "$OUT/results.txt"

start "redis://127.0.0.1:6379"
run healthz healthz.lua "" /healthz
PATHS_FILE="$OUT/warm.txt" WRK_THREADS=1 wrk -t1 -c8 -d3s -s bench/public_lookup/lookup.lua "http://127.0.0.1:$PORT/" >/dev/null
run warm lookup.lua "$OUT/warm.txt" /
redis-cli SET "$EPOCH_KEY" "bench-$(date +%s%N)" >/dev/null   # empty cache for this deployment
run cold lookup.lua "$OUT/cold.txt" /
# The same names again, nothing cached: each is its name's second lookup, the one that stores.
redis-cli SET "$EPOCH_KEY" "bench-$(date +%s%N)" >/dev/null
run fill lookup.lua "$OUT/cold.txt" /
stop

start none
run redis_none lookup.lua "$OUT/cold.txt" /
stop

python3 - "$OUT/results.txt" <<'PY'
import json, sys
rows = {}
for line in open(sys.argv[1]):
    label, js = line.split(" ", 1)
    rows[label] = json.loads(js)
base = rows["healthz"]["rps"]
print("| mode | req/s | p50 ms | p99 ms | ratio to /healthz | errors |")
print("|---|---|---|---|---|---|")
for label in ["healthz", "warm", "cold", "fill", "redis_none"]:
    r = rows[label]
    print(f"| {label} | {r['rps']:.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['rps'] / base:.2f} | {r['errors']} |")
PY
