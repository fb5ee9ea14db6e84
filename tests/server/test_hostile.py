"""Hostile input against a live `mineralgraph serve` (waitress, query workers, real signals).

Every answer must be a 2xx or a clear 4xx (never a 5xx, never a hang), and afterwards the
server has the same processes (no worker killed and replaced) and the same memory.
The corpus: deep nesting, length, broken encodings, control characters, huge literals, numeric
edge cases, regex bombs, SERVICE/LOAD and update variants, traversal paths, header oddities,
odd methods, broken HTTP."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
from urllib.parse import quote

import pytest
import requests

from test_serve_command import _free_port, _processes_of, _wait_ready

SPARQL_Q = "application/sparql-query"
FORM = "application/x-www-form-urlencoded"
REQUEST_TIMEOUT = 30  # the server's own limit is 5 s: anything slower than this is a hang
XSD = "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"


def _nested(n, left, right, inner=""):
    return left * n + inner + right * n


# (name, SPARQL text): sent by GET where it fits in a URL, and always by POST.
QUERIES = [
    ("groups-3000", "SELECT * WHERE " + _nested(3000, "{", "}")),
    ("parens-5000", "SELECT * WHERE { FILTER(" + _nested(5000, "(", ")", "1") + ") }"),
    ("brackets-5000", "SELECT * WHERE { ?s <http://x/p> " + _nested(5000, "[ <http://x/p> ", "]") + " }"),
    ("collections-5000", "SELECT * WHERE { ?s <http://x/p> " + _nested(5000, "( ", ")") + " }"),
    ("path-parens-5000", "ASK { ?s " + _nested(5000, "(", ")", "<http://x/p>") + " ?o }"),
    ("subqueries-300", "SELECT * WHERE " + _nested(300, "{ SELECT * WHERE ", "}", "{}")),
    ("functions-3000", "ASK { FILTER(" + _nested(3000, "STR(", ")", "1") + ") }"),
    ("not-run-50000", "ASK { FILTER(" + "!" * 50_000 + "true) }"),
    ("minus-run-50000", "ASK { FILTER(" + "- " * 50_000 + "1) }"),
    ("inverse-run-50000", "ASK { ?s " + "^" * 50_000 + "<http://x/p> ?o }"),
    ("or-chain-20000", "ASK { FILTER(" + " || ".join(["false"] * 20_000) + ") }"),
    ("too-long", "ASK {} #" + "x" * 300_000),
    ("huge-literal", 'ASK { FILTER(STRLEN("' + "界" * 200_000 + '") > 0) }'),
    ("huge-values", "SELECT * WHERE { VALUES ?x { " + " ".join(str(i) for i in range(30_000)) + " } } LIMIT 1"),
    ("many-variables", "SELECT * WHERE { " + " ".join(f"BIND({i} AS ?v{i})" for i in range(2000)) + " }"),
    ("nul-in-query", "ASK { ?s ?p \x00 }"),
    ("control-chars", "ASK { ?s ?p \"\x1b[31m\x07\x08\" }"),
    ("nul-in-iri", "ASK { <http://a\x00b/> ?p ?o }"),
    ("escape-in-iri", "ASK { <http://a/\\u0000> ?p ?o }"),
    ("lone-surrogate-escape", 'ASK { FILTER("\\uD800" = "x") }'),
    ("bidi-override", 'SELECT ("\u202e\u2066abc" AS ?x) {}'),
    ("big-integer", "SELECT (99999999999999999999999999999999999999 + 1 AS ?x) {}"),
    ("big-double", "SELECT (1e309 * 10 AS ?x) (-1e309 AS ?y) (0e0/0e0 AS ?z) {}"),
    ("divide-by-zero", "SELECT (1/0 AS ?x) (1.0/0 AS ?y) {}"),
    ("integer-cast-overflow", XSD + 'SELECT (xsd:integer("9" + "99999999999999999999999") AS ?x) {}'),
    ("huge-limit", "SELECT * WHERE { ?s ?p ?o } LIMIT 99999999999999999999999999 OFFSET 99999999999999999999"),
    ("negative-limit", "SELECT * WHERE { ?s ?p ?o } LIMIT -1"),
    ("decimal-precision", "SELECT (1.00000000000000000000000000000000000000001 * 1e300 AS ?x) {}"),
    ("date-overflow", XSD + 'SELECT ("99999999999-12-31"^^xsd:date AS ?x) ("2023-02-30"^^xsd:date AS ?y) {}'),
    ("regex-nested-quantifier", 'SELECT ?l WHERE { ?s ?p ?l FILTER(REGEX(STR(?l), "^(a+)+$")) }'),
    ("regex-star-star", 'SELECT ?l WHERE { ?s ?p ?l FILTER(REGEX(STR(?l), "((a*)*)*b")) }'),
    ("regex-huge-repeat", 'ASK { FILTER(REGEX("a", "a{100000}{100000}")) }'),
    ("regex-invalid", 'ASK { FILTER(REGEX("a", "(")) }'),
    ("regex-backreference", 'ASK { FILTER(REGEX("aa", "(a)\\\\1")) }'),
    ("replace-amplify", 'SELECT (REPLACE(REPLACE("aaaaaaaaaa", "a", "aaaaaaaaaa"), "a", "aaaaaaaaaa") AS ?x) {}'),
    ("service", "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"),
    ("service-silent", "SELECT * WHERE { SERVICE SILENT <http://169.254.169.254/latest/meta-data/> { ?s ?p ?o } }"),
    ("service-mixed-case", "SELECT * WHERE { sErViCe <file:///etc/passwd> { ?s ?p ?o } }"),
    ("service-variable", "SELECT * WHERE { BIND(<http://127.0.0.1:1/> AS ?e) SERVICE ?e { ?s ?p ?o } }"),
    ("load-as-query", "LOAD <file:///etc/passwd>"),
    ("from-file", "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"),
    ("from-remote", "SELECT * FROM <http://127.0.0.1:1/data.ttl> WHERE { ?s ?p ?o }"),
    ("update-as-query", "INSERT DATA { <http://x/s> <http://x/p> <http://x/o> }"),
    ("drop-as-query", "DROP ALL"),
    ("empty", ""),
    ("whitespace-only", " \t\r\n "),
    ("bom-then-query", "\ufeffASK {}"),
]

# Raw targets (already URL-encoded).
TARGETS = [
    "/id/../../etc/passwd", "/id/%2e%2e/%2e%2e/etc/passwd", "/id/..%2f..%2fetc%2fpasswd",
    "/dump/../pyproject.toml", "/dump/%2e%2e%2fmanifest.json", "/dump/..%5c..%5cmanifest.json",
    "/static/../app.py", "/static/%2e%2e/app.py", "//etc/passwd", "/graph/..%2f..%2f",
    "/id/country/JPN%00.ttl", "/id/country/JPN.ttl%00", "/id/%00", "/id/%ff%fe", "/id/%c0%af%c0%af",
    "/id/%ed%a0%80", "/id/" + "a/" * 3000, "/id/country/" + "%25" * 2000, "/ont/%00", "/ont/..%2f",
    "/views/%2e%2e", "/queries/..%2f..%2fetc%2fpasswd", "/queries/%00", "/search?q=%00",
    "/search?q=" + "%28" * 5000, "/search?q=%ff", "/search?q=" + "a" * 20_000,
    "/sparql?query=%ff", "/sparql?query=%", "/sparql?query=%c0%80", "/sparql?query=ASK%7B%7D&query=ASK%7B%7D",
    "/sparql?query=ASK%7B%7D&default-graph-uri=%00", "/sparql?query=ASK%7B%7D&named-graph-uri=<>",
    "/sparql?update=LOAD%20%3Cfile%3A%2F%2F%2Fetc%2Fpasswd%3E", "/sparql?query=ASK%7B%7D&format=%00",
    "/queries/mechanism-members?mechanism=" + "M" * 10_000, "/queries/mechanism-members?mechanism=%00",
    "/queries/mechanism-members?mechanism=%ff", "/queries/mechanism-members?mechanism=" + "%7B" * 400,
    "/queries/mechanism-members?mechanism=" + quote('"}) } ; DROP ALL #'),
    "/queries/mechanism-members?mechanism=msp&mechanism=msp&" + "&".join(f"x{i}=1" for i in range(500)),
    "/queries/statistics?year=99999999999999999999", "/queries/statistics?year=-0",
    "/queries/list-changes?since=2023-02-30", "/queries/list-changes?since=%2B99999-01-01",
    "/queries/list-members?date=" + "9" * 400, "/store?graph=%ff", "/store?graph=" + "x" * 20_000,
    "/store?default&graph=x", "/void?format=%00", "/void?format=" + "j" * 10_000,
    "/?" + "&".join(f"p{i}=v" for i in range(3000)), "/" + "x" * 30_000,
]

HEADERS = [
    {"Accept": "x" * 30_000},
    {"Accept": "*/*;q=NaN, application/json;q=-1, text/html;q=1e309"},
    {"Accept": ",,,;;;===///"},
    {"Accept": "application/sparql-results+json;" + ";".join(f"p{i}=v" for i in range(2000))},
    {"Accept": "text/\x7f\x01html"},
    {"Accept-Charset": "utf-7"},
    {"Host": "ü.example"},
    {"Host": "x" * 5000},
    {"Host": "127.0.0.1:99999999"},
    {"If-None-Match": '"' + "x" * 20_000 + '"'},
    {"If-None-Match": "W/, *, \"\", ,"},
    {"If-Modified-Since": "Mon, 99 Foo 99999 99:99:99 GMT"},
    {"If-Modified-Since": "0" * 1000},
    {"Range": "bytes=0-0,1-1,2-2," + ",".join(f"{i}-{i}" for i in range(2000))},
    {"Range": "bytes=-99999999999999999999999"},
    {"Expect": "100-continue"},
    {"X-Forwarded-For": "127.0.0.1, " * 1000, "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "gopher"},
    {"Cookie": "a=" + "b" * 10_000},
    {"Accept-Encoding": "gzip;q=2, br;q=-1, " + "x," * 2000},
    dict((f"X-Junk-{i}", "v") for i in range(150)),
]

POST_BODIES = [
    (SPARQL_Q + "; charset=utf-16", "ASK {}".encode("utf-16")),
    (SPARQL_Q + "; charset=latin-1", "ASK { ?s ?p 'é' }".encode("latin-1")),
    (SPARQL_Q, b"ASK { ?s ?p '\xff\xfe' }"),
    (SPARQL_Q, b"\xef\xbb\xbf\xef\xbb\xbfASK {}"),
    (SPARQL_Q, b"ASK { ?s ?p '\xed\xa0\x80' }"),  # an encoded surrogate: not UTF-8
    (SPARQL_Q, b"ASK { ?s ?p '\xc0\xaf' }"),  # overlong encoding
    (SPARQL_Q + "; charset=", b"ASK {}"),
    (SPARQL_Q + "; charset=\"utf-8\"; charset=utf-16", b"ASK {}"),
    (FORM, b"query=%ff%fe"),
    (FORM, b"query=" + b"%" * 1000),
    (FORM, b"query=ASK%7B%7D&update=DROP%20ALL"),
    (FORM, b"update=LOAD%20%3Cfile%3A%2F%2F%2Fetc%2Fpasswd%3E"),
    (FORM + "; charset=utf-16", "query=ASK{}".encode("utf-16")),
    ("application/sparql-update", b"LOAD <file:///etc/passwd>"),
    ("application/json", b'{"query": "ASK {}"}'),
    ("multipart/form-data; boundary=" + "x" * 5000, b"--xx\r\n\r\n"),
    ("multipart/form-data", b"--\r\n"),
    ("text/plain", b"\x00" * 1000),
    (SPARQL_Q, b"ASK {} #" + b"x" * (2 << 20)),  # beyond the body limit: 413
]

METHODS = [("PUT", "/sparql"), ("DELETE", "/sparql"), ("PATCH", "/store?default"), ("TRACE", "/sparql"),
           ("PROPFIND", "/"), ("OPTIONS", "*"), ("DELETE", "/store?graph=https://w3id.org/mineralgraph/graph/ontology"),
           ("PUT", "/store?default"), ("POST", "/store?default"), ("PUT", "/id/country/JPN"), ("CONNECT", "/")]

RAW = [
    b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nabcde",
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/sparql-query\r\n\r\nzz\r\nASK\r\n0\r\n\r\n",
    b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n" + b"X: " + b"y" * 70_000 + b"\r\n\r\n",
    b"GET /\x00 HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
    b"GET " + b"/" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"\r\n\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n",
    b"GET / HTTP/1.1\r\n\tfolded: header\r\nHost: x\r\n\r\n",
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: 100\r\n\r\nASK",
]


# The one 5xx HTTP itself prescribes: a transfer coding the server does not implement
# (RFC 9112 section 6.1: "SHOULD respond with 501 (Not Implemented)"). waitress answers it
# before the application sees the request.
UNKNOWN_CODING = b"POST /sparql HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n"


def _tree_rss_kib(port: int) -> int:
    total = 0
    for pid in _processes_of(port):
        try:
            with open(f"/proc/{pid}/status") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            pass
    return total


@pytest.fixture(scope="module")
def server(dist_dir, tmp_path_factory):
    port = _free_port()
    log = open(tmp_path_factory.mktemp("hostile") / "server.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "mineralgraph.server", "--dist", str(dist_dir), "--port", str(port),
                             "--workers", "2", "--timeout", "5"], stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_ready(port)
        yield {"url": f"http://127.0.0.1:{port}", "port": port, "proc": proc}
    finally:
        proc.terminate()
        proc.wait(20)
        log.close()


def _check(r: requests.Response, what) -> None:
    assert r.status_code < 500, (what, r.status_code, r.text[:300])
    if r.status_code >= 400:
        assert r.text.strip(), (what, r.status_code, "an error without a message")


def _raw(port: int, payload: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=REQUEST_TIMEOUT) as sock:
        try:
            sock.sendall(payload)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            return b""  # the server closed on us mid-send: also an answer
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except OSError:
            pass
        return data


def _run_corpus(server) -> int:
    url, sent = server["url"], 0
    for name, text in QUERIES:
        if len(quote(text)) < 30_000:
            _check(requests.get(url + "/sparql", params={"query": text}, timeout=REQUEST_TIMEOUT), name)
        _check(requests.post(url + "/sparql", data=text.encode("utf-8", "surrogatepass"),
                             headers={"Content-Type": SPARQL_Q}, timeout=REQUEST_TIMEOUT), name)
        _check(requests.post(url + "/sparql", data={"query": text}, timeout=REQUEST_TIMEOUT), name)
        sent += 3
    for target in TARGETS:
        _check(requests.get(url + target, timeout=REQUEST_TIMEOUT), target[:80])
        _check(requests.get(url + target, headers={"Accept": "text/html"}, timeout=REQUEST_TIMEOUT), target[:80])
        sent += 2
    for headers in HEADERS:
        for target in ("/sparql?query=ASK%7B%7D", "/id/country/JPN", "/", "/queries"):
            _check(requests.get(url + target, headers=headers, timeout=REQUEST_TIMEOUT), (target, str(headers)[:80]))
            sent += 1
    for content_type, body in POST_BODIES:
        _check(requests.post(url + "/sparql", data=body, headers={"Content-Type": content_type},
                             timeout=REQUEST_TIMEOUT), (content_type[:60], body[:40]))
        sent += 1
    for method, target in METHODS:
        payload = f"{method} {target} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode()
        answer = _raw(server["port"], payload)
        assert not answer.startswith(b"HTTP/1.1 5"), (method, target, answer[:200])
        sent += 1
    for payload in RAW:
        answer = _raw(server["port"], payload)
        assert not answer.startswith(b"HTTP/1.1 5") and not answer.startswith(b"HTTP/1.0 5"), (payload[:60], answer[:200])
        sent += 1
    assert _raw(server["port"], UNKNOWN_CODING).startswith(b"HTTP/1.1 501 Not Implemented")
    return sent


def test_hostile_corpus_gets_2xx_or_4xx_and_leaves_the_server_as_it_was(server):
    port = server["port"]
    processes = sorted(_processes_of(port))
    assert len(processes) == 4  # server, zygote, two workers
    # Two passes first: they fill the answer cache, and each worker reaches its high-water mark
    # (the stack pages a long query touched, the allocator's arenas); a third must not grow it.
    sent = _run_corpus(server)
    _run_corpus(server)
    rss_before = _tree_rss_kib(port)
    started = time.monotonic()
    _run_corpus(server)
    assert time.monotonic() - started < 300
    assert server["proc"].poll() is None
    # No worker was killed and replaced (the pids are the same), nothing was left running.
    assert sorted(_processes_of(port)) == processes
    grown = _tree_rss_kib(port) - rss_before
    assert grown < 20_000, f"the server grew by {grown} KiB over a third pass of {sent} hostile requests"
    assert requests.get(server["url"] + "/readyz", timeout=5).status_code == 200
    r = requests.get(server["url"] + "/sparql", params={"query": 'SELECT ?s WHERE { ?s ?p "关键矿产"@zh }'}, timeout=10)
    assert r.json()["results"]["bindings"][0]["s"]["value"].endswith("mineral/critical")


def test_deep_nesting_answers_name_the_limit(server):
    for name, text in QUERIES[:2]:
        r = requests.post(server["url"] + "/sparql", data=text.encode(), headers={"Content-Type": SPARQL_Q}, timeout=10)
        assert r.status_code == 400 and "limit of 200 levels" in r.text, (name, r.text)
