"""Issue 21, the mechanisms half: a succession with its date and source, roles with their periods,
proposed against final list versions, measures (export controls, stockpiles) as events, and
attendance at a meeting told apart from membership. Four short texts written for the test
(tests/data/succession/sources.yaml) are built on their own, with the project's gazetteer,
ontology, shapes and queries (one small build per module, about 5 s), and read back through the
stored queries and the mechanism page. What each test expects is read from the annotations, not
written twice."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from batch import install_batch, load_batch, served
from seedscope import DATA_DIRS, ROOT
from mineralgraph.core.paths import ProjectPaths
from mineralgraph.pipeline import build
from mineralgraph.store.load import load_dist
from mineralgraph.storedqueries import load_all
from mineralgraph.storedqueries.run import LocalRunner

TEXTS = ROOT / "tests" / "data" / "succession" / "sources.yaml"


def _statements(kind: str) -> list[tuple[str, dict]]:
    """(source id, fields) of every statement of this kind the test texts annotate."""
    return [(src["id"], st[kind]) for src in load_batch(TEXTS)["sources"] for claim in src["claims"]
            for st in claim["statements"] if kind in st]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("succession")
    for d in DATA_DIRS:
        shutil.copytree(ROOT / d, root / d)
    # only the test's texts: the seeds' sources and annotations are left out, their gazetteer kept
    for path in [*(root / "seeds" / "annotations").glob("*.yaml"), *(root / "seeds").glob("*.txt")]:
        path.unlink()
    (root / "seeds" / "sources.yaml").write_text("# the texts of tests/data/succession only\n", encoding="utf-8")
    install_batch(root, TEXTS)
    result = build(ProjectPaths(root))
    assert result.validation.conforms
    return root


@pytest.fixture(scope="module")
def ask(project):
    runner, catalog = LocalRunner(load_dist(project / "dist")), load_all(ROOT / "queries")
    return lambda name, **given: runner.rows(catalog[name], {k: [v] for k, v in given.items()})


@pytest.fixture(scope="module")
def client(project):
    with served(project / "dist") as test_client:
        yield test_client


def test_who_succeeded_whom_since_when_according_to_whom(ask):
    stated = {(f["object"], f["subject"], str(f["since"]), sid) for sid, f in _statements("relation")
              if f["relation"] == "succeeds"}
    assert len({s[2] for s in stated}) == 2  # two sources, two precisions: each keeps its own date
    rows = ask("succession", mechanism="msp")
    assert {(r["predecessorId"], r["successorId"], r["since"], r["sourceId"]) for r in rows} == stated
    assert all(r["quote"] and r["claim"] for r in rows)
    # from the successor's side too
    assert {r["sourceId"] for r in ask("succession", mechanism="FORGE")} == {s[3] for s in stated}


def test_the_roster_matrix_and_the_timeline_say_it_was_succeeded(ask):
    stated = [(f["subject"], str(f["since"]), sid) for sid, f in _statements("relation") if f["relation"] == "succeeds"]
    roster = ask("roster-matrix", mechanism="MSP")
    assert roster and len({r["succeededBy"] for r in roster}) == 1
    for successor, since, sid in stated:
        assert f"{successor} since {since} (source {sid})" in roster[0]["succeededBy"]
    timeline = [r for r in ask("timeline") if r["what"] == "succeeded"]
    assert {(r["mechanismId"], r["successorId"], r["date"], r["sources"]) for r in timeline} == \
        {("msp", successor, since, sid) for successor, since, sid in stated}
    # a source filter keeps only what that source says
    assert {r["sources"] for r in ask("timeline", source="006") if r["what"] == "succeeded"} == {"006"}


def test_the_mechanism_page_says_so_near_its_top(client):
    page = client.get("/id/mechanism/msp", headers={"Accept": "text/html"}).get_data(as_text=True)
    main = page[page.index("<main"):] if "<main" in page else page
    line = re.search(r'<section id="succession".*?</section>', main, re.S)
    assert line, "no succession line on the MSP page"
    text = " ".join(re.sub(r"<[^>]+>", "", line.group(0)).split())
    assert text.startswith("Succeeded by Forum on Resource Geostrategic Engagement since ")
    for sid, f in _statements("relation"):  # each date with the source that gives it
        assert f"since {f['since']} according to source {sid}" in text
    # above the roster and the statements, within the first part of the page
    assert main.index('id="succession"') < main.index('id="roster"') < main.index('id="statements"')
    assert main.index('id="succession"') < len(main) * 0.25
    forge = client.get("/id/mechanism/forge", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Succeeds" in re.sub(r"<[^>]+>", "", re.search(r'<section id="succession".*?</section>', forge, re.S).group(0))
    # a mechanism nobody says was succeeded has no such line
    assert 'id="succession"' not in client.get("/id/mechanism/msp-forum", headers={"Accept": "text/html"}).get_data(as_text=True)


def test_roles_and_memberships_keep_their_periods(ask):
    rows = ask("mechanism-members", mechanism="FORGE")
    got = {(r["memberId"], r.get("role"), r.get("since"), r.get("until"), r["sourceId"]) for r in rows}
    expected = {(m, f.get("role"), str(f["since"]) if "since" in f else None, str(f["until"]), sid)
                for sid, f in _statements("membership") if f["mechanism"] == "forge" for m in f["members"]}
    assert got == expected
    # "Korea chairs FORGE until June 2026" is one statement, supported by both sources
    chair = [r for r in rows if r.get("role") == "chair"]
    assert {r["claim"] for r in chair} and len({r["sourceId"] for r in chair}) == 2
    # the mechanism's history dates the end of the chair's term and the member's leaving
    history = {(r["what"], r.get("other"), r["date"], r["sourceId"]) for r in ask("mechanism-timeline", mechanism="FORGE")}
    for m, role, _since, until, sid in expected:
        assert (f"{role or 'member'} until", m, until, sid) in history


def test_a_draft_list_is_told_apart_from_the_final_one(ask):
    versions = {r["versionId"]: r for r in ask("list-versions")}
    drafts = {f["version"]: f for _, f in _statements("list_version") if f.get("status") == "proposed"}
    assert drafts and {v for v, r in versions.items() if r["status"] == "proposed"} == set(drafts)
    for version, f in drafts.items():
        assert versions[version]["finalVersionId"] == f["final_version"]
        assert versions[f["final_version"]]["status"] == "final"
    evolution = ask("list-evolution", list="us")
    assert {r["versionId"] for r in evolution if r["status"] == "proposed"} == set(drafts)
    # what the draft proposed to drop, and that the final list did not
    proposed = {(m, f["to"]) for _, f in _statements("list_change") if f["to"] in drafts for m in f["removed"]}
    changes = ask("list-changes")
    got = {(r["mineralId"], r["toId"]): r for r in changes if r["status"] == "proposed"}
    assert set(got) == proposed
    assert {r["adopted"] for r in got.values()} == {"not adopted"}
    assert all(r["status"] == "final" for r in changes if r["toId"] not in drafts)


def test_export_controls_and_stockpiles_are_events(ask):
    for sid, f in _statements("event"):
        if f["event"] not in ("export-control", "stockpile"):
            continue
        about = [f["about"]] if isinstance(f["about"], str) else f["about"]
        rows = ask("events", type=f["event"], about=about[0])
        assert len(rows) == 1, (f, rows)
        row = rows[0]
        assert set(row["about"].split()) == set(about) and row["issuers"] == f["issuer"] and row["sourceId"] == sid
        assert row.get("targets", "") == f.get("target", "")


def test_attendance_at_a_meeting_is_not_membership(ask):
    meeting = next(f for _, f in _statements("event") if f.get("attendance"))
    count = next(f for _, f in _statements("member_count") if f["mechanism"] == meeting["about"])
    rows = ask("attendance-and-members", mechanism=meeting["about"])
    attended = [r for r in rows if r["what"] == "attendance"]
    members = [r for r in rows if r["what"] == "member count"]
    assert [(r["count"], r["unit"], r["date"]) for r in attended] == \
        [(str(meeting["attendance"]["count"]), meeting["attendance"]["unit"], str(meeting["date"]))]
    assert [r["count"] for r in members] == [str(count["count"])]
    # the meeting did not become a mechanism, nor its attendance members of the forum
    mechanisms = [set(r.values()) for r in ask("mechanisms")]
    assert any(meeting["about"] in m for m in mechanisms)
    assert not any(r["statement"] in m for r in attended for m in mechanisms)
    named = {r["memberId"] for r in ask("roster-matrix", mechanism=meeting["about"])}
    assert named == {m for _, f in _statements("membership") if f["mechanism"] == meeting["about"] for m in f["members"]}


def test_draft_proposes_successions_terms_and_measures(project):
    """`mineralgraph draft` sees the new kinds where its cues do: a succession's date, a chair and
    its term, a member that left, an export control and a stockpile (drafting/cues.yaml)."""
    from mineralgraph.intake.draft import draft_source

    drafted: dict[str, list[tuple[str, dict]]] = {}
    for src in load_batch(TEXTS)["sources"]:
        for d in draft_source(ProjectPaths(project), src["id"], all_sentences=True)[1]:
            drafted.setdefault(d.quote, []).extend(d.statements)
    keys = {"relation": ("relation", "since"), "membership": ("role", "since", "until"), "event": ("event",)}
    checked = 0
    for src in load_batch(TEXTS)["sources"]:
        for claim in src["claims"]:
            for st in claim["statements"]:
                kind = next(iter(st))
                f = st[kind]
                wanted = {k: str(f[k]) for k in keys.get(kind, ()) if k in f}
                if kind == "event" and f["event"] not in ("export-control", "stockpile"):
                    continue
                if kind not in keys or (kind == "membership" and not ({"role", "until"} & set(f))):
                    continue
                got = [{k: str(v) for k, v in fields.items() if k in wanted} for k2, fields in drafted[claim["quote"]] if k2 == kind]
                assert wanted in got, (claim["quote"], wanted, got)
                checked += 1
    assert checked >= 7


def test_the_add_source_skeleton_shows_the_new_keys_and_they_are_valid():
    """The commented statements of the skeleton `add-source` writes are accepted by the schema as
    they stand, and show a dated succession, a chair's term, a draft list, a measure, an attendance."""
    import json

    import yaml
    from jsonschema import Draft202012Validator

    from mineralgraph.core.yamlio import _LineLoader
    from mineralgraph.intake.addsource import _skeleton

    skeleton = _skeleton("099", "099_x.txt", "a title")
    # dates stay text, as the build's loader reads them (core/yamlio.py)
    examples = [yaml.load(line.split("#", 1)[1].strip()[2:], Loader=_LineLoader)  # noqa: S506
                for line in skeleton.splitlines() if re.match(r"#\s+- \w+: \{", line)]
    schema = json.loads((ROOT / "schemas" / "annotations.schema.json").read_text(encoding="utf-8"))
    document = {"source": "099", "claims": [{"quote": "x", "statements": examples}]}
    assert not list(Draft202012Validator(schema).iter_errors(document))
    shown = {k for e in examples for f in e.values() for k in f}
    assert {"since", "until", "role", "status", "final_version", "issuer", "target", "attendance"} <= shown
