"""Dereferencing what the graph mints besides entities (those are views.py's /id/…): HTML for
browsers, RDF by content negotiation, a 404 with the closest names for anything unknown.

    /ont, /ont/TERM         the ontology: every class, property and concept with its labels and
                            definitions (HTML, anchors #TERM); RDF: the ontology graph.
                            /ont/TERM redirects to /ont#TERM; an unknown TERM is 404 + did-you-mean
                            (an unknown #TERM is caught by static/ont.js, as fragments never reach us)
    /graph/, /graph/REST    the named graphs: index, and each graph BASE + graph/REST (HTML summary;
                            RDF: the whole graph, as the Graph Store Protocol would give it)
    /id/FAMILY/             everything minted under BASE + id/FAMILY/ (countries, mechanisms, …)
    /dump/                  the dump files with bytes and sha256 (from the build's manifest); those
                            the build left for later (TriG, Turtle, JSON-LD, .gz) made on first
                            request into the dump cache (publish/dumpcache.py); /dump/SHA256SUMS
    /context.jsonld         the JSON-LD @context every JSON-LD answer names
"""
from __future__ import annotations

import difflib
import zlib
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
from flask import Blueprint, Response, jsonify, redirect, request, send_from_directory

from mineralgraph.publish import dumpcache
from mineralgraph.publish.dist import made_from
from mineralgraph.store import jsonld
from mineralgraph.store.evaluate import RDF_FORMATS

from .. import conneg, iris
from ..common import ProtocolError
from ..dumps import dump_files, media_type, replaced_on_disk
from ..frame import MEDIA, RESOURCE_OFFERS, page, wanted_key
from ..iris import short
from ..service import service
from . import graph
from .graph import MG, OWL, RDF, RDFS, SKOS, best_label, labels, select

bp = Blueprint("linked", __name__)

MAX_LISTING = 5000  # entities per /id/FAMILY/ page; the rest is in the dumps


def _suggest(word: str, names, n: int = 5) -> list[str]:
    """Closest names, case-insensitively; exact case-insensitive matches first."""
    folded = {name.casefold(): name for name in names}
    exact = [folded[word.casefold()]] if word.casefold() in folded else []
    close = difflib.get_close_matches(word.casefold(), list(folded), n=n, cutoff=0.5)
    return list(dict.fromkeys(exact + [folded[c] for c in close]))[:n]


def _not_found(what: str, suggestions: list[tuple[str, str]], hint: str) -> Response:
    """404 naming what is missing and the closest existing names (label, path)."""
    if wanted_key() == "html":
        return page("linked_notfound.html", status=404, what=what, suggestions=suggestions, hint=hint)
    lines = [f"404 Not Found: {what}."]
    if suggestions:
        lines.append("Did you mean: " + ", ".join(f"{label} ({path})" for label, path in suggestions) + "?")
    lines.append(hint)
    return Response("\n".join(lines) + "\n", 404, {"Content-Type": "text/plain; charset=utf-8", "Vary": "Accept"})


def _rdf_key():
    key = wanted_key()
    if key is None:
        offered = ", ".join(dict.fromkeys(m for m, _ in RESOURCE_OFFERS))
        raise ProtocolError(406, f"Not acceptable. Available: {offered}", {"Vary": "Accept"})
    return key


def _graph_answer(graph_iri: str, key: str, triples: int) -> Response:
    """A whole named graph in format `key` (not capped below its own size: it is ours)."""
    svc = service()
    answer = svc.read_graph(graph_iri, key, cap=max(svc.settings.max_results, triples))
    if answer.get("error"):
        raise ProtocolError(404, f"No graph named <{graph_iri}> in this store.")
    return Response(answer["body"], 200, {"Content-Type": f"{MEDIA[key]}; charset=utf-8", "Vary": "Accept"})


# -- the dataset and the JSON-LD context ---------------------------------------------------------
@bp.get("/dataset")
def dataset():
    """BASE + dataset, the IRI VoID and the service description describe: its description."""
    return redirect("/void", code=303)



@bp.get("/context.jsonld")
def context():
    response = jsonify(jsonld.context_document(service().prefixes))
    response.headers["Content-Type"] = "application/ld+json"
    return response


# -- the ontology ---------------------------------------------------------------------------
TERM_KINDS = [  # (rdf:type, heading), in page order
    (OWL + "Class", "Classes"),
    (OWL + "ObjectProperty", "Object properties"),
    (OWL + "DatatypeProperty", "Datatype properties"),
    (OWL + "AnnotationProperty", "Annotation properties"),
    (SKOS + "Concept", "Concepts"),
]
RELATIONS = [  # (property, label on the page)
    (RDFS + "subClassOf", "subclass of"), (OWL + "equivalentClass", "equivalent to"),
    (RDFS + "subPropertyOf", "subproperty of"), (OWL + "inverseOf", "inverse of"),
    (RDFS + "domain", "domain"), (RDFS + "range", "range"), (SKOS + "inScheme", "in scheme"),
    (SKOS + "notation", "notation"), (OWL + "propertyChainAxiom", "property chain"),
]


def ontology_terms() -> dict[str, dict]:
    """{local name: term} for every term of the vocabulary, read from the ontology graph."""
    ont_graph = iris.term(iris.iri_base() + "graph/ontology")
    rows = select(f"""SELECT ?t ?p ?o WHERE {{ GRAPH {ont_graph} {{ ?t ?p ?o
                       FILTER(STRSTARTS(STR(?t), {iris.string(MG)})) }} }}""", cap=50000)
    terms: dict[str, dict] = {}
    for r in rows:
        iri = r["t"]["value"]
        t = terms.setdefault(iri[len(MG):], {"iri": iri, "name": iri[len(MG):], "types": set(), "labels": {},
                                            "definitions": {}, "relations": {}})
        p, o = r["p"]["value"], r["o"]
        if p == RDF + "type":
            t["types"].add(o["value"])
        elif p in (RDFS + "label", SKOS + "prefLabel") and o["type"] == "literal":
            t["labels"].setdefault(graph.lang_key(o.get("xml:lang", "")), o["value"])
        elif p in (SKOS + "definition", RDFS + "comment") and o["type"] == "literal":
            t["definitions"].setdefault(graph.lang_key(o.get("xml:lang", "")), o["value"])
        elif o["type"] in ("uri", "literal"):
            t["relations"].setdefault(p, []).append(o["value"])
    return terms


def _relation_value(v: str, names: dict) -> dict:
    if "/.well-known/genid/" in v:  # a skolemised blank node: an anonymous class expression
        return {"label": "an OWL class expression (see the Turtle)", "href": None}
    if v.startswith("http"):
        return {"label": best_label(names.get(v), short(v)), "href": iris.href(v)}
    return {"label": v, "href": None}


def _ontology_sections(terms: dict[str, dict]) -> list[dict]:
    names = labels({v for t in terms.values() for vs in t["relations"].values() for v in vs if v.startswith("http")})
    sections = []
    placed = set()
    for kind, heading in TERM_KINDS:
        items = []
        for name, t in sorted(terms.items(), key=lambda kv: kv[0].casefold()):
            if kind in t["types"] and name not in placed:
                placed.add(name)
                rels = [{"label": label, "values": [_relation_value(v, names) for v in t["relations"][p]]}
                        for p, label in RELATIONS if p in t["relations"]]
                items.append({**t, "label": best_label(t["labels"], name), "rels": rels})
        if items:
            sections.append({"heading": heading, "items": items})
    rest = [t for name, t in sorted(terms.items()) if name not in placed]
    if rest:
        sections.append({"heading": "Individuals and other terms", "items": [{**t, "label": best_label(t["labels"], t["name"]), "rels": []}
                                                            for t in rest]})
    return sections


@bp.get("/ont")
def ontology():
    key = _rdf_key()
    ont_graph = iris.iri_base() + "graph/ontology"
    if key == "html":
        terms = ontology_terms()
        header = {r["p"]["value"]: r["o"]["value"] for r in select(
            f"SELECT ?p ?o WHERE {{ GRAPH {iris.term(ont_graph)} {{ {iris.term(iris.ONT)} ?p ?o }} "
            f"FILTER(!isLiteral(?o) || lang(?o) = '' || langMatches(lang(?o), 'en')) }}")}
        return page("ontology.html", headers={"Vary": "Accept"}, sections=_ontology_sections(terms),
                    header=header, ont=iris.ONT, ont_graph=ont_graph, count=len(terms))
    return _graph_answer(ont_graph, key, service().stats["graphs"].get(ont_graph, 0))


@bp.get("/ont/<path:name>")
def ontology_term(name: str):
    terms = ontology_terms()
    if name in terms:
        return redirect(f"/ont#{quote(name)}", code=303)
    suggestions = [(best_label(terms[n]["labels"], n), f"/ont#{n}") for n in _suggest(name, terms)]
    return _not_found(f"the ontology has no term {MG}{name}", suggestions,
                      "Every term is listed at /ont.")


# -- named graphs ---------------------------------------------------------------------------
def _graphs() -> dict[str, int]:
    return service().stats["graphs"]


@bp.get("/graph/")
@bp.get("/graph")
def graphs_index():
    key = _rdf_key()
    base = iris.iri_base() + "graph/"
    items = [{"iri": g, "path": iris.local_path(g), "name": g[len(base):] if g.startswith(base) else g,
              "triples": n} for g, n in sorted(_graphs().items())]
    if key == "html":
        return page("graphs.html", headers={"Vary": "Accept"}, graphs=items, total=sum(i["triples"] for i in items))
    lines = [f"<{g['iri']}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
             f"<http://www.w3.org/ns/sparql-service-description#NamedGraph> .\n"
             f"<{g['iri']}> <http://rdfs.org/ns/void#triples> "
             f"\"{g['triples']}\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n" for g in items]
    return _serialise_ntriples("".join(lines).encode(), key)


def _serialise_ntriples(data: bytes, key: str) -> Response:
    prefixes = service().prefixes
    body = ox.serialize(ox.parse(data, format=ox.RdfFormat.N_TRIPLES), format=RDF_FORMATS[key], prefixes=prefixes)
    if key == "jsonld":
        body = jsonld.compact(body, prefixes)
    return Response(body, 200, {"Content-Type": f"{MEDIA[key]}; charset=utf-8", "Vary": "Accept"})


@bp.get("/graph/<path:rest>")
def named_graph(rest: str):
    base = iris.iri_base() + "graph/"
    iri = base + rest
    graphs = _graphs()
    if iri not in graphs:
        names = [g[len(base):] for g in graphs if g.startswith(base)]
        suggestions = [(n, f"/graph/{n}") for n in _suggest(rest, names)]
        return _not_found(f"no named graph <{iri}>", suggestions, "The named graphs are listed at /graph/.")
    key = _rdf_key()
    if key != "html":
        return _graph_answer(iri, key, graphs[iri])
    classes = select(f"""SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH {iris.term(iri)} {{ ?s a ?c }} }}
                         GROUP BY ?c ORDER BY DESC(?n)""")
    names = labels([r["c"]["value"] for r in classes])
    source = iris.iri_base() + "id/" + rest if rest.startswith("source/") else None
    return page("graph.html", headers={"Vary": "Accept"}, iri=iri, name=rest, triples=graphs[iri],
                classes=[{"label": best_label(names.get(r["c"]["value"]), short(r["c"]["value"])),
                          "href": iris.href(r["c"]["value"]), "count": int(r["n"]["value"])} for r in classes],
                source=source and {"iri": source, "href": iris.href(source)},
                downloads=[(name, f"/store?graph={quote(iri, safe='')}&format={k}")
                           for name, k in (("Turtle", "turtle"), ("N-Triples", "ntriples"), ("JSON-LD", "jsonld"),
                                           ("RDF/XML", "rdfxml"))])


# -- per-family listings --------------------------------------------------------------------
@bp.get("/id/<family>/")
def listing(family: str):
    prefix = iris.id_base() + family + "/"
    key = _rdf_key()
    cap = MAX_LISTING
    # The kind shown is the most specific of the resource's own classes (Country, not Actor).
    rows = select(f"""SELECT ?s (SAMPLE(?type) AS ?t) WHERE {{ ?s a ?any
                      FILTER(STRSTARTS(STR(?s), {iris.string(prefix)}) && !CONTAINS(SUBSTR(STR(?s), {len(prefix) + 1}), "#"))
                      OPTIONAL {{ ?s a ?type FILTER(STRSTARTS(STR(?type), {iris.string(MG)}))
                                 FILTER NOT EXISTS {{ ?s a ?sub . ?sub rdfs:subClassOf+ ?type FILTER(?sub != ?type) }} }} }}
                      GROUP BY ?s ORDER BY ?s LIMIT {cap + 1}""")
    if not rows:
        families = [r["f"]["value"] for r in select(
            f"""SELECT DISTINCT ?f WHERE {{ ?s a ?t BIND(STRBEFORE(STRAFTER(STR(?s), {iris.string(iris.id_base())}), "/") AS ?f)
                FILTER(?f != "") }}""")]
        return _not_found(f"nothing is minted under {prefix}",
                          [(f, f"/id/{f}/") for f in _suggest(family, families)],
                          "Entity families: " + ", ".join(f"/id/{f}/" for f in sorted(families)) + ".")
    truncated = len(rows) > cap
    members = [r["s"]["value"] for r in rows[:cap]]
    if key != "html":
        values = " ".join(iris.term(i) for i in members)
        body, _ = graph.construct(f"""CONSTRUCT {{ ?s a ?t ; skos:prefLabel ?l }} WHERE {{ VALUES ?s {{ {values} }}
                                      ?s a ?t OPTIONAL {{ ?s skos:prefLabel ?l }} }}""", key)
        return Response(body, 200, {"Content-Type": f"{MEDIA[key]}; charset=utf-8", "Vary": "Accept"})
    kinds = [r["t"]["value"] if "t" in r else None for r in rows[:cap]]
    names = labels(members + [k for k in kinds if k])
    items = [{"iri": i, "href": iris.href(i), "id": i[len(prefix):], "names": names.get(i, {}),
              "type": best_label(names.get(k), short(k)) if k else ""} for i, k in zip(members, kinds)]
    return page("listing.html", headers={"Vary": "Accept"}, family=family, prefix=prefix, items=items,
                truncated=truncated, cap=cap)


# -- dumps ----------------------------------------------------------------------------------
DUMP_OFFERS = [("application/json", "json"), ("text/html", "html"), ("application/xhtml+xml", "html"),
               ("text/plain", "sums")]


@bp.get("/dump/")
@bp.get("/dump")
def dump_index():
    files = dump_files()
    choice = conneg.negotiate(request.headers.get("Accept"), DUMP_OFFERS)
    if choice is None:
        raise ProtocolError(406, "Not acceptable. Available: application/json, text/html, text/plain", {"Vary": "Accept"})
    if choice.key == "html":
        return page("dumps.html", headers={"Vary": "Accept"}, files=files)
    if choice.key == "sums":
        return sha256sums()
    response = jsonify(files=[{k: v for k, v in f.items() if k not in ("stored", "seen", "key")} for f in files])
    response.headers["Vary"] = "Accept"
    return response


@bp.get("/dump/SHA256SUMS")
def sha256sums():
    """`sha256sum -c` format, for the files whose hash is known."""
    body = "".join(f"{f['sha256']}  {f['name']}\n" for f in dump_files() if f["sha256"])
    return Response(body, 200, {"Content-Type": "text/plain; charset=utf-8"})


@bp.get("/dump/<name>")
def dump(name: str):
    files = {f["name"]: f for f in dump_files()}
    if name not in files:
        return _not_found(f"no dump file {name!r}", [(n, f"/dump/{n}") for n in _suggest(name, files)],
                          "The dump files are listed at /dump/.")
    dist = Path(service().settings.dist_dir).resolve()
    entry = files[name]
    if entry.get("deferred") and (ready := dumpcache.made(dist, name, entry["key"])) is not None:
        # made for the served build already: sent from the dump cache whatever dist/ holds now
        return send_from_directory(ready.parent, ready.name, mimetype=media_type(name), max_age=None)
    if entry["stored"]:
        source = entry
    else:  # made from the N-Quads of dist/ (a deferred dump), or the plain dump (.gz)
        source = files.get(made_from(name) if entry.get("deferred") else name.removesuffix(".gz"))
    if source is not None and replaced_on_disk(source, dist):
        # dist/ is being replaced under the served build: never send bytes its sums do not describe
        raise _replaced(source["name"])
    if entry["stored"]:
        response = send_from_directory(dist, name, mimetype=media_type(name), max_age=None)
        return response
    if entry.get("deferred"):
        # made once per build, on the first request, in the dump cache (a twin request waits for it)
        try:
            path, _meta = dumpcache.deferred_file(dist, name, entry["key"])
        except dumpcache.BuildChanged:
            raise _replaced(name) from None
        except OSError as exc:  # a read-only or full disk: the server's problem, said plainly
            raise ProtocolError(503, f"{name} could not be made in the dump cache ({exc.strerror}); set "
                                     f"{dumpcache.CACHE_ENV} to a writable directory", {"Retry-After": "60"}) from None
        return send_from_directory(path.parent, path.name, mimetype=media_type(name), max_age=None)
    return Response(_gzip_stream(dist / name.removesuffix(".gz")), 200, {
        "Content-Type": "application/gzip", "Content-Disposition": f'attachment; filename="{name}"'})


def _replaced(name: str) -> ProtocolError:
    return ProtocolError(503, f"{name} on disk is no longer the file of the build being served (a new "
                              "build is being copied in). Try again shortly.", {"Retry-After": "5"})


def _gzip_stream(path: Path):
    """gzip of `path`, streamed (mtime 0, so the same file always gives the same bytes)."""
    crc, size = 0, 0
    z = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    yield b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            crc = zlib.crc32(block, crc)
            size += len(block)
            chunk = z.compress(block)
            if chunk:
                yield chunk
    yield z.flush() + crc.to_bytes(4, "little") + (size & 0xFFFFFFFF).to_bytes(4, "little")
