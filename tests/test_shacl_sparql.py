"""The build's SHACL validator (shapes compiled to SPARQL, shaclsparql.py) against pySHACL, the
validator of `mineralgraph validate`: the same results on every shape fixture and on the seeds."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from mineralgraph import ntriples
from mineralgraph.errors import InputError
from mineralgraph.namespaces import ONTOLOGY_GRAPH
from mineralgraph.ontology import load_ontology
from mineralgraph.pipeline import data_graph
from mineralgraph.validate import load_shapes, shacl, shacl_store

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "shapes"
FIXTURE_FILES = sorted((FIXTURES / "valid").glob("*.ttl")) + sorted((FIXTURES / "invalid").glob("*.ttl"))


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_ontology(ROOT / "ontology")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes(ROOT / "shapes")


def _key(f):
    # the store keeps integer subtypes as xsd:integer (see shaclsparql.py): values compare modulo that
    return f.severity, f.focus, f.path, f.source, f.component, (f.value or "").replace("#nonNegativeInteger", "#integer"), f.message


def _compiled(data: Graph, shapes: Graph, ontology: Graph):
    store = ox.Store()
    store.load(ntriples.lines(data), format=ox.RdfFormat.N_TRIPLES)
    store.load(ntriples.lines(ontology), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(ONTOLOGY_GRAPH)))
    graphs = [ox.DefaultGraph(), ox.NamedNode(str(ONTOLOGY_GRAPH))]
    return shacl_store(lambda q: store.query(q, default_graph=graphs), shapes)


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_same_results_as_pyshacl_on_every_fixture(fixture, shapes, ontology):
    data = Graph().parse(FIXTURES / "common.ttl").parse(fixture)
    reference = {_key(f) for f in shacl(data, shapes, ontology)}
    assert {_key(f) for f in _compiled(data, shapes, ontology)} == reference
    if fixture.parent.name == "invalid":
        assert reference  # each violating fixture does violate, so the comparison is not empty


def test_same_results_as_pyshacl_on_the_seeds(built, shapes, ontology):
    data = data_graph(built)
    reference = {_key(f) for f in shacl(data, shapes, ontology)}
    # the three partly enumerated list versions: "The sources name 4 minerals of this list version, which declares 50"
    assert {f[1] for f in reference} == {"id:list/eu/2008", "id:list/us/2022", "id:list/jp/2015"}
    assert {_key(f) for f in _compiled(data, shapes, ontology)} == reference


REFUSED = {
    "sh:closed": "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:closed true .",
    # inside sh:or only per-value constraints are compiled: sh:node would otherwise be dropped
    "sh:node": "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:or ( [ sh:node ex:T ] ) ] .",
    # SHACL takes the severity from the shape; one on the constraint would be ignored silently
    "sh:severity on a SPARQL constraint": "ex:S a sh:NodeShape ; sh:targetClass ex:C ; "
    'sh:sparql [ sh:severity sh:Warning ; sh:select "SELECT $this WHERE { $this ex:p ?v }" ] .',
    "zeroOrMore": "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path [ sh:zeroOrMorePath ex:p ] ; sh:minCount 1 ] .",
    "does not project": 'ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select "SELECT ?v WHERE { $this ex:p ?v }" ] .',
    "sh:minCount on a node shape": "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:minCount 1 .",
}


@pytest.mark.parametrize("feature", sorted(REFUSED))
def test_a_shape_feature_the_compiler_lacks_is_refused(feature, shapes, ontology):
    extra = Graph().parse(data="@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .\n"
                          + REFUSED[feature], format="turtle")
    with pytest.raises(InputError, match=r"shape ex:S\b.*(sh:closed|sh:node|sh:severity|zeroOrMorePath|does not project|sh:minCount)"):
        _compiled(Graph(), shapes + extra, ontology)
