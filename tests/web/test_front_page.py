"""The front page (issue 22): short answers from the stored queries, each linking to its full
answer, the coverage of the corpus, and the search box; the editor moved to /editor, its tabs
named by the queries' labels. On the seeds."""
from __future__ import annotations

import json
import re

import pytest

HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def front(real_live) -> str:
    r = real_live.app.test_client().get("/", headers=HTML)
    assert r.status_code == 200
    return r.get_data(as_text=True)


def _section(html: str, sid: str) -> str:
    m = re.search(rf'<section class="answer" id="{sid}">(.*?)</section>', html, re.S)
    assert m, sid
    return re.sub(r"\s+", " ", m.group(1))


def test_coverage_counts_the_sources_and_names_the_newest(front, real_client):
    sources = real_client.get("/queries/sources", headers={"Accept": "application/sparql-results+json"}).get_json()
    rows = sources["results"]["bindings"]
    text = re.sub(r"<[^>]+>|\s+", " ", front)
    assert f"{len(rows)} sources" in text or f"{len(rows)} source " in text
    # the newest date any source carries (issued, else the latest date its text refers to)
    newest = max((r.get("date") or r.get("notBefore"))["value"] for r in rows if r.get("date") or r.get("notBefore"))
    assert "Newest:" in text and newest in text.split("Newest:")[1][:300]
    assert 'action="/search"' in front and 'class="front-search"' in front
    assert front.count('role="search"') == 1  # its own search box, not the header's as well
    assert 'id="site-search-names"' in front  # the names it suggests from
    assert 'href="/editor"' in front


def test_mechanisms_answer_names_msp_and_its_disagreements(front):
    part = _section(front, "mechanisms")
    # the MSP is named by more seed sources than any other mechanism; 001's closed list of
    # 2022-06-14 leaves out India and Italy, which 000 names for 2024 (roster-disagreements)
    first = re.search(r"<li>(.*?)</li>", part).group(1)
    assert "Minerals Security Partnership" in first and 'href="/id/mechanism/msp#matrix"' in first
    assert re.search(r"\d+ left out of an earlier closed list", first)
    assert "/queries/roster-disagreements?mechanism=msp" in first


def test_lists_answer_tells_stated_from_computed_changes(front):
    part = _section(front, "lists")
    # us/2016 -> us/2018 is computed from two full lists; us/2022's +20 -5 is what 002 states, naming 2 added
    assert re.search(r"us/2016 → us/2018: \+26 −6</a>\s*<span class=\"basis computed\"", part)
    assert re.search(r"us/2018 → us/2022: \+20 −5</a>\s*<span class=\"basis stated\"", part)
    assert "names 2 of the 20 added" in part


def test_figures_and_news_answers(front):
    figures = _section(front, "figures")
    # 003 and 004 disagree on China's cobalt refining share: 70% and 68%
    assert re.search(r"China, share of global refining, cobalt</a>: <strong>68%</strong> <span class=\"sub\">\(004\)</span> vs <strong>70%</strong>", figures)
    new = _section(front, "new")
    newest, latest_events = re.findall(r'<ul class="answer-list">(.*?)</ul>', new)[:2]
    for part in (newest, latest_events):
        dates = re.findall(r'<span class="date">(?:not before )?([0-9-]+)</span>', part)
        assert len(dates) >= 3 and dates == sorted(dates, reverse=True)
    assert "/id/source/004" in newest  # 004 refers to 2024-09-23, the latest date of the seeds


def test_editor_moved_and_sparql_sends_browsers_there(real_client):
    page = real_client.get("/editor", headers=HTML).get_data(as_text=True)
    assert 'id="yasgui"' in page
    tabs = re.search(r'<script type="application/json" id="stored-queries">(.*?)</script>', page, re.S).group(1)
    labels = {t["name"]: t["label"] for t in json.loads(tabs)}
    assert labels["country-mechanisms"] == "A country's mechanisms" and labels["timeline"] == "Timeline"
    r = real_client.get("/sparql", headers={"Accept": "text/html"})
    assert r.status_code == 303 and r.headers["Location"] == "/editor"


@pytest.mark.browser
def test_front_page_on_a_phone(chromium_browser, real_live):
    context = chromium_browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(real_live.url + "/")
        # nothing wider than the screen: the answers stack in one column
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        boxes = [page.locator(f"#{s}").bounding_box() for s in ("mechanisms", "lists", "new", "figures")]
        assert all(b["width"] <= 390 for b in boxes) and boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"]
        page.locator("form.front-search input").fill("lithium")
        page.locator("form.front-search button").click()
        page.wait_for_url(re.compile(r"/search\?q=lithium"))
    finally:
        context.close()


def test_coverage_with_sources_of_the_same_date(real_live):
    """A grown corpus has many sources of one date: the newest are still found (sorting by date only)."""
    from mineralgraph.server.web.front import coverage

    base = "https://w3id.org/mineralgraph/id/source/"
    rows = [{"source": base + "004", "sourceId": "004", "notBefore": "2024-09-23", "claims": "139", "publisher": "A"},
            {"source": base + "009", "sourceId": "009", "notBefore": "2024-09-23", "claims": "139", "publisher": "A"},
            {"source": base + "001", "sourceId": "001", "date": "2022-06-15", "claims": "9", "publisher": "B"}]
    with real_live.app.test_request_context("/"):
        c = coverage(rows)
    assert (c["sources"], c["publishers"], c["first"], c["last"], c["claims"]) == (3, 2, "2022-06-15", "2024-09-23", 287)
    assert [s["sourceId"] for s in c["newest"]][-1] == "001" and c["newest"][0]["approx"]
