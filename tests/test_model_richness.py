"""Issue 12: facts the sources state that used to hide in comments, labels and qualifiers, each
answered by a stored query. Every expected answer is read from the source text, quoted here."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

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
    from mineralgraph.store import load_dist

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
    (row,) = rows(runner, catalog, "sources", kind="translation")
    assert row["sourceId"] == "003" and row["date"] == "2024-01-30"
    assert row["derivedFrom"] == ID + "source/003/original"
    assert (row["derivation"], row["originalOutlet"], row["originalDate"]) == ("translation", "The Hill", "2024-01-29")
    assert row.get("originalTitle") in (None, "")  # the text names no title
    others = [r for r in rows(runner, catalog, "sources") if r["sourceId"] != "003"]
    assert others and all(not r.get("derivedFrom") for r in others)
