"""The build's working dataset, in one in-memory pyoxigraph store: the union of the data graphs
(all but the ontology) as the default graph, the ontology in its own named graph. The source
graphs themselves stay in their cache files (dist/ is written from those), so the store holds
each triple once.

Why materialise the union: a statement is stated again in every source graph that supports it,
and pyoxigraph's union default graph (`use_default_graph_as_union`, or a list of default graphs)
yields one solution per graph holding the triple, so a join over k statement triples grows as
N^k with N sources repeating a fact. The default graph of a store is a set: each triple once.

Reasoning rules, derivation rules and checks are SPARQL run here (25-270x faster than rdflib's
engine on this kind of graph, see docs/ARCHITECTURE.md). The store canonicalises some literals
(language tags lower-cased, xsd:nonNegativeInteger kept as xsd:integer); nothing is written
out of the store for a source graph: dist/ is written from the N-Triples the sources produced.
"""

from __future__ import annotations

import pyoxigraph as ox

from ..core.namespaces import ONTOLOGY_GRAPH, sparql_prologue

SPARQL_PREFIXES = sparql_prologue()


class BuildStore:
    def __init__(self):
        self.store = ox.Store()
        self.graphs: list[str] = []

    def load(self, chunk) -> None:
        """A graph (sourcegraphs.GraphChunk): the ontology into its named graph, data into the union."""
        target = ox.NamedNode(chunk.graph) if chunk.graph == str(ONTOLOGY_GRAPH) else ox.DefaultGraph()
        lenient = chunk.checked  # parsed strictly once, when it was made
        if chunk.content is not None:
            self.store.load(chunk.content, format=ox.RdfFormat.N_TRIPLES, to_graph=target, lenient=lenient)
        else:
            self.store.load(path=str(chunk.path), format=ox.RdfFormat.N_TRIPLES, to_graph=target, lenient=lenient)
        self.graphs.append(chunk.graph)

    def default_size(self) -> int:
        """Triples in the default graph (the union), each once."""
        return len(self.store) - sum(1 for _ in self.store.quads_for_pattern(None, None, None, ox.NamedNode(str(ONTOLOGY_GRAPH))))

    def remove_lines(self, ntriples: bytes) -> None:
        """The triples of these N-Triples lines out of the default graph. Parsed by pyoxigraph and
        removed one by one: the store encodes a term to look it up as it does to keep it, so a
        line spelt otherwise than the store spells it ("05" for "5", "en-US" for "en-us") still
        finds its triple (tests/test_incremental.py). 0.7 s for the 733,000 lines of graph/inferred
        and graph/derived at 1,000 sources, against 1.5 s read into a store of their own first
        (measured; a DELETE from a graph of this store was slower still at 200 sources)."""
        for quad in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES, lenient=True):
            self.store.remove(quad)

    def load_lines(self, ntriples: bytes) -> None:
        """N-Triples lines made by the build (checked when made) into the default graph."""
        self.store.load(ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph(), lenient=True)

    def query(self, sparql: str, **dataset):
        """A query with the project's prefixes; by default over the data (the union default graph)."""
        return self.store.query(SPARQL_PREFIXES + sparql, **dataset)

    def query_with_ontology(self, sparql: str):
        """A query over the data and the ontology together (class hierarchy and the ontology's
        individuals, as pySHACL sees them with the ontology mixed in)."""
        return self.store.query(sparql, default_graph=[ox.DefaultGraph(), ox.NamedNode(str(ONTOLOGY_GRAPH))])

    def union_size(self) -> int:
        """Triples in all graphs together, the ontology included, each counted once."""
        in_both = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} ?s ?p ?o }}"
        return len(self.store) - int(next(iter(self.store.query(in_both)))["n"].value)

    def class_sizes(self) -> dict[str, int]:
        """Distinct instances per class over all graphs."""
        q = f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {{ ?s a ?c }} UNION {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s a ?c }} }} }} GROUP BY ?c"
        return {row["c"].value: int(row["n"].value) for row in self.store.query(q)}
