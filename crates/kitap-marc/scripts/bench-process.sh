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

cargo build --release -q -p kitap-marc --example read_all
READ_ALL=$TARGET/release/examples/read_all
"$READ_ALL" view "$FILE"
"$READ_ALL" parse "$FILE"

i=1
while [ "$i" -le "$ROUNDS" ]; do
    echo "== round $i"
    hyperfine -N -w 2 -r "$RUNS" \
        "yaz-marcdump -n $FILE" \
        "$READ_ALL view $FILE" \
        "$READ_ALL parse $FILE"
    i=$((i + 1))
done
