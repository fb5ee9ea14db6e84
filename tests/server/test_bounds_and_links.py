"""Answers bounded in bytes, links that never echo a client's Host, nosniff everywhere (issue 18)."""
from __future__ import annotations

import requests

EVIL = "evil.example"


def test_a_made_up_host_is_never_echoed_into_links(live):
    for path, accept in [("/queries", "application/json"), ("/openapi.json", "application/json"),
                         ("/sparql", "text/turtle"), ("/void", "text/turtle"), ("/.well-known/void", "text/html")]:
        r = requests.get(live.url + path, headers={"Host": EVIL, "Accept": accept})
        assert r.status_code == 200, (path, r.status_code)
        assert EVIL not in r.text, path
        assert "127.0.0.1" in r.text, path  # links name the address the server is bound to


def test_a_local_host_name_is_kept_in_links(live):
    port = live.url.rsplit(":", 1)[1]
    r = requests.get(live.url + "/queries", headers={"Host": f"localhost:{port}", "Accept": "application/json"})
    assert f"http://localhost:{port}/openapi.json" == r.json()["openapi"]


def test_the_configured_public_url_wins(start_server, dist_dir):
    proxied = start_server(dist_dir, public_url="https://graph.example.org/mg")
    r = requests.get(proxied.url + "/queries", headers={"Accept": "application/json", "Host": EVIL})
    assert r.json()["openapi"] == "https://graph.example.org/mg/openapi.json"
    sd = requests.get(proxied.sparql, headers={"Accept": "text/turtle"}).text
    assert "https://graph.example.org/mg/sparql" in sd


def test_every_answer_says_nosniff(live):
    for url, params, accept in [(live.sparql, {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"}, "text/csv"),
                                (live.sparql, {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"}, "application/sparql-results+json"),
                                (live.sparql, {"query": "SELEKT nonsense"}, "*/*"),
                                (live.url + "/no/such/page", {}, "text/html"),
                                (live.url + "/healthz", {}, "*/*")]:
        r = requests.get(url, params=params, headers={"Accept": accept})
        assert r.headers.get("X-Content-Type-Options") == "nosniff", (url, r.status_code)


def test_an_answer_past_its_byte_limit_is_refused_with_413_not_served(start_server, dist_dir):
    small = start_server(dist_dir, max_answer_bytes=4096)
    # One row made of long strings: within any row cap, far past 4 KB.
    big = ('SELECT ?x WHERE { VALUES ?n { 1 2 3 4 5 6 7 8 } '
           'BIND(CONCAT(STR(?n), "' + "x" * 1000 + '") AS ?x) }')
    r = requests.get(small.sparql, params={"query": big}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 413, r.text[:200]
    assert "too large" in r.text.lower() and "LIMIT" in r.text
    ok = requests.get(small.sparql, params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3"},
                      headers={"Accept": "application/sparql-results+json"})
    assert ok.status_code == 200
    assert small.app.extensions["mineralgraph"].service.pool.health() is None  # the worker is fine
