"""Automated extraction from structured text: Table 1 of 004 and compound party names."""

from __future__ import annotations

from mineralgraph.build.extract.enumeration import chinese_number
from mineralgraph.build.extract.table import find_tables
from mineralgraph.core.paths import ProjectPaths
from mineralgraph.build.sources import load_sources

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]

KINDS = {"双边机制", "小多边机制", "全球性多边机制"}


def _table():
    src = next(s for s in load_sources(ProjectPaths(ROOT)) if s.id == "004")
    tables = find_tables(src.text, KINDS)
    assert len(tables) == 1
    return src, tables[0]


def test_table1_has_all_33_rows_with_kind_and_year():
    _, rows = _table()
    assert len(rows) == 33
    by_kind = {}
    for r in rows:
        by_kind.setdefault(r.type_label, []).append(r)
    assert {k: len(v) for k, v in by_kind.items()} == {"双边机制": 17, "小多边机制": 8, "全球性多边机制": 8}
    first, last = rows[0], rows[-1]
    assert (first.name, first.abbreviation, first.year) == ("美欧能源理事会", "EC", "2009")
    assert (last.name, last.abbreviation, last.year) == ("全球基础设施投资伙伴协定", "PGII", "2022")


def test_table1_irregular_rows():
    src, rows = _table()
    by_name = {r.name: r for r in rows}
    # no abbreviation cell
    assert by_name["美蒙关键矿产合作备忘录"].abbreviation is None and by_name["美蒙关键矿产合作备忘录"].year == "2023"
    # the row that lost its leading tab is still a bilateral row
    argentina = by_name["美阿能源安全对话"]
    assert (argentina.type_label, argentina.year) == ("双边机制", "2024")
    # an abbreviation with a space, one with lower case
    assert by_name["美巴关键矿产工作组"].abbreviation == "USBCM WG"
    assert by_name["印美关键新兴技术倡议"].abbreviation == "iCET"
    # offsets point at the row, verbatim
    for r in rows:
        assert src.text[r.line_start : r.line_end] == r.text


def test_chinese_numbers():
    assert [chinese_number(t) for t in ("五", "七", "十", "十四", "二十", "35")] == [5, 7, 10, 14, 20, 35]
