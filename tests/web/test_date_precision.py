"""No page, table or CLI output shows a date more precise than its source (issue 11).

The sources give years ("2022年"), months ("2024年3月") and days ("6月14日"). The graph keeps each as
given (xsd:gYear, xsd:gYearMonth, xsd:date) and adds the first and last day a date covers
(mg:asOfEarliest / mg:asOfLatest) only for comparisons. So every day (YYYY-MM-DD) a reader sees
must be a day some source gives: an xsd:date in the graph other than those two bounds, or a day
written out in a source's text (an annotator's note may cite 004's footnote "August 15, 2024" as
2024-08-15). A year turned into "2022-01-01" would be a day no source gives and fails here.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner

from mineralgraph.storedqueries import load_all
from mineralgraph.store.load import load_dist

from .conftest import ROOT

HTML = {"Accept": "text/html"}
DAY = re.compile(r"(?<![\d-])(\d{4}-\d{2}-\d{2})(?![\d-]|T\d)")  # a day, not a part of a dateTime


@pytest.fixture(scope="module")
def store(dist_dir):
    return load_dist(dist_dir)


@pytest.fixture(scope="module")
def given_days(store) -> set[str]:
    rows = store.query("""PREFIX mg: <https://w3id.org/mineralgraph/ont#>
        PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
        SELECT DISTINCT ?o WHERE { ?s ?p ?o FILTER(isLiteral(?o) && DATATYPE(?o) = xsd:date
                                                 && ?p NOT IN (mg:asOfEarliest, mg:asOfLatest)) }""")
    days = {r["o"].value for r in rows}
    assert "2022-06-14" in days  # 001: "美国国务院6月14日宣布" (a day the source gives)
    return days | _days_in_texts()


MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]


def _days_in_texts() -> set[str]:
    """Days the sources write out in full: 2024-08-15, 2024年8月15日, August 15, 2024."""
    days = set()
    for path in (ROOT / "seeds").glob("[0-9][0-9][0-9]_*.txt"):
        text = path.read_text(encoding="utf-8")
        days |= set(DAY.findall(text))
        days |= {f"{y}-{int(m):02d}-{int(d):02d}" for y, m, d in re.findall(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日", text)}
        days |= {f"{y}-{MONTHS.index(m) + 1:02d}-{int(d):02d}"
                 for m, d, y in re.findall(rf"({'|'.join(MONTHS)}) (\d{{1,2}}), (\d{{4}})", text)}
    assert "2024-08-15" in days  # 004's footnote: "August 15, 2024"
    return days


def _visible(html: str) -> str:
    """What a reader sees: text outside tags (attributes such as a hover's verbatim quote drop out)."""
    body = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", body))


def _invented(text: str, given: set[str]) -> set[str]:
    return {d for d in DAY.findall(text) if d not in given}


def test_the_bounds_are_days_no_source_gives(given_days, store):
    """The check can fail: 004 speaks for years ("2024"), whose first day is in the graph only as a bound."""
    bound = store.query("""PREFIX mg: <https://w3id.org/mineralgraph/ont#>
        PREFIX time: <http://www.w3.org/2006/time#>
        SELECT ?e WHERE { ?c mg:asOfPrecision time:unitYear ; mg:asOfEarliest ?e } LIMIT 1""")
    (first_day,) = [r["e"].value for r in bound]
    assert first_day.endswith("-01-01") and _invented(f"as of {first_day}", given_days) == {first_day}


def test_stored_query_pages_and_downloads_show_dates_as_given(real_client, given_days):
    catalog = load_all(ROOT / "queries")
    checked = 0
    for q in catalog.values():
        for example in q.examples:
            params = [(k, v) for k, vs in example.items() for v in vs]
            url = f"/queries/{q.name}?{urlencode(params)}"
            page = real_client.get(url, headers=HTML)
            assert page.status_code == 200, url
            csv = real_client.get(f"/queries/{q.name}?{urlencode(params + [('format', 'csv')])}")
            assert csv.status_code == 200, url
            # the answer, not the form above it (whose examples are days a person types: from=2022-01-01)
            answer = page.get_data(as_text=True).split('<section id="results">', 1)[1]
            for what, text in (("page", _visible(answer)),
                               ("csv", csv.get_data().decode("utf-8-sig"))):
                assert not _invented(text, given_days), (url, what, _invented(text, given_days))
            checked += 1
    assert checked >= 50


@pytest.mark.parametrize("path", [
    "/id/mechanism/msp",             # foundings "2022-06", "2022-06-14"; claims as of 2024, 2022-06-14 …
    "/id/country/JPN", "/id/country/USA",
    "/id/claim/004/8071-8122",       # a claim 004 dates by its year only
    "/id/source/004", "/id/source/002",
    "/id/list/us/2022",
    "/views/timeline", "/views/lists",
    "/search?q=MSP",
])
def test_pages_show_dates_as_given(real_client, given_days, path):
    page = real_client.get(path, headers=HTML)
    assert page.status_code == 200
    assert not _invented(_visible(page.get_data(as_text=True)), given_days)


@pytest.mark.parametrize("args", [
    ["query", "mechanism-timeline", "-p", "mechanism=MSP"],
    ["query", "mechanisms"],
    ["query", "events", "-p", "about=MSP"],
    ["query", "roster-matrix", "-p", "mechanism=MSP"],
])
def test_cli_tables_show_dates_as_given(dist_dir, given_days, args):
    from mineralgraph.cli import cli

    out = CliRunner().invoke(cli, [*args, "--dist", str(dist_dir)])
    assert out.exit_code == 0, out.output
    assert DAY.search(out.output) or re.search(r"\b20\d\d\b", out.output)  # it shows dates at all
    assert not _invented(out.output, given_days)


def test_every_claim_dated_by_year_or_month_shows_that_date(real_client, given_days, store):
    """Each claim page whose source speaks for a year or a month (004: "2024"; 000: "2024-02") shows
    that year or month and no day."""
    rows = list(store.query("""PREFIX mg: <https://w3id.org/mineralgraph/ont#>
        PREFIX time: <http://www.w3.org/2006/time#>
        SELECT ?c ?a WHERE { ?c mg:asOfPrecision ?p ; mg:asOf ?a FILTER(?p IN (time:unitYear, time:unitMonth)) }"""))
    assert len(rows) > 20
    for r in rows:
        path = r["c"].value.replace("https://w3id.org/mineralgraph", "")
        text = _visible(real_client.get(path, headers=HTML).get_data(as_text=True))
        assert f"speaks for {r['a'].value}" in " ".join(text.split()), path
        assert not _invented(text, given_days), path
