"""Endpoint benchmark: our server vs `oxigraph serve` on the same data and query.

Runs one stored-style SELECT over HTTP GET (keep-alive, JSON results) from 1 and from 8
concurrent client processes against each server on loopback, and prints requests/s, p50 and
p99 latency, with ours/oxigraph ratios. Bounded: a fixed request count per client and a
wall-clock cap per run.

Two workloads, both reported: "repeat" sends the same query text every time (ours answers it
from memory after the first time: the data is read-only); "distinct" makes every query text new
with a trailing comment, so nothing can be reused and every request is evaluated, by both servers.

    .venv/bin/python bench/endpoint_bench.py                      # dist/ (fixture if absent)
    .venv/bin/python bench/endpoint_bench.py --requests 300 --workers 4
"""
from __future__ import annotations

import argparse
import http.client
import multiprocessing as mp
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from clients import p50_p99_ms, run_clients  # bench/clients.py (scripts run from bench/)

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "server" / "data" / "mini.trig"
QUERY = """PREFIX mg: <https://w3id.org/mineralgraph/ont#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?m ?label (COUNT(?s) AS ?links) WHERE {
  ?m a mg:Mechanism ; skos:prefLabel|rdfs:label ?label .
  FILTER(langMatches(lang(?label), "en"))
  OPTIONAL { ?s ?p ?m }
} GROUP BY ?m ?label ORDER BY DESC(?links) ?m LIMIT 25"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(port: int, path: str, proc: subprocess.Popen, limit: float = 120) -> None:
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status < 500:
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start in time")


def _client(port: int, target: str, count: int, deadline: float, out: mp.Queue, distinct: bool = False) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    latencies, errors = [], 0
    salt = f"{os.getpid()}-{time.time_ns()}"
    for i in range(count):
        if time.monotonic() > deadline:
            break
        started = time.perf_counter()
        url = f"{target}%0A%23{salt}-{i}" if distinct else target  # a new comment line: a new query text
        conn.request("GET", url, headers={"Accept": "application/sparql-results+json"})
        response = conn.getresponse()
        response_body = response.read()
        latencies.append(time.perf_counter() - started)
        if response.status != 200 or not response_body:
            errors += 1
    out.put((latencies, errors))


def run_load(port: int, path: str, clients: int, count: int, max_seconds: float, distinct: bool = False) -> dict:
    target = path + "?" + urllib.parse.urlencode({"query": QUERY})
    _client(port, target, 20, time.monotonic() + 30, mp.Queue(), distinct)  # warm-up
    out: mp.Queue = mp.Queue()
    deadline = time.monotonic() + max_seconds
    procs = [mp.Process(target=_client, args=(port, target, count, deadline, out, distinct)) for _ in range(clients)]
    results, elapsed = run_clients(procs, out)
    latencies = [x for lat, _ in results for x in lat]
    p50, p99 = p50_p99_ms(latencies)
    return {"rps": len(latencies) / elapsed, "p50": p50, "p99": p99, "n": len(latencies),
            "errors": sum(e for _, e in results)}


def _post_file(port: int, data: Path) -> None:
    media = "application/n-quads" if data.suffix == ".nq" else "application/trig"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("POST", "/store", body=data.read_bytes(), headers={"Content-Type": media})
    response = conn.getresponse()
    response.read()
    if response.status >= 300:
        raise RuntimeError(f"loading oxigraph (memory) failed: {response.status}")


def _in_process_ms(data: Path, runs: int = 200) -> float:
    """The same query and JSON serialisation without HTTP or workers: the floor."""
    import pyoxigraph as ox
    store = ox.Store()
    store.load(path=str(data))
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        store.query(QUERY, use_default_graph_as_union=True).serialize(format=ox.QueryResultsFormat.JSON)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def _data_file(args) -> Path:
    if args.data:
        return Path(args.data)
    dump = ROOT / "dist" / "mineralgraph.nq"
    return dump if dump.is_file() else FIXTURE


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="N-Quads or TriG file (default dist/mineralgraph.nq, else the test fixture)")
    parser.add_argument("--requests", type=int, default=400, help="requests per client")
    parser.add_argument("--max-seconds", type=float, default=60, help="cap per run")
    parser.add_argument("--workers", type=int, default=2, help="our query worker processes")
    parser.add_argument("--memory", action="store_true", help="our store in memory (serve --memory), not on disk")
    args = parser.parse_args()
    data = _data_file(args)
    oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    tmp = Path(tempfile.mkdtemp(prefix="mg-bench-"))
    procs = []
    try:
        dist = tmp / "dist"
        dist.mkdir()
        shutil.copy(data, dist / ("mineralgraph.nq" if data.suffix == ".nq" else "mineralgraph.trig"))
        ours_port, ref_port = _free_port(), _free_port()
        log = open(tmp / "ours.log", "wb")
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "mineralgraph.server", "--dist", str(dist), "--port", str(ours_port),
             "--workers", str(args.workers), "--threads", "16", *(["--memory"] if args.memory else [])],
            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONWARNINGS": "ignore"}))
        subprocess.run([oxigraph, "load", "--location", str(tmp / "ox"), "--file", str(data)],
                       check=True, capture_output=True)
        procs.append(subprocess.Popen(
            [oxigraph, "serve-read-only", "--location", str(tmp / "ox"), "--bind", f"127.0.0.1:{ref_port}",
             "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        mem_port = _free_port()  # oxigraph in memory too, like ours: same storage class
        procs.append(subprocess.Popen([oxigraph, "serve", "--bind", f"127.0.0.1:{mem_port}", "--union-default-graph"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        _wait_ready(ours_port, "/healthz", procs[0])
        _wait_ready(ref_port, "/query?query=ASK%7B%7D", procs[1])
        _wait_ready(mem_port, "/query?query=ASK%7B%7D", procs[2])
        _post_file(mem_port, data)
        in_process = _in_process_ms(data)
        print(f"data: {data} | query: stored-style SELECT (GROUP BY/ORDER BY/LIMIT 25) | "
              f"{args.requests} requests per client | ours: {args.workers} query workers, waitress 16 threads | "
              f"cores: {os.cpu_count()}")
        print(f"{'workload':<8} {'clients':>7} {'server':<9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'n':>6} {'err':>4}")
        for workload in ("repeat", "distinct"):
            for clients in (1, 8):
                row = {}
                for name, port, path in (("ours", ours_port, "/sparql"), ("oxigraph", ref_port, "/query"),
                                         ("ox-mem", mem_port, "/query")):
                    stats = run_load(port, path, clients, args.requests, args.max_seconds, workload == "distinct")
                    row[name] = stats
                    print(f"{workload:<8} {clients:>7} {name:<9} {stats['rps']:>8.0f} {stats['p50']:>8.2f} "
                          f"{stats['p99']:>8.2f} {stats['n']:>6} {stats['errors']:>4}")
                for ref in ("oxigraph", "ox-mem"):
                    o, r = row["ours"], row[ref]
                    print(f"{workload:<8} {clients:>7} {'ratio':<9} {o['rps'] / r['rps']:>8.2f} {o['p50'] / r['p50']:>8.2f} "
                          f"{o['p99'] / r['p99']:>8.2f}   (ours / {ref})")
                if clients == 1 and workload == "distinct":
                    print(f"{'':>16} in-process pyoxigraph query+JSON: {in_process:.2f} ms median -> HTTP + worker "
                          f"overhead of ours at 1 client: {row['ours']['p50'] - in_process:.2f} ms")
    finally:
        for p in procs:
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
