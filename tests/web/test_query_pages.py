"""Stored-query pages for browsers (/queries/NAME with Accept: text/html): form with choices,
results table with labels and links, download links; machine clients still get SPARQL results.
And the renderer on its own: values from the graph are escaped."""
from __future__ import annotations

import json
import re
from types import SimpleNamespace

from mineralgraph.server.web.queries_html import MAX_SELECT

from .conftest import SCRIPT

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_form_without_parameters_shows_choices(real_client):
    r = real_client.get("/queries/country-mechanisms", headers={"Accept": BROWSER})
    assert r.status_code == 200 and r.mimetype == "text/html"
    html = r.data.decode()
    assert '<form class="query-form"' in html and 'name="country"' in html
    assert re.search(r'<option value="JPN">JPN — Japan</option>', html), "entities as choices, with labels"
    assert re.search(r'<select id="p-source" name="source">.*<option value="004">', html, re.S)
    assert 'id="results"' not in html  # a required parameter is missing: nothing run yet


def test_form_submission_renders_a_linked_table(real_client):
    html = real_client.get("/queries/country-mechanisms?country=JPN", headers={"Accept": BROWSER}).data.decode()
    assert '<table class="results">' in html
    assert 'href="/id/mechanism/msp"' in html and ">Minerals Security Partnership</a>" in html
    assert 'href="/queries/country-mechanisms?country=JPN&amp;format=csv"' in html
    assert 'href="/queries/country-mechanisms?country=JPN&amp;format=json"' in html
    assert '<option value="JPN" selected>' in html or 'value="JPN"' in html


def test_given_short_forms_are_shown_as_the_choice(real_client):
    html = real_client.get("/queries/mechanism-members?mechanism=MSP", headers={"Accept": BROWSER}).data.decode()
    # a drop-down up to MAX_SELECT mechanisms, a text box with suggestions above: which one depends
    # on how many mechanisms the graph knows, so the expectation is read from the page's choices
    select = re.search(r'<select id="p-mechanism".*?</select>', html, re.S)
    if select:
        assert len(re.findall(r'<option value="[^"]', select.group(0))) <= MAX_SELECT
        assert '<option value="msp" selected>' in select.group(0)
    else:
        box = re.search(r'<input id="p-mechanism" name="mechanism" type="text" value="([^"]*)"', html)
        suggestions = re.search(r'<datalist id="dl-mechanism">(.*?)</datalist>', html, re.S)
        assert box and box.group(1) == "msp"
        assert len(re.findall(r"<option ", suggestions.group(1))) > MAX_SELECT
        assert '<option value="msp">' in suggestions.group(1)
    assert "欧盟已与澳大利亚" in html  # the quotes are in the table


def test_bad_value_shows_the_reason_in_the_page(real_client):
    r = real_client.get("/queries/country-mechanisms?country=%3Cb%3ENarnia", headers={"Accept": BROWSER})
    assert r.status_code == 400 and r.mimetype == "text/html"
    html = r.data.decode()
    assert 'class="error"' in html and "&lt;b&gt;Narnia" in html and "<b>Narnia" not in html


def test_machine_clients_and_downloads_unchanged(real_client):
    r = real_client.get("/queries/country-mechanisms?country=JPN", headers={"Accept": "application/sparql-results+json"})
    assert r.mimetype == "application/sparql-results+json"
    assert json.loads(r.data)["results"]["bindings"]
    r = real_client.get("/queries/country-mechanisms?country=JPN&format=csv", headers={"Accept": BROWSER})
    assert r.mimetype == "text/csv" and "msp" in r.data.decode()


def test_renderer_escapes_values(syn_live):
    from mineralgraph.server.web.queries_html import render_query_page

    meta = SimpleNamespace(name="demo", title="Demo <i>query</i>", description="about <b>it</b>",
                           params=[SimpleNamespace(name="kind", type="enum", required=False, multiple=False,
                                                   default=None, allowed=["a<b", "c"], description="x", example=None)],
                           examples=[], example_lines=[])
    results = {"head": {"vars": ["s", "quote"]}, "results": {"bindings": [
        {"s": {"type": "uri", "value": "https://w3id.org/mineralgraph/id/country/JPN"},
         "quote": {"type": "literal", "value": SCRIPT, "xml:lang": "zh-Hans"}}]}}
    with syn_live.app.test_request_context("/queries/demo"):
        response = render_query_page(meta, {"kind": ["a<b"]}, results)
    html = response.get_data(as_text=True)
    assert SCRIPT not in html and "&lt;script&gt;window.__pwned" in html
    assert "Demo &lt;i&gt;query&lt;/i&gt;" in html
    assert '<option value="a&lt;b" selected>' in html
    assert '<a href="/id/country/JPN"' in html and ">Japan</a>" in html  # label from the graph


def test_query_list_page_is_part_of_the_site(real_client):
    r = real_client.get("/queries", headers={"Accept": BROWSER})
    assert r.status_code == 200 and r.mimetype == "text/html"
    html = r.data.decode()
    assert '<header class="site">' in html and 'name="q"' in html, "the site's header and search box"
    assert '<a href="/queries/roster-matrix">Who is in a mechanism, according to each source</a>' in html
    # descriptions name columns in backticks: shown as code, not as stray backticks
    assert "<code>named</code> (the source names the member)" in html and "`named`" not in html
    assert real_client.get("/queries").mimetype == "application/json"  # programs still get JSON


def test_iri_column_takes_the_place_of_its_id(real_client):
    """roster-disagreements selects memberId first and the IRI member last: the table starts with the member."""
    html = real_client.get("/queries/roster-disagreements?mechanism=MSP", headers={"Accept": BROWSER}).data.decode()
    heads = re.findall(r"<th>([^<]+)</th>", html.split('<table class="results">', 1)[1].split("</thead>", 1)[0])
    assert heads[:2] == ["member", "kind"] and "memberId" not in heads
    # 001's closed list ("参与这项矿物安全合作伙伴关系的包括澳大利亚、加拿大、芬兰、法国、德国、日本、韩国、瑞典、英国、美国和欧盟委员会") leaves out India
    first_row = html.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert 'data-col="member"' in first_row and ">India</a>" in first_row and "change over time" in first_row


def test_a_quote_is_shown_once_for_the_rows_it_gives(real_client):
    """002: "2022年在剔除氦、鉀、錸、鍶和鈾等5種礦產后又大幅新增了鎳、鋅等20種礦產" gives seven US list
    changes; the table shows the sentence on the first of them and "same quote as above" after,
    each still linking to the place in the source (the CSV keeps the quote on every row)."""
    html = real_client.get("/queries/list-changes?from=us%2F2018&to=us%2F2022", headers={"Accept": BROWSER}).data.decode()
    quotes = re.findall(r'<td data-col="quote"[^>]*>(.*?)</td>', html.split("<tbody>", 1)[1])
    assert len(quotes) == 7
    assert "剔除氦" in quotes[0] and "same quote as above" not in quotes[0]
    assert all("same quote as above" in q and 'href="/id/source/002#claim-' in q for q in quotes[1:])
    csv = real_client.get("/queries/list-changes?from=us%2F2018&to=us%2F2022&format=csv").data.decode("utf-8-sig")
    assert sum("剔除氦" in line for line in csv.splitlines()[1:]) == 7
