"""What the web pages read from the graph: SELECT/ASK/CONSTRUCT through the endpoint's own query
workers (same timeout, same cap, via the service), and labels. The mapping between graph IRIs and
this server's paths is server/iris.py."""
from __future__ import annotations

import json

from mineralgraph.core import namespaces as NS

from ..common import ProtocolError
from ..iris import term
from ..service import ANY_KIND, service

MG, RDF, RDFS, SKOS, PROV, OA, DCTERMS, ORG, XSD, OWL, FOAF = (str(ns) for ns in (
    NS.MG, NS.RDF, NS.RDFS, NS.SKOS, NS.PROV, NS.OA, NS.DCTERMS, NS.ORG, NS.XSD, NS.OWL, NS.FOAF))
# every page query starts with these
SPARQL_PREFIXES = NS.sparql_prologue(("mg", "rdf", "rdfs", "skos", "prov", "oa", "dcterms", "org", "xsd", "owl",
                                      "foaf", "time", "wd"))
LANGS = ("en", "zh-Hans", "zh-Hant")


# -- running queries ------------------------------------------------------------------------
def _run(query: str, formats: dict, cap: int | None = None) -> dict:
    answer = service().query(SPARQL_PREFIXES + query, formats, cap)
    if answer.get("error"):
        raise ProtocolError(500, f"page query failed: {answer.get('message', answer['error'])}")
    return answer


def select(query: str, cap: int | None = None) -> list[dict]:
    """Rows as {variable: SPARQL-JSON term dict} (type, value, xml:lang, datatype)."""
    answer = _run(query, ANY_KIND, cap)
    data = json.loads(answer["body"])
    return data["results"]["bindings"]


def value(row: dict, var: str) -> str | None:
    """The lexical value a SELECT row binds to `var` (None when unbound)."""
    return row.get(var, {}).get("value")


def ask(query: str) -> bool:
    answer = _run(query, ANY_KIND)
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
    # one query per 1,000 IRIs: a page naming every source of a 1,000-source corpus asks once
    for chunk in (iris[i:i + 1000] for i in range(0, len(iris), 1000)):
        values = " ".join(term(i) for i in chunk)
        # one branch per property, each looked up from the subjects: a VALUES of properties was
        # joined against every label in the graph (90-160 ms at 200 sources, against 7)
        rows = select(f"""SELECT ?s ?p ?l WHERE {{ VALUES ?s {{ {values} }}
                            {{ ?s skos:prefLabel ?l BIND(skos:prefLabel AS ?p) }} UNION {{ ?s rdfs:label ?l BIND(rdfs:label AS ?p) }}
                            UNION {{ ?s dcterms:title ?l BIND(dcterms:title AS ?p) }} FILTER(isLiteral(?l)) }}""")
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
