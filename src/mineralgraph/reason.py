"""OWL 2 RL reasoning with owlrl, kept to the new facts users query.

owlrl computes the full RL closure, which is mostly noise for a user: axiomatic triples about
the vocabulary, `x owl:sameAs x`, literals as subjects, every resource typed owl:Thing. We reason
over the ontology plus the statement layer (mentions and selectors add nothing to reason about),
and keep an inferred triple only if it is about one of our entities.
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from .namespaces import BASE, MG, OA

# Types that say nothing a user would query.
NOISE_TYPES = {OWL.Thing, RDFS.Resource, OWL.NamedIndividual, RDFS.Class, OWL.Class}
# Triples about our data that are bookkeeping, not facts.
SKIP_FROM_INPUT = {MG.Mention, OA.SpecificResource, OA.TextPositionSelector, OA.TextQuoteSelector}


def reasoning_input(asserted: Graph, ontology: Graph) -> Graph:
    """The ontology plus every asserted triple except the mention index and selectors."""
    skip = {s for t in SKIP_FROM_INPUT for s in asserted.subjects(RDF.type, t)}
    g = Graph()
    for t in ontology:
        g.add(t)
    for s, p, o in asserted:
        if s in skip or p in (OA.exact, OA.prefix, OA.suffix):
            continue
        g.add((s, p, o))
    return g


def infer(asserted: Graph, ontology: Graph) -> Graph:
    """The meaningful triples OWL RL adds to the asserted data."""
    import owlrl

    closure = reasoning_input(asserted, ontology)
    before = set(closure)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(closure)
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
