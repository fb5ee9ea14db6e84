"""Issue 12: facts the sources state that used to hide in comments, labels and qualifiers, each
answered by a stored query. Every expected answer is read from the source text, quoted here."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from seedscope import SEED_IDS
from mineralgraph.storedqueries import load_all
from mineralgraph.storedqueries.run import LocalRunner

ROOT = Path(__file__).resolve().parents[1]
ID = "https://w3id.org/mineralgraph/id/"
SOURCE_TEXT = {p.name[:3]: p.read_text(encoding="utf-8") for p in (ROOT / "seeds").glob("[0-9][0-9][0-9]_*.txt")}
# quotes are written as a reader sees them: without 003's wiki links ([[zh:美国]]) and 002's pinyin glosses (關(guān))
READABLE = {k: re.sub(r"\(([a-zü]+[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]?[a-zü]*)\)", "", re.sub(r"\[\[zh:([^\]]*)\]\]", r"\1", v))
            for k, v in SOURCE_TEXT.items()}


@pytest.fixture(scope="module")
def catalog():
    return load_all(ROOT / "queries")


@pytest.fixture(scope="module")
def runner(dist_dir):
    from mineralgraph.store.load import load_dist

    return LocalRunner(load_dist(dist_dir))


def rows(runner, catalog, name, **params):
    return runner.rows(catalog[name], {k: (v if isinstance(v, list) else [v]) for k, v in params.items()})


def in_text(source: str, *quotes: str) -> None:
    """The quoted sentences are really in the source (so the test reads its answer from the text)."""
    for q in quotes:
        assert q in SOURCE_TEXT[source] or q in READABLE[source], q


# ------------------------------------------------------------------------------ tables as data

TABLE_1 = "004/table/1"


def test_table_1_is_a_resource_of_004_with_its_caption(runner):
    in_text("004", "表1 美国关键矿产盟伴体系", "类型\t名称\t缩写\t建立时间")
    q = f"""PREFIX mg: <https://w3id.org/mineralgraph/ont#> PREFIX dcterms: <http://purl.org/dc/terms/>
    SELECT ?source ?title ?n (COUNT(DISTINCT ?claim) AS ?rows) WHERE {{
      <{ID}source/004/table/1> a mg:SourceTable ; dcterms:isPartOf ?source ; dcterms:title ?title ; mg:tableNumber ?n .
      ?claim mg:inTable <{ID}source/004/table/1> ; mg:tableRow ?r }} GROUP BY ?source ?title ?n"""
    (row,) = list(runner.store.query(q, use_default_graph_as_union=True))
    assert str(row["source"].value) == ID + "source/004"
    assert row["title"].value == "表1 美国关键矿产盟伴体系"
    assert int(row["n"].value) == 1 and int(row["rows"].value) == 33


def test_mechanisms_of_table_1_by_kind(runner, catalog):
    # Table 1 groups its 33 rows under 双边机制, 小多边机制 and 全球性多边机制.
    in_text("004", "双边机制\t美欧能源理事会\tEC\t2009")
    ids = {k: {r["mechanismId"] for r in rows(runner, catalog, "mechanisms", table=TABLE_1, kind=k)}
           for k in ("bilateral", "minilateral", "global")}
    assert {k: len(v) for k, v in ids.items()} == {"bilateral": 17, "minilateral": 8, "global": 8}
    assert len({r["mechanismId"] for r in rows(runner, catalog, "mechanisms", table=TABLE_1)}) == 33
    # Without the table, a mechanism only 002 calls minilateral joins the list.
    everyone = {r["mechanismId"] for r in rows(runner, catalog, "mechanisms", kind="minilateral")}
    assert ids["minilateral"] < everyone
    assert "ec" in ids["bilateral"] or "us-eu-energy-council" in ids["bilateral"]


def test_mechanisms_say_which_source_gives_which_founding_year(runner, catalog):
    # The table: "国际能源署	IEA	1973"; the text: "1974年全球石油危机中建立起的国际能源署".
    in_text("004", "\t国际能源署\tIEA\t1973", "1974年全球石油危机中建立起的国际能源署")
    (iea,) = [r for r in rows(runner, catalog, "mechanisms", source="004") if r["mechanismId"] == "iea"]
    assert set(iea["foundedYear"].split()) == {"1973", "1974"}
    assert set(iea["foundedBy"].split("; ")) == {"1973 (004 table 1 row 27)", "1974 (004)"}
    (from_table,) = [r for r in rows(runner, catalog, "mechanisms", table=TABLE_1) if r["mechanismId"] == "iea"]
    assert from_table["foundedYear"] == "1973" and from_table["kindBy"] == "global (004 table 1 row 27)"


def _cited_by(value: str) -> tuple:
    """'2022 (004 table 1 row 23)' -> ('004', 1, 23); '2022 (002)' -> ('002', -1, -1)."""
    m = re.fullmatch(r".* \((\S+)(?: table (\d+) row (\d+))?\)", value)
    assert m, value
    return m.group(1), int(m.group(2) or -1), int(m.group(3) or -1)


def test_the_catalogue_without_a_source_gives_what_each_source_gives(runner, catalog):
    # Without a source or table the kinds and years come from the build's summary
    # (rules/mechanism-summary.rq); with a source, from its claims. Both must say the same, and
    # the summary lists its values by source.
    everyone = {r["mechanismId"]: r for r in rows(runner, catalog, "mechanisms")}
    sources = sorted({r["sourceId"] for r in rows(runner, catalog, "sources")})
    assert set(SEED_IDS) <= set(sources)
    given = {}  # (mechanism, column) -> values, as each source gives them
    for sid in sources:
        for r in rows(runner, catalog, "mechanisms", source=sid):
            for column, separator in (("kindBy", "; "), ("foundedBy", "; "), ("sources", " ")):
                if r.get(column):
                    given.setdefault((r["mechanismId"], column), set()).update(r[column].split(separator))
    assert given
    for (mechanism, column), values in given.items():
        separator = " " if column == "sources" else "; "
        listed = everyone[mechanism][column].split(separator)
        assert set(listed) == values, (mechanism, column)
        by_source = [_cited_by(v) if separator == "; " else (v, -1, -1) for v in listed]
        assert by_source == sorted(by_source), (mechanism, column)
    # 004's table gives the IEA 1973 and its text 1974 (test above); 002 also dates the MSP.
    iea = everyone["iea"]["foundedBy"].split("; ")
    assert {"1973 (004 table 1 row 27)", "1974 (004)"} <= set(iea)
    assert iea.index("1974 (004)") < iea.index("1973 (004 table 1 row 27)")  # the text before its table
    # A country's mechanisms read the same summary.
    (usbcm,) = [r for r in rows(runner, catalog, "country-mechanisms", country="BRA") if r["mechanismId"] == "usbcm-wg"]
    assert (usbcm["kindBy"], usbcm["foundedBy"]) == (everyone["usbcm-wg"]["kindBy"], everyone["usbcm-wg"]["foundedBy"])


def test_country_mechanisms_from_a_table_row(runner, catalog):
    # "美巴关键矿产工作组	USBCM WG	2020": the row names Brazil (巴) as the other party.
    in_text("004", "\t美巴关键矿产工作组\tUSBCM WG\t2020", "美国于2020年与巴西建立美巴关键矿产工作组")
    (row,) = rows(runner, catalog, "country-mechanisms", country="BRA", table=TABLE_1)
    assert row["mechanismId"] == "usbcm-wg" and row["sources"] == TABLE_1
    assert row["kindBy"] == "bilateral (004 table 1 row 3)"


def test_table_parameter_refuses_an_unknown_table(runner, catalog):
    from mineralgraph.storedqueries import BindError

    with pytest.raises(BindError, match="unknown table"):
        rows(runner, catalog, "mechanisms", table="004/table/9")


# ------------------------------------------------------------------------------ derived works

def test_003_is_a_translation_of_the_hill_of_the_day_before(runner, catalog):
    # 003: "1/30/2024 7:58 AM UTC 秘密翻譯組G-Translators" and "1月29日，《国会山报》发表分析文章"
    in_text("003", "1/30/2024 7:58 AM UTC 秘密翻譯組G-Translators", "1月29日，《国会山报》发表分析文章")
    (row,) = seeds(rows(runner, catalog, "sources", kind="translation"))
    assert row["sourceId"] == "003" and row["date"] == "2024-01-30"
    assert row["derivedFrom"] == ID + "source/003/original"
    assert (row["derivation"], row["originalOutlet"], row["originalDate"]) == ("translation", "The Hill", "2024-01-29")
    assert row.get("originalTitle") in (None, "")  # the text names no title
    others = [r for r in seeds(rows(runner, catalog, "sources")) if r["sourceId"] != "003"]
    assert others and all(not r.get("derivedFrom") for r in others)


# ------------------------------------------------------------------------------ leftovers in free text

BOUND_WORDS = re.compile(r"\b(more than|less than|fewer than|lower bound|upper bound|at least|at most|about|approximately"
                         r"|nearly|almost|over|estimated?|range|most)\b", re.I)
DATE_WORDS = re.compile(r"\b(1[89]\d\d|20\d\d)s?\b|\b(January|February|March|April|May|June|July|August|September"
                        r"|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\b")
FREE_TEXT = """PREFIX mg: <https://w3id.org/mineralgraph/ont#> PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT DISTINCT ?st ?kind ?text WHERE {
  { ?st a mg:StatisticStatement ; mg:qualifier ?text BIND("qualifier" AS ?kind) }
  UNION { ?st a mg:EventStatement . ?w mg:ofStatement ?st ; dcterms:description ?text BIND("label" AS ?kind) } }"""
LINKED = """PREFIX mg: <https://w3id.org/mineralgraph/ont#> PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT DISTINCT ?st ?o WHERE {
  { ?st a mg:StatisticStatement } UNION { ?st a mg:EventStatement }
  { ?st ?p ?o FILTER(isIRI(?o)) } UNION { ?st mg:plans ?planned . ?planned ?p ?o FILTER(isIRI(?o)) } }"""
NAMES = """PREFIX mg: <https://w3id.org/mineralgraph/ont#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?e ?what ?name WHERE {
  VALUES (?class ?what) { (mg:Mineral "mineral") (mg:Actor "party") (mg:Mechanism "party") (mg:Policy "party")
                          (mg:Region "party") (mg:StatisticCategory "category") }
  ?e a ?class . { ?e skos:prefLabel ?name } UNION { ?e skos:altLabel ?name } UNION { ?e mg:abbreviation ?name }
  FILTER(lang(?name) = "en" || lang(?name) = "") FILTER(STRLEN(?name) >= 2) FILTER(!CONTAINS(STR(?e), "/id/stmt/")) }"""


def _names(store):
    out = []
    for r in store.query(NAMES, use_default_graph_as_union=True):
        name = r["name"].value
        if not re.search(r"[A-Za-z]", name):
            continue
        # proper names match as written, minerals and categories in any case; "US" in "US$35
        # million" is the currency, not the country
        flags = re.I if r["what"].value != "party" else 0
        out.append((r["e"].value, r["what"].value, name, re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w$-])", flags)))
    return out


def named_in(text: str, names) -> list[tuple[str, str, str]]:
    """(entity, kind, name) for each name in the text, longest first: "Asia" inside "Central Asia" is not Asia."""
    spans = []
    for iri, what, name, pattern in names:
        spans += [(m.start(), m.end(), iri, what, name) for m in pattern.finditer(text)]
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    kept, end = [], -1
    for start, stop, iri, what, name in sorted(spans, key=lambda s: -(s[1] - s[0])):
        if not any(a <= start and stop <= b and (a, b) != (start, stop) for a, b, *_ in kept):
            kept.append((start, stop, iri, what, name))
    return [(iri, what, name) for _, _, iri, what, name in kept]


def leftovers(store) -> list[tuple[str, str, str]]:
    linked: dict[str, set[str]] = {}
    for r in store.query(LINKED, use_default_graph_as_union=True):
        linked.setdefault(r["st"].value, set()).add(r["o"].value)
    names = _names(store)
    found = set()
    for r in store.query(FREE_TEXT, use_default_graph_as_union=True):
        st, kind, text = r["st"].value, r["kind"].value, r["text"].value
        named = named_in(text, names)
        rest = text  # a year inside a name ("Mineral Commodity Summaries 2024") is part of the name
        for _, _, name in named:
            rest = rest.replace(name, " ")
        if kind == "qualifier" and (m := BOUND_WORDS.search(rest)):
            found.add((st, text, f"bound {m.group(0)!r}"))
        if m := DATE_WORDS.search(rest):
            found.add((st, text, f"date {m.group(0)!r}"))
        for iri, what, name in named:
            if iri not in linked.get(st, set()):
                found.add((st, text, f"{what} {name!r} ({iri.rsplit('/id/', 1)[-1]}) not linked"))
    return sorted(found)


def test_no_qualifier_or_label_holds_what_the_model_can_say(runner):
    """A qualifier or event label may describe, but a party, a bound, a category, a date or a
    mineral it names must be in the structure: linked to the statement (subject, funder,
    recipient, partner, estimated_by, about, participant, mineral, category ...), or said by
    mg:bound, mg:referenceYear / mg:period* / mg:date / mg:dueBy / a planned event."""
    assert leftovers(runner.store) == []


# ------------------------------------------------------------------------------ statistics: roles, bounds, categories

def seeds(rows_):
    """The rows the seeds give: what these tests check is what the seeds say (issue 20)."""
    return [r for r in rows_ if r["sourceId"] in SEED_IDS]


def _stat(rows_):
    return [{k: r.get(k) or "" for k in ("subjectId", "indicatorId", "value", "bound", "upperValue", "categoryId", "funder",
                                          "recipient", "partner", "estimatedBy", "periodStart", "periodEnd", "sourceId")} for r in rows_]


def test_the_mp_materials_subsidy_has_funder_and_recipient(runner, catalog):
    # 002: "稀土開采商芒廷山口材料公司將獲得國防部3500萬美元補貼"
    in_text("002", "稀土開采商芒廷山口材料公司將獲得國防部3500萬美元補貼")
    (row,) = seeds(_stat(rows(runner, catalog, "statistics", party="mp-materials")))
    assert (row["value"], row["funder"], row["recipient"], row["bound"]) == ("35000000", "us-dod", "mp-materials", "exact")
    assert seeds(_stat(rows(runner, catalog, "statistics", party="mp-materials", role="funder"))) == []
    assert row in _stat(rows(runner, catalog, "statistics", party="us-dod", role="funder"))


def test_more_than_forty_million_for_rise_is_a_lower_bound_with_its_funders(runner, catalog):
    # 004: "美国、日本、加拿大、意大利、韩国和英国等国已承诺向RISE提供总计超过4000万美元的初始捐款"
    in_text("004", "美国、日本、加拿大、意大利、韩国和英国等国已承诺向RISE提供总计超过4000万美元的初始捐款")
    (row,) = seeds(_stat(rows(runner, catalog, "statistics", party="JPN", role="funder")))
    assert (row["subjectId"], row["value"], row["bound"], row["recipient"]) == ("rise", "40000000", "more-than", "rise")
    assert set(row["funder"].split()) == {"USA", "JPN", "CAN", "ITA", "KOR", "GBR"}


def test_fully_import_reliant_and_import_dependent_are_categories(runner, catalog):
    # 004: "2023 年美国 50 种关键矿产中，有 12 种 100% 从国外进口、29 种（包括 14 种镧系元素）依赖国外进口。"
    in_text("004", "2023 年美国 50 种关键矿产中，有 12 种 100% 从国外进口、29 种（包括 14 种镧系元素）依赖国外进口。")
    full = {(r["indicatorId"], r["value"]) for r in seeds(_stat(rows(runner, catalog, "statistics", category="fully-import-reliant")))}
    assert full == {("mineral-count", "12"), ("import-dependence", "100")}
    counts = {r["value"] for r in _stat(rows(runner, catalog, "statistics", subject="USA", category="import-dependent"))
              if r["indicatorId"] == "mineral-count" and r["sourceId"] == "004"}
    assert {"29", "14"} <= counts and "12" not in counts
    assert all(r["estimatedBy"] == "usgs" for r in seeds(_stat(rows(runner, catalog, "statistics", category="fully-import-reliant"))))


def test_programme_figures_are_found_from_the_agency_above_it(runner, catalog):
    # 002: "美國能源部高級研究計劃署啟動能源負排放資源回收采礦創新計劃,宣布為12個州的16個項目提供3900萬美元資金"
    # ARPA-E is part of the Department of Energy (gazetteer parent) and issues the MINER programme.
    in_text("002", "宣布為12個州的16個項目提供3900萬美元資金")
    direct = {r["subjectId"] for r in _stat(rows(runner, catalog, "statistics", party="us-doe"))}
    assert "arpa-e-miner" not in direct
    parts = _stat(rows(runner, catalog, "statistics", party="us-doe", include_parts="true"))
    assert {("arpa-e-miner", "39000000"), ("arpa-e-miner", "16"), ("arpa-e-miner", "12")} <= {(r["subjectId"], r["value"]) for r in parts}


def test_periods_and_ranges_are_columns(runner, catalog):
    # 002: "2016~2020年間,歐盟委員會為該計劃劃撥了超過100億歐元的公共資金"
    in_text("002", "2016~2020年間,歐盟委員會為該計劃劃撥了超過100億歐元的公共資金")
    (row,) = [r for r in _stat(rows(runner, catalog, "statistics", party="european-commission", role="funder"))
              if r["value"] == "10000000000"]
    assert (row["bound"], row["periodStart"], row["periodEnd"]) == ("more-than", "2016", "2020")
    # 004: "由5年前的40%—50%提升至当前的50%—70%"
    in_text("004", "由5年前的40%—50%提升至当前的50%—70%")
    ranges = {(r["value"], r["upperValue"], r["bound"]) for r in _stat(rows(runner, catalog, "statistics", subject="world"))
              if r["upperValue"]}
    assert {("40", "50", "at-least"), ("50", "70", "at-least")} <= ranges


# ------------------------------------------------------------------------------ list novelty

def test_four_minerals_first_listed_in_the_2020_eu_list(runner, catalog):
    # 002: "其中鋁土礦、鋰、鈦和鍶四種為首次列入清單" — no earlier version named
    in_text("002", "其中鋁土礦、鋰、鈦和鍶四種為首次列入清單")
    got = seeds(rows(runner, catalog, "list-changes", to="eu/2020"))
    assert {(r.get("fromId") or "", r["change"], r["mineralId"]) for r in got} == {
        ("", "first listed", m) for m in ("bauxite", "lithium", "titanium", "strontium")}
    assert all(r["sourceId"] == "002" for r in got)
    # asked from a named earlier version, a first listing is not a change between the two
    assert [r for r in rows(runner, catalog, "list-changes", **{"from": "us/2018", "to": "us/2022"}) if r["change"] == "first listed"] == []


# ------------------------------------------------------------------------------ events for anything

def test_the_defense_production_act_authorisation_is_about_the_platinum_group_metals(runner, catalog):
    # 002: "2022年6月拜登簽署命令授權美國能源部利用《國防生產法》加速五項關鍵能源、資源的國內生產,其中一項便是被列入關鍵礦產清單的鉑族金屬"
    in_text("002", "2022年6月拜登簽署命令授權美國能源部利用《國防生產法》加速五項關鍵能源、資源的國內生產")
    (event,) = rows(runner, catalog, "events", about="platinum-group-metals", source="002")
    assert (event["date"], event["eventType"], event["eventStatus"]) == ("2022-06", "signing", "occurred")
    assert set(event["about"].split()) == {"defense-production-act", "platinum-group-metals"}
    assert rows(runner, catalog, "events", about="defense-production-act", source="002") == [event]


def test_the_plan_to_draft_an_act_before_a_summit_is_an_event_of_its_own(runner, catalog):
    # 002: "2022年9月又宣布爭取于2023年3月歐盟峰會召開前擬定《關鍵原材料法案》"
    in_text("002", "2022年9月又宣布爭取于2023年3月歐盟峰會召開前擬定《關鍵原材料法案》")
    got = {r["event"]: r for r in rows(runner, catalog, "events", about="critical-raw-materials-act", source="002")}
    (announcement,) = [r for r in got.values() if r["eventType"] == "announcement"]
    (draft,) = [r for r in got.values() if r["eventStatus"] == "planned"]
    assert announcement["date"] == "2022-09" and announcement["eventStatus"] == "occurred"
    assert (draft["eventType"], draft["dueBy"], draft.get("date") or "") == ("publication", "2023-03", "")
    assert draft["plannedIn"] == announcement["event"] and draft["event"] in announcement["plans"].split()
    summit = [r for r in rows(runner, catalog, "events", status="planned", type="meeting") if r.get("plannedIn") == announcement["event"]]
    assert [(r["date"], r["about"]) for r in summit] == [("2023-03", "eu")]


def test_events_filter_by_date_range_at_the_precision_given(runner, catalog):
    # 002: "2022年12月,美國能源部高級研究計劃署啟動能源負排放資源回收采礦創新計劃" (a month counts as its span)
    in_text("002", "2022年12月,美國能源部高級研究計劃署啟動能源負")
    launches = rows(runner, catalog, "events", type="launch", **{"from": "2022-12-31", "to": "2022-12-31"})
    assert "arpa-e-miner" in {a for r in launches for a in r["about"].split()}
    assert all((r.get("date") or "2022")[:4] == "2022" or r.get("periodStart") for r in launches)
    later = rows(runner, catalog, "events", type="launch", **{"from": "2023-01-01", "to": "2023-01-31"})
    assert "arpa-e-miner" not in {a for r in later for a in r["about"].split()}
