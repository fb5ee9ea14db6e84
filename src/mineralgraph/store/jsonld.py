"""JSON-LD in compact form with a published @context.

pyoxigraph writes expanded JSON-LD (full IRIs everywhere). Here the same document is rewritten
against a context made only of prefix definitions: property names and IRIs become compact IRIs
(`skos:prefLabel`, `country:JPN`), rdf:type becomes `@type`, and `@context` carries those
prefixes — the same context the server publishes at /context.jsonld — so a JSON-LD processor
expands it back to exactly the same triples. The context is inlined rather than referenced by
URL so that a document stands alone: parsers that load no remote context (pyoxigraph's, any
offline one) read it too. Values keep their explicit `@id` / `@value` / `@language` / `@type`
form, which needs no term definitions.
"""
from __future__ import annotations

import json

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def context_document(prefixes: dict[str, str]) -> dict:
    return {"@context": dict(sorted(prefixes.items()))}


class _Compactor:
    def __init__(self, prefixes: dict[str, str]):
        # Longest namespace first, so id/country/ wins over id/.
        self.by_length = sorted(((ns, p) for p, ns in prefixes.items() if ns), key=lambda x: -len(x[0]))

    def iri(self, iri: str) -> str:
        for ns, prefix in self.by_length:
            local = iri[len(ns):]
            # A suffix starting with "//" would read as an absolute IRI; an empty one is no name.
            if iri.startswith(ns) and local and not local.startswith("//"):
                return f"{prefix}:{local}"
        return iri

    def value(self, v: dict) -> dict:
        if "@id" in v:
            return {"@id": self.iri(v["@id"])}
        if "@type" in v:
            return {**v, "@type": self.iri(v["@type"])}
        return v

    def node(self, node: dict) -> dict:
        out: dict = {}
        for key, values in node.items():
            if key == "@id":
                out["@id"] = self.iri(values)
            elif key == "@graph":
                out["@graph"] = [self.node(n) for n in values]
            elif key == RDF_TYPE and all("@id" in v for v in values):
                out["@type"] = [self.iri(v["@id"]) for v in values]
            elif key.startswith("@"):
                out[key] = values
            else:
                out[self.iri(key)] = [self.value(v) for v in values]
        return out


def compact(expanded: bytes, prefixes: dict[str, str]) -> bytes:
    """Expanded JSON-LD (a list of node objects, as pyoxigraph writes it) -> compact JSON-LD
    with `context_document(prefixes)` as its @context."""
    nodes = json.loads(expanded) if expanded.strip() else []
    c = _Compactor(prefixes)
    doc = {**context_document(prefixes), "@graph": [c.node(n) for n in nodes]}
    return json.dumps(doc, ensure_ascii=False, indent=1).encode()
