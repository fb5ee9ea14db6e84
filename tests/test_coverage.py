"""The graph holds what the sources say: real answers read from the text, for every source and
every kind of statement (memberships, counts, foundings, kinds, lists, changes, statistics, policies)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from mineralgraph.build.extract.table import find_tables
from mineralgraph.core.paths import ProjectPaths
from mineralgraph.build.sources import load_sources

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]
ID = "https://w3id.org/mineralgraph/id/"
PREFIXES = """
PREFIX mg: <https://w3id.org/mineralgraph/ont#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""


@pytest.fixture(scope="module")
def store(dist_dir):
    s = ox.Store()
    s.bulk_load(path=str(dist_dir / "mineralgraph.nq"), format=ox.RdfFormat.N_QUADS)
    return s


def select(store, query: str) -> set[tuple]:
    out = set()
    for row in store.query(PREFIXES + query, use_default_graph_as_union=True):
        out.add(tuple(_short(v) for v in row))
    return out


def _short(term):
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value.rsplit("/", 1)[-1] if term.value.startswith(ID) else term.value
    return term.value


def roster(store, mechanism: str, source: str) -> tuple[set, set]:
    """Members a source names for a mechanism, and the completeness flags of its roster claims."""
    rows = select(store, f"""
        SELECT DISTINCT ?member ?complete WHERE {{
          ?st org:organization <{ID}mechanism/{mechanism}> ; org:member ?member .
          ?c mg:supports ?st ; prov:wasQuotedFrom <{ID}source/{source}> .
          OPTIONAL {{ ?c mg:enumerationComplete ?complete }}
        }}""")
    return {m for m, _ in rows}, {c for _, c in rows}


# -- memberships, as each source gives them ---------------------------------------------------

def test_msp_roster_of_001_is_complete_and_dated(store):
    members, complete = roster(store, "msp", "001")
    assert members == {"AUS", "CAN", "FIN", "FRA", "DEU", "JPN", "KOR", "SWE", "GBR", "USA", "eu"}
    dates = select(store, f"""SELECT DISTINCT ?d WHERE {{
        ?st org:organization <{ID}mechanism/msp> ; org:member <{ID}country/SWE> .
        ?c mg:supports ?st ; prov:wasQuotedFrom <{ID}source/001> ; mg:asOf ?d }}""")
    assert dates == {("2022-06-14",)}  # 美国国务院6月14日宣布
    # 欧盟委员会 stands for the EU as a party
    body = select(store, f"""SELECT ?b WHERE {{ ?st org:organization <{ID}mechanism/msp> ; org:member <{ID}org/eu> ;
        mg:representedBy ?b . ?c mg:supports ?st ; prov:wasQuotedFrom <{ID}source/001> }}""")
    assert body == {("european-commission",)}


def test_msp_roster_of_000_is_open_ended(store):
    members, complete = roster(store, "msp", "000")
    assert members == {"eu", "AUS", "CAN", "FIN", "FRA", "DEU", "IND", "ITA", "JPN", "KOR", "GBR", "USA"}
    assert "false" in complete  # 和其他国家


def test_msp_roster_of_002_is_open_ended(store):
    members, complete = roster(store, "msp", "002")
    assert members == {"USA", "CAN", "AUS", "FRA", "DEU", "GBR", "eu", "JPN", "KOR"}
    assert complete == {"false"}  # 等盟友


def test_msp_count_of_004(store):
    counts = select(store, f"""SELECT DISTINCT ?v WHERE {{ ?s a mg:StatisticStatement ; mg:subject <{ID}mechanism/msp> ;
        mg:indicator <{ID}indicator/member-count> ; mg:value ?v . ?c mg:supports ?s ; prov:wasQuotedFrom <{ID}source/004> }}""")
    assert {float(v) for (v,) in counts} == {14.0}  # 14个成员国与欧盟
    members, _ = roster(store, "msp", "004")
    assert "eu" in members


def test_scma_founders_in_002_and_004(store):
    seven = {"USA", "CAN", "AUS", "FRA", "DEU", "GBR", "JPN"}
    for source in ("002", "004"):
        members, complete = roster(store, "scma", source)
        assert members == seven, source
        assert complete == {"true"}, source  # 七国 / the list names all seven


def test_ergi_rosters_differ_by_source(store):
    m002, c002 = roster(store, "ergi", "002")
    m004, c004 = roster(store, "ergi", "004")
    assert m002 == {"USA", "AUS", "BRA", "COD", "ARG", "NAM", "PHL", "ZMB"}
    assert m004 == {"USA", "AUS", "BWA", "PER", "CAN"}
    assert c002 == {"false"} and c004 == {"false"}  # both end in 等


# -- Table 1 of 004: every row's kind and founding year ----------------------------------------

def test_every_table1_row_has_its_kind_and_year(store):
    src = next(s for s in load_sources(ProjectPaths(ROOT)) if s.id == "004")
    rows = find_tables(src.text, {"双边机制", "小多边机制", "全球性多边机制"})[0]
    kinds = {"双边机制": "bilateral", "小多边机制": "minilateral", "全球性多边机制": "globalMultilateral"}
    for row in rows:
        got = select(store, f"""SELECT ?kind ?year WHERE {{
            ?c prov:value ?q ; prov:wasQuotedFrom <{ID}source/004> ; mg:supports ?k, ?f .
            FILTER(STR(?q) = {ox.Literal(row.text)})
            ?k a mg:ClassificationStatement ; mg:classifiedAs ?kindIri . BIND(STRAFTER(STR(?kindIri), "#") AS ?kind)
            ?f a mg:FoundingStatement ; mg:foundingYear ?year }}""")
        assert got == {(kinds[row.type_label], row.year)}, row.text


# -- critical-mineral lists (002) -------------------------------------------------------------

def members(store, version):
    return {m for (m,) in select(store, f"SELECT ?m WHERE {{ <{ID}list/{version}> skos:member ?m }}")}


def test_us_2016_list_as_named(store):
    assert members(store, "us/2016") == {
        "molybdenum", "rhodium", "ruthenium", "iridium", "mercury", "tungsten", "germanium", "vanadium",
        "silicon", "bismuth", "antimony", "cobalt", "rare-earth-elements", "mica", "magnesite", "monazite"}


def test_us_2018_list_has_its_35(store):
    got = members(store, "us/2018")
    assert len(got) == 35
    assert {"helium", "potash", "rhenium", "strontium", "uranium", "platinum-group-metals", "lithium"} <= got
    declared = select(store, f"SELECT ?n WHERE {{ <{ID}list/us/2018> mg:declaredCount ?n }}")
    assert declared == {("35",)}


def test_us_2022_list_dropped_five_and_added_twenty(store):
    got = select(store, f"""SELECT DISTINCT ?kind ?m WHERE {{
        ?s a mg:ListChangeStatement ; mg:fromVersion <{ID}list/us/2018> ; mg:toVersion <{ID}list/us/2022> .
        {{ ?s mg:removed ?m BIND("removed" AS ?kind) }} UNION {{ ?s mg:added ?m BIND("added" AS ?kind) }} }}""")
    assert {m for k, m in got if k == "removed"} == {"helium", "potash", "rhenium", "strontium", "uranium"}
    assert {m for k, m in got if k == "added"} == {"nickel", "zinc"}  # 鎳、鋅等20種: only two named
    counts = select(store, f"""SELECT ?r ?a WHERE {{ ?s a mg:ListChangeStatement ; mg:toVersion <{ID}list/us/2022> ;
        mg:removedCount ?r ; mg:addedCount ?a }}""")
    assert counts == {("5", "20")}


def test_eu_2020_and_japan_lists(store):
    assert len(members(store, "eu/2020")) == 29
    assert {"bauxite", "natural-rubber", "coking-coal", "phosphate-rock"} <= members(store, "eu/2020")
    assert len(members(store, "jp/2009")) == 31
    assert {"gold", "silver", "fluorine"} <= members(store, "jp/2009")  # 氟、金和銀
    assert members(store, "jp-stockpile/1983") == {"nickel", "chromium", "molybdenum", "manganese", "vanadium", "tungsten", "cobalt"}


# -- statistics: two sources, different values, both kept --------------------------------------

def refining(store, source):
    rows = select(store, f"""SELECT DISTINCT ?m ?v WHERE {{ ?s a mg:StatisticStatement ; mg:subject <{ID}country/CHN> ;
        mg:indicator <{ID}indicator/refining-share> ; mg:mineral ?m ; mg:value ?v .
        ?c mg:supports ?s ; prov:wasQuotedFrom <{ID}source/{source}> }}""")
    return {m: float(v) for m, v in rows}


def test_refining_shares_each_source_gives(store):
    assert refining(store, "003") == {"cobalt": 70.0, "lithium": 58.0, "nickel": 35.0}
    # 004 also: rare earths, 精炼产量占全球总量高达92%
    assert refining(store, "004") == {"cobalt": 68.0, "nickel": 65.0, "lithium": 60.0, "rare-earth-elements": 92.0}


def test_figures_of_000_and_003(store):
    drc = select(store, f"""SELECT DISTINCT ?v WHERE {{ ?s mg:subject <{ID}country/COD> ; mg:indicator <{ID}indicator/supply-share> ;
        mg:mineral <{ID}mineral/cobalt> ; mg:value ?v . ?c mg:supports ?s ; prov:wasQuotedFrom <{ID}source/000> }}""")
    assert {float(v) for (v,) in drc} == {70.0}
    kaz = select(store, f"""SELECT DISTINCT ?v ?y WHERE {{ ?s mg:subject <{ID}country/KAZ> ; mg:indicator <{ID}indicator/supply-share> ;
        mg:mineral <{ID}mineral/uranium> ; mg:value ?v ; mg:referenceYear ?y }}""")
    assert {(float(v), y) for v, y in kaz} == {(43.0, "2022")}
    reserves = select(store, f"""SELECT DISTINCT ?m ?v WHERE {{ ?s mg:subject <{ID}region/central-asia> ;
        mg:indicator <{ID}indicator/reserves-share> ; mg:mineral ?m ; mg:value ?v }}""")
    assert {m: float(v) for m, v in reserves} == {"manganese": 38.6, "chromium": 30.07, "lead": 20.0, "zinc": 12.6, "titanium": 8.7}


def test_lynas_contract_of_001(store):
    got = select(store, f"""SELECT DISTINCT ?v ?u WHERE {{ ?s a mg:StatisticStatement ; mg:value ?v ; mg:unit ?u .
        ?c mg:supports ?s ; prov:wasQuotedFrom <{ID}source/001> }}""")
    assert (120000000.0, "usd") in {(float(v), u) for v, u in got}


# -- policies ---------------------------------------------------------------------------------

def test_executive_orders_with_numbers_and_years(store):
    got = select(store, """SELECT DISTINCT ?p ?n ?d WHERE { ?s a mg:PolicyStatement ; mg:policy ?p ; mg:documentNumber ?n ; mg:date ?d }""")
    by_number = {n: d[:4] for _, n, d in got}
    assert by_number == {"13817": "2017", "13953": "2020", "14017": "2021"}
