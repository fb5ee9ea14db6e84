"""Everything the graph mints dereferences, on the real build: /ont and its terms, named graph
IRIs, per-family listings, the dump index (sizes, sha256, .gz), compact JSON-LD with the
published @context, VoID / Service Description metadata, friendly pages for browsers."""
from __future__ import annotations

import gzip
import hashlib
import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph
from rdflib.compare import isomorphic

ROOT = Path(__file__).resolve().parents[2]
BASE = "https://w3id.org/mineralgraph/"
MG = BASE + "ont#"
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
VOID = "http://rdfs.org/ns/void#"
DCT = "http://purl.org/dc/terms/"


@pytest.fixture(scope="module")
def real(start_server):
    from mineralgraph.pipeline import ensure_built

    return start_server(ensure_built(ROOT), workers=2)


@pytest.fixture(scope="module")
def manifest(real):
    return json.loads((real.app.extensions["mineralgraph"].settings.dist_dir / "manifest.json").read_text())


def _triples(r, fmt=ox.RdfFormat.N_TRIPLES):
    assert r.status_code == 200, r.text[:300]
    return list(ox.parse(r.content, format=fmt))


# -- the ontology -----------------------------------------------------------------------------
def test_ont_page_lists_every_term_with_its_definition(real):
    r = requests.get(real.url + "/ont", headers=BROWSER)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    # ontology/mineralgraph.ttl: mg:Country skos:definition "A sovereign state, identified by its ISO 3166-1 alpha-3 code."
    assert 'id="Country"' in r.text and "A sovereign state, identified by its ISO 3166-1 alpha-3 code." in r.text
    assert "主权国家，以 ISO 3166-1 三字母代码标识。" in r.text
    rdf = _triples(requests.get(real.url + "/ont", headers={"Accept": "application/n-triples"}))
    terms = {t.subject.value[len(MG):] for t in rdf if t.subject.value.startswith(MG)}
    anchors = set(re.findall(r'<dt id="([^"]+)"', r.text))
    assert terms == anchors and "Claim" in terms and len(terms) > 100


def test_ont_term_links_from_pages_resolve(real):
    page = requests.get(real.url + "/id/country/JPN", headers=BROWSER).text
    linked = set(re.findall(r'href="/ont#([^"]+)"', page))
    assert "Country" in linked
    anchors = set(re.findall(r'<dt id="([^"]+)"', requests.get(real.url + "/ont", headers=BROWSER).text))
    assert linked <= anchors


def test_ont_term_path_redirects_or_suggests(real):
    r = requests.get(real.url + "/ont/Claim", allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"].endswith("/ont#Claim")
    r = requests.get(real.url + "/ont/Clam")
    assert r.status_code == 404 and "Did you mean: Claim (/ont#Claim)" in r.text
    r = requests.get(real.url + "/ont/Clam", headers=BROWSER)
    assert r.status_code == 404 and 'href="/ont#Claim"' in r.text


# -- named graphs -----------------------------------------------------------------------------
def test_graph_index_and_each_graph(real, manifest):
    listed = _triples(requests.get(real.url + "/graph/", headers={"Accept": "application/n-triples"}))
    counts = {t.subject.value: int(t.object.value) for t in listed if t.predicate.value == VOID + "triples"}
    assert counts == manifest["graphs"]
    for iri, n in manifest["graphs"].items():
        path = "/graph/" + iri[len(BASE + "graph/"):]
        assert requests.get(real.url + path, headers=BROWSER).status_code == 200, path
    # The largest graph whole, above the server's 10 000-row cap for ad-hoc queries.
    big = max(manifest["graphs"], key=manifest["graphs"].get)
    r = requests.get(real.url + "/graph/" + big[len(BASE + "graph/"):], headers={"Accept": "application/n-triples"})
    assert len(_triples(r)) == manifest["graphs"][big] > 10_000


def test_unknown_graph_suggests(real):
    r = requests.get(real.url + "/graph/source/04")
    assert r.status_code == 404 and "source/004 (/graph/source/004)" in r.text


# -- per-family listings ----------------------------------------------------------------------
def test_family_listing(real, manifest):
    rdf = _triples(requests.get(real.url + "/id/country/", headers={"Accept": "application/n-triples"}))
    countries = {t.subject.value for t in rdf}
    assert len(countries) == manifest["classes"]["mg:Country"]
    assert BASE + "id/country/JPN" in countries
    page = requests.get(real.url + "/id/country/", headers=BROWSER).text
    assert 'href="/id/country/JPN"' in page and "日本" in page
    r = requests.get(real.url + "/id/countri/")
    assert r.status_code == 404 and "country (/id/country/)" in r.text


# -- dumps ------------------------------------------------------------------------------------
def test_dump_index_matches_the_manifest_and_the_bytes(real, manifest):
    index = requests.get(real.url + "/dump/").json()["files"]
    by_name = {f["name"]: f for f in index}
    for name, info in manifest["files"].items():
        assert (by_name[name]["bytes"], by_name[name]["sha256"]) == (info["bytes"], info["sha256"])
        body = requests.get(real.url + f"/dump/{name}").content
        assert len(body) == info["bytes"] and hashlib.sha256(body).hexdigest() == info["sha256"], name
        if name.endswith(".gz"):
            plain = requests.get(real.url + f"/dump/{name[:-3]}").content
            assert gzip.decompress(body) == plain
    sums = requests.get(real.url + "/dump/SHA256SUMS").text.splitlines()
    assert f"{manifest['files']['mineralgraph.nq']['sha256']}  mineralgraph.nq" in sums
    assert requests.get(real.url + "/dump/", headers=BROWSER).text.count("<code class=\"hash\">") >= len(manifest["files"])
    r = requests.get(real.url + "/dump/mineralgraph.nq.gzz")
    assert r.status_code == 404 and "mineralgraph.nq.gz" in r.text


# -- JSON-LD ----------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/id/mechanism/msp", "/void", "/graph/derived", "/id/country/"])
def test_jsonld_is_compact_and_means_the_same_as_turtle(real, path):
    doc = requests.get(real.url + path, headers={"Accept": "application/ld+json"})
    assert doc.headers["Content-Type"].startswith("application/ld+json")
    data = doc.json()
    assert data["@context"] == requests.get(real.url + "/context.jsonld").json()["@context"]
    assert "mg:" in doc.text or "void:" in doc.text  # compact IRIs, not only full ones
    turtle = requests.get(real.url + path, headers={"Accept": "text/turtle"}).text
    assert isomorphic(Graph().parse(data=doc.text, format="json-ld"), Graph().parse(data=turtle, format="turtle"))


def test_sparql_construct_jsonld_is_compact(real):
    r = requests.get(real.url + "/sparql", headers={"Accept": "application/ld+json"},
                     params={"query": f"CONSTRUCT WHERE {{ <{BASE}id/country/JPN> ?p ?o }}"})
    doc = r.json()
    assert "@context" in doc and any(n.get("@id") == "country:JPN" for n in doc["@graph"])


# -- VoID, service description, OpenAPI ---------------------------------------------------------
def _dataset(real, path):
    triples = _triples(requests.get(real.url + path, headers={"Accept": "application/n-triples"}))
    return {t.predicate.value: t.object for t in triples if t.subject.value == BASE + "dataset"}, triples


@pytest.mark.parametrize("path", ["/void", "/sparql"])
def test_descriptions_carry_licence_publisher_date_and_examples(real, path):
    ds, triples = _dataset(real, path)
    assert ds[DCT + "license"].value == "https://creativecommons.org/licenses/by/4.0/"
    publisher = ds[DCT + "publisher"]
    assert any(t.subject == publisher and t.object.value == "mineralgraph contributors" for t in triples)
    built = real.app.extensions["mineralgraph"].settings.dist_dir / "manifest.json"
    day = datetime.fromtimestamp(built.stat().st_mtime, timezone.utc).date().isoformat()
    assert ds[DCT + "modified"].value == day
    examples = [t.object.value for t in triples if t.predicate.value == VOID + "exampleResource"]
    assert len(examples) >= 5
    for iri in examples:
        assert requests.get(real.url + iri[len(BASE) - 1:], headers={"Accept": "text/turtle"}).status_code == 200, iri


@pytest.mark.parametrize("path,title", [("/void", "VoID description"), ("/sparql", "SPARQL service description")])
def test_descriptions_are_pages_for_browsers_and_rdf_for_others(real, path, title):
    if path == "/sparql":  # a browser opening /sparql gets the query editor (issue 22); the page is a link away
        editor = requests.get(real.url + path, headers=BROWSER)
        assert editor.url == real.url + "/editor" and "editor.js" in editor.text
        path += "?format=html"
    page = requests.get(real.url + path, headers=BROWSER)
    assert page.headers["Content-Type"].startswith("text/html") and title in page.text
    assert "creativecommons.org/licenses/by/4.0" in page.text and "<rdf:RDF" not in page.text
    path = path.split("?")[0]
    assert requests.get(real.url + path).headers["Content-Type"].startswith("text/turtle")
    assert requests.get(real.url + path, headers={"Accept": "application/rdf+xml"}).text.startswith("<?xml")


def test_openapi_page_for_browsers_json_for_others(real):
    page = requests.get(real.url + "/openapi.json", headers=BROWSER)
    assert page.headers["Content-Type"].startswith("text/html") and "swagger-ui-bundle.js" in page.text
    assert requests.get(real.url + "/openapi.json").json()["openapi"].startswith("3.")
    assert requests.get(real.url + "/openapi.json?format=json", headers=BROWSER).json()["paths"]
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"):
        assert requests.get(real.url + f"/static/swagger-ui/{name}").status_code == 200
    assert "Apache License" in requests.get(real.url + "/static/swagger-ui/LICENSE").text


def test_repository_has_one_licence_story():
    text = (ROOT / "LICENSE").read_text()
    assert "MIT License" in text and "CC BY 4.0" in text and "NOT licensed by this project" in text
    ontology = (ROOT / "ontology" / "mineralgraph.ttl").read_text()
    assert "dcterms:license <https://creativecommons.org/licenses/by/4.0/>" in ontology


def test_dataset_iri_dereferences_to_its_description(real):
    r = requests.get(real.url + "/dataset", allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"].endswith("/void")
    page = requests.get(real.url + "/void", headers=BROWSER).text
    assert 'href="/dataset"' in page or "<code>" in page
    assert "mineralgraph contributors" in page  # the publisher shown inline, not as a bare IRI


def test_graph_store_sends_browsers_to_the_graph_page(real):
    g = BASE + "graph/source/004"
    r = requests.get(real.url + "/store", params={"graph": g}, headers=BROWSER, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"].endswith("/graph/source/004")
    r = requests.get(real.url + "/store?default", headers=BROWSER, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"].endswith("/graph/")
    # RDF clients (and a browser asking for a format) still get the graph.
    assert requests.get(real.url + "/store", params={"graph": g}).headers["Content-Type"].startswith("text/turtle")
    r = requests.get(real.url + "/store", params={"graph": g, "format": "ntriples"}, headers=BROWSER)
    assert r.headers["Content-Type"].startswith("application/n-triples")


@pytest.mark.parametrize("path", ["/ont/%ff", "/ont/<script>", "/ont/" + "x" * 3000, "/graph/%00", "/graph/a b",
                                  "/graph/\"><", "/id/%22%3E%3C/", "/id/x%00y/", "/id/" + "é" * 50 + "/",
                                  "/dump/..%2fmanifest.json", "/dump/%ff", "/ont?format=%00", "/graph/?format=zz"])
def test_hostile_paths_get_4xx_or_an_answer_never_500(real, path):
    for headers in ({}, BROWSER, {"Accept": "application/ld+json"}, {"If-None-Match": "\"\x01\"", "Accept": "*/*;q=x"}):
        r = requests.get(real.url + path, headers=headers)
        assert r.status_code < 500, (path, headers, r.status_code, r.text[:200])


def test_family_listing_shows_the_most_specific_kind(real):
    page = requests.get(real.url + "/id/country/", headers=BROWSER).text
    row = re.search(r'href="/id/country/JPN">JPN</a>.*?</tr>', page, re.S).group(0)
    assert "Country" in row and "Actor" not in row
