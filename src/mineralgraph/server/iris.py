"""Graph IRIs and this server's paths, under the IRI base the graph is served under (the
service's, from the build's manifest): /id/REST is the graph IRI BASE + id/REST, /graph/REST the
named graph BASE + graph/REST; the vocabulary's terms (…/ont#Term) are documented at /ont."""
from __future__ import annotations

from urllib.parse import quote

import pyoxigraph as ox

from mineralgraph.core import namespaces

from .service import service

ONT = str(namespaces.MG).removesuffix("#")  # the ontology's IRI (its terms: ONT#Term)
# How a page shows an IRI that is not ours: the vocabularies' prefixes (the data's own are under id_base())
SHORT_PREFIXES = {p: str(namespaces.PREFIXES[p]) for p in
                  ("mg", "rdf", "rdfs", "skos", "prov", "oa", "dcterms", "org", "xsd", "owl", "foaf", "time", "wd")}


def iri_base() -> str:
    return service().iri_base


def id_base() -> str:
    return service().id_base


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
    base = iri_base()
    if iri == base + "dataset":
        return "/dataset"
    for part in ("id/", "graph/"):
        if iri.startswith(base + part):
            rest, hash_, fragment = iri[len(base + part):].partition("#")
            return ("/" + part + quote(rest, safe="/-._~:@!$&'()*+,;=")
                    + (hash_ + quote(fragment, safe="-._~") if hash_ else ""))
    return None


def href(iri: str) -> str:
    """Where a link to `iri` should go: our own page for our IRIs, the IRI itself otherwise."""
    return local_path(iri) or iri


def short(iri: str) -> str:
    """Compact display form: country/JPN, mg:Claim, org:member; the IRI when no prefix fits."""
    base = id_base()
    if iri.startswith(base):
        return iri[len(base):]
    for prefix, ns in SHORT_PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def term(iri: str) -> str:
    """An IRI as SPARQL text (validated and escaped by pyoxigraph)."""
    return str(ox.NamedNode(iri))


def string(value: str) -> str:
    return str(ox.Literal(value))
