"""Comunica (@comunica/query-sparql, the JavaScript SPARQL engine) as a real client of the live
endpoint on the real build: Comunica speaks the SPARQL protocol to us (`sparql@URL` source), parses
our answers and writes them again; and, given our dumps instead of the endpoint, gives the same answers."""
from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest

ROOT = Path(__file__).resolve().parents[2]
ID = "https://w3id.org/mineralgraph/id/"
SRJ = "application/sparql-results+json"
PREFIXES = """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
MEMBERS = PREFIXES + """SELECT ?member ?name WHERE {
  GRAPH <https://w3id.org/mineralgraph/graph/source/001> {
    ?m org:member ?member ; org:organization <https://w3id.org/mineralgraph/id/mechanism/msp> }
  ?member skos:prefLabel ?name FILTER(langMatches(lang(?name), "zh-Hans"))
} ORDER BY ?member"""
# The same question for a store without our union default graph (the N-Quads dump: every triple in
# its named graph, the default graph empty): the labels are asked for in whichever graph holds them.
MEMBERS_QUADS = MEMBERS.replace("SELECT ?member", "SELECT DISTINCT ?member").replace(
    "?member skos:prefLabel ?name", "GRAPH ?labels { ?member skos:prefLabel ?name }")
JAPAN = PREFIXES + f"SELECT ?label WHERE {{ <{ID}country/JPN> skos:prefLabel ?label }}"
ASK = f"""ASK {{ GRAPH <https://w3id.org/mineralgraph/graph/source/001> {{
  ?m <http://www.w3.org/ns/org#member> <{ID}country/JPN> ;
     <http://www.w3.org/ns/org#organization> <{ID}mechanism/msp> }} }}"""
ASK_INDIA = ASK.replace("country/JPN", "country/IND")  # 001 does not name India (印度)
CONSTRUCT = PREFIXES + f"""CONSTRUCT {{ ?c skos:prefLabel ?name }} WHERE {{
  VALUES ?c {{ <{ID}country/JPN> <{ID}country/KOR> }} ?c skos:prefLabel ?name }}"""
# Chinese literals in the query: an exact zh-Hans label, and a Chinese substring of labels.
BY_NAME = PREFIXES + 'SELECT ?c WHERE { ?c skos:prefLabel ?n FILTER(?n = "日本"@zh-Hans) }'
MSP_BY_CHINESE = PREFIXES + f"""SELECT DISTINCT ?member ?name WHERE {{
  GRAPH <https://w3id.org/mineralgraph/graph/source/001> {{ ?m org:member ?member ; org:organization <{ID}mechanism/msp> }}
  ?member skos:prefLabel ?name FILTER(lang(?name) = "zh-hans" && CONTAINS(?name, "大")) }} ORDER BY ?member"""
# Every member any source gives the MSP (the union of all sources): the question asked of the
# endpoint and of the Turtle dump (the union of all graphs as plain triples).
ALL_MSP = PREFIXES + f"""SELECT DISTINCT ?member WHERE {{
  ?m org:member ?member ; org:organization <{ID}mechanism/msp> }} ORDER BY ?member"""
# Long enough (over Comunica's 600-character limit for a GET URL) that Comunica POSTs it, with 30 PREFIXes.
LONG = "".join(f"PREFIX unused{i}: <https://example.org/unused/{i}#>\n" for i in range(30)) + MEMBERS


@pytest.fixture(scope="module")
def built_dist() -> Path:
    from mineralgraph.pipeline import ensure_built

    return ensure_built(ROOT)


@pytest.fixture(scope="module")
def real(start_server, built_dist):
    return start_server(built_dist, workers=2)



def _rows(answer: str) -> list[dict]:
    return json.loads(answer)["results"]["bindings"]


def _member_names(answer: str) -> list[tuple[str, str]]:
    rows = _rows(answer)
    # Comunica writes the tag it parsed from our answer: a lost tag (or one read as a datatype) shows here.
    assert [(r["name"].get("xml:lang", "").lower(), r["name"].get("datatype")) for r in rows] == \
        [("zh-hans", None)] * len(rows), rows
    return [(r["member"]["value"], r["name"]["value"]) for r in rows]


def test_comunica_cli_select_msp_members(comunica, real, msp_001_members):
    """`comunica-sparql sparql@ENDPOINT QUERY`, as an engineer types it."""
    out = comunica.cli(f"sparql@{real.sparql}", "-t", SRJ, MEMBERS)
    assert _member_names(out) == msp_001_members
    labels = _rows(comunica.cli(f"sparql@{real.sparql}", "-t", SRJ, JAPAN))
    assert sorted((r["label"]["value"], r["label"]["xml:lang"].lower()) for r in labels) == \
        [("Japan", "en"), ("日本", "zh-hans"), ("日本", "zh-hant")]


def _access_lines(caplog, at_least: int) -> list[str]:
    # The access line is written when the server closes the response, just after the client has it.
    for _ in range(500):
        lines = [r.getMessage() for r in caplog.records if r.name == "mineralgraph.access"]
        if len(lines) >= at_least:
            break
        time.sleep(0.01)
    return lines


def test_comunica_engine_ask_construct_chinese_and_post(comunica, real, caplog, msp_001_members):
    endpoint = [f"sparql@{real.sparql}"]
    with caplog.at_level(logging.INFO, logger="mineralgraph.access"):
        ask, ask_india, construct, by_name, by_chinese, long = comunica.engine([
            {"query": ASK, "sources": endpoint, "mediaType": SRJ},
            {"query": ASK_INDIA, "sources": endpoint, "mediaType": SRJ},
            {"query": CONSTRUCT, "sources": endpoint, "mediaType": "application/n-triples"},
            {"query": BY_NAME, "sources": endpoint, "mediaType": SRJ},
            {"query": MSP_BY_CHINESE, "sources": endpoint, "mediaType": SRJ},
            {"query": LONG, "sources": endpoint, "mediaType": SRJ},
        ])
        lines = _access_lines(caplog, 6)
    # One request per query (Comunica hands a lone SPARQL source the whole query); Comunica POSTs a
    # query whose GET URL would reach 600 characters: LONG and (its Chinese percent-encoded) MSP_BY_CHINESE.
    queries = [ASK, ASK_INDIA, CONSTRUCT, BY_NAME, MSP_BY_CHINESE, LONG]
    long_urls = [q for q in queries if len(f"{real.sparql}?query={quote(q, safe='')}") >= 600]
    assert long_urls == [MSP_BY_CHINESE, LONG]
    assert len(lines) == 6 and all(" 200 " in line for line in lines), lines
    assert len([line for line in lines if '"POST /sparql"' in line]) == 2, lines
    assert json.loads(ask)["boolean"] is True
    assert json.loads(ask_india)["boolean"] is False

    triples = {(t.subject.value, t.predicate.value, t.object.value, t.object.language)
               for t in ox.parse(construct.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)}
    label = "http://www.w3.org/2004/02/skos/core#prefLabel"
    assert {(s, p, o, lang.lower()) for s, p, o, lang in triples} == {
        (ID + "country/JPN", label, "日本", "zh-hans"), (ID + "country/JPN", label, "日本", "zh-hant"),
        (ID + "country/JPN", label, "Japan", "en"), (ID + "country/KOR", label, "韩国", "zh-hans"),
        (ID + "country/KOR", label, "韓國", "zh-hant"), (ID + "country/KOR", label, "South Korea", "en")}

    assert [r["c"]["value"] for r in _rows(by_name)] == [ID + "country/JPN"]
    # 澳大利亚 and 加拿大 are the members (001's roster) whose Chinese names hold 大.
    assert _member_names(by_chinese) == [(ID + "country/AUS", "澳大利亚"), (ID + "country/CAN", "加拿大")]
    assert _member_names(long) == msp_001_members


def test_comunica_on_our_dumps_answers_as_the_endpoint(comunica, real, built_dist, msp_001_members):
    from mineralgraph.publish.dumpcache import deferred_file

    """A user can load our dumps into their own engine: the Turtle dump read from disk and the
    N-Quads dump fetched from /dump/ give Comunica the endpoint's answers."""
    turtle = {"file": str(deferred_file(built_dist, "mineralgraph.ttl")[0]), "mediaType": "text/turtle"}
    nquads = real.url + "/dump/mineralgraph.nq"
    endpoint = f"sparql@{real.sparql}"
    from_endpoint, from_turtle, quads_endpoint, from_nquads = comunica.engine([
        {"query": ALL_MSP, "sources": [endpoint], "mediaType": SRJ},
        {"query": ALL_MSP, "sources": [turtle], "mediaType": SRJ},
        {"query": MEMBERS_QUADS, "sources": [endpoint], "mediaType": SRJ},
        {"query": MEMBERS_QUADS, "sources": [nquads], "mediaType": SRJ},
    ])
    members = [r["member"]["value"] for r in _rows(from_endpoint)]
    assert {iri for iri, _ in msp_001_members} <= set(members)  # at least 001's roster
    assert [r["member"]["value"] for r in _rows(from_turtle)] == members
    assert _member_names(quads_endpoint) == _member_names(from_nquads) == msp_001_members
