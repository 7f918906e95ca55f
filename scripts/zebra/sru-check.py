#!/usr/bin/env python3
"""Send every query of the mix once to an SRU 1.2 server and check the answers.

Usage: sru-check.py BASE_URL QUERIES [META.tsv]

For each CQL query (one per line) it sends
  BASE_URL?version=1.2&operation=searchRetrieve&query=...&maximumRecords=10
          &recordSchema=marcxml
and parses the response (namespace-agnostic, SRU 1.2 or 2.0): numberOfRecords,
the MARCXML records inside recordData, and any SRU diagnostics. Prints a
summary per query category (from META.tsv, else from the CQL index) and exits
non-zero if any response is not HTTP 200 / not XML / carries a diagnostic, or
if no MARCXML record came back at all. Standard library only.
"""

import sys
import time
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections import defaultdict

MARC_NS = "{http://www.loc.gov/MARC21/slim}"
MAX_RECORDS = 10


def local(tag):
    return tag.rsplit("}", 1)[-1]


def check(base, cql):
    sep = "&" if "?" in base else "?"
    url = base + sep + urllib.parse.urlencode({
        "version": "1.2",
        "operation": "searchRetrieve",
        "query": cql,
        "maximumRecords": str(MAX_RECORDS),
        "recordSchema": "marcxml",
    }, quote_via=urllib.parse.quote)
    t0 = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as resp:
        status, body = resp.status, resp.read()
    ms = (time.perf_counter() - t0) * 1000
    root = ET.fromstring(body)
    hits = None
    diags = []
    marc = 0
    for el in root.iter():
        name = local(el.tag)
        if name == "numberOfRecords" and hits is None:
            hits = int((el.text or "0").strip())
        elif name == "diagnostic":
            msg = " ".join(
                f"{local(c.tag)}={(c.text or '').strip()}" for c in el)
            diags.append(msg)
        elif el.tag == MARC_NS + "record":
            marc += 1
    return status, hits, marc, diags, ms, len(body)


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    base, qfile = sys.argv[1], sys.argv[2]
    queries = [l.rstrip("\n") for l in open(qfile) if l.strip()]
    cats = {}
    if len(sys.argv) == 4:
        for line in open(sys.argv[3]):
            cat, _, q = line.rstrip("\n").split("\t", 2)
            cats[q] = cat

    stats = defaultdict(lambda: defaultdict(float))
    failures = []
    total_marc = 0
    for cql in queries:
        cat = cats.get(cql) or cql.split("=")[0].split(" ")[0]
        s = stats[cat]
        try:
            status, hits, marc, diags, ms, size = check(base, cql)
        except Exception as exc:  # HTTP error, bad XML, refused, ...
            failures.append(f"{cql}: {exc}")
            s["failed"] += 1
            continue
        if status != 200 or diags or hits is None:
            failures.append(f"{cql}: HTTP {status}, numberOfRecords {hits}, "
                            f"diagnostics {diags}")
            s["failed"] += 1
            continue
        expected = min(hits, MAX_RECORDS)
        if marc != expected:
            failures.append(f"{cql}: numberOfRecords {hits} but {marc} "
                            f"MARCXML records returned")
            s["failed"] += 1
        s["queries"] += 1
        s["zero"] += hits == 0
        s["hits"] += hits
        s["records"] += marc
        s["ms"] += ms
        s["bytes"] += size
        total_marc += marc

    print(f"{'category':<10} {'queries':>7} {'0 hits':>6} {'mean hits':>10} "
          f"{'recs/resp':>9} {'KB/resp':>8} {'ms (1 conn)':>11} {'failed':>6}")
    for cat in sorted(stats):
        s = stats[cat]
        n = s["queries"] or 1
        print(f"{cat:<10} {int(s['queries']):>7} {int(s['zero']):>6} "
              f"{s['hits'] / n:>10.1f} {s['records'] / n:>9.2f} "
              f"{s['bytes'] / n / 1024:>8.1f} {s['ms'] / n:>11.1f} "
              f"{int(s['failed']):>6}")
    allq = sum(s["queries"] for s in stats.values())
    print(f"total: {len(queries)} queries sent, {int(allq)} answered, "
          f"{total_marc} MARCXML records returned, {len(failures)} failures")
    for f in failures[:20]:
        print("FAIL", f)
    if failures or total_marc == 0:
        sys.exit(1)


if __name__ == "__main__":
    main()
