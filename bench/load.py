"""Load benchmark: `mineralgraph serve` under 1 to 256 concurrent keep-alive connections.

Starts the server on a free loopback port (dist/ as built), then for each target (a stored
query, a /sparql SELECT, an entity page as HTML) and each connection count runs a closed loop
for a fixed time and request budget, and prints requests/s, p50/p99 latency, errors (any answer
but 200 and 503), 503s (shed load, each with Retry-After) and client timeouts, plus the server's
memory (server, zygote and workers) before and after. Bounded in count and time; loopback only.
The load generator shares the machine with the server: on 2 cores it takes about half of it.

    .venv/bin/python bench/load.py                       # all targets, 1 8 32 128 256 connections
    .venv/bin/python bench/load.py --seconds 3 --connections 8 128 --serve-arg=--cache-mb=0
    .venv/bin/python bench/load.py --distinct --targets "/sparql SELECT"   # no query text repeats
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import multiprocessing as mp
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from clients import p50_p99_ms, run_clients  # bench/clients.py (scripts run from bench/)

ROOT = Path(__file__).resolve().parents[1]
SELECT = ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
          "SELECT ?c ?label WHERE { ?c a <https://w3id.org/mineralgraph/ont#Country> ; skos:prefLabel ?label "
          "FILTER(lang(?label) = 'en') } ORDER BY ?label LIMIT 50")
TARGETS = {
    "stored query": ("/queries/mechanism-members?mechanism=MSP", "application/sparql-results+json"),
    "/sparql SELECT": ("/sparql?query=" + quote(SELECT), "application/sparql-results+json"),
    "entity page": ("/id/country/JPN", "text/html"),
}
CLIENT_TIMEOUT = 10.0
LOADERS = 2  # client processes (asyncio each), so the client is not one core's worth of Python


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tree_rss_mib(root_pid: int) -> float:
    """RSS of the server and every process below it (zygote, workers)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/status") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            pass
    return total / 1024


async def _one_connection(port, path, accept, stop_at, budget, out, distinct):
    reader = writer = None
    while time.monotonic() < stop_at and budget[0] > 0:
        budget[0] -= 1
        # distinct: a trailing SPARQL comment makes every query text new (no answer is reused)
        target = f"{path}%20%23{next(distinct)}" if distinct else path
        started = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), CLIENT_TIMEOUT)
            writer.write(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: {accept}\r\n\r\n".encode())
            status, close = await asyncio.wait_for(_read_response(reader), CLIENT_TIMEOUT)
        except asyncio.TimeoutError:
            out["timeouts"] += 1
            writer = _drop(writer)
            continue
        except (OSError, asyncio.IncompleteReadError, ValueError):
            out["errors"] += 1
            writer = _drop(writer)
            await asyncio.sleep(0.01)
            continue
        out["latencies"].append(time.perf_counter() - started)
        if status == 200:
            out["ok"] += 1
        elif status == 503:
            out["shed"] += 1
        else:
            out["errors"] += 1
        if close:
            writer = _drop(writer)
    _drop(writer)


def _drop(writer):
    if writer is not None:
        writer.close()
    return None


async def _read_response(reader) -> tuple[int, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    else:
        await reader.read()  # until close
        return status, True
    return status, headers.get("connection", "").lower() == "close"


def _loader(port, path, accept, connections, seconds, budget, distinct, queue):
    out = {"latencies": [], "ok": 0, "shed": 0, "errors": 0, "timeouts": 0}
    counter = (f"{os.getpid()}-{time.time_ns()}-{i}" for i in itertools.count()) if distinct else None

    async def main():
        stop_at = time.monotonic() + seconds
        shared = [budget]
        await asyncio.gather(*(_one_connection(port, path, accept, stop_at, shared, out, counter)
                               for _ in range(connections)))

    asyncio.run(main())
    queue.put(out)


def run(port, path, accept, connections, seconds, budget, distinct=False) -> dict:
    queue: mp.Queue = mp.Queue()
    split = [connections // LOADERS + (1 if i < connections % LOADERS else 0) for i in range(LOADERS)]
    procs = [mp.Process(target=_loader, args=(port, path, accept, n, seconds, budget // LOADERS, distinct, queue))
             for n in split if n]
    parts, elapsed = run_clients(procs, queue)
    p50, p99 = p50_p99_ms([x for part in parts for x in part["latencies"]])
    total = {k: sum(part[k] for part in parts) for k in ("ok", "shed", "errors", "timeouts")}
    return {**total, "rps": total["ok"] / elapsed, "p50": p50, "p99": p99}


def _wait_ready(port: int, proc: subprocess.Popen, limit: float = 300) -> None:
    import http.client

    end = time.monotonic() + limit
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited early ({proc.returncode})")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/readyz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not become ready in time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="built directory to serve (default dist/)")
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 8, 32, 128, 256])
    parser.add_argument("--targets", nargs="+", choices=list(TARGETS), default=list(TARGETS))
    parser.add_argument("--seconds", type=float, default=5.0, help="per run")
    parser.add_argument("--budget", type=int, default=200_000, help="requests per run at most")
    parser.add_argument("--distinct", action="store_true",
                        help="/sparql: every request a different query text (nothing repeats, no cache hits)")
    parser.add_argument("--serve-arg", action="append", default=[], help="extra `serve` option, e.g. --serve-arg=--cache-mb=0")
    args = parser.parse_args()
    if not (args.dist / "manifest.json").is_file():
        raise SystemExit(f"{args.dist} is not a built dist/ (run `mineralgraph build`)")
    port = _free_port()
    log = tempfile.NamedTemporaryFile(prefix="mg-load-", suffix=".log", delete=False)
    cmd = [sys.executable, "-m", "mineralgraph.server", "--dist", str(args.dist), "--no-build",
           "--port", str(port), *args.serve_arg]
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    try:
        _wait_ready(port, proc)
        before = _tree_rss_mib(proc.pid)
        print(f"server: {' '.join(cmd[1:])}")
        print(f"cores: {os.cpu_count()} (shared with the {LOADERS} load processes) | {args.seconds:g} s per run | "
              f"client timeout {CLIENT_TIMEOUT:g} s | {'distinct' if args.distinct else 'repeated'} requests")
        print(f"{'target':<15} {'conns':>5} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'ok':>7} {'503':>6} {'err':>4} {'t/o':>4}")
        for name in args.targets:
            path, accept = TARGETS[name]
            distinct = args.distinct and name == "/sparql SELECT"
            run(port, path, accept, 4, 1.0, 2000, distinct)  # warm-up (fills the answer cache for repeats)
            for conns in args.connections:
                r = run(port, path, accept, conns, args.seconds, args.budget, distinct)
                print(f"{name:<15} {conns:>5} {r['rps']:>8.0f} {r['p50']:>8.1f} {r['p99']:>8.1f} {r['ok']:>7} "
                      f"{r['shed']:>6} {r['errors']:>4} {r['timeouts']:>4}", flush=True)
        after = _tree_rss_mib(proc.pid)
        print(f"server memory (server + zygote + workers): {before:.0f} MiB before, {after:.0f} MiB after")
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        os.unlink(log.name)


if __name__ == "__main__":
    main()
