"""Derived facts: SPARQL CONSTRUCT rules (queries/rules/*.rq) for what OWL RL cannot say,
such as what a list version dropped (it needs negation). Run over asserted + inferred data on
the build store; the result is the graph/derived named graph."""

from __future__ import annotations

from ..build.sourcegraphs import GraphChunk
from ..build.workstore import BuildStore
from ..core import ntriples
from ..core.concurrentqueries import solutions
from ..core.namespaces import DERIVED_GRAPH
from ..core.sparqlfiles import read_dir


def derive_store(bstore: BuildStore, rules_dir, jobs: int | None = None) -> tuple[GraphChunk, dict[str, int]]:
    """SPARQL CONSTRUCT rules over asserted + inferred data, into graph/derived (up to `jobs`
    rules evaluated at a time; each rule's count is what it adds after the rules before it)."""
    triples, counts = set(), {}
    rules = read_dir(rules_dir)
    for rule, constructed in zip(rules, solutions(bstore.query, [r.text for r in rules], jobs)):
        before = len(triples)
        triples.update(constructed)
        counts[rule.name] = len(triples) - before
    chunk = GraphChunk(str(DERIVED_GRAPH), ntriples.from_store(triples))
    bstore.load(chunk)
    return chunk, counts
