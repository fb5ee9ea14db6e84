"""Parameter values -> RDF terms -> a VALUES block at each `#@values` marker.

Values are never spliced into the query as text: each one is validated for its type and
turned into an RDF term (pyoxigraph serialises it, escaping included), and only those terms
go into the VALUES blocks. Entity parameters are resolved against the graph (resolve.py).
"""
from __future__ import annotations

import datetime
import re

import pyoxigraph as ox

from .model import ENTITY_TYPES, MARKER_RE, BindError, Param, StoredQuery, suggest

XSD = "http://www.w3.org/2001/XMLSchema#"
MAX_VALUE = 500  # characters per value
MAX_VALUES = 50  # values per multiple parameter
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))


def scalar_term(p: Param, value: str):
    """The RDF term for a value of a non-entity parameter, or BindError."""
    value = value.strip()
    if p.type == "iri":
        if not _SCHEME.match(value):
            raise BindError(f"{p.name}: {value!r} is not an absolute IRI")
        try:
            return ox.NamedNode(value)
        except ValueError as err:
            raise BindError(f"{p.name}: {value!r} is not a valid IRI ({err})") from None
    if p.type == "date":
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise BindError(f"{p.name}: {value!r} is not a date; write YYYY-MM-DD (2023-06-30)")
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            raise BindError(f"{p.name}: {value!r} is not a calendar date") from None
        return _typed(value, "date")
    if p.type == "year":
        if not re.fullmatch(r"\d{4}", value):
            raise BindError(f"{p.name}: {value!r} is not a year; write four digits (2022)")
        return _typed(value, "gYear")
    if p.type == "integer":
        if not re.fullmatch(r"[+-]?\d{1,18}", value):
            raise BindError(f"{p.name}: {value!r} is not a whole number")
        return _typed(str(int(value)), "integer")
    if p.type == "boolean":
        if value.lower() not in ("true", "false", "1", "0"):
            raise BindError(f"{p.name}: {value!r} is not true or false")
        return _typed("true" if value.lower() in ("true", "1") else "false", "boolean")
    if p.type == "enum" or (p.type == "string" and p.allowed):
        if value not in p.allowed:
            raise BindError(f"{p.name}: {value!r} is not allowed; one of {', '.join(p.allowed)}"
                            + suggest(value, p.allowed))
        return ox.Literal(value)
    if p.type == "string":
        return ox.Literal(value)  # any text is a plain literal: quotes and braces are just characters
    raise BindError(f"{p.name}: no scalar type {p.type!r}")


def collect(query: StoredQuery, given: dict[str, list[str]], resolver=None) -> dict[str, list]:
    """Validate the given values ({name: [values]}) and return {name: [RDF terms]}.

    Unknown parameter names, missing required ones, repeated single-valued ones, bad values and
    unknown entities all raise BindError. A multiple parameter also takes comma-separated values."""
    unknown = sorted(set(given) - {p.name for p in query.params})
    if unknown:
        declared = ", ".join(p.name for p in query.params) or "none"
        raise BindError(f"{query.name} has no parameter {', '.join(map(repr, unknown))}; its parameters: {declared}")
    terms: dict[str, list] = {}
    for p in query.params:
        values = [v for v in given.get(p.name, []) if v.strip() != ""]
        if p.multiple:
            values = [part.strip() for v in values for part in v.split(",") if part.strip()]
        if not values and p.default is not None:
            values = [p.default]
        if not values:
            if p.required:
                example = f" (e.g. {p.name}={p.example})" if p.example else ""
                raise BindError(f"{query.name} needs parameter {p.name!r}{example}: {p.description}")
            continue
        if len(values) > 1 and not p.multiple:
            raise BindError(f"{p.name} takes one value, not {len(values)}")
        if len(values) > MAX_VALUES:
            raise BindError(f"{p.name}: at most {MAX_VALUES} values")
        out = []
        for value in values:
            if len(value) > MAX_VALUE:
                raise BindError(f"{p.name}: value longer than {MAX_VALUE} characters")
            if p.type in ENTITY_TYPES:
                if resolver is None:
                    raise BindError(f"{p.name}: cannot resolve entities without a graph")
                out.append(resolver.resolve(p, value))
            else:
                out.append(scalar_term(p, value))
        terms[p.name] = list(dict.fromkeys(out))
    return terms


def values_block(name: str, terms: list) -> str:
    body = " ".join(str(t) for t in terms) if terms else "UNDEF"
    return f"VALUES ?{name} {{ {body} }}"


def bind_text(query: StoredQuery, terms: dict[str, list]) -> str:
    """The query text with each `#@values a b` line replaced by VALUES blocks for a and b
    (UNDEF where a parameter has no value). Nothing else in the text changes."""
    lines = []
    for line in query.text.splitlines():
        m = MARKER_RE.match(line)
        if m:
            names = m.group(2).split()
            line = m.group(1) + " ".join(values_block(n, terms.get(n, [])) for n in names)
        lines.append(line)
    return "\n".join(lines) + "\n"


def prepare(query: StoredQuery, given: dict[str, list[str]], resolver) -> str:
    """Validate and resolve the parameters, and return the query text with them bound."""
    return bind_text(query, collect(query, given, resolver))
