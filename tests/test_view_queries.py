"""The stored queries behind the chart views (timeline, list-evolution, membership-network), on
the seeds: dates as precise as the sources, list sizes and changes as the sources state them."""
from __future__ import annotations

from pathlib import Path

import pytest

from seedscope import SEED_IDS
from mineralgraph.storedqueries import load_all
from mineralgraph.storedqueries.run import LocalRunner

QUERIES = Path(__file__).resolve().parents[1] / "queries"


@pytest.fixture(scope="module")
def run(dist_dir):
    from mineralgraph.store.load import load_dist

    runner, catalog = LocalRunner(load_dist(dist_dir)), load_all(QUERIES)
    return lambda name, **params: runner.rows(catalog[name], {k: [v] for k, v in params.items()})


def test_msp_founding_dates_keep_their_precision(run):
    got = run("timeline")
    # what the seeds say (another source may give a date too, or the same one)
    founded = [r for r in got if r["what"] == "founded" and r["mechanismId"] == "msp"
               and set(r["sources"].split()) & SEED_IDS]
    # 004 Table 1 gives the year; 002 "2022年6月…建立“礦產安全伙伴關係”" and 004 "2022年6月，美国发起创立“矿产安全伙伴关系”"
    # give the month; 001 the day. Three precisions, not three conflicting days: one founding,
    # dated as precisely as the most precise source, naming every source and the dates as given
    assert len(founded) == 1, founded
    msp = founded[0]
    assert msp["date"] == "2022-06-14" and set(msp["sources"].split()) >= {"001", "002", "004"}
    assert "otherDates" not in msp
    given = dict(part.split(" (") for part in msp["datesGiven"].split("; "))
    assert set(given["2022-06"].rstrip(")").split()) >= {"002", "004"} and "001" in given["2022-06-14"]
    # 004 dates the IEA both 1973 and 1974: the dates conflict, so two rows, each naming the other
    iea = {r["date"]: r for r in got if r["what"] == "founded" and r["mechanismId"] == "iea"}
    assert set(iea) == {"1973", "1974"} and iea["1973"]["otherDates"] == "1974" and iea["1974"]["otherDates"] == "1973"
    claims = {(r["date"], r["sources"], r["members"]) for r in got if r["what"] == "membership claim" and r["mechanismId"] == "msp"}
    # 001 names eleven parties on 2022-06-14; 000 twelve (和其他国家) for 2024-02-11
    assert ("2022-06-14", "001", "11") in claims and ("2024-02-11", "000", "12") in claims
    assert [r["date"] for r in got] == sorted(r["date"] for r in got), "in date order, a year before its months"


def test_timeline_filters(run):
    assert {r["kindName"] for r in run("timeline", kind="bilateral")} == {"bilateral"}
    assert {r["sources"] for r in run("timeline", source="001")} == {"001"}


def test_us_list_evolution(run):
    # the versions the seeds declare, in order (a newer source may add a version, e.g. us/2025)
    seeds = {r["versionId"] for r in run("list-versions", issuer="USA") if set(r["sources"].split()) & SEED_IDS}
    got = {r["versionId"]: r for r in run("list-evolution", list="us") if r["versionId"] in seeds}
    assert list(got) == ["us/2016", "us/2018", "us/2022"]
    assert [got[v]["declaredCount"] for v in got] == ["16", "35", "50"]
    # 002: "2022年在剔除氦、鉀、錸、鍶和鈾等5種礦產(chǎn)後又大幅新增了鎳、鋅等20種礦產"
    us22 = got["us/2022"]
    assert (us22["addedCount"], us22["removedCount"]) == ("20", "5")
    # and says why `added` (2 named) differs from `addedCount` (20): 002 states the totals
    assert us22["basis"] == "stated" and "20 added, 2 of them named" in us22["basisNote"]
    assert got["us/2018"]["basis"] == "computed" and "basis" not in got["us/2016"]
    assert set(us22["addedIds"].split()) == {"nickel", "zinc"}
    assert set(us22["removedIds"].split()) == {"helium", "potash", "rhenium", "strontium", "uranium"}
    assert us22["previousId"] == "us/2018"


def test_membership_network(run):
    got = run("membership-network")
    pairs = {(r["memberId"], r["mechanismId"]) for r in got}
    assert {("JPN", "msp"), ("IND", "msp"), ("SWE", "msp"), ("eu", "msp")} <= pairs
    types = {r["memberId"]: r["memberType"] for r in got}
    assert (types["JPN"], types["eu"]) == ("country", "organisation")
    msp_swe = next(r for r in got if (r["memberId"], r["mechanismId"]) == ("SWE", "msp"))
    assert msp_swe["sources"] == "001"  # only 001's closed list names Sweden
    only_002 = run("membership-network", source="002")
    assert only_002 and all(r["sources"] == "002" for r in only_002)
    minilateral = run("membership-network", kind="minilateral")
    assert minilateral and all("minilateral" in r["kindName"].split() for r in minilateral)
