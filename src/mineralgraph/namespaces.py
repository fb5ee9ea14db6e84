"""IRIs and prefixes. Entity IRIs are minted only here, so they stay stable."""

from __future__ import annotations

import re

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

BASE = "https://w3id.org/mineralgraph/"
MG = Namespace(BASE + "ont#")
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")
ORG = Namespace("http://www.w3.org/ns/org#")
OA = Namespace("http://www.w3.org/ns/oa#")
VOID = Namespace("http://rdfs.org/ns/void#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
WD = Namespace("http://www.wikidata.org/entity/")

ONTOLOGY_GRAPH = GRAPH["ontology"]
GAZETTEER_GRAPH = GRAPH["gazetteer"]
INFERRED_GRAPH = GRAPH["inferred"]
DERIVED_GRAPH = GRAPH["derived"]

PREFIXES = {
    "mg": MG,
    "id": ID,
    "org": ORG,
    "oa": OA,
    "prov": PROV,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "time": TIME,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "void": VOID,
    "foaf": FOAF,
    "wd": WD,
    # one prefix per entity family, since local names cannot hold "/" (id:country/JPN is not SPARQL)
    "country": ID["country/"],
    "organisation": ID["org/"],
    "region": ID["region/"],
    "person": ID["person/"],
    "mechanism": ID["mechanism/"],
    "policy": ID["policy/"],
    "mineral": ID["mineral/"],
    "indicator": ID["indicator/"],
    "unit": ID["unit/"],
    "source": ID["source/"],
}

# The path segment each gazetteer family lives under.
FAMILY_PATH = {
    "country": "country",
    "org": "org",
    "region": "region",
    "person": "person",
    "mechanism": "mechanism",
    "policy": "policy",
    "mineral": "mineral",
    "list": "list",
    "indicator": "indicator",
    "unit": "unit",
}

_SLUG_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")


def is_valid_slug(slug: str) -> bool:
    return bool(_SLUG_OK.match(slug))


def entity_iri(family: str, slug: str) -> URIRef:
    return ID[f"{FAMILY_PATH[family]}/{slug}"]


def source_iri(source_id: str) -> URIRef:
    return ID[f"source/{source_id}"]


def source_graph(source_id: str) -> URIRef:
    return GRAPH[f"source/{source_id}"]


def claim_iri(source_id: str, start: int, end: int) -> URIRef:
    return ID[f"claim/{source_id}/{start}-{end}"]


def mention_iri(source_id: str, start: int, end: int) -> URIRef:
    return ID[f"mention/{source_id}/{start}-{end}"]


def statement_iri(kind: str, *parts: str) -> URIRef:
    return ID["stmt/" + kind + "/" + "/".join(parts)]


def list_version_iri(version: str) -> URIRef:
    """`us/2022` -> id/list/us/2022."""
    return ID[f"list/{version}"]


def bind_prefixes(graph) -> None:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
