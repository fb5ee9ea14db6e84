"""One IRI base for build and server: the same graph built under another base is served with
every page, query and link working, and nothing points back to the canonical base."""
from __future__ import annotations

import json
import re
import shutil
from collections import deque
from html import unescape
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from mineralgraph.cli import cli
from mineralgraph.server.command import serve_command

ROOT = Path(__file__).resolve().parents[2]
CANONICAL = "https://w3id.org/mineralgraph/"
OTHER = "https://data.example.org/minerals/"
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
SEEDS = ["/", "/id/country/JPN", "/id/mechanism/msp", "/id/source/004", "/id/country/", "/ont", "/graph/",
         "/graph/source/001", "/void", "/sparql", "/dump/", "/queries", "/queries/mechanism-members?mechanism=MSP"]


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory) -> Path:
    """The project built with --iri-base OTHER (a copy of its data, so dist/ is left alone)."""
    root = tmp_path_factory.mktemp("project")
    for d in ("seeds", "ontology", "shapes", "queries"):
        shutil.copytree(ROOT / d, root / d)
    if (ROOT / ".mineralgraph-cache").is_dir():  # per-source results: same inputs, same results
        shutil.copytree(ROOT / ".mineralgraph-cache", root / ".mineralgraph-cache")
    result = CliRunner().invoke(cli, ["build", "--root", str(root), "--iri-base", OTHER, "-q"])
    assert result.exit_code == 0, result.output
    return root / "dist"


@pytest.fixture(scope="module")
def other(rebuilt, start_server):
    return start_server(rebuilt, workers=2)


def test_build_records_the_base_and_keeps_every_triple(rebuilt):
    from mineralgraph.pipeline import ensure_built

    canonical = json.loads((ensure_built(ROOT) / "manifest.json").read_text())
    manifest = json.loads((rebuilt / "manifest.json").read_text())
    assert manifest["iri_base"] == OTHER
    assert manifest["graphs"] == {OTHER + g[len(CANONICAL):]: n for g, n in canonical["graphs"].items()}
    dump = (rebuilt / "mineralgraph.nq").read_text(encoding="utf-8")
    assert f"<{CANONICAL}id/" not in dump and f"<{CANONICAL}graph/" not in dump
    assert f"<{CANONICAL}ont#Country>" in dump  # the vocabulary does not move


def test_every_page_and_link_works_under_the_other_base(other):
    seen, queue, failures = set(), deque(SEEDS), []
    while queue and len(seen) < 250:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        r = requests.get(other.url + path, headers=BROWSER, timeout=60)
        if r.status_code != 200:
            failures.append((path, r.status_code))
            continue
        if not r.headers["Content-Type"].startswith("text/html"):
            continue
        assert f'href="{CANONICAL}id/' not in r.text and f'href="{CANONICAL}graph/' not in r.text, path
        for link in re.findall(r'href="(/[^"#]*)', r.text):
            link = unescape(link)
            if not link.startswith(("/static/", "/dump/mineralgraph", "/store")) and link not in seen:
                queue.append(link)
    assert not failures, failures
    assert len(seen) > 150  # the crawl really went through the graph


def test_queries_and_rdf_use_the_other_base(other):
    r = requests.get(other.sparql, params={"query": "SELECT ?c WHERE { ?c a <https://w3id.org/mineralgraph/ont#Country> }"})
    iris = [b["c"]["value"] for b in r.json()["results"]["bindings"]]
    assert OTHER + "id/country/JPN" in iris and all(i.startswith(OTHER + "id/") for i in iris)
    # 001: "参与这项矿物安全合作伙伴关系的包括澳大利亚、加拿大、芬兰、法国、德国、日本、韩国、瑞典、英国、美国和欧盟委员会。"
    rows = requests.get(other.url + "/queries/mechanism-members", params={"mechanism": "MSP", "source": "001"},
                        headers={"Accept": "application/sparql-results+json"}).json()["results"]["bindings"]
    members = {b["member"]["value"] for b in rows}
    assert {OTHER + "id/country/JPN", OTHER + "id/country/SWE"} <= members
    turtle = requests.get(other.url + "/id/country/JPN", headers={"Accept": "text/turtle"}).text
    assert f"<{OTHER}id/country/JPN>" in turtle or "country:JPN" in turtle
    void = requests.get(other.url + "/void", headers={"Accept": "application/n-triples"}).text
    assert f'<http://rdfs.org/ns/void#uriSpace> "{OTHER}id/"' in void
    assert requests.get(other.url + "/id/country/JPN.jsonld").json()["@context"]["country"] == OTHER + "id/country/"


def test_serve_refuses_a_dist_built_for_another_base(rebuilt):
    result = CliRunner().invoke(serve_command, ["--dist", str(rebuilt), "--iri-base", CANONICAL])
    assert result.exit_code == 2 and f"built for the IRI base {OTHER}" in result.output
    result = CliRunner().invoke(cli, ["build", "--iri-base", "not-an-iri", "--dry-run"])
    assert result.exit_code == 2 and "absolute http(s) IRI" in result.output


def test_commands_that_read_the_graph_keep_its_base(rebuilt, monkeypatch):
    from mineralgraph.pipeline import ensure_built

    monkeypatch.delenv("MINERALGRAPH_IRI_BASE", raising=False)
    before = (rebuilt / "manifest.json").stat().st_mtime_ns
    assert ensure_built(rebuilt.parent) == rebuilt  # no base asked for: dist/ is fresh as it is
    assert (rebuilt / "manifest.json").stat().st_mtime_ns == before
    result = CliRunner().invoke(cli, ["query", "mechanism-members", "--root", str(rebuilt.parent),
                                      "-p", "mechanism=MSP", "-p", "source=001", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert "id:country/JPN" in result.output or OTHER + "id/country/JPN" in result.output
