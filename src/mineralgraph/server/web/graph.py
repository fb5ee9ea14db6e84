"""What the web pages read from the graph: SELECT/ASK/CONSTRUCT through the endpoint's own query
workers (same timeout, same cap), labels, and the mapping between graph IRIs and local paths.

The IRI base (the part before `id/`) is the one the graph was built for (`mineralgraph build
--iri-base`, recorded in the manifest; server/app.py puts it in app.config["MINERALGRAPH_IRI_BASE"]).
A request for /id/REST means the graph IRI BASE + id/REST, /graph/REST the named graph BASE +
graph/REST; the vocabulary's terms (…/ont#Term) are documented at /ont.
"""
from __future__ import annotations

import json
from urllib.parse import quote

import pyoxigraph as ox
from flask import current_app

from ..common import ProtocolError, run_in_pool

DEFAULT_BASE = "https://w3id.org/mineralgraph/"
CONFIG_BASE = "MINERALGRAPH_IRI_BASE"
ONT = "https://w3id.org/mineralgraph/ont"

MG = "https://w3id.org/mineralgraph/ont#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
DCTERMS = "http://purl.org/dc/terms/"
ORG = "http://www.w3.org/ns/org#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
FOAF = "http://xmlns.com/foaf/0.1/"

PREFIXES = {
    "mg": MG, "rdf": RDF, "rdfs": RDFS, "skos": SKOS, "prov": PROV, "oa": OA, "dcterms": DCTERMS,
    "org": ORG, "xsd": XSD, "owl": OWL, "foaf": FOAF, "time": "http://www.w3.org/2006/time#",
    "wd": "http://www.wikidata.org/entity/",
}
SPARQL_PREFIXES = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
LANGS = ("en", "zh-Hans", "zh-Hant")


# -- IRIs and paths -------------------------------------------------------------------------
def iri_base() -> str:
    base = current_app.config.get(CONFIG_BASE) or DEFAULT_BASE
    return base if base.endswith("/") else base + "/"


def id_base() -> str:
    return iri_base() + "id/"


def iri_for_path(rest: str) -> str | None:
    """/id/REST -> the graph IRI, or None when it cannot be an IRI at all."""
    iri = id_base() + rest
    try:
        ox.NamedNode(iri)
    except ValueError:
        return None
    return iri


def local_path(iri: str) -> str | None:
    """The path on this server for an IRI we mint (fragment kept): BASE id/… and graph/…, and
    the ontology's terms (/ont#Term). None for anything else."""
    if iri == ONT or iri.startswith(ONT + "#"):
        return "/ont" + ("#" + quote(iri[len(ONT) + 1:], safe="-._~") if "#" in iri else "")
    if iri == iri_base() + "dataset":
        return "/dataset"
    for part in ("id/", "graph/"):
        base = iri_base() + part
        if iri.startswith(base):
            rest, hash_, fragment = iri[len(base):].partition("#")
            return ("/" + part + quote(rest, safe="/-._~:@!$&'()*+,;=")
                    + (hash_ + quote(fragment, safe="-._~") if hash_ else ""))
    return None


def href(iri: str) -> str:
    """Where a link to `iri` should go: our own page for our IRIs, the IRI itself otherwise."""
    return local_path(iri) or iri


def short(iri: str) -> str:
    """Compact display form: id:country/JPN, mg:Claim, org:member; the IRI when no prefix fits."""
    base = id_base()
    if iri.startswith(base):
        return iri[len(base):]
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def term(iri: str) -> str:
    """An IRI as SPARQL text (validated and escaped by pyoxigraph)."""
    return str(ox.NamedNode(iri))


def string(value: str) -> str:
    return str(ox.Literal(value))


# -- running queries ------------------------------------------------------------------------
def _state():
    return current_app.extensions["mineralgraph"]


def _run(query: str, formats: dict, cap: int | None = None) -> dict:
    state = _state()
    answer = run_in_pool(state, {"op": "query", "query": SPARQL_PREFIXES + query, "formats": formats,
                                 "cap": cap or state.settings.max_results})
    if answer.get("error"):
        raise ProtocolError(500, f"page query failed: {answer.get('message', answer['error'])}")
    return answer


def select(query: str, cap: int | None = None) -> list[dict]:
    """Rows as {variable: SPARQL-JSON term dict} (type, value, xml:lang, datatype)."""
    answer = _run(query, {"solutions": "json", "boolean": "json", "graph": "ntriples"}, cap)
    data = json.loads(answer["body"])
    return data["results"]["bindings"]


def ask(query: str) -> bool:
    answer = _run(query, {"solutions": "json", "boolean": "json", "graph": "ntriples"})
    return bool(json.loads(answer["body"]).get("boolean"))


def construct(query: str, key: str) -> tuple[bytes, bool]:
    """A CONSTRUCT serialised by the workers in format `key` (turtle, jsonld, ntriples, rdfxml)."""
    answer = _run(query, {"solutions": None, "boolean": None, "graph": key})
    return answer["body"], answer["truncated"]


def exists(iri: str) -> bool:
    t = term(iri)
    return ask(f"ASK {{ {{ {t} ?p ?o }} UNION {{ ?s ?p {t} }} }}")


# -- labels ---------------------------------------------------------------------------------
def labels(iris) -> dict[str, dict[str, str]]:
    """{iri: {lang: label}} from skos:prefLabel, then rdfs:label, then dcterms:title."""
    iris = [i for i in dict.fromkeys(iris) if i]
    out: dict[str, dict[str, str]] = {}
    for chunk in (iris[i:i + 200] for i in range(0, len(iris), 200)):
        values = " ".join(term(i) for i in chunk)
        rows = select(f"""SELECT ?s ?p ?l WHERE {{ VALUES ?s {{ {values} }}
                            VALUES ?p {{ skos:prefLabel rdfs:label dcterms:title }} ?s ?p ?l FILTER(isLiteral(?l)) }}""")
        rank = {SKOS + "prefLabel": 0, RDFS + "label": 1, DCTERMS + "title": 2}
        rows.sort(key=lambda r: rank.get(r["p"]["value"], 9))
        for r in rows:
            lang = r["l"].get("xml:lang", "")
            out.setdefault(r["s"]["value"], {}).setdefault(lang_key(lang), r["l"]["value"])
    return out


def lang_key(lang: str) -> str:
    low = lang.lower()
    if low.startswith("en"):
        return "en"
    if low in ("zh-hans", "zh-cn", "zh"):
        return "zh-Hans"
    if low in ("zh-hant", "zh-tw", "zh-hk"):
        return "zh-Hant"
    return lang


def best_label(names: dict[str, str] | None, fallback: str) -> str:
    if not names:
        return fallback
    for lang in ("en", "", "zh-Hans", "zh-Hant"):
        if names.get(lang):
            return names[lang]
    return next(iter(names.values()))
