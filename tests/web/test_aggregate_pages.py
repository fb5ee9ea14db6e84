"""Pages that stay readable as the corpus grows (issue 23): an entity page leads with one row per
fact and how many sources support it; a statement's quotes are paged; a roster matrix with many
sources groups the sources that say the same; stored-query answers page instead of truncating.
Asserted on the seeds' real answers."""
from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

import pytest

HTML = {"Accept": "text/html"}
JSON = {"Accept": "application/sparql-results+json"}


def _supports(page: str) -> dict[str, str]:
    """{statement id: its support line as text} from an entity page."""
    return {sid: " ".join(unescape(re.sub(r"<[^>]+>", "", line)).split())
            for sid, line in re.findall(r'<li class="statement" id="([^"]+)".*?<p class="support">(.*?)</p>', page, re.S)}


def test_each_fact_leads_with_its_sources_and_dates(real_client):
    page = real_client.get("/id/mechanism/msp", headers=HTML).get_data(as_text=True)
    s = _supports(page)
    # 000 ("…日本、韩国、英国和其他国家一起加入了…", 2024-02-11) and 001's closed roster (2022-06-14) name Japan
    assert s["stmt/membership/msp/JPN"] == "2 sources (000, 001) · as of 2022-06-14 – 2024-02-11"
    # 002 speaks for a month: "2022-06", as given, not a day
    assert s["stmt/membership/msp/JPN/founder"] == "1 source (002) · as of 2022-06"
    # the EU: 000, 001 and 004 (2024-09-23)
    assert s["stmt/membership/msp/eu"] == "3 sources (000, 001, 004) · as of 2022-06-14 – 2024-09-23"
    # India is named only by 000, in 2024, after 001's closed list of 2022-06-14: no dispute
    assert s["stmt/membership/msp/IND"] == "1 source (000) · as of 2024-02-11"
    assert not any("disputed" in line for line in s.values())


def test_seeds_hide_nothing_and_say_each_quote_once(real_client):
    for path in ("/id/mechanism/msp", "/id/country/JPN"):
        page = real_client.get(path, headers=HTML).get_data(as_text=True)
        assert 'class="evidence-link"' not in page, "every fact on the seeds has its quotes on the card"
        full = re.findall(r'<li class="claim">.*?<a href="(/id/claim/[^"]+)">claim</a>', page, re.S)
        assert full and len(full) == len(set(full)), "a quote is shown in full once per page"
        repeats = re.findall(r'<li class="claim repeat"><a href="(/id/claim/[^"]+)">', page)
        assert set(repeats) <= set(full), "a repeat points back to a quote shown above"
    # 001's roster supports eleven memberships: in full once, ten times as "the same quote"
    page = real_client.get("/id/mechanism/msp", headers=HTML).get_data(as_text=True)
    assert page.count('<li class="claim repeat"><a href="/id/claim/001/2297-2353">') >= 9


def test_a_statement_pages_its_quotes(real_client):
    path = "/id/stmt/membership/msp/eu"
    page = real_client.get(path, headers=HTML).get_data(as_text=True)
    evidence = page.split('id="evidence"', 1)[1]
    quotes = re.findall(r'<a class="to-source" href="/id/source/(\d{3})', evidence)
    assert sorted(set(quotes)) == ["000", "001", "004"] and quotes == sorted(quotes)
    assert re.search(r"Claims 1–\d+ of \d+", evidence) and 'rel="next"' not in evidence
    # one source's quotes only; a page number that is not one is the first page, not an error
    only = real_client.get(path + "?source=004", headers=HTML).get_data(as_text=True).split('id="evidence"', 1)[1]
    assert set(re.findall(r'<a class="to-source" href="/id/source/(\d{3})', only)) == {"004"}
    assert real_client.get(path + "?page=x", headers=HTML).status_code == 200
    past = real_client.get(path + "?page=99", headers=HTML).get_data(as_text=True).split('id="evidence"', 1)[1]
    assert 'class="to-source"' not in past


def test_roster_matrix_groups_sources_that_say_the_same(real_live, monkeypatch):
    from mineralgraph.server.web import roster

    with real_live.app.test_request_context("/"):
        plain = roster.matrix("https://w3id.org/mineralgraph/id/mechanism/msp")
        assert not plain["grouped"] and len(plain["sources"]) == 5  # the seeds: one column per source
        monkeypatch.setattr(roster, "GROUP_OVER", 3)
        grouped = roster.matrix("https://w3id.org/mineralgraph/id/mechanism/msp")
    cols = grouped["sources"]
    assert grouped["grouped"] and sum(c["count"] for c in cols) == 5
    # 001's closed list leaves India and Italy out (named by 000 later): the disagreeing group first
    assert cols[0]["disagrees"] and "001" in [s["id"] for s in cols[0]["sources"]]
    india = next(m for m in grouped["members"] if m["label"] == "India")
    assert india["cells"][0]["status"] == "omitted-closed" and not india["cells"][0]["conflict"]
    assert all(len(m["cells"]) == len(cols) for m in grouped["members"])


def test_stored_query_answers_page(real_client):
    url = "/queries/mechanism-members?mechanism=MSP"
    whole = real_client.get(url, headers=JSON).get_json()["results"]["bindings"]
    assert len(whole) > 7
    rows, next_url, pages = [], url + "&limit=3", 0
    while next_url:
        r = real_client.get(next_url, headers=JSON)
        assert r.status_code == 200 and "X-SPARQL-Truncated" not in r.headers
        page = r.get_json()["results"]["bindings"]
        assert len(page) <= 3
        rows += page
        pages += 1
        link = re.match(r'<([^>]+)>; rel="next"', r.headers.get("Link", ""))
        next_url = None
        if link:
            parts = urlsplit(link.group(1))
            next_url = parts.path + "?" + parts.query
    assert rows == whole and pages == -(-len(whole) // 3)
    # the HTML answer: one page and a pager
    html = real_client.get(url + "&limit=4", headers=HTML).get_data(as_text=True)
    assert len(re.findall(r"<tr><td", html)) == 4
    assert 'rel="next" href="/queries/mechanism-members?mechanism=MSP&amp;limit=4&amp;offset=4#results"' in html


@pytest.mark.parametrize("args", ["limit=0", "limit=x", "offset=-1", "limit=100000000"])
def test_bad_page_parameters_are_400(real_client, args):
    r = real_client.get(f"/queries/mechanisms?{args}", headers=JSON)
    assert r.status_code == 400 and ("limit" in r.get_data(as_text=True) or "offset" in r.get_data(as_text=True))


def test_stored_queries_leave_limit_and_offset_to_the_pager():
    """The server appends LIMIT and OFFSET to a stored query's text (common.paged_text): a query
    with its own would not parse."""
    from pathlib import Path

    for rq in sorted((Path(__file__).resolve().parents[2] / "queries").glob("*.rq")):
        body = "\n".join(line.split("#", 1)[0] for line in rq.read_text(encoding="utf-8").splitlines())
        assert not re.search(r"\b(LIMIT|OFFSET)\s+\d+\s*$", body.strip(), re.I), rq.name


# -- aggregated answers (mode=facts) and the CLI's pages --------------------------------------
def _answer(client, url):
    return [{k: v["value"] for k, v in r.items()} for r in client.get(url, headers=JSON).get_json()["results"]["bindings"]]


def test_mechanism_members_facts_agree_with_the_quotes(real_client):
    """One row per fact, with the sources and dates of the quote-level rows behind it."""
    base = "/queries/mechanism-members?mechanism=MSP"
    detail, facts = _answer(real_client, base), _answer(real_client, base + "&mode=facts")
    key = lambda r: (r["memberId"], r.get("role"), r.get("representedBy"))  # noqa: E731
    by_fact: dict[tuple, set] = {}
    for r in detail:
        by_fact.setdefault(key(r), set()).add(r["sourceId"])
    assert sorted(map(key, facts), key=str) == sorted(by_fact, key=str), "one row per fact, every fact"
    for r in facts:
        assert r["sourceIds"].split() == sorted(by_fact[key(r)]) and int(r["sources"]) == len(by_fact[key(r)])
        assert "quote" not in r and "claim" not in r
    japan = {r.get("role"): r for r in facts if r["memberId"] == "JPN"}
    # 001's closed roster (2022-06-14) and 000 (2024-02-11); 002 speaks for a month, as given
    assert (japan[None]["sourceIds"], japan[None]["earliest"], japan[None]["latest"]) == ("000 001", "2022-06-14", "2024-02-11")
    assert (japan["founder"]["sourceIds"], japan["founder"]["earliest"]) == ("002", "2022-06")
    # up to 2023-01-01: 000 (2024) drops out, counted from the claims that pass
    early = {r["memberId"]: r for r in _answer(real_client, base + "&mode=facts&as_of=2023-01-01") if not r.get("role")}
    assert early["JPN"]["sourceIds"] == "001" and "IND" not in early
    # the disputing sources are the roster matrix's conflicts (none on the seeds)
    conflicts = {(r["memberId"], r["sourceId"]) for r in _answer(real_client, "/queries/roster-matrix?mechanism=MSP")
                 if r.get("conflict") == "true"}
    assert {(r["memberId"], s) for r in facts for s in r.get("disputedBy", "").split()} == conflicts


def test_cli_query_pages(dist_dir):
    from click.testing import CliRunner

    from mineralgraph.cli import cli

    def run(*extra):
        out = CliRunner().invoke(cli, ["query", "mechanism-members", "-p", "mechanism=MSP", "-f", "csv",
                                     "--dist", str(dist_dir), *extra])
        assert out.exit_code == 0, out.output
        return out.stdout.splitlines(), out.stderr

    whole, note = run()
    page, more = run("--limit", "3", "--offset", "2")
    assert page == [whole[0]] + whole[3:6] and "--offset 5" in more and not note
    last, end = run("--limit", "3", "--offset", str(len(whole) - 2))
    assert last == [whole[0], whole[-1]] and "more rows" not in end
    bad = CliRunner().invoke(cli, ["query", "mechanism-members", "-p", "mechanism=MSP", "--limit", "0", "--dist", str(dist_dir)])
    assert bad.exit_code == 2 and "--limit" in bad.output


def test_facts_html_answer_shows_the_summary_columns_only(real_client, monkeypatch):
    from mineralgraph.server.web import queries_html

    monkeypatch.setattr(queries_html, "SHOWN_IDS", 1)  # the seeds' facts have up to 3 sources
    html = real_client.get("/queries/mechanism-members?mechanism=MSP&mode=facts&limit=100", headers=HTML).get_data(as_text=True)
    head = re.search(r"<thead>(.*?)</thead>", html, re.S).group(1)
    assert ">sources<" in head and ">earliest<" in head and ">quote<" not in head and ">asOf<" not in head
    assert re.search(r"Empty on this page, so not shown: .*<code>quote</code>", html)
    # the EU's membership: 000, 001 and 004, shown as the first id and a count
    assert "000 … and 2 more" in html


def test_long_who_says_so_cells_are_grouped_by_value_in_the_html_answer(real_client, monkeypatch):
    from mineralgraph.server.web import queries_html

    monkeypatch.setattr(queries_html, "SHOWN_IDS", 1)  # as if 1,000 sources gave the MSP's founding year
    html = real_client.get("/queries/mechanisms", headers=HTML).get_data(as_text=True)
    msp = re.search(r'<tr>(?:(?!</tr>).)*?href="/id/mechanism/msp".*?</tr>', html, re.S).group(0)
    # foundedBy "2022 (001); 2022 (002); 2022 (004); 2022 (004 table 1 row 23)": the year once
    assert "2022 (001 … and 3 more)" in msp
    # the sources, "001 002 004": the first and a count
    assert "001 … and 2 more" in msp
    # the IEA: two years from one source each, each year once with its giver
    iea = re.search(r'<tr>(?:(?!</tr>).)*?href="/id/mechanism/iea".*?</tr>', html, re.S).group(0)
    assert "1974 (004); 1973 (004 table 1 row 27)" in iea
    # the downloads keep every value
    csv_text = real_client.get("/queries/mechanisms", headers={"Accept": "text/csv"}).get_data(as_text=True)
    assert "2022 (001); 2022 (002); 2022 (004); 2022 (004 table 1 row 23)" in csv_text


def test_entity_page_leads_with_its_facts_at_a_glance(real_client):
    page = real_client.get("/id/country/JPN", headers=HTML).get_data(as_text=True)
    glance = re.search(r'<p class="related at-a-glance">(.*?)</p>', page, re.S).group(1)
    groups = re.findall(r'<span class="anchor" id="(facts-\w+)"></span>\s*<section class="group">\s*<h3>([^<]+) <span class="count">(\d+)</span>', page)
    assert groups and groups[0][1].startswith("Membership")  # memberships first, as the cards
    for anchor, label, n in groups:
        assert f'<a href="#{anchor}">{n} {label.strip().lower()}' in glance


def test_a_statements_quotes_filter_by_publisher_and_date(real_client):
    """The evidence of "the EU is in the MSP" (000 RFI 2024-02-11, 001 Epoch Times 2022-06-14, 004
    2024-09-23, no publisher) narrowed by publisher and by the dates the claims speak for."""
    path = "/id/stmt/membership/msp/eu"

    def sources(query):
        page = real_client.get(path + query, headers=HTML)
        assert page.status_code == 200
        evidence = page.get_data(as_text=True).split('id="evidence"', 1)[1]
        return sorted(set(re.findall(r'<a class="to-source" href="/id/source/(\d{3})', evidence))), evidence

    assert sources("?publisher=epoch")[0] == ["001"]        # by name, case-insensitively
    assert sources("?publisher=rfi")[0] == ["000"]          # by the publisher's id
    assert sources("?since=2024")[0] == ["000", "004"]      # a year counts from its first day
    assert sources("?until=2022-06")[0] == ["001"]          # a month to its last day
    assert sources("?since=2024-03&until=2024-12")[0] == ["004"]
    got, evidence = sources("?since=June&publisher=rfi")    # not a date: said and left out
    assert got == ["000"] and "since &#39;June&#39; is not a date" in evidence
    # the pager keeps the filters
    assert 'value="rfi"' in evidence


def test_claims_about_facts_sum_up_the_claims(real_client):
    """claims-about mode=facts: one row per statement about the entity, with the sources of the
    claim-level rows behind it; `source` keeps the facts that source supports."""
    base = "/queries/claims-about?entity=JPN"
    detail, facts = _answer(real_client, base), _answer(real_client, base + "&mode=facts")
    assert facts and len({r["fact"] for r in facts}) == len(facts) and all("quote" not in r for r in facts)
    # every source of a claim supporting a statement about Japan is among the facts' sources, and no other
    supporting = {r["sourceId"] for r in detail if "supports" in r["how"]}
    assert {s for r in facts for s in r["sourceIds"].split()} == supporting
    japan_in_msp = next(r for r in facts if r["fact"].endswith("/stmt/membership/msp/JPN"))
    assert (japan_in_msp["kind"], japan_in_msp["sourceIds"], japan_in_msp["earliest"], japan_in_msp["latest"]) == \
        ("MembershipStatement", "000 001", "2022-06-14", "2024-02-11")
    only = _answer(real_client, base + "&mode=facts&source=002")
    assert only and all("002" in r["sourceIds"].split() for r in only)
    assert {r["fact"] for r in only} == {r["fact"] for r in facts if "002" in r["sourceIds"].split()}


def test_a_figure_is_disputed_by_the_sources_giving_another_value(real_client):
    """statistics mode=facts: `disputedBy` names the sources of the `value` disagreements of
    conflicting-statistics (003: cobalt 70%, 004: 68% ...), each against the other's figure."""
    conflicts = _answer(real_client, "/queries/conflicting-statistics?subject=CHN&disagreement=value")
    assert conflicts
    facts = _answer(real_client, "/queries/statistics?subject=CHN&indicator=refining-share&mode=facts")
    disputed = {(r["mineralId"], r["value"].split(".")[0], r["disputedBy"]) for r in facts if r.get("disputedBy")}
    sources = {(r["mineralId"], r["value"]): r["sourceId"] for r in conflicts}
    others = {(m, v): " ".join(sorted(s for (m2, v2), s in sources.items() if m2 == m and v2 != v)) for m, v in sources}
    assert disputed == {(m, v, s) for (m, v), s in others.items()}
    assert ("cobalt", "70", "004") in disputed


def test_the_pages_roster_matrix_is_the_stored_querys(real_live):
    """The mechanism page crosses each source's stance (rules/roster-stance.rq) with the members
    itself; its cells are the rows of the stored query roster-matrix, for every body with members."""
    from mineralgraph.server.service import service
    from mineralgraph.server.web import roster
    from mineralgraph.server.web.graph import select

    with real_live.app.test_request_context("/"):
        svc = service()
        bodies = [r["m"]["value"] for r in select("SELECT DISTINCT ?m WHERE { ?s org:organization ?m ; org:member ?x }")]
        assert len(bodies) > 20
        flat = lambda rows: sorted(tuple(sorted((k, v["value"]) for k, v in r.items() if k != "succeededBy")) for r in rows)  # noqa: E731
        for body in bodies:
            stored = select(svc.prepare(svc.stored_queries()["roster-matrix"], {"mechanism": [body]}), cap=100_000)
            assert flat(roster._rows(body)) == flat(stored), body


def test_the_grouped_matrix_is_the_per_source_cells_grouped(real_live, monkeypatch):
    """A grown corpus's matrix groups sources by what they say about every member, read off the
    stances in SPARQL (its cost does not grow with the sources that agree). For every body with
    members, the groups are what grouping the stored query's per-source cells gives: the same
    sources together, each cell's status, the range of dates its sources speak for and how many of
    them are in conflict."""
    from mineralgraph.server.web import roster
    from mineralgraph.server.web.graph import select

    monkeypatch.setattr(roster, "GROUP_OVER", 0)
    with real_live.app.test_request_context("/"):
        bodies = [r["m"]["value"] for r in select("SELECT DISTINCT ?m WHERE { ?s org:organization ?m ; org:member ?x }")]
        for body in bodies:
            rows = roster._rows(body)
            cells: dict[str, dict[str, dict]] = {}  # source -> member -> row
            for r in rows:
                cells.setdefault(r["sourceId"]["value"], {})[r["memberId"]["value"]] = r
            members = sorted({r["memberId"]["value"] for r in rows})
            expected: dict[tuple, set] = {}
            for source, by_member in cells.items():
                key = tuple(by_member[m]["status"]["value"] for m in members)
                expected.setdefault(key, set()).add(source)
            grouped = roster.matrix(body)
            got = {}
            for j, col in enumerate(grouped["sources"]):
                sources = {s["id"] for s in col["sources"]}
                row_of = {m["id"]: m["cells"][j] for m in grouped["members"]}
                got[tuple(row_of[m]["status"] for m in members)] = sources
                for m in members:
                    mine = [cells[s][m] for s in sources]
                    dates = sorted(r["asOf"]["value"] for r in mine)
                    assert row_of[m]["dates"] == (dates[0], dates[-1]), (body, m)
                    assert row_of[m].get("conflicts", 0) == sum(r["conflict"]["value"] == "true" for r in mine), (body, m)
            assert got == expected, body
            assert grouped["conflicts"] == sum(r["conflict"]["value"] == "true" for r in rows), body


def test_mentioned_in_is_the_builds_count_of_the_mentions(real_live, real_client):
    """"Mentioned in" reads the build's summary (rules/mention-summary.rq): the numbers are the
    mentions in the graph, counted here from the mentions themselves, and each source is named
    while there are few. "Referred to by" lists named things and sources, never the claims'
    wordings that repeat a statement's values."""
    from mineralgraph.server.web.graph import select

    with real_live.app.test_request_context("/"):
        counts = {r["e"]["value"].rsplit("/id/", 1)[1]: (int(r["n"]["value"]), int(r["k"]["value"])) for r in select(
            """SELECT ?e (COUNT(DISTINCT ?m) AS ?n) (COUNT(DISTINCT ?s) AS ?k) WHERE {
                 VALUES ?e { <https://w3id.org/mineralgraph/id/country/JPN> <https://w3id.org/mineralgraph/id/mechanism/msp> }
                 ?m a mg:Mention ; oa:hasBody ?e ; oa:hasTarget/oa:hasSource ?s } GROUP BY ?e""")}
    for path, (times, sources) in counts.items():
        page = real_client.get(f"/id/{path}", headers=HTML).get_data(as_text=True)
        section = page.split('id="mentions"', 1)[1].split("</section>", 1)[0]
        text = " ".join(unescape(re.sub(r"<[^>]+>", "", section)).split())
        assert f"In {sources} sources, {times:,} times." in text, (path, text[:200])
        assert section.count("<li>") == sources  # the seeds: five sources at most, each named
        assert f"mentioned in {sources} sources." in page
        incoming = page.split('id="incoming"', 1)[1].split("</section>", 1)[0] if 'id="incoming"' in page else ""
        assert "/wording/" not in incoming and "/id/mention/" not in incoming and "/id/claim/" not in incoming
        assert "ont#mentions\"" not in incoming  # a source's mg:mentions is counted above, not listed


def test_every_source_heading_is_made_when_the_build_is_loaded(real_live):
    """The per-build caches the pages register are made by reload.warm (when `serve` starts or a
    new build is swapped in), so the first mechanism page does not read every source's heading."""
    from mineralgraph.server import reload
    from mineralgraph.server.web import roster
    from mineralgraph.server.web.graph import select

    svc = real_live.app.extensions["mineralgraph"].service
    svc._cache.pop(roster.HEADINGS, None)
    reload.warm(real_live.app)
    headings = svc._cache[roster.HEADINGS]
    with real_live.app.test_request_context("/"):
        sources = {r["s"]["value"] for r in select("SELECT ?s WHERE { ?s a mg:SourceDocument }")}
    assert set(headings) == sources and len(sources) >= 5
    assert headings["https://w3id.org/mineralgraph/id/source/001"]["id"] == "001"
