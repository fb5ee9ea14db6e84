"""Issue 21: each source's own words stay with its claim, and the figures 2025-26 news give.
Two sources written for the test (tests/data/wording/wording.yaml, one English, one Chinese) give the
same member count in different words ("16 members" / "第16个成员"), one meeting with different labels
and parties, one commitment in US$ for each of two funders and in AUD for one, a share over five
minerals as a range, a processing share beside a refining share, a target under a policy. They are
built on their own (the gazetteer, ontology, shapes and queries of the project, none of the seed
sources: one small build for the module), then read back through the stored queries and pages."""

from __future__ import annotations

import re

import shutil
import time
from pathlib import Path

import pytest

from batch import install_batch, load_batch, served
from seedscope import ROOT
from mineralgraph.core.namespaces import claim_iri
from mineralgraph.core.paths import ProjectPaths
from mineralgraph.pipeline import build
from mineralgraph.store.load import load_dist
from mineralgraph.storedqueries import load_all
from mineralgraph.storedqueries.run import LocalRunner

DATA = Path(__file__).resolve().parent / "data" / "wording" / "wording.yaml"
ID = "https://w3id.org/mineralgraph/id/"


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("wording")
    for d in ("ontology", "shapes", "queries"):
        shutil.copytree(ROOT / d, root / d)
    (root / "seeds" / "annotations").mkdir(parents=True)
    shutil.copytree(ROOT / "seeds" / "gazetteer", root / "seeds" / "gazetteer")
    (root / "seeds" / "sources.yaml").write_text("# the two sources of tests/data/wording/wording.yaml\n", encoding="utf-8")
    install_batch(root, DATA)
    t0 = time.perf_counter()
    result = build(ProjectPaths(root))
    return {"root": root, "dist": root / "dist", "result": result, "seconds": time.perf_counter() - t0}


@pytest.fixture(scope="module")
def runner(project):
    return LocalRunner(load_dist(project["dist"]))


@pytest.fixture(scope="module")
def catalog():
    return load_all(ROOT / "queries")


@pytest.fixture(scope="module")
def client(project):
    with served(project["dist"]) as test_client:
        yield test_client


def _rows(runner, catalog, name, **params):
    return runner.rows(catalog[name], {k: [str(v)] for k, v in params.items()})


def _claim_path(sid: str, quote: str) -> str:
    """The claim page of a quote of one of the test's sources (plain text: offsets as in the file)."""
    src = next(s for s in load_batch(DATA)["sources"] if s["id"] == sid)
    start = src["text"].index(quote)
    return "/" + str(claim_iri(sid, start, start + len(quote))).split("/mineralgraph/", 1)[1]


def test_the_two_sources_build_and_conform(project):
    assert project["result"].validation.conforms
    coverage = project["result"].manifest["coverage"]
    for src in load_batch(DATA)["sources"]:
        assert coverage[src["id"]]["claims"] == len(src["claims"]), src["id"]


def test_one_count_two_wordings_each_with_its_source(runner, catalog):
    rows = _rows(runner, catalog, "statistics", subject="polar-minerals-forum", indicator="member-count")
    assert {r["statement"] for r in rows} and len({r["statement"] for r in rows}) == 1  # one shared statement
    assert {(r["sourceId"], r["valueText"]) for r in rows} == {("901", "16 members"), ("902", "第16个成员")}
    for r in rows:  # each wording beside its own quote
        assert r["valueText"] in r["quote"]
        assert r["estimatedBy"] == "pmf-secretariat"


def test_one_meeting_each_source_with_its_label_and_parties(runner, catalog):
    rows = [r for r in _rows(runner, catalog, "events", about="polar-minerals-forum") if r["eventType"] == "meeting"]
    assert len({r["event"] for r in rows}) == 1
    got = {r["sourceId"]: (r["description"], set(r["participants"].split())) for r in rows}
    assert got == {"901": ("ministers' meeting", {"USA", "AUS"}),
                   "902": ("ministerial meeting attended by Canadian and Japanese ministers", {"CAN", "JPN"})}
    assert all(set(r["allParticipants"].split()) == {"USA", "AUS", "CAN", "JPN"} for r in rows)


def test_each_party_amount_and_currency(runner, catalog):
    rows = _rows(runner, catalog, "statistics", subject="polar-minerals-forum", indicator="investment-amount")
    got = {r["sourceId"]: (r["value"], r["unitId"], r["currency"], r["each"], set(r["funder"].split()), r["bound"])
           for r in rows}
    assert got == {"901": ("1000000000", "usd", "USD", "true", {"AUS", "USA"}, "exact"),
                   "902": ("1000000000", "aud", "AUD", "false", {"AUS"}, "at-least")}


def test_conflicting_statistics_tells_currency_and_indicator_from_value(runner, catalog):
    rows = _rows(runner, catalog, "conflicting-statistics")
    kinds = {(r["subjectId"], r["indicatorId"], r["sourceId"]): r["disagreement"] for r in rows}
    # "US$1 billion each" against "at least AUD 1 billion": a currency, not a value, disagreement
    assert kinds[("polar-minerals-forum", "investment-amount", "901")] == "currency"
    assert kinds[("polar-minerals-forum", "investment-amount", "902")] == "currency"
    # 901's processing share and 902's refining share of rare earths: related indicators
    assert kinds[("CHN", "processing-share", "901")] == "indicator"
    assert kinds[("CHN", "refining-share", "902")] == "indicator"
    assert {r["currency"] for r in rows if r["disagreement"] == "currency"} == {"USD", "AUD"}
    # each row keeps its source's own wording
    assert {(r["sourceId"], r["valueText"]) for r in rows if r["disagreement"] == "currency"} == \
        {("901", "US$1 billion"), ("902", "至少10亿澳元")}
    # the count both give as 16 is no disagreement; the five-mineral range has nothing to disagree with
    assert not [r for r in rows if r["indicatorId"] == "member-count" or " " in r.get("mineralId", "")]
    only = _rows(runner, catalog, "conflicting-statistics", disagreement="currency")
    assert {r["disagreement"] for r in only} == {"currency"} and len(only) == 2
    # asked for by kind, each gives the rows the whole answer gives of that kind
    for kind in ("currency", "indicator", "value", "bound"):
        asked = _rows(runner, catalog, "conflicting-statistics", disagreement=kind)
        assert sorted(map(sorted, (r.items() for r in asked))) == \
            sorted(map(sorted, (r.items() for r in rows if r["disagreement"] == kind))), kind
    assert any(r["disagreement"] == "indicator" for r in rows)


def test_a_range_over_five_minerals_stated_once(runner, catalog):
    rows = [r for r in _rows(runner, catalog, "statistics", subject="CHN", indicator="refining-share") if r.get("upperValue")]
    (row,) = rows
    assert set(row["minerals"].split()) == {"lithium", "cobalt", "nickel", "graphite", "manganese"}
    assert (row["value"], row["upperValue"], row["bound"], row["estimatedBy"]) == ("47", "87", "at-least", "iea")
    # and found by any of its minerals
    assert [r["statement"] for r in _rows(runner, catalog, "statistics", mineral="graphite")] == [row["statement"]]


def test_the_policy_behind_a_target(runner, catalog):
    (row,) = _rows(runner, catalog, "statistics", subject="org:eu", indicator="processing-share")
    assert (row["value"], row["targetYear"], row["policyId"]) == ("40", "2030", "critical-raw-materials-act")


def test_claim_pages_show_their_own_wording(client):
    def page(sid, quote):
        return client.get(_claim_path(sid, quote), headers={"Accept": "text/html"})
    en = page("901", "The Polar Minerals Forum now has 16 members, the forum secretariat said on Thursday.")
    zh = page("902", "论坛秘书处15日表示，极地矿产论坛迎来第16个成员。")
    assert en.status_code == zh.status_code == 200
    en_html, zh_html = en.get_data(as_text=True), zh.get_data(as_text=True)
    assert '<q class="value-text">16 members</q>' in en_html and "第16个成员</q>" not in en_html
    # the statement named by what it says (indicator · subject), not by its IRI
    words = en_html.split('id="wording"', 1)[1].split("</section>", 1)[0]
    assert "number of members · Polar Minerals Forum" in words and "stmt/statistic/" not in re.sub(r"<[^>]*>", "", words)
    assert '<q class="value-text">第16个成员</q>' in zh_html and "16 members</q>" not in zh_html
    meeting = page("902", "论坛部长级会议12日举行，加拿大和日本部长出席。").get_data(as_text=True)
    section = meeting.split('id="wording"', 1)[1].split("</section>", 1)[0]
    assert "ministerial meeting attended by Canadian and Japanese ministers" in section
    assert "Canada" in section and "Japan" in section and "Australia" not in section


def test_draft_gives_currencies_and_each(project):
    """`draft` proposes the new keys where its cues see them: a currency unit (an ISO 4217 unit of
    units.yaml) and `each: true` with the parties as funders."""
    from mineralgraph.build.gazetteer import load_gazetteer
    from mineralgraph.build.sources import Source
    from mineralgraph.intake.draft import draft_claims

    gazetteer = load_gazetteer(project["root"] / "seeds" / "gazetteer")
    stats = {}
    for t in load_batch(DATA)["sources"]:
        src = Source(id=t["id"], file="x.txt", path=DATA, sha256="", title={}, language=t["language"], kind="news",
                     markup="plain", text=t["text"], date=str(t["date"]))
        for d in draft_claims(src, gazetteer):
            stats.update({(t["id"], f["value_text"]): f for k, f in d.statements if k == "statistic" and "value_text" in f})
    each = next(f for (sid, text), f in stats.items() if sid == "901" and "US$1 billion" in text)
    assert (each["value"], each["unit"], each["each"], set(each["funder"])) == (1000000000, "usd", True, {"USA", "AUS"})
    aud = next(f for (sid, text), f in stats.items() if sid == "902" and "澳元" in text)
    assert (aud["value"], aud["unit"], aud.get("bound")) == (1000000000, "aud", "at-least") and "each" not in aud
    units = {u["id"]: u.get("iso4217") for u in load_batch(ROOT / "seeds" / "gazetteer" / "units.yaml")["entries"]}
    assert units["usd"] == "USD" and units["aud"] == "AUD"


def test_the_statement_page_shows_each_claim_with_its_own_wording(client, runner, catalog):
    (stmt,) = {r["statement"] for r in _rows(runner, catalog, "statistics", subject="polar-minerals-forum",
                                                indicator="member-count")}
    html = client.get("/" + stmt.split("/mineralgraph/", 1)[1], headers={"Accept": "text/html"}).get_data(as_text=True)
    cards = html.split('id="evidence"', 1)[1].split('<li class="claim">')[1:]
    got = {("16 members" in c, "第16个成员</q>" in c, "now has 16 members" in c, "迎来第16个成员。" in c) for c in cards}
    # each quote with its own wording, never the other source's
    assert got == {(True, False, True, False), (False, True, False, True)}
