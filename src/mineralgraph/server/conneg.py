"""Content negotiation: Accept header with q-values, plus the `format`/`output`/`results`
override parameters that real clients (SPARQLWrapper, YASGUI) send.

A *format key* is a short stable name ("json", "turtle", ...) that both the HTTP side and the
query workers understand; the worker maps it to a pyoxigraph format.
"""
from __future__ import annotations

from dataclasses import dataclass

# Offers per result kind, server preference first (the first one is the default).
# (media type we answer with, format key)
SOLUTIONS = [
    ("application/sparql-results+json", "json"),
    ("application/json", "json"),
    ("application/sparql-results+xml", "xml"),
    ("application/xml", "xml"),
    ("text/xml", "xml"),
    ("text/csv", "csv"),
    ("text/tab-separated-values", "tsv"),
]
BOOLEAN = [o for o in SOLUTIONS if o[1] in ("json", "xml")]  # CSV/TSV cannot carry a boolean
GRAPH = [
    ("text/turtle", "turtle"),
    ("application/x-turtle", "turtle"),
    ("application/n-triples", "ntriples"),
    ("text/plain", "ntriples"),  # legacy N-Triples type
    ("application/ld+json", "jsonld"),
    ("application/json", "jsonld"),
    ("application/rdf+xml", "rdfxml"),
    ("application/xml", "rdfxml"),
    ("text/xml", "rdfxml"),
    ("application/trig", "trig"),
    ("application/n-quads", "nquads"),
]
# Graph Store reads and descriptions return the same RDF formats.
RDF = GRAPH
OFFERS = {"solutions": SOLUTIONS, "boolean": BOOLEAN, "graph": GRAPH}

CANONICAL = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "trig": "application/trig",
    "nquads": "application/n-quads",
}

# Names clients put in format/output/results. Per kind, because "json" and "xml" mean
# different formats for SELECT and for CONSTRUCT.
_NAMES = {
    "solutions": {"json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv", "tsv": "tsv"},
    "graph": {
        "turtle": "turtle", "ttl": "turtle", "n3": "turtle",
        "nt": "ntriples", "ntriples": "ntriples", "n-triples": "ntriples",
        "json-ld": "jsonld", "jsonld": "jsonld", "json": "jsonld",
        "rdf": "rdfxml", "rdf+xml": "rdfxml", "rdfxml": "rdfxml", "xml": "rdfxml",
        "trig": "trig", "nq": "nquads", "nquads": "nquads", "n-quads": "nquads",
    },
}
_NAMES["boolean"] = {k: v for k, v in _NAMES["solutions"].items() if v in ("json", "xml")}


@dataclass(frozen=True)
class Choice:
    media_type: str  # what we put in Content-Type (without charset)
    key: str


def parse_accept(header: str | None) -> list[tuple[str, str, float]]:
    """Return [(type, subtype, q)], tolerating junk entries instead of failing."""
    ranges = []
    for part in (header or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        if "/" not in fields[0]:
            continue
        main, _, sub = fields[0].lower().partition("/")
        q = 1.0
        try:
            for param in fields[1:]:
                name, _, value = param.partition("=")
                if name.strip().lower() == "q":
                    q = min(max(float(value), 0.0), 1.0)
        except ValueError:
            continue  # a range with an unreadable q is ignored, not fatal
        ranges.append((main.strip(), sub.strip(), q))
    return ranges


def _quality(media_type: str, ranges) -> tuple[float, int]:
    """q of the most specific range matching media_type, with that specificity (-1: none)."""
    main, sub = media_type.split("/")
    best = (0.0, -1)
    for rmain, rsub, q in ranges:
        if (rmain, rsub) == (main, sub):
            spec = 2
        elif rmain == main and rsub == "*":
            spec = 1
        elif rmain == "*" and rsub == "*":
            spec = 0
        else:
            continue
        if spec > best[1]:
            best = (q, spec)
    return best


def negotiate(accept: str | None, offers: list[tuple[str, str]]) -> Choice | None:
    """Best offer for the Accept header; the server default when Accept is absent or empty."""
    ranges = parse_accept(accept)
    if not ranges:
        return Choice(*offers[0])
    best, best_score = None, (0.0, -1)
    for index, (media_type, key) in enumerate(offers):
        q, spec = _quality(media_type, ranges)
        if q <= 0:
            continue
        # Higher q wins, then a more specific match; ties keep server order (earlier index).
        if (q, spec) > best_score:
            best, best_score = Choice(media_type, key), (q, spec)
    return best


def override(value: str | None, kind: str) -> Choice | None:
    """Honour format=/output=/results= when it names a format we know for this kind."""
    if not value:
        return None
    value = value.strip().lower()
    if "/" in value:  # some clients put a media type there
        return negotiate(value, OFFERS[kind]) if any(m == value for m, _ in OFFERS[kind]) else None
    key = _NAMES[kind].get(value)
    return Choice(CANONICAL[key], key) if key else None


def choose(kind: str, accept: str | None, params: dict[str, str]) -> Choice | None:
    for name in ("format", "output", "results"):
        picked = override(params.get(name), kind)
        if picked:
            return picked
    return negotiate(accept, OFFERS[kind])


def available(kind: str) -> str:
    return ", ".join(dict.fromkeys(m for m, _ in OFFERS[kind]))
