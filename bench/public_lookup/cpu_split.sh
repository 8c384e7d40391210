#!/usr/bin/env bash
# Where the CPU of one public-lookup run goes (issue 23): the CPU seconds of the service, Redis,
# PostgreSQL and wrk during 10 s of wrk (64 connections) in one mode: `cold` (Redis, epoch replaced
# first), `none` (REDIS_URL=none), `warm` (Redis, the warm paths after 3 s of warming) or `healthz`.
# Run bench/public_lookup/run.sh first: it seeds `shixin_bench` (or BENCH_DB), builds the release
# binary and writes the paths files (target/bench/cold.txt, warm.txt).
#
#   bench/public_lookup/cpu_split.sh cold; bench/public_lookup/cpu_split.sh none
#   BENCH_DB=imp_x bench/public_lookup/cpu_split.sh warm
set -euo pipefail
cd "$(dirname "$0")/../.."
MODE=$1; OUT="${CARGO_TARGET_DIR:-target}/bench"
DB="${BENCH_DB:-shixin_bench}"
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/$DB SHIXIN_BIND=127.0.0.1:18080 SHIXIN_PUBLIC_RATE_LIMIT=1000000000/s RUST_LOG=warn SHIXIN_LOG_FORMAT=json
if [ "$MODE" = none ]; then export REDIS_URL=none; else export REDIS_URL=redis://127.0.0.1:6379; fi
"${CARGO_TARGET_DIR:-target}/release/shixin" serve > /tmp/cpu-serve.log 2>&1 & SP=$!
for i in $(seq 1 100); do curl -fs localhost:18080/readyz >/dev/null && break; sleep 0.1; done; sleep 1
EK="shixin:$(printf %s "$DB" | sha256sum | cut -c1-16):pub:epoch"
[ "$MODE" = cold ] && redis-cli SET "$EK" "cpu-$(date +%s%N)" >/dev/null
PATHS=$OUT/cold.txt SCRIPT=lookup.lua URLPATH=/
if [ "$MODE" = warm ]; then
  PATHS=$OUT/warm.txt
  PATHS_FILE=$PATHS WRK_THREADS=1 wrk -t1 -c8 -d3s -s bench/public_lookup/lookup.lua http://127.0.0.1:18080/ >/dev/null
fi
[ "$MODE" = healthz ] && SCRIPT=healthz.lua URLPATH=/healthz
ticks() { # pattern -> total utime+stime ticks of matching processes
  local t=0
  for p in $(pgrep -f "$1" || true); do
    set -- $(awk '{print $14+$15}' /proc/$p/stat 2>/dev/null || echo 0); t=$((t + $1))
  done; echo $t; }
declare -A before
for f in "shixin serve" "redis-server" "postgres" ; do before[$f]=$(ticks "$f"); done
start=$(date +%s.%N)
line=$(PATHS_FILE=$PATHS WRK_THREADS=2 /usr/bin/time -f 'wrk_cpu %U %S' wrk -t2 -c64 -d10s --latency -s "bench/public_lookup/$SCRIPT" "http://127.0.0.1:18080$URLPATH" 2>&1 | grep -E 'RESULT|wrk_cpu' | tr '\n' ' ')
end=$(date +%s.%N)
echo "$MODE $line"
for f in "shixin serve" "redis-server" "postgres"; do
  echo "  $f: $(echo "scale=2; ($(ticks "$f") - ${before[$f]}) / 100" | bc) CPU s"
done
echo "  wall $(echo "$end - $start" | bc) s"
kill $SP; wait $SP 2>/dev/null || true
