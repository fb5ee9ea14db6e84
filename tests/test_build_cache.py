"""The build cache's entries: the N-Triples of a unit, its report, its line count, and the same
lines as N-Quads in the unit's graph, which dist/ copies (build/cache.py, publish/dist.py)."""

from __future__ import annotations

import hashlib

from mineralgraph.build.cache import BuildCache
from mineralgraph.build.sourcegraphs import GraphChunk
from mineralgraph.core.ntriples import in_graph
from mineralgraph.publish.dist import BLOCKS, NQUADS, write_dumps

DATA = (b'<https://example.org/a> <https://example.org/p> "one .\\n two" .\n'
        b'<https://example.org/b> <https://example.org/p> <https://example.org/c> .\n')
GRAPH = "https://example.org/graph/one"


def test_an_entry_keeps_its_lines_as_n_quads_and_dist_copies_them(tmp_path):
    cache = BuildCache(tmp_path / "cache")
    put = cache.put("source-1", "k" * 64, DATA, {"claims": 2}, GRAPH)
    got = cache.get("source-1", "k" * 64)
    assert got == put and got.lines == 2 and got.report == {"claims": 2}
    assert got.nquads.read_bytes() == in_graph(DATA, GRAPH) == (
        b'<https://example.org/a> <https://example.org/p> "one .\\n two" <https://example.org/graph/one> .\n'
        b'<https://example.org/b> <https://example.org/p> <https://example.org/c> <https://example.org/graph/one> .\n')

    # dist/ from the cached N-Quads and from the N-Triples alone: the same bytes, described as written
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    copied = write_dumps([GraphChunk.cached_entry(GRAPH, got, cached=True)], tmp_path / "a", all_dumps=False)
    made = write_dumps([GraphChunk(GRAPH, path=got.ntriples)], tmp_path / "b", all_dumps=False)
    nq = (tmp_path / "a" / NQUADS).read_bytes()
    assert nq == (tmp_path / "b" / NQUADS).read_bytes()
    # where the graph's lines are, and a version id of them: the cache file's name when copied
    # from it, else their hash (two ids for the same lines only make a later load redo the graph)
    blocks = {way: files[NQUADS].pop(BLOCKS) for way, files in (("copied", copied), ("made", made))}
    assert blocks["copied"] == {GRAPH: [0, len(nq), f"{got.nquads.name}:{len(nq)}"]}
    assert blocks["made"] == {GRAPH: [0, len(nq), hashlib.sha256(nq).hexdigest()[:32]]}
    assert copied == made and copied[NQUADS] == {"bytes": len(nq), "sha256": hashlib.sha256(nq).hexdigest()}


def test_a_damaged_or_missing_n_quads_file_is_not_used(tmp_path):
    cache = BuildCache(tmp_path)
    entry = cache.put("source-1", "k" * 64, DATA, {}, GRAPH)
    entry.nquads.write_bytes(in_graph(DATA, GRAPH)[:-10])  # cut short
    assert cache.get("source-1", "k" * 64).nquads is None
    entry.nquads.unlink()
    again = cache.get("source-1", "k" * 64)
    assert again.nquads is None and again.ntriples.read_bytes() == DATA
    assert GraphChunk.cached_entry(GRAPH, again, cached=True).triple_count() == 2
    # an entry stored without a graph has no N-Quads; a new entry of the unit replaces the old files
    plain = cache.put("source-1", "j" * 64, DATA, {})
    assert plain.nquads is None and sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [plain.ntriples.name, plain.ntriples.with_suffix(".json").name])
