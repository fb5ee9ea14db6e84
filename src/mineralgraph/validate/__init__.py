"""Validate: the shapes (pySHACL, or compiled to SPARQL over the build store) and the SPARQL checks."""
