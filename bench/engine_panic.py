"""Minimal reproduction of the pyoxigraph ORDER BY abort (issue 18, finding 5).

ORDER BY compares two literals by value when both are numbers (or both dates, ...), and by
their lexical form otherwise. That is not a total order: 9 < 10 by value, 10 < "5" and
"5" < 9 by lexical form ("10" < "5" < "9"), a cycle. Rust's sort (since 1.81) checks for
such cycles and panics, and the panic aborts the whole process (SIGABRT, not a Python
exception). The sort only checks on slices of more than 20 items (shorter ones are
insertion-sorted, which never checks), so the smallest reproduction is three literals,
one of them repeated to make 21 rows:

    VALUES ?o { 9 "5" 10 10 10 ... (10 nineteen times) } ORDER BY ?o

Each case runs in a child process, since the abort cannot be caught. Prints one line per case
and the engine version; exit 0 whatever the engine does (this is a probe, not a test).

    .venv/bin/python bench/engine_panic.py
"""
from __future__ import annotations

import subprocess
import sys

SNIPPET = r'''
import sys, pyoxigraph as ox
values = sys.argv[1]
store = ox.Store()   # fresh and empty: the rows come from VALUES, in the order written
rows = list(store.query("SELECT ?o WHERE { VALUES ?o { " + values + " } } ORDER BY ?o"))
print(" ".join(str(r[0]) for r in rows[:4]), "...")
'''

DATA_SNIPPET = r'''
import pyoxigraph as ox
# the same three literals as data in a fresh Store, one subject each; the store's own order
# decides the sort's input order (with these subjects it is one that trips the check)
values = ["10"] * 21
values[0], values[2] = "9", '"5"'
store = ox.Store()
store.load("".join(f"<http://e/s{i}> <http://e/p> {v} .\n" for i, v in enumerate(values)).encode(),
           format=ox.RdfFormat.TURTLE)
rows = list(store.query("SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o"))
print(len(rows), "rows sorted")
'''

CASES = [
    # (label, VALUES content)
    ("pairs: 9 vs 10", "9 10"),
    ("pairs: 10 vs \"5\"", '10 "5"'),
    ("pairs: \"5\" vs 9", '"5" 9'),
    ("20 rows: 9 \"5\" 10x18", '9 "5" ' + " ".join(["10"] * 18)),
    ("21 rows: 9 \"5\" 10x19", '9 "5" ' + " ".join(["10"] * 19)),
    ("21 rows, one type: 9 5 10x19", "9 5 " + " ".join(["10"] * 19)),
]


def run(args: list[str]) -> str:
    proc = subprocess.run([sys.executable, "-c", *args], capture_output=True, text=True, timeout=60)
    if proc.returncode == 0:
        return "ok: " + proc.stdout.strip()
    panic = next((line for line in proc.stderr.splitlines() if "total order" in line or "panicked" in line), "")
    how = f"killed by signal {-proc.returncode}" if proc.returncode < 0 else f"exit {proc.returncode}"
    return f"ABORTS ({how}): {panic.strip()}"


def main() -> None:
    version = subprocess.run([sys.executable, "-c", "import pyoxigraph; print(pyoxigraph.__version__)"],
                             capture_output=True, text=True).stdout.strip()
    print(f"pyoxigraph {version} ({sys.executable})")
    for label, values in CASES:
        print(f"{label:<32} {run([SNIPPET, values])}")
    print(f"{'as data in a fresh Store (21)':<32} {run([DATA_SNIPPET])}")


if __name__ == "__main__":
    main()
