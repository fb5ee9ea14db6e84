"""Service Description, VoID, dump links and Graph Store reads."""
from __future__ import annotations

import gzip
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from mineralgraph.pipeline import ensure_built
from mineralgraph.server.service import dataset_stats
from mineralgraph.store.load import load_build

ROOT = Path(__file__).resolve().parents[2]

G = "https://w3id.org/mineralgraph/graph/"
SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
ZH = ox.Literal("关键矿产", language="zh")


def _parse(r, fmt=ox.RdfFormat.TURTLE):
    assert r.status_code == 200, r.text
    return list(ox.parse(r.content, format=fmt))


def _objects(triples, predicate):
    return [t.object for t in triples if t.predicate.value == predicate]


def test_service_description_turtle(live):
    r = requests.get(live.sparql)
    assert r.headers["Content-Type"].startswith("text/turtle")
    triples = _parse(r)
    assert ox.NamedNode(live.sparql) in _objects(triples, SD + "endpoint")
    assert ox.NamedNode(SD + "SPARQL11Query") in _objects(triples, SD + "supportedLanguage")
    assert ox.NamedNode(SD + "SPARQL11Update") not in _objects(triples, SD + "supportedLanguage")
    assert ox.NamedNode(SD + "UnionDefaultGraph") in _objects(triples, SD + "feature")
    names = {o.value for o in _objects(triples, SD + "name")}
    assert {G + "inferred", G + "derived", G + "source/004", G + "ontology"} <= names


@pytest.mark.parametrize("accept,fmt", [("application/rdf+xml", ox.RdfFormat.RDF_XML),
                                        ("application/ld+json", ox.RdfFormat.JSON_LD),
                                        ("application/n-triples", ox.RdfFormat.N_TRIPLES)])
def test_service_description_conneg(live, accept, fmt):
    r = requests.get(live.sparql, headers={"Accept": accept})
    assert r.headers["Content-Type"].startswith(accept)
    assert _objects(_parse(r, fmt), SD + "endpoint")


def test_service_description_406(live):
    assert requests.get(live.sparql, headers={"Accept": "image/png"}).status_code == 406


def test_void(live):
    triples = _parse(requests.get(live.url + "/void"))
    dataset = [t for t in triples if t.subject.value == "https://w3id.org/mineralgraph/dataset"]
    count = {t.predicate.value: t.object for t in dataset}
    assert int(count[VOID + "triples"].value) == 52
    assert int(count[VOID + "classes"].value) == 5  # 3 mg classes + owl:Class + owl:ObjectProperty
    # counted in a query worker once per build (Service.void_counts): 12 subjects, 9 predicates in mini.trig
    assert int(count[VOID + "distinctSubjects"].value) == 12
    assert int(count[VOID + "properties"].value) == 9
    assert len(_objects(triples, VOID + "subset")) == 6
    dumps = sorted(o.value for o in _objects(dataset, VOID + "dataDump"))
    # The fixture build has no .gz: the server compresses it on request.
    assert dumps == [live.url + "/dump/mineralgraph.trig", live.url + "/dump/mineralgraph.trig.gz"]
    r = requests.get(dumps[0])
    assert r.status_code == 200 and "关键矿产" in r.content.decode()
    gz = requests.get(dumps[1])
    assert gz.headers["Content-Type"] == "application/gzip" and gzip.decompress(gz.content) == r.content
    assert requests.get(live.url + "/dump/../conftest.py").status_code == 404
    assert requests.get(live.url + "/.well-known/void", headers={"Accept": "application/n-triples"}).ok


def test_gsp_named_graph(live):
    r = requests.get(live.url + "/store", params={"graph": G + "gazetteer"}, headers={"Accept": "text/turtle"})
    triples = _parse(r)
    assert len(triples) == 15 and ZH in {t.object for t in triples}


@pytest.mark.parametrize("accept,fmt", [("application/n-quads", ox.RdfFormat.N_QUADS),
                                        ("application/trig", ox.RdfFormat.TRIG),
                                        ("application/ld+json", ox.RdfFormat.JSON_LD),
                                        ("application/rdf+xml", ox.RdfFormat.RDF_XML)])
def test_gsp_default_graph_is_union(live, accept, fmt):
    r = requests.get(live.url + "/store?default", headers={"Accept": accept})
    assert r.headers["Content-Type"].startswith(accept)
    assert len(_parse(r, fmt)) == 52


def test_gsp_head_and_errors(live):
    r = requests.head(live.url + "/store", params={"graph": G + "derived"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/turtle") and not r.content
    assert requests.get(live.url + "/store", params={"graph": G + "nope"}).status_code == 404
    assert requests.get(live.url + "/store").status_code == 400
    assert requests.get(live.url + "/store?default", params={"graph": G + "derived"}).status_code == 400
    r = requests.put(live.url + "/store?default", data=b"", headers={"Content-Type": "text/turtle"})
    assert r.status_code == 405 and "read-only" in r.text


def test_counts_served_from_the_manifest_are_the_counts_of_the_store():
    """The server takes triples, graphs and classes from the build's manifest rather than counting
    them at every start (9.5 s at 1,000 sources): on the real build, they must be what counting
    the loaded store gives."""
    store, manifest = load_build(ensure_built(ROOT))
    from_manifest, counted = dataset_stats(store, manifest), dataset_stats(store)
    assert from_manifest == counted
    assert counted["triples"] == manifest["triples"] and len(counted["classes"]) > 50
