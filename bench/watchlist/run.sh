#!/usr/bin/env bash
# Watch-list push benchmark (issue 20): 1,000,000 watched subjects, CHANGES listing changes delivered
# by webhook, unfiltered (scope all) and then filtered (scope watchlist), in one run, against a fresh
# database and one `shixin serve`. See bench/watchlist/driver.py for the phases.
#   bench/watchlist/run.sh                                  # WATCHED=1000000 CHANGES=10000 WRITERS=16
#   WATCHED=20000 CHANGES=500 bench/watchlist/run.sh        # a smoke test
set -euo pipefail
cd "$(dirname "$0")/../.."
export BENCH_DB=${BENCH_DB:-shixin_watch_bench}
PORT=${PORT:-18096}
OUT=target/bench-watchlist
mkdir -p "$OUT"
export SHIXIN_JWT_SECRET=${SHIXIN_JWT_SECRET:-bench-watch-secret-0123456789abcdef-0123456789}
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$BENCH_DB"
export SHIXIN_URL="http://127.0.0.1:$PORT"
export SHIXIN_BIN=target/release/shixin
PSQL=(psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -q)

cargo build --release --bin shixin
"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" -c "CREATE DATABASE $BENCH_DB"
"$SHIXIN_BIN" migrate >/dev/null
"${PSQL[@]}" -d "$BENCH_DB" -c "INSERT INTO courts (code, name, province, level, parent_code) VALUES
    ('京01', '北京市第一中级人民法院', '北京市', 'intermediate', '京'),
    ('京0105', '北京市朝阳区人民法院', '北京市', 'basic', '京01')
  ON CONFLICT (code) DO NOTHING"
SHIXIN_BIND=127.0.0.1:$PORT REDIS_URL=${REDIS_URL:-none} SHIXIN_TICK_INTERVAL=off \
  SHIXIN_WEBHOOK_ALLOW_PRIVATE=true RUST_LOG=${RUST_LOG:-warn} \
  "$SHIXIN_BIN" serve > "$OUT/serve.log" 2>&1 &
SERVER=$!
cleanup() {
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  [ "${KEEP_DB:-0}" = 1 ] || "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" || true
}
trap cleanup EXIT
for _ in $(seq 1 100); do curl -sf "$SHIXIN_URL/healthz" >/dev/null && break; sleep 0.2; done
curl -sf "$SHIXIN_URL/healthz" >/dev/null || { echo "the service did not start:"; cat "$OUT/serve.log"; exit 1; }
echo "commit $(git rev-parse --short HEAD), $(date -u +%F), $(nproc) cores, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 bench/watchlist/driver.py | tee "$OUT/result.json"
