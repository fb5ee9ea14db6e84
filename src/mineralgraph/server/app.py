"""The Flask application: blueprints for the protocols, plus what every request gets
(size limits, CORS, Server-Timing, one access-log line, readable errors, never a crash)."""
from __future__ import annotations

import logging
import time

import pyoxigraph as ox
from flask import Flask, g, jsonify, request
from werkzeug.exceptions import HTTPException

from . import caching, description, gsp, queries, reload, sparql, web
from .answercache import AnswerCache
from .common import ProtocolError
from .limits import Settings
from .service import Service, State, dataset_stats, served_iri_base
from .web import linked, roster, shapes
from .workers import WorkerPool

access_log = logging.getLogger("mineralgraph.access")
log = logging.getLogger("mineralgraph.server")


class AccessLog:
    """WSGI wrapper: exactly one line per request, written when the response is done, so it
    also covers errors and responses Flask never saw as a view; and the headers every answer gets."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        seen = {"status": "-", "bytes": 0}

        def _start(status, headers, exc_info=None):
            seen["status"] = status.split(" ", 1)[0]
            # Every answer, cached or not, error or not: browsers must not guess another type.
            if not any(name.lower() == "x-content-type-options" for name, _ in headers):
                headers = [*headers, ("X-Content-Type-Options", "nosniff")]
            return start_response(status, headers, exc_info)

        try:
            for chunk in self.app(environ, _start):
                seen["bytes"] += len(chunk)
                yield chunk
        finally:
            target = environ.get("PATH_INFO", "") + ("?" + environ["QUERY_STRING"] if environ.get("QUERY_STRING") else "")
            access_log.info('%s "%s %s" %s %d %.1fms', environ.get("REMOTE_ADDR", "-"),
                            environ.get("REQUEST_METHOD", "-"), target[:300], seen["status"],
                            seen["bytes"], (time.perf_counter() - started) * 1000)


def create_app(store: ox.Store, settings: Settings | None = None, manifest: dict | None = None,
               stores=None) -> Flask:
    """App serving `store`. Forks the query workers now, so call it before starting threads.
    `manifest`: the one `store` was checked against (store.load.load_build), whose counts are
    then served rather than counted again. `stores`: the store.ondisk.StoreDirectory that
    `store` (at settings.store_path) came from, where a hot reload loads the next build."""
    settings = settings or Settings()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body
    stats = dataset_stats(store, manifest)
    # The IRI base the graph was built for: /id/REST is BASE + id/REST (iris.py).
    base = served_iri_base(settings.dist_dir)
    pool = WorkerPool(store, settings.workers, settings.store_path, settings.queue,
                      isolate_network=not settings.allow_service, memory_limit=settings.worker_memory_mb << 20)
    state = State(settings=settings, service=Service(settings, pool, stats, base), stores=stores)
    app.extensions["mineralgraph"] = state
    # every source's heading, which a grown corpus's roster matrix lists: made when the build is
    # loaded (reload.warm), not by the first mechanism page (70 ms at 1,000 sources)
    state.service.warm_with(roster.HEADINGS, roster.all_headings)
    for bp in (sparql.bp, gsp.bp, description.bp, linked.bp, shapes.bp, queries.bp, web.bp):
        app.register_blueprint(bp)

    @app.get("/healthz")
    def healthz():
        """Alive: the process answers HTTP (load balancers restart it when this fails)."""
        stats = state.service.stats
        return jsonify(status="ok", triples=stats["triples"], graphs=len(stats["graphs"]),
                       workers=settings.workers)

    @app.get("/readyz")
    def readyz():
        """Ready: the data is loaded and query workers can take queries (send traffic here)."""
        if state.service.pool.closed:
            return jsonify(status="stopping"), 503, {"Retry-After": "1"}
        problem = state.service.pool.health()
        if problem:  # the pool is healing or cannot be rebuilt: say so rather than look ready
            return jsonify(status="unavailable", reason=problem, build=state.build_hash), 503, {"Retry-After": "2"}
        return jsonify(status="ready", triples=state.service.stats["triples"], build=state.build_hash)

    @app.before_request
    def _limits():
        g.started = time.perf_counter()
        target = len(request.environ.get("PATH_INFO", "")) + len(request.environ.get("QUERY_STRING", ""))
        if target > settings.max_url:
            raise ProtocolError(414, f"Request URL longer than {settings.max_url} bytes: "
                                     "send the query by POST instead.")
        if request.content_length is not None and request.content_length > settings.max_body:
            raise ProtocolError(413, f"Request body larger than {settings.max_body} bytes.")

    http = caching.install(app, settings)  # after _limits: an oversized request is refused, not 304'd
    state.http, state.built, state.build_hash = http, http.built, http.build_hash

    @app.after_request
    def _headers(response):
        # CORS for anonymous use from any page; no credentials, so no cookie leaks.
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type, If-None-Match, If-Modified-Since"
        response.headers["Access-Control-Expose-Headers"] = "Server-Timing, ETag, X-SPARQL-Truncated, X-SPARQL-MaxRows"
        response.headers["Access-Control-Max-Age"] = "600"
        parts = [f"{name};dur={seconds * 1000:.2f}" for name, seconds in g.get("server_timing", [])]
        if "started" in g:
            parts.append(f"total;dur={(time.perf_counter() - g.started) * 1000:.2f}")
        if parts:
            response.headers["Server-Timing"] = ", ".join(parts)
        return response

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        if isinstance(err, ProtocolError):
            return err.get_response()
        # Flask's own errors (404, 405, 413, ...) as readable text, keeping their headers (Allow).
        response = err.get_response()
        response.set_data(f"{err.code} {err.name}: {err.description}\n")
        response.content_type = "text/plain; charset=utf-8"
        return response

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return "500 Internal Server Error: the server hit an unexpected error (logged).\n", 500, \
            {"Content-Type": "text/plain; charset=utf-8"}

    state.answers = AnswerCache(app.wsgi_app, lambda: state.build_hash, settings.cache_bytes)
    app.wsgi_app = AccessLog(state.answers)
    if settings.reload_seconds and settings.dist_dir is not None and (settings.store_path is None or stores):
        reload.watch(app, settings.reload_seconds)
    return app


def close_app(app: Flask) -> None:
    """Stop the query workers (tests and embedders call this)."""
    app.extensions["mineralgraph"].service.pool.close()
