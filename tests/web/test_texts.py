"""Pieces without a server: cutting a source text at claim offsets, quote context, and the
fallback reader of stored-query headers."""
from __future__ import annotations

from mineralgraph.server.web.reading import clean_context
from mineralgraph.storedqueries.catalog import read_headers
from mineralgraph.server.web.texts import Span, context, segments


def _span(a, b):
    return Span(a, b, f"claim-{a}-{b}", f"/id/claim/900/{a}-{b}")


def test_segments_cover_the_text_once_and_know_overlapping_claims():
    text = "0123456789"
    outer, inner, bad = _span(2, 8), _span(4, 6), _span(7, 20)
    segs = segments(text, [inner, outer, bad])  # out-of-range spans are ignored
    assert "".join(s.text for s in segs) == text
    assert [(s.start, s.text) for s in segs] == [(0, "01"), (2, "23"), (4, "45"), (6, "67"), (8, "89")]
    by_start = {s.start: s for s in segs}
    assert by_start[0].covering == [] and by_start[8].covering == []
    assert by_start[2].starting == [outer]
    assert by_start[4].covering == [outer, inner]  # innermost last: its link wins
    assert by_start[4].classes == "claim-2-8 claim-4-6"
    assert by_start[6].covering == [outer]


def test_context_around_a_quote():
    text = "first line\nsecond 日本 line\nthird"
    before, quote, after = context(text, text.index("日本"), text.index("日本") + 2, width=40)
    assert quote == "日本"
    assert before == "second " and after == " line"


def test_context_cut_inside_a_tag_reads_clean():
    # 001 (Epoch Times, HTML): "…矿产安全伙伴关系，以确保\n <ok href="https://www.epochtimes.com/gb/tag/…">\n  稀土\n </ok>"
    # the suffix of a claim ends inside the <ok href="…"> tag, the prefix of the next starts inside one
    assert clean_context('，以确保\n <ok href="https://www.epochtimes.com/gb/tag/%E7%A8') == "，以确保"
    assert clean_context('%E7%89%A9.html">\n  关键矿物\n </ok>\n 供应链\n</h4>\n<p>\n 美国国务院') == "关键矿物供应链美国国务院"
    assert clean_context("ok>\n 供应链") == "供应链"
    # the prefix of 001's claim 2218-2286 as the build stores it: it starts with the tag's last character
    assert clean_context(">\n  关键矿物\n </ok>\n 供应链\n</h4>\n<p>\n ") == "关键矿物供应链"
    # text that merely contains ">" keeps it
    assert clean_context("revenue rose > 5%") == "revenue rose > 5%"
    assert clean_context('a "b" > c') == 'a "b" > c'


def test_fallback_header_reader(tmp_path):
    (tmp_path / "demo.rq").write_text("#+ title: Demo\n#+ description: One\n#+ description: two.\n"
                                      "#+ example: x=1\nSELECT * WHERE { ?s ?p ?o }\n")
    (tmp_path / "rules").mkdir()
    q = read_headers(tmp_path)["demo"]
    assert q.title == "Demo" and q.description == "One two." and q.example_lines == ["x=1"]
    assert "SELECT" in q.text
