"""The stored queries as a client sees them: their listing with example URLs, the query editor's
tabs (each query with its first example bound), the OpenAPI document, and a lenient header
reader for query files the strict parser (spec.py) refuses, so the editor still shows them."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from ..core.sparqlfiles import header_fields
from .binding import prepare
from .model import StoredQuery

log = logging.getLogger("mineralgraph.web")


@dataclass
class PlainQuery:
    """What the lenient reader knows about a query file: its header and text."""

    name: str
    text: str
    title: str
    description: str = ""
    params: list = field(default_factory=list)
    examples: list = field(default_factory=list)
    example_lines: list = field(default_factory=list)
    tags: list = field(default_factory=list)
    label: str = ""


def read_headers(directory: Path) -> dict[str, PlainQuery]:
    """queries/*.rq -> {name: PlainQuery} from their `#+ title:` / `#+ description:` lines."""
    out = {}
    for path in sorted(Path(directory).glob("*.rq")):
        text = path.read_text(encoding="utf-8", errors="replace")
        meta = header_fields(text)
        out[path.stem] = PlainQuery(name=path.stem, text=text, title=" ".join(meta.get("title", [path.stem])),
                                    description=" ".join(meta.get("description", [])),
                                    example_lines=meta.get("example", []),
                                    label=" ".join(meta.get("label", [])))
    return out


def example_query_string(example: dict[str, list[str]]) -> str:
    """`?mechanism=MSP&as_of=2023-01-01` for an example ({name: [values]}); "" for none."""
    pairs = [(k, v) for k, vs in example.items() for v in vs]
    return "?" + urlencode(pairs) if pairs else ""


def listing(queries: dict[str, StoredQuery], base_url: str) -> list[dict]:
    """Every stored query with its parameters, its URL and its examples' URLs (GET /queries)."""
    items = []
    for q in queries.values():
        d = q.to_dict()
        d["url"] = f"{base_url}/queries/{q.name}"
        d["example_urls"] = [f"{base_url}/queries/{q.name}" + example_query_string(ex) for ex in q.examples]
        items.append(d)
    return items


def example_text(q, resolver) -> str:
    """The query text with its first example's values bound, ready to run in the editor."""
    if getattr(q, "examples", None):
        try:
            return prepare(q, q.examples[0], resolver)
        except Exception as err:  # unresolvable example: leave the #@values lines unbound
            log.warning("stored query %s: example not bound (%s)", q.name, err)
    return q.text


def editor_tabs(queries: dict, resolver) -> list[dict]:
    """One tab per stored query for the query editor at /."""
    return [{"name": q.name, "label": q.label or q.title, "title": q.title, "description": q.description,
             "query": example_text(q, resolver), "example": (q.example_lines or [""])[0]}
            for q in queries.values()]


_SCHEMAS = {
    "date": {"type": "string", "format": "date"},
    "year": {"type": "string", "pattern": "^[0-9]{4}$"},
    "integer": {"type": "integer"},
    "boolean": {"type": "boolean"},
    "iri": {"type": "string", "format": "iri"},
}


def openapi_document(queries: dict[str, StoredQuery], server_url: str, result_media: list[str]) -> dict:
    """OpenAPI 3 for GET /queries/NAME, one operation per stored query; `result_media` are the
    media types a result is offered in."""
    paths = {}
    media = {m: {} for m in result_media}
    for q in queries.values():
        parameters = []
        for p in q.params:
            schema = dict(_SCHEMAS.get(p.type, {"type": "string"}))
            if p.allowed:
                schema["enum"] = list(p.allowed)
            if p.default is not None:
                schema["default"] = p.default
            if p.multiple:
                schema = {"type": "array", "items": schema}
            desc = p.description
            if p.type not in _SCHEMAS and p.type not in ("string", "enum"):
                desc += f" (a {p.type}: full IRI or short form; unknown values give 400 with suggestions)"
            param = {"name": p.name, "in": "query", "required": p.required, "description": desc, "schema": schema}
            if p.multiple:
                param.update(style="form", explode=True)
            if p.example is not None:
                param["example"] = p.example.split(",") if p.multiple else p.example
            parameters.append(param)
        parameters.append({"name": "format", "in": "query", "required": False,
                           "description": "Result format instead of Accept: json, xml, csv, tsv.",
                           "schema": {"type": "string", "enum": ["json", "xml", "csv", "tsv"]}})
        paths[f"/queries/{q.name}"] = {"get": {
            "operationId": q.name.replace("-", "_"), "summary": q.title, "description": q.description,
            "tags": q.tags or ["queries"], "parameters": parameters,
            "responses": {
                "200": {"description": "SPARQL 1.1 query results", "content": media},
                "400": {"description": "A missing, malformed or unknown parameter value (text/plain, with suggestions)"},
                "406": {"description": "No acceptable result format"},
                "503": {"description": "Query timeout or server busy"},
            }}}
    paths["/queries"] = {"get": {"operationId": "list_queries", "summary": "The stored queries and their parameters",
                                 "responses": {"200": {"description": "JSON (default) or HTML by Accept",
                                                       "content": {"application/json": {}, "text/html": {}}}}}}
    return {"openapi": "3.0.3",
            "info": {"title": "mineralgraph stored queries", "version": "0.1.0",
                     "description": "Named, parameterised SPARQL queries over the critical-minerals alliance graph. "
                                    "Ad-hoc SPARQL: /sparql (SPARQL 1.1 Protocol)."},
            "servers": [{"url": server_url}], "paths": paths}
