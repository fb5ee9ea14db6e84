"""The shapes as linked data (issue 25): /shapes lists every SHACL shape of shapes/*.ttl with its
targets, its message and the terms it constrains (HTML), or serves the shapes graph as RDF by
content negotiation; a shape IRI (…/shapes#Name) dereferences to its entry, and /shapes/Name
redirects there. Read once from the checkout's shapes/ (the files the build validates with)."""
from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, redirect
from rdflib import RDF, SH, Graph, URIRef
from rdflib.collection import Collection

from mineralgraph.core.namespaces import bind_prefixes
from mineralgraph.core.paths import ProjectPaths
from mineralgraph.validate.validator import load_shapes

from ..common import ProtocolError
from ..frame import MEDIA, RESOURCE_OFFERS, page, wanted_key
from ..service import service

bp = Blueprint("shapes", __name__)

SHAPES_NS = "https://w3id.org/mineralgraph/shapes#"  # shape IRIs never move with --iri-base
RDFLIB_FORMATS = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml"}
TARGETS = [(SH.targetClass, "instances of"), (SH.targetNode, "the node"), (SH.targetSubjectsOf, "subjects of"),
           (SH.targetObjectsOf, "objects of"), (SH.target, "SPARQL target")]
CONSTRAINED = [SH.path, SH["class"], SH.datatype, SH.node, SH.hasValue, SH["in"]]


def _load() -> Graph:
    graph = load_shapes(ProjectPaths.default().shapes)
    bind_prefixes(graph)  # merged files keep no prefixes: the table's, plus the shapes' own
    graph.bind("sh", SH)
    graph.bind("mgsh", SHAPES_NS)
    return graph


def shapes_graph() -> Graph:
    return service().cached("shapes", _load)


def _short(graph: Graph, term) -> str:
    if isinstance(term, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(term)
        except Exception:  # an IRI no prefix covers
            return f"<{term}>"
    return str(term)


def _path_text(graph: Graph, path) -> str:
    """A property path as written in SPARQL (the forms the shapes use)."""
    if isinstance(path, URIRef):
        return _short(graph, path)
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _path_text(graph, inverse)
    if (path, RDF.first, None) in graph:
        return "/".join(_path_text(graph, p) for p in Collection(graph, path))
    for prop, mark in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = graph.value(path, prop)
        if inner is not None:
            return f"({_path_text(graph, inner)}){mark}"
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_path_text(graph, p) for p in Collection(graph, alternatives)) + ")"
    return "…"


def _describe(graph: Graph, shape) -> dict:
    targets = [(label, _short(graph, o) if not (o, None, None) in graph or isinstance(o, URIRef) else "a SPARQL query")
               for p, label in TARGETS for o in graph.objects(shape, p)]
    props = []
    for prop in graph.objects(shape, SH.property):
        path = graph.value(prop, SH.path)
        constraints = []
        for p in CONSTRAINED[1:]:
            for o in graph.objects(prop, p):
                value = ", ".join(_short(graph, x) for x in Collection(graph, o)) if p == SH["in"] else _short(graph, o)
                constraints.append(f"{_short(graph, p)} {value}")
        for p in (SH.minCount, SH.maxCount, SH.pattern, SH.minInclusive, SH.maxInclusive, SH.languageIn):
            for o in graph.objects(prop, p):
                constraints.append(f"{_short(graph, p)} {o}")
        props.append({"path": _path_text(graph, path) if path is not None else "",
                      "constraints": constraints,
                      "messages": sorted({str(m) for m in graph.objects(prop, SH.message)})})
    own_path = graph.value(shape, SH.path)
    return {
        "iri": str(shape), "name": str(shape)[len(SHAPES_NS):] if str(shape).startswith(SHAPES_NS) else str(shape),
        "kind": "node shape" if (shape, RDF.type, SH.NodeShape) in graph else "property shape",
        "targets": targets, "path": _path_text(graph, own_path) if own_path is not None else "",
        "messages": sorted({str(m) for m in graph.objects(shape, SH.message)}),
        "sparql": sum(1 for _ in graph.objects(shape, SH.sparql)),
        "severity": _short(graph, graph.value(shape, SH.severity) or SH.Violation),
        "properties": sorted(props, key=lambda p: p["path"]),
    }


def shape_entries() -> list[dict]:
    graph = shapes_graph()
    named = {s for s in graph.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)}
    named |= {s for s in graph.subjects(RDF.type, SH.PropertyShape) if isinstance(s, URIRef)}
    return [_describe(graph, s) for s in sorted(named)]


@bp.get("/shapes")
def shapes_page():
    key = wanted_key()
    if key is None:
        offered = ", ".join(dict.fromkeys(m for m, _ in RESOURCE_OFFERS))
        raise ProtocolError(406, f"Not acceptable. Available: {offered}", {"Vary": "Accept"})
    if key == "html":
        entries = shape_entries()
        return page("shapes.html", headers={"Vary": "Accept"}, shapes=entries, ns=SHAPES_NS)
    body = shapes_graph().serialize(format=RDFLIB_FORMATS[key])
    return Response(body, 200, {"Content-Type": f"{MEDIA[key]}; charset=utf-8", "Vary": "Accept"})


@bp.get("/shapes/<path:name>")
def shape(name: str):
    names = {e["name"] for e in shape_entries()}
    if name in names:
        return redirect(f"/shapes#{quote(name)}", code=303)
    close = sorted(n for n in names if name.casefold() in n.casefold())[:5]
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    raise ProtocolError(404, f"No shape {SHAPES_NS}{name}.{hint} Every shape is listed at /shapes.")
