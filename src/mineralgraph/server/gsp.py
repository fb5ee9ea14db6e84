"""SPARQL 1.1 Graph Store HTTP Protocol at /store (indirect identification: ?graph=IRI or
?default), read side: any RDF format. Writes (PUT, POST, DELETE, PATCH) get 405: the graph is
read-only."""
from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, redirect, request

from . import conneg
from .common import ProtocolError, refuse_write, result_response, url_params
from .frame import wants_html
from .iris import local_path
from .service import service

bp = Blueprint("gsp", __name__)


def _target() -> str | None:
    """The graph IRI, or None for the default graph."""
    params = url_params()
    graphs = [v for k, v in params if k == "graph"]
    has_default = any(k == "default" for k, _ in params)
    if has_default == bool(graphs) or len(graphs) > 1:
        raise ProtocolError(400, "Give exactly one of ?graph=<IRI> or ?default.")
    if has_default:
        return None
    try:
        ox.NamedNode(graphs[0])
    except ValueError:
        raise ProtocolError(400, f"graph is not a valid IRI: {graphs[0]!r}") from None
    return graphs[0]


@bp.route("/store", methods=["GET"])
def store():
    return _read(_target())


@bp.route("/store", methods=["PUT", "POST", "DELETE", "PATCH"])
def store_write():
    raise refuse_write(f"Graph Store {request.method}", 405, {"Allow": "GET, HEAD, OPTIONS"})


def _read(graph: str | None) -> Response:
    svc = service()
    if wants_html() and not any(k in ("format", "output") for k, _ in url_params()):
        # A person, not an RDF client: the graph's page instead of a raw RDF/XML tree.
        page = "/graph/" if graph is None else local_path(graph)
        if page:
            return redirect(page, code=303)
    choice = conneg.choose("graph", request.headers.get("Accept"), dict(url_params()))
    if choice is None:
        raise ProtocolError(406, f"Not acceptable. Available: {conneg.available('graph')}", {"Vary": "Accept"})
    answer = svc.read_graph(graph, choice.key)
    if answer.get("error") == "not_found":
        raise ProtocolError(404, f"No graph named <{graph}> in this store.")
    if answer.get("error"):
        raise ProtocolError(400, f"Cannot read the graph: {answer['message']}")
    return result_response(answer, choice, svc.settings.max_results)
