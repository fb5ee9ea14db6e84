"""What a query worker does with one request: evaluate against pyoxigraph, cap the size,
serialise. Runs inside the worker process; the answer is plain data (picklable)."""
from __future__ import annotations

import itertools
import json
import time

import pyoxigraph as ox

from . import jsonld

RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
}
PREFIXES = {
    "mg": "https://w3id.org/mineralgraph/ont#",
    "id": "https://w3id.org/mineralgraph/id/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "void": "http://rdfs.org/ns/void#",
    "formats": "http://www.w3.org/ns/formats/",
}


def prefixes_for(iri_base: str) -> dict[str, str]:
    """The prefixes RDF answers are written with, for a graph served under `iri_base`."""
    from mineralgraph.core.namespaces import PREFIXES as BUILD_PREFIXES, rebase_iri

    prefixes = {p: rebase_iri(str(ns), iri_base) for p, ns in BUILD_PREFIXES.items()}
    return {**PREFIXES, **prefixes, "graph": iri_base + "graph/"}


_PLAIN = {"http://www.w3.org/2001/XMLSchema#string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"}


def _term_json(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value not in _PLAIN:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": {  # RDF-star quoted triple
        "subject": _term_json(term.subject), "predicate": _term_json(term.predicate),
        "object": _term_json(term.object)}}


def _solutions(results: ox.QuerySolutions, key: str, cap: int) -> tuple[bytes, bool]:
    # pyoxigraph serialises a whole iterator; to cap it we take cap+1 rows ourselves, write
    # SPARQL JSON, and let pyoxigraph re-serialise that for the other formats.
    names = [v.value for v in results.variables]
    rows = list(itertools.islice(results, cap + 1))
    truncated = len(rows) > cap
    bindings = []
    for row in rows[:cap]:
        binding = {}
        for i, name in enumerate(names):
            term = row[i]
            if term is not None:
                binding[name] = _term_json(term)
        bindings.append(binding)
    body = json.dumps({"head": {"vars": names}, "results": {"bindings": bindings}},
                      ensure_ascii=False, separators=(",", ":")).encode()
    if key != "json":
        parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        body = parsed.serialize(format=RESULT_FORMATS[key])
    return body, truncated


def _graph(triples, key: str, req: dict) -> tuple[bytes, bool]:
    cap, prefixes = req["cap"], req.get("prefixes") or PREFIXES
    kept = list(itertools.islice(triples, cap + 1))
    body = ox.serialize(kept[:cap], format=RDF_FORMATS[key], prefixes=prefixes)
    if key == "jsonld":
        body = jsonld.compact(body, prefixes)
    return body, len(kept) > cap


def _dataset_kwargs(req: dict) -> dict:
    if req.get("default_graph") is None and req.get("named_graphs") is None:
        # No protocol dataset: the store's default graph, which holds the union of the named
        # graphs (store.py), unless the query names its own dataset (FROM).
        return {}
    return {
        "default_graph": [ox.NamedNode(g) for g in req.get("default_graph") or []],
        "named_graphs": [ox.NamedNode(g) for g in req.get("named_graphs") or []],
    }


def run_query(store: ox.Store, req: dict) -> dict:
    """req: query, formats {kind: key or None}, cap, dataset fields. Returns a result dict."""
    started = time.perf_counter()
    try:
        results = store.query(req["query"], base_iri=req.get("base_iri"), **_dataset_kwargs(req))
    except SyntaxError as err:
        return {"error": "syntax", "message": str(err)}
    except (OSError, ValueError) as err:
        return {"error": "evaluation", "message": str(err)}
    kind = ("solutions" if isinstance(results, ox.QuerySolutions)
            else "boolean" if isinstance(results, ox.QueryBoolean) else "graph")
    key = req["formats"].get(kind)
    if key is None:
        return {"error": "not_acceptable", "kind": kind}
    try:
        if kind == "solutions":
            body, truncated = _solutions(results, key, req["cap"])
        elif kind == "boolean":
            body, truncated = results.serialize(format=RESULT_FORMATS[key]), False
        else:
            body, truncated = _graph(results, key, req)
    except (OSError, ValueError, SyntaxError) as err:  # errors surface lazily while iterating
        return {"error": "evaluation", "message": str(err)}
    return {"kind": kind, "key": key, "body": body, "truncated": truncated,
            "seconds": time.perf_counter() - started}


def run_graph(store: ox.Store, req: dict) -> dict:
    """Graph Store read: one named graph, or the default graph (the union, as the endpoint sees it)."""
    started = time.perf_counter()
    graph = req.get("graph")
    if graph is not None and not store.contains_named_graph(ox.NamedNode(graph)):
        return {"error": "not_found"}
    if graph is None:
        triples = (q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    else:
        triples = (q.triple for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
    body, truncated = _graph(triples, req["key"], req)
    return {"kind": "graph", "key": req["key"], "body": body, "truncated": truncated,
            "seconds": time.perf_counter() - started}


def handle(store: ox.Store, req: dict) -> dict:
    op = req.get("op")
    if op == "query":
        return run_query(store, req)
    if op == "graph":
        return run_graph(store, req)
    if op == "ping":
        return {"ok": True}
    return {"error": "evaluation", "message": f"unknown op {op!r}"}
