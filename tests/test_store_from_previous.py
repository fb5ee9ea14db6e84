"""A new build is loaded on disk from the last build's store and the graphs that changed
(store/load.py from_previous): the store it gives holds exactly what loading the whole dump
gives, and when the two builds' record of their graphs cannot be trusted, the count check
sends it back to the whole load."""
from __future__ import annotations

import json
import logging
import shutil

import pytest
import yaml

from mineralgraph.core.paths import ProjectPaths
from mineralgraph.pipeline import build
from mineralgraph.publish.dist import BLOCKS, NQUADS
from mineralgraph.store.load import from_previous, load_dist, marker_of
from mineralgraph.store.ondisk import StoreDirectory
from seedscope import ROOT

FROM_PREVIOUS = "loaded from the store of the last build"


@pytest.fixture
def project(project_copy, monkeypatch):
    # on the seeds a source and graph/inferred and graph/derived are over DELTA_SHARE of the dump
    # (which decides only which way is quicker): allowed here, to compare the two ways
    monkeypatch.setattr("mineralgraph.store.load.DELTA_SHARE", 1.0)
    paths = ProjectPaths(project_copy)
    paths.cache.mkdir()
    for entry in (ROOT / ".mineralgraph-cache").glob("[!.]*.*"):  # a warm cache, as in test_incremental
        try:
            shutil.copy2(entry, paths.cache / entry.name)
        except (FileNotFoundError, IsADirectoryError):
            pass
    return paths


def _take_out_last_source(paths: ProjectPaths, aside) -> None:
    seeds = paths.root / "seeds"
    entries = yaml.safe_load((seeds / "sources.yaml").read_text(encoding="utf-8"))
    last = entries.pop()
    aside.mkdir()
    shutil.copy2(seeds / "sources.yaml", aside / "sources.yaml")
    shutil.move(seeds / last["file"], aside / "text")
    for ann in (seeds / "annotations").glob(f"{last['id']}*.yaml"):
        if ann.stem.split("-", 1)[0] == str(last["id"]):
            shutil.move(ann, aside / ann.name)
    (seeds / "sources.yaml").write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (aside / "file").write_text(last["file"], encoding="utf-8")


def _put_back(paths: ProjectPaths, aside) -> None:
    seeds = paths.root / "seeds"
    shutil.move(aside / "text", seeds / (aside / "file").read_text(encoding="utf-8"))
    for ann in aside.glob("*.yaml"):
        if ann.name != "sources.yaml":
            shutil.move(ann, seeds / "annotations" / ann.name)
    shutil.copy2(aside / "sources.yaml", seeds / "sources.yaml")


def _quads(store) -> set:
    return set(store)


def test_a_build_loads_from_the_last_builds_store_and_holds_what_a_whole_load_gives(project, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="mineralgraph.store")
    build(project)
    root = StoreDirectory(tmp_path / "stores")
    first, _manifest, first_path = root.load(project.dist)
    assert FROM_PREVIOUS not in caplog.text  # nothing to start from
    del first

    # a source taken out: its graph leaves, and the union loses what only it said
    _take_out_last_source(project, tmp_path / "aside")
    build(project)
    caplog.clear()
    fewer, _manifest, fewer_path = root.load(project.dist)
    assert FROM_PREVIOUS in caplog.text and fewer_path != first_path
    assert _quads(fewer) == _quads(load_dist(project.dist))
    del fewer

    # and put back, from the store without it (the first build's store let go and removed)
    root.release_all_but(fewer_path)
    assert not first_path.exists()
    _put_back(project, tmp_path / "aside")
    build(project)
    caplog.clear()
    again, _manifest, again_path = root.load(project.dist)
    assert FROM_PREVIOUS in caplog.text
    whole = load_dist(project.dist)
    assert _quads(again) == _quads(whole) and len(whole) > 40_000


def test_a_wrong_record_of_the_last_builds_graphs_falls_back_to_the_whole_load(project, tmp_path, caplog):
    """The last store's record says its graphs are the new build's (they are not: a source was
    taken out since): nothing is changed, the store is a source short of the manifest's counts,
    and the whole dump is loaded instead."""
    caplog.set_level(logging.INFO, logger="mineralgraph.store")
    build(project)
    root = StoreDirectory(tmp_path / "stores")
    _store, _manifest, first_path = root.load(project.dist)
    del _store
    _take_out_last_source(project, tmp_path / "aside")
    build(project)
    manifest = json.loads((project.dist / "manifest.json").read_text(encoding="utf-8"))
    blocks = manifest["files"][NQUADS][BLOCKS]
    marker = marker_of(first_path)
    record = json.loads(marker.read_text())
    record[BLOCKS] = {g: b[2] for g, b in blocks.items()}  # "the same graphs", and no more
    marker.write_text(json.dumps(record))

    assert from_previous(first_path, project.dist / NQUADS, manifest, tmp_path / "attempt") is None
    assert not (tmp_path / "attempt").exists()
    assert "did not work" in caplog.text
    caplog.clear()
    store, _manifest, _path = root.load(project.dist)
    assert FROM_PREVIOUS not in caplog.text  # the whole dump, loaded
    assert _quads(store) == _quads(load_dist(project.dist))


def test_a_value_that_left_every_graph_leaves_the_union_on_disk(tmp_path):
    """A graph's count goes from 1791 to 1800: the union keeps 1800 only. On disk, pyoxigraph
    0.5.13's quads_for_pattern asked for (s, count, 1791) also gave the quads of 1800, which made
    1800's graph look like a holder of 1791 (the union then kept both); the holders found are
    compared again."""
    from mineralgraph.store.load import _apply_changes
    import pyoxigraph as ox

    integer = "<http://www.w3.org/2001/XMLSchema#integer>"
    line = '<https://example.org/s> <https://example.org/count> "{}"^^' + integer + " {}.\n"
    store = ox.Store(str(tmp_path / "store"))
    graph = "https://example.org/graph/derived"
    store.bulk_load((line.format(1791, f"<{graph}> ") + line.format(1791, "")).encode(), format=ox.RdfFormat.N_QUADS)
    dump = tmp_path / "new.nq"
    dump.write_bytes(line.format(1800, f"<{graph}> ").encode())
    _apply_changes(store, dump, [graph], {graph: "old"}, {graph: [0, dump.stat().st_size, "new"]})
    union = {str(q.object) for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    assert union == {f'"1800"^^{integer}'}
