"""Extraction from a source's text without annotations: compound names, enumerations, tables."""
