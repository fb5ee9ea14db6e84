"""Apache Jena as a real client of the live endpoint (arq.rsparql: Jena sends the query, parses
our answer and writes it again in each format) on the real build."""
from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest

ROOT = Path(__file__).resolve().parents[2]
ID = "https://w3id.org/mineralgraph/id/"
SRES = "{http://www.w3.org/2005/sparql-results#}"
MEMBERS = """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?member ?name WHERE {
  GRAPH <https://w3id.org/mineralgraph/graph/source/001> {
    ?m org:member ?member ; org:organization <https://w3id.org/mineralgraph/id/mechanism/msp> }
  ?member skos:prefLabel ?name FILTER(langMatches(lang(?name), "zh-Hans"))
} ORDER BY ?member"""
CONSTRUCT = f"""PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
CONSTRUCT {{ ?c skos:prefLabel ?name }} WHERE {{
  VALUES ?c {{ <{ID}country/JPN> <{ID}country/KOR> }} ?c skos:prefLabel ?name }}"""
ASK = f"""ASK {{ GRAPH <https://w3id.org/mineralgraph/graph/source/001> {{
  ?m <http://www.w3.org/ns/org#member> <{ID}country/JPN> ;
     <http://www.w3.org/ns/org#organization> <{ID}mechanism/msp> }} }}"""
ASK_INDIA = ASK.replace("country/JPN", "country/IND")  # 001 does not name India (印度)


@pytest.fixture(scope="module")
def real(start_server):
    from mineralgraph.pipeline import ensure_built

    return start_server(ensure_built(ROOT), workers=2)



def test_jena_rsparql_select_construct_ask(jena, real, msp_001_members):
    runs = {fmt: ["--results", fmt, MEMBERS] for fmt in ("json", "xml", "csv", "tsv")}
    runs |= {"ttl": ["--results", "ttl", CONSTRUCT], "nt": ["--post", "--results", "nt", CONSTRUCT],
             "ask": ["--results", "json", ASK], "ask-india": ["--post", "--results", "json", ASK_INDIA]}
    # All JVMs at once: each start costs about a second.
    procs = {name: jena.start("arq.rsparql", "--service", real.sparql, *args) for name, args in runs.items()}
    out = {name: jena.finish(proc)[0] for name, proc in procs.items()}
    expected = msp_001_members

    rows = json.loads(out["json"])["results"]["bindings"]
    assert [(r["member"]["value"], r["name"]["value"]) for r in rows] == expected
    assert {r["name"]["xml:lang"].lower() for r in rows} == {"zh-hans"}

    results = ET.fromstring(out["xml"]).iter(SRES + "result")
    got = []
    for result in results:
        cells = {b.get("name"): b[0] for b in result.iter(SRES + "binding")}
        assert cells["name"].get("{http://www.w3.org/XML/1998/namespace}lang").lower() == "zh-hans"
        got.append((cells["member"].text, cells["name"].text))
    assert got == expected

    assert [(r["member"], r["name"]) for r in csv.DictReader(io.StringIO(out["csv"]))] == expected
    tsv = [line.split("\t") for line in out["tsv"].splitlines()]
    assert tsv[0] == ["?member", "?name"]
    assert [[m, n.lower()] for m, n in tsv[1:]] == [[f"<{iri}>", f'"{name}"@zh-hans'] for iri, name in expected]

    for fmt, rdf_format in (("ttl", ox.RdfFormat.TURTLE), ("nt", ox.RdfFormat.N_TRIPLES)):
        triples = {(t.subject.value, t.object.value, t.object.language)
                   for t in ox.parse(out[fmt].encode(), format=rdf_format)}
        assert (ID + "country/JPN", "日本", "zh-hans") in {(s, o, (lang or "").lower()) for s, o, lang in triples}
        assert (ID + "country/KOR", "韩国", "zh-hans") in {(s, o, (lang or "").lower()) for s, o, lang in triples}

    assert json.loads(out["ask"])["boolean"] is True
    assert json.loads(out["ask-india"])["boolean"] is False


def test_jena_parses_each_of_our_result_formats(jena, real, tmp_path, msp_001_members):
    """rsparql asks for JSON; here Jena's own readers (arq.rset) parse our XML, TSV and CSV too."""
    import requests

    media = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
             "tsv": "text/tab-separated-values", "csv": "text/csv"}
    procs = {}
    for fmt, mime in media.items():
        r = requests.get(real.sparql, params={"query": MEMBERS}, headers={"Accept": mime}, timeout=30)
        assert r.status_code == 200 and r.headers["Content-Type"].startswith(mime), (fmt, r.status_code)
        (tmp_path / f"members.{fmt}").write_bytes(r.content)
        procs[fmt] = jena.start("arq.rset", f"--in={fmt}", "--results=json", f"--file={tmp_path / f'members.{fmt}'}")
    for fmt, proc in procs.items():
        rows = json.loads(jena.finish(proc)[0])["results"]["bindings"]
        assert [(r["member"]["value"], r["name"]["value"]) for r in rows] == msp_001_members, fmt
        if fmt != "csv":  # CSV carries no language tags
            assert {r["name"]["xml:lang"].lower() for r in rows} == {"zh-hans"}, fmt
