"""Citations (issue 22): claim and source pages name the publisher, title, date and URL, offer a
plain-text citation to copy, and CSL-JSON and BibTeX downloads; a claim page is titled by what it says."""
from __future__ import annotations

import html
import json
import re

HTML = {"Accept": "text/html"}


def test_source_page_cites_publisher_title_date_url(real_client):
    page = real_client.get("/id/source/001", headers=HTML).get_data(as_text=True)
    cite = page.split('id="cite"', 1)[1].split("</section>", 1)[0]
    assert "Epoch Times" in cite or "大纪元" in cite, cite[:600]
    assert "美与盟友建矿物安全伙伴关系" in cite and "2022-06-15" in cite
    assert "https://www.epochtimes.com/gb/22/6/15/n13760282.htm" in cite
    text = html.unescape(re.search(r'<textarea[^>]*id="citation-text"[^>]*>(.*?)</textarea>', cite, re.S).group(1))
    assert text.startswith("夏松. “美与盟友建矿物安全伙伴关系 抗衡中共垄断” [US and allies build")
    assert 'href="/cite/source/001?format=bibtex"' in cite and 'href="/cite/source/001?format=csl"' in cite


def test_undated_source_says_so(real_client):
    text = real_client.get("/cite/source/002?format=text").get_data(as_text=True)
    assert "n.d. (not before 2023-03-05)" in text and "西方的關鍵礦產戰略" in text


def test_claim_page_titled_by_what_it_says_and_cites(real_client):
    r = real_client.get("/search", query_string={"q": "数据中心", "type": "claim"}, headers={"Accept": "application/json"})
    claim = r.get_json()[0]
    page = real_client.get(claim["claim_href"], headers=HTML).get_data(as_text=True)
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert "数据中心" in html.unescape(title) and not title.startswith("Claim")
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1)
    assert "数据中心" in h1
    byline = re.search(r'<p class="byline">(.*?)</p>', page, re.S).group(1)
    assert f"(source {claim['source']})" in byline
    text = html.unescape(re.search(r'id="citation-text"[^>]*>(.*?)</textarea>', page, re.S).group(1))
    assert "数据中心" in text and claim["iri"] in text


def test_csl_json_and_bibtex(real_client):
    r = real_client.get("/cite/source/001?format=csl")
    assert r.status_code == 200 and "csl+json" in r.mimetype
    item = json.loads(r.get_data())[0]
    assert item["issued"] == {"date-parts": [[2022, 6, 15]]} and item["type"] == "article-newspaper"
    assert item["URL"] == "https://www.epochtimes.com/gb/22/6/15/n13760282.htm"
    assert item["author"] == [{"literal": "夏松"}] and item["publisher"]
    bib = real_client.get("/cite/source/001?format=bibtex").get_data(as_text=True)
    assert bib.startswith("@online{mineralgraph001,") and "  year = {2022}" in bib and "  month = jun" in bib
    assert bib.count("{") == bib.count("}")
    claim = real_client.get("/cite/claim/001/1645-1675?format=bibtex").get_data(as_text=True)
    assert claim.startswith("@online{mineralgraph001-1645-1675,") and "Quoted: " in claim
    assert real_client.get("/cite/source/999").status_code == 404
    assert real_client.get("/cite/source/001?format=ris").status_code == 400


def test_browser_at_sparql_gets_the_editor_machines_the_description(real_client):
    r = real_client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert r.status_code == 303 and r.headers["Location"] == "/editor" and "Accept" in r.headers["Vary"]
    for accept in (None, "text/turtle", "application/rdf+xml", "*/*"):
        r = real_client.get("/sparql", headers={"Accept": accept} if accept else {})
        assert r.status_code == 200 and r.mimetype != "text/html", accept
        assert "http://www.w3.org/ns/sparql-service-description#" in r.get_data(as_text=True), accept
    assert 'href="/ont"' in real_client.get("/search", headers=HTML).get_data(as_text=True)
