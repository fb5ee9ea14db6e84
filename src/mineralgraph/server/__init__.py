"""SPARQL 1.1 endpoint over an embedded pyoxigraph store (issue #4).

Imports are lazy so that `mineralgraph --help` does not load Flask and pyoxigraph."""
from __future__ import annotations

__all__ = ["Settings", "close_app", "create_app"]


def __getattr__(name: str):
    if name in ("create_app", "close_app"):
        from . import app
        return getattr(app, name)
    if name == "Settings":
        from .limits import Settings
        return Settings
    raise AttributeError(name)
