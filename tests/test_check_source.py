"""`check-source` runs the checks `build` runs across sources (issue 20): a new source that gives a
list version another source declares a different count for (two mg:declaredCount on one version)
is refused by check-source, naming the version and the other source, as build would refuse it.
A source that words a shared figure differently is no clash (issue 21): its wording stays with its
claim, so check-source and build pass it."""

from __future__ import annotations

import hashlib

from click.testing import CliRunner

from mineralgraph.cli import cli

# Written for the test: IRENA's 2050 renewables share, which 004 gives as "91%"; and the size of
# the 2022 US list, which 002 gives as 50.
TEXT = "国际可再生能源机构估计，到2050年可再生能源在能源结构中的占比将达到百分之九十一。美国2022年关键矿产清单共列出51种矿产。\n"
FIGURE = "国际可再生能源机构估计，到2050年可再生能源在能源结构中的占比将达到百分之九十一。"
LIST = "美国2022年关键矿产清单共列出51种矿产。"


def _add_source(root, value_text: str, declared: int | None = None) -> str:
    sid = "005"
    data = TEXT.encode("utf-8")
    digest = hashlib.sha256(data).hexdigest()
    (root / "seeds" / f"{sid}_{digest[:16]}.txt").write_bytes(data)
    with (root / "seeds" / "sources.yaml").open("a", encoding="utf-8") as out:
        out.write(f'\n- id: "{sid}"\n  file: {sid}_{digest[:16]}.txt\n  sha256: {digest}\n  title: {{en: IRENA outlook}}\n'
                  "  creator: []\n  publisher: null\n  date: 2025-03-01\n  language: zh-Hans\n  kind: news\n  markup: plain\n")
    claims = (f'  - quote: "{FIGURE}"\n    statements:\n'
              "      - statistic: {subject: world, indicator: energy-mix-share, value: 91, unit: percent, target_year: 2050,\n"
              f'                    value_text: "{value_text}", estimated_by: [irena]}}\n')
    if declared is not None:
        claims += (f'  - quote: "{LIST}"\n    statements:\n'
                   f"      - list_version: {{version: us/2022, list: us, year: 2022, declared_count: {declared}, minerals: []}}\n")
    (root / "seeds" / "annotations" / f"{sid}.yaml").write_text(f'source: "{sid}"\nclaims:\n' + claims, encoding="utf-8")
    return sid


def test_check_source_reports_a_clash_with_another_source(project_copy):
    sid = _add_source(project_copy, "91%", declared=51)
    alone = CliRunner().invoke(cli, ["check-source", "--root", str(project_copy), sid, "--alone"])
    assert alone.exit_code == 0, alone.output  # on its own the source is fine: the clash is across sources
    result = CliRunner().invoke(cli, ["check-source", "--root", str(project_copy), sid])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.startswith(f"source {sid}: Violation")]
    assert len(lines) == 1, result.output
    assert "id:list/us/2022" in lines[0] and "mg:declaredCount" in lines[0]
    assert lines[0].endswith("(also stated by source 002)")
    assert "build would stop: 1 violation(s) on this source's statements, 0 elsewhere" in result.output
    # and build indeed stops on it
    build = CliRunner().invoke(cli, ["build", "--root", str(project_copy), "-q", "--dry-run"])
    assert build.exit_code == 1 and "mg:declaredCount" in build.output


def test_check_source_passes_a_figure_worded_differently(project_copy):
    # 004 writes "91%"; this source "百分之九十一": one statement, two wordings, each with its claim
    sid = _add_source(project_copy, "百分之九十一")
    result = CliRunner().invoke(cli, ["check-source", "--root", str(project_copy), sid])
    assert result.exit_code == 0, result.output
    assert "cross-source checks: graph conforms" in result.output
