"""The served graph is read-only: every kind of write gets a clear 4xx naming the way to change
the data (the data files, `build`) and to load it elsewhere (`publish`), never a 500, and the
data is unchanged afterwards."""
from __future__ import annotations

import pytest
import requests

G = "https://w3id.org/mineralgraph/graph/source/004"
INSERT = 'INSERT DATA { <https://example.org/s> <https://example.org/p> "写入"@zh }'
TURTLE = '<https://example.org/a> <https://example.org/p> "图"@zh .'.encode()
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def _count(live) -> int:
    r = requests.get(live.sparql, params={"query": COUNT}, headers={"Accept": "application/sparql-results+json"})
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def _assert_refused(r, status):
    assert r.status_code == status, (r.status_code, r.text)
    assert r.headers["Content-Type"].startswith("text/plain")
    assert "read-only" in r.text and "mineralgraph publish" in r.text and "docs/DATA.md" in r.text


UPDATES = {
    "form POST": dict(method="POST", data={"update": INSERT}),
    "direct POST": dict(method="POST", data=INSERT.encode(), headers={"Content-Type": "application/sparql-update"}),
    "direct POST, UTF-16 body": dict(method="POST", data=INSERT.encode("utf-16"),
                                     headers={"Content-Type": "application/sparql-update; charset=utf-16"}),
    "GET with update=": dict(method="GET", params={"update": INSERT}),
    "with using-named-graph-uri": dict(method="POST", data={"update": "WITH <http://e/g> INSERT { <s> <p> 1 } WHERE {}",
                                                          "using-named-graph-uri": "http://e/n"}),
    "CLEAR ALL": dict(method="POST", data={"update": "CLEAR ALL"}),
    "with a bearer token": dict(method="POST", data={"update": "DROP ALL"},
                                headers={"Authorization": "Bearer anything"}),
}


@pytest.mark.parametrize("kind", UPDATES)
def test_sparql_update_is_403(live, kind):
    before = _count(live)
    _assert_refused(requests.request(url=live.sparql, **UPDATES[kind]), 403)
    assert _count(live) == before


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE", "PATCH"])
@pytest.mark.parametrize("target", [{"graph": G}, {"default": ""}, {"graph": "https://example.org/new"}])
def test_graph_store_writes_are_405(live, method, target):
    before = _count(live)
    r = requests.request(method, live.url + "/store", params=target, data=TURTLE,
                         headers={"Content-Type": "text/turtle"})
    _assert_refused(r, 405)
    assert r.headers["Allow"] == "GET, HEAD, OPTIONS"
    assert _count(live) == before
    assert requests.get(live.url + "/store", params={"graph": G}).status_code == 200


def test_service_description_does_not_offer_update(live):
    r = requests.get(live.sparql, headers={"Accept": "application/n-triples"})
    assert r.status_code == 200 and "SPARQL11Query" in r.text and "SPARQL11Update" not in r.text


def test_serve_has_no_write_switch():
    from click.testing import CliRunner

    from mineralgraph.server.command import serve_command

    for flag in ("--allow-updates", "--update-token=x"):
        result = CliRunner().invoke(serve_command, [flag])
        assert result.exit_code == 2 and "No such option" in result.output
