"""Each source's named graph, made once per version of its inputs and in parallel.

A source graph depends only on the source's bytes and metadata, its annotation files, the
gazetteer, the ontology and this package's code, so it is cached under the hash of exactly
those (cache.py) and rebuilt only when one of them changes. Sources that must be (re)built
are assembled in worker processes, forked after the gazetteer and vocabulary are loaded so
that each worker shares them copy-on-write. Cross-source work (reasoning, rules, validation)
runs afterwards, once, over the union (pipeline.py).
"""

from __future__ import annotations

import difflib
import json
import multiprocessing
import os
from collections import Counter, deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
from rdflib.compare import to_canonical_graph

from ..core import ntriples
from ..core.errors import InputError
from ..core.namespaces import GAZETTEER_GRAPH, GENID, ONTOLOGY_GRAPH, source_graph
from .assemble import SourceReport, assemble_source, describe_gazetteer
from .cache import BuildCache, code_digest, digest, files_digest


@dataclass
class GraphChunk:
    """One named graph of the build as sorted N-Triples lines, held in memory or in a cache
    file (a thousand source graphs are read from disk when needed, not kept in memory)."""

    graph: str
    content: bytes | None = None
    path: Path | None = None
    cached: bool = False
    checked: bool = False  # its lines were parsed strictly when made: loaded without IRI checks
    lines: int | None = None  # its triples, when known without reading it
    nquads: Path | None = None  # a file of its lines as N-Quads in its graph (BuildCache), if there is one

    @property
    def data(self) -> bytes:
        return self.content if self.content is not None else self.path.read_bytes()

    def triple_count(self) -> int:
        return self.lines if self.lines is not None else self.data.count(b"\n")

    @classmethod
    def cached_entry(cls, graph: str, entry, cached: bool, checked: bool = False) -> "GraphChunk":
        return cls(graph, path=entry.ntriples, cached=cached, checked=checked, lines=entry.lines, nquads=entry.nquads)


def annotation_files(directory: Path, source_ids: list[str]) -> dict[str, list[Path]]:
    """Annotation files by source id, from their names: NNN.yaml or NNN-topic.yaml."""
    by_source: dict[str, list[Path]] = {sid: [] for sid in source_ids}
    if not directory.is_dir():
        return by_source
    for path in sorted(directory.glob("*.yaml")):
        sid = path.stem.split("-", 1)[0]
        if sid not in by_source:
            close = difflib.get_close_matches(sid, list(by_source), n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise InputError(
                f"annotation file for unknown source {sid!r}: files are named NNN.yaml or NNN-topic.yaml "
                f"after a source id in sources.yaml{hint}",
                path,
            )
        by_source[sid].append(path)
    return by_source


# Set in the parent before the workers are forked, read by them: (gazetteer, vocabulary).
_SHARED: tuple | None = None


def _assemble(source, ann_paths: list[Path]) -> tuple[bytes, dict]:
    gazetteer, vocab = _SHARED
    asm = assemble_source(source, gazetteer, vocab, ann_paths)
    r = asm.report
    report = {"claims": r.claims, "mentions": r.mentions, "statements": dict(sorted(r.statements.items())), "notes": r.notes}
    data = ntriples.lines(asm.graph)
    try:  # once, here: every build loads the cached graph without checks (30% faster, bench/load_bench.py)
        deque(ox.parse(data, format=ox.RdfFormat.N_TRIPLES), maxlen=0)  # read to the end
    except SyntaxError as err:
        raise InputError(f"source {source.id}: its annotations make a graph that is not valid RDF ({err}); "
                         "check the IRIs and names in its annotation files", source.path) from None
    return data, report


def _assemble_and_cache(cache_dir: str, unit: str, key: str, source, ann_paths) -> dict:
    data, report = _assemble(source, ann_paths)
    BuildCache(Path(cache_dir)).put(unit, key, data, report, str(source_graph(source.id)))
    return report


def source_graphs(paths, sources, gazetteer, vocab, jobs: int | None = None) -> tuple[list[GraphChunk], list[SourceReport]]:
    """Every source's graph, from the cache where its inputs are unchanged."""
    global _SHARED
    cache = BuildCache(paths.cache)
    shared_key = digest(code_digest(), files_digest(paths.gazetteer.glob("*.yaml")), files_digest(paths.ontology.rglob("*.ttl")))
    ann = annotation_files(paths.annotations, [s.id for s in sources])
    keys, results, todo = {}, {}, []
    for s in sources:
        meta = json.dumps({k: v for k, v in vars(s).items() if k not in ("text", "path", "line")}, sort_keys=True, default=str)
        keys[s.id] = digest(shared_key, s.sha256, meta, files_digest(ann[s.id]))
        hit = cache.get(f"source-{s.id}", keys[s.id])
        if hit is None:
            todo.append(s)
        else:
            results[s.id] = (hit, True)  # (cache entry, cached)

    _SHARED = (gazetteer, vocab)
    try:
        if len(todo) <= 1:
            for s in todo:
                data, report = _assemble(s, ann[s.id])
                results[s.id] = (cache.put(f"source-{s.id}", keys[s.id], data, report, str(source_graph(s.id))), False)
        else:
            workers = min(len(todo), jobs or os.cpu_count() or 1)
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
                futures = {
                    s.id: pool.submit(_assemble_and_cache, str(paths.cache), f"source-{s.id}", keys[s.id], s, ann[s.id]) for s in todo
                }
                for sid, fut in futures.items():
                    fut.result()  # the first input error stops the build, with its file and line
                for sid in futures:
                    results[sid] = (cache.get(f"source-{sid}", keys[sid]), False)
    finally:
        _SHARED = None

    chunks, reports = [], []
    for s in sources:
        entry, cached = results[s.id]
        report = entry.report
        chunks.append(GraphChunk.cached_entry(str(source_graph(s.id)), entry, cached, checked=True))
        reports.append(SourceReport(s, report["claims"], report["mentions"], Counter(report["statements"]), list(report["notes"])))
    return chunks, reports


def gazetteer_graph(paths, gazetteer, vocab) -> GraphChunk:
    cache = BuildCache(paths.cache)
    key = digest(code_digest(), files_digest(paths.gazetteer.glob("*.yaml")), files_digest(paths.ontology.rglob("*.ttl")))
    hit = cache.get("gazetteer", key)
    if hit is not None:
        return GraphChunk.cached_entry(str(GAZETTEER_GRAPH), hit, cached=True)
    data = ntriples.lines(describe_gazetteer(gazetteer, vocab))
    # read from its cache file like a cached one, so the incremental build knows it by that file
    return GraphChunk.cached_entry(str(GAZETTEER_GRAPH), cache.put("gazetteer", key, data, {}, str(GAZETTEER_GRAPH)),
                                   cached=False)


def ontology_graph(paths, ontology) -> GraphChunk:
    """The ontology with its blank nodes (restrictions, lists) skolemised (RDF 1.1 §3.5) from
    canonical labels: stores relabel blank nodes on every load, and the same ontology must give
    the same dist/."""
    cache = BuildCache(paths.cache)
    key = digest(code_digest(), files_digest(paths.ontology.rglob("*.ttl")))
    hit = cache.get("ontology", key)
    if hit is not None:
        return GraphChunk.cached_entry(str(ONTOLOGY_GRAPH), hit, cached=True)
    genid = urlsplit(GENID)
    skolem = to_canonical_graph(ontology).skolemize(authority=f"{genid.scheme}://{genid.netloc}", basepath=genid.path)
    data = ntriples.lines(skolem)
    cache.put("ontology", key, data, {}, str(ONTOLOGY_GRAPH))
    return GraphChunk(str(ONTOLOGY_GRAPH), data)
