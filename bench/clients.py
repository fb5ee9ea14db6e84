"""Shared by the HTTP benchmarks: run client processes to completion, summarise latencies."""
from __future__ import annotations

import multiprocessing as mp
import statistics
import time


def run_clients(procs: list[mp.Process], results: mp.Queue) -> tuple[list, float]:
    """Start the client processes, collect one result from each; (results, wall seconds)."""
    started = time.perf_counter()
    for p in procs:
        p.start()
    parts = [results.get() for _ in procs]
    elapsed = time.perf_counter() - started
    for p in procs:
        p.join()
    return parts, elapsed


def p50_p99_ms(latencies: list[float]) -> tuple[float, float]:
    if not latencies:
        return float("nan"), float("nan")
    ordered = sorted(latencies)
    return statistics.median(ordered) * 1000, ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
