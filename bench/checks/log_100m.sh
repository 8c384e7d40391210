#!/usr/bin/env bash
# "Who checked this person" (GET /v1/check-log?id_number=) over a check log of 100,000,000 subjects
# (issue 20). Fills a fresh database's log with DAYS closed days of ROWS_PER_DAY check requests of 1,000
# subjects each (default 8 × 12,500 × 1,000 = 100,000,000), random keys plus one target person checked
# TARGET_PER_DAY times a day; builds each closed day's GIN index as the tick does
# (`shixin_check_log_close_days`); optionally OPEN_ROWS requests on today's (open, unindexed) partition;
# then asks the service for the target's checks REPEAT times and reports the times.
#   bench/checks/log_100m.sh                             # the 100,000,000-subject run
#   DAYS=2 ROWS_PER_DAY=500 OPEN_ROWS=500 bench/checks/log_100m.sh   # a smoke test
set -euo pipefail
cd "$(dirname "$0")/../.."
DB=${BENCH_DB:-shixin_log100m}
DAYS=${DAYS:-8}
ROWS_PER_DAY=${ROWS_PER_DAY:-12500}
TARGET_PER_DAY=${TARGET_PER_DAY:-5}
OPEN_ROWS=${OPEN_ROWS:-0}
REPEAT=${REPEAT:-20}
PORT=${PORT:-18097}
OUT=target/bench-log100m
mkdir -p "$OUT"
export SHIXIN_JWT_SECRET=${SHIXIN_JWT_SECRET:-bench-log-secret-0123456789abcdef-0123456789}
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
BIN=target/release/shixin
PSQL=(psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -qAt -d "$DB")
SUB=00000000-0000-0000-0000-00000000b100
TARGET=$(python3 -c '
W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
body = "110105" + "19800101" + "042"
print(body + "10X98765432"[sum(int(c) * w for c, w in zip(body, W)) % 11])')

cargo build --release --bin shixin
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
"$BIN" migrate >/dev/null
"${PSQL[@]}" -c "INSERT INTO subscribers (id, name, sector, client_id, secret_hash)
                 VALUES ('$SUB', 'bench airline', 'airline', 'bench-log', 'x')"

# One day's requests: 1,000 random 18-character keys each (the subquery is correlated on `i`, so each
# row gets its own), the target at a random position in TARGET_PER_DAY of them.
fill() { # day rows
  "${PSQL[@]}" -c "SELECT shixin_check_log_partition('$1'::date)" -c "
    INSERT INTO check_requests (check_id, subscriber_id, checked_at, as_of, subject_keys, decisions, matches)
    SELECT gen_random_uuid(), '$SUB', '$1'::date + i * (interval '86399 s' / $2), 'bench',
           ARRAY(SELECT CASE WHEN i % ($2 / $TARGET_PER_DAY) = 0 AND j = 1 + i % 1000 THEN '$TARGET'
                             ELSE '110105' || lpad(floor(random() * 1e12)::bigint::text, 12, '0') END
                   FROM generate_series(1, 1000) j WHERE i > 0),
           repeat('a', 1000), '[]'::jsonb
      FROM generate_series(1, $2) i"
}
start=$(date +%s)
for d in $(seq "$DAYS" -1 1); do
  fill "$(date -u -d "$d days ago" +%F)" "$ROWS_PER_DAY"
done
filled=$(date +%s)
"${PSQL[@]}" -c "SELECT shixin_check_log_close_days()" >/dev/null
indexed=$(date +%s)
[ "$OPEN_ROWS" -gt 0 ] && fill "$(date -u +%F)" "$OPEN_ROWS"
"${PSQL[@]}" -c "VACUUM ANALYZE check_requests"
done_at=$(date +%s)
SUBJECTS=$("${PSQL[@]}" -c "SELECT sum(cardinality(subject_keys)) FROM check_requests")
SIZE=$("${PSQL[@]}" -c "SELECT pg_size_pretty(sum(pg_total_relation_size(inhrelid))) FROM pg_inherits WHERE inhparent = 'check_requests'::regclass")

SHIXIN_BIND=127.0.0.1:$PORT REDIS_URL=none SHIXIN_TICK_INTERVAL=off RUST_LOG=warn "$BIN" serve > "$OUT/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true' EXIT
URL=http://127.0.0.1:$PORT
for _ in $(seq 1 100); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.2; done
ADMIN=$("$BIN" token --role admin)
FOUND=$(curl -sf "$URL/v1/check-log?id_number=$TARGET&limit=1000" -H "Authorization: Bearer $ADMIN" \
  | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))')
for _ in $(seq 1 "$REPEAT"); do
  curl -s -o /dev/null -w '%{time_total}\n' "$URL/v1/check-log?id_number=$TARGET&limit=100" -H "Authorization: Bearer $ADMIN"
done | sort -n > "$OUT/times.txt"
echo "commit $(git rev-parse --short HEAD), $(date -u +%F), $(nproc) cores"
echo "logged subjects: $SUBJECTS in $DAYS closed days + $OPEN_ROWS open-day requests; log size $SIZE"
echo "fill: $((filled - start)) s; closed days' GIN indexes: $((indexed - filled)) s; open day + vacuum: $((done_at - indexed)) s"
echo "target's checks found: $FOUND (expected $((DAYS * TARGET_PER_DAY)) + the open day's)"
awk '{t[NR]=$1*1000} END {printf "GET /v1/check-log: %d requests, min %.1f ms, median %.1f ms, max %.1f ms\n", NR, t[1], t[int((NR+1)/2)], t[NR]}' "$OUT/times.txt"
