#!/usr/bin/env bash
# Zebra half of the Kitap-vs-Koha search benchmark. Manual, never in CI.
#
#   bash scripts/bench-zebra.sh
#
# 1. installs Zebra, YAZ, wrk, xsltproc (Debian packages) if missing;
# 2. fetches BooksAll.2016.part01.utf8 (250,000 LC MARC 21 records) from the
#    pymarc 5.4.0 source package (pip download) into $CACHE, converts it to
#    MARCXML (yaz-marcdump) and derives the 200-query CQL mix from it
#    (scripts/zebra/make-queries.py -> $CACHE/queries.txt);
# 3. indexes it with Zebra configured as Koha runs it (DOM filter, XSLT index
#    definitions, ICU chains; scripts/zebra/), timing Koha's full-rebuild
#    commands (rebuild_zebra.pl -r -b):
#      zebraidx -c CFG -g marcxml -d biblios init
#      zebraidx -c CFG -v none,fatal,warn -n -g marcxml -d biblios update FILE
#    (-n writes the register directly, so no "commit" step is needed);
# 4. starts zebrasrv on 127.0.0.1:$ZEBRA_PORT (Z39.50 + SRU over HTTP),
#    checks an SRU searchRetrieve returns 10 MARCXML records and that the
#    database holds all records;
# 5. runs scripts/zebra/sru-load.sh against it (8 connections, $DURATION s)
#    and prints a summary; stops the server unless KEEP_SERVER=1.
#
# Environment:
#   CACHE            work/cache directory (default /tmp/kitap-bench)
#   DURATION         seconds of the measured load run (default 30)
#   ZEBRA_PORT       default 9998 (Koha's SRU biblios port)
#   ZEBRA_TOKENIZER  icu (default, as the issue asks) or chr (Koha's
#                    character-map tokenizer; much faster indexing)
#   ZEBRA_THREADED=1 run zebrasrv with -T (a thread per connection); the
#                    default is YAZ's default mode, a process forked per
#                    connection, as Koha's koha-zebra starts it
#                    (zebrasrv -v none,fatal,warn -k 1024 -f koha-conf.xml)
#   SKIP_INDEX=1     reuse the index of a previous complete run (load only)
#   KEEP_SERVER=1    leave zebrasrv running at the end (pid in $CACHE/zebra)
#   CONNECTIONS, THREADS, WARMUP, CHECK: passed to sru-load.sh
#
# Run time on the 2-core machine: with ICU, zebraidx needs about 23 minutes
# of CPU for the 250,000 records (1,375 s measured; 38 min wall while other
# jobs shared the cores), with chr about 6 minutes (335 s). Download,
# MARCXML conversion and the query mix (~2 min) are cached in $CACHE after
# the first run; the load part takes about 2 minutes (SKIP_INDEX=1 for that
# alone).
set -euo pipefail

if [ "${CI:-}" = true ]; then
  echo "bench-zebra.sh is a manual benchmark; not running under CI" >&2
  exit 0
fi

here=$(cd "$(dirname "$0")" && pwd)
conf=$here/zebra
cache=${CACHE:-/tmp/kitap-bench}
duration=${DURATION:-30}
port=${ZEBRA_PORT:-9998}
tokenizer=${ZEBRA_TOKENIZER:-icu}
data=$cache/zebra-$tokenizer
base=http://127.0.0.1:$port/biblios
mkdir -p "$cache"

case "$tokenizer" in
  icu|chr) ;;
  *) echo "ZEBRA_TOKENIZER must be icu or chr" >&2; exit 2 ;;
esac

log() { printf '\n== %s\n' "$*"; }

# --- 1. packages ------------------------------------------------------------
need=()
for c in zebraidx:idzebra-2.0 zebrasrv:idzebra-2.0 yaz-marcdump:yaz wrk:wrk \
         xsltproc:xsltproc curl:curl /usr/bin/time:time; do
  command -v "${c%%:*}" >/dev/null 2>&1 || need+=("${c#*:}")
done
python3 -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
zebra_version=$(dpkg-query -W -f '${Version}' idzebra-2.0 2>/dev/null || echo '?')
yaz_version=$(dpkg-query -W -f '${Version}' yaz 2>/dev/null || echo '?')

# --- 2. data ------------------------------------------------------------------
venv=$cache/venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import pymarc' 2>/dev/null; then
  log "python venv with pymarc 5.4.0"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q pymarc==5.4.0
fi

sdist=$cache/pymarc-5.4.0.tar.gz
marc=$cache/BooksAll.2016.part01.utf8
if [ ! -s "$marc" ]; then
  if [ ! -s "$sdist" ]; then
    log "pip download pymarc 5.4.0 source package"
    "$venv/bin/pip" download -q --no-deps --no-binary :all: pymarc==5.4.0 -d "$cache"
  fi
  tar xzf "$sdist" -O --wildcards '*/BooksAll.2016.part01.utf8' > "$marc.tmp"
  mv "$marc.tmp" "$marc"
fi
nrec=$(tr -cd '\035' < "$marc" | wc -c)
echo "MARC file: $marc, $(stat -c %s "$marc") bytes, $nrec records"

xml=$cache/BooksAll.2016.part01.marcxml
if [ ! -s "$xml" ] || [ "$xml" -ot "$marc" ]; then
  log "converting to MARCXML (yaz-marcdump -i marc -o marcxml)"
  /usr/bin/time -f "conversion: %e s" yaz-marcdump -i marc -o marcxml "$marc" > "$xml.tmp"
  mv "$xml.tmp" "$xml"
fi
nxml=$(grep -c '^<record>' "$xml")
echo "MARCXML: $xml, $(stat -c %s "$xml") bytes, $nxml records"
[ "$nxml" -eq "$nrec" ] || { echo "MARCXML has $nxml records, MARC $nrec" >&2; exit 1; }

queries=$cache/queries.txt
meta=$cache/queries-meta.tsv
if [ ! -s "$queries" ] || [ "$queries" -ot "$conf/make-queries.py" ] || [ "$queries" -ot "$marc" ]; then
  log "deriving the CQL query mix (make-queries.py)"
  "$venv/bin/python" "$conf/make-queries.py" "$marc" "$queries" "$meta"
fi
echo "queries: $queries ($(grep -c . "$queries") lines, sha256 $(sha256sum "$queries" | cut -c1-16))"

# --- 3. Zebra configuration and index -----------------------------------------
stop_server() {
  local pidfile=$data/zebrasrv.pid pid
  [ -s "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q "zebrasrv.*$data/yazgfs.xml"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do [ -e "/proc/$pid" ] || break; sleep 0.1; done
  fi
  rm -f "$pidfile"
}
stop_server

mkdir -p "$data"
sed -e "s#@CONF_DIR@#$conf#g" -e "s#@DATA_DIR@#$data#g" -e "s#@IDX@#$tokenizer.idx#g" \
  "$conf/zebra-biblios-dom.cfg.in" > "$data/zebra-biblios-dom.cfg"
sed -e "s#@CONF_DIR@#$conf#g" -e "s#@DATA_DIR@#$data#g" -e "s#@PORT@#$port#g" \
  "$conf/yazgfs.xml.in" > "$data/yazgfs.xml"
cfg=$data/zebra-biblios-dom.cfg

index_s=reused; index_cpu=reused; index_rss=reused
if [ "${SKIP_INDEX:-0}" = 1 ] && [ -e "$data/index.done" ]; then
  log "reusing the index in $data (SKIP_INDEX=1)"
  cat "$data/index.done"
  # shellcheck disable=SC1091
  [ -e "$data/index.env" ] && . "$data/index.env"
else
  log "indexing $nxml records with Zebra $zebra_version (tokenizer $tokenizer); this takes a while"
  rm -rf "$data/register" "$data/shadow" "$data/key" "$data/tmp" "$data/lock" "$data/index.done"
  mkdir -p "$data/register" "$data/shadow" "$data/key" "$data/tmp" "$data/lock"
  echo "zebraidx -c $cfg -g marcxml -d biblios init"
  echo "zebraidx -c $cfg -v none,fatal,warn -n -g marcxml -d biblios update $xml"
  uptime | sed 's/^/load before: /'
  t0=$(date +%s.%N)
  (cd "$data" && zebraidx -c "$cfg" -v none,fatal,warn -g marcxml -d biblios init)
  (cd "$data" && /usr/bin/time -o "$data/zebraidx.time" -f '%e %U %S %M' \
     zebraidx -c "$cfg" -v none,fatal,warn -n -g marcxml -d biblios update "$xml") \
     2>&1 | tail -20
  t1=$(date +%s.%N)
  uptime | sed 's/^/load after:  /'
  index_s=$(echo "$t0 $t1" | awk '{printf "%.1f", $2 - $1}')
  read -r _ u s rss < "$data/zebraidx.time"
  index_cpu=$(echo "$u $s" | awk '{printf "%.1f", $1 + $2}')
  index_rss=$((rss / 1024))
  printf 'index wall %s s, zebraidx CPU %s s, max RSS %s MiB, tokenizer %s, %s\n' \
    "$index_s" "$index_cpu" "$index_rss" "$tokenizer" "$(date -u +%FT%TZ)" > "$data/index.done"
  printf 'index_s=%s\nindex_cpu=%s\nindex_rss=%s\n' "$index_s" "$index_cpu" "$index_rss" > "$data/index.env"
  cat "$data/index.done"
fi
index_bytes=$(du -sb "$data/register" "$data/shadow" | awk '{s += $1} END {print s}')
index_size=$(du -sh "$data/register" | cut -f1)

# --- 4. zebrasrv ----------------------------------------------------------------
threaded=()
[ "${ZEBRA_THREADED:-0}" = 1 ] && threaded=(-T)
log "starting zebrasrv ${threaded[*]} on 127.0.0.1:$port (SRU base $base)"
(cd "$data" && exec zebrasrv "${threaded[@]}" -v none,fatal,warn -k 1024 -l "$data/zebrasrv.log" \
   -f "$data/yazgfs.xml") &
echo $! > "$data/zebrasrv.pid"
if [ "${KEEP_SERVER:-0}" != 1 ]; then
  trap stop_server EXIT
fi
probe="$base?version=1.2&operation=searchRetrieve&query=dc.title%3Dhistory&maximumRecords=10&recordSchema=marcxml"
for _ in $(seq 100); do
  curl -sf -o /dev/null "$probe" && break
  sleep 0.2
done

echo "curl '$probe'"
resp=$(curl -sf "$probe")
hits=$(grep -o '<zs:numberOfRecords>[0-9]*' <<<"$resp" | grep -o '[0-9]*$' || true)
recs=$(grep -c '<record xmlns="http://www.loc.gov/MARC21/slim"' <<<"$resp" || true)
echo "dc.title=history: numberOfRecords $hits, $recs MARCXML records in the response"
[ "$recs" -eq 10 ] || { echo "expected 10 records" >&2; exit 1; }
all=$(curl -sf "$base?version=1.2&operation=searchRetrieve&query=cql.allRecords%3D1&maximumRecords=0" \
  | grep -o '<zs:numberOfRecords>[0-9]*' | grep -o '[0-9]*$')
echo "cql.allRecords=1: $all records in the database"
[ "$all" -eq "$nrec" ] || { echo "database has $all records, file $nrec" >&2; exit 1; }

# --- 5. load ------------------------------------------------------------------------
log "SRU load test"
uptime | sed 's/^/load before: /'
CACHE=$cache QUERIES=$queries QUERIES_META=$meta SERVER_PID=$(cat "$data/zebrasrv.pid") \
  bash "$conf/sru-load.sh" "$base" "$duration" | tee "$data/load.txt"
uptime | sed 's/^/load after:  /'
result=$(grep '^RESULT' "$data/load.txt")
server_cpu=$(grep '^SERVER' "$data/load.txt" | sed 's/^SERVER //' || true)
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$result"; }

log "summary"
cat <<EOF
machine:         $(nproc) cores, $(free -h | awk '/^Mem:/ {print $2}') RAM, $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
software:        idzebra-2.0 $zebra_version, yaz $yaz_version, wrk $(dpkg-query -W -f '${Version}' wrk 2>/dev/null)
records:         $nrec ($(basename "$marc"), MARCXML $(du -h "$xml" | cut -f1))
tokenizer:       $tokenizer
index wall time: $index_s s (zebraidx init + update -n; CPU $index_cpu s, max RSS $index_rss MiB)
index on disk:   $index_bytes bytes ($index_size register)
zebrasrv:        ${threaded[*]:-fork per connection (YAZ default, as Koha)}
SRU load:        $(field requests) requests in $(field duration_s) s, ${CONNECTIONS:-8} connections
requests/s:      $(field rps)
latency p50:     $(field p50_ms) ms
latency p90:     $(field p90_ms) ms
latency p99:     $(field p99_ms) ms
errors:          $(field errors)
server CPU:      ${server_cpu:-?}
load average:    $(cut -d' ' -f1-3 /proc/loadavg) (other processes on the machine skew wall-clock numbers)
EOF
