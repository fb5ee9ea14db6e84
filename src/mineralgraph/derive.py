"""Derived facts: SPARQL CONSTRUCT rules (queries/rules/*.rq) for what OWL RL cannot say,
such as what a list version dropped (it needs negation). Run over asserted + inferred data."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from .namespaces import PREFIXES
from .sparqlfiles import read_dir


def derive(data: Graph, rules_dir: Path) -> tuple[Graph, dict[str, int]]:
    derived = Graph()
    counts = {}
    for rule in read_dir(rules_dir):
        result = data.query(rule.text, initNs=PREFIXES)
        before = len(derived)
        for triple in result:
            derived.add(triple)
        counts[rule.name] = len(derived) - before
    return derived, counts
