"""Derived facts: SPARQL CONSTRUCT rules (queries/rules/*.rq) for what OWL RL cannot say,
such as what a list version dropped (it needs negation). Run over asserted + inferred data on
the build store; the result is the graph/derived named graph.

A rule's answer depends only on the triples whose predicates its patterns name (when none is a
variable), so an incremental build takes the last build's answer of a rule whose predicates no
changed triple has (`reuse`), and runs the others."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import URIRef, Variable
from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, SequencePath

from ..build.sourcegraphs import GraphChunk
from ..build.workstore import BuildStore
from ..core import ntriples
from ..core.concurrentqueries import in_threads
from ..core.namespaces import DERIVED_GRAPH, sparql_prologue
from ..core.sparqlfiles import read_dir


@dataclass
class Derivation:
    graph: GraphChunk              # graph/derived, loaded into the build store
    counts: dict[str, int]         # what each rule adds after the rules before it (file order)
    answers: dict[str, bytes]      # each rule's answer, N-Triples as the store spells them
    seconds: dict[str, float] = field(default_factory=dict)  # how long each rule run took


def derive_store(bstore: BuildStore, rules_dir, jobs: int | None = None, reuse: dict[str, bytes] | None = None,
                 last_seconds: dict[str, float] | None = None) -> Derivation:
    """SPARQL CONSTRUCT rules over asserted + inferred data, into graph/derived (up to `jobs`
    rules evaluated at a time). `reuse`: rule name -> its answer in the last build, taken instead
    of running the rule. `last_seconds`: how long each rule took last time; the longest start
    first, so that two long rules do not end up last on one thread (at 1,000 sources the longest,
    support-summary, came tenth of eleven and ran alone at the end)."""
    reuse = reuse or {}
    rules = read_dir(rules_dir)
    last = last_seconds or {}
    run = sorted((r for r in rules if r.name not in reuse), key=lambda r: -last.get(r.name, 0.0))
    timed = in_threads(lambda rule: _answer(bstore, rule.text), run, jobs)
    answers = {**reuse, **{r.name: answer for r, (_s, answer) in zip(run, timed)}}
    # the answers' lines (the store spells a triple one way) gathered in file order: a rule's
    # count is what it adds after the rules before it
    lines: set[bytes] = set()
    counts = {}
    for rule in rules:
        before = len(lines)
        lines.update(answers[rule.name].splitlines(keepends=True))
        counts[rule.name] = len(lines) - before
    chunk = GraphChunk(str(DERIVED_GRAPH), ntriples.sorted_unique(lines))
    bstore.load(chunk)
    return Derivation(chunk, counts, answers, {r.name: seconds for r, (seconds, _a) in zip(run, timed)})


def _answer(bstore: BuildStore, text: str) -> tuple[float, bytes]:
    """A rule's answer as N-Triples, written by the store (no Python object per triple), and
    how long it took."""
    started = time.perf_counter()
    answer = bstore.query(text).serialize(format=ox.RdfFormat.N_TRIPLES)
    return time.perf_counter() - started, answer


def rule_predicates(text: str) -> list[str] | None:
    """Every predicate IRI the rule's patterns name (property paths' too, FILTER EXISTS blocks
    and sub-queries included), sorted; None when a pattern's predicate is a variable or a
    negated path, so that any triple may change the answer. rdflib's parser reads the rule
    (0.1 s a rule: the incremental state keeps the result)."""
    from rdflib.plugins.sparql import prepareQuery  # rdflib's SPARQL engine: only here

    found: set[str] = set()

    def path(p) -> bool:
        """Adds the IRIs a predicate (an IRI or a path) names; False where it may be any."""
        if isinstance(p, URIRef):
            found.add(str(p))
            return True
        if isinstance(p, (SequencePath, AlternativePath)):
            return all(path(a) for a in p.args)
        if isinstance(p, InvPath):
            return path(p.arg)
        if isinstance(p, MulPath):
            return path(p.path)
        if isinstance(p, dict):  # a path not yet translated (inside EXISTS): its parts
            return "Negated" not in str(getattr(p, "name", "")) and all(path(v) for k, v in p.items() if k != "_vars")
        if isinstance(p, (list, tuple)):
            return all(path(v) for v in p)
        return not isinstance(p, (Variable, NegatedPath))  # else a path modifier such as "*"

    def walk(node) -> bool:
        if isinstance(node, dict):
            if getattr(node, "name", None) in ("BGP", "TriplesBlock") and not all(path(t[1]) for t in node["triples"]):
                return False
            return all(walk(v) for k, v in node.items() if k != "_vars")
        if isinstance(node, (list, tuple)):
            return all(walk(v) for v in node)
        return True

    return sorted(found) if walk(prepareQuery(sparql_prologue() + text).algebra) else None
