"""The OWL 2 RL rules this ontology needs, generated from its axioms as SPARQL CONSTRUCT queries.

Only the rule families the ontology uses are generated, each as one query with a VALUES table
(so a thousand sources cost one pass per family, not one per axiom):

| OWL 2 RL rule            | axiom                                   | query                              |
|--------------------------|-----------------------------------------|------------------------------------|
| cax-sco, cax-eqc         | rdfs:subClassOf, owl:equivalentClass    | ?x a C  =>  ?x a D (closure)       |
| prp-spo1, prp-eqp        | rdfs:subPropertyOf, equivalentProperty  | ?x P ?y =>  ?x Q ?y (closure)      |
| prp-dom, prp-rng         | rdfs:domain, rdfs:range                 | ?x P ?y =>  ?x a C / ?y a C        |
| prp-inv, prp-symp        | owl:inverseOf, owl:SymmetricProperty    | ?x P ?y =>  ?y Q ?x                |
| prp-trp                  | owl:TransitiveProperty                  | ?x P ?y . ?y P ?z  =>  ?x P ?z     |
| prp-spo2                 | owl:propertyChainAxiom                  | ?x P1 ?a . ?a P2 ?y  =>  ?x Q ?y   |
| cls-hv1, cls-hv2         | owl:hasValue restrictions               | ?x a C <=> ?x P v                  |

An axiom of a kind not listed (intersections, unions, cardinalities, ...) is refused when the
rules are generated, so a new ontology term can never be silently left without its reasoning.
"""

from __future__ import annotations

from collections import defaultdict

from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

from .errors import InputError

# Axioms that OWL 2 RL gives consequences for and this module does not implement.
UNSUPPORTED = [OWL.intersectionOf, OWL.unionOf, OWL.someValuesFrom, OWL.allValuesFrom, OWL.maxCardinality,
               OWL.maxQualifiedCardinality, OWL.hasKey, OWL.oneOf, OWL.complementOf, OWL.sameAs,
               OWL.AsymmetricProperty, OWL.InverseFunctionalProperty, OWL.IrreflexiveProperty]


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


def _values(rows) -> str:
    return " ".join("(" + " ".join(t.n3() for t in row) + ")" for row in sorted(rows))


def generate(ontology: Graph) -> list[tuple[str, str]]:
    """[(rule name, SPARQL CONSTRUCT)] for the ontology's axioms."""
    for p in UNSUPPORTED:
        if (None, p, None) in ontology or (None, RDF.type, p) in ontology:
            raise InputError(f"the ontology uses {p.n3()}, which the build's OWL 2 RL rules (rules.py) do not implement")

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
    sco = {(c, d) for c, supers in classes.items() for d in supers if isinstance(c, URIRef) and isinstance(d, URIRef)}
    if sco:
        rules.append(("cax-sco", f"CONSTRUCT {{ ?x a ?d }} WHERE {{ VALUES (?c ?d) {{ {_values(sco)} }} ?x a ?c }}"))
    spo = {(p, q) for p, supers in props.items() for q in supers if isinstance(p, URIRef) and isinstance(q, URIRef)}
    if spo:
        rules.append(("prp-spo1", f"CONSTRUCT {{ ?x ?q ?y }} WHERE {{ VALUES (?p ?q) {{ {_values(spo)} }} ?x ?p ?y }}"))
    dom = {(p, c) for p, c in ontology.subject_objects(RDFS.domain) if isinstance(c, URIRef)}
    if dom:
        rules.append(("prp-dom", f"CONSTRUCT {{ ?x a ?c }} WHERE {{ VALUES (?p ?c) {{ {_values(dom)} }} ?x ?p ?y }}"))
    rng = {(p, c) for p, c in ontology.subject_objects(RDFS.range) if isinstance(c, URIRef)}
    if rng:
        rules.append(("prp-rng", f"CONSTRUCT {{ ?y a ?c }} WHERE {{ VALUES (?p ?c) {{ {_values(rng)} }} ?x ?p ?y FILTER(!isLiteral(?y)) }}"))
    inv = set()
    for p, q in ontology.subject_objects(OWL.inverseOf):
        inv |= {(p, q), (q, p)}
    inv |= {(p, p) for p in ontology.subjects(RDF.type, OWL.SymmetricProperty)}
    if inv:
        rules.append(("prp-inv", f"CONSTRUCT {{ ?y ?q ?x }} WHERE {{ VALUES (?p ?q) {{ {_values(inv)} }} ?x ?p ?y FILTER(!isLiteral(?y)) }}"))
    for p in sorted(ontology.subjects(RDF.type, OWL.TransitiveProperty)):
        rules.append((f"prp-trp {p}", f"CONSTRUCT {{ ?x {p.n3()} ?z }} WHERE {{ ?x {p.n3()} ?y . ?y {p.n3()} ?z }}"))
    for q, chain_node in sorted(ontology.subject_objects(OWL.propertyChainAxiom)):
        chain = list(Collection(ontology, chain_node))
        steps = " . ".join(f"?v{i} {p.n3()} ?v{i + 1}" for i, p in enumerate(chain))
        rules.append((f"prp-spo2 {q}", f"CONSTRUCT {{ ?v0 {q.n3()} ?v{len(chain)} }} WHERE {{ {steps} }}"))

    hv1, hv2 = set(), set()
    for r in ontology.subjects(OWL.hasValue, None):
        p, v = ontology.value(r, OWL.onProperty), ontology.value(r, OWL.hasValue)
        # cls-hv1: every instance of a class below the restriction has the value;
        # cls-hv2: whatever has the value is in the restriction, so in every class above it.
        below = {c for c, supers in classes.items() if r in supers} | {r}
        above = classes.get(r, set()) | {r}
        hv1 |= {(c, p, v) for c in below if isinstance(c, URIRef)}
        hv2 |= {(p, v, c) for c in above if isinstance(c, URIRef)}
    if hv1:
        rules.append(("cls-hv1", f"CONSTRUCT {{ ?x ?p ?v }} WHERE {{ VALUES (?c ?p ?v) {{ {_values(hv1)} }} ?x a ?c }}"))
    if hv2:
        rules.append(("cls-hv2", f"CONSTRUCT {{ ?x a ?c }} WHERE {{ VALUES (?p ?v ?c) {{ {_values(hv2)} }} ?x ?p ?v }}"))
    _no_blank(rules)
    return rules


def _no_blank(rules) -> None:
    for name, text in rules:
        if "_:" in text:
            raise InputError(f"rule {name} would need a blank node from the ontology; name the class or property")

