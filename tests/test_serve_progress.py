"""`mineralgraph serve` on a fresh checkout builds first and says so, step by step (issue #10)."""

from __future__ import annotations

from click.testing import CliRunner

from mineralgraph.cli import cli


def test_serve_builds_first_with_progress(project_copy, monkeypatch):
    from mineralgraph.server.command import resolve_dist

    monkeypatch.setenv("MINERALGRAPH_ROOT", str(project_copy))
    seen: list[str] = []
    dist = resolve_dist(None, build=True, progress=seen.append)
    assert dist == project_copy / "dist" and (dist / "manifest.json").is_file()
    assert seen[0] == "dist/ is missing or older than its inputs: building it first"
    assert "reading sources (sha256 verified) …" in seen and "writing dist/ …" in seen
    # fresh now: served as it is, without a word
    seen.clear()
    assert resolve_dist(None, build=True, progress=seen.append) == dist and seen == []


def test_serve_stops_on_bad_input_like_build(project_copy, monkeypatch):
    monkeypatch.setenv("MINERALGRAPH_ROOT", str(project_copy))
    ann = project_copy / "seeds" / "annotations" / "001.yaml"
    ann.write_text(ann.read_text(encoding="utf-8").replace("exhaustive: true", "exhaustiv: true", 1), encoding="utf-8")
    result = CliRunner().invoke(cli, ["serve", "--port", "18450"])
    assert result.exit_code == 2
    assert "] dist/ is missing or older than its inputs: building it first" in result.output
    assert "] reading sources (sha256 verified) …" in result.output
    assert "001.yaml:" in result.output and "unknown key 'exhaustiv'" in result.output
    assert not (project_copy / "dist").exists()
