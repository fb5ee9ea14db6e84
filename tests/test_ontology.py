"""The ontology: OWL 2 RL-friendly, versioned, every term labelled and defined in English and Chinese."""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from mineralgraph.core.namespaces import MG
from mineralgraph.build.ontology import load_ontology

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]
TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual, OWL.AnnotationProperty)


def test_every_term_has_labels_and_definitions_in_english_and_chinese():
    onto = load_ontology(ROOT / "ontology")
    terms = {s for t in TERM_TYPES for s in onto.subjects(RDF.type, t) if isinstance(s, URIRef) and s.startswith(str(MG))}
    assert len(terms) > 100
    missing = []
    for term in sorted(terms):
        labels = {l.language for l in [*onto.objects(term, RDFS.label), *onto.objects(term, SKOS.prefLabel)]}
        definitions = {d.language for d in onto.objects(term, SKOS.definition)}
        if not {"en", "zh-Hans"} <= labels or not {"en", "zh-Hans"} <= definitions:
            missing.append(term)
    assert missing == []


def test_versioned_ontology_iri_and_trimmed_imports():
    onto = load_ontology(ROOT / "ontology")
    header = URIRef("https://w3id.org/mineralgraph/ont")
    assert onto.value(header, OWL.versionIRI) == URIRef("https://w3id.org/mineralgraph/ont/0.1.0")
    imports = set(onto.objects(header, OWL.imports))
    assert {str(i).rsplit("/", 1)[-1] for i in imports} == {"prov", "org", "skos", "dcterms", "time", "oa"}
    for module in imports:  # each import is a local trimmed module, declared as an ontology
        assert (module, RDF.type, OWL.Ontology) in onto


def test_chains_and_inverses_users_query():
    onto = load_ontology(ROOT / "ontology")
    org_has_member = URIRef("http://www.w3.org/ns/org#hasMember")
    assert onto.value(org_has_member, OWL.propertyChainAxiom) is not None
    assert onto.value(SKOS.member, OWL.propertyChainAxiom) is not None
    assert onto.value(MG.supports, OWL.inverseOf) == MG.supportedBy
