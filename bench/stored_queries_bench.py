"""Per-query latency of the stored queries (each example of each query), in-process on the
built graph, with the server's evaluation and serialisation (SPARQL JSON).

    .venv/bin/python bench/stored_queries_bench.py [--dist dist] [--repeat 20]
    .venv/bin/python bench/stored_queries_bench.py --store /tmp/store   # on disk, as `serve --store`
    .venv/bin/python bench/stored_queries_bench.py --url http://127.0.0.1:8080   # over HTTP

Prints the entity-index build time once, then per example: median and max milliseconds and rows.
With --url, each example is asked once of a running `mineralgraph serve` (start it fresh: every
request is then a first one, not in the answer cache) and the wall time of the GET is printed,
with the status and rows; then how many were under 250 ms.
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
    ap.add_argument("--store", type=Path, help="the store on disk at this path, as `serve --store` keeps it")
    ap.add_argument("--url", help="a running server: each example once over HTTP, its first request")
    args = ap.parse_args()
    if args.url:
        return over_http(args.url.rstrip("/"))
    runner = LocalRunner(load_dist(args.dist, args.store))
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


def over_http(url: str) -> None:
    import urllib.error
    import urllib.request
    from urllib.parse import urlencode

    print(f"{'query':24s} {'example':46s} {'first ms':>9s} {'status':>6s} {'rows':>6s}")
    under = total = 0
    for q in load_all(ROOT / "queries").values():
        for ex in q.examples:
            label = " ".join(f"{k}={','.join(v)}" for k, v in ex.items())[:46]
            request = urllib.request.Request(f"{url}/queries/{q.name}?{urlencode(ex, doseq=True)}",
                                             headers={"Accept": "application/sparql-results+json"})
            t = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=120) as answer:
                    body, status = answer.read(), answer.status
            except urllib.error.HTTPError as err:
                body, status = b"", err.code
            ms = (time.perf_counter() - t) * 1000
            rows = len(json.loads(body)["results"]["bindings"]) if status == 200 else 0
            total += 1
            under += ms < 250
            print(f"{q.name:24s} {label:46s} {ms:9.1f} {status:6d} {rows:6d}", flush=True)
    print(f"\n{under} of {total} examples answered in under 250 ms (first request each)")


if __name__ == "__main__":
    main()
