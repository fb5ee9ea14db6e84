"""OWL 2 RL reasoning, kept to the new facts users query.

The build runs the OWL 2 RL rules this ontology needs, generated from its axioms (rules.py) and
run as SPARQL on pyoxigraph to a fixpoint (`infer_store`). `infer` runs owlrl's full closure
over rdflib, which is about 100x slower; it stays as the reference the tests compare with.

Either way the result is trimmed to what a user would query: owlrl's full closure is mostly
noise (axiomatic triples about the vocabulary, `x owl:sameAs x`, literals as subjects, every
resource typed owl:Thing). We reason over the ontology plus the statement layer (mentions and
selectors add nothing to reason about) and keep an inferred triple only if it is about one of
our entities.
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

    import rdflib.term

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


# -- the build's reasoner: generated OWL 2 RL rules as SPARQL on pyoxigraph ----------------------

_NOISE_IRIS = {str(t) for t in NOISE_TYPES}
_DROP_PREDICATES = {str(p) for p in (OWL.differentFrom, OWL.topObjectProperty, OWL.topDataProperty, OWL.sameAs)}
_SKIP_TYPES = " ".join(f"<{t}>" for t in SKIP_FROM_INPUT)
_SKIP_PREDICATES = {f"<{p}>".encode() for p in (OA.exact, OA.prefix, OA.suffix)}


def infer_store(store, ontology: Graph, data_files, max_rounds: int = 20) -> list:
    """The meaningful triples OWL 2 RL adds to the data, as pyoxigraph triples.

    `store` (pyoxigraph) holds the asserted data in its default graph; `data_files` are the same
    data as N-Triples files or bytes. The rules run on a store of their own holding the reasoning
    input (the data minus the mention index and selectors, as for owlrl), round after round until
    a round adds nothing; a consequence already asserted anywhere is not new."""
    import pyoxigraph as ox

    from .rules import generate

    rules = generate(ontology)
    skip = {f"<{row['s'].value}>".encode() for row in store.query(
        f"SELECT DISTINCT ?s WHERE {{ VALUES ?t {{ {_SKIP_TYPES} }} ?s a ?t }}")}
    work = ox.Store()
    for data in data_files:
        kept = []
        for line in data.splitlines(keepends=True):
            s, p, _rest = line.split(b" ", 2)
            if s not in skip and p not in _SKIP_PREDICATES:
                kept.append(line)
        work.load(b"".join(kept), format=ox.RdfFormat.N_TRIPLES)
    # Each round inserts every rule's consequences at once (the store keeps a set, so nothing is
    # added twice); the fixpoint is the round that leaves the store's size unchanged.
    updates = [text.replace("CONSTRUCT", "INSERT", 1) for _name, text in rules]
    size = len(work)
    for _round in range(max_rounds):
        for update in updates:
            work.update(update)
        if len(work) == size:
            break
        size = len(work)
    else:
        raise RuntimeError(f"reasoning did not reach a fixpoint in {max_rounds} rounds")
    return [q.triple for q in work if _keep_ox(q.triple) and q not in store]


def _keep_ox(t) -> bool:
    """keep() for pyoxigraph terms."""
    import pyoxigraph as ox

    s, p, o = t.subject, t.predicate, t.object
    if not isinstance(s, ox.NamedNode) or not s.value.startswith(BASE + "id/"):
        return False
    if isinstance(o, ox.BlankNode) or p.value in _DROP_PREDICATES:
        return False
    return not (p.value == str(RDF.type) and o.value in _NOISE_IRIS)
