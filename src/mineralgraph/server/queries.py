"""Stored queries over HTTP: GET /queries (JSON or HTML), GET /queries/NAME?key=value (the
same content negotiation, worker pool, timeout and serialisation as /sparql), /openapi.json.

Parameters are validated and resolved (entity short forms against the graph) before the query
reaches a worker; a bad value is a 400 with the reason and the closest known names."""
from __future__ import annotations


from flask import Blueprint, Response, current_app, jsonify, request

from . import conneg
from .common import ProtocolError, run_in_pool, url_params
from .sparql import _not_acceptable, result_response

bp = Blueprint("queries", __name__)
FORMAT_PARAMS = ("format", "output", "results")


def _catalog():
    ext = current_app.extensions
    if "mineralgraph.queries" not in ext:
        from mineralgraph.storedqueries import load_all, query_dir

        directory = current_app.config.get("MINERALGRAPH_QUERIES") or query_dir()
        ext["mineralgraph.queries"] = load_all(directory)
    return ext["mineralgraph.queries"]


def _pool_select(sparql: str) -> list[dict]:
    from mineralgraph.storedqueries.run import rows_of

    state = current_app.extensions["mineralgraph"]
    answer = run_in_pool(state, {"op": "query", "query": sparql, "formats": {"solutions": "json"},
                                 "cap": 1_000_000})
    if answer.get("error"):
        raise ProtocolError(500, f"entity index query failed: {answer.get('message')}")
    names, bindings = rows_of(answer["body"])
    return [{n: b[n]["value"] for n in names if n in b} for b in bindings]


def _resolver():
    """The entity index, read once through the workers (the served graph never changes)."""
    from mineralgraph.storedqueries.resolve import Resolver

    resolver = current_app.extensions.get("mineralgraph.resolver")
    if resolver is None:
        resolver = current_app.extensions["mineralgraph.resolver"] = Resolver(_pool_select)
    return resolver


def _wants_html() -> bool:
    offers = [("application/json", "json"), ("text/html", "html")]
    choice = conneg.negotiate(request.headers.get("Accept"), offers)
    if request.args.get("format") in ("html", "json"):
        return request.args["format"] == "html"
    return choice is not None and choice.key == "html"


@bp.get("/queries")
def list_queries():
    queries = _catalog()
    base = request.host_url.rstrip("/")
    items = []
    for q in queries.values():
        d = q.to_dict()
        d["url"] = f"{base}/queries/{q.name}"
        d["example_urls"] = [f"{base}/queries/{q.name}" + _query_string(ex) for ex in q.examples]
        items.append(d)
    if _wants_html():
        from .web.queries_html import query_list_page  # the browser view, in the site's frame
        return query_list_page(items)
    response = jsonify(queries=items, openapi=f"{base}/openapi.json")
    response.headers["Vary"] = "Accept"
    return response


def _query_string(example: dict[str, list[str]]) -> str:
    from urllib.parse import urlencode

    pairs = [(k, v) for k, vs in example.items() for v in vs]
    return "?" + urlencode(pairs) if pairs else ""


@bp.get("/queries/<name>")
def run_query(name: str):
    from mineralgraph.storedqueries import BindError, prepare
    from mineralgraph.storedqueries.spec import suggest_names

    queries = _catalog()
    q = queries.get(name)
    if q is None:
        raise ProtocolError(404, f"No stored query {name!r}{suggest_names(name, queries)}; GET /queries lists them.")
    params = url_params()
    given: dict[str, list[str]] = {}
    for key, value in params:
        if key not in FORMAT_PARAMS:
            given.setdefault(key, []).append(value)
    if _wants_html() and all(request.args.get(k) in (None, "html") for k in FORMAT_PARAMS):
        from .web.queries_html import query_page  # the browser view: form + table (issue #6)
        return query_page(q, given, _resolver())
    try:
        text = prepare(q, given, _resolver())
    except BindError as err:
        raise ProtocolError(400, f"Bad parameter for {name}: {err}") from None
    state = current_app.extensions["mineralgraph"]
    flat = {k: v for k, v in params if k in FORMAT_PARAMS}
    accept = request.headers.get("Accept")
    formats = {kind: conneg.choose(kind, accept, flat) for kind in conneg.OFFERS}
    if not any(formats.values()):
        raise _not_acceptable("solutions")
    answer = run_in_pool(state, {"op": "query", "query": text,
                                 "formats": {kind: c.key if c else None for kind, c in formats.items()},
                                 "cap": state.settings.max_results})
    if answer.get("error") == "not_acceptable":
        raise _not_acceptable(answer["kind"])
    if answer.get("error"):
        raise ProtocolError(500, f"Stored query {name} failed: {answer.get('message')}")
    response = result_response(answer, formats[answer["kind"]], state.settings.max_results)
    return _as_download(response, name, flat.get("format"))


def _as_download(response: Response, name: str, fmt: str | None) -> Response:
    """A `?format=csv|tsv` link is a download for a spreadsheet: a file name, and for CSV the UTF-8
    byte-order mark without which spreadsheet programs read Chinese as mojibake. Clients that ask
    by Accept get the plain SPARQL CSV/TSV, byte for byte what /sparql sends."""
    if fmt in ("csv", "tsv") and response.status_code == 200:
        response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
        if fmt == "csv":
            response.set_data(b"\xef\xbb\xbf" + response.get_data())
    return response


_SCHEMAS = {
    "date": {"type": "string", "format": "date"},
    "year": {"type": "string", "pattern": "^[0-9]{4}$"},
    "integer": {"type": "integer"},
    "boolean": {"type": "boolean"},
    "iri": {"type": "string", "format": "iri"},
}


def openapi_document(queries, server_url: str) -> dict:
    paths = {}
    media = {m: {} for m, _ in conneg.SOLUTIONS if m != "application/json"}
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


@bp.get("/openapi.json")
def openapi():
    if _wants_html():
        # Browsers get the interactive page (vendored Swagger UI), which fetches this URL as JSON.
        from .web.views import page

        return page("apidocs.html", headers={"Vary": "Accept"})
    response = jsonify(openapi_document(_catalog(), request.host_url.rstrip("/")))
    response.headers["Vary"] = "Accept"
    return response
