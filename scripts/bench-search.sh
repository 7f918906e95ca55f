#!/usr/bin/env bash
# OPAC search benchmark (issue #4): generated catalog -> SQLite import ->
# full reindex -> `kitap serve` under 8 HTTP clients -> the same records and
# query mix on PostgreSQL full-text search. See BENCHMARKS.md, "Search".
#
#   scripts/bench-search.sh [RECORDS] [ARGS...]
#
# RECORDS defaults to 1000000 (about 15 minutes on 2 cores); 20000 is a quick
# smoke run. ARGS go to the bench as they are: seconds=30 clients=8 pg=off
# http=off queries=500 keep=DIR reuse=on reindex=on (see
# crates/kitap-bench/benches/search.rs). PostgreSQL: KITAP_BENCH_PG_URL
# (default postgres://postgres@127.0.0.1:5432/postgres); psql on the PATH.
# The log goes to target/bench-search-RECORDS.log as well.
set -euo pipefail
cd "$(dirname "$0")/.."

records="${1:-1000000}"
shift || true

cargo build --release -p kitap-cli
log="target/bench-search-${records}.log"
{
  echo "== $(date -u +%FT%TZ) $(uname -r), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "== tree: $(git rev-parse --short HEAD)$(git diff --shortstat | sed 's/^/ +/')"
  cargo bench -p kitap-bench --bench search -- "$records" bin=target/release/kitap "$@"
  echo "== done $(date -u +%FT%TZ), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
} 2>&1 | tee "$log"
