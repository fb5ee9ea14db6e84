"""Intake: authoring tools for a new source (add-source, draft annotations); not part of the build."""
