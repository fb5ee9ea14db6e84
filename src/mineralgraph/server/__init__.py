"""SPARQL 1.1 endpoint over an embedded pyoxigraph store (issue #4)."""
from .app import close_app, create_app
from .limits import Settings

__all__ = ["Settings", "close_app", "create_app"]
