"""Derived facts: SPARQL CONSTRUCT rules (queries/rules/*.rq) for what OWL RL cannot say,
such as what a list version dropped (it needs negation). Run over asserted + inferred data on
the build store; the result is the graph/derived named graph.

A rule's answer depends only on the triples whose predicates its patterns name (when none is a
variable), so an incremental build takes the last build's answer of a rule whose predicates no
changed triple has (`reuse`), and runs the others."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import URIRef, Variable
from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, SequencePath

from ..build.sourcegraphs import GraphChunk
from ..build.workstore import BuildStore
from ..core import ntriples
from ..core.concurrentqueries import solutions
from ..core.namespaces import DERIVED_GRAPH, sparql_prologue
from ..core.sparqlfiles import read_dir


def derive_store(bstore: BuildStore, rules_dir, jobs: int | None = None, reuse: dict[str, bytes] | None = None
                 ) -> tuple[GraphChunk, dict[str, int], dict[str, bytes]]:
    """SPARQL CONSTRUCT rules over asserted + inferred data, into graph/derived (up to `jobs`
    rules evaluated at a time; each rule's count is what it adds after the rules before it).
    `reuse`: rule name -> its answer in the last build (N-Triples as the store spells them),
    taken instead of running the rule. Returns the graph, the counts and every rule's answer."""
    reuse = reuse or {}
    rules = read_dir(rules_dir)
    run = [r for r in rules if r.name not in reuse]
    answers = dict(zip((r.name for r in run), solutions(bstore.query, [r.text for r in run], jobs)))
    triples, counts, spelt = set(), {}, {}
    for rule in rules:
        if rule.name in reuse:
            spelt[rule.name] = reuse[rule.name]
            constructed = list(ox.parse(reuse[rule.name], format=ox.RdfFormat.N_TRIPLES))
        else:
            constructed = answers[rule.name]
            spelt[rule.name] = ox.serialize(constructed, format=ox.RdfFormat.N_TRIPLES)
        before = len(triples)
        triples.update(constructed)
        counts[rule.name] = len(triples) - before
    chunk = GraphChunk(str(DERIVED_GRAPH), ntriples.from_store(triples))
    bstore.load(chunk)
    return chunk, counts, spelt


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
