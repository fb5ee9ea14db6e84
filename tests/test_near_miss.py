"""A quote that is not in its source is refused with the passage it nearly matches: the closest
passage of the source, its offsets in the original file and the characters that differ (issue #10)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mineralgraph.core.errors import InputError
from mineralgraph.core.paths import ProjectPaths
from mineralgraph.build.quotes import locate
from mineralgraph.build.sources import load_sources
from mineralgraph.build.text import normalise
from test_build_inputs import _assert_dist_unchanged, _build, _fake_previous_dist

ROOT = Path(__file__).resolve().parents[1]
SOURCES = {s.id: s for s in load_sources(ProjectPaths(ROOT))}


def _miss(sid: str, quote: str) -> str:
    src = SOURCES[sid]
    with pytest.raises(InputError) as err:
        locate(src, normalise(src.text, src.markup, src.pinyin_annotations), quote, None, path="x.yaml", line=1)
    return str(err.value)


def _offsets(message: str) -> tuple[int, int]:
    start, end = re.search(r"closest passage \(\d+% alike\) at (\d+)-(\d+)", message).groups()
    return int(start), int(end)


def test_one_wrong_character_names_the_passage_and_the_character():
    # 001: 美国国务院日前宣布，美国与主要伙伴国家建立了矿产安全伙伴关系
    real = "美国国务院日前宣布，美国与主要伙伴国家建立了矿产安全伙伴关系"
    message = _miss("001", real.replace("宣布", "宣怖"))
    start, end = _offsets(message)
    assert SOURCES["001"].text[start:end] == real
    assert "the quote has '怖' where the source has '布' (quote character 9)" in message


def test_a_different_name_of_another_length():
    # 001: 参与这项矿物安全合作伙伴关系的包括澳大利亚、加拿大…; the quote says 奥地利 (Austria)
    real = "参与这项矿物安全合作伙伴关系的包括澳大利亚、加拿大、芬兰"
    message = _miss("001", real.replace("澳大利亚", "奥地利"))
    start, end = _offsets(message)
    assert SOURCES["001"].text[start:end] == real
    assert "'奥地' where the source has '澳大'" in message and "the source has '亚' that the quote lacks" in message


def test_offsets_point_into_the_original_of_a_traditional_source_with_pinyin_glosses():
    # 002 is Traditional with (pīnyīn) glosses; the quote is written in Simplified, one number wrong
    message = _miss("002", "之后每4年更新一次,总体呈现出稳定扩列趋势")
    start, end = _offsets(message)
    original = SOURCES["002"].text[start:end]
    # the original span, verbatim, glosses included (the source itself writes 之后 here)
    assert original == "之后每3年更新一次,總體呈現(xiàn)出穩(wěn)定擴(kuò)列趨勢"
    assert "the quote has '4' where the source has '3'" in message


def test_nothing_alike_says_so():
    assert "no passage of the source resembles it" in _miss("003", "Lorem ipsum dolor sit amet")


def test_build_shows_the_near_miss_and_leaves_dist(project_copy):
    before = _fake_previous_dist(project_copy)
    ann = project_copy / "seeds" / "annotations" / "001.yaml"
    ann.write_text(ann.read_text(encoding="utf-8").replace("美国国务院日前宣布", "美国国务院日前宣怖", 1), encoding="utf-8")
    result = _build(project_copy)
    assert result.exit_code == 2
    assert "001.yaml:7: quote not found" in result.output and "closest passage (97% alike) at" in result.output
    assert "the quote has '怖' where the source has '布'" in result.output
    _assert_dist_unchanged(project_copy, before)
