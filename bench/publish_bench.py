"""Publish benchmark: time `mineralgraph publish` of the built graph (dist/) into real stores
started here: `oxigraph serve`, and Apache Jena Fuseki when its jar is installed (.ci/run fetches
it with Maven where the Maven repository is reachable). Prints a table: graphs, triples, upload
(one PUT per named graph), verification (one count query), repeated --runs times on a fresh store.

    .venv/bin/python bench/publish_bench.py            # dist/ must be built
    .venv/bin/python bench/publish_bench.py --runs 5
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the store launchers the publish tests use

import stores  # noqa: E402

from mineralgraph.publish.upload import Target, publish  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rows = []
    for name, launcher in (("oxigraph serve", stores.oxigraph), ("Fuseki 5.6.0 (--mem)", stores.fuseki)):
        try:
            totals, uploads, verifies, report = [], [], [], None
            for _ in range(args.runs):
                with launcher() as store:
                    t0 = time.perf_counter()
                    report = publish(args.dist, Target(store.gsp, store.query))
                    totals.append(time.perf_counter() - t0)
                uploads.append(report.upload_seconds)
                verifies.append(report.verify_seconds)
            rows.append((name, str(len(report.graphs)), str(report.triples), f"{statistics.median(totals):.2f}",
                         f"{statistics.median(uploads):.2f}", f"{min(uploads):.2f}–{max(uploads):.2f}",
                         f"{statistics.median(verifies):.3f}"))
        except RuntimeError as err:
            rows.append((name, "-", "-", "-", "skipped", str(err).split(":")[0], "-"))
    head = ("store", "graphs", "triples", "total s (read dist + PUT + verify)",
            f"PUTs s (median of {args.runs})", "PUTs range", "verify s")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    for r in [head, tuple("-" * w for w in widths), *rows]:
        print(" | ".join(c.ljust(w) for c, w in zip(r, widths)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
