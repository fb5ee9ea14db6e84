"""SPARQL files on disk (rules, checks, stored queries): read, with a `#` comment header."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rdflib.plugins.sparql import prepareQuery

from .errors import InputError
from .namespaces import PREFIXES


@dataclass
class SparqlFile:
    path: Path
    text: str
    header: str  # the leading comment block, without the `#`

    @property
    def name(self) -> str:
        return self.path.stem


def read_sparql(path: Path, parse: bool = True) -> SparqlFile:
    """parse=False skips the syntax check (~0.1 s a file, rdflib's parser), for files a build
    already read and checked (validate/delta.py)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError("not valid UTF-8", path) from None
    header = []
    for line in text.splitlines():
        if line.startswith("#"):
            header.append(line[1:].strip())
        elif line.strip():
            break
    try:
        if parse:
            prepareQuery(text, initNs=PREFIXES)
    except Exception as exc:  # rdflib raises pyparsing errors with line/col
        line = getattr(exc, "lineno", None)
        raise InputError(f"SPARQL syntax error: {str(exc).splitlines()[0]}", path, line) from None
    return SparqlFile(path, text, "\n".join(header))


# `#+ key: value`: the metadata lines of a stored query (docs/QUERIES.md; checked by storedqueries/spec.py)
HEADER_FIELD = re.compile(r"^#\+\s?([A-Za-z_-]+)\s*:\s?(.*)$")


def header_fields(text: str) -> dict[str, list[str]]:
    """Every `#+ key: value` line of a query file as {key (lower case): [values, in order]}, unchecked."""
    fields: dict[str, list[str]] = {}
    for line in text.splitlines():
        m = HEADER_FIELD.match(line)
        if m:
            fields.setdefault(m.group(1).lower(), []).append(m.group(2).strip())
    return fields


def read_dir(directory: Path, parse: bool = True) -> list[SparqlFile]:
    return [read_sparql(p, parse) for p in sorted(directory.glob("*.rq"))] if directory.is_dir() else []
