"""SPARQL 1.1 Protocol over real HTTP with raw requests: every way of sending a query, the
error cases, datasets, content negotiation."""
from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest
import requests

G = "https://w3id.org/mineralgraph/graph/"

ZH = "关键矿产"
ZH_QUERY = f'SELECT ?s WHERE {{ ?s ?p "{ZH}"@zh }}'
LABEL_QUERY = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?label WHERE { <https://w3id.org/mineralgraph/id/mineral/critical> skos:prefLabel ?label .
FILTER(lang(?label) = "zh") }"""
CRITICAL = "https://w3id.org/mineralgraph/id/mineral/critical"
SRJ = "application/sparql-results+json"


def _bindings(response):
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith(SRJ)
    return response.json()["results"]["bindings"]


# -- three ways to send a query, Chinese text surviving each --------------------------------

def test_get_with_chinese_literal(live):
    r = requests.get(live.sparql, params={"query": ZH_QUERY})
    assert [b["s"]["value"] for b in _bindings(r)] == [CRITICAL]


def test_get_returns_chinese_literal_with_language(live):
    (b,) = _bindings(requests.get(live.sparql, params={"query": LABEL_QUERY}))
    assert b["label"] == {"type": "literal", "value": ZH, "xml:lang": "zh"}


def test_form_post_with_charset_parameter(live):
    r = requests.post(live.sparql, data={"query": ZH_QUERY},
                      headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"})
    assert [b["s"]["value"] for b in _bindings(r)] == [CRITICAL]


def test_form_post_decodes_exactly_once(live):
    # A literal percent sequence in the query must arrive as typed, not be decoded twice.
    query = 'SELECT ?x WHERE { BIND("100%25 关键矿产+" AS ?x) }'
    (b,) = _bindings(requests.post(live.sparql, data={"query": query}))
    assert b["x"]["value"] == "100%25 关键矿产+"
    (b,) = _bindings(requests.get(live.sparql, params={"query": query}))
    assert b["x"]["value"] == "100%25 关键矿产+"


def test_direct_post(live):
    r = requests.post(live.sparql, data=ZH_QUERY.encode(),
                      headers={"Content-Type": "application/sparql-query; charset=utf-8"})
    assert [b["s"]["value"] for b in _bindings(r)] == [CRITICAL]


def test_direct_post_without_charset_is_utf8(live):
    r = requests.post(live.sparql, data=LABEL_QUERY.encode(), headers={"Content-Type": "application/sparql-query"})
    assert _bindings(r)[0]["label"]["value"] == ZH


# -- errors ----------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs,needle", [
    ({"params": {"query": "SELECT ?x WHERE {"}}, "syntax"),
    ({"params": [("query", "ASK {}"), ("query", "ASK {}")]}, "exactly once"),
])
def test_get_errors_are_400_with_message(live, kwargs, needle):
    r = requests.get(live.sparql, **kwargs)
    assert r.status_code == 400
    assert r.headers["Content-Type"].startswith("text/plain")
    assert needle in r.text


def test_post_missing_query(live):
    r = requests.post(live.sparql, data={"default-graph-uri": G + "ontology"})
    assert r.status_code == 400 and "Missing 'query'" in r.text


def test_post_query_in_url_and_body_is_duplicate(live):
    r = requests.post(live.sparql, params={"query": "ASK {}"}, data={"query": "ASK {}"})
    assert r.status_code == 400 and "exactly once" in r.text


def test_direct_post_with_query_param_is_400(live):
    r = requests.post(live.sparql, params={"query": "ASK {}"}, data=b"ASK {}",
                      headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400


@pytest.mark.parametrize("ctype", ["text/plain", "application/json", None])
def test_post_wrong_content_type(live, ctype):
    headers = {"Content-Type": ctype} if ctype else {}
    r = requests.post(live.sparql, data=b"ASK {}", headers=headers)
    assert r.status_code == 400 and "Content-Type" in r.text


def test_bad_encoding_is_400(live):
    r = requests.post(live.sparql, data=b"ASK { FILTER(\xff) }", headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400
    r = requests.post(live.sparql, data=b"query=%ff", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400
    r = requests.post(live.sparql, data=b"ASK {}", headers={"Content-Type": "application/sparql-query; charset=nope"})
    assert r.status_code == 415 and "UTF-8" in r.text


@pytest.mark.parametrize("charset", ["utf-16", "shift_jis", "euc-jp", "gb18030"])
def test_declared_non_utf8_charset_is_refused_never_misread(live, charset):
    query = 'SELECT ?x WHERE { BIND("ア" AS ?x) }'  # a character each of these charsets encodes differently from UTF-8
    for ctype, body in (("application/sparql-query", query),
                        ("application/x-www-form-urlencoded", "query=" + requests.utils.quote(query, encoding=charset)
                         if charset != "utf-16" else "query=ASK%7B%7D")):
        r = requests.post(live.sparql, data=body.encode(charset),
                          headers={"Content-Type": f"{ctype}; charset={charset}"})
        assert r.status_code == 415 and f"charset={charset}" in r.text, (ctype, r.status_code, r.text)


def test_utf8_declared_or_not_and_bom_accepted(live):
    query = 'SELECT ?x WHERE { BIND("关键" AS ?x) }'
    for ctype in ("application/sparql-query", "application/sparql-query; charset=UTF-8",
                  'application/sparql-query; charset="utf-8"'):
        (b,) = _bindings(requests.post(live.sparql, data=query.encode(), headers={"Content-Type": ctype}))
        assert b["x"]["value"] == "关键"
    (b,) = _bindings(requests.post(live.sparql, data=b"\xef\xbb\xbf" + query.encode(),
                                   headers={"Content-Type": "application/sparql-query"}))
    assert b["x"]["value"] == "关键"


def test_utf16_body_without_charset_is_400(live):
    r = requests.post(live.sparql, data="ASK {}".encode("utf-16"), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400 and "not valid UTF-8" in r.text


def test_relative_iris_resolve_against_the_request_url(live):
    r = requests.post(live.sparql, data=b"CONSTRUCT { <s> <p> 1 } WHERE {}",
                      headers={"Content-Type": "application/sparql-query", "Accept": "application/n-triples"})
    assert r.status_code == 200, r.text
    assert r.text.strip() == (f"<{live.url}/s> <{live.url}/p> "
                              '"1"^^<http://www.w3.org/2001/XMLSchema#integer> .')
    (b,) = _bindings(requests.get(live.sparql, params={"query": "SELECT ?x WHERE { BIND(<#here> AS ?x) }"}))
    assert b["x"]["value"] == live.sparql + "#here"
    # An explicit BASE in the query still wins.
    (b,) = _bindings(requests.get(live.sparql, params={"query": "BASE <http://e.org/a/> SELECT ?x WHERE { BIND(<b> AS ?x) }"}))
    assert b["x"]["value"] == "http://e.org/a/b"


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_405(live, method):
    r = requests.request(method, live.sparql, data=b"ASK {}")
    assert r.status_code == 405
    assert "GET" in r.headers["Allow"] and "POST" in r.headers["Allow"]


def test_update_sent_as_query_is_400(live):
    r = requests.get(live.sparql, params={"query": "CLEAR ALL"})
    assert r.status_code == 400


def test_service_refused(live):
    q = "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
    r = requests.get(live.sparql, params={"query": q})
    assert r.status_code == 400 and "SERVICE" in r.text


def test_invalid_dataset_iri_is_400(live):
    r = requests.get(live.sparql, params={"query": "ASK {}", "default-graph-uri": "not an iri"})
    assert r.status_code == 400


# -- datasets --------------------------------------------------------------------------------

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _count(live, **params):
    (b,) = _bindings(requests.get(live.sparql, params={"query": COUNT, **params}))
    return int(b["n"]["value"])


def test_default_graph_is_union(live):
    assert _count(live) == 52


def test_default_graph_uri_restricts(live):
    assert _count(live, **{"default-graph-uri": G + "derived"}) == 2
    r = requests.get(live.sparql, params=[("query", COUNT), ("default-graph-uri", G + "derived"),
                                          ("default-graph-uri", G + "inferred")])
    assert int(_bindings(r)[0]["n"]["value"]) == 8


def test_named_graph_uri(live):
    q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    r = requests.get(live.sparql, params={"query": q, "named-graph-uri": G + "inferred"})
    assert [b["g"]["value"] for b in _bindings(r)] == [G + "inferred"]


def test_named_graphs_by_name(live):
    for name, n in [("inferred", 6), ("derived", 2), ("source/004", 9)]:
        q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{G}{name}> {{ ?s ?p ?o }} }}"
        assert int(_bindings(requests.get(live.sparql, params={"query": q}))[0]["n"]["value"]) == n


def test_from_clause_in_query_is_honoured(live):
    q = f"SELECT (COUNT(*) AS ?n) FROM <{G}derived> WHERE {{ ?s ?p ?o }}"
    assert int(_bindings(requests.get(live.sparql, params={"query": q}))[0]["n"]["value"]) == 2


# -- content negotiation ---------------------------------------------------------------------

def test_select_formats(live):
    q = {"query": LABEL_QUERY}
    r = requests.get(live.sparql, params=q, headers={"Accept": "application/sparql-results+xml"})
    assert r.headers["Content-Type"].startswith("application/sparql-results+xml")
    ns = "{http://www.w3.org/2005/sparql-results#}"
    lit = ET.fromstring(r.content).find(f".//{ns}literal")
    assert lit.text == ZH and lit.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh"
    r = requests.get(live.sparql, params=q, headers={"Accept": "text/csv"})
    assert r.headers["Content-Type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(r.content.decode()))) == [["label"], [ZH]]
    r = requests.get(live.sparql, params=q, headers={"Accept": "text/tab-separated-values"})
    assert r.content.decode().splitlines() == ["?label", f'"{ZH}"@zh']
    assert "Accept" in r.headers["Vary"].split(", ")


def test_q_values_and_defaults(live):
    q = {"query": "ASK { ?s ?p ?o }"}
    r = requests.get(live.sparql, params=q, headers={"Accept": "text/csv;q=0.1, application/sparql-results+xml;q=0.5"})
    assert r.headers["Content-Type"].startswith("application/sparql-results+xml")
    for accept in (None, "*/*"):
        r = requests.get(live.sparql, params=q, headers={"Accept": accept} if accept else {})
        assert r.headers["Content-Type"].startswith(SRJ) and r.json()["boolean"] is True


def test_406_when_nothing_matches(live):
    r = requests.get(live.sparql, params={"query": "ASK {}"}, headers={"Accept": "image/png"})
    assert r.status_code == 406 and r.headers["Vary"] == "Accept"
    r = requests.get(live.sparql, params={"query": "ASK {}"}, headers={"Accept": "text/csv"})
    assert r.status_code == 406  # CSV cannot carry a boolean


CONSTRUCT = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{G}gazetteer> {{ ?s ?p ?o }} }}"


@pytest.mark.parametrize("accept,fmt", [
    ("text/turtle", ox.RdfFormat.TURTLE), ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/ld+json", ox.RdfFormat.JSON_LD), ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    ("application/trig", ox.RdfFormat.TRIG), ("application/n-quads", ox.RdfFormat.N_QUADS),
])
def test_construct_formats(live, accept, fmt):
    r = requests.get(live.sparql, params={"query": CONSTRUCT}, headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith(accept)
    quads = list(ox.parse(r.content, format=fmt))
    assert len(quads) == 15
    assert ox.Literal(ZH, language="zh") in {q.object for q in quads}


def test_construct_default_is_turtle_and_describe_works(live):
    r = requests.get(live.sparql, params={"query": f"DESCRIBE <{CRITICAL}>"})
    assert r.headers["Content-Type"].startswith("text/turtle")
    assert ZH in r.content.decode()


def test_format_parameters_override_accept(live):
    # What SPARQLWrapper sends for JSON.
    params = {"query": LABEL_QUERY, "format": "json", "output": "json", "results": "json"}
    r = requests.get(live.sparql, params=params, headers={"Accept": "text/csv"})
    assert r.headers["Content-Type"].startswith(SRJ)
    r = requests.get(live.sparql, params={"query": CONSTRUCT, "format": "json"})
    assert r.headers["Content-Type"].startswith("application/ld+json")
    r = requests.get(live.sparql, params={"query": LABEL_QUERY, "format": "unknown-thing"},
                     headers={"Accept": "text/csv"})
    assert r.headers["Content-Type"].startswith("text/csv")  # unknown names are tolerated, ignored


# -- cross-cutting headers -------------------------------------------------------------------

def test_cors_timing_and_preflight(live):
    r = requests.get(live.sparql, params={"query": "ASK {}"}, headers={"Origin": "https://example.org"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in r.headers
    assert "query;dur=" in r.headers["Server-Timing"] and "total;dur=" in r.headers["Server-Timing"]
    r = requests.options(live.sparql, headers={"Origin": "https://example.org",
                                                "Access-Control-Request-Method": "POST"})
    assert r.status_code == 200 and "POST" in r.headers["Access-Control-Allow-Methods"]


def test_healthz(live):
    r = requests.get(live.url + "/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok" and r.json()["triples"] == 52


def test_access_log_one_line_per_request(live, caplog):
    import logging
    import time
    with caplog.at_level(logging.INFO, logger="mineralgraph.access"):
        requests.get(live.sparql, params={"query": "ASK { ?marker1 ?p ?o }"})
        requests.get(live.url + "/nowhere-marker2")
        # The line is written when the server closes the response, just after the client has it.
        for _ in range(200):
            lines = [r.getMessage() for r in caplog.records if r.name == "mineralgraph.access"]
            if any("marker2" in line for line in lines):
                break
            time.sleep(0.01)
    assert len([line for line in lines if "marker1" in line]) == 1
    assert len([line for line in lines if "marker2" in line]) == 1
    (first,) = [line for line in lines if "marker1" in line]
    assert '"GET /sparql?query=' in first and " 200 " in first
    (second,) = [line for line in lines if "marker2" in line]
    assert " 404 " in second
