"""Bad input gets one clear message naming the file (and line or quote), exit status 2,
and leaves the previous dist/ untouched."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from rdflib import Graph, URIRef

from mineralgraph.cli import cli
from mineralgraph.core.namespaces import MG


def _fake_previous_dist(root: Path) -> dict:
    dist = root / "dist"
    dist.mkdir()
    (dist / "mineralgraph.trig").write_text("# previous build\n", encoding="utf-8")
    (dist / "manifest.json").write_text('{"inputs_sha256": "previous"}', encoding="utf-8")
    return {p.name: p.read_bytes() for p in dist.iterdir()}


def _build(root: Path):
    return CliRunner().invoke(cli, ["build", "--root", str(root), "--quiet"])


def _assert_dist_unchanged(root: Path, before: dict) -> None:
    assert {p.name: p.read_bytes() for p in (root / "dist").iterdir()} == before
    assert not [p for p in root.iterdir() if p.name.startswith(".dist")], "no temporary output left behind"


def _assert_refused(root: Path, before: dict | None, *said: str) -> str:
    """The build exits 2 saying each of `said`, and (given what dist/ held before) leaves dist/ as
    it was; what it said."""
    result = _build(root)
    assert result.exit_code == 2
    for words in said:
        assert words in result.output
    if before is not None:
        _assert_dist_unchanged(root, before)
    return result.output


def test_changed_source_byte_is_refused(project_copy):
    before = _fake_previous_dist(project_copy)
    src = project_copy / "seeds" / "001_fe4b08d8214c58ee.txt"
    data = bytearray(src.read_bytes())
    data[-3] ^= 0x01
    src.write_bytes(bytes(data))
    _assert_refused(project_copy, before, "001_fe4b08d8214c58ee.txt", "sha256 mismatch")


def test_annotation_syntax_error_names_file_and_line(project_copy):
    before = _fake_previous_dist(project_copy)
    bad = project_copy / "seeds" / "annotations" / "001.yaml"
    bad.parent.mkdir(exist_ok=True)
    original = bad.read_text(encoding="utf-8") if bad.exists() else 'source: "001"\nclaims: []\n'
    lines = original.splitlines()
    lines.insert(1, "claims: [unclosed")
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _assert_refused(project_copy, before, "001.yaml:", "YAML syntax error")


def test_ontology_that_does_not_parse(project_copy):
    before = _fake_previous_dist(project_copy)
    onto = project_copy / "ontology" / "mineralgraph.ttl"
    onto.write_text(onto.read_text(encoding="utf-8") + "\nmg:Broken a owl:Class , .\n", encoding="utf-8")
    _assert_refused(project_copy, before, "mineralgraph.ttl", "does not parse as turtle")


def test_shape_file_that_does_not_parse(project_copy):
    before = _fake_previous_dist(project_copy)
    (project_copy / "shapes" / "zz-broken.ttl").write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n<a> sh:path [ .\n", encoding="utf-8")
    _assert_refused(project_copy, before, "zz-broken.ttl", "does not parse")


def test_rule_or_check_with_a_syntax_error_names_file_and_line(project_copy):
    """Rules and checks run on pyoxigraph; they are read with its parser, and the line is the file's."""
    before = _fake_previous_dist(project_copy)
    (project_copy / "queries" / "rules" / "zz-broken.rq").write_text(
        "# a rule\nCONSTRUCT { ?s mg:x ?o }\nWHERE {\n  ?s mg:y ?o .\n  FILTR(?o) }\n", encoding="utf-8")
    said = _assert_refused(project_copy, before, "SPARQL syntax error")
    assert re.search(r"zz-broken\.rq:[45]:", said)  # the line in the file, not counting the prefixes declared before it
    (project_copy / "queries" / "rules" / "zz-broken.rq").unlink()
    (project_copy / "queries" / "checks" / "zz-broken.rq").write_text(
        "SELECT ?focus WHERE {\n  ?focus a mg:Claim\n  ?focus mg:y ?o }\n", encoding="utf-8")
    said = _assert_refused(project_copy, before, "SPARQL syntax error")
    assert re.search(r"zz-broken\.rq:[23]:", said)


def _one_claim_for_003(root: Path, quote: str, mechanism: str) -> None:
    """seeds/annotations/003.yaml replaced by one claim (its quote on line 3) classifying a mechanism."""
    (root / "seeds" / "annotations" / "003.yaml").write_text(
        f'source: "003"\nclaims:\n  - quote: "{quote}"\n'
        f"    statements:\n      - classification: {{mechanism: {mechanism}, kind: minilateral}}\n",
        encoding="utf-8",
    )


def test_quote_not_in_source_is_named(project_copy):
    before = _fake_previous_dist(project_copy)
    _one_claim_for_003(project_copy, "哈萨克斯坦是全球最大的黄金供应国", "msp")
    _assert_refused(project_copy, before, "003.yaml:3", "quote not found in source 003", "哈萨克斯坦是全球最大的黄金供应国")


def test_unknown_entity_suggests_close_names(project_copy):
    _one_claim_for_003(project_copy, "哈萨克斯坦是全球最大的铀供应国", "mspp")
    _assert_refused(project_copy, None, "unknown mechanism 'mspp'", "did you mean", "msp")


def test_corrupted_quote_in_an_annotation_fails_the_build_naming_it(project_copy):
    """Change one character of a real quote: the build must refuse it, naming file, line and quote."""
    before = _fake_previous_dist(project_copy)
    ann = project_copy / "seeds" / "annotations" / "001.yaml"
    text = ann.read_text(encoding="utf-8")
    good = "参与这项矿物安全合作伙伴关系的包括澳大利亚"
    assert good in text
    ann.write_text(text.replace(good, good.replace("澳大利亚", "奥地利"), 1), encoding="utf-8")
    _assert_refused(project_copy, before, "001.yaml:", "quote not found in source 001", "参与这项矿物安全合作伙伴关系的包括奥地利")


def test_an_ambiguous_reference_offers_references_that_resolve(project_copy):
    """Issue 20: `eu` names the EU and its list; the message offers family:id forms, and each of
    them then resolves (check-source passes) to the entity of that family."""
    annotation = project_copy / "seeds" / "annotations" / "003.yaml"

    def check(about: str):
        annotation.write_text(
            'source: "003"\nclaims:\n  - quote: "哈萨克斯坦是全球最大的铀供应国"\n    statements:\n'
            f'      - event: {{event: meeting, about: [{about}], label: "test"}}\n', encoding="utf-8")
        return CliRunner().invoke(cli, ["check-source", "--root", str(project_copy), "003", "--alone", "--show"])

    result = check("eu")
    assert result.exit_code == 2 and "003.yaml:5" in result.output, result.output
    offered = re.search(r"reference 'eu' is ambiguous \(([^)]*)\)", result.output).group(1).split(", ")
    assert sorted(offered) == ["list:eu", "org:eu"]
    for ref in offered:
        result = check(ref)
        assert result.exit_code == 0, result.output
        family = ref.split(":")[0]
        turtle = result.output.split("\n", 1)[1]
        about = set(Graph().parse(data=turtle, format="turtle").objects(None, MG.about))
        assert about == {URIRef(f"https://w3id.org/mineralgraph/id/{family}/eu")}


def test_a_source_graph_that_is_not_valid_rdf_is_refused_when_made(project_copy, monkeypatch):
    """The build store loads cached source graphs without IRI checks, so each graph is parsed
    strictly once, when it is assembled: one whose lines are not valid N-Triples (an IRI with a
    space, here put in by hand: the schemas keep annotations from making one) fails the build
    naming its source, and nothing is cached for it."""
    from mineralgraph.build import sourcegraphs

    real = sourcegraphs.ntriples.lines
    monkeypatch.setattr(sourcegraphs.ntriples, "lines",
                        lambda graph: real(graph) + b"<https://w3id.org/mineralgraph/id/not an iri> <http://p> <http://o> .\n")
    before = _fake_previous_dist(project_copy)
    result = CliRunner().invoke(cli, ["build", "--root", str(project_copy), "--quiet", "--jobs", "1"])
    assert result.exit_code == 2, result.output
    assert re.search(r"source \d{3}: its annotations make a graph that is not valid RDF", result.output)
    assert "seeds/" in result.output
    _assert_dist_unchanged(project_copy, before)
