#!/bin/sh
# Whole-process comparison with yaz-marcdump: the `read_all` example reads
# the same file as `yaz-marcdump -n`, so process start, file reading and
# parsing are timed alike (BENCHMARKS.md, "MARC parsing").
#
# Needs hyperfine and yaz (apt-get install -y hyperfine yaz).
# Usage: crates/kitap-marc/scripts/bench-process.sh [FILE] [RUNS] [ROUNDS]
# Each round runs every command RUNS times; rounds alternate the readers so
# that load from other processes on a shared machine falls on all of them.
set -eu

HERE=$(dirname "$0")
FILE=${1:-$HERE/../../../../shared/data/marc/marc21/lc_booksall2016_part01_first50k.mrc}
RUNS=${2:-10}
ROUNDS=${3:-3}
TARGET=${CARGO_TARGET_DIR:-$HERE/../../../target}

OUT=$(mktemp -d)

cargo build --release -q -p kitap-marc --example read_all
READ_ALL=$TARGET/release/examples/read_all
"$READ_ALL" view "$FILE"
"$READ_ALL" parse "$FILE"

i=1
while [ "$i" -le "$ROUNDS" ]; do
    echo "== round $i"
    hyperfine -N -w 2 -r "$RUNS" --export-json "$OUT/round$i.json" \
        "yaz-marcdump -n $FILE" \
        "$READ_ALL view $FILE" \
        "$READ_ALL parse $FILE"
    i=$((i + 1))
done

# Over all rounds: median wall time, and user CPU time (hyperfine exports
# only its mean per round).
python3 - "$OUT"/round*.json <<'PY'
import json, statistics, sys
runs = {}
for path in sys.argv[1:]:
    for r in json.load(open(path))["results"]:
        name = " ".join(r["command"].split()[:2]).rsplit("/", 1)[-1]
        wall, user = runs.setdefault(name, ([], []))
        wall.extend(r["times"])
        user.append(r["user"])
for name, (wall, user) in runs.items():
    print(f"{name:<24} median {statistics.median(wall) * 1000:6.0f} ms wall, "
          f"mean {statistics.mean(user) * 1000:6.0f} ms user ({len(wall)} runs)")
PY
rm -r "$OUT"
