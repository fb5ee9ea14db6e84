"""Stored queries over HTTP: GET /queries (JSON or HTML), GET /queries/NAME?key=value (the
same content negotiation, worker pool, timeout and serialisation as /sparql), /openapi.json.

Parameters are validated and resolved (entity short forms against the graph) before the query
reaches a worker; a bad value is a 400 with the reason and the closest known names."""
from __future__ import annotations

import csv
import io
import json

from flask import Blueprint, Response, jsonify, request

from mineralgraph.storedqueries import BindError
from mineralgraph.storedqueries.catalog import listing, openapi_document
from mineralgraph.storedqueries.spec import suggest_names

from . import conneg, spreadsheet
from .common import (PAGE_PARAMS, ProtocolError, negotiate_results, not_acceptable, page_params, page_url, paged_text,
                     public_root, result_response, url_params)
from .frame import JSON, page, wants_html
from .service import service
from .shownquote import with_shown_quotes
from .web.queries_html import query_list_page, query_page

bp = Blueprint("queries", __name__)
FORMAT_PARAMS = ("format", "output", "results")
# ?format= values that choose between the page and the data
PAGE_OR_DATA = ("html", "json")
HTML_PAGE = 100  # rows on a page of a stored query's HTML answer (?limit= up to the endpoint's cap)


@bp.get("/queries")
def list_queries():
    base = public_root(service().settings).rstrip("/")
    items = listing(service().stored_queries(), base)
    if wants_html(JSON, PAGE_OR_DATA):
        return query_list_page(items)
    response = jsonify(queries=items, openapi=f"{base}/openapi.json")
    response.headers["Vary"] = "Accept"
    return response


@bp.get("/queries/<name>")
def run_query(name: str):
    svc = service()
    queries = svc.stored_queries()
    q = queries.get(name)
    if q is None:
        raise ProtocolError(404, f"No stored query {name!r}{suggest_names(name, queries)}; GET /queries lists them.")
    params = url_params()
    given: dict[str, list[str]] = {}
    for key, value in params:
        if key not in FORMAT_PARAMS and key not in PAGE_PARAMS:
            given.setdefault(key, []).append(value)
    cap = svc.settings.max_results
    if wants_html(JSON, PAGE_OR_DATA) and all(request.args.get(k) in (None, "html") for k in FORMAT_PARAMS):
        limit, offset = page_params(params, min(HTML_PAGE, cap), cap)
        return query_page(q, given, limit, offset)  # the browser view: form + table (issue #6)
    limit, offset = page_params(params, cap, cap)
    try:
        text = svc.prepare(q, given)
    except BindError as err:
        raise ProtocolError(400, f"Bad parameter for {name}: {err}") from None
    flat = {k: v for k, v in params if k in FORMAT_PARAMS}
    if _wants_xlsx(flat):
        return _xlsx(svc, text, name)
    if flat.get("format") in ("csv", "json") and "?quote" in q.text:
        # the page's download links: the quote as the page shows it, the verbatim one beside it
        return _shown_download(svc, text, name, flat["format"], limit, offset, params)
    formats = negotiate_results(params)
    answer = svc.query(paged_text(text, limit, offset), {kind: c.key if c else None for kind, c in formats.items()}, cap=limit)
    if answer.get("error") == "not_acceptable":
        raise not_acceptable(answer["kind"])
    if answer.get("error"):
        raise ProtocolError(500, f"Stored query {name} failed: {answer.get('message')}")
    more = answer["truncated"]  # the page's extra row came back: there is a next page, nothing is cut
    response = result_response({**answer, "truncated": False}, formats[answer["kind"]], cap)
    if more:
        response.headers["Link"] = f'<{public_root(svc.settings).rstrip("/")}{page_url(request.path, params, limit, offset + limit)}>; rel="next"'
    return _as_download(response, name, flat.get("format"))


def _wants_xlsx(flat: dict) -> bool:
    """?format=xlsx, or an Accept that prefers the XLSX media type to every SPARQL result format."""
    if any(v is not None for v in flat.values()):
        return any((v or "").strip().lower() in ("xlsx", spreadsheet.MEDIA) for v in flat.values())
    choice = conneg.negotiate(request.headers.get("Accept"), conneg.SOLUTIONS + [(spreadsheet.MEDIA, "xlsx")])
    return choice is not None and choice.key == "xlsx"


def _xlsx(svc, text: str, name: str) -> Response:
    """The answer as a workbook, made from the workers' SPARQL JSON (only a SELECT has rows)."""
    answer = svc.query(text, {"solutions": "json", "boolean": None, "graph": None})
    if answer.get("error") == "not_acceptable":
        raise ProtocolError(406, f"Stored query {name} does not answer with rows; XLSX needs rows.", {"Vary": "Accept"})
    if answer.get("error"):
        raise ProtocolError(500, f"Stored query {name} failed: {answer.get('message')}")
    data = with_shown_quotes(json.loads(answer["body"]))
    response = Response(spreadsheet.from_sparql_json(json.dumps(data), name), content_type=spreadsheet.MEDIA)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    response.headers["Vary"] = "Accept"
    if answer["truncated"]:
        response.headers["X-SPARQL-Truncated"] = "true"
        response.headers["X-SPARQL-MaxRows"] = str(svc.settings.max_results)
    return response


def _shown_download(svc, text: str, name: str, fmt: str, limit: int, offset: int, params) -> Response:
    """A `?format=csv|json` download of an answer with quotes: made from the workers' SPARQL JSON,
    each quote as shown (no pinyin glosses or markup) and `quoteVerbatim` beside it."""
    answer = svc.query(paged_text(text, limit, offset), {"solutions": "json", "boolean": None, "graph": None}, cap=limit)
    if answer.get("error"):
        raise ProtocolError(500, f"Stored query {name} failed: {answer.get('message')}")
    data = with_shown_quotes(json.loads(answer["body"]))
    if fmt == "json":
        response = Response(json.dumps(data, ensure_ascii=False), content_type="application/sparql-results+json")
    else:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        names = data["head"]["vars"]
        writer.writerow(names)
        for b in data["results"]["bindings"]:
            writer.writerow([b[n]["value"] if n in b else "" for n in names])
        response = Response(out.getvalue(), content_type="text/csv; charset=utf-8")
    if answer["truncated"]:  # the page's extra row came back: there is a next page
        response.headers["Link"] = f'<{public_root(svc.settings).rstrip("/")}{page_url(request.path, params, limit, offset + limit)}>; rel="next"'
    return _as_download(response, name, fmt)


def _as_download(response: Response, name: str, fmt: str | None) -> Response:
    """A `?format=csv|tsv` link is a download for a spreadsheet: a file name, and for CSV the UTF-8
    byte-order mark without which spreadsheet programs read Chinese as mojibake. Clients that ask
    by Accept get the plain SPARQL CSV/TSV, byte for byte what /sparql sends."""
    if fmt in ("csv", "tsv") and response.status_code == 200:
        response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
        if fmt == "csv":
            response.set_data(b"\xef\xbb\xbf" + response.get_data())
    return response


@bp.get("/openapi.json")
def openapi():
    if wants_html(JSON, PAGE_OR_DATA):
        # Browsers get the interactive page (vendored Swagger UI), which fetches this URL as JSON.
        return page("apidocs.html", headers={"Vary": "Accept"})
    media = [m for m, _ in conneg.SOLUTIONS if m != "application/json"]
    response = jsonify(openapi_document(service().stored_queries(), public_root(service().settings).rstrip("/"), media))
    response.headers["Vary"] = "Accept"
    return response
