"""Who is in a mechanism according to each source (roster-matrix) and where the sources really
disagree (roster-disagreements): on the seeds, quoting the sentences behind each answer, and on a
small made-up graph where a closed list contradicts an earlier naming."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from seedscope import SEED_IDS
from mineralgraph.core.dates import parse_date
from mineralgraph.storedqueries import load_all
from mineralgraph.storedqueries.run import LocalRunner

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "queries"
SOURCE_TEXT = {p.name[:3]: p.read_text(encoding="utf-8") for p in (ROOT / "seeds").glob("[0-9][0-9][0-9]_*.txt")}


@pytest.fixture(scope="module")
def catalog():
    return load_all(QUERIES)


@pytest.fixture(scope="module")
def runner(dist_dir):
    from mineralgraph.store.load import load_dist

    return LocalRunner(load_dist(dist_dir))


def rows(runner, catalog, name, **params):
    return runner.rows(catalog[name], {k: [v] for k, v in params.items()})


def listed(cell: str) -> set[str]:
    return set(filter(None, cell.split(", ")))


def cells(got: list[dict]) -> dict[tuple[str, str], dict]:
    return {(r["memberId"], r["sourceId"]): r for r in got}


def quote_of(claim_iri: str) -> str:
    source, span = claim_iri.rsplit("/claim/", 1)[1].split("/")
    start, end = map(int, span.split("-"))
    return SOURCE_TEXT[source][start:end]


# ------------------------------------------------------------------------------- dates


@pytest.mark.parametrize("given, datatype, earliest, latest", [
    ("2022", "gYear", "2022-01-01", "2022-12-31"),
    ("2024-02", "gYearMonth", "2024-02-01", "2024-02-29"),   # a leap year
    ("2023-02", "gYearMonth", "2023-02-01", "2023-02-28"),
    ("2022-06-14", "date", "2022-06-14", "2022-06-14"),
])
def test_dates_keep_their_precision(given, datatype, earliest, latest):
    d = parse_date(given)
    assert (str(d.literal), d.literal.datatype.split("#")[1]) == (given, datatype)
    assert (d.earliest.isoformat(), d.latest.isoformat()) == (earliest, latest)


@pytest.mark.parametrize("bad", ["2022-6", "22", "2022-13", "2023-02-29", "2022/06", "June 2022"])
def test_bad_dates_are_refused(bad):
    with pytest.raises(ValueError, match="date"):
        parse_date(bad)


# ------------------------------------------------------------------------------- seeds


def test_msp_matrix_statuses(runner, catalog):
    # what the seeds say, each member against each seed (a newer source adds its own columns)
    m = {k: r for k, r in cells(rows(runner, catalog, "roster-matrix", mechanism="MSP")).items() if k[1] in SEED_IDS}
    # 000: "欧盟已与澳大利亚、加拿大、芬兰、法国、德国、印度、意大利、日本、韩国、英国和其他国家一起加入了
    # 美国领导的“矿产安全伙伴关系”" -- an open list (和其他国家) without Sweden: no disagreement
    swe = m[("SWE", "000")]
    assert (swe["status"], swe["conflict"], swe["asOf"]) == ("omitted-open", "false", "2024-02-11")
    assert "和其他国家" in quote_of(swe["claim"]) and "瑞典" not in quote_of(swe["claim"])
    # 001: "参与这项矿物安全合作伙伴关系的包括澳大利亚、加拿大、芬兰、法国、德国、日本、韩国、瑞典、英国、
    # 美国和欧盟委员会。" -- a closed list of 2022-06-14 without India; 000 names India only for
    # 2024-02-11, so India may have joined later: no conflict
    ind = m[("IND", "001")]
    assert (ind["status"], ind["conflict"], ind["asOf"]) == ("omitted-closed", "false", "2022-06-14")
    assert quote_of(ind["claim"]).startswith("参与这项矿物安全合作伙伴关系的包括") and "印度" not in quote_of(ind["claim"])
    assert m[("IND", "000")]["status"] == "named" and "印度" in quote_of(m[("IND", "000")]["claim"])
    jpn = m[("JPN", "001")]
    assert (jpn["status"], jpn["conflict"]) == ("named", "false") and "日本" in quote_of(jpn["claim"])
    # 003: "拜登政府在2022年6月启动了全球基础设施和投资伙伴关系,与G7同盟签署了矿产安全伙伴关系。"
    # names only the US administration: no roster, so nobody else is "omitted" by it
    assert m[("USA", "003")]["status"] == "named"
    assert {r["status"] for k, r in m.items() if k[1] == "003" and k[0] != "USA"} == {"no-roster"}
    # 002 speaks for June 2022 and says so at month precision
    assert m[("SWE", "002")]["asOf"] == "2022-06"
    # every member against every source that speaks about MSP membership
    assert {s for _, s in m} == {"000", "001", "002", "003", "004"}
    assert len(m) == len({mem for mem, _ in m}) * len(SEED_IDS)
    # no disagreement among the members the seeds name (a later source may report a founding
    # member a seed's closed list omits: a real disagreement, not one of the seeds')
    named = {mem for (mem, _), r in m.items() if r["status"] == "named"}
    assert not any(r["conflict"] == "true" for (mem, _), r in m.items() if mem in named)


def test_msp_disagreements_in_words(runner, catalog):
    got = {r["memberId"]: r for r in rows(runner, catalog, "roster-disagreements", mechanism="MSP")}
    # India and Italy: left out of 001's closed list of 2022-06-14, named by 000 for 2024-02-11
    for member in ("IND", "ITA"):
        assert got[member]["kind"] == "change over time"
        assert listed(got[member]["omittedByClosed"]) == {"001 (2022-06-14)"}
        assert listed(got[member]["namedBy"]) == {"000 (2024-02-11)"}
        assert "001 (2022-06-14)" in got[member]["explanation"] and "later" in got[member]["explanation"]
    # Sweden: named by 001, left out only by open lists (000, 002)
    assert got["SWE"]["kind"] == "open-list omission"
    assert listed(got["SWE"]["omittedByOpen"]) == {"000 (2024-02-11)", "002 (2022-06)"}
    assert got["SWE"]["omittedByOpen"].index("002 (2022-06)") < got["SWE"]["omittedByOpen"].index("000 (2024-02-11)")  # earliest first
    assert listed(got["SWE"]["namedBy"]) == {"001 (2022-06-14)"}
    # 003 and 004 give no roster: they never make a member "disagreed about"
    assert "003" not in " ".join(r["omittedByClosed"] + r["omittedByOpen"] for r in got.values())
    # members every list names are no disagreement at all
    assert "JPN" not in got and "USA" not in got


# ------------------------------------------------------------------------------- conflict

MADE_UP = """
@prefix mg: <https://w3id.org/mineralgraph/ont#> . @prefix org: <http://www.w3.org/ns/org#> .
@prefix prov: <http://www.w3.org/ns/prov#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix id: <https://w3id.org/mineralgraph/id/> .
id:mechanism\\/x a mg:Mechanism ; skos:prefLabel "X partnership"@en ; mg:abbreviation "XP" .
id:source\\/801 dcterms:identifier "801" . id:source\\/802 dcterms:identifier "802" . id:source\\/803 dcterms:identifier "803" .
id:country\\/AAA skos:prefLabel "A"@en . id:country\\/BBB skos:prefLabel "B"@en . id:country\\/CCC skos:prefLabel "C"@en .
<https://w3id.org/mineralgraph/id/stmt/membership/x/AAA> org:organization id:mechanism\\/x ; org:member id:country\\/AAA .
<https://w3id.org/mineralgraph/id/stmt/membership/x/BBB> org:organization id:mechanism\\/x ; org:member id:country\\/BBB .
<https://w3id.org/mineralgraph/id/stmt/membership/x/CCC> org:organization id:mechanism\\/x ; org:member id:country\\/CCC .
# 801: a closed list of 2023-05 naming A only
id:claim\\/801\\/1-2 prov:wasQuotedFrom id:source\\/801 ; mg:enumerationComplete true ;
    mg:asOf "2023-05"^^xsd:gYearMonth ; mg:asOfEarliest "2023-05-01"^^xsd:date ; mg:asOfLatest "2023-05-31"^^xsd:date ;
    mg:supports <https://w3id.org/mineralgraph/id/stmt/membership/x/AAA> .
# 802: names B for the year 2023 (it may be May or earlier: a conflict with 801)
id:claim\\/802\\/1-2 prov:wasQuotedFrom id:source\\/802 ;
    mg:asOf "2023"^^xsd:gYear ; mg:asOfEarliest "2023-01-01"^^xsd:date ; mg:asOfLatest "2023-12-31"^^xsd:date ;
    mg:supports <https://w3id.org/mineralgraph/id/stmt/membership/x/BBB> .
# 803: names C for 2023-06-02, after 801's list: a change over time, no conflict
id:claim\\/803\\/1-2 prov:wasQuotedFrom id:source\\/803 ;
    mg:asOf "2023-06-02"^^xsd:date ; mg:asOfEarliest "2023-06-02"^^xsd:date ; mg:asOfLatest "2023-06-02"^^xsd:date ;
    mg:supports <https://w3id.org/mineralgraph/id/stmt/membership/x/CCC> .
"""


@pytest.fixture(scope="module")
def made_up():
    store = ox.Store()
    store.load(MADE_UP.encode(), ox.RdfFormat.TURTLE)
    # what the build derives from these claims (the roster stances, the support summaries), as it would
    derived = [t for rule in sorted((QUERIES / "rules").glob("*.rq")) for t in store.query(rule.read_text(encoding="utf-8"))]
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in derived)
    return LocalRunner(store)


def test_conflict_only_where_a_closed_list_omits_an_earlier_naming(made_up):
    catalog = load_all(QUERIES)
    m = cells(rows(made_up, catalog, "roster-matrix", mechanism="XP"))
    assert (m[("BBB", "801")]["status"], m[("BBB", "801")]["conflict"]) == ("omitted-closed", "true")
    assert (m[("CCC", "801")]["status"], m[("CCC", "801")]["conflict"]) == ("omitted-closed", "false")
    assert m[("AAA", "801")]["asOf"] == "2023-05"
    assert (m[("AAA", "802")]["status"], m[("AAA", "802")]["conflict"]) == ("no-roster", "false")
    words = {r["memberId"]: r for r in rows(made_up, catalog, "roster-disagreements", mechanism="XP")}
    assert words["BBB"]["kind"] == "contradiction"
    assert words["CCC"]["kind"] == "change over time"
    assert "AAA" not in words
