"""SPARQL files on disk (rules, checks, stored queries): read, with a `#` comment header."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .errors import InputError
from .namespaces import sparql_prologue

# The project's prefixes, declared before a file's text when its syntax is checked: the build
# runs rules and checks with them declared (build/workstore.py), so a file may use them undeclared.
_DECLARED = sparql_prologue()
_POSITION = re.compile(r"^error at (\d+):(\d+): ")


@dataclass
class SparqlFile:
    path: Path
    text: str
    header: str  # the leading comment block, without the `#`

    @property
    def name(self) -> str:
        return self.path.stem


def read_sparql(path: Path, parse: bool = True) -> SparqlFile:
    """parse=False skips the syntax check, for files a build already read and checked."""
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
    if parse:
        check_syntax(text, path)
    return SparqlFile(path, text, "\n".join(header))


def check_syntax(text: str, path: Path) -> None:
    """InputError naming the line of the first SPARQL syntax error in `text`, as pyoxigraph (the
    engine the build runs rules and checks on) reads it: a few milliseconds a file, where
    rdflib's parser took 0.1 s (1.6 s of every build)."""
    try:
        ox.Store().query(_DECLARED + text)  # parsed, then run on an empty store
    except SyntaxError as exc:
        message = str(exc).splitlines()[0]
        m = _POSITION.match(message)
        line = int(m.group(1)) - _DECLARED.count("\n") if m else None
        if m:
            message = f"column {m.group(2)}: {message[m.end():]}"
        raise InputError(f"SPARQL syntax error at {message[:300]}", path, line) from None


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
