"""The build's working dataset: every named graph in one in-memory pyoxigraph store.

Reasoning rules, derivation rules and checks are SPARQL run here (25-270x faster than rdflib's
engine on this kind of graph, see docs/ARCHITECTURE). The store canonicalises some literals
(language tags lower-cased, xsd:nonNegativeInteger kept as xsd:integer); nothing is written
out of the store for a source graph: dist/ is written from the N-Triples the sources produced.
"""

from __future__ import annotations

import pyoxigraph as ox

from .namespaces import ONTOLOGY_GRAPH, PREFIXES

SPARQL_PREFIXES = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


class BuildStore:
    def __init__(self):
        self.store = ox.Store()
        self.graphs: list[str] = []

    def load(self, graph: str, ntriples: bytes) -> None:
        self.store.load(ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph))
        self.graphs.append(graph)

    def add(self, graph: str, triples) -> int:
        g = ox.NamedNode(graph)
        quads = [ox.Quad(t.subject, t.predicate, t.object, g) for t in triples]
        self.store.extend(quads)
        if graph not in self.graphs:
            self.graphs.append(graph)
        return len(quads)

    def data_graphs(self) -> list[ox.NamedNode]:
        """Every graph but the ontology: the data that rules and checks look at."""
        return [ox.NamedNode(g) for g in self.graphs if g != str(ONTOLOGY_GRAPH)]

    def query(self, sparql: str, default_graph=None):
        """A query over the given graphs (default: the data graphs), with the project's prefixes."""
        graphs = self.data_graphs() if default_graph is None else default_graph
        return self.store.query(SPARQL_PREFIXES + sparql, default_graph=graphs)

    def count(self, graph: str | None = None) -> int:
        if graph is None:
            return len(self.store)
        q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        return int(next(iter(self.store.query(q)))["n"].value)

    def triples(self, graph: str):
        return (q.triple for q in self.store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
