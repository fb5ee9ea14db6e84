"""The analyst's desk (issue 22) on the seeds: charts that read without hovering (labels on marks,
one founding mark where the sources' dates nest, stated vs computed list changes, a network around
one actor), the roster matrix reconciling declared counts with a mark of its own for a conflict,
the matrix downloaded wide, downloads carrying the quote as shown, a claim's quote shown once."""
from __future__ import annotations

import csv
import html
import io
import re

import pytest
from openpyxl import load_workbook

HTML = {"Accept": "text/html"}


# -- without a browser ----------------------------------------------------------------------
def test_matrix_reconciles_the_declared_count(real_client):
    page = real_client.get("/id/mechanism/msp", headers=HTML).get_data(as_text=True)
    note = re.sub(r"<[^>]+>|\s+", " ", re.search(r'<p class="count-note">(.*?)</p>', page, re.S).group(1))
    # 004: "当前共有14个成员国与欧盟参与" — 14 countries and the EU; the five sources name 13 members
    assert "004" in note and "14 countries + European Union" in note
    members = len(re.findall(r'<tr><th scope="row">', page))
    assert f"{members} named by the sources" in note and f"{15 - members} members no source names" in note
    legend = re.search(r'<p class="legend">(.*?)</p>', page, re.S).group(1)
    # a conflict and an omission from a closed list have different marks, both in the legend
    assert '<span class="mark">✕</span> left out of a closed list' in legend
    assert '<span class="mark">‼</span> conflict' in legend


def test_matrix_downloads_wide_as_on_the_page(real_client):
    page = real_client.get("/id/mechanism/msp", headers=HTML).get_data(as_text=True)
    on_page = [html.unescape(re.sub(r"<[^>]+>", "", m)) for m in re.findall(r'<tr><th scope="row"><a [^>]*>(.*?)</a>', page)]
    r = real_client.get("/roster-matrix", query_string={"mechanism": "MSP", "format": "xlsx"})
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(io.BytesIO(r.data)).active
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    assert header[:2] == ("member", "memberId") and any("(001)" in h for h in header[2:])
    assert [row[0] for row in rows[1:len(on_page) + 1]] == on_page, "the page's rows, in its order"
    col = next(i for i, h in enumerate(header) if h.endswith("(001)"))
    india = next(row for row in rows if row[1] == "IND")
    assert india[col] == "left out of a closed list 2022-06-14"  # 001's closed roster of 2022-06-14
    # ids and dates are text cells, as given
    assert all(ws.cell(row=i, column=2).data_type == "s" for i in range(2, len(on_page) + 2))
    text = real_client.get("/roster-matrix", query_string={"mechanism": "MSP", "format": "csv"}).get_data(as_text=True)
    assert list(csv.reader(io.StringIO(text)))[0] == list(header)
    assert real_client.get("/roster-matrix", query_string={"mechanism": "nope"}).status_code == 400


def test_downloads_carry_the_quote_as_shown_and_verbatim(real_client):
    # 002 writes 礦產(chǎn) with the pinyin inserted; the page shows 礦產, and so does the download
    q = {"from": "us/2018", "to": "us/2022"}
    data = real_client.get("/queries/list-changes", query_string={**q, "format": "json"}).get_json()
    row = next(b for b in data["results"]["bindings"] if b["sourceId"]["value"] == "002")
    assert "(chǎn)" not in row["quote"]["value"] and "礦產" in row["quote"]["value"]
    assert "礦產(chǎn)" in row["quoteVerbatim"]["value"]
    assert data["head"]["vars"].index("quoteVerbatim") == data["head"]["vars"].index("quote") + 1
    text = real_client.get("/queries/list-changes", query_string={**q, "format": "csv"}).get_data(as_text=True)
    header, first = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[:2]
    assert "(chǎn)" not in first[header.index("quote")] and "(chǎn)" in first[header.index("quoteVerbatim")]
    # a client asking by Accept gets the SPARQL answer as the endpoint gives it
    plain = real_client.get("/queries/list-changes", query_string=q, headers={"Accept": "text/csv"}).get_data(as_text=True)
    assert "quoteVerbatim" not in plain.splitlines()[0] and "(chǎn)" in plain


def test_claim_page_shows_its_quote_once(real_client):
    page = real_client.get("/id/claim/001/2297-2353", headers=HTML).get_data(as_text=True)
    quote = "参与这项矿物安全合作伙伴关系的包括澳大利亚"
    visible = re.sub(r"<details class=\"context\">.*?</details>", "", page, flags=re.S)  # folded away
    # the citation to copy holds it too, as a citation does
    visible = re.sub(r"<title>.*?</title>|<textarea.*?</textarea>|<[^>]+>", "", visible, flags=re.S)
    assert visible.count(quote) == 1
    assert re.search(r'<h1 class="claim-title">.*' + quote, page)


# -- in the browser -------------------------------------------------------------------------
def _option(page, url: str) -> dict:
    page.goto(url)
    page.wait_for_selector("#chart[data-ready=true] canvas")
    return page.evaluate("""() => {
      const o = window.mineralgraphChart.getOption();
      return o.series.map(s => ({type: s.type, label: s.label || null, data: (s.data || []).map(d => ({
        row: d.row || null, bin: d.bin ? {name: d.bin.name, claims: d.bin.claims.length} : null,
        symbol: d.symbol || null, name: d.name || null,
        label: d.label ? {show: d.label.show, text: typeof d.label.formatter === 'string' ? d.label.formatter : null} : null}))}));
    }""")


@pytest.mark.browser
def test_timeline_one_founding_mark_per_mechanism_labelled(browser_page, real_live):
    founded, succeeded, claims = _option(browser_page, real_live.url + "/views/timeline")
    assert succeeded["type"] == "scatter" and succeeded["data"] == []  # no seed says a mechanism was succeeded
    msp = [d for d in founded["data"] if d["row"]["mechanismId"] == "msp"]
    # 2022 (004), 2022-06 (002, 004), 2022-06-14 (001): one mark, dated to the day, every source
    assert len(msp) == 1 and msp[0]["row"]["date"] == "2022-06-14"
    assert set(msp[0]["row"]["sources"].split()) >= {"001", "002", "004"}
    assert msp[0]["label"] == {"show": True, "text": "MSP"} and msp[0]["symbol"] == "circle"
    iea = [d for d in founded["data"] if d["row"]["mechanismId"] == "iea"]
    assert sorted(d["row"]["date"] for d in iea) == ["1973", "1974"] and {d["symbol"] for d in iea} == {"diamond"}
    assert all(d["label"]["show"] for d in founded["data"])
    # claims: one mark per mechanism and year, labelled with the number of claims when more than one
    bins = [d for d in claims["data"] if d["bin"]["claims"] > 1]
    assert bins and all(d["label"]["text"] == str(d["bin"]["claims"]) for d in bins)


@pytest.mark.browser
def test_lists_tell_stated_from_computed(browser_page, real_live):
    series = _option(browser_page, real_live.url + "/views/lists")
    added = next(s for s in series if s["type"] == "bar" and any(d["row"] for d in s["data"]) and s["data"][0]["label"]["text"].startswith("+"))
    text = {d["row"]["versionId"]: d["label"]["text"] for d in added["data"]}
    assert text["us/2018"].startswith("+26 computed")
    # 002 states 20 added and names two: nickel and zinc
    assert text["us/2022"].startswith("+20 stated, 2 named") and set(text["us/2022"].split("\n")[1].split(", ")) == {"nickel", "zinc"}


@pytest.mark.browser
def test_network_reads_around_one_actor(browser_page, real_live):
    page = browser_page
    series = _option(page, real_live.url + "/views/network")
    nodes = series[0]["data"]
    around = page.locator("#network-around").input_value()
    assert around.endswith("/country/USA")  # the actor with the most links on the seeds
    assert all(n["label"]["show"] for n in nodes), "every node in a neighbourhood is named"
    page.select_option("#network-around", "*")
    page.wait_for_function("() => window.mineralgraphChart.getOption().series[0].data.length > %d" % len(nodes))
    assert "the whole network" in page.locator("#chart-status").inner_text()
