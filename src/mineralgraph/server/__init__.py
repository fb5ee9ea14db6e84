"""SPARQL 1.1 endpoint over an embedded pyoxigraph store (issue #4).

`create_app` is imported on first use so that `mineralgraph --help` does not load Flask."""
from __future__ import annotations

from .limits import Settings

__all__ = ["Settings", "close_app", "create_app"]


def __getattr__(name: str):
    if name in ("create_app", "close_app"):
        from . import app  # Flask (~190 ms of imports): only when a server is made
        return getattr(app, name)
    raise AttributeError(name)
