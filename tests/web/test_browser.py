"""The web front in a real browser (Debian's chromium driven by Playwright): the query editor runs
a stored query from its tab, an entity page leads to a claim's highlighted quote in its source,
a stored-query form returns a table, and a source full of HTML and script stays inert text.

Set MINERALGRAPH_SCREENSHOTS=DIR to keep a screenshot of each test's last page."""
from __future__ import annotations

import re

import pytest

from .conftest import SCRIPT

pytestmark = pytest.mark.browser


def _no_outside_requests(page):
    assert page.outside_requests == [], f"the page fetched from elsewhere: {page.outside_requests}"


def test_editor_runs_a_stored_query_from_its_tab(browser_page, real_live):
    browser_page.goto(real_live.url + "/editor")
    browser_page.wait_for_selector(".yasgui .tabsList")
    # tabs are named by the queries' labels (#+ label: A country's mechanisms), not their slugs
    tab = browser_page.locator(".yasgui .tabsList .tab", has_text="A country's mechanisms")
    tab.click()
    editor = browser_page.locator(".yasgui .tabPanel.active .CodeMirror")
    assert "A country's mechanisms" in browser_page.locator(".yasgui .tabsList .tab.active").inner_text()
    code = browser_page.evaluate("() => window.mineralgraphEditor.getTab().getQuery()")
    assert "VALUES ?country" in code and "/id/country/JPN" in code, "the tab holds the example, bound"
    assert editor.is_visible()
    browser_page.locator(".yasgui .tabPanel.active .yasqe_queryButton").click()
    rows = browser_page.locator(".yasgui .tabPanel.active .yasr table.dataTable tbody tr")
    rows.first.wait_for()
    assert rows.count() >= 3
    assert "msp" in browser_page.locator(".yasgui .tabPanel.active .yasr table.dataTable").inner_text()
    # the guide below the editor
    assert browser_page.locator("#guide table.classes tbody tr").count() > 10
    assert browser_page.locator("#sources table.sources tbody tr").count() >= 5
    _no_outside_requests(browser_page)


def test_country_page_to_highlighted_quote_in_source(browser_page, real_live):
    browser_page.goto(real_live.url + "/id/country/JPN")
    assert browser_page.locator("h1").inner_text() == "Japan"
    assert browser_page.locator(".labels [lang=zh-Hans]").inner_text() == "日本"
    msp = browser_page.locator("li.statement", has=browser_page.locator("a[href='/id/mechanism/msp']")).first
    link = msp.locator("a.to-source").first
    href = link.get_attribute("href")
    m = re.fullmatch(r"/id/source/(\d{3})#(claim-(\d+)-(\d+))", href)
    assert m, href
    mark = msp.locator("blockquote mark").first
    # a card reads the clean text; the verbatim quote it was cleaned from is on hover
    verbatim = mark.get_attribute("title")
    quote = verbatim.removeprefix("verbatim: ") if verbatim else mark.inner_text()
    link.click()
    browser_page.wait_for_url(re.compile(rf"/id/source/{m.group(1)}#{m.group(2)}$"))
    target = browser_page.locator(f"mark#{m.group(2)}")
    assert target.is_visible()
    # the highlighted claim, all of its pieces, read exactly as the quote on the country page
    pieces = browser_page.locator(f"mark.{m.group(2)}")
    assert "".join(pieces.all_inner_texts()) == quote
    assert browser_page.evaluate(f"() => getComputedStyle(document.getElementById('{m.group(2)}')).backgroundColor") \
        != browser_page.evaluate("() => getComputedStyle(document.querySelector('mark:not(.current)') || document.body).backgroundColor")
    box = target.bounding_box()
    assert box and 0 <= box["y"] < browser_page.viewport_size["height"], "the page scrolled to the quote"
    # and the mark links on to the claim's own page
    target.locator("a").click()
    browser_page.wait_for_url(re.compile(r"/id/claim/\d{3}/\d+-\d+$"))
    # titled by what it says (issue 22), with whose words they are
    assert browser_page.locator("h1").inner_text().startswith("“")
    assert f"(source {m.group(1)})" in browser_page.locator("p.byline").inner_text()
    assert browser_page.locator("#quote mark").text_content().strip() != ""  # in its context, folded away
    _no_outside_requests(browser_page)


def test_stored_query_form_shows_a_table(browser_page, real_live):
    browser_page.goto(real_live.url + "/queries/country-mechanisms")
    assert browser_page.locator("h1").inner_text().startswith("Mechanisms a country belongs to")
    select = browser_page.locator("select#p-country, input#p-country")
    if select.evaluate("e => e.tagName") == "SELECT":
        select.select_option("JPN")
    else:
        select.fill("JPN")
    browser_page.locator("button#run").click()
    browser_page.wait_for_url(re.compile(r"/queries/country-mechanisms\?.*country=JPN"))
    table = browser_page.locator("table.results")
    assert table.locator("tbody tr").count() >= 3
    assert table.locator("a[href='/id/mechanism/msp']").count() >= 1, "IRIs are links to resource pages"
    assert browser_page.locator("#download-csv").get_attribute("href").endswith("format=csv")
    csv = browser_page.request.get(real_live.url + browser_page.locator("#download-csv").get_attribute("href"))
    assert csv.headers["content-type"].startswith("text/csv") and "msp" in csv.text()
    _no_outside_requests(browser_page)


def test_script_in_a_source_is_shown_as_text(browser_page, syn_live, synthetic):
    browser_page.goto(syn_live.url + "/id/source/900#" + synthetic["anchor"])
    assert browser_page.evaluate("() => window.__pwned") is None
    assert browser_page.dialogs == []
    assert SCRIPT in browser_page.locator("pre.source-text").inner_text()
    assert SCRIPT in "".join(browser_page.locator(f"mark.{synthetic['anchor']}").all_inner_texts())
    browser_page.goto(syn_live.url + "/id/country/JPN")
    assert browser_page.evaluate("() => window.__pwned") is None
    assert SCRIPT in browser_page.locator("blockquote mark").first.inner_text()
    assert '<img src=x onerror="window.__pwned=2">' in browser_page.locator("#properties").inner_text()
    assert browser_page.dialogs == []


def test_editor_results_name_datatypes_by_prefix(browser_page, real_live):
    """The starter query's counts read "1604"^^xsd:integer, not with the whole XML Schema IRI."""
    browser_page.goto(real_live.url + "/editor")
    browser_page.wait_for_selector(".yasgui .tabPanel.active .yasqe_queryButton")
    browser_page.locator(".yasgui .tabPanel.active .yasqe_queryButton").click()
    table = browser_page.locator(".yasgui .tabPanel.active .yasr table.dataTable")
    table.locator("tbody tr").first.wait_for()
    text = table.inner_text()
    assert "mg:Claim" in text and "^^xsd:integer" in text
    assert "http://www.w3.org/2001/XMLSchema#" not in text


def test_editor_chart_tab_draws_the_class_counts(browser_page, real_live):
    """The starter query counts instances per class: its Chart tab draws a bar per class."""
    browser_page.goto(real_live.url + "/editor")
    browser_page.wait_for_selector(".yasgui .tabsList")
    browser_page.locator(".yasgui .tabPanel.active .yasqe_queryButton").click()
    browser_page.locator(".yasgui .tabPanel.active .yasr table.dataTable tbody tr").first.wait_for()
    browser_page.locator(".yasgui .tabPanel.active .yasr .select_chart").click()
    box = browser_page.locator(".yasgui .tabPanel.active .result-chart")
    box.locator("canvas").first.wait_for()
    assert box.get_attribute("data-chart") == "bar"
    assert box.locator(".chart-note").inner_text().startswith("instances by class")
    bars = browser_page.evaluate("() => document.querySelector('.tabPanel.active .result-chart').chart.getOption().yAxis[0].data")
    assert "Claim" in bars and "Country" in bars
    _no_outside_requests(browser_page)
