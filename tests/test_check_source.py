"""`check-source` runs the checks `build` runs across sources (issue 20): a new source whose figure
is the same statement as a seed's but written differently (two mg:valueText on one statement) is
refused by check-source, naming the statement and the other source, as build would refuse it."""

from __future__ import annotations

import hashlib

from click.testing import CliRunner

from mineralgraph.cli import cli

# Written for the test: IRENA's 2050 renewables share, which 004 gives as "91%".
TEXT = "国际可再生能源机构估计，到2050年可再生能源在能源结构中的占比将达到百分之九十一。\n"
QUOTE = TEXT.strip()


def _add_clashing_source(root, value_text: str) -> str:
    sid = "005"
    data = TEXT.encode("utf-8")
    digest = hashlib.sha256(data).hexdigest()
    (root / "seeds" / f"{sid}_{digest[:16]}.txt").write_bytes(data)
    with (root / "seeds" / "sources.yaml").open("a", encoding="utf-8") as out:
        out.write(f'\n- id: "{sid}"\n  file: {sid}_{digest[:16]}.txt\n  sha256: {digest}\n  title: {{en: IRENA outlook}}\n'
                  "  creator: []\n  publisher: null\n  date: 2025-03-01\n  language: zh-Hans\n  kind: news\n  markup: plain\n")
    (root / "seeds" / "annotations" / f"{sid}.yaml").write_text(
        f'source: "{sid}"\nclaims:\n  - quote: "{QUOTE}"\n    statements:\n'
        "      - statistic: {subject: world, indicator: energy-mix-share, value: 91, unit: percent, target_year: 2050,\n"
        f'                    value_text: "{value_text}", estimated_by: [irena]}}\n', encoding="utf-8")
    return sid


def test_check_source_reports_a_clash_with_another_source(project_copy):
    sid = _add_clashing_source(project_copy, "百分之九十一")
    alone = CliRunner().invoke(cli, ["check-source", "--root", str(project_copy), sid, "--alone"])
    assert alone.exit_code == 0, alone.output  # on its own the source is fine: the clash is across sources
    result = CliRunner().invoke(cli, ["check-source", "--root", str(project_copy), sid])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.startswith(f"source {sid}: Violation")]
    assert len(lines) == 1, result.output
    assert "id:stmt/statistic/" in lines[0] and "energy-mix-share" in lines[0] and "mg:valueText" in lines[0]
    assert lines[0].endswith("(also stated by source 004)")
    assert "build would stop: 1 violation(s) on this source's statements, 0 elsewhere" in result.output
    # and build indeed stops on it
    build = CliRunner().invoke(cli, ["build", "--root", str(project_copy), "-q", "--dry-run"])
    assert build.exit_code == 1 and "mg:valueText" in build.output


def test_check_source_passes_the_cross_source_checks_when_they_hold(project_copy):
    sid = _add_clashing_source(project_copy, "91%")  # the same figure, written as 004 writes it: one statement
    result = CliRunner().invoke(cli, ["check-source", "--root", str(project_copy), sid])
    assert result.exit_code == 0, result.output
    assert "cross-source checks: graph conforms" in result.output
