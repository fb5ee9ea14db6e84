"""Normalisation keeps a map back to the original: whatever is found in the analysis text is
reported at its place in the untouched source."""

from __future__ import annotations

from mineralgraph.core.paths import ProjectPaths
from mineralgraph.build.sources import load_sources
from mineralgraph.build.text import normalise, to_simplified

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


def _source(sid):
    return next(s for s in load_sources(ProjectPaths(ROOT)) if s.id == sid)


def test_pinyin_glosses_removed_and_mapped_back():
    src = _source("002")
    text = normalise(src.text, src.markup, src.pinyin_annotations)
    assert "(guān)" in src.text and "(guān)" not in text.clean
    i = text.simplified.index("关键矿产战略")
    start, end = text.original_span(i, i + len("关键矿产战略"))
    # the original span still carries the glosses, verbatim
    assert src.text[start:end] == "關(guān)鍵礦產(chǎn)戰(zhàn)略"


def test_wiki_markup_stripped():
    src = _source("003")
    text = normalise(src.text, src.markup)
    assert "[[zh:" not in text.clean
    i = text.clean.index("中共国控制全球60%的产量")
    start, end = text.original_span(i, i + len("中共国控制全球60%的产量"))
    # the span runs from the first kept character; markup inside it stays, verbatim
    assert src.text[start:end] == "中共国]]控制全球60%的产量"


def test_html_tags_and_layout_whitespace_dropped():
    src = _source("001")
    text = normalise(src.text, src.markup)
    # in the original, 稀土 sits inside an <ok href=…> tag spread over several lines
    assert "以确保稀土、锂等关键矿物供应链安全" in text.clean
    assert "<ok" not in text.clean and "href" not in text.clean


def test_every_analysis_character_comes_from_the_original():
    for src in load_sources(ProjectPaths(ROOT)):
        text = normalise(src.text, src.markup, src.pinyin_annotations)
        assert len(text.clean) == len(text.simplified) == len(text.origin)
        assert list(text.origin) == sorted(text.origin), "offsets increase monotonically"
        for i in range(0, len(text.clean), 97):
            ch = text.clean[i]
            if not ch.isspace():
                assert src.text[text.origin[i]] == ch


def test_traditional_to_simplified_keeps_length():
    assert to_simplified("礦產安全伙伴關系") == "矿产安全伙伴关系"
    assert to_simplified("剛果(金)") == "刚果(金)"
