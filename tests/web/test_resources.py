"""Resource IRIs: content negotiation (each format), suffixes, errors, the configurable IRI base,
and escaping of everything that comes from a source (Flask test client, no browser)."""
from __future__ import annotations

import json
import re

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from .conftest import BASE, OTHER_BASE, SCRIPT, SOURCE_TEXT

JPN = URIRef("https://w3id.org/mineralgraph/id/country/JPN")
PREF = URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


def _graph(data: bytes, fmt: str) -> Graph:
    g = Graph()
    g.parse(data=data.decode(), format=fmt)
    return g


@pytest.mark.parametrize("accept, media, fmt", [
    ("text/turtle", "text/turtle", "turtle"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("application/json", "application/ld+json", "json-ld"),
    ("text/turtle;q=0.5, application/n-triples;q=0.9", "application/n-triples", "nt"),
])
def test_conneg_rdf_formats(syn_client, accept, media, fmt):
    r = syn_client.get("/id/country/JPN", headers={"Accept": accept})
    assert r.status_code == 200
    assert r.mimetype == media
    assert "Accept" in r.headers["Vary"]
    assert r.headers["Content-Location"].startswith("/id/country/JPN.")
    g = _graph(r.data, fmt)
    assert (JPN, PREF, Literal("Japan", lang="en")) in g
    assert (JPN, PREF, Literal("日本", lang="zh-hans")) in g or (JPN, PREF, Literal("日本", lang="zh-Hans")) in g
    # the statements that point at it come along (incoming links)
    assert any(o == JPN for _, _, o in g.triples((None, URIRef("http://www.w3.org/ns/org#member"), None)))


def test_conneg_html_for_browsers_turtle_by_default(syn_client):
    r = syn_client.get("/id/country/JPN", headers={"Accept": BROWSER})
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert r.headers["Content-Location"] == "/id/country/JPN.html"
    assert "Content-Security-Policy" in r.headers
    for accept in (None, "*/*"):
        r = syn_client.get("/id/country/JPN", headers={"Accept": accept} if accept else {})
        assert r.mimetype == "text/turtle"
    link = syn_client.get("/id/country/JPN").headers["Link"]
    for suffix in (".ttl", ".jsonld", ".nt", ".html"):
        assert f"</id/country/JPN{suffix}>" in link


@pytest.mark.parametrize("suffix, media, fmt", [
    (".ttl", "text/turtle", "turtle"),
    (".jsonld", "application/ld+json", "json-ld"),
    (".nt", "application/n-triples", "nt"),
    (".rdf", "application/rdf+xml", "xml"),
])
def test_suffixes_override_accept(syn_client, suffix, media, fmt):
    r = syn_client.get(f"/id/country/JPN{suffix}", headers={"Accept": BROWSER})
    assert r.status_code == 200 and r.mimetype == media
    assert (JPN, PREF, Literal("Japan", lang="en")) in _graph(r.data, fmt)
    assert "Content-Location" not in r.headers


def test_html_suffix_and_format_parameter(syn_client):
    assert syn_client.get("/id/country/JPN.html").mimetype == "text/html"
    assert syn_client.get("/id/country/JPN?format=nt").mimetype == "application/n-triples"


def test_jsonld_is_compact_with_its_context_and_means_the_same(syn_client):
    data = syn_client.get("/id/country/JPN.jsonld").data
    doc = json.loads(data)
    assert doc["@context"] == json.loads(syn_client.get("/context.jsonld").data)["@context"]
    assert any(node.get("@id") == "country:JPN" for node in doc["@graph"])  # compact IRIs
    turtle = _graph(syn_client.get("/id/country/JPN.ttl").data, "turtle")
    assert isomorphic(_graph(data, "json-ld"), turtle)


def test_claim_description_includes_its_selectors(syn_client, synthetic):
    g = _graph(syn_client.get(synthetic["claim"] + ".ttl").data, "turtle")
    oa = "http://www.w3.org/ns/oa#"
    starts = list(g.objects(None, URIRef(oa + "start")))
    assert starts, "the anchor's TextPositionSelector (claim#position) is part of the description"
    assert list(g.objects(None, URIRef(oa + "exact")))


def test_unknown_resource_is_404_and_unacceptable_is_406(syn_client):
    assert syn_client.get("/id/country/XXX", headers={"Accept": "text/turtle"}).status_code == 404
    r = syn_client.get("/id/country/XXX", headers={"Accept": BROWSER})
    assert r.status_code == 404 and r.mimetype == "text/html"
    r = syn_client.get("/id/country/JPN", headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert syn_client.get("/id/country/JP%3EN", headers={"Accept": "text/turtle"}).status_code == 404


def test_iri_base_is_configurable(syn_live):
    app = syn_live.app
    client = app.test_client()
    assert client.get("/id/country/FRA").status_code == 404  # not under the default base
    state = app.extensions["mineralgraph"]
    service = state.service  # holds the served IRI base
    # another base comes with another build (a reload), so answers kept for this one do not apply
    build = state.build_hash
    service.iri_base, state.build_hash = OTHER_BASE, f"{build}-other-base"
    try:
        r = client.get("/id/country/FRA", headers={"Accept": "text/turtle"})
        assert r.status_code == 200
        assert (URIRef(OTHER_BASE + "id/country/FRA"), PREF, Literal("France", lang="en")) in _graph(r.data, "turtle")
        page = client.get("/id/country/FRA", headers={"Accept": BROWSER}).data.decode()
        assert 'href="/id/mechanism/other"' in page  # IRIs under the base link to this server
        assert client.get("/id/country/JPN").status_code == 404
    finally:
        service.iri_base, state.build_hash = BASE, build
    assert client.get("/id/country/JPN").status_code == 200


# -- escaping -------------------------------------------------------------------------------
def _no_live_markup(html: str) -> None:
    assert "<script>window.__pwned" not in html
    assert "<img src=x" not in html
    assert "<em>source</em>" not in html and "<i>pact</i>" not in html
    scripts = re.findall(r"<script[^>]*>", html)
    assert all('src="/static/' in s or 'type="application/json"' in s for s in scripts), scripts


def test_source_page_shows_markup_as_text_with_marks_at_offsets(syn_client, synthetic):
    html = syn_client.get("/id/source/900", headers={"Accept": BROWSER}).data.decode()
    _no_live_markup(html)
    assert "&lt;script&gt;window.__pwned = 1; alert(&#39;pwned&#39;)&lt;/script&gt;" in html
    assert "&lt;html&gt;&lt;head&gt;" in html  # the whole document, markup as text
    anchor = synthetic["anchor"]
    m = re.search(rf'<mark class="[^"]*{anchor}[^"]*" id="{anchor}" data-start="(\d+)">'
                  rf'<a href="{re.escape(synthetic["claim"])}"', html)
    assert m, "the claim's first piece is a <mark id=claim-START-END> linking to the claim"
    assert int(m.group(1)) == SOURCE_TEXT.index(SCRIPT)
    # the overlapping inner claim has its own anchor, and its pieces carry both claims' classes
    assert f'id="{synthetic["inner_anchor"]}"' in html
    inner = re.search(rf'<mark class="([^"]*)" id="{synthetic["inner_anchor"]}"', html)
    assert inner and anchor in inner.group(1).split()


def test_entity_and_claim_pages_escape_quotes_and_labels(syn_client, synthetic):
    for url in ("/id/country/JPN", synthetic["claim"], "/id/mechanism/test-pact", "/", "/editor",
                "/id/stmt/membership/test-pact/JPN"):
        r = syn_client.get(url, headers={"Accept": BROWSER})
        assert r.status_code == 200, url
        _no_live_markup(r.data.decode())
    html = syn_client.get("/id/country/JPN", headers={"Accept": BROWSER}).data.decode()
    assert "&lt;img src=x onerror=" in html
    assert "&lt;script&gt;window.__pwned" in html  # the quote, as text, in the claim card
    assert f'href="/id/source/900#{synthetic["anchor"]}"' in html


def test_entity_page_content(syn_client, synthetic):
    html = syn_client.get("/id/country/JPN", headers={"Accept": BROWSER}).data.decode()
    for text in ("Japan", "日本", "zh-Hant", "Country", "Membership statement", "2023-05-01",
                 'href="/id/mechanism/test-pact"', synthetic["claim"], synthetic["inner_claim"]):
        assert text in html, text
    assert "Test &lt;i&gt;pact&lt;/i&gt;" in html


def test_source_text_must_match_the_graph_hash(syn_live, synthetic, tmp_path):
    app = syn_live.app
    other = tmp_path / "seeds"
    other.mkdir()
    (other / "900_0123456789abcdef.txt").write_text(SOURCE_TEXT.replace("前言", "前書"))
    app.config["MINERALGRAPH_SEEDS"] = str(other)
    try:
        # the configured directory is searched first; a file with another hash is not used
        html = app.test_client().get("/id/source/900", headers={"Accept": BROWSER}).data.decode()
        assert "前書" not in html
    finally:
        app.config["MINERALGRAPH_SEEDS"] = str(synthetic["seeds"])


def test_index_guide_lists_classes_and_sources(syn_client):
    html = syn_client.get("/editor", headers={"Accept": BROWSER}).data.decode()
    assert 'id="yasgui"' in html and "/static/yasgui/yasgui.min.js" in html
    assert 'href="/id/source/900"' in html and "Test &lt;em&gt;source&lt;/em&gt;" in html
    assert "Country" in html and "国家" in html
    assert 'id="stored-queries"' in html


def test_vendored_yasgui_is_served_with_its_license(syn_client):
    for name in ("yasgui.min.js", "yasgui.min.css", "LICENSE.txt"):
        assert syn_client.get(f"/static/yasgui/{name}").status_code == 200


def test_serve_has_an_iri_base_option():
    from click.testing import CliRunner

    from mineralgraph.server.command import serve_command

    out = CliRunner().invoke(serve_command, ["--help"]).output
    assert "--iri-base" in out
    assert next(p for p in serve_command.params if p.name == "iri_base").envvar == "MINERALGRAPH_IRI_BASE"
