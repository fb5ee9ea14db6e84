"""mineralgraph: a linked-data knowledge graph of the critical-minerals alliance system.

The pipeline runs in one direction (see README "How the graph is built"):
sources -> text -> extract -> assemble -> reason -> derive -> validate -> dist -> store -> server.
Its stages are the packages, and imports point the same way (docs/ARCHITECTURE.md):
core -> build -> reason -> validate -> publish -> store -> storedqueries -> server.
"""

__version__ = "0.1.0"
