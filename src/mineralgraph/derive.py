"""Derived facts: SPARQL CONSTRUCT rules (queries/rules/*.rq) for what OWL RL cannot say,
such as what a list version dropped (it needs negation). Run over asserted + inferred data on
the build store; the result is the graph/derived named graph."""

from __future__ import annotations

from . import ntriples
from .buildstore import BuildStore
from .namespaces import DERIVED_GRAPH
from .sourcegraphs import GraphChunk
from .sparqlfiles import read_dir


def derive_store(bstore: BuildStore, rules_dir) -> tuple[GraphChunk, dict[str, int]]:
    """SPARQL CONSTRUCT rules over asserted + inferred data, into graph/derived."""
    triples, counts = set(), {}
    for rule in read_dir(rules_dir):
        before = len(triples)
        triples.update(bstore.query(rule.text))
        counts[rule.name] = len(triples) - before
    chunk = GraphChunk(str(DERIVED_GRAPH), ntriples.from_store(triples))
    bstore.load(chunk)
    return chunk, counts
