"""Real client libraries against the live endpoint: SPARQLWrapper and rdflib's SPARQLStore."""
from __future__ import annotations

import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import GET, JSON, POST, POSTDIRECTLY, TURTLE, URLENCODED, XML, SPARQLWrapper

ZH = "关键矿产"
CRITICAL = "https://w3id.org/mineralgraph/id/mineral/critical"
LABELS = f"""PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?label WHERE {{ <{CRITICAL}> skos:prefLabel ?label }} ORDER BY ?label"""


def _wrapper(live, method=GET, request_method=URLENCODED, fmt=JSON):
    sw = SPARQLWrapper(live.sparql)
    sw.setMethod(method)
    sw.setRequestMethod(request_method)
    sw.setReturnFormat(fmt)
    return sw


def test_sparqlwrapper_select_all_methods(live):
    for method, request_method in [(GET, URLENCODED), (POST, URLENCODED), (POST, POSTDIRECTLY)]:
        sw = _wrapper(live, method, request_method)
        sw.setQuery(LABELS)
        rows = sw.query().convert()["results"]["bindings"]
        assert [(r["label"]["value"], r["label"].get("xml:lang")) for r in rows] == \
            [("critical minerals", "en"), (ZH, "zh")], (method, request_method)


def test_sparqlwrapper_filter_on_chinese(live):
    sw = _wrapper(live, POST, POSTDIRECTLY)
    sw.setQuery(f'ASK {{ <{CRITICAL}> ?p "{ZH}"@zh }}')
    assert sw.query().convert()["boolean"] is True


def test_sparqlwrapper_xml_and_construct(live):
    sw = _wrapper(live, fmt=XML)
    sw.setQuery(LABELS)
    doc = sw.query().convert()  # xml.dom.minidom document
    assert ZH in [n.firstChild.data for n in doc.getElementsByTagName("literal")]
    sw = _wrapper(live, fmt=TURTLE)
    sw.setQuery(f"CONSTRUCT WHERE {{ <{CRITICAL}> ?p ?o }}")
    graph = rdflib.Graph().parse(data=sw.query().convert(), format="turtle")
    assert rdflib.Literal(ZH, lang="zh") in set(graph.objects())


def test_rdflib_sparqlstore_select_with_many_prefixes(live):
    store = SPARQLStore(live.sparql, returnFormat="json")
    graph = rdflib.Graph(store=store)
    # rdflib prepends a PREFIX line for every namespace it knows: a long GET, as in real use.
    rows = list(graph.query(LABELS))
    assert [r.label for r in rows] == [rdflib.Literal("critical minerals", lang="en"), rdflib.Literal(ZH, lang="zh")]


def test_rdflib_sparqlstore_post_xml_construct(live):
    store = SPARQLStore(live.sparql, method="POST")
    graph = rdflib.Graph(store=store)
    result = graph.query(f"CONSTRUCT WHERE {{ <{CRITICAL}> ?p ?o }}")
    assert (rdflib.URIRef(CRITICAL), rdflib.SKOS.prefLabel, rdflib.Literal(ZH, lang="zh")) in set(result)
    assert graph.query(f'ASK {{ ?s ?p "{ZH}"@zh }}').askAnswer is True


def test_rdflib_sparqlstore_triples_pattern(live):
    graph = rdflib.Graph(store=SPARQLStore(live.sparql))
    labels = set(graph.objects(rdflib.URIRef(CRITICAL), rdflib.SKOS.prefLabel))
    assert rdflib.Literal(ZH, lang="zh") in labels
