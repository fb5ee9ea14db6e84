"""The reference the build's reasoner is tested against: owlrl's full OWL 2 RL closure over the
reasoning input, trimmed to what is kept (the build's semantics before reason/owl2rl.py, unchanged)."""

from __future__ import annotations

import owlrl
import rdflib.term
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF

from mineralgraph.core.namespaces import BASE
from mineralgraph.reason.reasoner import NOISE_TYPES, SKIP_FROM_INPUT, SKIP_PREDICATES


def reasoning_input(asserted: Graph, ontology: Graph) -> Graph:
    """The ontology plus every asserted triple except the mention index and selectors."""
    skip = {s for t in SKIP_FROM_INPUT for s in asserted.subjects(RDF.type, t)}
    g = Graph()
    for t in ontology:
        g.add(t)
    for s, p, o in asserted:
        if s in skip or p in SKIP_PREDICATES:
            continue
        g.add((s, p, o))
    return g


def owlrl_inferred(asserted: Graph, ontology: Graph) -> Graph:
    """The meaningful triples owlrl's OWL RL closure adds to the asserted data."""
    closure = reasoning_input(asserted, ontology)
    before = set(closure)
    # owlrl swaps rdflib's lexical-to-value conversions process-wide and leaves them swapped
    # (a later "20"^^xsd:gYear turns ill-typed, and pySHACL then reports it): put them back.
    conversions = dict(rdflib.term._toPythonMapping)
    try:
        owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(closure)
    finally:
        rdflib.term._toPythonMapping.clear()
        rdflib.term._toPythonMapping.update(conversions)
    inferred = Graph()
    for s, p, o in closure:
        if (s, p, o) in before or (s, p, o) in asserted:
            continue
        if keep(s, p, o):
            inferred.add((s, p, o))
    return inferred


def keep(s, p, o) -> bool:
    if isinstance(s, Literal) or isinstance(s, BNode) and isinstance(o, BNode):
        return False
    if not str(s).startswith(BASE + "id/"):
        return False  # facts about the vocabulary itself live in the ontology graph
    if p == OWL.sameAs:
        return s != o and isinstance(o, URIRef) and str(o).startswith(BASE)
    if p == RDF.type and (o in NOISE_TYPES or isinstance(o, BNode)):
        return False
    if p in (OWL.differentFrom, OWL.topObjectProperty, OWL.topDataProperty):
        return False
    if isinstance(o, BNode):
        return False
    return True
