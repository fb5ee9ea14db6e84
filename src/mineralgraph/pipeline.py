"""The build, step by step: sources -> extract -> assemble -> reason -> derive -> validate -> dist/."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable


from .build.assemble import assemble_source
from .build.gazetteer import load_gazetteer
from .build.ontology import Vocabulary, load_ontology
from .build.sourcegraphs import GraphChunk, gazetteer_graph, ontology_graph, source_graphs
from .build.sources import load_sources
from .build.workstore import BuildStore
from .core.errors import InputError, ValidationFailed
from .core.namespaces import (CANONICAL_BASE, IRI_BASE_ENV, DERIVED_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH, expand_prefixed, iri_base,
                              prefixed_name, rebase_iri, rebase_ntriples, source_graph)
from .core.paths import ProjectPaths
from .incremental import (Incremental, KeptStore, NeedsClean, discard_state, load_state, save_clean, save_findings,
                          start_clean, state_lock, walks_cache)
from .publish.dist import DistWriter, inputs_digest, read_manifest
from .reason.derive import derive_store
from .reason.reasoner import infer_work
from .validate.delta import validate_delta
from .validate.validator import Report, load_shapes, store_checks, validate_store

Progress = Callable[[str], None]
Complete = Callable[[BuildStore, list], None]


@dataclass
class BuildResult:
    store: BuildStore
    reports: list
    validation: Report
    timings: dict[str, float] = field(default_factory=dict)
    manifest: dict = field(default_factory=dict)
    incremental: bool = False  # made from the last build's state, not from scratch
    why_clean: str = ""  # why not, when it was asked for


class Steps:
    """Times each step and tells the user what is happening."""

    def __init__(self, progress: Progress | None):
        self.progress = progress or (lambda _msg: None)
        self.timings: dict[str, float] = {}
        self.why_clean = ""  # why a build that could have been incremental was not

    def clean(self, why: str) -> None:
        self.why_clean = why
        self.progress(f"  {why}: a clean build")

    def run(self, name: str, fn, *args, **kwargs):
        self.progress(f"{name} …")
        t0 = time.perf_counter()
        out = fn(*args, **kwargs)
        self.timings[name] = round(self.timings.get(name, 0) + time.perf_counter() - t0, 3)  # a step may come twice
        self.progress(f"{name}: done in {self.timings[name]:.1f}s")
        return out


@dataclass
class _Checked:
    """The graph assembled, reasoned over and validated, before anything is written."""
    chunks: list
    reports: list
    bstore: BuildStore
    report: Report
    extra: list = field(default_factory=list)  # graph/inferred, graph/derived (none when stopped early)
    rule_counts: dict = field(default_factory=dict)
    work: object = None  # the reasoner's work store (a clean build's, to save for the next one)
    derivation: object = None  # reason/derive.py Derivation (a clean build's, to save)
    incremental: bool = False  # made from the last build's state (incremental.py)


def _check_graph(paths: ProjectPaths, steps: Steps, jobs: int | None, incremental: bool = False,
                 kept: KeptStore | None = None, complete: Complete | None = None) -> _Checked:
    """Every step of a build up to validation: the same for `build` and `check-source`, so the
    cross-source checks a maintainer runs are the ones the build will run. With `incremental`,
    from the last build's state where it is usable (incremental.py), else from scratch; with
    `kept`, the build store of this process's last build is updated rather than loaded again.
    `complete(bstore, graphs)` is told when the graphs are all made, before validation."""
    complete = complete or (lambda _bstore, _graphs: None)
    # Read and check every input first: a bad file fails the build before any work is done.
    parse = kept.parsed if kept is not None else (lambda _what, directory, fn: fn(directory))
    sources = steps.run("reading sources (sha256 verified)", load_sources, paths)
    ontology = steps.run("parsing ontology", parse, "ontology", paths.ontology, load_ontology)
    shapes = steps.run("parsing shapes", parse, "shapes", paths.shapes, load_shapes)
    vocab = Vocabulary.from_ontology(ontology)
    gazetteer = steps.run("loading gazetteer", parse, "gazetteer", paths.gazetteer, load_gazetteer)

    # Per source, cached by the hash of its inputs and run in parallel: extraction, annotations, quotes.
    chunks, reports = steps.run("extracting and verifying quotes", source_graphs, paths, sources, gazetteer, vocab, jobs)
    rebuilt = [c.graph.rsplit("/", 1)[-1] for c in chunks if not c.cached]
    steps.progress(f"  {len(chunks) - len(rebuilt)} of {len(chunks)} sources unchanged (cached), {len(rebuilt)} rebuilt")
    chunks = [ontology_graph(paths, ontology), gazetteer_graph(paths, gazetteer, vocab), *chunks]

    if incremental:
        state = load_state(paths)
        if state is None:
            steps.clean("no usable state of the last build (or its configuration changed)")
        else:
            try:
                return _check_incremental(paths, steps, jobs, chunks, reports, ontology, shapes, state, kept, complete)
            except NeedsClean as why:
                steps.clean(f"the last build's state cannot take this change ({why})")

    bstore = _fresh_store(steps, chunks, kept)
    if incremental:
        start_clean(paths)
    early = steps.run("checking asserted data", store_checks, bstore, paths.checks / "asserted")
    if [f for f in early if f.severity == "Violation"]:
        return _Checked(chunks, reports, bstore, Report(findings=early, checks=len(early)))

    inferred, work = steps.run("reasoning (OWL 2 RL rules)", infer_graph, bstore, ontology, chunks)
    derivation = steps.run("deriving (SPARQL rules)", derive_store, bstore, paths.rules, jobs)
    complete(bstore, [*chunks, inferred, derivation.graph])
    report = steps.run("validating (SHACL + checks)", validate_graph, bstore, shapes, paths.checks, jobs)
    return _Checked(chunks, reports, bstore, report, [inferred, derivation.graph], derivation.counts, work, derivation)


def _check_incremental(paths, steps: Steps, jobs, chunks, reports, ontology, shapes, state,
                       kept: KeptStore | None, complete: Complete) -> _Checked:
    """_check_graph's steps from the last build's state (incremental.py), under the same step
    names so that timings compare."""
    inc = Incremental(paths, state)  # the state is unusable from here until inc.finish
    try:
        return _incremental_steps(inc, paths, steps, jobs, chunks, reports, ontology, shapes, kept, complete)
    finally:
        inc.close()  # its stores on disk are let go now, not when it is collected: the next build opens them


def _incremental_steps(inc: Incremental, paths, steps: Steps, jobs, chunks, reports, ontology, shapes,
                       kept: KeptStore | None, complete: Complete) -> _Checked:
    changed = inc.changed(chunks)
    steps.progress(f"  incremental build: {len(changed)} of {len(chunks) - 1} data graphs changed since the last build")
    steps.run("counting the lines that changed", inc.apply_graphs, chunks)
    bstore = steps.run("updating the kept build store", inc.update_kept, kept) if kept and kept.bstore else None
    if bstore is None:
        bstore = _fresh_store(steps, chunks, kept)
    early = steps.run("checking asserted data", store_checks, bstore, paths.checks / "asserted")
    if [f for f in early if f.severity == "Violation"]:
        return _Checked(chunks, reports, bstore, Report(findings=early, checks=len(early)), incremental=True)
    inferred = steps.run("reasoning (OWL 2 RL rules)", inc.reason, ontology, bstore)
    reuse, derivation = steps.run("deriving (SPARQL rules)", _derive_changed, inc, bstore, paths.rules, jobs)
    steps.progress(f"  {len(reuse)} of {len(derivation.answers)} rules read nothing that changed: their last answers taken")
    # the stores hold this build's graphs: usable by the next build, whatever validation says
    steps.run("saving the state for an incremental build", inc.finish, chunks, derivation, set(reuse))
    if kept is not None:
        kept.saved(inc.state_id)
    complete(bstore, [*chunks, inferred, derivation.graph])
    report = steps.run("validating (SHACL + checks)", validate_graph, bstore, shapes, paths.checks, jobs,
                       inc.delta, inc.previous, walks_cache(paths))
    save_findings(paths, report)  # conforming or not: the report of the graphs the state now holds
    return _Checked(chunks, reports, bstore, report, [inferred, derivation.graph], derivation.counts, incremental=True)


def _derive_changed(inc: Incremental, bstore: BuildStore, rules_dir, jobs):
    """The rules' answers, run only for the rules that read something that changed (the others'
    last answers are taken, Incremental.reusable_rules); and which were taken."""
    reuse = inc.reusable_rules(rules_dir)
    return reuse, derive_store(bstore, rules_dir, jobs, reuse, inc.rule_seconds())


def validate_graph(bstore: BuildStore, shapes, checks_dir, jobs, delta=None, previous: Report | None = None,
                   walks=None) -> Report:
    """The build's validation: in full, or in an incremental build from the last build's report
    (`previous`) and the lines that may have entered and left the store's default graph (`delta`,
    Incremental.default_delta): validate/delta.py re-runs only what they can have changed, and
    gives the report a full run gives."""
    if delta is None or previous is None:
        return validate_store(bstore, shapes, checks_dir, jobs)
    return validate_delta(bstore, shapes, checks_dir, previous, *delta, jobs=jobs, cache_file=walks)


def build(paths: ProjectPaths, progress: Progress | None = None, write: bool = True, jobs: int | None = None,
          base: str | None = None, all_dumps: bool = False, incremental: bool = True, clean: bool = False,
          kept: KeptStore | None = None) -> BuildResult:
    """`base`: the IRI base to publish under (default $MINERALGRAPH_IRI_BASE, else the canonical one).
    `all_dumps`: write every dump format and .gz into dist/ (a static mirror of it needs them);
    by default only the N-Quads, the rest made on demand (publish/dumpcache.py).
    `incremental`: start from the last build's state (.mineralgraph-cache/state) where it is
    usable, and leave this build's there (not for a dry run, which leaves the state alone).
    `clean`: the last build's state discarded first (`build --clean`): a clean build, which
    leaves a new one.
    `kept`: a process that builds again and again (`build --watch`) keeps its build store here
    between builds, for the next incremental build to update."""
    if clean:
        discard_state(paths)
    steps = Steps(progress)
    base = iri_base(base)
    publishing = _Publishing(steps, paths.dist if write else None, jobs, all_dumps, base)
    try:
        with state_lock(paths) as free:
            if incremental and write and not free:
                steps.clean("another build is using the incremental state (left alone)")
            incremental = incremental and write and free
            kept = kept if incremental else None
            try:
                checked = _check_graph(paths, steps, jobs, incremental, kept, publishing.start)
            except BaseException:
                if kept is not None:
                    kept.drop()  # it may be half-way between two builds' graphs
                raise
            if incremental and not checked.incremental and checked.work is not None and checked.report.conforms:
                try:
                    state_id = steps.run("saving the state for an incremental build", save_clean, paths, checked.work,
                                         checked.chunks, checked.report, checked.extra[0], checked.derivation)
                    if kept is not None:
                        kept.saved(state_id)
                except OSError as e:  # the build is good without it: the next one is a clean one
                    steps.progress(f"  the state for an incremental build could not be saved ({e}); the next build is a clean one")
                    start_clean(paths)
        if not checked.report.conforms:
            raise ValidationFailed(checked.report)
        chunks, reports, bstore, report = checked.chunks, checked.reports, checked.bstore, checked.report
        graphs, counts = publishing.done(bstore, [*chunks, *checked.extra])
        manifest = make_manifest(paths, counts, graphs, reports, report, checked.rule_counts)
        manifest["iri_base"] = base
        publishing.finish(manifest)
    finally:
        publishing.close()
    return BuildResult(bstore, reports, report, steps.timings, manifest, checked.incremental, steps.why_clean)


class _Publishing:
    """What goes to dist/ needs the graphs, not the validation report: the dumps (file copies) and
    the store's counts (queries) are made on a thread while the build validates (at 1,000
    sources: 1.7 s and 1.0 s of a source added, one after the other), into a directory that
    becomes dist/ only once validation passed. With `all_dumps` they are made after it: those
    dumps are written by forked processes, not to be forked while queries run on threads."""

    def __init__(self, steps: Steps, dist: Path | None, jobs, all_dumps: bool, base: str):
        self.steps, self.dist, self.jobs, self.all_dumps, self.base = steps, dist, jobs, all_dumps, base
        self.writer: DistWriter | None = None
        self.pool: ThreadPoolExecutor | None = None
        self.made = None  # the future of (graphs as published, counts)

    def start(self, bstore: BuildStore, graphs: list) -> None:
        """The graphs are complete (data, graph/inferred, graph/derived): start on them."""
        if self.all_dumps:
            return
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="publish")
        self.made = self.pool.submit(self._make, bstore, graphs)

    def done(self, bstore: BuildStore, graphs: list) -> tuple[list, dict]:
        """The graphs as published and the store's counts, made now if they were not started."""
        return self.made.result() if self.made is not None else self._make(bstore, graphs)

    def _make(self, bstore: BuildStore, graphs: list) -> tuple[list, dict]:
        if self.base != CANONICAL_BASE:  # built and checked under the canonical base; published under this one
            graphs = self.steps.run(f"moving data IRIs to {self.base}", _rebase, graphs, self.base)
        if self.dist is not None:
            self.writer = DistWriter(self.dist, self.jobs, self.all_dumps)
            self.steps.run("writing dist/", self.writer.write_dumps, graphs)
        return graphs, self.steps.run("counting", store_counts, bstore)

    def finish(self, manifest: dict) -> None:
        if self.writer is not None:
            self.writer.finish(manifest)
            self.writer = None

    def close(self) -> None:
        """Whatever was not finished is let go (a build that failed leaves dist/ as it was)."""
        if self.pool is not None:
            self.pool.shutdown(wait=True)
        if self.writer is not None:
            self.writer.discard()


def _rebase(graphs, base: str) -> list[GraphChunk]:
    return [GraphChunk(rebase_iri(g.graph, base), rebase_ntriples(g.data, base)) for g in graphs]


def _load_chunks(bstore: BuildStore, chunks) -> None:
    for c in chunks:
        bstore.load(c)


def _fresh_store(steps: Steps, chunks, kept: KeptStore | None) -> BuildStore:
    """A build store loaded with the data graphs (and kept for the next build, if asked)."""
    if kept is not None:
        kept.drop()  # its memory is given back before the new one is loaded
    bstore = BuildStore()
    steps.run("loading the build store", _load_chunks, bstore, chunks)
    if kept is not None:
        kept.hold(bstore)
    return bstore


def infer_graph(bstore: BuildStore, ontology, chunks) -> tuple[GraphChunk, object]:
    """OWL 2 RL consequences (reason/reasoner.py) into graph/inferred; and the reasoner's work store."""
    data = (c.data for c in chunks if c.graph != str(ONTOLOGY_GRAPH))  # one file in memory at a time
    inferred, work = infer_work(bstore.store, ontology, data)
    chunk = GraphChunk(str(INFERRED_GRAPH), inferred)
    bstore.load(chunk)
    return chunk, work


@dataclass
class SourceCheck:
    """What `check-source` found: the source on its own, then (unless asked not to) the checks the
    build runs across all sources, with the violations that concern this source apart."""
    assembly: object
    cross: Report | None = None  # None: the cross-source checks were not run
    own: list = field(default_factory=list)  # violations on a node of this source's graph
    shared_with: dict = field(default_factory=dict)  # focus -> the other sources whose graphs hold it too

    @property
    def others(self) -> list:
        return [f for f in (self.cross.violations if self.cross else []) if f not in self.own]


def check_source(paths: ProjectPaths, source_id: str, cross: bool = True, progress: Progress | None = None) -> SourceCheck:
    """Assemble one source on its own (fast: for annotators); then, with `cross`, every step of a
    build but the writing, so a clash with another source (two value texts on one shared
    statement, say) is reported here rather than by `build`."""
    sources = {s.id: s for s in load_sources(paths)}
    if source_id not in sources:
        raise InputError(f"no source {source_id!r}; sources: {', '.join(sorted(sources))}", paths.sources_file)
    ontology = load_ontology(paths.ontology)
    # Only this source's files are read first, so its own problems are named before anything else's.
    asm = assemble_source(sources[source_id], load_gazetteer(paths.gazetteer), Vocabulary.from_ontology(ontology),
                          sorted(paths.annotations.glob(f"{source_id}*.yaml")))
    if not cross:
        return SourceCheck(asm)
    checked = _check_graph(paths, Steps(progress), None)
    result = SourceCheck(asm, checked.report)
    violations = checked.report.violations
    if not violations:
        return result
    subjects = set(asm.graph.subjects())
    own_nodes = {prefixed_name(s) for s in subjects} | {f"<{s}>" for s in subjects}  # as the findings name them
    result.own = [f for f in violations if f.focus in own_nodes]
    mine = str(source_graph(source_id))
    prefix = mine[: -len(source_id)]
    for focus in {f.focus for f in result.own}:
        iri = expand_prefixed(focus)
        needle = f"<{iri}> ".encode()
        result.shared_with[focus] = sorted(
            c.graph.rsplit("/", 1)[-1] for c in checked.chunks
            if c.graph.startswith(prefix) and c.graph != mine
            and (c.data.startswith(needle) or b"\n" + needle in c.data))
    return result


def store_counts(bstore: BuildStore) -> dict:
    """The build store's counts for the manifest: every triple once, and each class's instances."""
    return {"triples": bstore.union_size(),
            "classes": dict(sorted({prefixed_name(c): n for c, n in bstore.class_sizes().items()}.items()))}


def make_manifest(paths, counts: dict, graphs, reports, report: Report, rule_counts) -> dict:
    sizes = {c.graph: c.triple_count() for c in graphs}
    return {
        "inputs_sha256": inputs_digest(paths),
        "triples": counts["triples"],
        "graphs": {g: n for g, n in sizes.items() if n},
        "classes": counts["classes"],
        "coverage": {
            r.source.id: {"claims": r.claims, "mentions": r.mentions, "statements": dict(r.statements), "notes": r.notes}
            for r in reports
        },
        "derived_rules": rule_counts,
        "validation": report.summary(),
    }


def is_stale(paths: ProjectPaths, base: str | None = None) -> bool:
    manifest = read_manifest(paths.dist)
    return (manifest is None or manifest.get("inputs_sha256") != inputs_digest(paths)
            or manifest.get("iri_base", CANONICAL_BASE) != iri_base(base))


def ensure_built(root: Path | None = None, progress: Progress | None = None, base: str | None = None) -> Path:
    """Build dist/ if it is missing, older than its inputs or built for another IRI base;
    return the dist directory. With no base asked for (argument or $MINERALGRAPH_IRI_BASE), the
    base dist/ was last built for is kept: `build --iri-base` decides, commands that only read
    the graph (serve, query, export) follow it."""
    paths = ProjectPaths(Path(root)) if root else ProjectPaths.default()
    if base is None and not os.environ.get(IRI_BASE_ENV):
        base = (read_manifest(paths.dist) or {}).get("iri_base")
    if is_stale(paths, base):
        build(paths, progress, base=base)
    return paths.dist


__all__ = ["build", "ensure_built", "is_stale", "BuildResult", "InputError", "ValidationFailed"]
