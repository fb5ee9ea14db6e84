"""Names valid for a period (issue 20): 特朗普政府 is the first Trump administration in a text of
2017-2024 and the second in one of 2025 on; entries sharing a name with periods that do not meet
need no homonym declaration, overlapping ones still do."""

from __future__ import annotations

import pytest

from seedscope import ROOT
from mineralgraph.build.gazetteer import load_gazetteer
from mineralgraph.build.text import normalise
from mineralgraph.core.dates import parse_date
from mineralgraph.core.errors import InputError
from mineralgraph.core.paths import ProjectPaths
from mineralgraph.pipeline import check_source


def _administrations(gazetteer, text: str, date: str | None) -> list[str]:
    when = parse_date(date) if date else None
    return [m.entity.id for m in gazetteer.find_mentions(normalise(text, "plain", False), when=when)
            if m.entity.id.startswith("trump-administration")]


@pytest.fixture(scope="module")
def gazetteer():
    return load_gazetteer(ROOT / "seeds" / "gazetteer")


@pytest.mark.parametrize("date, expected", [
    ("2018-05-01", "trump-administration-1"),   # in office
    ("2024-02-11", "trump-administration-1"),   # between the two: the latest begun before
    ("2025", "trump-administration-2"),          # the year it took office
    ("2025-10-22", "trump-administration-2"),
])
def test_the_source_date_picks_the_administration(gazetteer, date, expected):
    assert _administrations(gazetteer, "特朗普政府宣布了新的关键矿产政策。", date) == [expected]


def test_without_a_date_the_name_stays_ambiguous(gazetteer):
    assert sorted(_administrations(gazetteer, "特朗普政府宣布了新的关键矿产政策。", None)) == [
        "trump-administration-1", "trump-administration-2"]


def test_002_still_means_the_first_administration():
    """002 is undated (not_before 2023-03-05) and says 自2017年起，特朗普政府连续签署…"""
    asm = check_source(ProjectPaths(ROOT), "002", cross=False).assembly
    ids = {m.entity.id for m in asm.mentions if m.surface == "特朗普政府"}
    assert ids == {"trump-administration-1"}


def _write_two(tmp_path, valid_a: str, valid_b: str):
    (tmp_path / "orgs.yaml").write_text(
        "family: org\nentries:\n"
        f"  - {{id: office-a, en: The Office, zh-Hans: 办公室甲, type: other, valid: {valid_a}}}\n"
        f"  - {{id: office-b, en: Office B, zh-Hans: 办公室乙, variants: [The Office], type: other, valid: {valid_b}}}\n",
        encoding="utf-8")


def test_disjoint_periods_need_no_homonym_declaration(tmp_path):
    _write_two(tmp_path, "{from: 2001, to: 2005}", "{from: 2005-01}")
    gazetteer = load_gazetteer(tmp_path)
    text = normalise("The Office met.", "plain", False)
    assert [m.entity.id for m in gazetteer.find_mentions(text, when=parse_date("2003"))] == ["office-a"]
    assert [m.entity.id for m in gazetteer.find_mentions(text, when=parse_date("2010-06"))] == ["office-b"]


def test_overlapping_periods_are_a_collision(tmp_path):
    _write_two(tmp_path, "{from: 2001, to: 2006}", "{from: 2005}")
    with pytest.raises(InputError, match=r"org 'office-b' and org 'office-a' .* share the name 'The Office'"):
        load_gazetteer(tmp_path)
