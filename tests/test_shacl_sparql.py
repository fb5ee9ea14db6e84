"""The build's SHACL validator (shapes compiled to SPARQL, validate/shaclsparql.py) against pySHACL, the
validator of `mineralgraph validate`: the same results on every shape fixture and on the seeds."""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import RDF, XSD

from seedscope import SEED_IDS
from mineralgraph.core import ntriples
from mineralgraph.build.workstore import BuildStore
from mineralgraph.core.errors import InputError
from mineralgraph.core.namespaces import ONTOLOGY_GRAPH
from mineralgraph.build.ontology import load_ontology
from mineralgraph.validate.shaclsparql import as_stored
from mineralgraph.validate.validator import data_graph, shacl_store, validate_store
from mineralgraph.validate.validator import shacl

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "shapes"


def _seed_list_versions() -> set[str]:
    """The list versions the seeds' annotations declare, as the findings name them (id:list/us/2022)."""
    found = set()
    for path in (ROOT / "seeds" / "annotations").glob("*.yaml"):
        if path.name[:3] in SEED_IDS:
            for claim in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("claims") or []:
                found |= {f"id:list/{s['list_version']['version']}" for s in claim.get("statements") or [] if "list_version" in s}
    return found


SEED_LIST_VERSIONS = _seed_list_versions()
FIXTURE_FILES = sorted((FIXTURES / "valid").glob("*.ttl")) + sorted((FIXTURES / "invalid").glob("*.ttl"))


def _key(f):
    # as the store keeps terms (derived integer types as xsd:integer, language tags lower-cased)
    return f.severity, as_stored(f.focus), f.path, f.source, f.component, as_stored(f.value or ""), f.message



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


def test_validate_store_on_the_built_seeds(dist_dir, built, shapes, ontology):
    """The function the build calls, on dist/mineralgraph.nq laid out as the build store is
    (data graphs in the default graph, the ontology in its named graph): pySHACL's results, and
    the SPARQL checks find nothing."""
    bstore, ontology_graph = BuildStore(), ox.NamedNode(str(ONTOLOGY_GRAPH))
    seeds = ox.Store()
    seeds.load(path=str(dist_dir / "mineralgraph.nq"), format=ox.RdfFormat.N_QUADS)
    bstore.store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, q.graph_name if q.graph_name == ontology_graph
                                     else ox.DefaultGraph()) for q in seeds)
    report = validate_store(bstore, shapes, ROOT / "queries" / "checks")
    assert report.conforms and report.checks > 0
    assert all(f.source.startswith("<https://w3id.org/mineralgraph/shapes#") for f in report.findings)  # no check fired
    reference = {_key(f) for f in shacl(data_graph(built), shapes, ontology)}
    # the three partly enumerated list versions of the seeds: "The sources name 4 minerals of this list
    # version, which declares 50" (a newer source may declare another: us/2025 of 60, none named)
    assert {f[1] for f in reference if f[1] in SEED_LIST_VERSIONS} == {"id:list/eu/2008", "id:list/us/2022", "id:list/jp/2015"}
    assert {_key(f) for f in report.findings} == reference



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


# Damaged worlds: the fixtures only show each shape's one intended violation; these show that the
# two validators also agree on data broken in ways nobody wrote a fixture for (a triple dropped,
# an object swapped for another node, a literal retyped or re-tagged, an extra value or type).
# A number is only replaced by a well-typed number: rdflib's SPARQL orders a string or an ill-typed
# number against a number ("JPN" > 100 is true) where SPARQL, and so the store, has a type error; the
# datatype shapes report such a value in both validators, the SPARQL constraints only in pySHACL, and
# sh:minInclusive on "-1"^^xsd:nonNegativeInteger only in the store (SHACL: a comparison that is not
# true is a violation; pySHACL skips a value rdflib cannot convert).
_NUMBERS = [Literal("-1", datatype=XSD.integer), Literal("0", datatype=XSD.nonNegativeInteger),
            Literal("7", datatype=XSD.nonNegativeInteger), Literal("1.5", datatype=XSD.decimal)]
_OTHER_LITERALS = [
    Literal("x"), Literal("x", lang="fr"), Literal("x", lang="EN-gb"), Literal("JPN"), Literal("jp"),
    Literal("2022-13-01", datatype=XSD.date), Literal("2021-06-01", datatype=XSD.date), Literal("1799-12-31", datatype=XSD.date),
    Literal("abc", datatype=XSD.integer), Literal("yes", datatype=XSD.boolean), Literal("true", datatype=XSD.boolean),
    Literal("2022", datatype=XSD.gYear), Literal("22", datatype=XSD.gYear), Literal("2022-06", datatype=XSD.gYearMonth),
]


_ONTOLOGY_TERMS = set(load_ontology(ROOT / "ontology").subjects())


def _like(o, nodes, rng):
    """Another term of the same kind: a node for a node, a number for a number, a literal for a literal."""
    if not isinstance(o, Literal):
        return rng.choice(nodes)
    is_number = isinstance(o.value, (int, float, Decimal)) and not isinstance(o.value, bool)
    return rng.choice(_NUMBERS if is_number else _OTHER_LITERALS)


def _damage(g: Graph, rng) -> Graph:
    g = Graph() + to_canonical_graph(g)  # blank node labels from the content, so a seed picks the same triples every run
    triples = sorted(g, key=str)
    # an ontology term (mg:Mechanism) given a data class is left out: pySHACL reads its values from
    # the data graph alone, the build's validator from the ontology graph too, and data never types them
    nodes = sorted(({o for o in g.objects() if isinstance(o, URIRef)} | set(g.subjects())) - _ONTOLOGY_TERMS, key=str)
    classes = sorted({o for o in g.objects(None, RDF.type)}, key=str)
    for _ in range(rng.randint(1, 3)):
        s, p, o = rng.choice(triples)
        kind = rng.choice(["drop", "swap", "literal", "extra", "type"])
        if kind in ("drop", "swap", "literal"):
            g.remove((s, p, o))
        if kind == "swap":
            g.add((s, p, rng.choice(nodes) if not isinstance(o, Literal) else _like(o, nodes, rng)))
        elif kind == "literal":
            g.add((s, p, _like(o, nodes, rng) if isinstance(o, Literal) else rng.choice(_OTHER_LITERALS)))
        elif kind == "extra":
            g.add((s, p, _like(o, nodes, rng)))
        elif kind == "type":
            g.add((rng.choice(nodes), RDF.type, rng.choice(classes)))
    return g


@pytest.mark.parametrize("seed", range(30))
def test_same_results_as_pyshacl_on_damaged_fixtures(seed, shapes, ontology):
    rng = random.Random(seed)
    fixture = rng.choice(FIXTURE_FILES)
    data = _damage(Graph().parse(FIXTURES / "common.ttl").parse(fixture), rng)
    reference = {_key(f) for f in shacl(data, shapes, ontology)}
    assert {_key(f) for f in _compiled(data, shapes, ontology)} == reference
