"""`mineralgraph publish` against real stores (oxigraph serve, Apache Jena Fuseki) started here,
and its error paths (refusal, timeout, unreachable, a store that loses triples) against small
stand-in servers."""
from __future__ import annotations

import json
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

import pytest
from click.testing import CliRunner

import stores
from mineralgraph.cli import cli
from mineralgraph.publish.upload import PublishError, Target, graphs_of, publish

G = "https://w3id.org/mineralgraph/graph/"


def _store_counts(store) -> dict[str, int]:
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    req = urllib.request.Request(store.query + "?query=" + quote(query),
                                 headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        rows = json.load(r)["results"]["bindings"]
    return {row["g"]["value"]: int(row["n"]["value"]) for row in rows}


def _ask(store, query: str) -> bool:
    req = urllib.request.Request(store.query + "?query=" + quote(query),
                                 headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)["boolean"]


def _put(store, graph: str, ntriples: bytes) -> None:
    req = urllib.request.Request(store.gsp + "?graph=" + quote(graph, safe=""), data=ntriples, method="PUT",
                                 headers={"Content-Type": "application/n-triples"})
    urllib.request.urlopen(req, timeout=30).close()


def _publish_and_check(store, dist_dir):
    manifest = json.loads((dist_dir / "manifest.json").read_text())
    # A graph that is not ours must survive publishing (PUT replaces only our graphs).
    _put(store, "http://example.org/theirs", b"<http://example.org/a> <http://example.org/b> \"c\" .\n")
    runner = CliRunner()
    args = ["publish", "--to", store.gsp, "--query-endpoint", store.query, "--dist", str(dist_dir)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert f"published {len(manifest['graphs'])} graphs" in result.output
    counts = _store_counts(store)
    assert {g: counts[g] for g in manifest["graphs"]} == manifest["graphs"]
    assert counts["http://example.org/theirs"] == 1
    # What the sources say arrives intact: 001 names the MSP's participants, Japan among them
    # ("参与这项矿物安全合作伙伴关系的包括澳大利亚、加拿大、…、日本、…").
    assert _ask(store, f"""ASK {{ GRAPH <{G}source/001> {{
        ?m <http://www.w3.org/ns/org#member> <https://w3id.org/mineralgraph/id/country/JPN> ;
           <http://www.w3.org/ns/org#organization> <https://w3id.org/mineralgraph/id/mechanism/msp> }} }}""")
    # Idempotent: a second publish (verified by reading graphs back, no query endpoint) changes nothing.
    again = runner.invoke(cli, ["publish", "--to", store.gsp, "--dist", str(dist_dir)])
    assert again.exit_code == 0, again.output
    assert _store_counts(store) == counts


def test_publish_to_oxigraph(dist_dir):
    with stores.oxigraph() as store:
        _publish_and_check(store, dist_dir)


@pytest.mark.skipif(stores.fuseki_jar() is None, reason=stores.FUSEKI_MISSING)
def test_publish_to_fuseki(dist_dir):
    with stores.fuseki() as store:
        _publish_and_check(store, dist_dir)


# -- error paths ----------------------------------------------------------------------------
class _Stub(BaseHTTPRequestHandler):
    """A Graph Store endpoint that misbehaves as told by the server's `mode`."""

    def log_message(self, *args):
        pass

    def _reply(self, status: int, body: bytes = b"", ctype: str = "text/plain"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_PUT(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        mode = self.server.mode
        if mode == "refuse":
            return self._reply(403, b"writes not allowed for this user")
        if mode == "slow":
            time.sleep(3)
        if mode == "third-fails" and len(self.server.received) == 2:
            return self._reply(500, b"disk full")
        self.server.received.append(body)
        self._reply(204)

    def do_GET(self):
        # Reads back each graph with its last line missing: a store that lost data.
        body = self.server.received.pop(0) if self.server.received else b""
        self._reply(200, b"".join(body.splitlines(keepends=True)[:-1]), "application/n-triples")


@pytest.fixture
def stub():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Stub)
    server.mode, server.received = "", []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _target(stub, **kw) -> Target:
    return Target(f"http://127.0.0.1:{stub.server_port}/store", **kw)


def test_refusal_is_named(stub, dist_dir):
    stub.mode = "refuse"
    with pytest.raises(PublishError, match=r"HTTP 403.*refuses writes.*writes not allowed for this user"):
        publish(dist_dir, _target(stub))


def test_timeout_is_named(stub, dist_dir):
    stub.mode = "slow"
    with pytest.raises(PublishError, match=r"no answer within 0.5 s"):
        publish(dist_dir, _target(stub, timeout=0.5))


def test_partial_load_says_what_was_loaded(stub, dist_dir):
    stub.mode = "third-fails"
    with pytest.raises(PublishError) as err:
        publish(dist_dir, _target(stub))
    text = str(err.value)
    graphs = len(json.loads((dist_dir / "manifest.json").read_text())["graphs"])
    assert "HTTP 500" in text and "disk full" in text
    assert f"partial load: 2 of {graphs} graphs" in text and f"{G}derived" in text and "publishing again" in text


def test_lost_triples_are_caught(stub, dist_dir):
    with pytest.raises(PublishError, match=r"(?s)does not hold what was sent.*source/004: sent \d+ triples, the store holds \d+"):
        publish(dist_dir, _target(stub))


def test_unreachable_store(dist_dir):
    port = stores.free_port()  # nothing listens there
    with pytest.raises(PublishError, match="cannot reach the store"):
        publish(dist_dir, Target(f"http://127.0.0.1:{port}/store", timeout=5))


def test_bad_options_exit_2(dist_dir, tmp_path):
    runner = CliRunner()
    for args, message in ((["--to", "ftp://x/store"], "must be an http"),
                          (["--to", "http://x/store", "--auth", "nopass"], "user:password"),
                          (["--to", "http://x/store", "--auth", "a:b", "--token", "t"], "not both"),
                          (["--to", "http://x/store", "--dist", str(tmp_path)], "run `mineralgraph build` first")):
        result = runner.invoke(cli, ["publish", *args])
        assert result.exit_code == 2 and message in result.output, (args, result.output)


def test_graphs_of_matches_the_manifest(dist_dir):
    bodies, expected = graphs_of(dist_dir)
    manifest = json.loads((dist_dir / "manifest.json").read_text())
    assert expected == manifest["graphs"]
    assert {g: b.count(b"\n") for g, b in bodies.items()} == manifest["graphs"]
