"""Issue 20: adding correct data never turns CI red. Ten new sources at once (tests/data/batch/,
five English and five Chinese news texts with curated annotations and the gazetteer entries they
need) are added to a copy of the project the way a maintainer adds them; the copy builds, every
stored-query example and the main pages answer over it, and what the seeds say is still found."""

from __future__ import annotations

import csv
import io
import re
import shutil
import time
from urllib.parse import urlencode

import pytest

from batch import SEED_IDS, install_batch, load_batch, served
from seedscope import DATA_DIRS, ROOT
from mineralgraph.core.paths import ProjectPaths
from mineralgraph.pipeline import build
from mineralgraph.store.load import load_dist
from mineralgraph.storedqueries import load_all
from mineralgraph.storedqueries.run import LocalRunner
from test_model_richness import leftovers

ID = "https://w3id.org/mineralgraph/id/"


@pytest.fixture(scope="module")
def batch_project(tmp_path_factory):
    root = tmp_path_factory.mktemp("batch")
    for d in DATA_DIRS:
        shutil.copytree(ROOT / d, root / d)
    new_ids = install_batch(root)
    t0 = time.perf_counter()
    result = build(ProjectPaths(root))
    return {"root": root, "dist": root / "dist", "new": new_ids, "result": result,
            "seconds": time.perf_counter() - t0}


@pytest.fixture(scope="module")
def catalog():
    return load_all(ROOT / "queries")


@pytest.fixture(scope="module")
def batch_runner(batch_project):
    return LocalRunner(load_dist(batch_project["dist"]))


@pytest.fixture(scope="module")
def seed_runner(dist_dir):
    return LocalRunner(load_dist(dist_dir))


@pytest.fixture(scope="module")
def client(batch_project):
    with served(batch_project["dist"]) as test_client:
        yield test_client


def _answers(runner, query, example) -> list[dict]:
    return runner.rows(query, example)


def test_the_batch_builds_with_every_new_source_and_claim(batch_project):
    batch = load_batch()
    coverage = batch_project["result"].manifest["coverage"]
    assert sorted(batch_project["new"]) == [f"{n:03d}" for n in range(5, 15)]
    assert {s["language"] for s in batch["sources"]} == {"en", "zh-Hans"}
    for src in batch["sources"]:  # every curated claim of every new source reached the graph
        got = coverage[src["id"]]
        assert got["claims"] == len(src["claims"]), (src["id"], got)
    assert batch_project["result"].validation.conforms
    assert batch_project["seconds"] < 90, f"the batch build took {batch_project['seconds']:.0f} s"


def test_the_batch_holds_to_the_model_like_the_seeds(batch_runner):
    """No qualifier or label of the new sources says what the structure should (a date, a party,
    a bound): the same lint as the seeds' (test_model_richness)."""
    assert leftovers(batch_runner.store) == []


def test_every_stored_query_example_answers_and_the_seeds_answers_are_still_found(catalog, batch_runner, seed_runner):
    checked = 0
    for q in catalog.values():
        for example in q.examples:
            new = _answers(batch_runner, q, example)
            old = _answers(seed_runner, q, example)
            if old:  # what the seeds answered is still answered
                assert new, f"{q.name} {example}: the seeds' answer is gone"
            if set(example.get("source", [])) & SEED_IDS:  # scoped to a seed: the very same answer
                key = lambda rows: sorted(map(sorted, (r.items() for r in rows)))  # noqa: E731
                assert key(new) == key(old), f"{q.name} {example}"
            checked += 1
    assert checked >= len(catalog)


def test_the_new_sources_are_answered_beside_the_seeds(catalog, batch_runner, seed_runner):
    def rows(runner, name, **params):
        return runner.rows(catalog[name], {k: [v] for k, v in params.items()})

    # the MSP's members from the seeds are all still there, each source's answer unchanged
    seed_members = {(r["memberId"], r["sourceId"]) for r in rows(seed_runner, "mechanism-members", mechanism="MSP")
                    if "memberId" in r and "sourceId" in r}
    batch_members = {(r["memberId"], r["sourceId"]) for r in rows(batch_runner, "mechanism-members", mechanism="MSP")
                     if "memberId" in r and "sourceId" in r}
    assert seed_members and seed_members <= batch_members
    # the new list version of 006 beside the seeds' versions of the US list
    seed_versions = {r["versionId"] for r in rows(seed_runner, "list-versions", issuer="USA")}
    batch_versions = {r["versionId"] for r in rows(batch_runner, "list-versions", issuer="USA")}
    assert batch_versions == seed_versions | {"us/2025"}, batch_versions
    # Pax Silica's eight parties, all from 011
    parties = {r["memberId"] for r in rows(batch_runner, "mechanism-members", mechanism="pax-silica")}
    assert parties == {"USA", "JPN", "KOR", "SGP", "NLD", "GBR", "ISR", "AUS"}
    # 005 (English) and 012 (Chinese): FORGE launched on 4 February 2026 as the MSP's successor,
    # Korea its first chair, more than 50 / 54 countries at the meeting (attendance, not members)
    succession = {(r["predecessorId"], r["successorId"], r.get("since"), r["sourceId"])
                  for r in rows(batch_runner, "succession", mechanism="MSP")}
    assert succession == {("msp", "forge", "2026-02-04", "005"), ("msp", "forge", "2026-02-04", "012")}
    chairs = {(r["memberId"], r.get("role"), r["sourceId"]) for r in rows(batch_runner, "mechanism-members", mechanism="forge")}
    assert {("KOR", "chair", "005"), ("KOR", "chair", "012")} <= chairs
    attended = {(r.get("count"), r.get("bound"), r["sourceId"]) for r in rows(batch_runner, "attendance-and-members",
                                                                               mechanism="critical-minerals-ministerial")}
    assert ("50", "more-than", "005") in attended and ("54", "exact", "012") in attended, attended
    labels = {r["sourceId"]: r.get("description") for r in rows(batch_runner, "attendance-and-members",
                                                                 mechanism="critical-minerals-ministerial")}
    assert labels == {"005": "Critical Minerals Ministerial at the State Department",  # each source's own label
                      "012": "First Critical Minerals Ministerial in Washington"}, labels
    # 007: "each government will put at least US$1 billion": one figure for each funder, in USD;
    # "A$13 billion" beside it in AUD (ISO 4217 codes, not the units' slugs)
    amounts = {(r["value"], r.get("each"), r.get("funder"), r.get("currency"))
               for r in rows(batch_runner, "statistics", subject="us-australia-critical-minerals-framework")}
    assert amounts == {("1000000000", "true", "USA AUS", "USD"), ("13000000000", "false", "", "AUD")} or \
        amounts == {("1000000000", "true", "AUS USA", "USD"), ("13000000000", "false", "", "AUD")}, amounts


@pytest.mark.parametrize("path", ["/", "/id/mechanism/msp", "/id/country/USA", "/id/mechanism/forge",
                                  "/id/source/013", "/queries"])
def test_the_main_pages_answer(client, path):
    got = client.get(path, headers={"Accept": "text/html"})
    assert got.status_code == 200, (path, got.status_code, got.get_data(as_text=True)[:300])


def test_the_pages_show_seeds_and_batch(client):
    msp = client.get("/id/mechanism/msp", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Minerals Security Partnership" in msp and "Forum on Resource Geostrategic Engagement" in msp
    # near the top, before the roster: succeeded by FORGE since 2026-02-04, per 005 and 012
    line = re.search(r'<section id="succession".*?</section>', msp, flags=re.S).group(0)
    assert "Succeeded by" in line and "<time>2026-02-04</time>" in line and "source 005" in line and "source 012" in line
    assert msp.index('id="succession"') < msp.index("Ask about")
    usa = client.get("/id/country/USA", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Pax Silica Declaration" in usa and "Minerals Security Partnership" in usa


def test_every_stored_query_answers_csv_over_http(client, catalog):
    for q in catalog.values():
        example = q.examples[0] if q.examples else {}
        params = [(k, v) for k, values in example.items() for v in values] + [("format", "csv")]
        got = client.get(f"/queries/{q.name}?{urlencode(params)}")
        assert got.status_code == 200, (q.name, got.status_code, got.get_data(as_text=True)[:300])
        header = next(csv.reader(io.StringIO(got.get_data(as_text=True))))
        assert header, q.name
