"""Stored queries: SPARQL files in queries/*.rq with a metadata header (docs/QUERIES.md).

    #+ title: Members of a mechanism, source by source
    #+ description: Every actor a source names as taking part in the mechanism, with ...
    #+ param: mechanism (mechanism, required) The mechanism: IRI, abbreviation (MSP), id or name.
    #+ param: as_of (date) Only claims that speak for this date or earlier.
    #+   example: 2023-01-01
    #+ example: mechanism=MSP as_of=2023-01-01

and, in the query body, the place the parameters are bound:

    WHERE {
      #@values mechanism as_of
      ...

The header is read and checked here (at server start, by `mineralgraph queries` and in the
test suite); nothing in the query text is ever replaced except the `#@values` lines.
"""
from __future__ import annotations

import difflib
import re
import shlex
from pathlib import Path

import pyoxigraph as ox

from ..core.paths import project_root
from .binding import bind_text, scalar_term
from .model import (HEADER_RE, MARKER_RE, NAME_RE, PARAM_KEYS, QUERY_NAME_RE, RESERVED, SCALAR_TYPES, TOP_KEYS,
                    TYPES, BindError, Param, QuerySpecError, StoredQuery)

LABEL_MAX = 40  # a `#+ label:` names a tab in the editor and a link on the front page

def _truthy(value: str) -> bool:
    return value.strip().lower() in ("true", "yes", "1", "required")


def _parse_param_line(value: str, path: Path, line: int) -> Param:
    # NAME (TYPE[, required][, multiple][, default=V][, allowed=a|b|c]) description
    m = re.match(r"^([A-Za-z0-9_-]+)\s*(?:\(([^)]*)\))?\s*(.*)$", value.strip())
    if not m:
        raise QuerySpecError(f"cannot read `param:` line {value!r}", path, line)
    name, attrs, description = m.group(1), m.group(2), m.group(3).strip()
    if not NAME_RE.match(name):
        raise QuerySpecError(f"parameter name {name!r} must be lower case letters, digits and _", path, line)
    if name in RESERVED:
        raise QuerySpecError(f"parameter name {name!r} is reserved ({', '.join(sorted(RESERVED))})", path, line)
    if attrs is None:
        raise QuerySpecError(f"parameter {name!r} needs a type: `param: {name} (TYPE) description`", path, line)
    p = Param(name=name, type="", description=description)
    for i, raw in enumerate(a.strip() for a in attrs.split(",")):
        if not raw:
            continue
        if i == 0:
            p.type = raw
        elif raw == "required":
            p.required = True
        elif raw == "optional":
            p.required = False
        elif raw == "multiple":
            p.multiple = True
        elif raw.startswith("default="):
            p.default = raw[len("default="):].strip()
        elif raw.startswith("allowed="):
            p.allowed = [v.strip() for v in raw[len("allowed="):].split("|") if v.strip()]
        else:
            raise QuerySpecError(f"parameter {name!r}: unknown attribute {raw!r} "
                                 "(required, multiple, default=V, allowed=a|b)", path, line)
    return p


def _check_param(p: Param, path: Path, line: int) -> None:
    if p.type not in TYPES:
        raise QuerySpecError(f"parameter {p.name!r}: unknown type {p.type!r}; one of {', '.join(sorted(TYPES))}", path, line)
    if p.allowed and p.type not in ("enum", "string"):
        raise QuerySpecError(f"parameter {p.name!r}: `allowed` is for enum parameters", path, line)
    if p.type == "enum" and not p.allowed:
        raise QuerySpecError(f"parameter {p.name!r}: an enum needs allowed=a|b|c", path, line)
    if p.required and p.default is not None:
        raise QuerySpecError(f"parameter {p.name!r}: a required parameter cannot have a default", path, line)
    if not p.description:
        raise QuerySpecError(f"parameter {p.name!r} needs a description", path, line)
    if p.default is not None and p.type in SCALAR_TYPES:
        try:
            scalar_term(p, p.default)
        except BindError as err:
            raise QuerySpecError(f"parameter {p.name!r}: default {p.default!r}: {err}", path, line) from None


def parse_example(text: str) -> dict[str, list[str]]:
    """`mechanism=MSP as_of=2023-01-01` (shell quoting allowed) -> {name: [values]}."""
    out: dict[str, list[str]] = {}
    for token in shlex.split(text):
        key, sep, value = token.partition("=")
        if not sep:
            raise ValueError(f"example token {token!r} is not name=value")
        out.setdefault(key, []).append(value)
    return out


def parse(path: Path) -> StoredQuery:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise QuerySpecError("not valid UTF-8", path) from None
    name = path.stem
    if not QUERY_NAME_RE.match(name):
        raise QuerySpecError(f"query file name {name!r}: lower case letters, digits and '-'", path)
    meta: dict[str, list[str]] = {k: [] for k in TOP_KEYS}
    params: list[tuple[Param, int]] = []
    example_lines: list[tuple[str, int]] = []
    markers: list[tuple[list[str], int]] = []
    in_header = True
    for lineno, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        marker = MARKER_RE.match(line)
        if marker:
            names = marker.group(2).split()
            if not names:
                raise QuerySpecError("`#@values` needs the parameter names it binds", path, lineno)
            markers.append((names, lineno))
            continue
        if in_header and stripped.startswith("#+"):
            m = HEADER_RE.match(stripped if not line.startswith("#+") else line)
            if not m:
                raise QuerySpecError(f"cannot read header line {line!r} (expected `#+ key: value`)", path, lineno)
            indent, key, value = m.group(1), m.group(2).lower(), m.group(3).strip()
            if len(indent) > 1:  # `#+   key: value` belongs to the parameter above
                if not params:
                    raise QuerySpecError(f"indented `{key}:` with no `param:` above it", path, lineno)
                if key not in PARAM_KEYS:
                    raise QuerySpecError(f"unknown parameter key {key!r}; one of {', '.join(sorted(PARAM_KEYS))}", path, lineno)
                p = params[-1][0]
                if key == "description":
                    p.description = (p.description + " " + value).strip()
                elif key == "allowed":
                    p.allowed = [v.strip() for v in re.split(r"[|,]", value) if v.strip()]
                elif key in ("required", "multiple"):
                    setattr(p, key, _truthy(value))
                else:
                    setattr(p, key, value)
                continue
            if key not in TOP_KEYS:
                raise QuerySpecError(f"unknown header key {key!r}; one of {', '.join(sorted(TOP_KEYS))}", path, lineno)
            if key == "param":
                params.append((_parse_param_line(value, path, lineno), lineno))
            elif key == "example":
                example_lines.append((value, lineno))
            else:
                meta[key].append(value)
            continue
        if in_header and (stripped.startswith("#") or not stripped):
            continue
        in_header = False
        if stripped.startswith("#+"):
            raise QuerySpecError("header lines (`#+`) must come before the query", path, lineno)
    for key in ("title", "description"):
        if not "".join(meta[key]).strip():
            raise QuerySpecError(f"stored query needs a `#+ {key}:` line", path)
    if not example_lines:
        raise QuerySpecError("stored query needs at least one `#+ example:` line (name=value ...)", path)
    if len(meta["title"]) > 1:
        raise QuerySpecError("one `#+ title:` line only", path)
    if len(meta["label"]) > 1 or any(len(v.strip()) > LABEL_MAX for v in meta["label"]):
        raise QuerySpecError(f"one `#+ label:` line only, at most {LABEL_MAX} characters (a tab's name)", path)
    seen: set[str] = set()
    for p, lineno in params:
        if p.name in seen:
            raise QuerySpecError(f"parameter {p.name!r} declared twice", path, lineno)
        seen.add(p.name)
        _check_param(p, path, lineno)
    bound: set[str] = set()
    for names, lineno in markers:
        for n in names:
            if n not in seen:
                raise QuerySpecError(f"`#@values` binds undeclared parameter {n!r}; declare it with `#+ param:`", path, lineno)
            bound.add(n)
    for p, lineno in params:
        if p.name not in bound:
            raise QuerySpecError(f"parameter {p.name!r} is declared but no `#@values` line binds it", path, lineno)
    examples = []
    for value, lineno in example_lines:
        try:
            ex = parse_example(value)
        except ValueError as err:
            raise QuerySpecError(f"example: {err}", path, lineno) from None
        for key in ex:
            if key not in seen:
                raise QuerySpecError(f"example uses undeclared parameter {key!r}", path, lineno)
        for p, _ in params:
            if p.required and p.name not in ex:
                raise QuerySpecError(f"example lacks required parameter {p.name!r}", path, lineno)
        examples.append(ex)
    query = StoredQuery(
        name=name, path=path, text=text, title=meta["title"][0].strip(),
        description=" ".join(v.strip() for v in meta["description"]).strip(),
        params=[p for p, _ in params], examples=examples,
        example_lines=[v for v, _ in example_lines],
        tags=[t.strip() for v in meta["tags"] for t in v.split(",") if t.strip()],
        label=meta["label"][0].strip() if meta["label"] else "",
    )
    _check_syntax(query)
    return query


def _check_syntax(query: StoredQuery) -> None:
    """The query, with every parameter left unbound, must parse (pyoxigraph, the serving engine)."""
    text = bind_text(query, {})
    try:
        ox.Store().query(text)
    except SyntaxError as err:
        raise QuerySpecError(f"SPARQL syntax error: {err}", query.path) from None


def query_dir(root: Path | None = None) -> Path:
    return (Path(root) if root else project_root()) / "queries"


def load_all(directory: Path | None = None) -> dict[str, StoredQuery]:
    """Every stored query in queries/*.rq (not rules/ or checks/), checked; raises on the first bad one."""
    directory = Path(directory) if directory else query_dir()
    return {q.name: q for q in (parse(p) for p in sorted(directory.glob("*.rq")))}


def suggest_names(name: str, queries) -> str:
    close = difflib.get_close_matches(name, list(queries), n=3, cutoff=0.5)
    return f"; did you mean: {', '.join(close)}?" if close else ""
