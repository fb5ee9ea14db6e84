"""The incremental build: what the last build left in .mineralgraph-cache/state, brought up to
date with the source graphs that changed, so a one-edit rebuild costs what changed.

The state (read only when complete; state.json says so and is written last):
- build.store/  on disk: the union of the data graphs as its default graph (what a clean build's
  store holds before reasoning), the ontology in its named graph, and every data graph in a named
  graph of its own, so that a triple leaves the union only when no graph holds it any longer;
- work.store/   the reasoner's work store on disk (reason/reasoner.py infer_work), which
  reason/delta.py updates from the lines that entered and left the reasoned input;
- inferred.nt, derived.nt  the last build's graph/inferred and graph/derived;
- graphs/       hard links to each data graph's cache file as it was (the cache removes an entry
  when its source changes; the link keeps the old lines to compare with);
- state.json    what the stores hold (config key, graph -> file). It is removed before the stores
  change and written once they agree again, so a build killed half-way, or one that stopped
  before its stores were consistent, leaves no state.json: the next build is a clean one.

Queries over the whole graph run about 4x slower on the store on disk than in memory (all of
validation at 200 sources: 106 s against 23 s, measured), so derivation and validation run on a
copy in memory (`in_memory`), still cheaper than loading every source graph again.

Anything else changed (ontology, shapes, rules, checks, gazetteer, this package's code) changes
the config key: a clean build.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from pathlib import Path

import pyoxigraph as ox

from .build.cache import code_digest, digest, files_digest
from .build.sourcegraphs import GraphChunk
from .build.workstore import BuildStore
from .core.namespaces import DERIVED_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH
from .reason.delta import infer_delta
from .reason.owl2rl import generate
from .reason.reasoner import InputSplit, _refuse_schema_in_data, skipped_subjects

STATE = "state"
SYSTEM_GRAPHS = {str(ONTOLOGY_GRAPH), str(INFERRED_GRAPH), str(DERIVED_GRAPH)}


class NeedsClean(Exception):
    """The change cannot be applied to the last build's state: build from scratch."""


def config_key(paths) -> str:
    """Everything but the sources and annotations that the stores depend on."""
    return digest(code_digest(), *(files_digest(sorted(d.rglob(pattern)))
                                   for d, pattern in ((paths.ontology, "*.ttl"), (paths.shapes, "*.ttl"),
                                                      (paths.rules, "*.rq"), (paths.checks, "*.rq"),
                                                      (paths.gazetteer, "*.yaml"))))


def _state_dir(paths) -> Path:
    return paths.cache / STATE


def load_state(paths) -> dict | None:
    """The last build's state if complete and made under the same configuration, else None."""
    try:
        state = json.loads((_state_dir(paths) / "state.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or state.get("config") != config_key(paths):
        return None
    d = _state_dir(paths)
    if not (d / "build.store").is_dir() or not (d / "work.store").is_dir():
        return None
    if any(not (d / "graphs" / f).is_file() for f in state.get("graphs", {}).values()):
        return None
    return state


def invalidate(paths) -> None:
    """The state no longer describes its stores (they are about to change)."""
    (_state_dir(paths) / "state.json").unlink(missing_ok=True)


def _data_chunks(chunks) -> list:
    return [c for c in chunks if c.graph not in SYSTEM_GRAPHS]


def _link_graphs(paths, chunks) -> dict[str, str]:
    """graphs/: a hard link to each data graph's file (written out if held in memory)."""
    d = _state_dir(paths) / "graphs"
    new = Path(str(d) + ".new")
    shutil.rmtree(new, ignore_errors=True)
    new.mkdir(parents=True)
    out = {}
    for i, c in enumerate(_data_chunks(chunks)):
        name = f"{i:05d}.nt"
        if c.path is not None:
            try:
                os.link(c.path, new / name)
            except OSError:
                shutil.copyfile(c.path, new / name)
        else:
            (new / name).write_bytes(c.data)
        out[c.graph] = name
    shutil.rmtree(d, ignore_errors=True)
    os.rename(new, d)
    return out


def _write_state(paths, chunks) -> None:
    graphs = _link_graphs(paths, chunks)
    files = {g: _file_id(c) for g, c in ((c.graph, c) for c in _data_chunks(chunks))}
    state = {"config": config_key(paths), "graphs": graphs, "files": files}
    tmp = _state_dir(paths) / ".state.json.tmp"
    tmp.write_text(json.dumps(state), encoding="utf-8")
    os.replace(tmp, _state_dir(paths) / "state.json")  # last: the state counts once this exists


def _file_id(chunk) -> str:
    """What identifies a data graph's content: its cache file name (keyed by its inputs' hash)."""
    return chunk.path.name if chunk.path is not None else digest(chunk.data)


def start_clean(paths, bstore: BuildStore) -> None:
    """A clean build's store before reasoning (the union and the ontology) dumped into a new state
    directory, to be the store on disk once the build has got through (save_clean)."""
    d = _state_dir(paths)
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    bstore.store.dump(output=str(d / "union.nq"), format=ox.RdfFormat.N_QUADS)


def save_clean(paths, work: ox.Store, chunks, inferred: GraphChunk, derived: GraphChunk) -> None:
    """The state after a clean build: the store on disk made from what start_clean dumped, with
    every data graph also named; the reasoner's work store on disk."""
    d = _state_dir(paths)
    disk = ox.Store(str(d / "build.store"))
    disk.bulk_load(path=str(d / "union.nq"), format=ox.RdfFormat.N_QUADS, lenient=True)
    for c in _data_chunks(chunks):
        if c.path is not None:
            disk.bulk_load(path=str(c.path), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(c.graph), lenient=True)
        else:
            disk.bulk_load(c.data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(c.graph), lenient=True)
    disk.flush()
    del disk
    (d / "union.nq").unlink()
    wdisk = ox.Store(str(d / "work.store"))
    wdisk.bulk_load(work.dump(format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS, lenient=True)
    wdisk.flush()
    del wdisk
    _write_graph_files(paths, inferred, derived)
    _write_state(paths, chunks)


def _write_graph_files(paths, inferred: GraphChunk, derived: GraphChunk) -> None:
    for c, name in ((inferred, "inferred.nt"), (derived, "derived.nt")):
        tmp = _state_dir(paths) / f".{name}.tmp"
        tmp.write_bytes(c.data)
        os.replace(tmp, _state_dir(paths) / name)


class Incremental:
    """The last build's stores opened for update (load_state said they are usable)."""

    def __init__(self, paths, state: dict):
        self.paths, self.state = paths, state
        d = _state_dir(paths)
        invalidate(paths)
        self.bstore = BuildStore(ox.Store(str(d / "build.store")), named=True)
        self.work = ox.Store(str(d / "work.store"))

    def changed(self, chunks) -> list[tuple[str, Path | None, GraphChunk | None]]:
        """(graph, its old file, its new chunk) of every data graph added, removed or changed."""
        new = {c.graph: c for c in _data_chunks(chunks)}
        old = self.state["graphs"]
        out = []
        for g in sorted(set(new) | set(old)):
            if g in old and g in new and self.state["files"].get(g) == _file_id(new[g]):
                continue
            out.append((g, _state_dir(self.paths) / "graphs" / old[g] if g in old else None, new.get(g)))
        return out

    def apply_union(self, chunks) -> None:
        """The data graphs and their union brought up to date; what entered and left the union
        kept for `reason`."""
        store = self.bstore.store
        net: Counter = Counter()  # exact line -> +1 entered the union, -1 left it
        current = {c.graph: c for c in _data_chunks(chunks)}
        self.subjects = set()
        for g, old_file, chunk in self.changed(chunks):
            old = set(old_file.read_bytes().splitlines(keepends=True)) if old_file else set()
            new = set(chunk.data.splitlines(keepends=True)) if chunk else set()
            gone, came = sorted(old - new), sorted(new - old)
            self.subjects.update(line.split(b" ", 1)[0] for line in (*gone, *came))
            gone_triples = _triples(gone)
            for line, t in zip(gone, gone_triples):
                if not self._held_elsewhere(line, t, g, current):
                    net[line] -= 1
            for t in gone_triples:
                store.remove(ox.Quad(*t, ox.NamedNode(g)))
            for line, t in zip(came, _triples(came)):
                if not self._held_elsewhere(line, t, g, current):
                    net[line] += 1
            if came:
                store.load(b"".join(came), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(g))
        self.added = sorted(line for line, n in net.items() if n > 0)
        self.removed = sorted(line for line, n in net.items() if n < 0)
        # the mention index and selectors are set aside from reasoning: which subjects they are,
        # before the removed lines leave the default graph and after the added ones enter it
        self.skip_before = skipped_subjects(store, self.subjects)
        self._union_remove(self.removed)
        if self.added:
            store.load(b"".join(self.added), format=ox.RdfFormat.N_TRIPLES)
        self.skip_after = skipped_subjects(store, self.subjects)
        for s in self.skip_before ^ self.skip_after:
            # its lines already in the union would change sides: only a clean build sorts them again
            mine = _canonical([line for line in self.added if line.startswith(s + b" ")])
            if any(isinstance(q.graph_name, ox.NamedNode) and (q.subject, q.predicate, q.object) not in mine
                   for q in store.quads_for_pattern(_node(s), None, None)):
                raise NeedsClean(f"{s.decode()} became or stopped being a mention or selector")

    def reason(self, ontology) -> GraphChunk:
        """graph/inferred from the delta (reason/delta.py), loaded."""
        _refuse_schema_in_data(self.bstore.store)
        split_after = InputSplit(generate(ontology), self.skip_after)
        split_before = InputSplit(split_after.rules, self.skip_before)
        r_add, a_add = split_after(self.added)
        r_rem, a_rem = split_before(self.removed)
        inferred = infer_delta(self.work, ontology, b"".join(r_add), b"".join(r_rem), b"".join(a_add), b"".join(a_rem))
        self.inferred = GraphChunk(str(INFERRED_GRAPH), inferred)
        return self.inferred

    def in_memory(self) -> BuildStore:
        """The build store as a clean build has it after reasoning (the union, graph/inferred and
        the ontology), in memory."""
        mem = BuildStore()
        disk = self.bstore.store
        mem.store.load(disk.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()),
                       format=ox.RdfFormat.N_TRIPLES, lenient=True)
        mem.store.load(disk.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(str(ONTOLOGY_GRAPH))),
                       format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(ONTOLOGY_GRAPH)), lenient=True)
        mem.load(self.inferred)
        return mem

    def _held_elsewhere(self, line: bytes, triple: tuple, graph: str, chunks) -> bool:
        """Is this exact line in another data graph (as it is now)?"""
        holders = {q.graph_name.value for q in self.bstore.store.quads_for_pattern(*triple, None)
                   if isinstance(q.graph_name, ox.NamedNode)} - SYSTEM_GRAPHS - {graph}
        if not holders:
            return False
        if b'"^^<' not in line and b'"@' not in line:
            return True  # no literal the store would respell: the same triple is the same line
        return any(h in chunks and _has_line(chunks[h].data, line) for h in holders)

    def _union_remove(self, lines) -> None:
        """Triples out of the default graph that no named graph holds any longer."""
        store = self.bstore.store
        for t in _triples(lines):
            if not any(isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value not in SYSTEM_GRAPHS
                       for q in store.quads_for_pattern(*t, None)):
                store.remove(ox.Quad(*t, ox.DefaultGraph()))

    def finish(self, chunks, derived: GraphChunk) -> None:
        """The stores are consistent with these chunks: write the state that says so."""
        self.bstore.store.flush()
        self.work.flush()
        _write_graph_files(self.paths, self.inferred, derived)
        _write_state(self.paths, chunks)

    def close(self) -> None:
        self.bstore = None
        self.work = None


def _has_line(data: bytes, line: bytes) -> bool:
    return data.startswith(line) or b"\n" + line in data


def _canonical(lines) -> set[tuple]:
    """The lines' triples as a store holds them (it respells some literals)."""
    store = ox.Store()
    store.load(b"".join(lines), format=ox.RdfFormat.N_TRIPLES)
    return {(q.subject, q.predicate, q.object) for q in store}


def _triples(lines: list[bytes]) -> list[tuple]:
    """Each line's triple as the store holds it (it respells some typed literals: "05" as "5",
    xsd:nonNegativeInteger as xsd:integer), so that it finds the quads the line put there."""
    store = ox.Store()
    store.load(b"".join(line[:-3] + f" <urn:mineralgraph:line:{i}> .\n".encode() for i, line in enumerate(lines)),
               format=ox.RdfFormat.N_QUADS)
    out = [None] * len(lines)
    for q in store:
        out[int(q.graph_name.value.rsplit(":", 1)[1])] = (q.subject, q.predicate, q.object)
    return out


def _node(term: bytes):
    return ox.NamedNode(term.decode()[1:-1]) if term.startswith(b"<") else ox.BlankNode(term.decode()[2:])
