"""The build, step by step: sources -> extract -> assemble -> reason -> derive -> validate -> dist/."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from rdflib import Dataset, Graph
from rdflib.namespace import RDF

from .annotations import load_annotations
from .assemble import SourceReport, add_graph, assemble
from .derive import derive
from .dist import inputs_digest, read_manifest, write_dist
from .errors import InputError, ValidationFailed
from .gazetteer import load_gazetteer
from .namespaces import DERIVED_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH, PREFIXES
from .ontology import Vocabulary, load_ontology
from .paths import ProjectPaths
from .reason import infer
from .sources import load_sources
from .validate import Report, load_shapes, sparql_checks, validate

Progress = Callable[[str], None]


@dataclass
class BuildResult:
    dataset: Dataset
    reports: list[SourceReport]
    validation: Report
    timings: dict[str, float] = field(default_factory=dict)
    manifest: dict = field(default_factory=dict)


class Steps:
    """Times each step and tells the user what is happening."""

    def __init__(self, progress: Progress | None):
        self.progress = progress or (lambda _msg: None)
        self.timings: dict[str, float] = {}

    def run(self, name: str, fn, *args, **kwargs):
        self.progress(f"{name} …")
        t0 = time.perf_counter()
        out = fn(*args, **kwargs)
        self.timings[name] = round(time.perf_counter() - t0, 3)
        self.progress(f"{name}: done in {self.timings[name]:.1f}s")
        return out


def build(paths: ProjectPaths, progress: Progress | None = None, write: bool = True) -> BuildResult:
    steps = Steps(progress)
    # Read and check every input first: a bad file fails the build before any work is done.
    sources = steps.run("reading sources (sha256 verified)", load_sources, paths)
    ontology = steps.run("parsing ontology", load_ontology, paths.ontology)
    shapes = steps.run("parsing shapes", load_shapes, paths.shapes)
    vocab = Vocabulary.from_ontology(ontology)
    gazetteer = steps.run("loading gazetteer", load_gazetteer, paths.gazetteer)
    annotations = steps.run("loading annotations", load_annotations, paths.annotations, {s.id for s in sources})

    ds, reports = steps.run("extracting and verifying quotes", assemble, sources, gazetteer, vocab, ontology, annotations)
    asserted = data_graph(ds)

    early = steps.run("checking asserted data", sparql_checks, asserted, paths.checks / "asserted")[0]
    if [f for f in early if f.severity == "Violation"]:
        raise ValidationFailed(Report(findings=early, checks=len(early)))

    inferred = steps.run("reasoning (OWL 2 RL)", infer, asserted, ontology)
    add_graph(ds, INFERRED_GRAPH, inferred)
    derived, rule_counts = steps.run("deriving (SPARQL rules)", derive, asserted + inferred, paths.rules)
    add_graph(ds, DERIVED_GRAPH, derived)

    report = steps.run("validating (SHACL + checks)", validate, data_graph(ds), shapes, ontology, paths.checks)
    if not report.conforms:
        raise ValidationFailed(report)

    manifest = make_manifest(paths, ds, reports, report, rule_counts)
    if write:
        steps.run("writing dist/", write_dist, ds, manifest, paths.dist)
    return BuildResult(ds, reports, report, steps.timings, manifest)


def check_source(paths: ProjectPaths, source_id: str):
    """Assemble one source on its own (no reasoning, no other sources): for annotators."""
    from .assemble import SourceAssembler
    from .annotations import parse_annotation_file

    sources = {s.id: s for s in load_sources(paths)}
    if source_id not in sources:
        raise InputError(f"no source {source_id!r}; sources: {', '.join(sorted(sources))}", paths.sources_file)
    ontology = load_ontology(paths.ontology)
    asm = SourceAssembler(sources[source_id], load_gazetteer(paths.gazetteer), Vocabulary.from_ontology(ontology))
    asm.describe_source()
    asm.index_mentions()
    asm.extract_tables()
    # Only this source's files are read, so another source's unfinished file cannot get in the way.
    for path in sorted(paths.annotations.glob(f"{source_id}*.yaml")):
        for spec in parse_annotation_file(path).claims:
            asm.add_claim(spec)
    return asm


def data_graph(ds: Dataset) -> Graph:
    """Every graph but the ontology: the data that shapes and reasoning look at."""
    g = Graph()
    for s, p, o, ctx in ds.quads((None, None, None, None)):
        if ctx != ONTOLOGY_GRAPH and getattr(ctx, "identifier", ctx) != ONTOLOGY_GRAPH:
            g.add((s, p, o))
    return g


def make_manifest(paths, ds: Dataset, reports, report: Report, rule_counts) -> dict:
    graphs = {str(g.identifier): len(g) for g in ds.graphs() if len(g)}
    union = Graph()
    for s, p, o, _g in ds.quads((None, None, None, None)):
        union.add((s, p, o))
    classes = Counter()
    for s, o in union.subject_objects(RDF.type):
        classes[_prefixed(o)] += 1
    return {
        "inputs_sha256": inputs_digest(paths),
        "triples": len(union),
        "graphs": graphs,
        "classes": dict(sorted(classes.items())),
        "coverage": {
            r.source.id: {"claims": r.claims, "mentions": r.mentions, "statements": dict(r.statements), "notes": r.notes}
            for r in reports
        },
        "derived_rules": rule_counts,
        "validation": report.summary(),
    }


def _prefixed(iri) -> str:
    for prefix, ns in PREFIXES.items():
        if str(iri).startswith(str(ns)):
            return f"{prefix}:{str(iri)[len(str(ns)):]}"
    return str(iri)


def is_stale(paths: ProjectPaths) -> bool:
    manifest = read_manifest(paths.dist)
    return manifest is None or manifest.get("inputs_sha256") != inputs_digest(paths)


def ensure_built(root: Path | None = None, progress: Progress | None = None) -> Path:
    """Build dist/ if it is missing or older than its inputs; return the dist directory."""
    paths = ProjectPaths(Path(root)) if root else ProjectPaths.default()
    if is_stale(paths):
        build(paths, progress)
    return paths.dist


__all__ = ["build", "ensure_built", "is_stale", "BuildResult", "InputError", "ValidationFailed"]
