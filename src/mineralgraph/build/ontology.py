"""The ontology and its import modules, and the controlled values annotation files refer to."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, SKOS

from ..core.errors import InputError
from ..core.namespaces import MG, ONTOLOGY_IRI


def load_ontology(directory: Path) -> Graph:
    """mineralgraph.ttl plus the trimmed modules in imports/, parsed; a syntax error names the file."""
    graph = Graph()
    files = [directory / "mineralgraph.ttl", *sorted((directory / "imports").glob("*.ttl"))]
    for path in files:
        graph += parse_rdf_file(path)
    if (ONTOLOGY_IRI, RDF.type, OWL.Ontology) not in graph:
        raise InputError(f"the ontology header <{ONTOLOGY_IRI}> a owl:Ontology is missing", files[0])
    return graph


def parse_rdf_file(path: Path, fmt: str = "turtle") -> Graph:
    graph = Graph()
    try:
        graph.parse(path, format=fmt)
    except FileNotFoundError:
        raise InputError("file not found", path) from None
    except Exception as exc:  # rdflib raises several parser error types
        message = str(exc).strip().splitlines()
        line = None
        for part in message:
            if "line" in part:
                m = re.search(r"line (\d+)", part)
                if m:
                    line = int(m.group(1))
                    break
        raise InputError(f"does not parse as {fmt}: {message[0] if message else exc}", path, line) from None
    return graph


@dataclass
class Vocabulary:
    """Controlled values by notation: mechanism kinds, roles, event types, forms, relations."""

    kinds: dict[str, URIRef]
    roles: dict[str, URIRef]
    events: dict[str, URIRef]
    forms: dict[str, URIRef]
    relations: dict[str, URIRef]
    bounds: dict[str, URIRef]
    statuses: dict[str, URIRef]
    derivations: dict[str, URIRef]
    list_statuses: dict[str, URIRef]
    kind_labels: dict[str, URIRef]  # 双边机制 -> mg:bilateral (for Table 1's type column)

    @classmethod
    def from_ontology(cls, onto: Graph) -> "Vocabulary":
        def by_scheme(scheme):
            return {str(n): s for s in onto.subjects(SKOS.inScheme, scheme) for n in onto.objects(s, SKOS.notation)}

        relations = {
            str(n): s
            for s, n in onto.subject_objects(SKOS.notation)
            if (s, RDF.type, OWL.ObjectProperty) in onto
        }
        kinds = by_scheme(MG.MechanismKinds)
        kind_labels = {}
        for iri in kinds.values():
            for label in [*onto.objects(iri, SKOS.prefLabel), *onto.objects(iri, SKOS.altLabel)]:
                kind_labels[str(label)] = iri
        return cls(
            kinds=kinds,
            roles=by_scheme(MG.MembershipRoles),
            events=by_scheme(MG.EventTypes),
            forms=by_scheme(MG.MechanismForms),
            relations=relations,
            bounds=by_scheme(MG.Bounds),
            statuses=by_scheme(MG.EventStatuses),
            derivations=by_scheme(MG.DerivationKinds),
            list_statuses=by_scheme(MG.ListVersionStatuses),
            kind_labels=kind_labels,
        )


def label_literals(labels: dict) -> list[Literal]:
    return [Literal(v, lang=k) for k, v in labels.items() if v]
