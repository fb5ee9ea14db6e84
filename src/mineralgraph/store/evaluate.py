"""What a query worker does with one request: evaluate against pyoxigraph, cap the size,
serialise. Runs inside the server's worker processes and in-process for the CLI and the tests
(storedqueries/run.py), so both give the same bytes. Requests are the dataclasses below
(pickled to the workers); the answer is plain data (a dict, picklable)."""
from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass

import pyoxigraph as ox

from ..core.namespaces import ANSWER_PREFIXES
from . import jsonld


@dataclass(frozen=True)
class Query:
    """Evaluate `text`. `formats` maps each result kind (solutions, boolean, graph) to a format
    key (conneg.py), or None when the client cannot take that kind. No dataset fields: the
    store's default graph (the union of the named graphs), unless the query names its own (FROM)."""
    text: str
    formats: dict
    cap: int
    default_graph: list | None = None   # protocol dataset (default-graph-uri)
    named_graphs: list | None = None    # protocol dataset (named-graph-uri)
    base_iri: str | None = None         # relative IRIs in the query resolve against it
    prefixes: dict | None = None        # RDF answers are written with these (JSON-LD: its @context)
    max_bytes: int = 0                  # the answer's size limit, as the values it holds (0 = none)


@dataclass(frozen=True)
class ReadGraph:
    """A Graph Store read: the named graph `graph`, or the default graph (None), as format `key`."""
    graph: str | None
    key: str
    cap: int
    prefixes: dict | None = None
    max_bytes: int = 0


@dataclass(frozen=True)
class Ping:
    """Is the worker up (answered {"ok": True})."""


Request = Query | ReadGraph | Ping

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
PREFIXES = ANSWER_PREFIXES  # when the request names none (the CLI, the tests)


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


class AnswerTooLarge(Exception):
    """The answer's values alone pass the request's max_bytes: stopped while it was being read."""


def _size_guard(max_bytes: int):
    """A counter that raises AnswerTooLarge once the values added pass `max_bytes` (0: never).
    It counts the terms' text, a lower bound of every format's size, as rows are read: a query
    returning 50 rows of 2 MB strings stops at the limit instead of filling the worker's memory."""
    total = 0

    def add(term) -> None:
        nonlocal total
        if max_bytes and term is not None:
            total += len(getattr(term, "value", "") or "") if not isinstance(term, ox.Triple) else len(str(term))
            if total > max_bytes:
                raise AnswerTooLarge(f"the answer holds more than {max_bytes >> 20} MB of values")
    return add


def _solutions(results: ox.QuerySolutions, key: str, cap: int, max_bytes: int = 0) -> tuple[bytes, bool]:
    # pyoxigraph serialises a whole iterator; to cap it we take cap+1 rows ourselves, write
    # SPARQL JSON, and let pyoxigraph re-serialise that for the other formats.
    names = [v.value for v in results.variables]
    count = _size_guard(max_bytes)
    bindings, truncated = [], False
    for n, row in enumerate(results):
        if n == cap:
            truncated = True
            break
        binding = {}
        for i, name in enumerate(names):
            term = row[i]
            if term is not None:
                count(term)
                binding[name] = _term_json(term)
        bindings.append(binding)
    body = json.dumps({"head": {"vars": names}, "results": {"bindings": bindings}},
                      ensure_ascii=False, separators=(",", ":")).encode()
    if key != "json":
        parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        body = parsed.serialize(format=RESULT_FORMATS[key])
    return body, truncated


def _graph(triples, key: str, req: Query | ReadGraph) -> tuple[bytes, bool]:
    cap, prefixes = req.cap, req.prefixes or PREFIXES
    count = _size_guard(req.max_bytes)
    kept = []
    for triple in itertools.islice(triples, cap + 1):
        for term in (triple.subject, triple.predicate, triple.object):
            count(term)
        kept.append(triple)
    body = ox.serialize(kept[:cap], format=RDF_FORMATS[key], prefixes=prefixes)
    if key == "jsonld":
        body = jsonld.compact(body, prefixes)
    return body, len(kept) > cap


def _dataset_kwargs(req: Query) -> dict:
    if req.default_graph is None and req.named_graphs is None:
        # No protocol dataset: the store's default graph, which holds the union of the named
        # graphs (store.py), unless the query names its own dataset (FROM).
        return {}
    return {
        "default_graph": [ox.NamedNode(g) for g in req.default_graph or []],
        "named_graphs": [ox.NamedNode(g) for g in req.named_graphs or []],
    }


def run_query(store: ox.Store, req: Query) -> dict:
    """The answer: {kind, key, body, truncated, seconds}, or {error, message} / {error: not_acceptable, kind}."""
    started = time.perf_counter()
    try:
        results = store.query(req.text, base_iri=req.base_iri, **_dataset_kwargs(req))
    except SyntaxError as err:
        return {"error": "syntax", "message": str(err)}
    except (OSError, ValueError) as err:
        return {"error": "evaluation", "message": str(err)}
    kind = ("solutions" if isinstance(results, ox.QuerySolutions)
            else "boolean" if isinstance(results, ox.QueryBoolean) else "graph")
    key = req.formats.get(kind)
    if key is None:
        return {"error": "not_acceptable", "kind": kind}
    try:
        if kind == "solutions":
            body, truncated = _solutions(results, key, req.cap, req.max_bytes)
        elif kind == "boolean":
            body, truncated = results.serialize(format=RESULT_FORMATS[key]), False
        else:
            body, truncated = _graph(results, key, req)
    except AnswerTooLarge as err:
        return {"error": "too_large", "message": str(err)}
    except (OSError, ValueError, SyntaxError) as err:  # errors surface lazily while iterating
        return {"error": "evaluation", "message": str(err)}
    if req.max_bytes and len(body) > req.max_bytes:  # the serialisation itself (markup, escapes) grew past it
        return {"error": "too_large", "message": f"the answer is {len(body) >> 20} MB, more than {req.max_bytes >> 20} MB"}
    return {"kind": kind, "key": key, "body": body, "truncated": truncated,
            "seconds": time.perf_counter() - started}


def run_graph(store: ox.Store, req: ReadGraph) -> dict:
    """Graph Store read: one named graph, or the default graph (the union, as the endpoint sees it)."""
    started = time.perf_counter()
    graph = req.graph
    if graph is not None and not store.contains_named_graph(ox.NamedNode(graph)):
        return {"error": "not_found"}
    if graph is None:
        triples = (q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    else:
        triples = (q.triple for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
    try:
        body, truncated = _graph(triples, req.key, req)
    except AnswerTooLarge as err:
        return {"error": "too_large", "message": str(err)}
    return {"kind": "graph", "key": req.key, "body": body, "truncated": truncated,
            "seconds": time.perf_counter() - started}


def handle(store: ox.Store, req: Request) -> dict:
    if isinstance(req, Query):
        return run_query(store, req)
    if isinstance(req, ReadGraph):
        return run_graph(store, req)
    if isinstance(req, Ping):
        return {"ok": True}
    return {"error": "evaluation", "message": f"unknown request {type(req).__name__}"}
