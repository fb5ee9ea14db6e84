"""Publish: the dumps and manifest of dist/, and their upload to a Graph Store Protocol endpoint."""
