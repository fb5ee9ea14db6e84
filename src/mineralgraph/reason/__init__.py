"""Reason: OWL 2 RL rules generated from the ontology's axioms, and the SPARQL rules of queries/rules/."""
