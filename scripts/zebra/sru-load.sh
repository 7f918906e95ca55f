#!/usr/bin/env bash
# SRU searchRetrieve load test with a fixed CQL query mix, for any SRU 1.2
# server (Zebra's zebrasrv, Kitap's /sru, ...). Manual benchmark, not CI.
#
# Usage: scripts/zebra/sru-load.sh BASE_URL [SECONDS]
#   BASE_URL  SRU endpoint, e.g. http://127.0.0.1:9998/biblios (Zebra, as
#             started by scripts/bench-zebra.sh) or http://127.0.0.1:8080/sru
#   SECONDS   length of the measured run (default 30)
#
# Steps: (1) every query of the mix is sent once and the answers are checked
# (HTTP 200, XML, numberOfRecords, no SRU diagnostics, MARCXML records in
# recordData; sru-check.py), (2) a warm-up run of WARMUP seconds, (3) the
# measured run: wrk with CONNECTIONS connections over THREADS threads,
# rotating through the queries (sru-mix.lua), requests/s and latency
# percentiles printed, plus a RESULT line for scripts.
#
# Environment:
#   QUERIES      CQL query file, one per line (default $CACHE/queries.txt;
#                made by bench-zebra.sh via make-queries.py)
#   QUERIES_META category/df/query TSV for the per-category check summary
#                (default $CACHE/queries-meta.tsv if present)
#   CACHE        default /tmp/kitap-bench
#   CONNECTIONS  default 8      THREADS  default 2 (wrk threads)
#   WARMUP       default 5 (seconds, 0 to skip)
#   CHECK        1: the measured run also inspects every response body
#                (diagnostics / numberOfRecords); 0 (default): only the
#                preflight checks bodies, wrk still counts non-2xx
#   SKIP_PREFLIGHT=1 skips step 1
#   MAX_RECORDS  default 10     SCHEMA  default marcxml
#   SERVER_PID   pid of the server process: its CPU time (user+system of
#                the process, its threads and its reaped children, from
#                /proc) over the measured run is printed as a SERVER line,
#                with CPU ms per request (less sensitive to other load on
#                the machine than requests/s). zebrasrv forks a child per
#                connection; the children exit when wrk closes its
#                connections and are counted then.
#
# Only point this at servers on this machine (127.0.0.1 / localhost).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
base=${1:?usage: sru-load.sh BASE_URL [SECONDS]}
duration=${2:-${DURATION:-30}}
cache=${CACHE:-/tmp/kitap-bench}
queries=${QUERIES:-$cache/queries.txt}
meta=${QUERIES_META:-$cache/queries-meta.tsv}
connections=${CONNECTIONS:-8}
threads=${THREADS:-2}
warmup=${WARMUP:-5}

case "$base" in
  http://127.[0-9]*|http://localhost[:/]*|http://\[::1\]*) ;;
  *) echo "refusing $base: load tests only against 127.0.0.0/8, localhost or [::1]" >&2
     exit 2 ;;
esac
command -v wrk >/dev/null || { echo "wrk not found (apt-get install -y wrk)" >&2; exit 2; }
[ -s "$queries" ] || { echo "no query file $queries (run scripts/bench-zebra.sh or make-queries.py)" >&2; exit 2; }

export SRU_QUERIES=$queries
export SRU_MAX_RECORDS=${MAX_RECORDS:-10}
export SRU_SCHEMA=${SCHEMA:-marcxml}

nq=$(grep -c . "$queries")
echo "== SRU load: $base, $nq queries from $queries"
echo "   wrk -t$threads -c$connections -d${duration}s --latency, maximumRecords=$SRU_MAX_RECORDS recordSchema=$SRU_SCHEMA"

if [ "${SKIP_PREFLIGHT:-0}" != 1 ]; then
  echo "== preflight: every query once, answers checked"
  if [ -s "$meta" ]; then
    python3 "$here/sru-check.py" "$base" "$queries" "$meta"
  else
    python3 "$here/sru-check.py" "$base" "$queries"
  fi
fi

if [ "$warmup" -gt 0 ]; then
  echo "== warm-up ${warmup}s (not reported)"
  SRU_CHECK=0 wrk -t"$threads" -c"$connections" -d"${warmup}s" -s "$here/sru-mix.lua" "$base" \
    | grep '^RESULT' | sed 's/^RESULT/warm-up:/'
fi

cpu_ticks() {  # utime + stime + cutime + cstime of SERVER_PID, clock ticks
  [ -n "${SERVER_PID:-}" ] && [ -r "/proc/$SERVER_PID/stat" ] || { echo ""; return; }
  sleep 1  # let the server reap the children of closed connections
  sed 's/^.*) //' "/proc/$SERVER_PID/stat" | awk '{print $12 + $13 + $14 + $15}'
}

echo "== measured run ${duration}s"
cpu0=$(cpu_ticks)
out=$(SRU_CHECK=${CHECK:-0} wrk -t"$threads" -c"$connections" -d"${duration}s" --timeout 10s --latency \
  -s "$here/sru-mix.lua" "$base")
cpu1=$(cpu_ticks)
echo "$out"
if [ -n "$cpu0" ] && [ -n "$cpu1" ]; then
  reqs=$(sed -n 's/^RESULT requests=\([0-9]*\).*/\1/p' <<<"$out")
  awk -v a="$cpu0" -v b="$cpu1" -v hz="$(getconf CLK_TCK)" -v n="$reqs" -v d="$duration" \
    'BEGIN { s = (b - a) / hz;
             printf "SERVER pid_cpu_s=%.2f cores_busy=%.2f cpu_ms_per_request=%.2f\n",
                    s, s / d, n ? 1000 * s / n : 0 }'
fi
