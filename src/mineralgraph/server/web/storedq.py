"""The stored queries, as the web pages see them: the registry the /queries blueprint serves
(mineralgraph.storedqueries, through server/queries.py), with a small header reader as a fallback
so the editor still gets its tabs when a query file does not pass the registry's checks."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

log = logging.getLogger("mineralgraph.web")


@dataclass
class PlainQuery:
    """What the fallback reader knows about a query file: its header and text."""

    name: str
    text: str
    title: str
    description: str = ""
    params: list = field(default_factory=list)
    examples: list = field(default_factory=list)
    example_lines: list = field(default_factory=list)
    tags: list = field(default_factory=list)


def read_headers(directory: Path) -> dict[str, PlainQuery]:
    """queries/*.rq -> {name: PlainQuery} from their `#+ title:` / `#+ description:` lines."""
    out = {}
    for path in sorted(Path(directory).glob("*.rq")):
        text = path.read_text(encoding="utf-8", errors="replace")
        meta: dict[str, list[str]] = {}
        for line in text.splitlines():
            m = re.match(r"^#\+\s?([A-Za-z_-]+)\s*:\s?(.*)$", line)
            if m:
                meta.setdefault(m.group(1).lower(), []).append(m.group(2).strip())
        out[path.stem] = PlainQuery(name=path.stem, text=text, title=" ".join(meta.get("title", [path.stem])),
                                    description=" ".join(meta.get("description", [])),
                                    example_lines=meta.get("example", []))
    return out


def catalog() -> dict:
    try:
        from .. import queries as registry

        return registry._catalog()
    except Exception as err:  # a query file the registry refuses: show what we can
        log.warning("stored-query registry unavailable (%s); reading query headers directly", err)
        from mineralgraph.storedqueries.spec import query_dir

        directory = current_app.config.get("MINERALGRAPH_QUERIES") or query_dir()
        return read_headers(directory)


def resolver():
    from .. import queries as registry

    return registry._resolver()


def example_text(q) -> str:
    """The query text with its first example's values bound, ready to run in the editor."""
    if getattr(q, "examples", None):
        try:
            from mineralgraph.storedqueries import prepare

            return prepare(q, q.examples[0], resolver())
        except Exception as err:  # unresolvable example: leave the #@values lines unbound
            log.warning("stored query %s: example not bound (%s)", q.name, err)
    return q.text


def editor_tabs() -> list[dict]:
    tabs = []
    for q in catalog().values():
        tabs.append({"name": q.name, "title": q.title, "description": q.description,
                     "query": example_text(q), "example": (q.example_lines or [""])[0]})
    return tabs
