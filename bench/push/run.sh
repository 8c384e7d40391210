#!/usr/bin/env bash
# Push benchmark (issue: bench/push). Against a fresh database and one `shixin serve`, with one airline
# subscriber whose WEBHOOKS webhooks point at a receiver inside the driver (examples/bench_push/main.rs):
#   baseline  the receiver's own throughput under a plain load generator (same client, one sender per webhook);
#   phase A   CHANGES court changes (person listings, each published with its restriction order: two events,
#             so 20 deliveries with 10 webhooks) from WRITERS concurrent writers, as fast as the service takes
#             them: deliveries/s and the latency from each write's answer to its listing.published notice;
#   phase B   RATE changes/s for PACED_SECONDS (open loop): the same statistics at a steady rate;
#   phase C   (DRAIN=1) every webhook replays phases A and B at once: the delivery worker draining a backlog.
#   bench/push/run.sh                      # CHANGES=10000 WRITERS=16 WEBHOOKS=10 RATE=100 PACED_SECONDS=20 DRAIN=1
#   CHANGES=500 PACED_SECONDS=5 bench/push/run.sh   # a smoke test
# Results: target/bench-push/result.json (driver output), serve.log, samples.txt (top and
# pg_stat_activity every few seconds while the driver runs).
set -euo pipefail
cd "$(dirname "$0")/../.."
DB=${BENCH_DB:-shixin_push_bench}
PORT=${PORT:-18095}
OUT=target/bench-push
mkdir -p "$OUT"
export CHANGES=${CHANGES:-10000}
export SHIXIN_JWT_SECRET=${SHIXIN_JWT_SECRET:-bench-push-secret-0123456789abcdef-0123456789}
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
export SHIXIN_URL="http://127.0.0.1:$PORT"
export SHIXIN_BIN=target/release/shixin
PSQL=(psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -q)

cargo build --release --bin shixin --example bench_push
BIN=$SHIXIN_BIN

# A fresh database, migrated, with the courts the listings are filed by (the migrations seed only the
# Supreme People's Court and the high courts).
"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
"$BIN" migrate >/dev/null
"${PSQL[@]}" -d "$DB" -c "INSERT INTO courts (code, name, province, level, parent_code) VALUES
    ('京01', '北京市第一中级人民法院', '北京市', 'intermediate', '京'),
    ('京0105', '北京市朝阳区人民法院', '北京市', 'basic', '京01')
  ON CONFLICT (code) DO NOTHING"

SHIXIN_BIND=127.0.0.1:$PORT REDIS_URL=${REDIS_URL:-none} SHIXIN_TICK_INTERVAL=off \
  SHIXIN_WEBHOOK_ALLOW_PRIVATE=true SHIXIN_WEBHOOK_CONCURRENCY=${WEBHOOK_CONCURRENCY:-32} \
  RUST_LOG=${RUST_LOG:-warn} "$BIN" serve > "$OUT/serve.log" 2>&1 &
SERVER=$!
SAMPLER=
cleanup() {
  [ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null || true
  [ -n "${VACUUMER:-}" ] && kill "$VACUUMER" 2>/dev/null || true
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 1 100); do curl -sf "$SHIXIN_URL/healthz" >/dev/null && break; sleep 0.2; done
curl -sf "$SHIXIN_URL/healthz" >/dev/null || { echo "the service did not start:"; cat "$OUT/serve.log"; exit 1; }

# This host's PostgreSQL runs with autovacuum = off (/etc/postgresql/15/main/conf.d/90-ci.conf). The
# service vacuums its delivery queue itself every 10 s while deliveries flow; VACUUM_EVERY=N (seconds) adds
# an outside vacuum loop as well (default 0: none, the service alone).
VACUUM_EVERY=${VACUUM_EVERY:-0}
VACUUMER=
if [ "$VACUUM_EVERY" != 0 ]; then
  ( while sleep "$VACUUM_EVERY"; do
      psql -h 127.0.0.1 -U postgres -d "$DB" -qc "VACUUM (ANALYZE) webhook_deliveries, audit_chain_head" || true
    done ) > "$OUT/vacuum.log" 2>&1 &
  VACUUMER=$!
fi

# While the driver runs: the busiest processes and what PostgreSQL's sessions wait on.
(
  while sleep 5; do
    echo "=== $(date +%T)"
    top -b -n 2 -d 1 -w 160 | awk '/^top -/{f++} f==2' | sed -n '1,4p;7,17p'
    psql -h 127.0.0.1 -U postgres -d "$DB" -Atc "SELECT coalesce(wait_event_type, '-'), coalesce(wait_event, '-'),
        state, count(*) FROM pg_stat_activity WHERE datname = '$DB' GROUP BY 1, 2, 3 ORDER BY 4 DESC" 2>/dev/null
  done
) > "$OUT/samples.txt" 2>&1 &
SAMPLER=$!

echo "commit $(git rev-parse --short HEAD), $(date -u +%F), $(nproc) cores, load average: $(cut -d' ' -f1-3 /proc/loadavg), VACUUM_EVERY=$VACUUM_EVERY"
target/release/examples/bench_push 2> >(tee "$OUT/summary.txt" >&2) | tee "$OUT/result.json"
echo "queue after the run:"
"${PSQL[@]}" -d "$DB" -Atc "SELECT status, count(*), sum(attempts) FROM webhook_deliveries GROUP BY 1"
