"""`mineralgraph draft NNN` (issue #10): candidate claims from the text alone, each with a quote the
build can locate, marked `draft: true` and ignored by the build until a person accepts them."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from seedscope import SEED_IDS
from mineralgraph.build.annotations import parse_annotation_file
from mineralgraph.cli import cli
from mineralgraph.intake.draft import draft_source
from mineralgraph.core.paths import ProjectPaths
from mineralgraph.build.quotes import locate
from mineralgraph.build.sources import load_sources
from mineralgraph.build.text import normalise
from mineralgraph.core.yamlio import load_yaml

ROOT = Path(__file__).resolve().parents[1]


def _draft(root, *args):
    return CliRunner().invoke(cli, ["draft", "--root", str(root), *args])


def test_every_draft_quote_is_located_where_it_was_drafted():
    paths = ProjectPaths(ROOT)
    for source in load_sources(paths):
        _, drafts = draft_source(paths, source.id, all_sentences=True)
        if source.id in SEED_IDS:  # the seeds give drafts; a newer text may have nothing to draft
            assert drafts, source.id
        text = normalise(source.text, source.markup, source.pinyin_annotations)
        for d in drafts:
            found = locate(source, text, d.quote, d.occurrence, path="draft", line=None)
            assert (found.a_start, found.a_end) == (d.a_start, d.a_end)


def test_draft_proposes_the_membership_of_an_enumeration():
    # 001: 参与这项矿物安全合作伙伴关系的包括澳大利亚、加拿大、芬兰、法国、德国、日本、韩国、瑞典、英国、美国和欧盟委员会。
    _, drafts = draft_source(ProjectPaths(ROOT), "001", all_sentences=True)
    roster = next(d for d in drafts if d.quote.startswith("参与这项矿物安全合作伙伴关系的包括澳大利亚"))
    assert ("membership", {"mechanism": "msp", "members": "auto", "exhaustive": True}) in roster.statements


def test_draft_marks_an_open_list_and_a_statistic():
    # 000: 欧盟已与澳大利亚、加拿大、芬兰、法国、德国、印度、意大利、日本、韩国、英国和其他国家一起加入了美国领导的“矿产安全伙伴关系”
    _, drafts = draft_source(ProjectPaths(ROOT), "000", all_sentences=True)
    open_roster = [d for d in drafts if ("membership", {"mechanism": "msp", "members": "auto", "exhaustive": False}) in d.statements]
    assert len(open_roster) == 1 and open_roster[0].quote.startswith("欧盟已与澳大利亚、加拿大、芬兰、法国、德国、印度、意大利、日本、韩国、英国和其他国家")
    # 001: 已与美国国防部续签了一项1.2亿美元的合同 — a number with a unit is a statistic to look at
    _, drafts = draft_source(ProjectPaths(ROOT), "001", all_sentences=True)
    assert any(kind == "statistic" and "1.2亿美元" in d.quote for d in drafts for kind, _ in d.statements)


def test_curated_sentences_are_left_out_unless_all():
    paths = ProjectPaths(ROOT)
    _, new_only = draft_source(paths, "001")
    _, everything = draft_source(paths, "001", all_sentences=True)
    assert len(new_only) < len(everything)
    assert not any(d.quote.startswith("参与这项矿物安全合作伙伴关系的包括") for d in new_only)


def test_written_drafts_are_ignored_by_the_build_until_accepted(project_copy):
    before = CliRunner().invoke(cli, ["check-source", "--root", str(project_copy), "001"])
    assert before.exit_code == 0
    result = _draft(project_copy, "001", "--all", "--write")
    assert result.exit_code == 0, result.output
    draft_file = project_copy / "seeds" / "annotations" / "001-draft.yaml"
    data = load_yaml(draft_file)
    assert data["claims"] and all(c["draft"] is True for c in data["claims"])
    assert parse_annotation_file(draft_file).claims == []
    after = CliRunner().invoke(cli, ["check-source", "--root", str(project_copy), "001"])
    assert after.output == before.output, "drafts add nothing until accepted"
    # writing again would overwrite a curator's work in progress
    again = _draft(project_copy, "001", "--write")
    assert again.exit_code == 2 and "001-draft.yaml: already exists" in again.output
    # accepting a draft whose statement still has a "?" is refused, naming the line
    text = draft_file.read_text(encoding="utf-8")
    i = text.index('"?"', text.index("claims:"))
    j = text.rindex("    draft: true\n", 0, i)
    accepted = text[:j] + text[j + len("    draft: true\n"):]
    draft_file.write_text(accepted, encoding="utf-8")
    refused = CliRunner().invoke(cli, ["check-source", "--root", str(project_copy), "001"])
    assert refused.exit_code == 2 and "001-draft.yaml:" in refused.output and "'?'" in refused.output
