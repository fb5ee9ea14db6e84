"""Shapes as linked data (issue 25): /shapes lists every shape (targets, messages, constrained
terms), serves the shapes graph as RDF by content negotiation, and each shape IRI dereferences."""
from __future__ import annotations

import pytest
import requests
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from mineralgraph.core.paths import ProjectPaths
from mineralgraph.validate.validator import load_shapes

NS = "https://w3id.org/mineralgraph/shapes#"


@pytest.fixture(scope="module")
def ours() -> Graph:
    return load_shapes(ProjectPaths.default().shapes)


def test_the_page_lists_every_named_shape_with_its_target_and_message(live, ours):
    r = requests.get(live.url + "/shapes", headers={"Accept": "text/html"})
    assert r.status_code == 200 and "text/html" in r.headers["Content-Type"]
    named = {str(s)[len(NS):] for s in ours.subjects(RDF.type, SH.NodeShape) if str(s).startswith(NS)}
    assert len(named) > 20
    for name in named:
        assert f'id="{name}"' in r.text, name
    claim = URIRef(NS + "Claim")
    if (claim, RDF.type, SH.NodeShape) in ours:  # a shape the page must describe in full
        section = r.text.split('id="Claim"', 1)[1].split("</section>", 1)[0]
        assert "instances of" in section and "mg:Claim" in section
        assert "prov:value" in section or "prov:wasQuotedFrom" in section


@pytest.mark.parametrize("accept,fmt", [("text/turtle", "turtle"), ("application/n-triples", "nt"),
                                        ("application/ld+json", "json-ld")])
def test_the_shapes_graph_by_content_negotiation_is_ours(live, ours, accept, fmt):
    r = requests.get(live.url + "/shapes", headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith(accept)
    served = Graph().parse(data=r.text, format=fmt)
    assert len(served) == len(ours)
    assert set(served.subjects(RDF.type, SH.NodeShape)) == set(ours.subjects(RDF.type, SH.NodeShape))


def test_a_shape_iri_dereferences(live):
    r = requests.get(live.url + "/shapes/Claim", allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"].endswith("/shapes#Claim")
    missing = requests.get(live.url + "/shapes/Claimz")
    assert missing.status_code == 404 and "Claim" in missing.text
