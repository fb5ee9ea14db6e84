"""`mineralgraph export`: the graph, or one named graph, in each RDF format, parseable."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from rdflib import Dataset

from mineralgraph.cli import cli

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]
FORMATS = {"turtle": "turtle", "ntriples": "nt", "nquads": "nquads", "trig": "trig", "jsonld": "json-ld", "rdfxml": "xml"}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_export_one_graph_in_every_format(dist_dir, built, tmp_path, fmt):
    graph = "https://w3id.org/mineralgraph/graph/source/001"
    out = tmp_path / f"001.{fmt}"
    result = CliRunner().invoke(cli, ["export", "--root", str(ROOT), "--format", fmt, "--graph", graph, "-o", str(out)])
    assert result.exit_code == 0, result.output
    ds = Dataset()
    ds.parse(out, format=FORMATS[fmt])
    got = {(s, p, o) for s, p, o, _ in ds.quads((None, None, None, None))}
    from rdflib import URIRef

    expected = set(built.graph(URIRef(graph)))
    assert len(got) == len(expected)


def test_export_unknown_graph_is_an_error(dist_dir):
    result = CliRunner().invoke(cli, ["export", "--root", str(ROOT), "--graph", "https://example.org/nope"])
    assert result.exit_code == 2
    assert "no graph https://example.org/nope" in result.output
