"""SHACL shapes (shapes/*.ttl) and SPARQL checks (queries/checks/**/*.rq).

Every shape has a conforming fixture (tests/shapes/valid/) and a violating one
(tests/shapes/invalid/); each fixture is validated together with tests/shapes/common.ttl, a small
world that conforms to every shape, the way validate/validator.py runs pySHACL (the real ontology as
ont_graph, no inference, SHACL-AF). A violating fixture must produce exactly the results listed
here: focus node, path, source shape, constraint component and severity. Then the real built
graph must conform, and `mineralgraph validate` must exit 0 / 1 / 2.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import BNode, Dataset, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

from mineralgraph.core.namespaces import ID, MG, OA, ORG
from mineralgraph.validate.validator import data_graph, sparql_checks, validate

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "shapes"
MGSH = Namespace("https://w3id.org/mineralgraph/shapes#")
# plain Namespaces: pytest's collection probes module attributes, which rdflib's closed
# namespaces answer with warnings
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
PROV = Namespace("http://www.w3.org/ns/prov#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
TIME = Namespace("http://www.w3.org/2006/time#")
RDFS_COMMENT = URIRef("http://www.w3.org/2000/01/rdf-schema#comment")

V, W, I = SH.Violation, SH.Warning, SH.Info
CLAIM = ID["claim/900/20-22"]

# fixture -> the exact results: (focus, path, source shape, constraint component, severity).
# An inverse path is written ("^", property), an alternative path ("|", property, ...).
EXPECTED = {
    "source-document-sha256": [(ID["source/901"], MG.sha256, MGSH["SourceDocument-sha256"], SH.PatternConstraintComponent, V)],
    "source-document-no-date": [(ID["source/902"], None, MGSH.SourceDocument, SH.OrConstraintComponent, V)],
    "claim-language": [(CLAIM, PROV.value, MGSH["Claim-value"], SH.LanguageInConstraintComponent, V)],
    # two glosses, one of them not English: the same property shape reports both
    "claim-gloss": [(CLAIM, MG.gloss, MGSH["Claim-gloss"], SH.MaxCountConstraintComponent, V),
                    (CLAIM, MG.gloss, MGSH["Claim-gloss"], SH.LanguageInConstraintComponent, V)],
    "claim-supports-nothing": [(CLAIM, MG.supports, MGSH["Claim-supports"], SH.MinCountConstraintComponent, V)],
    "claim-as-of-range": [(CLAIM, MG.asOf, MGSH["Claim-asOf"], SH.PatternConstraintComponent, V)],
    # a year given as a first day: "2022-01-01" cannot cover the year 2022
    "claim-as-of-bounds": [(CLAIM, MG.asOfEarliest, MGSH["Claim-asOfBounds-check"], SH.SPARQLConstraintComponent, V)],
    # a month dressed up as a day: time:inXSDDate must hold an xsd:date
    "instant-month-as-day": [
        (ID["stmt/membership/msp/eu#beginning"], TIME.inXSDDate, MGSH["Instant-day"], SH.DatatypeConstraintComponent, V)
    ],
    "claim-end-beyond-source": [
        (ID["claim/900/20-150"], OA.end, MGSH["Claim-endWithinSource-check"], SH.SPARQLConstraintComponent, V)
    ],
    "claim-exact-differs": [(CLAIM, OA.exact, MGSH["Claim-exactIsValue-check"], SH.SPARQLConstraintComponent, V)],
    "anchor-no-quote-selector": [
        (URIRef(f"{CLAIM}#anchor"), OA.hasSelector, MGSH["Anchor-quote"], SH.QualifiedMinCountConstraintComponent, V)
    ],
    "position-start-after-end": [
        (URIRef(f"{CLAIM}#position"), OA.start, MGSH["TextPositionSelector-start"], SH.LessThanConstraintComponent, V)
    ],
    "quote-two-prefixes": [
        (URIRef(f"{CLAIM}#quote"), OA.prefix, MGSH["TextQuoteSelector-prefix"], SH.MaxCountConstraintComponent, V)
    ],
    "mention-motivation": [
        (ID["mention/900/12-14"], OA.motivatedBy, MGSH["Mention-motivation"], SH.HasValueConstraintComponent, V)
    ],
    "mention-end-beyond-source": [
        (ID["mention/900/12-14"], OA.end, MGSH["Mention-endWithinSource-check"], SH.SPARQLConstraintComponent, V)
    ],
    "membership-member-region": [
        (ID["stmt/membership/msp/eu"], ORG.member, MGSH["MembershipStatement-member"], SH.OrConstraintComponent, V)
    ],
    "statement-unsupported": [
        (ID["stmt/membership/msp/eu"], ("^", MG.supports), MGSH["Statement-supportedBy"], SH.MinCountConstraintComponent, V)
    ],
    "interval-end-before-beginning": [
        (ID["stmt/membership/msp/eu#during"], TIME.hasEnd, MGSH.Interval, SH.SPARQLConstraintComponent, V)
    ],
    "instant-two-dates": [
        (ID["stmt/membership/msp/eu#beginning"], ("|", TIME.inXSDDate, TIME.inXSDgYearMonth, TIME.inXSDgYear),
         MGSH["Instant-date"], SH.MaxCountConstraintComponent, V)
    ],
    "founding-year-mismatch": [
        (ID["stmt/founding/msp/2022-06"], MG.foundingYear, MGSH["FoundingStatement-yearMatchesDate-check"], SH.SPARQLConstraintComponent, V)
    ],
    "classification-kind": [
        (ID["stmt/classification/msp/minilateral"], MG.classifiedAs, MGSH["ClassificationStatement-kind"], SH.InConstraintComponent, V)
    ],
    "statement-typed-organization": [
        (ID["stmt/classification/msp/minilateral"], None, MGSH.StatementIsNotAnOrganization, SH.NotConstraintComponent, V)
    ],
    "statistic-value-datatype": [
        (ID["stmt/statistic/x"], MG.value, MGSH["StatisticStatement-value"], SH.DatatypeConstraintComponent, V)
    ],
    "statistic-year-range": [
        (ID["stmt/statistic/x"], MG.referenceYear, MGSH["StatisticStatement-referenceYear"], SH.PatternConstraintComponent, V)
    ],
    "policy-signed-by-country": [
        (ID["stmt/policy/eo-13953/2020"], MG.signedBy, MGSH["PolicyStatement-signedBy"], SH.ClassConstraintComponent, V)
    ],
    "statistic-range-backwards": [
        (ID["stmt/statistic/y"], MG.value, MGSH["StatisticStatement-upperValue"], SH.LessThanConstraintComponent, V)
    ],
    "statistic-no-bound": [(ID["stmt/statistic/y"], MG.bound, MGSH["StatisticStatement-bound"], SH.MinCountConstraintComponent, V)],
    "event-plans-occurred": [(ID["stmt/event/b"], MG.eventStatus, MGSH["PlannedEvent-status"], SH.InConstraintComponent, V)],
    "table-row-without-table": [(ID["claim/900/10-18"], MG.inTable, MGSH["TableRowClaim-inTable"], SH.MinCountConstraintComponent, V)],
    "derivation-no-original": [
        (ID["stmt/derivation/900"], MG.original, MGSH["DerivationStatement-original"], SH.MinCountConstraintComponent, V)
    ],
    "event-no-type": [
        (ID["stmt/event/msp/launch/2022-06"], MG.eventType, MGSH["EventStatement-type"], SH.MinCountConstraintComponent, V)
    ],
    "relation-unknown": [(ID["stmt/relation/msp/x"], MG.relation, MGSH["RelationStatement-relation"], SH.InConstraintComponent, V)],
    # issue 21: a succession's date is a date as precise as the source, not words
    "relation-since-not-a-date": [
        (ID["stmt/relation/iea/succeeds/msp/since-x"], MG.since, MGSH["RelationStatement-since"], SH.OrConstraintComponent, V),
        (ID["stmt/relation/iea/succeeds/msp/since-x"], MG.since, MGSH["RelationStatement-since"], SH.PatternConstraintComponent, V),
    ],
    # issue 21: a draft names a final version, which is no draft itself
    "list-version-final-is-proposed": [
        (ID["list/us/2025-draft"], MG.finalVersion, MGSH.ListVersionStatus, SH.SPARQLConstraintComponent, V)
    ],
    # issue 21: an attendance count says what it counts and how it is bounded
    "event-attendance-no-unit": [
        (ID["stmt/event/msp/meeting/2026-02-04/attended-exact-54"], MG.attendance, MGSH.EventStatementMeasure,
         SH.SPARQLConstraintComponent, V)
    ],
    "list-version-more-than-declared": [
        (ID["list/us/2022"], MG.declaredCount, MGSH.ListVersion, SH.SPARQLConstraintComponent, V)
    ],
    # Reported, not a violation: sources often enumerate only part of a list.
    "list-version-partial": [(ID["list/us/2022"], MG.declaredCount, MGSH.ListVersionEnumeration, SH.SPARQLConstraintComponent, I)],
    "list-version-no-series": [
        (ID["list/us/2022"], DCTERMS.isVersionOf, MGSH["ListVersion-series"], SH.MinCountConstraintComponent, V)
    ],
    "list-entry-no-mineral": [
        (ID["stmt/list-entry/us/2022/x"], MG.mineral, MGSH["ListEntryStatement-mineral"], SH.MinCountConstraintComponent, V)
    ],
    "list-change-removed-not-member": [
        (ID["stmt/list-change/x"], MG.removed, MGSH.ListChangeRemovals, SH.SPARQLConstraintComponent, W)
    ],
    "list-change-backwards": [
        (ID["stmt/list-change/x"], MG.toVersion, MGSH.ListChangeStatement, SH.SPARQLConstraintComponent, V)
    ],
    # the support summaries the build derives (queries/rules/support-summary.rq, supporting-sources.rq)
    "support-count-mismatch": [
        (ID["stmt/membership/msp/JPN"], MG.sourceCount, MGSH.SupportSummary, SH.SPARQLConstraintComponent, V)
    ],
    "support-earliest-not-as-given": [
        (ID["stmt/membership/msp/JPN"], MG.earliestAsOf, MGSH["SupportSummary-earliest"], SH.PatternConstraintComponent, V)
    ],
    "support-disputed-by-supporter": [
        (ID["stmt/membership/msp/JPN"], MG.disputedBy, MGSH.DisputedMembership, SH.SPARQLConstraintComponent, V)
    ],
    # what each source says about a mechanism's members (queries/rules/roster-stance.rq)
    "roster-stance-kind": [
        (ID["source/900#roster-mechanism/msp"], MG.rosterKind, MGSH["RosterStance-kind"], SH.InConstraintComponent, V)
    ],
    # how often an entity is mentioned (queries/rules/mention-summary.rq)
    "mention-summary-more-sources": [
        (ID["country/JPN"], MG.mentionSourceCount, MGSH.MentionSummary, SH.SPARQLConstraintComponent, V)
    ],
    "support-no-ids": [(ID["stmt/membership/msp/JPN"], MG.sourceIds, MGSH["SupportSummary-ids"], SH.MinCountConstraintComponent, V)],
    "list-version-given-in-full-twice": [
        (ID["list/us/2022"], MG.givenInFull, MGSH["ListVersionGivenInFull-flag"], SH.MaxCountConstraintComponent, V)
    ],
    "country-iso-pattern": [(ID["country/jpx"], MG.iso3166Alpha3, MGSH["Country-iso3"], SH.PatternConstraintComponent, V)],
    "country-iri-mismatch": [(ID["country/XYZ"], MG.iso3166Alpha3, MGSH.Country, SH.SPARQLConstraintComponent, V)],
    "labels-two-english": [(ID["person/biden"], SKOS.prefLabel, MGSH["Labelled-prefLabel"], SH.UniqueLangConstraintComponent, V)],
    "labels-language": [(ID["person/biden"], SKOS.prefLabel, MGSH["Labelled-prefLabel"], SH.LanguageInConstraintComponent, V)],
    "entity-no-label": [(ID["mineral/tin"], SKOS.prefLabel, MGSH["Entity-prefLabel"], SH.MinCountConstraintComponent, V)],
    "organisation-acts-for-mineral": [(ID["org/usgs"], MG.actsFor, MGSH["Organisation-actsFor"], SH.OrConstraintComponent, V)],
    "mechanism-form": [(ID["mechanism/ergi"], MG.form, MGSH["Mechanism-form"], SH.ClassConstraintComponent, V)],
    "mechanism-two-kinds": [(ID["mechanism/ergi"], MG.kind, MGSH["Mechanism-kindAgreed"], SH.MaxCountConstraintComponent, W)],
    "mineral-symbol": [(ID["mineral/tin"], MG.elementSymbol, MGSH["Mineral-symbol"], SH.PatternConstraintComponent, V)],
    "indicator-no-definition": [(ID["indicator/x"], SKOS.definition, MGSH["Indicator-definition"], SH.MinCountConstraintComponent, V)],
    "unit-scheme": [(ID["unit/x"], SKOS.inScheme, MGSH["Unit-scheme"], SH.HasValueConstraintComponent, V)],
    "controlled-value-no-notation": [
        (MG["event-test"], SKOS.notation, MGSH["ControlledValue-notation"], SH.MinCountConstraintComponent, V)
    ],
    "list-issuer-mineral": [(ID["list/us"], MG.issuer, MGSH["Policy-issuer"], SH.OrConstraintComponent, V)],
    "policy-issued-year": [(ID["policy/eo-13953"], DCTERMS.issued, MGSH["Policy-issued"], SH.PatternConstraintComponent, V)],
    # issue 21: wording stays with its claim; amounts
    "wording-on-statement": [(ID["stmt/statistic/x"], None, MGSH.ValueTextOnWording, SH.ClassConstraintComponent, V)],
    "event-label-on-statement": [
        (ID["stmt/event/msp/launch/2022-06"], DCTERMS.description, MGSH["EventStatement-noLabel"],
         SH.MaxCountConstraintComponent, V)
    ],
    "unit-currency-code": [(ID["unit/usd"], SKOS.notation, MGSH["Unit-notation"], SH.PatternConstraintComponent, V)],
    "statistic-each-one-party": [
        (ID["stmt/statistic/each"], MG.perParty, MGSH.PerPartyParties, SH.SPARQLConstraintComponent, V)
    ],
}

# check file -> (asserted?, focus nodes it must report, severity)
EXPECTED_CHECKS = {
    "countries-share-iso-code": (False, {ID["country/XJP"], ID["country/JPN"]}, "Violation"),
    "entities-merged-by-reasoner": (False, {ID["mechanism/msp"]}, "Violation"),
    "mention-of-unknown-entity": (False, {ID["mention/900/1-2"]}, "Violation"),
    "claim-as-of-after-source": (False, {ID["claim/900/30-40"]}, "Warning"),
    "membership-two-organisations": (True, {ID["stmt/membership/msp/JPN"]}, "Violation"),
    "membership-two-members": (True, {ID["stmt/membership/msp/JPN"]}, "Violation"),
    "entity-two-iso-codes": (True, {ID["country/JPN"]}, "Violation"),
    "iso-code-not-country": (True, {ID["org/eu"]}, "Violation"),
    "functional-property-two-values": (True, {ID["claim/900/10-18"]}, "Violation"),
    "wording-of-unsupported-statement": (False, {ID["claim/900/10-18/wording/a1"]}, "Violation"),
}


def _fixture(*parts: str) -> Graph:
    g = Graph()
    g.parse(FIXTURES / "common.ttl", format="turtle")
    if parts:
        g.parse(FIXTURES.joinpath(*parts), format="turtle")
    return g


def _results(data: Graph, shapes: Graph, ontology: Graph) -> list[tuple]:
    """pySHACL run as validator.shacl runs it; results as comparable tuples."""
    from pyshacl import validate as pyshacl_validate

    _conforms, report, _text = pyshacl_validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", abort_on_first=False,
        allow_warnings=True, meta_shacl=False, advanced=True,
    )
    out = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        path = report.value(r, SH.resultPath)
        if isinstance(path, BNode) and report.value(path, SH.inversePath) is not None:
            path = ("^", report.value(path, SH.inversePath))
        elif isinstance(path, BNode):
            path = ("|", *Collection(report, report.value(path, SH.alternativePath)))
        out.append(
            (
                report.value(r, SH.focusNode),
                path,
                report.value(r, SH.sourceShape),
                report.value(r, SH.sourceConstraintComponent),
                report.value(r, SH.resultSeverity),
            )
        )
    return out


def test_every_fixture_has_an_expectation():
    invalid = {p.stem for p in (FIXTURES / "invalid").glob("*.ttl")}
    assert invalid == set(EXPECTED)
    assert {p.stem for p in (FIXTURES / "checks").glob("*.ttl")} == set(EXPECTED_CHECKS)
    checks = ROOT / "queries" / "checks"
    assert {p.stem for p in [*checks.glob("*.rq"), *(checks / "asserted").glob("*.rq")]} == set(EXPECTED_CHECKS)


def test_common_world_conforms(shapes, ontology):
    assert _results(_fixture(), shapes, ontology) == []


@pytest.mark.parametrize("name", sorted(p.stem for p in (FIXTURES / "valid").glob("*.ttl")))
def test_valid_fixture_conforms(name, shapes, ontology):
    assert _results(_fixture("valid", f"{name}.ttl"), shapes, ontology) == []


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_invalid_fixture_gives_exactly_its_result(name, shapes, ontology):
    results = _results(_fixture("invalid", f"{name}.ttl"), shapes, ontology)
    assert sorted(results, key=str) == sorted(EXPECTED[name], key=str)


def test_every_shape_says_what_is_wrong(shapes):
    """Each named shape has a message or a comment a person can act on."""
    named = {s for t in (SH.NodeShape, SH.PropertyShape) for s in shapes.subjects(RDF.type, t) if isinstance(s, URIRef)}
    constraints = set(shapes.subjects(RDF.type, SH.SPARQLConstraint))
    assert named and constraints
    for s in named:
        assert (s, SH.message, None) in shapes or (s, RDFS_COMMENT, None) in shapes, s
    for c in constraints:
        assert (c, SH.message, None) in shapes, c
    # every property shape is wired into a node shape
    used = set(shapes.objects(None, SH.property))
    assert {s for s in shapes.subjects(RDF.type, SH.PropertyShape)} <= used


# ------------------------------------------------------------------ SPARQL checks


def test_checks_find_nothing_in_the_common_world():
    data = _fixture()
    assert sparql_checks(data, ROOT / "queries" / "checks")[0] == []
    assert sparql_checks(data, ROOT / "queries" / "checks" / "asserted")[0] == []


@pytest.mark.parametrize("name", sorted(EXPECTED_CHECKS))
def test_check_reports_its_problem(name):
    asserted, focus, severity = EXPECTED_CHECKS[name]
    directory = ROOT / "queries" / "checks" / ("asserted" if asserted else "")
    assert (directory / f"{name}.rq").is_file()
    data = _fixture("checks", f"{name}.ttl")
    findings = [f for f in sparql_checks(data, directory)[0] if f.source == f"check {name}"]
    others = [f for f in sparql_checks(data, directory)[0] if f.source != f"check {name}"]
    assert {f.focus for f in findings} == {_prefixed(n) for n in focus}
    assert {f.severity for f in findings} == {severity}
    assert all(f.message for f in findings)
    assert others == []


def _prefixed(node) -> str:
    from mineralgraph.validate.validator import _short

    return _short(Graph(), node)


# ------------------------------------------------------------------ the real graph and the CLI


def test_real_graph_conforms(built, shapes, ontology):
    report = validate(data_graph(built), shapes, ontology, ROOT / "queries" / "checks")
    assert report.conforms, report.text(50)
    assert sparql_checks(_asserted(built), ROOT / "queries" / "checks" / "asserted")[0] == []


def _asserted(ds: Dataset) -> Graph:
    """The source and gazetteer graphs: the data before reasoning."""
    g = Graph()
    for s, p, o, ctx in ds.quads((None, None, None, None)):
        name = str(getattr(ctx, "identifier", ctx))
        if "/graph/source/" in name or name.endswith("/graph/gazetteer"):
            g.add((s, p, o))
    return g


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    for d in ("shapes", "ontology", "queries"):
        shutil.copytree(ROOT / d, root / d)
    return root


def test_cli_validate_exit_statuses(dist_dir, tmp_path):
    from click.testing import CliRunner

    from mineralgraph.cli import cli

    root = _project(tmp_path)
    runner = CliRunner()

    good = runner.invoke(cli, ["validate", "--root", str(root), "--dist", str(dist_dir)])
    assert good.exit_code == 0, good.output
    assert "graph conforms" in good.output

    bad = tmp_path / "bad-dist"
    bad.mkdir()
    quads = (dist_dir / "mineralgraph.nq").read_text(encoding="utf-8")  # the dump of record
    zzz, g = "<https://w3id.org/mineralgraph/id/country/ZZZ>", "<https://w3id.org/mineralgraph/graph/gazetteer>"
    injected = (
        f"{zzz} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/mineralgraph/ont#Country> {g} .\n"
        f'{zzz} <http://www.w3.org/2004/02/skos/core#prefLabel> "Nowhere"@en {g} .\n'
        f'{zzz} <https://w3id.org/mineralgraph/ont#iso3166Alpha3> "zz" {g} .\n'
    )
    (bad / "mineralgraph.nq").write_text(quads + injected, encoding="utf-8")
    broken = runner.invoke(cli, ["validate", "--root", str(root), "--dist", str(bad)])
    assert broken.exit_code == 1, broken.output
    assert "does NOT conform" in broken.output
    assert "id:country/ZZZ mg:iso3166Alpha3" in broken.output and "Country-iso3" in broken.output

    empty = tmp_path / "empty-dist"
    empty.mkdir()
    missing = runner.invoke(cli, ["validate", "--root", str(root), "--dist", str(empty)])
    assert missing.exit_code == 2
    assert "mineralgraph.trig" in missing.output
