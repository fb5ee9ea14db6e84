"""Bytes and first-request time of the pages a reader opens first, as the corpus grows (issue 23).

Grows the corpus as bench/scale.py does (replicas of the seeds, with variations), builds it, and
in a fresh process serves it in-process (create_app, the real query workers; no network) and
asks for each page once, after a few unrelated requests have started the workers and compiled the
templates, and the entity index is read (as `mineralgraph serve` reads it at start). The answer
cache is bypassed by asking each page once only.

    python bench/pages.py                      # N = 5 and 200 (bench/scale.py reports the same pages)
    python bench/pages.py --sizes 5 200 1000
    python bench/pages.py --dist dist          # an existing dist/ (no build)
Nothing here asserts a time; the machine is shared. The goal (issue 23): under 1 MB and under
500 ms at 200 sources.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale  # noqa: E402  (grow(), the build child, the pages child)


def measure(dist: Path) -> dict:
    return scale.pages(dist)  # the same pages and the same fresh server as bench/scale.py


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=[5, 200])
    ap.add_argument("--dist", type=Path, nargs="*", help="measure these built dist/ directories instead")
    args = ap.parse_args()
    results = []
    if args.dist:
        results = [(str(d), measure(d)) for d in args.dist]
    else:
        for n in args.sizes:
            with tempfile.TemporaryDirectory(prefix=f"mg-pages-{n}-") as tmp:
                t0 = time.perf_counter()
                scale.grow(Path(tmp), n)
                scale._child(scale.CHILD_BUILD, tmp)
                print(f"N={n}: built in {time.perf_counter() - t0:.0f}s", file=sys.stderr, flush=True)
                results.append((f"{n} sources", measure(Path(tmp) / "dist")))
    print("| corpus | page | status | bytes | first request (ms) |")
    print("|---|---|---|---|---|")
    for name, pages in results:
        for url, r in pages.items():
            print(f"| {name} | {url} | {r['status']} | {r['bytes']:,} | {r['ms']:.0f} |")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
