"""The built graph: outputs parse, quotes are verbatim at their offsets, reasoning is trimmed,
and Table 1 facts are in with their provenance."""

from __future__ import annotations

import hashlib
import json

import pytest
import yaml
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF

from mineralgraph.core.namespaces import ID, INFERRED_GRAPH, MG, OA, ORG
from mineralgraph.core.paths import ProjectPaths
from mineralgraph.build.sources import load_sources

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "name,fmt",
    [("mineralgraph.ttl", "turtle"), ("mineralgraph.nt", "nt"), ("mineralgraph.jsonld", "json-ld")],
)
def test_every_output_parses(dump_paths, union, name, fmt):
    ds = Dataset()
    ds.parse(dump_paths[name], format=fmt)
    triples = {(s, p, o) for s, p, o, _ in ds.quads((None, None, None, None))}
    assert len(triples) == len(union)


def test_the_ntriples_union_holds_each_triple_of_the_nquads_once(dump_paths, union):
    """mineralgraph.nt, made on demand from the N-Quads: every triple of every graph, each once."""
    lines = dump_paths["mineralgraph.nt"].read_bytes().splitlines()
    assert len(lines) == len(set(lines)) == len(union)


def test_nquads_and_trig_agree(dump_paths, built):
    # `built` is the N-Quads of record; the TriG is the one made on demand
    trig = Dataset()
    trig.parse(dump_paths["mineralgraph.trig"], format="trig")
    assert sorted(str(g.identifier) for g in trig.graphs() if len(g)) == sorted(str(g.identifier) for g in built.graphs() if len(g))
    assert len(list(trig.quads((None, None, None, None)))) == len(list(built.quads((None, None, None, None))))


def test_manifest_counts_match(dist_dir, built):
    manifest = json.loads((dist_dir / "manifest.json").read_text())
    for graph in built.graphs():
        if len(graph):
            assert manifest["graphs"][str(graph.identifier)] == len(graph)


def test_every_claim_quote_is_verbatim_at_its_offsets(union):
    texts = {f"{ID}source/{s.id}": s.text for s in load_sources(ProjectPaths(ROOT))}
    claims = list(union.subjects(RDF.type, MG.Claim))
    assert claims
    for claim in claims:
        quote = str(union.value(claim, PROV.value))
        source = str(union.value(claim, PROV.wasQuotedFrom))
        anchor = union.value(claim, MG.anchor)
        position = next(s for s in union.objects(anchor, OA.hasSelector) if (s, RDF.type, OA.TextPositionSelector) in union)
        start, end = int(union.value(position, OA.start)), int(union.value(position, OA.end))
        assert texts[source][start:end] == quote, claim


def test_reasoning_output_is_trimmed(built):
    inferred = built.graph(INFERRED_GRAPH)
    assert len(inferred) > 0
    for s, p, o in inferred:
        assert not isinstance(s, Literal)
        assert not (p == OWL.sameAs and s == o)
        assert o not in (OWL.Thing, URIRef("http://www.w3.org/2000/01/rdf-schema#Resource"))
        assert str(s).startswith(str(ID)), s


def test_reasoner_adds_what_users_query(built):
    inferred = built.graph(INFERRED_GRAPH)
    msp_kind = (ID["mechanism/msp"], RDF.type, MG.MinilateralMechanism)
    assert msp_kind in inferred  # from Table 1's kind via owl:hasValue
    assert (ID["mechanism/usbcm-wg"], ORG.hasMember, ID["country/BRA"]) in inferred  # property chain
    assert (ID["country/BRA"], ORG.memberOf, ID["mechanism/usbcm-wg"]) in inferred  # inverse


def test_table1_row_claims_support_kind_and_year(union):
    q = """
    SELECT ?quote ?kind ?year WHERE {
      ?claim mg:supports ?c, ?f ; prov:value ?quote ; prov:wasQuotedFrom source:004 .
      ?c a mg:ClassificationStatement ; mg:mechanism mechanism:us-argentina-energy-security-dialogue ; mg:classifiedAs ?kind .
      ?f a mg:FoundingStatement ; mg:foundingYear ?year .
    }"""
    from mineralgraph.core.namespaces import PREFIXES

    rows = list(union.query(q, initNs=PREFIXES))
    assert len(rows) == 1
    assert str(rows[0].quote) == "美阿能源安全对话\t\t2024"
    assert rows[0].kind == MG.bilateral and str(rows[0].year) == "2024"


def test_compound_party_resolved_from_context(union):
    """美阿 is Argentina (not Afghanistan): the text names 阿根廷 next to the mechanism."""
    from mineralgraph.core.namespaces import PREFIXES

    q = """
    SELECT ?member ?quote WHERE {
      ?st org:organization mechanism:us-argentina-energy-security-dialogue ; org:member ?member .
      ?claim mg:supports ?st ; prov:value ?quote .
    }"""
    rows = list(union.query(q, initNs=PREFIXES))
    assert {r.member for r in rows} == {ID["country/USA"], ID["country/ARG"]}
    argentina_quotes = {str(r.quote) for r in rows if r.member == ID["country/ARG"]}
    assert any("美国同阿根廷展开美阿能源安全对话" in q for q in argentina_quotes)


def test_outputs_are_deterministic_across_processes(dist_dir, dump_paths, tmp_path):
    """The same graphs give the same bytes whatever the process's hash seed: the dump writer
    runs in two processes with different seeds on the built graphs and writes identical files,
    every format and .gz at once (as `build --all-dumps` does), the very bytes of the build's
    N-Quads and of the files made later on demand (publish/dumpcache.py)."""
    import os
    import subprocess
    import sys

    script = (
        "import sys, json; from pathlib import Path; from mineralgraph.publish.dist import write_dumps;"
        "from mineralgraph.build.sourcegraphs import GraphChunk; from collections import defaultdict;"
        "graphs = defaultdict(list);"
        "[graphs[l.rsplit(b' ', 2)[1][1:-1].decode()].append(l.rsplit(b' ', 2)[0] + b' .\\n')"
        " for l in Path(sys.argv[1]).read_bytes().splitlines() if l];"
        "out = Path(sys.argv[2]); out.mkdir();"
        "files = write_dumps([GraphChunk(g, b''.join(ls)) for g, ls in graphs.items()], out);"
        "print(json.dumps({k: v['sha256'] for k, v in sorted(files.items())}))"
    )
    runs = [
        subprocess.run([sys.executable, "-c", script, str(dist_dir / "mineralgraph.nq"), str(tmp_path / seed)],
                       capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed}, check=True).stdout
        for seed in ("1", "2")
    ]
    assert runs[0] == runs[1]
    manifest = json.loads((dist_dir / "manifest.json").read_text())
    assert set(manifest["files"]) == {"mineralgraph.nq"}  # the build wrote no more
    assert len(manifest["deferred_files"]) == 9 and set(dump_paths) == set(json.loads(runs[0]))
    on_demand = {name: hashlib.sha256(path.read_bytes()).hexdigest() for name, path in dump_paths.items()}
    assert json.loads(runs[0]) == on_demand


def test_a_gloss_is_the_annotators_english_on_its_claim(union):
    """`gloss:` in an annotation becomes mg:gloss @en on the claim, and only there: 001's
    "参与这项矿物安全合作伙伴关系的包括澳大利亚、加拿大、芬兰、法国、德国、日本、韩国、瑞典、英国、美国和欧盟委员会。"
    is glossed "The members of this Minerals Security Partnership are Australia, Canada, …"."""
    glossed = {str(c): o for c, o in union.subject_objects(MG.gloss)}
    roster = str(ID["claim/001/2297-2353"])
    assert glossed[roster].language == "en"
    assert str(glossed[roster]).startswith("The members of this Minerals Security Partnership are Australia, Canada")
    assert str(union.value(URIRef(roster), PROV.value)).startswith("参与这项矿物安全合作伙伴关系的包括")
    annotated = sum(str(item.get("gloss", "")) != "" for path in (ROOT / "seeds" / "annotations").glob("*.yaml")
                    for item in yaml.safe_load(path.read_text(encoding="utf-8"))["claims"] or [])
    assert len(glossed) == annotated  # one claim each, none lost and none invented
