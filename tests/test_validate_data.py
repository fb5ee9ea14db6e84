"""`mineralgraph validate --data FILE...`: someone else's RDF against our shapes, in the context
of the built graph; only findings about the given data; exit 0 / 1 / 2; four report formats."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from mineralgraph.cli import cli

ROOT = Path(__file__).resolve().parents[1]
G001 = "https://w3id.org/mineralgraph/graph/source/001"
PROV_VALUE = "<http://www.w3.org/ns/prov#value>"
CLAIM_VALUE_SHAPE = URIRef("https://w3id.org/mineralgraph/shapes#Claim-value")


def _run(*args):
    return CliRunner().invoke(cli, ["validate", "--root", str(ROOT), *args])


def _export(tmp_path, fmt: str, ext: str) -> Path:
    out = tmp_path / f"001.{ext}"
    result = CliRunner().invoke(cli, ["export", "--root", str(ROOT), "--graph", G001, "--format", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def export_001(tmp_path_factory, dist_dir) -> Path:
    return _export(tmp_path_factory.mktemp("data"), "ntriples", "nt")


@pytest.fixture(scope="module")
def without_quote(export_001) -> tuple[Path, str]:
    """001's export less the first claim's quote (prov:value), and that claim's IRI."""
    lines = export_001.read_text(encoding="utf-8").splitlines(keepends=True)
    i = next(i for i, line in enumerate(lines) if f" {PROV_VALUE} " in line and "/id/claim/001/" in line)
    claim = lines[i].split(" ", 1)[0].strip("<>")
    out = export_001.with_name("001-without-quote.nt")
    out.write_text("".join(lines[:i] + lines[i + 1:]), encoding="utf-8")
    return out, claim


def test_source_001_as_exported_conforms(export_001):
    result = _run("--data", str(export_001))
    assert result.exit_code == 0, result.output
    triples = sum(1 for line in export_001.read_text(encoding="utf-8").splitlines() if line.strip())
    assert result.output.startswith(f"data ({triples} triples in 1 file; in place of {G001}) conforms: no findings")


def test_a_claim_without_its_quote_fails_and_every_report_names_it(without_quote):
    path, claim = without_quote
    text = _run("--data", str(path))
    assert text.exit_code == 1, text.output
    assert "does NOT conform: 1 violation" in text.output
    assert f"Violation: <{claim}> {PROV_VALUE}: A claim needs exactly one verbatim quote" in text.output

    junit = _run("--data", str(path), "--report", "junit")
    assert junit.exit_code == 1
    suite = ET.fromstring(junit.output)
    failed = [(case.get("name"), case.get("classname")) for case in suite.iter("testcase") if case.find("failure") is not None]
    assert failed == [(claim, str(CLAIM_VALUE_SHAPE))]

    turtle = _run("--data", str(path), "--report", "turtle")
    assert turtle.exit_code == 1
    report = Graph().parse(data=turtle.output, format="turtle")
    (root,) = report.subjects(RDF.type, SH.ValidationReport)
    assert report.value(root, SH.conforms).toPython() is False
    results = [(report.value(r, SH.focusNode), report.value(r, SH.sourceShape), report.value(r, SH.sourceConstraintComponent))
               for r in report.objects(root, SH.result)]
    assert results == [(URIRef(claim), CLAIM_VALUE_SHAPE, SH.MinCountConstraintComponent)]

    as_json = json.loads(_run("--data", str(path), "--report", "json").output)
    assert as_json["conforms"] is False and as_json["replaced_graphs"] == [G001]
    assert [(f["focus"], f["shape"], f["severity"]) for f in as_json["findings"]] == [(claim, str(CLAIM_VALUE_SHAPE), "Violation")]


@pytest.mark.parametrize("fmt,ext", [("turtle", "ttl"), ("nquads", "nq"), ("trig", "trig"), ("jsonld", "jsonld")])
def test_every_format_read_by_its_name(tmp_path, dist_dir, fmt, ext):
    """The quad formats keep 001's graph name, which replaces the build's graph of that name."""
    result = _run("--data", str(_export(tmp_path, fmt, ext)), "--report", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report == {"conforms": True, "files": [str(tmp_path / f"001.{ext}")], "replaced_graphs": [G001], "findings": []}


def test_findings_come_from_the_context_but_only_about_the_data(tmp_path, dist_dir):
    """A second English label for Japan breaks a shape only together with the gazetteer (which
    already names Japan in English); the report names Japan and nothing else of the graph."""
    data = tmp_path / "japan.ttl"
    data.write_text('<https://w3id.org/mineralgraph/id/country/JPN> <http://www.w3.org/2004/02/skos/core#prefLabel> '
                    '"Nippon"@en .\n', encoding="utf-8")
    result = _run("--data", str(data), "--report", "json")
    assert result.exit_code == 1, result.output
    findings = json.loads(result.output)["findings"]
    assert {(f["focus"], f["severity"]) for f in findings} == {("https://w3id.org/mineralgraph/id/country/JPN", "Violation")}
    assert any(f["path"] == "http://www.w3.org/2004/02/skos/core#prefLabel" for f in findings)


def test_format_override_and_unusable_input(tmp_path, export_001):
    renamed = tmp_path / "001.txt"
    renamed.write_bytes(export_001.read_bytes())
    assert _run("--data", str(renamed)).exit_code == 2  # no format from the name
    assert "give --format" in _run("--data", str(renamed)).output
    assert _run("--data", str(renamed), "--format", "ntriples").exit_code == 0

    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c ;\n    ex:d .\n", encoding="utf-8")
    result = _run("--data", str(broken))
    assert result.exit_code == 2
    assert f"error: {broken}:3: does not parse as turtle" in result.output

    missing = tmp_path / "missing.nt"
    result = _run("--data", str(missing))
    assert result.exit_code == 2 and f"{missing}: no such file" in result.output


def test_several_files_as_pre_commit_passes_them(export_001, without_quote):
    """`--data A B`: the files are read together (here the full export gives the quote back)."""
    path, _claim = without_quote
    result = _run("--data", str(path), str(export_001))
    assert result.exit_code == 0, result.output
    assert "in 2 files; in place of" in result.output
