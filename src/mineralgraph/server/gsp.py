"""SPARQL 1.1 Graph Store HTTP Protocol at /store (indirect identification: ?graph=IRI or
?default). Reads in any RDF format; writes only when enabled, translated to SPARQL Update."""
from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request

from . import conneg
from .common import ProtocolError, body_bytes, require_write_access, run_in_pool, url_params
from .evaluate import RDF_FORMATS
from .sparql import result_response

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


@bp.route("/store", methods=["GET", "PUT", "POST", "DELETE"])
def store():
    graph = _target()
    if request.method in ("GET", "HEAD"):
        return _read(graph)
    return _write(graph)


def _read(graph: str | None) -> Response:
    state = current_app.extensions["mineralgraph"]
    choice = conneg.choose("graph", request.headers.get("Accept"), dict(url_params()))
    if choice is None:
        raise ProtocolError(406, f"Not acceptable. Available: {conneg.available('graph')}", {"Vary": "Accept"})
    answer = run_in_pool(state, {"op": "graph", "graph": graph, "key": choice.key,
                                 "cap": state.settings.max_results})
    if answer.get("error") == "not_found":
        raise ProtocolError(404, f"No graph named <{graph}> in this store.")
    if answer.get("error"):
        raise ProtocolError(400, f"Cannot read the graph: {answer['message']}")
    return result_response(answer, choice, state.settings.max_results)


def _write(graph: str | None) -> Response:
    state = current_app.extensions["mineralgraph"]
    require_write_access(state.settings, "Graph Store writes")
    where = f"GRAPH <{graph}>" if graph else ""
    if request.method == "DELETE":
        update = f"DROP GRAPH <{graph}>" if graph else "DROP DEFAULT"
    else:
        fmt = ox.RdfFormat.from_media_type(request.mimetype or "")
        if fmt is None or fmt not in RDF_FORMATS.values() or fmt in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS):
            raise ProtocolError(415, f"Send the graph as one of: {conneg.available('graph')} (triples only).")
        try:
            triples = " ".join(str(q.triple) + " ." for q in ox.parse(body_bytes(), format=fmt))
        except SyntaxError as err:
            raise ProtocolError(400, f"Cannot parse the request body: {err}") from None
        insert = f"INSERT DATA {{ {where} {{ {triples} }} }}" if where else f"INSERT DATA {{ {triples} }}"
        drop = (f"DROP SILENT GRAPH <{graph}> ; " if graph else "DROP SILENT DEFAULT ; ")
        update = (drop if request.method == "PUT" else "") + insert
    answer = state.pool.update({"update": update})
    if answer.get("error"):
        status = 404 if request.method == "DELETE" else 400
        raise ProtocolError(status, f"Graph Store write failed: {answer['message']}")
    return Response(status=204)
