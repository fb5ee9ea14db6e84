"""What a stored query is (its parameters, the header keys, the `#@values` marker) and the two
errors it can raise: the types spec.py reads, binding.py binds and resolve.py resolves against."""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import InputError

NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
QUERY_NAME_RE = re.compile(r"^[a-z][a-z0-9-]*$")
HEADER_RE = re.compile(r"^#\+(\s*)([A-Za-z_-]+)\s*:\s?(.*)$")
MARKER_RE = re.compile(r"^(\s*)#@values\b(.*)$")
# Names the HTTP side uses itself (content negotiation, protocol dataset).
RESERVED = {"format", "output", "results", "query", "update", "default-graph-uri", "named-graph-uri"}

SCALAR_TYPES = {"iri", "date", "year", "integer", "string", "enum", "boolean"}
# Entity types: resolved against the graph (resolve.py), bound as IRIs.
ENTITY_TYPES = {
    "country", "mechanism", "mineral", "list", "list-version", "source", "actor", "indicator",
    "policy", "mechanism-kind", "entity", "table", "event-type", "category",
}
TYPES = SCALAR_TYPES | ENTITY_TYPES
TOP_KEYS = {"title", "label", "description", "param", "example", "tags"}
PARAM_KEYS = {"description", "default", "allowed", "example", "required", "multiple", "type"}


class BindError(ValueError):
    """A parameter value that cannot be used: the message says why and what would work."""


class QuerySpecError(InputError):
    """A stored query file whose header or markers are wrong (file and line in the message)."""


@dataclass
class Param:
    name: str
    type: str
    required: bool = False
    multiple: bool = False
    default: str | None = None
    allowed: list[str] = field(default_factory=list)
    description: str = ""
    example: str | None = None

    def to_dict(self) -> dict:
        out = {"name": self.name, "type": self.type, "required": self.required,
               "multiple": self.multiple, "description": self.description}
        if self.default is not None:
            out["default"] = self.default
        if self.allowed:
            out["allowed"] = list(self.allowed)
        if self.example is not None:
            out["example"] = self.example
        return out


@dataclass
class StoredQuery:
    name: str
    path: Path
    text: str
    title: str
    description: str
    params: list[Param]
    examples: list[dict[str, list[str]]]
    example_lines: list[str]
    tags: list[str] = field(default_factory=list)
    # the short name a person reads on a tab or a link (`#+ label:`); the slug stays the id
    label: str = ""

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def to_dict(self) -> dict:
        return {"name": self.name, "label": self.label or self.title, "title": self.title, "description": self.description,
                "params": [p.to_dict() for p in self.params], "examples": self.example_lines,
                "tags": self.tags}


def normalise(text: str) -> str:
    """A name as compared: Unicode-normalised (NFKC), spaces collapsed, case folded."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip().casefold()


def suggest(value: str, candidates) -> str:
    """'; did you mean: a, b?' from close spellings (or '')."""
    names = list(dict.fromkeys(candidates))
    lowered = {normalise(n): n for n in names}
    wanted = normalise(value)
    close = difflib.get_close_matches(wanted, list(lowered), n=5, cutoff=0.6)
    close += [k for k in lowered if wanted and len(wanted) >= 2 and wanted in k and k not in close]
    shown = list(dict.fromkeys(lowered[k] for k in close))[:6]
    return f"; did you mean: {', '.join(shown)}?" if shown else ""
