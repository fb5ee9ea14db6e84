"""mineralgraph: a linked-data knowledge graph of the critical-minerals alliance system.

The pipeline runs in one direction (see README "How the graph is built"):
sources -> text -> extract -> assemble -> reason -> derive -> validate -> dist -> store -> server.
"""

__version__ = "0.1.0"
