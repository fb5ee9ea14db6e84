"""Repeated GETs are answered from memory without a worker; excess load gets a fast 503."""
from __future__ import annotations

import threading
import time

import requests

SRJ = "application/sparql-results+json"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(7)) + " }"


def test_a_repeated_get_is_answered_from_memory(live):
    answers = live.app.extensions["mineralgraph"].answers
    query = 'SELECT ?s WHERE { ?s ?p "关键矿产"@zh } # answer-cache test'
    first = requests.get(live.sparql, params={"query": query}, headers={"Accept": SRJ})
    hits = answers.stats()["hits"]
    again = requests.get(live.sparql, params={"query": query}, headers={"Accept": SRJ})
    assert first.status_code == again.status_code == 200
    assert again.content == first.content and again.headers["ETag"] == first.headers["ETag"]
    assert "query;dur=" in first.headers["Server-Timing"] and "cache;desc=hit" in again.headers["Server-Timing"]
    assert answers.stats()["hits"] == hits + 1
    # Another Accept is another answer, not the cached JSON.
    csv = requests.get(live.sparql, params={"query": query}, headers={"Accept": "text/csv"})
    assert csv.status_code == 200 and csv.text.startswith("s\r\n") and "cache;desc=hit" not in csv.headers["Server-Timing"]
    # A conditional request still gets its 304 (caching.py), not the cached 200.
    r = requests.get(live.sparql, params={"query": query}, headers={"Accept": SRJ, "If-None-Match": first.headers["ETag"]})
    assert r.status_code == 304


def test_errors_and_health_are_never_served_from_memory(live):
    answers = live.app.extensions["mineralgraph"].answers
    hits = answers.stats()["hits"]
    for _ in range(2):
        assert requests.get(live.sparql, params={"query": "SELECT nonsense"}).status_code == 400
        assert requests.get(live.url + "/healthz").status_code == 200
        assert requests.get(live.url + "/readyz").status_code == 200
    assert answers.stats()["hits"] == hits


def test_excess_load_gets_a_fast_503_with_retry_after(start_server, dist_dir):
    # One worker, one waiting place: a runaway query holds the worker for the 2 s limit.
    server = start_server(dist_dir, workers=1, timeout=2, queue=1, cache_bytes=0)
    results = []

    def send(query):
        started = time.monotonic()
        r = requests.get(server.sparql, params={"query": query}, timeout=30)
        results.append((r.status_code, r.headers.get("Retry-After"), time.monotonic() - started, r.text))

    runaway = threading.Thread(target=send, args=(RUNAWAY,))
    runaway.start()
    time.sleep(0.3)  # the runaway has the worker
    others = [threading.Thread(target=send, args=(f"ASK {{ ?s ?p {i} }}",)) for i in range(6)]
    for t in others:
        t.start()
    for t in others + [runaway]:
        t.join(30)
    shed = [r for r in results if r[0] == 503 and "busy" in r[3]]
    # Five of the six found the queue full: refused at once, told when to come back.
    assert len(shed) == 5, results
    assert all(retry == "1" and seconds < 1.0 for _, retry, seconds, _ in shed), shed
    # The one that waited was answered once the runaway was stopped at its time limit.
    assert sorted(r[0] for r in results).count(200) == 1, results
    assert [r for r in results if "timeout" in r[3].lower()], results
