"""`mineralgraph add-source` (issue #10): a sixth source added to a copy of the project with the
command, one gazetteer entry and one annotation file reaches the stored queries."""

from __future__ import annotations

import hashlib

import pytest
from click.testing import CliRunner

from mineralgraph.cli import cli
from mineralgraph.core.paths import ProjectPaths
from mineralgraph.build.sources import load_sources

# A short news item written for the test; the mechanism is new to the gazetteer.
TEXT = "关键矿产买家俱乐部\n\n据报道，2025年3月，印度、新西兰和智利宣布加入关键矿产买家俱乐部。\n"
QUOTE = "2025年3月，印度、新西兰和智利宣布加入关键矿产买家俱乐部。"


def _next_id(root) -> str:
    return f"{max(int(s.id) for s in load_sources(ProjectPaths(root))) + 1:03d}"


def _add(root, document, source_id, *extra):
    return CliRunner().invoke(cli, ["add-source", "--root", str(root), str(document), "--id", source_id,
                                    "--date", "2025-03", "--title", "关键矿产买家俱乐部扩员", "--publisher", "rfi", *extra])


@pytest.fixture
def document(tmp_path):
    path = tmp_path / "incoming" / "buyers-club.txt"
    path.parent.mkdir()
    path.write_bytes(TEXT.encode("utf-8"))
    return path


def test_add_source_copies_bytes_appends_entry_and_keeps_comments(project_copy, document):
    sources_yaml = project_copy / "seeds" / "sources.yaml"
    before = sources_yaml.read_text(encoding="utf-8")
    sid = _next_id(project_copy)
    result = _add(project_copy, document, sid, "--url", "https://example.org/buyers-club")
    assert result.exit_code == 0, result.output
    digest = hashlib.sha256(document.read_bytes()).hexdigest()
    copied = project_copy / "seeds" / f"{sid}_{digest[:16]}.txt"
    assert copied.read_bytes() == document.read_bytes()
    after = sources_yaml.read_text(encoding="utf-8")
    assert after.startswith(before.rstrip("\n")), "the existing entries and comments are untouched"
    new = {s.id: s for s in load_sources(ProjectPaths(project_copy))}[sid]
    assert (new.file, new.sha256, new.date, new.publisher, new.url) == (
        copied.name, digest, "2025-03", {"org": "rfi"}, "https://example.org/buyers-club")
    skeleton = (project_copy / "seeds" / "annotations" / f"{sid}.yaml").read_text(encoding="utf-8")
    assert f'source: "{sid}"' in skeleton


def test_add_source_refuses_existing_id_file_and_document(project_copy, document):
    existing = load_sources(ProjectPaths(project_copy))[-1]
    sources_before = (project_copy / "seeds" / "sources.yaml").read_bytes()
    result = _add(project_copy, document, existing.id)
    assert result.exit_code == 2 and f"source {existing.id} already exists" in result.output
    # the same bytes as an existing source, under a new id
    result = _add(project_copy, existing.path, _next_id(project_copy))
    assert result.exit_code == 2 and f"this file is already source {existing.id}" in result.output
    # an annotation file already waiting under the new id
    sid = _next_id(project_copy)
    (project_copy / "seeds" / "annotations" / f"{sid}.yaml").write_text(f'source: "{sid}"\nclaims: []\n', encoding="utf-8")
    result = _add(project_copy, document, sid)
    assert result.exit_code == 2 and f"{sid}.yaml: already exists" in result.output
    result = CliRunner().invoke(cli, ["add-source", "--root", str(project_copy), str(document), "--id", "7",
                                      "--date", "2025-02-30", "--title", "t", "--publisher", "rfi"])
    assert result.exit_code == 2
    assert (project_copy / "seeds" / "sources.yaml").read_bytes() == sources_before
    assert not list((project_copy / "seeds").glob(f"{sid}_*.txt"))


@pytest.mark.slow
def test_a_sixth_source_reaches_the_stored_queries(project_copy, document):
    from mineralgraph.store.load import load_dist
    from mineralgraph.storedqueries import load_all
    from mineralgraph.storedqueries.run import LocalRunner

    sid = _next_id(project_copy)
    assert _add(project_copy, document, sid).exit_code == 0
    # one gazetteer entry for the new name
    mechanisms = project_copy / "seeds" / "gazetteer" / "mechanisms.yaml"
    mechanisms.write_text(mechanisms.read_text(encoding="utf-8").rstrip("\n") + """
  - id: critical-minerals-buyers-club
    en: Critical Minerals Buyers Club
    zh-Hans: 关键矿产买家俱乐部
    form: club
""", encoding="utf-8")
    # one annotation
    annotation = project_copy / "seeds" / "annotations" / f"{sid}.yaml"
    annotation.write_text(annotation.read_text(encoding="utf-8").replace("claims: []", f"""claims:
  - quote: "{QUOTE}"
    as_of: 2025-03
    statements:
      - membership: {{mechanism: critical-minerals-buyers-club, members: auto, exhaustive: true}}
"""), encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", "--root", str(project_copy), "--quiet"])
    assert result.exit_code == 0, result.output

    runner = LocalRunner(load_dist(project_copy / "dist"))
    query = load_all(project_copy / "queries")["mechanism-members"]
    got = runner.rows(query, {"mechanism": ["critical-minerals-buyers-club"], "source": [sid]})
    assert {r["memberId"] for r in got} == {"IND", "NZL", "CHL"}
    assert {(r["sourceId"], r["asOf"], r["complete"], r["quote"]) for r in got} == {(sid, "2025-03", "true", QUOTE)}
    start, end = int(got[0]["start"]), int(got[0]["end"])
    assert TEXT[start:end] == QUOTE
    sources = runner.rows(load_all(project_copy / "queries")["sources"], {})
    assert sid in {r["sourceId"] for r in sources}


def test_add_source_takes_authors_and_an_undated_source(project_copy, document):
    """Issue 20: authors (--author, repeatable, in order) and an undated text (--not-before instead
    of --date), both read back by the build's own loader."""
    sid = _next_id(project_copy)
    result = CliRunner().invoke(cli, ["add-source", "--root", str(project_copy), str(document), "--id", sid,
                                      "--not-before", "2025-03", "--title", "关键矿产买家俱乐部扩员", "--publisher",
                                      "rfi", "--author", "王杰鋒", "--author", "Jane Doe"])
    assert result.exit_code == 0, result.output
    new = {s.id: s for s in load_sources(ProjectPaths(project_copy))}[sid]
    assert (new.creator, new.date, new.not_before) == (["王杰鋒", "Jane Doe"], None, "2025-03")
    # the build describes it: dcterms:creator for each author, mg:notBefore and no date
    result = CliRunner().invoke(cli, ["check-source", "--root", str(project_copy), sid, "--alone", "--show"])
    assert result.exit_code == 0, result.output
    assert '"Jane Doe"' in result.output and '"王杰鋒"' in result.output and "mg:notBefore" in result.output
    assert "dcterms:date" not in result.output and "dcterms:issued" not in result.output


def test_add_source_wants_one_of_date_and_not_before(project_copy, document):
    sources_before = (project_copy / "seeds" / "sources.yaml").read_bytes()
    base = ["add-source", "--root", str(project_copy), str(document), "--id", _next_id(project_copy),
            "--title", "t", "--publisher", "rfi"]
    for extra in ([], ["--date", "2025-03", "--not-before", "2025-03"]):
        result = CliRunner().invoke(cli, base + extra)
        assert result.exit_code == 2 and "either --date" in result.output, result.output
    result = CliRunner().invoke(cli, base + ["--not-before", "2025-13"])
    assert result.exit_code == 2 and "--not-before '2025-13' is not a date" in result.output
    assert (project_copy / "seeds" / "sources.yaml").read_bytes() == sources_before


def test_sources_schema_wants_not_before_for_an_undated_source(project_copy):
    sources_yaml = project_copy / "seeds" / "sources.yaml"
    text = sources_yaml.read_text(encoding="utf-8")
    broken = text.replace("  not_before: 2023-03-05", "  # not_before removed")
    assert broken != text
    sources_yaml.write_text(broken, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check-source", "--root", str(project_copy), "002", "--alone"])
    assert result.exit_code == 2 and "not_before" in result.output and "sources.yaml" in result.output, result.output
