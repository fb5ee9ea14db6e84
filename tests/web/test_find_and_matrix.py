"""What an analyst meets first: the roster matrix at the top of a mechanism page, search by any
name (English, Simplified, Traditional, codes) and "did you mean" on an /id/ path that does not exist.
Answers are the seeds' (quoted where a source decides them)."""
from __future__ import annotations

import re
from html import unescape

import pytest

HTML = {"Accept": "text/html"}
JSON = {"Accept": "application/json"}


def _cell(page: str, member: str, column: int) -> str:
    """The <td> of a member's row in the matrix, by column (0 = first source)."""
    row = re.search(rf'<tr><th scope="row"><a href="[^"]+">{re.escape(member)}</a></th>(.*?)</tr>', page, re.S)
    assert row, member
    return re.findall(r"<td class=\"cell[^\"]*\">.*?</td>", row.group(1), re.S)[column]


def test_mechanism_page_starts_with_the_roster_matrix(real_client):
    page = real_client.get("/id/mechanism/msp", headers=HTML).get_data(as_text=True)
    # the matrix comes before the statements
    assert page.index('id="roster"') < page.index('id="statements"')
    heads = re.findall(r'<thead>.*?</thead>', page, re.S)[0]
    columns = re.findall(r'<span class="sub">[^<]*· (\d{3})</span>', heads)
    assert sorted(columns) == ["000", "001", "002", "003", "004"]
    # sources by publisher and date, not only by id
    assert "The Epoch Times" in heads and "2022-06-15" in heads and "Radio France Internationale" in heads
    c001, c000 = columns.index("001"), columns.index("000")
    # 001: "参与这项矿物安全合作伙伴关系的包括澳大利亚、加拿大、芬兰、法国、德国、日本、韩国、瑞典、英国、美国和欧盟委员会。"
    india = _cell(page, "India", c001)
    assert 'data-status="omitted-closed"' in india and "conflict" not in india.split(">")[0]
    assert 'href="/id/claim/001/2297-2353"' in india, "the cell links to the closed list's quote"
    assert 'data-status="named"' in _cell(page, "Japan", c001)
    # 000: "…日本、韩国、英国和其他国家一起加入了美国领导的“矿产安全伙伴关系”": open, no disagreement
    sweden = _cell(page, "Sweden", c000)
    assert 'data-status="omitted-open"' in sweden and "2024-02-11" in sweden
    assert "No conflicts" in page
    # 002 speaks for a month and says so
    c002 = columns.index("002")
    assert ">2022-06<" in _cell(page, "Sweden", c002) and "2022-06-01" not in page.split('id="statements"')[0]
    # and the page leads on to the queries about the mechanism
    for q in ("roster-matrix", "roster-disagreements", "mechanism-members", "mechanism-timeline"):
        assert f'href="/queries/{q}?mechanism=msp"' in page


def test_no_matrix_where_no_source_speaks_about_members(real_client):
    page = real_client.get("/id/country/JPN", headers=HTML).get_data(as_text=True)
    assert 'id="roster"' not in page


@pytest.mark.parametrize("q, first", [
    ("MSP", "https://w3id.org/mineralgraph/id/mechanism/msp"),          # abbreviation
    ("msp", "https://w3id.org/mineralgraph/id/mechanism/msp"),
    ("日本", "https://w3id.org/mineralgraph/id/country/JPN"),             # Simplified
    ("礦產安全夥伴關係", "https://w3id.org/mineralgraph/id/mechanism/msp"),  # Traditional, as 002 writes it
    ("矿产安全伙伴关系", "https://w3id.org/mineralgraph/id/mechanism/msp"),
    ("Li", "https://w3id.org/mineralgraph/id/mineral/lithium"),          # element symbol
    ("JPN", "https://w3id.org/mineralgraph/id/country/JPN"),
    ("Japan", "https://w3id.org/mineralgraph/id/country/JPN"),
])
def test_search_json(real_client, q, first):
    r = real_client.get("/search", query_string={"q": q}, headers=JSON)
    assert r.status_code == 200 and r.mimetype == "application/json"
    got = r.get_json()
    assert got[0]["iri"] == first
    assert {"iri", "label", "type"} <= set(got[0])


def test_search_filters_by_type_and_reports_types(real_client):
    got = real_client.get("/search", query_string={"q": "Japan", "type": "country"}, headers=JSON).get_json()
    assert [r["type"] for r in got] == ["country"] * len(got) and got[0]["label"] == "Japan"
    assert real_client.get("/search", query_string={"q": "x", "type": "planet"}).status_code == 400
    assert real_client.get("/search", query_string={"q": "x", "limit": "many"}).status_code == 400
    assert real_client.get("/search", query_string={"q": "zzzqqq"}, headers=JSON).get_json() == []


def test_search_page_and_box_on_every_page(real_client):
    page = real_client.get("/search", query_string={"q": "lithium"}, headers=HTML).get_data(as_text=True)
    assert '<a href="/id/mineral/lithium">lithium</a>' in page
    for path in ("/", "/id/mechanism/msp", "/id/source/001", "/queries/roster-matrix", "/search"):
        body = real_client.get(path, headers=HTML).get_data(as_text=True)
        box = "front-search" if path == "/" else "site-search"  # the front page has its own, larger one
        assert f'form class="{box}" action="/search"' in body, path
    hostile = real_client.get("/search", query_string={"q": "<script>alert(1)</script>"}, headers=HTML)
    assert hostile.status_code == 200 and "<script>alert(1)" not in hostile.get_data(as_text=True)


def test_did_you_mean_on_unknown_id(real_client):
    r = real_client.get("/id/mechanism/MSP", headers=HTML)
    assert r.status_code == 404
    page = unescape(r.get_data(as_text=True))
    assert re.search(r'Did you mean: <a href="/id/mechanism/msp">Minerals Security Partnership</a>', page)
    text = real_client.get("/id/country/japn", headers={"Accept": "text/plain"}).get_data(as_text=True)
    assert "Did you mean: /id/country/JPN (Japan)" in text
    assert "Did you mean" not in real_client.get("/id/nothing/zzz", headers={"Accept": "text/plain"}).get_data(as_text=True)


def test_stored_query_form_fields_ask_search(real_client):
    page = real_client.get("/queries/claims-about", headers=HTML).get_data(as_text=True)
    assert 'data-suggest="entity"' in page


@pytest.mark.parametrize("view, query", [("timeline", "timeline"), ("lists", "list-evolution"),
                                         ("network", "membership-network")])
def test_view_pages_are_fed_by_stored_queries(real_client, view, query):
    page = real_client.get(f"/views/{view}", headers=HTML).get_data(as_text=True)
    assert f'data-query="{query}"' in page
    assert f'href="/queries/{query}?format=csv"' in page and f'href="/queries/{query}?format=json"' in page
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert "/static/echarts/echarts.min.js" in scripts and all(src.startswith("/static/") for src in scripts)
    data = real_client.get(f"/queries/{query}?format=json")
    assert data.status_code == 200 and data.get_json()["results"]["bindings"]


def test_view_filters_pass_to_the_query(real_client):
    page = real_client.get("/views/network?kind=minilateral&source=002", headers=HTML).get_data(as_text=True)
    assert 'data-params="kind=minilateral&amp;source=002"' in page
    assert 'href="/queries/membership-network?kind=minilateral&amp;source=002&amp;format=csv"' in page
    assert real_client.get("/views/nothing", headers=HTML).status_code == 404


def test_charting_library_is_vendored_with_its_licence(real_client):
    assert real_client.get("/static/echarts/echarts.min.js").status_code == 200
    assert "Apache License" in real_client.get("/static/echarts/LICENSE").get_data(as_text=True)
    assert real_client.get("/static/echarts/NOTICE").status_code == 200


def test_csv_download_opens_in_spreadsheets(real_client):
    r = real_client.get("/queries/roster-matrix?mechanism=MSP&format=csv")
    assert r.headers["Content-Disposition"] == 'attachment; filename="roster-matrix.csv"'
    body = r.get_data()
    assert body.startswith(b"\xef\xbb\xbf" + b"memberId,sourceId,status,conflict,asOf")
    assert "IND,001,omitted-closed,false,2022-06-14" in body.decode("utf-8-sig")
    # asked for by Accept (an API client): plain SPARQL CSV, no BOM, no attachment
    api = real_client.get("/queries/roster-matrix?mechanism=MSP", headers={"Accept": "text/csv"})
    assert api.get_data().startswith(b"memberId,") and "Content-Disposition" not in api.headers
    tsv = real_client.get("/queries/roster-matrix?mechanism=MSP&format=tsv")
    assert tsv.headers["Content-Disposition"] == 'attachment; filename="roster-matrix.tsv"'


def _marks(page: str, anchor: str) -> str:
    """The text of every highlighted piece of one claim, in order."""
    pieces = re.findall(rf'<mark class="[^"]*\b{anchor}\b[^"]*"[^>]*><a [^>]*>([^<]*)</a></mark>', page)
    return unescape("".join(pieces))


def test_reading_view_drops_markup_and_keeps_offsets(real_client):
    verbatim = real_client.get("/id/source/003", headers=HTML).get_data(as_text=True)
    read = real_client.get("/id/source/003?view=reading", headers=HTML).get_data(as_text=True)
    # 003 is wiki text: the claim at 868-923 reads "拜登政府]]在2022年[[zh:6月]]启动了…" verbatim
    assert _marks(verbatim, "claim-868-923").startswith("拜登政府]]在2022年[[zh:6月]]")
    assert _marks(read, "claim-868-923") == "拜登政府在2022年6月启动了全球基础设施和投资伙伴关系,与G7同盟签署了矿产安全伙伴关系。"
    assert re.search(r'<mark class="[^"]*claim-868-923[^"]*" id="claim-868-923" data-start="868">', read), \
        "the highlight still names its original offsets"
    assert "[[zh:" not in re.sub(r'title="[^"]*"', "", read.split('id="text"')[1])  # the verbatim stays on hover
    assert 'href="/id/source/003?view=reading#text"' in verbatim and 'href="/id/source/003#text"' in read
    # 002 has pinyin glosses inserted after characters ("關(guān)鍵礦產(chǎn)"): gone for reading
    text002 = re.sub(r'title="[^"]*"', "", real_client.get("/id/source/002?view=reading", headers=HTML)
                     .get_data(as_text=True).split('id="text"')[1])
    assert "(guān)" not in text002 and "關鍵礦產" in text002


def test_quote_cards_read_clean_with_the_verbatim_on_hover(real_client):
    page = unescape(real_client.get("/id/mechanism/msp", headers=HTML).get_data(as_text=True))
    # 002 verbatim "美西方強(qiáng)化供應(yīng)鏈伙伴關(guān)系" shown as "美西方強化供應鏈伙伴關系"
    assert "<mark title=\"verbatim: 值得注意的是,美西方強(qiáng)化供應(yīng)鏈" in page
    assert ">值得注意的是,美西方強化供應鏈伙伴關系," in page


def test_result_tables_people_can_use(real_client):
    page = real_client.get("/queries/mechanism-members?mechanism=MSP&source=001", headers=HTML).get_data(as_text=True)
    head = re.search(r"<thead>(.*?)</thead>", page, re.S).group(1)
    columns = re.findall(r"<th>([^<]+)</th>", head)
    # member, memberId, memberLabel are one column: the member's label linking to its page
    assert "member" in columns and "memberId" not in columns and "memberLabel" not in columns
    assert "claim" not in columns and "source" not in columns
    # the source by publisher and date; the quote opens at its place in the source
    assert '<a href="/id/source/001" title="https://w3id.org/mineralgraph/id/source/001">The Epoch Times, 2022-06-15 (001)</a>' in page
    assert 'class="quote-link" href="/id/source/001#claim-2297-2353"' in page
    # the downloads keep every column
    csv = real_client.get("/queries/mechanism-members?mechanism=MSP&source=001&format=csv").get_data().decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("member,memberId,memberLabel,")


def test_result_quotes_read_clean(real_client):
    page = unescape(real_client.get("/queries/mechanism-members?mechanism=MSP&source=002", headers=HTML).get_data(as_text=True))
    # 002 verbatim "建立“礦產(chǎn)安全伙伴關(guān)系”": read without the inserted glosses, verbatim on hover
    assert ">2022年6月加拿大勘探者和開發商協會會議期間," in page
    assert 'title="verbatim: 2022年6月加拿大勘探者和開發(fā)商協(xié)會' in page


def test_country_and_source_pages_lead_on(real_client):
    """A country page links to the questions about it; a source page to its text above its long property table."""
    page = real_client.get("/id/country/JPN", headers=HTML).get_data(as_text=True)
    assert 'href="/queries/country-mechanisms?country=JPN"' in page
    assert 'href="/queries/shared-mechanisms?country=JPN"' in page
    page = real_client.get("/id/source/001", headers=HTML).get_data(as_text=True)
    assert page.index('href="#text"') < page.index('id="about"')
    assert 'href="/id/source/001?view=reading#text"' in page


def test_search_with_a_typo_suggests_names(real_client):
    page = real_client.get("/search?q=Minerls+Security", headers=HTML).get_data(as_text=True)
    assert "Nothing by that name." in page
    suggestions = page.split('class="did-you-mean"', 1)[1].split("</p>", 1)[0]
    assert '<a href="/id/mechanism/msp">Minerals Security Partnership</a>' in suggestions
    page = real_client.get("/search?q=Japan", headers=HTML).get_data(as_text=True)
    assert 'class="did-you-mean"' not in page  # found: no suggestions


def test_reading_view_keeps_a_sentence_around_inline_links_together(real_client):
    """001 (Markdown with inline HTML) writes "…以确保\\n <ok href="…">\\n  稀土\\n </ok>\\n 、锂等\\n <ok …>\\n  关键矿物\\n </ok>\\n 供应链安全":
    line breaks around inline tags are wrapping, not paragraphs."""
    read = real_client.get("/id/source/001?view=reading", headers=HTML).get_data(as_text=True)
    text = unescape(re.sub(r"<[^>]+>", "", read.split('id="text"')[1]))
    assert "以确保稀土、锂等关键矿物供应链安全，抗衡中共。" in text
    # blank lines still part paragraphs: the headline is not run into the link bar below it
    assert re.search(r"抗衡中共垄断\n\n+首页", text)


def test_actor_page_starts_with_its_memberships(real_client):
    page = real_client.get("/id/country/JPN", headers=HTML).get_data(as_text=True)
    groups = re.findall(r'<section class="group">\s*<h3>([^<]+?) <span', page.split('id="statements"', 1)[1])
    assert groups[0] == "Membership statement" and len(groups) > 2
    assert groups[1:] == sorted(groups[1:])


def test_membership_period_reads_as_its_dates(real_client):
    """002: "從2011年起,美國能源部、日本經(jīng)濟(jì)產(chǎn)業(yè)省和歐盟委員會就約定每年舉辦關(guān)鍵礦產(chǎn)會議": Japan takes
    part in the trilateral conference from 2011, a year, shown as "from 2011", not as the interval's IRI."""
    page = real_client.get("/id/country/JPN", headers=HTML).get_data(as_text=True)
    card = re.search(r'<li class="statement"(?:(?!</li>).)*EU-U\.S\.-Japan Trilateral(?:(?!</li>).)*', page, re.S).group(0)
    assert "member during" in card and ">from 2011</a>" in card
    assert "JPN#during</a>" not in page


def test_the_annotators_english_gloss_stands_beside_the_quote(real_client):
    """001's roster "参与这项矿物安全合作伙伴关系的包括澳大利亚、加拿大、…和欧盟委员会。" has a `gloss:` in its
    annotation: the claim page, the source's claim index and the reading view's highlight show it, marked
    as the annotator's English, with the Chinese quote still there."""
    gloss = "The members of this Minerals Security Partnership are Australia, Canada, Finland"
    claim = unescape(real_client.get("/id/claim/001/2297-2353", headers=HTML).get_data(as_text=True))
    assert "参与这项矿物安全合作伙伴关系的包括澳大利亚" in claim
    assert re.search(r'<p class="gloss" lang="en"><span class="gloss-tag"[^>]*>English gloss</span> ' + gloss, claim)
    # the sentence around it reads clean too: 001 is Markdown with HTML, "…欧盟委员会。</p>" verbatim
    context = re.search(r'<blockquote class="quote context".*?</blockquote>',
                        real_client.get("/id/claim/001/2297-2353", headers=HTML).get_data(as_text=True), re.S).group(0)
    assert "&lt;" not in context and "欧盟委员会。</mark>" in context
    source = unescape(real_client.get("/id/source/001", headers=HTML).get_data(as_text=True))
    assert f"English gloss: {gloss}" in source.split('id="claims"', 1)[1].split("</ol>", 1)[0]
    read = unescape(real_client.get("/id/source/001?view=reading", headers=HTML).get_data(as_text=True))
    assert re.search(r'<mark class="[^"]*claim-2297-2353[^"]*"[^>]*><a [^>]*title="English gloss: ' + gloss, read)
    # a claim without a gloss shows none: 001's "白宫表示，这些关键矿物包括稀土、锂和钴，…"
    other = real_client.get("/id/source/001", headers=HTML).get_data(as_text=True)
    assert other.count('class="gloss"') == 2  # 001 glosses two claims, the founding and the roster
