"""SPARQL 1.1 Service Description (at GET /sparql) and a VoID description of the dataset
(at /void and /.well-known/void): RDF by content negotiation, a readable page for browsers.
The counts come from the store; what the dataset is (title, licence, publisher, example
resources) from metadata/dataset.ttl; its modification date is the build's."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, request

from mineralgraph.core import namespaces as NS
from mineralgraph.store import jsonld
from mineralgraph.store.evaluate import RDF_FORMATS

from . import conneg
from .common import public_root
from .dumps import dump_files
from .frame import RDF_DOWNLOADS, page, wants_html
from .iris import href
from .service import service, state as current_state

SD = str(NS.SD)
VOID = str(NS.VOID)
DCT = str(NS.DCTERMS)
RDF_TYPE = ox.NamedNode(str(NS.RDF.type))
FORMATS_NS = str(NS.FORMATS)
XSD_DATE = ox.NamedNode(str(NS.XSD.date))
METADATA = Path(__file__).with_name("metadata") / "dataset.ttl"
VOCABULARY = str(NS.MG)
_RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                   "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML", "TriG", "N-Quads")

bp = Blueprint("description", __name__)


def _lit(value) -> ox.Literal:
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    return ox.Literal(str(value))


def _respond(triples: list[ox.Triple], title: str, main):
    prefixes = service().prefixes
    if wants_html() and request.args.get("format") in (None, "", "html"):
        return page("rdfdoc.html", headers={"Vary": "Accept"}, title=title, subjects=_html_view(triples, main, prefixes),
                    formats=RDF_DOWNLOADS)
    choice = conneg.choose("graph", request.headers.get("Accept"), request.args)
    if choice is None:
        return (f"Not acceptable. Available: {conneg.available('graph')}\n", 406,
                {"Content-Type": "text/plain; charset=utf-8", "Vary": "Accept"})
    body = ox.serialize(triples, format=RDF_FORMATS[choice.key], prefixes=prefixes)
    if choice.key == "jsonld":
        body = jsonld.compact(body, prefixes)
    return body, 200, {"Content-Type": f"{choice.media_type}; charset=utf-8", "Vary": "Accept"}


def _html_view(triples: list[ox.Triple], main, prefixes: dict) -> list[dict]:
    """Subjects (the main node first, blank nodes inline where they are used) with their
    properties, for the browser page."""
    def short(iri: str) -> str:
        for p, ns in sorted(prefixes.items(), key=lambda kv: -len(kv[1])):
            if iri.startswith(ns) and len(iri) > len(ns):
                return f"{p}:{iri[len(ns):]}"
        return iri

    by_subject: dict = {}
    for t in triples:
        by_subject.setdefault(t.subject, []).append(t)
    used = {t.object for t in triples if isinstance(t.object, ox.BlankNode)}

    def value(o, depth=0):
        if isinstance(o, ox.NamedNode):
            return {"kind": "iri", "label": short(o.value), "href": href(o.value), "title": o.value}
        if isinstance(o, ox.BlankNode):
            if depth > 2:
                return {"kind": "literal", "label": "…"}
            return {"kind": "node", "props": props(o, depth + 1)}
        return {"kind": "literal", "label": o.value, "lang": o.language}

    def props(node, depth=0):
        grouped: dict[str, list] = {}
        for t in by_subject.get(node, []):
            grouped.setdefault(t.predicate.value, []).append(value(t.object, depth))
        return [{"label": short(p), "title": p, "values": vs} for p, vs in grouped.items()]

    order = [main] + [s for s in by_subject if s != main and not (isinstance(s, ox.BlankNode) and s in used)]
    return [{"label": short(s.value) if isinstance(s, ox.NamedNode) else "", "iri": getattr(s, "value", ""),
             "props": props(s)} for s in order if s in by_subject]


def _graph_description(node, triples_count: int, name: str | None = None) -> list:
    out = [ox.Triple(node, RDF_TYPE, ox.NamedNode(SD + "Graph")),
           ox.Triple(node, ox.NamedNode(VOID + "triples"), _lit(triples_count))]
    if name:
        out.append(ox.Triple(node, ox.NamedNode(SD + "name"), ox.NamedNode(name)))
    return out


def dataset_metadata(base: str, built) -> list[ox.Triple]:
    """metadata/dataset.ttl under the served IRI base, and the build's date as dcterms:modified."""
    modified = ox.Triple(ox.NamedNode(base + "dataset"), ox.NamedNode(DCT + "modified"),
                         ox.Literal(built.date().isoformat(), datatype=XSD_DATE))
    # The dataset's own triple first: callers take the dataset node from it.
    return [modified, *(q.triple for q in ox.parse(path=str(METADATA), format=ox.RdfFormat.TURTLE, base_iri=base))]


def service_description(endpoint: str, settings, stats: dict, metadata: list[ox.Triple]) -> list[ox.Triple]:
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
    dataset, default = metadata[0].subject, ox.BlankNode("default")
    add(svc, SD + "defaultDataset", dataset)
    add(dataset, RDF_TYPE.value, ox.NamedNode(SD + "Dataset"))
    t += metadata
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


def void_description(root: str, base: str, stats: dict, counts: dict, metadata: list[ox.Triple], dumps: list[dict]) -> list[ox.Triple]:
    t, ds = [], metadata[0].subject
    add = lambda s, p, o: t.append(ox.Triple(s, ox.NamedNode(p), o))  # noqa: E731
    add(ds, RDF_TYPE.value, ox.NamedNode(VOID + "Dataset"))
    t += metadata
    add(ds, VOID + "sparqlEndpoint", ox.NamedNode(root + "sparql"))
    add(ds, VOID + "uriSpace", ox.Literal(base + "id/"))
    add(ds, VOID + "vocabulary", ox.NamedNode(VOCABULARY))
    add(ds, VOID + "rootResource", ox.NamedNode(base + "id/"))
    add(ds, VOID + "triples", _lit(stats["triples"]))
    add(ds, VOID + "distinctSubjects", _lit(counts["subjects"]))
    add(ds, VOID + "properties", _lit(counts["properties"]))
    add(ds, VOID + "classes", _lit(len(stats["classes"])))
    for f in dumps:
        if f["name"] != "manifest.json":
            add(ds, VOID + "dataDump", ox.NamedNode(root + "dump/" + f["name"]))
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


def _metadata() -> list[ox.Triple]:
    return dataset_metadata(service().iri_base, current_state().built)


@bp.get("/void")
@bp.get("/.well-known/void")
def void():
    svc = service()
    triples = void_description(public_root(svc.settings), svc.iri_base, svc.stats, svc.void_counts(), _metadata(),
                               dump_files())
    return _respond(triples, "VoID description of the dataset", triples[0].subject)


def describe_service():
    """Called by the /sparql view when a GET carries no query."""
    svc = service()
    triples = service_description(public_root(svc.settings) + request.path.lstrip("/"), svc.settings, svc.stats, _metadata())
    return _respond(triples, "SPARQL service description", triples[0].subject)
