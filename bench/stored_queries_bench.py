"""Per-query latency of the stored queries (each example of each query), in-process on the
built graph, with the server's evaluation and serialisation (SPARQL JSON).

    .venv/bin/python bench/stored_queries_bench.py [--dist dist] [--repeat 20]

Prints the entity-index build time once, then per example: median and max milliseconds and rows.
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from mineralgraph.storedqueries import BindError, load_all
from mineralgraph.storedqueries.run import LocalRunner, evaluate_text
from mineralgraph.store.load import load_dist

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dist", type=Path, default=ROOT / "dist")
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    runner = LocalRunner(load_dist(args.dist))
    started = time.perf_counter()
    n = len(runner.resolver.entries)
    print(f"entity index: {n} entities in {(time.perf_counter() - started) * 1000:.1f} ms (once per process)")
    print(f"{'query':24s} {'example':46s} {'median ms':>9s} {'max ms':>8s} {'rows':>6s}")
    for q in load_all(ROOT / "queries").values():
        for ex in q.examples:
            label = " ".join(f"{k}={','.join(v)}" for k, v in ex.items())[:46]
            try:
                text = runner.text(q, ex)
            except BindError as err:
                print(f"{q.name:24s} {label:46s} {'skipped':>9s}  ({str(err)[:50]})")
                continue
            times = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                answer = evaluate_text(runner.store, text)
                times.append((time.perf_counter() - t) * 1000)
            rows = len(json.loads(answer["body"])["results"]["bindings"])
            print(f"{q.name:24s} {label:46s} {statistics.median(times):9.2f} {max(times):8.2f} {rows:6d}")


if __name__ == "__main__":
    main()
