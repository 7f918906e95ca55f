#!/bin/sh
# Parse throughput of other MARC readers on the file used by
# `cargo bench -p kitap-marc --bench parse` (BENCHMARKS.md, issue #3).
#
# Needs (outside the repository):
#   apt-get install -y yaz libmarc-record-perl hyperfine
#   python3 -m venv /tmp/bench-venv && /tmp/bench-venv/bin/pip install pymarc
#
# Usage: scripts/bench-peers.sh [FILE] [RUNS]
# Environment: PYTHON (default /tmp/bench-venv/bin/python).
set -eu

FILE=${1:-$(dirname "$0")/../../shared/data/marc/marc21/lc_booksall2016_part01_first50k.mrc}
RUNS=${2:-5}
PYTHON=${PYTHON:-/tmp/bench-venv/bin/python}

# pymarc: iterate all records, touch the fields so each record is parsed.
PYMARC='
import sys
from pymarc import MARCReader
n = f = 0
with open(sys.argv[1], "rb") as fh:
    for rec in MARCReader(fh):
        if rec is None:
            continue
        n += 1
        f += len(rec.get_fields())
        rec["245"]
print(n, "records", f, "fields")
'

# MARC::Record: MARC::Batch over all records, touching fields and the title.
PERL='
my $b = MARC::Batch->new("USMARC", $ARGV[0]);
$b->strict_off; $b->warnings_off;
my ($n, $f) = (0, 0);
while (my $r = $b->next) { $n++; $f += scalar($r->fields); $r->title; }
print "$n records $f fields\n";
'

echo "== yaz-marcdump -n (read and parse, no output)"
hyperfine -N -w 2 -r "$RUNS" "yaz-marcdump -n $FILE"
echo "== yaz-marcdump to /dev/null (read, parse, print as line format)"
hyperfine -w 1 -r "$RUNS" "yaz-marcdump $FILE > /dev/null"
echo "== pymarc"
"$PYTHON" -c "$PYMARC" "$FILE"
hyperfine -N -r 3 "$PYTHON -c '$PYMARC' $FILE"
echo "== MARC::Record (MARC::Batch)"
perl -MMARC::Batch -e "$PERL" "$FILE"
hyperfine -N -r 3 "perl -MMARC::Batch -e '$PERL' $FILE"

echo "== max RSS (one run each)"
/usr/bin/time -f "%e s wall, %M KB max RSS: yaz-marcdump -n" yaz-marcdump -n "$FILE"
/usr/bin/time -f "%e s wall, %M KB max RSS: pymarc" "$PYTHON" -c "$PYMARC" "$FILE" >/dev/null
/usr/bin/time -f "%e s wall, %M KB max RSS: MARC::Record" perl -MMARC::Batch -e "$PERL" "$FILE" >/dev/null
