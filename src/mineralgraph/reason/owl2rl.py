"""The OWL 2 RL rules this ontology needs, generated from its axioms as Horn rules.

Only the rule families the ontology uses are generated, each as one rule whose axioms are a table
of constants (so a thousand sources cost one pass per family, not one per axiom):

| OWL 2 RL rule            | axiom                                   | rule                               |
|--------------------------|-----------------------------------------|------------------------------------|
| cax-sco, cax-eqc         | rdfs:subClassOf, owl:equivalentClass    | ?x a C  =>  ?x a D (closure)       |
| prp-spo1, prp-eqp        | rdfs:subPropertyOf, equivalentProperty  | ?x P ?y =>  ?x Q ?y (closure)      |
| prp-dom, prp-rng         | rdfs:domain, rdfs:range                 | ?x P ?y =>  ?x a C / ?y a C        |
| prp-inv, prp-symp        | owl:inverseOf, owl:SymmetricProperty    | ?x P ?y =>  ?y Q ?x                |
| prp-trp                  | owl:TransitiveProperty                  | ?x P ?y . ?y P ?z  =>  ?x P ?z     |
| prp-spo2                 | owl:propertyChainAxiom                  | ?x P1 ?a . ?a P2 ?y  =>  ?x Q ?y   |
| cls-hv1, cls-hv2         | owl:hasValue restrictions               | ?x a C <=> ?x P v                  |

Axioms whose OWL 2 RL rules only detect inconsistencies (owl:AllDisjointClasses, disjointWith)
add nothing. owl:FunctionalProperty would add owl:sameAs (prp-fp) where a subject has two values;
the rules do not implement equality, so the reasoner refuses such data (`functional_violations`)
instead. Any other axiom kind (intersections, unions, cardinalities, ...) is refused when the
rules are generated, so a new ontology term can never be silently left without its reasoning.

A rule is data (`Rule`); reasoner.py runs the rules on pyoxigraph.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

from ..core.errors import InputError

# Axioms that OWL 2 RL gives consequences for and this module does not implement.
UNSUPPORTED = [OWL.intersectionOf, OWL.unionOf, OWL.someValuesFrom, OWL.allValuesFrom, OWL.maxCardinality,
               OWL.maxQualifiedCardinality, OWL.cardinality, OWL.qualifiedCardinality, OWL.hasKey, OWL.oneOf,
               OWL.complementOf, OWL.sameAs, OWL.AsymmetricProperty, OWL.InverseFunctionalProperty,
               OWL.IrreflexiveProperty, OWL.ReflexiveProperty]
# Vocabulary terms that may not appear in the data: the rules are generated from the ontology
# alone, so an axiom stated in a source graph would go unreasoned.
SCHEMA_PREDICATES = [RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.equivalentClass,
                     OWL.equivalentProperty, OWL.inverseOf, OWL.propertyChainAxiom, OWL.hasValue, OWL.onProperty,
                     OWL.sameAs, *UNSUPPORTED]
SCHEMA_TYPES = [OWL.TransitiveProperty, OWL.SymmetricProperty, OWL.FunctionalProperty, OWL.Restriction]

A = RDF.type


@dataclass(frozen=True)
class Rule:
    """head <= body, for every row of `table` (the constants the axioms give the variables in
    `columns`). Patterns are triples of rdflib terms or variable names ("?x")."""

    name: str
    head: tuple
    body: tuple[tuple, ...]
    columns: tuple[str, ...] = ()
    table: tuple[tuple, ...] = ()
    no_literal: str | None = None  # a variable that must not be a literal (it becomes a subject)


def _closure(pairs: dict) -> dict:
    """Transitive closure of a relation given as {a: {b, ...}} (a itself excluded)."""
    out = {}
    for start in pairs:
        seen, todo = set(), list(pairs[start])
        while todo:
            x = todo.pop()
            if x in seen or x == start:
                continue
            seen.add(x)
            todo.extend(pairs.get(x, ()))
        out[start] = seen
    return out


def _named(rows) -> tuple[tuple, ...]:
    """Rows without blank nodes (anonymous classes are only a step between named ones), sorted."""
    return tuple(sorted(row for row in rows if not any(isinstance(t, BNode) for t in row)))


def generate(ontology: Graph) -> list[Rule]:
    """The rules for the ontology's axioms."""
    for p in UNSUPPORTED:
        if (None, p, None) in ontology or (None, RDF.type, p) in ontology:
            raise InputError(f"the ontology uses {p.n3()}, which the build's OWL 2 RL rules (reason/owl2rl.py) do not implement")

    sub_class, sub_prop = defaultdict(set), defaultdict(set)
    for c, d in ontology.subject_objects(RDFS.subClassOf):
        sub_class[c].add(d)
    for c, d in ontology.subject_objects(OWL.equivalentClass):
        sub_class[c].add(d)
        sub_class[d].add(c)
    for p, q in ontology.subject_objects(RDFS.subPropertyOf):
        sub_prop[p].add(q)
    for p, q in ontology.subject_objects(OWL.equivalentProperty):
        sub_prop[p].add(q)
        sub_prop[q].add(p)
    classes, props = _closure(sub_class), _closure(sub_prop)

    rules = []

    def add(name, head, body, columns=(), rows=None, no_literal=None):
        table = _named(rows) if rows is not None else ()
        if rows is None or table:
            rules.append(Rule(name, head, tuple(body), tuple(columns), table, no_literal))

    add("cax-sco", ("?x", A, "?d"), [("?x", A, "?c")], ("?c", "?d"),
        {(c, d) for c, supers in classes.items() for d in supers})
    add("prp-spo1", ("?x", "?q", "?y"), [("?x", "?p", "?y")], ("?p", "?q"),
        {(p, q) for p, supers in props.items() for q in supers})
    add("prp-dom", ("?x", A, "?c"), [("?x", "?p", "?y")], ("?p", "?c"), set(ontology.subject_objects(RDFS.domain)))
    add("prp-rng", ("?y", A, "?c"), [("?x", "?p", "?y")], ("?p", "?c"), set(ontology.subject_objects(RDFS.range)),
        no_literal="?y")
    inv = set()
    for p, q in ontology.subject_objects(OWL.inverseOf):
        inv |= {(p, q), (q, p)}
    inv |= {(p, p) for p in ontology.subjects(RDF.type, OWL.SymmetricProperty)}
    add("prp-inv", ("?y", "?q", "?x"), [("?x", "?p", "?y")], ("?p", "?q"), inv, no_literal="?y")
    for p in sorted(ontology.subjects(RDF.type, OWL.TransitiveProperty)):
        add(f"prp-trp {p}", ("?x", p, "?z"), [("?x", p, "?y"), ("?y", p, "?z")])
    for q, chain_node in sorted(ontology.subject_objects(OWL.propertyChainAxiom)):
        chain = list(Collection(ontology, chain_node))
        _name_all(f"the property chain of {q.n3()}", [q, *chain])
        add(f"prp-spo2 {q}", ("?v0", q, f"?v{len(chain)}"), [(f"?v{i}", p, f"?v{i + 1}") for i, p in enumerate(chain)])

    hv1, hv2 = set(), set()
    for r in ontology.subjects(OWL.hasValue, None):
        p, v = ontology.value(r, OWL.onProperty), ontology.value(r, OWL.hasValue)
        _name_all(f"the hasValue restriction on {p.n3() if p else '?'}", [p, v])
        # cls-hv1: every instance of a class below the restriction has the value;
        # cls-hv2: whatever has the value is in the restriction, so in every class above it.
        below = {c for c, supers in classes.items() if r in supers} | {r}
        above = classes.get(r, set()) | {r}
        hv1 |= {(c, p, v) for c in below}
        hv2 |= {(p, v, c) for c in above}
    add("cls-hv1", ("?x", "?p", "?v"), [("?x", A, "?c")], ("?c", "?p", "?v"), hv1)
    add("cls-hv2", ("?x", A, "?c"), [("?x", "?p", "?v")], ("?p", "?v", "?c"), hv2)
    return rules


def _name_all(what: str, terms) -> None:
    for t in terms:
        if t is None or isinstance(t, BNode):
            raise InputError(f"{what} needs a named property or value; name it in the ontology")


def functional_properties(ontology: Graph) -> list[URIRef]:
    return sorted(p for p in ontology.subjects(RDF.type, OWL.FunctionalProperty) if isinstance(p, URIRef))
