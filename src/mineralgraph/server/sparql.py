"""SPARQL 1.1 Protocol at /sparql: query by GET, URL-encoded POST and direct POST; the service
description for a GET without a query. SPARQL Update is refused (403): the graph is read-only."""
from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, request

from . import conneg, querytext
from .common import (ProtocolError, body_bytes, charset_of, negotiate_results, not_acceptable, parse_params,
                     public_root,
                     refuse_write, result_response, url_params)
from .description import describe_service
from .frame import wants_html
from .service import service

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"


def _values(params, name):
    return [v for k, v in params if k == name]


def _decode_body(charset: str) -> str:
    try:
        return body_bytes().decode(charset).removeprefix("\ufeff")  # a UTF-8 byte order mark is allowed
    except UnicodeDecodeError as err:
        raise ProtocolError(400, f"The request body is not valid UTF-8 (byte {err.start}: "
                                 f"{err.reason}). Send the query as UTF-8.") from None


def _collect() -> tuple[list[str], list[str], list[tuple[str, str]]]:
    """(query values, update values, all parameters) from the request, per the protocol's
    three ways of sending an operation."""
    params = url_params()
    if request.method in ("GET", "HEAD"):
        return _values(params, "query"), _values(params, "update"), params
    mimetype = request.mimetype
    if mimetype == FORM:
        params = params + parse_params(body_bytes(), charset_of())
        return _values(params, "query"), _values(params, "update"), params
    if mimetype == UPDATE_TYPE:
        raise refuse_write("SPARQL Update")  # refused whatever the body holds: no need to read it
    if mimetype == QUERY_TYPE:
        for name in ("query", "update"):
            if _values(params, name):
                raise ProtocolError(400, f"A direct POST carries the query in the body; "
                                         f"remove the '{name}' URL parameter.")
        return [_decode_body(charset_of())], [], params
    raise ProtocolError(400, f"Unsupported Content-Type {mimetype or '(none)'!r} for POST: use "
                             f"{FORM} or {QUERY_TYPE}.")


def _iris(params, name) -> list[str] | None:
    values = _values(params, name)
    for iri in values:
        try:
            ox.NamedNode(iri)
        except ValueError:
            raise ProtocolError(400, f"{name} is not a valid IRI: {iri!r}") from None
    return values or None


def _check_text(text: str) -> querytext.Reading:
    """The guards on the query's tokens (querytext.py): size, nesting, and SERVICE unless allowed."""
    try:
        reading = querytext.check_shape(text)
    except querytext.QueryTooComplex as err:
        raise ProtocolError(400, f"Query refused before parsing: {err}. Simplify the query.") from None
    if reading.service_at is not None and not service().settings.allow_service:
        raise ProtocolError(400, "SERVICE (federated query) is disabled on this endpoint: "
                                 "the server does not fetch remote URLs.")
    return reading


@bp.route("/sparql", methods=["GET", "POST"])
def sparql():
    queries, updates, params = _collect()
    if updates:
        raise refuse_write("SPARQL Update")
    if not queries:
        if request.method == "GET":
            if wants_html(conneg.RDF) and not request.args.get("format"):
                # a person opening /sparql wants to ask something: the editor; machines (SPARQL
                # clients, the W3C protocol tests) still get the Service Description by Accept
                return Response("", 303, {"Location": "/editor", "Vary": "Accept"})
            return describe_service()
        raise ProtocolError(400, "Missing 'query' parameter.")
    if len(queries) > 1:
        raise ProtocolError(400, "The 'query' parameter must be given exactly once.")
    return _query(queries[0], params)


def _query(text: str, params) -> Response:
    svc = service()
    _check_text(text)
    formats = negotiate_results(params)
    answer = svc.query(text, {kind: c.key if c else None for kind, c in formats.items()},
                       default_graph=_iris(params, "default-graph-uri"),
                       named_graphs=_iris(params, "named-graph-uri"),
                       # Relative IRIs in the query resolve against the endpoint's URL (SPARQL 1.1 Protocol).
                       base_iri=public_root(svc.settings) + request.path.lstrip("/"))
    error = answer.get("error")
    if error == "syntax":
        raise ProtocolError(400, f"SPARQL syntax error: {answer['message']}")
    if error == "not_acceptable":
        raise not_acceptable(answer["kind"])
    if error:
        raise ProtocolError(400, f"Query evaluation failed: {answer['message']}")
    return result_response(answer, formats[answer["kind"]], svc.settings.max_results)
