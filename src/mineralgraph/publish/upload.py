"""`mineralgraph publish`: load the built graph (dist/) into an existing SPARQL store over the
SPARQL 1.1 Graph Store HTTP Protocol, then check the store holds what was sent.

One PUT per named graph (indirect identification, `?graph=IRI`): a PUT replaces the graph, so
publishing again gives the same store, and graphs of the store that are not ours are left alone.
Afterwards every graph's triple count is read back, by a SPARQL query when a query endpoint is
given (one request), else by reading each graph back over the Graph Store Protocol.

Works with any store that implements the protocol; tested against `oxigraph serve` and Apache
Jena Fuseki. Uses only the standard library's HTTP client.
"""
from __future__ import annotations

import base64
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ..core.errors import InputError
from .dist import MANIFEST, NQUADS, read_manifest

COUNT_QUERY = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


class PublishError(Exception):
    """The store refused, timed out, or holds something other than what was sent."""


@dataclass
class GraphResult:
    iri: str
    triples: int
    seconds: float
    found: int | None = None


@dataclass
class PublishReport:
    target: str
    graphs: list[GraphResult] = field(default_factory=list)
    upload_seconds: float = 0.0
    verify_seconds: float = 0.0

    @property
    def triples(self) -> int:
        return sum(g.triples for g in self.graphs)


@dataclass(frozen=True)
class Target:
    gsp_url: str
    query_url: str | None = None
    auth_header: str | None = None
    timeout: float = 60.0

    @classmethod
    def from_options(cls, gsp_url: str, query_url: str | None, auth: str | None, token: str | None,
                     timeout: float) -> "Target":
        for name, url in (("--to", gsp_url), ("--query-endpoint", query_url)):
            if url is not None and urllib.parse.urlsplit(url).scheme not in ("http", "https"):
                raise InputError(f"{name} must be an http:// or https:// URL, not {url!r}")
        if auth and token:
            raise InputError("give --auth or --token, not both")
        header = None
        if auth:
            if ":" not in auth:
                raise InputError("--auth must be user:password")
            header = "Basic " + base64.b64encode(auth.encode()).decode()
        elif token:
            header = f"Bearer {token}"
        if timeout <= 0:
            raise InputError("--timeout must be a positive number of seconds")
        return cls(gsp_url, query_url, header, timeout)


def graphs_of(dist: Path) -> tuple[dict[str, bytes], dict[str, int]]:
    """({graph IRI: N-Triples bytes}, {graph IRI: triple count from the manifest}) of a build."""
    manifest = read_manifest(dist)
    dump = dist / NQUADS
    if manifest is None or not dump.is_file():
        raise InputError(f"no built graph here (need {MANIFEST} and {NQUADS}): run `mineralgraph build` first", dist)
    expected = manifest.get("graphs")
    if not isinstance(expected, dict) or not expected:
        raise InputError("the manifest lists no graphs", dist / MANIFEST)
    quads: dict[str, list] = defaultdict(list)
    for quad in ox.parse(path=str(dump), format=ox.RdfFormat.N_QUADS):
        if isinstance(quad.graph_name, ox.NamedNode):
            quads[quad.graph_name.value].append(quad.triple)
    bodies = {g: ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) for g, triples in sorted(quads.items())}
    missing = sorted(set(expected) - set(bodies))
    if missing:
        raise InputError(f"{NQUADS} lacks graphs the manifest lists: {', '.join(missing)}", dump)
    return bodies, {g: int(expected[g]) for g in bodies if g in expected}



def _request(target: Target, method: str, url: str, body: bytes | None = None,
             headers: dict | None = None) -> bytes:
    headers = dict(headers or {})
    if target.auth_header:
        headers["Authorization"] = target.auth_header
    req = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=target.timeout) as response:
            return response.read()
    except urllib.error.HTTPError as err:
        detail = err.read(500).decode("utf-8", "replace").strip()
        hint = {401: " (check --auth / --token)", 403: " (the store refuses writes from us)",
                404: " (is this the store's Graph Store endpoint?)", 405: " (this URL does not accept "
                f"{method}: is it the Graph Store endpoint, and is the store writable?)",
                413: " (the store's request size limit is too small for this graph)"}.get(err.code, "")
        raise PublishError(f"{method} {url}: HTTP {err.code} {err.reason}{hint}"
                           + (f": {detail}" if detail else "")) from None
    except (socket.timeout, TimeoutError):
        raise PublishError(f"{method} {url}: no answer within {target.timeout:g} s (raise --timeout?)") from None
    except urllib.error.URLError as err:
        reason = err.reason if isinstance(err.reason, str) else type(err.reason).__name__ + f": {err.reason}"
        raise PublishError(f"{method} {url}: cannot reach the store ({reason})") from None
    except (ConnectionError, OSError) as err:
        raise PublishError(f"{method} {url}: connection failed ({err})") from None


def _graph_url(target: Target, graph: str) -> str:
    sep = "&" if "?" in target.gsp_url else "?"
    return f"{target.gsp_url}{sep}graph={urllib.parse.quote(graph, safe='')}"


def _counts_by_query(target: Target, graphs) -> dict[str, int]:
    body = urllib.parse.urlencode({"query": COUNT_QUERY}).encode()
    raw = _request(target, "POST", target.query_url, body, {
        "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"})
    try:
        rows = json.loads(raw)["results"]["bindings"]
        counts = {r["g"]["value"]: int(r["n"]["value"]) for r in rows}
    except (ValueError, KeyError, TypeError):
        raise PublishError(f"{target.query_url} did not answer the count query with SPARQL JSON results: "
                           f"{raw[:200]!r}") from None
    return {g: counts.get(g, 0) for g in graphs}


def _counts_by_gsp(target: Target, graphs) -> dict[str, int]:
    counts = {}
    for g in graphs:
        raw = _request(target, "GET", _graph_url(target, g), headers={"Accept": "application/n-triples"})
        try:
            counts[g] = sum(1 for _ in ox.parse(raw, format=ox.RdfFormat.N_TRIPLES))
        except SyntaxError as err:
            raise PublishError(f"GET {_graph_url(target, g)} did not return N-Triples: {err}") from None
    return counts


def publish(dist: Path, target: Target, progress=lambda message: None) -> PublishReport:
    """PUT every named graph of `dist`, then verify the counts. Raises PublishError naming
    what was loaded and what was not when the store refuses, times out or disagrees."""
    bodies, expected = graphs_of(Path(dist))
    report = PublishReport(target.gsp_url)
    started = time.perf_counter()
    for i, (graph, body) in enumerate(bodies.items(), 1):
        t0 = time.perf_counter()
        try:
            _request(target, "PUT", _graph_url(target, graph), body, {"Content-Type": "application/n-triples"})
        except PublishError as err:
            done = [g.iri for g in report.graphs]
            raise PublishError(f"{err}\npartial load: {len(done)} of {len(bodies)} graphs were replaced before "
                               f"this one ({', '.join(done) or 'none'}); publishing again replaces them all") from None
        report.graphs.append(GraphResult(graph, expected.get(graph, body.count(b"\n")), time.perf_counter() - t0))
        progress(f"[{i}/{len(bodies)}] PUT {graph}: {report.graphs[-1].triples} triples")
    report.upload_seconds = time.perf_counter() - started

    t0 = time.perf_counter()
    counts = (_counts_by_query if target.query_url else _counts_by_gsp)(target, bodies)
    report.verify_seconds = time.perf_counter() - t0
    wrong = []
    for result in report.graphs:
        result.found = counts.get(result.iri, 0)
        if result.found != result.triples:
            wrong.append(f"{result.iri}: sent {result.triples} triples, the store holds {result.found}")
    if wrong:
        raise PublishError("the store does not hold what was sent (a partial load, or a store that changes "
                           "the data):\n  " + "\n  ".join(wrong))
    return report
