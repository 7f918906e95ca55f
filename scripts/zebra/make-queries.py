#!/usr/bin/env python3
"""Derive a fixed CQL query mix from a MARC 21 file (for sru-load.sh).

Usage: make-queries.py MARCFILE OUT.txt [OUT-meta.tsv]

Reads every record with pymarc (5.4.0), counts in how many records each
candidate term occurs (document frequency, df), then picks terms at a spread
of frequencies with a fixed seed, so the same file always gives the same 200
queries in the same order:

  50  dc.title=WORD              word of 245 $a
  30  dc.title all "W1 W2"       two adjacent words of one 245 $a
  40  dc.creator=SURNAME         surname (before the comma) of 100 $a
  20  bath.isbn=ISBN             first ISBN-10/13 of 020 $a
  30  dc.subject=WORD            word of 650 $a
  30  cql.anywhere=WORD          word of any data field

Terms are ASCII letters only (at least 4, surnames 3), not stop words, so that
any word-tokenising, case-folding engine finds the same records; df counts
only the field the term was taken from, so an engine indexing more fields
(e.g. title also from 246/740) finds at least df records.

OUT.txt gets one CQL query per line (not URL-encoded). OUT-meta.tsv, if
given, gets category, df and query per line, in the same order.
"""

import random
import re
import sys
import unicodedata
from collections import Counter

from pymarc import MARCReader

SEED = 20161
WORD = re.compile(r"[^\W_]+")
ASCII_WORD = re.compile(r"^[a-z]+$")
ISBN = re.compile(r"^(\d{9}[\dX]|\d{13})$")
STOP = set(
    """a an and are as at be by de del der des di die du el en et for from
    in into is la las le les los of on or sur the their this to und une
    un with von zu zur aus che con den het van voor per il ed ou au aux
    dans par pour que qui""".split()
)


def fold(text):
    """Lower-case, strip diacritics, split into alphanumeric words."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return WORD.findall(text)


def keep(word, minlen=4):
    return len(word) >= minlen and ASCII_WORD.match(word) and word not in STOP


def subfields(record, tag, code):
    for field in record.get_fields(tag):
        for value in field.get_subfields(code):
            yield value


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    src, out = sys.argv[1], sys.argv[2]
    meta = sys.argv[3] if len(sys.argv) == 4 else None

    title_df, pair_df, surname_df = Counter(), Counter(), Counter()
    subject_df, any_df = Counter(), Counter()
    isbns = []
    ids = Counter()
    n = bad = 0
    with open(src, "rb") as fh:
        for rec in MARCReader(fh, to_unicode=True, force_utf8=True):
            if rec is None:
                bad += 1
                continue
            n += 1
            f001 = rec.get_fields("001")
            if f001:
                ids[f001[0].data.strip()] += 1

            words = [w for v in subfields(rec, "245", "a") for w in fold(v)]
            title_df.update({w for w in words if keep(w)})
            pair_df.update(
                {(a, b) for a, b in zip(words, words[1:]) if keep(a) and keep(b) and a != b}
            )

            for v in subfields(rec, "100", "a"):
                surname = fold(v.split(",")[0])
                if len(surname) == 1 and keep(surname[0], 3):
                    surname_df[surname[0]] += 1
                break

            for v in subfields(rec, "020", "a"):
                tok = v.split()[0].replace("-", "") if v.split() else ""
                if ISBN.match(tok):
                    isbns.append(tok)
                    break

            subject_df.update(
                {w for v in subfields(rec, "650", "a") for w in fold(v) if keep(w)}
            )

            seen = set()
            for field in rec.get_fields():
                if field.is_control_field():
                    continue
                for sf in field.subfields:
                    seen.update(w for w in fold(sf.value) if keep(w))
            any_df.update(seen)

    rng = random.Random(SEED)
    picked = []  # (category, df, cql)

    def pick(category, df, bands, fmt):
        for lo, hi, count in bands:
            cands = sorted(t for t, c in df.items() if lo <= c <= hi)
            if len(cands) < count:
                sys.exit(f"{category}: only {len(cands)} terms with df {lo}-{hi}")
            for term in rng.sample(cands, count):
                picked.append((category, df[term], fmt(term)))

    pick("title", title_df,
         [(10, 99, 15), (100, 499, 20), (500, 20000, 15)],
         lambda w: f"dc.title={w}")
    pick("title-all", pair_df,
         [(3, 9, 10), (10, 49, 15), (50, 100000, 5)],
         lambda p: f'dc.title all "{p[0]} {p[1]}"')
    pick("creator", surname_df,
         [(3, 19, 15), (20, 99, 20), (100, 100000, 5)],
         lambda w: f"dc.creator={w}")
    pick("subject", subject_df,
         [(10, 99, 10), (100, 999, 12), (1000, 50000, 8)],
         lambda w: f"dc.subject={w}")
    pick("anywhere", any_df,
         [(10, 99, 10), (100, 999, 12), (1000, 50000, 8)],
         lambda w: f"cql.anywhere={w}")
    isbn_count = Counter(isbns)
    for isbn in rng.sample(sorted(isbn_count), 20):
        picked.append(("isbn", isbn_count[isbn], f"bath.isbn={isbn}"))

    rng.shuffle(picked)
    with open(out, "w") as fh:
        for _, _, q in picked:
            fh.write(q + "\n")
    if meta:
        with open(meta, "w") as fh:
            for cat, df, q in picked:
                fh.write(f"{cat}\t{df}\t{q}\n")

    dup = sum(1 for c in ids.values() if c > 1)
    print(f"{n} records read, {bad} unreadable, {len(ids)} distinct 001 "
          f"({dup} values repeated); {len(picked)} queries -> {out}",
          file=sys.stderr)
    print("mix: " + ", ".join(f"{k} {v}" for k, v in
                               sorted(Counter(c for c, _, _ in picked).items())),
          file=sys.stderr)


if __name__ == "__main__":
    main()
