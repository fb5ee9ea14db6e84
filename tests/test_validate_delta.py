"""Validation of what an edit touched (validate/delta.py): after each edit of the seeds' build
store, validate_delta's findings are a full validate_store's, finding for finding and in order."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from mineralgraph.build.workstore import BuildStore
from mineralgraph.core.namespaces import ONTOLOGY_GRAPH
from mineralgraph.validate.delta import affected_focus, sparql_walks, triples, validate_delta
from mineralgraph.validate.validator import Report, validate_store

ROOT = Path(__file__).resolve().parents[1]
CHECKS = ROOT / "queries" / "checks"
MG = "https://w3id.org/mineralgraph/ont#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DEFAULT = ox.DefaultGraph()


@pytest.fixture(scope="module")
def seeds(dist_dir, shapes, tmp_path_factory):
    """The seeds' build store (dist/'s N-Quads laid out as the build has them), its full report,
    and a file for the walks of the shapes' SPARQL selects (parsed once per module)."""
    bstore, ontology_graph = BuildStore(), ox.NamedNode(str(ONTOLOGY_GRAPH))
    quads = ox.Store()
    quads.load(path=str(dist_dir / "mineralgraph.nq"), format=ox.RdfFormat.N_QUADS)
    bstore.store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, q.graph_name if q.graph_name == ontology_graph
                                     else DEFAULT) for q in quads)
    return bstore, validate_store(bstore, shapes, CHECKS), tmp_path_factory.mktemp("delta") / "walks.json"


def _edit(bstore, added=(), removed=()):
    for t in removed:
        bstore.store.remove(ox.Quad(t.subject, t.predicate, t.object, DEFAULT))
    for t in added:
        bstore.store.add(ox.Quad(t.subject, t.predicate, t.object, DEFAULT))


def _same_as_full(seeds, shapes, added=(), removed=(), previous=None) -> Report:
    """Apply the edit, compare validate_delta with validate_store on the edited store, undo the
    edit; the full report of the edited store is returned."""
    bstore, before, cache = seeds
    added, removed = list(added), list(removed)
    _edit(bstore, added, removed)
    try:
        delta = validate_delta(bstore, shapes, CHECKS, previous or before, added, removed, cache_file=cache)
        full = validate_store(bstore, shapes, CHECKS)
    finally:
        _edit(bstore, removed, added)
    assert [f.line() for f in delta.findings] == [f.line() for f in full.findings]
    assert delta.findings == full.findings and delta.summary() == full.summary()
    return full


def _one(bstore, s=None, p=None, o=None) -> ox.Triple:
    q = next(iter(bstore.store.quads_for_pattern(s, ox.NamedNode(p) if isinstance(p, str) else p, o, DEFAULT)))
    return ox.Triple(q.subject, q.predicate, q.object)


def _new_violations(full: Report, before: Report):
    return [f for f in full.violations if f not in before.findings]


def test_a_note_changed_changes_no_finding(seeds, shapes):
    bstore, before, _ = seeds
    claim = _one(bstore, p=RDF_TYPE, o=ox.NamedNode(MG + "Claim")).subject
    note = ox.Triple(claim, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment"), ox.Literal("checked again", language="en"))
    full = _same_as_full(seeds, shapes, added=[note])
    assert full.findings == before.findings


def test_a_removed_triple_breaks_a_min_count_and_its_fix(seeds, shapes):
    bstore, before, _ = seeds
    latest = _one(bstore, p=MG + "asOfLatest")
    broken = _same_as_full(seeds, shapes, removed=[latest])
    [v] = _new_violations(broken, before)
    assert v.focus.endswith(latest.subject.value.rsplit("/", 1)[-1]) and v.component == "MinCountConstraintComponent"
    assert "needs exactly one mg:asOfLatest" in v.message
    # the fix: the triple back, starting from the broken report
    _edit(bstore, removed=[latest])
    try:
        _same_as_full(seeds, shapes, added=[latest], previous=broken)
    finally:
        _edit(bstore, added=[latest])


def test_a_second_value_of_a_max_count_one_property(seeds, shapes):
    """A second mg:versionYear on a list version: its maxCount, and the list versions that
    revise it (prov:wasRevisionOf, two steps away in a SPARQL constraint) are validated again."""
    bstore, before, _ = seeds
    year = _one(bstore, p=MG + "versionYear")
    second = ox.Triple(year.subject, year.predicate, ox.Literal("2100", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear")))
    full = _same_as_full(seeds, shapes, added=[second])
    components = {f.component for f in _new_violations(full, before)}
    assert "MaxCountConstraintComponent" in components


def test_a_type_removed_fails_the_class_check_of_the_nodes_pointing_at_it(seeds, shapes):
    bstore, before, _ = seeds
    member = _one(bstore, p="http://www.w3.org/2004/02/skos/core#member")
    mineral_type = ox.Triple(member.object, RDF_TYPE, ox.NamedNode(MG + "Mineral"))
    full = _same_as_full(seeds, shapes, removed=[mineral_type])
    new = _new_violations(full, before)
    assert any(f.component == "ClassConstraintComponent" and f.value and member.object.value.rsplit("/", 1)[-1] in f.value
               for f in new)
    # the list version is neither subject nor object of the removed triple: an affected set of
    # s and o alone would have kept its old (empty) findings
    pointing = [f for f in new if f.component == "ClassConstraintComponent"]
    assert all(f.focus.rsplit(":", 1)[-1] not in mineral_type.subject.value for f in pointing)


def test_a_new_node_becomes_a_target(seeds, shapes):
    bstore, before, _ = seeds
    node = ox.NamedNode("https://w3id.org/mineralgraph/id/list/xx/2099")
    full = _same_as_full(seeds, shapes, added=[ox.Triple(node, RDF_TYPE, ox.NamedNode(MG + "ListVersion"))])
    new = _new_violations(full, before)
    assert new and {f.focus for f in new} == {"id:list/xx/2099"}
    assert any("needs exactly one mg:versionYear" in f.message or "versionYear" in f.message for f in new)


def test_a_node_that_stops_being_a_target_loses_its_findings(seeds, shapes):
    """Narrowed to the shapes' focus nodes after the edit, the run must still drop the findings
    of a node that was a focus node only before it."""
    bstore, before, _ = seeds
    node = ox.NamedNode("https://w3id.org/mineralgraph/id/list/xx/2099")
    typed = ox.Triple(node, RDF_TYPE, ox.NamedNode(MG + "ListVersion"))
    with_node = _same_as_full(seeds, shapes, added=[typed])
    assert _new_violations(with_node, before)
    _edit(bstore, added=[typed])
    try:
        without = _same_as_full(seeds, shapes, removed=[typed], previous=with_node)
    finally:
        _edit(bstore, removed=[typed])
    assert without.findings == before.findings


def _source_nodes_triples(bstore, source: str) -> list[ox.Triple]:
    """Every triple of the union about one source's claims and mentions (and their targets and
    selectors), and the statements' links to them: what the build adds when the source comes in."""
    marks = (f"/claim/{source}/", f"/mention/{source}/")
    return [ox.Triple(q.subject, q.predicate, q.object) for q in bstore.store.quads_for_pattern(None, None, None, DEFAULT)
            if any(m in q.subject.value or (isinstance(q.object, ox.NamedNode) and m in q.object.value) for m in marks)]


def test_a_whole_source_added_is_validated_for_its_own_nodes_not_in_full(seeds, shapes, monkeypatch):
    """A source's claims and mentions taken out of the store and put back: the delta run gives
    the full run's report both ways, without falling back to a whole validation. At 1,000
    sources a source added reached 4,015 nodes through the walks back, for most shapes each;
    narrowed to each shape's focus nodes and asked per node (LATERAL), it took 4 s, not 49."""
    import mineralgraph.validate.delta as delta

    bstore, before, _ = seeds
    source = sorted({q.subject.value.split("/claim/")[1].split("/")[0]
                     for q in bstore.store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(MG + "Claim"), DEFAULT)})[0]
    lines = _source_nodes_triples(bstore, source)
    assert len(lines) > 200

    def whole_run(*args, **kwargs):
        raise AssertionError("validate_delta ran the whole validation")

    monkeypatch.setattr(delta, "validate_store", whole_run)
    without = _same_as_full(seeds, shapes, removed=lines)
    _edit(bstore, removed=lines)
    try:
        back = _same_as_full(seeds, shapes, added=lines, previous=without)
    finally:
        _edit(bstore, added=lines)
    assert back.findings == before.findings


def test_the_reach_of_a_two_step_sparql_constraint(seeds, shapes):
    """A source's character count made smaller than its claims' end offsets: the claims quoting
    it (two triples away: claim -wasQuotedFrom-> source -characterCount-> n) now violate
    Claim-endWithinSource; only s and o of the changed triples would miss every one of them."""
    bstore, before, cache = seeds
    count = _one(bstore, p=MG + "characterCount")
    smaller = ox.Triple(count.subject, count.predicate, ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))
    full = _same_as_full(seeds, shapes, added=[smaller], removed=[count])
    quoting = [f for f in _new_violations(full, before) if "endWithinSource" in f.source]
    assert "/claim/" not in count.subject.value  # the changed triples are about the source
    assert quoting and {f.focus.split("/")[0] for f in quoting} == {"id:claim", "id:mention"}
    _edit(bstore, added=[smaller], removed=[count])
    try:
        affected = affected_focus(bstore, shapes, [smaller], [count])
    finally:
        _edit(bstore, added=[count], removed=[smaller])
    reached = {t.value for ts in affected.focus.values() for t in ts}
    claims = {q.subject.value for q in bstore.store.quads_for_pattern(None, ox.NamedNode("http://www.w3.org/ns/prov#wasQuotedFrom"), count.subject, DEFAULT)}
    assert claims and claims <= reached


def test_a_check_reaches_the_other_country_with_the_same_code(seeds, shapes):
    """The SPARQL checks run on what changed too: a country given a second country's ISO code
    makes both share it (the other one two triples away, through the code literal)."""
    bstore, before, _ = seeds
    code = ox.NamedNode(MG + "iso3166Alpha3")
    countries = [q.subject for q in bstore.store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(MG + "Country"), DEFAULT)]
    first, second = [c for c in countries if any(bstore.store.quads_for_pattern(c, code, None, DEFAULT))][:2]
    taken = _one(bstore, s=second, p=code)
    full = _same_as_full(seeds, shapes, added=[ox.Triple(first, code, taken.object)])
    shared = {f.focus for f in full.findings if f.source == "check countries-share-iso-code"}
    assert len(shared) == 2 and any(second.value.rsplit("/", 1)[-1] in f for f in shared)


def test_n_triples_lines_are_accepted_and_subclass_edits_run_everything(seeds, shapes):
    bstore, _, _ = seeds
    edge = triples(["<https://example.org/A> <http://www.w3.org/2000/01/rdf-schema#subClassOf> <https://example.org/B> ."])
    assert len(edge) == 1 and affected_focus(bstore, shapes, edge, []).everything


def test_sparql_walks_follow_the_patterns_joined_to_this():
    walks, safe = sparql_walks("""SELECT ?this WHERE { ?this <urn:p> ?x . FILTER NOT EXISTS { ?x <urn:q> ?y }
                                 { SELECT (COUNT(?u) AS ?n) WHERE { ?u <urn:k> ?v } } }""", {}, "this")
    by_last = {tuple(sorted(steps[-1][0])): (len(steps), full) for steps, full in walks}
    assert by_last[("urn:q",)] == (2, False)  # reached through ?x
    assert by_last[("urn:k",)] == (1, True)  # a count over every node: its shape runs in full
    assert safe


def test_a_report_round_trips_through_json(seeds, shapes):
    bstore, before, _ = seeds
    latest = _one(bstore, p=MG + "asOfLatest")
    _edit(bstore, removed=[latest])
    try:
        report = validate_store(bstore, shapes, CHECKS)
    finally:
        _edit(bstore, added=[latest])
    assert report.violations
    again = Report.from_json(report.to_json())
    assert again == report and again.text() == report.text()
