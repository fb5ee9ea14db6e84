"""IRIs and prefixes. Entity IRIs are minted only here, so they stay stable.

The build mints every IRI under the canonical base https://w3id.org/mineralgraph/. A graph can
be published under another base (`mineralgraph build --iri-base`, $MINERALGRAPH_IRI_BASE): the
data IRIs (id/…, graph/…, skolem IRIs) move to that base when dist/ is written, and the
manifest records it; the server reads it from there. The vocabulary (ont#) never moves: it is
the published ontology every copy of the data shares, like any other vocabulary.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from urllib.parse import urlsplit

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

BASE = CANONICAL_BASE = "https://w3id.org/mineralgraph/"
IRI_BASE_ENV = "MINERALGRAPH_IRI_BASE"
# The parts of the canonical base that move with --iri-base (the vocabulary, ont#, does not).
REBASED_PARTS = ("id/", "graph/", ".well-known/genid/")
class VocabularyNamespace(Namespace):
    """A namespace of a vocabulary (a bounded set of terms) whose terms are made once. rdflib
    makes and checks a new URIRef on every `MG.supports`: extracting 40 sources asked for 170,000
    of them (1.2 s of 17 s)."""

    _terms: dict[str, URIRef] = {}

    def term(self, name: str) -> URIRef:
        iri = self + (name if isinstance(name, str) else "")
        made = self._terms.get(iri)
        if made is None:
            made = self._terms[iri] = URIRef(iri)
        return made


MG = VocabularyNamespace(BASE + "ont#")
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")
GENID = BASE + ".well-known/genid/"  # skolem IRIs of the ontology's blank nodes (RDF 1.1 §3.5)
ONTOLOGY_IRI = URIRef(BASE + "ont")  # the ontology document; its terms are MG
ORG = VocabularyNamespace("http://www.w3.org/ns/org#")
OA = VocabularyNamespace("http://www.w3.org/ns/oa#")
VOID = VocabularyNamespace("http://rdfs.org/ns/void#")
FOAF = VocabularyNamespace("http://xmlns.com/foaf/0.1/")
SD = VocabularyNamespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = VocabularyNamespace("http://www.w3.org/ns/formats/")
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
    "category": ID["category/"],
    "source": ID["source/"],
}

def prefixed_name(iri) -> str:
    """`iri` as prefix:local with PREFIXES (as the manifest and the findings name terms), else itself."""
    for prefix, ns in PREFIXES.items():
        if str(iri).startswith(str(ns)):
            return f"{prefix}:{str(iri)[len(str(ns)):]}"
    return str(iri)


def expand_prefixed(short: str) -> str:
    """The IRI behind prefixed_name's answer (or behind <IRI>)."""
    prefix, _, local = short.partition(":")
    return str(PREFIXES[prefix]) + local if prefix in PREFIXES else short.strip("<>")


# The prefixes the server writes RDF answers with, before the graph's own (served_prefixes): the
# usual vocabularies and those of the service description and VoID.
ANSWER_PREFIXES = {p: str(ns) for p, ns in (
    ("mg", MG), ("id", ID), ("rdf", RDF), ("rdfs", RDFS), ("owl", OWL), ("xsd", XSD), ("skos", SKOS),
    ("prov", PROV), ("dcterms", DCTERMS), ("sd", SD), ("void", VOID), ("formats", FORMATS))}


def served_prefixes(base: str) -> dict[str, str]:
    """The prefixes RDF answers are written with, for a graph served under the IRI base `base`."""
    rebased = {p: rebase_iri(str(ns), base) for p, ns in PREFIXES.items()}
    return {**ANSWER_PREFIXES, **rebased, "graph": base + "graph/"}


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
    "category": "category",
}

_SLUG_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")


def is_valid_slug(slug: str) -> bool:
    return bool(_SLUG_OK.match(slug))


@lru_cache(maxsize=1 << 16)  # the gazetteer's entities, named again in every mention
def entity_iri(family: str, slug: str) -> URIRef:
    return ID[f"{FAMILY_PATH[family]}/{slug}"]


def source_iri(source_id: str) -> URIRef:
    return ID[f"source/{source_id}"]


def table_iri(source_id: str, number: int) -> URIRef:
    return ID[f"source/{source_id}/table/{number}"]


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


def sparql_prologue(names=None) -> str:
    """`PREFIX p: <ns>` lines for the prefixes `names` (default: all), from the table above."""
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in (names or PREFIXES))


def bind_prefixes(graph) -> None:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)


# -- the IRI base ---------------------------------------------------------------------------
def iri_base(explicit: str | None = None) -> str:
    """The base data IRIs are published under: `explicit`, else $MINERALGRAPH_IRI_BASE, else
    the canonical one. An absolute http(s) IRI ending in "/" (added if missing)."""
    base = (explicit or os.environ.get(IRI_BASE_ENV) or CANONICAL_BASE).strip()
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment \
            or any(c in base for c in ' <>"{}|^`\\'):
        raise ValueError(f"IRI base must be an absolute http(s) IRI with no query or fragment, such as "
                         f"https://data.example.org/mineralgraph/ (got {base!r})")
    return base if base.endswith("/") else base + "/"


_CANONICAL_TOKEN = re.compile(
    rb"(?:(?<=^)|(?<= ))<" + re.escape(CANONICAL_BASE.encode()) + rb"(?=" + rb"|".join(re.escape(p.encode()) for p in REBASED_PARTS) + rb")")
_NT_LINE = re.compile(rb"^(\S+) (\S+) (.*) \.$")


def rebase_iri(iri: str, base: str) -> str:
    """A canonical data IRI under `base` (the vocabulary and foreign IRIs are kept)."""
    if base != CANONICAL_BASE and iri.startswith(CANONICAL_BASE) and iri[len(CANONICAL_BASE):].startswith(REBASED_PARTS):
        return base + iri[len(CANONICAL_BASE):]
    return iri


def rebase_ntriples(data: bytes, base: str) -> bytes:
    """N-Triples with the data IRIs moved to `base`. Only IRI terms change: a literal whose
    text happens to contain the base is left as it is."""
    if base == CANONICAL_BASE:
        return data
    new = b"<" + base.encode()
    out = []
    for line in data.splitlines(keepends=True):
        m = _NT_LINE.match(line.rstrip(b"\n"))
        if not m:
            out.append(line)
            continue
        s, p, o = m.groups()
        s, p = _CANONICAL_TOKEN.sub(new, s), _CANONICAL_TOKEN.sub(new, p)
        if o.startswith(b"<"):
            o = _CANONICAL_TOKEN.sub(new, o)
        out.append(b"%s %s %s .\n" % (s, p, o))
    return b"".join(out)
