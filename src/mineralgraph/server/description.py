"""SPARQL 1.1 Service Description (at GET /sparql) and a VoID description of the dataset
(at /void and /.well-known/void), plus the dump files VoID links to (/dump/<file>)."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, abort, current_app, request, send_from_directory

from . import conneg
from .evaluate import PREFIXES, RDF_FORMATS

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
FORMATS_NS = "http://www.w3.org/ns/formats/"
BASE = "https://w3id.org/mineralgraph/"
DATASET = ox.NamedNode(BASE + "dataset")
DUMP_FILES = ("mineralgraph.trig", "mineralgraph.nq", "mineralgraph.ttl", "mineralgraph.nt",
              "mineralgraph.jsonld", "manifest.json")
_RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                   "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML", "TriG", "N-Quads")
_DESCRIPTION_PREFIXES = {**PREFIXES, "sd": SD, "void": VOID, "formats": FORMATS_NS}

bp = Blueprint("description", __name__)


def _count(store: ox.Store, query: str) -> int:
    row = next(iter(store.query(query)))
    return int(row[0].value)


def dataset_stats(store: ox.Store) -> dict:
    """Counts for VoID and /healthz. Run once, before the query workers are forked."""
    graphs = {}
    for row in store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
        graphs[row[0].value] = int(row[1].value)
    classes = {}
    for row in store.query("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c"):
        if isinstance(row[0], ox.NamedNode):
            classes[row[0].value] = int(row[1].value)
    return {
        "triples": _count(store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"),
        "subjects": _count(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }"),
        "properties": _count(store, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }"),
        "graphs": graphs,
        "classes": classes,
    }


def _lit(value) -> ox.Literal:
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    return ox.Literal(str(value))


def _respond(triples: list[ox.Triple]):
    choice = conneg.choose("graph", request.headers.get("Accept"), request.args)
    if choice is None:
        return (f"Not acceptable. Available: {conneg.available('graph')}\n", 406,
                {"Content-Type": "text/plain; charset=utf-8", "Vary": "Accept"})
    body = ox.serialize(triples, format=RDF_FORMATS[choice.key], prefixes=_DESCRIPTION_PREFIXES)
    return body, 200, {"Content-Type": f"{choice.media_type}; charset=utf-8", "Vary": "Accept"}


def _graph_description(node, triples_count: int, name: str | None = None) -> list:
    out = [ox.Triple(node, RDF_TYPE, ox.NamedNode(SD + "Graph")),
           ox.Triple(node, ox.NamedNode(VOID + "triples"), _lit(triples_count))]
    if name:
        out.append(ox.Triple(node, ox.NamedNode(SD + "name"), ox.NamedNode(name)))
    return out


def service_description(endpoint: str, settings, stats: dict) -> list[ox.Triple]:
    svc, t = ox.BlankNode("service"), []
    add = lambda s, p, o: t.append(ox.Triple(s, ox.NamedNode(p), o))  # noqa: E731
    add(svc, RDF_TYPE.value, ox.NamedNode(SD + "Service"))
    add(svc, SD + "endpoint", ox.NamedNode(endpoint))
    add(svc, SD + "supportedLanguage", ox.NamedNode(SD + "SPARQL11Query"))
    add(svc, SD + "feature", ox.NamedNode(SD + "UnionDefaultGraph"))
    if settings.allow_service:
        add(svc, SD + "feature", ox.NamedNode(SD + "BasicFederatedQuery"))
    for name in _RESULT_FORMATS:
        add(svc, SD + "resultFormat", ox.NamedNode(FORMATS_NS + name))
    dataset, default = ox.BlankNode("dataset"), ox.BlankNode("default")
    add(svc, SD + "defaultDataset", dataset)
    add(dataset, RDF_TYPE.value, ox.NamedNode(SD + "Dataset"))
    add(dataset, SD + "defaultGraph", default)
    t += _graph_description(default, stats["triples"])
    for i, (graph, count) in enumerate(sorted(stats["graphs"].items())):
        named = ox.BlankNode(f"g{i}")
        add(dataset, SD + "namedGraph", named)
        add(named, RDF_TYPE.value, ox.NamedNode(SD + "NamedGraph"))
        add(named, SD + "name", ox.NamedNode(graph))
        graph_node = ox.BlankNode(f"g{i}graph")
        add(named, SD + "graph", graph_node)
        t += _graph_description(graph_node, count)
    return t


def void_description(root: str, settings, stats: dict) -> list[ox.Triple]:
    t, ds = [], DATASET
    add = lambda s, p, o: t.append(ox.Triple(s, ox.NamedNode(p), o))  # noqa: E731
    add(ds, RDF_TYPE.value, ox.NamedNode(VOID + "Dataset"))
    add(ds, DCT + "title", ox.Literal("mineralgraph", language="en"))
    add(ds, VOID + "sparqlEndpoint", ox.NamedNode(root + "sparql"))
    add(ds, VOID + "uriSpace", ox.Literal(BASE + "id/"))
    add(ds, VOID + "vocabulary", ox.NamedNode(BASE + "ont#"))
    add(ds, VOID + "triples", _lit(stats["triples"]))
    add(ds, VOID + "distinctSubjects", _lit(stats["subjects"]))
    add(ds, VOID + "properties", _lit(stats["properties"]))
    add(ds, VOID + "classes", _lit(len(stats["classes"])))
    dist = settings.dist_dir
    for name in DUMP_FILES:
        if dist is not None and name != "manifest.json" and (Path(dist) / name).is_file():
            add(ds, VOID + "dataDump", ox.NamedNode(root + "dump/" + name))
    for i, (cls, count) in enumerate(sorted(stats["classes"].items())):
        part = ox.BlankNode(f"c{i}")
        add(ds, VOID + "classPartition", part)
        add(part, VOID + "class", ox.NamedNode(cls))
        add(part, VOID + "entities", _lit(count))
    for graph, count in sorted(stats["graphs"].items()):
        subset = ox.NamedNode(graph)
        add(ds, VOID + "subset", subset)
        add(subset, RDF_TYPE.value, ox.NamedNode(VOID + "Dataset"))
        add(subset, SD + "name", ox.NamedNode(graph))
        add(subset, VOID + "triples", _lit(count))
    return t


@bp.get("/void")
@bp.get("/.well-known/void")
def void():
    state = current_app.extensions["mineralgraph"]
    return _respond(void_description(request.url_root, state.settings, state.stats))


@bp.get("/dump/<name>")
def dump(name: str):
    dist = current_app.extensions["mineralgraph"].settings.dist_dir
    if dist is None or name not in DUMP_FILES or not (Path(dist) / name).is_file():
        abort(404, description=f"no dump file {name!r}")
    return send_from_directory(Path(dist).resolve(), name)


def describe_service():
    """Called by the /sparql view when a GET carries no query."""
    state = current_app.extensions["mineralgraph"]
    return _respond(service_description(request.base_url, state.settings, state.stats))
