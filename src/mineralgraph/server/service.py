"""The service layer: everything the HTTP routes ask of the served graph, in one object.

`Service` owns the query workers, the build's counts, the IRI base the graph is served under
(the one place the server keeps it), the stored-query catalog, the parameter resolver and the
per-build caches, and runs typed requests (store/evaluate.py) with the limits and HTTP errors of
the endpoint. The protocol endpoints (sparql.py, gsp.py, description.py, queries.py) and the
web pages (web/) call it; they never call each other. `State` is what the app keeps: the
service plus what HTTP caching needs to know about the build.
"""
from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox
from flask import current_app, g

from mineralgraph.publish.dist import read_manifest
from mineralgraph.core.namespaces import CANONICAL_BASE, expand_prefixed, served_prefixes
from mineralgraph.store.evaluate import Query, ReadGraph
from mineralgraph.storedqueries import StoredQuery, load_all, prepare, query_dir
from mineralgraph.storedqueries.catalog import read_headers
from mineralgraph.storedqueries.resolve import Resolver
from mineralgraph.storedqueries.run import rows_of

from .common import ProtocolError
from .limits import Busy, EngineAborted, QueryTimeout, Settings, WorkerCrashed
from .workers import WorkerPool

log = logging.getLogger("mineralgraph.web")

# What every page query may ask for: a table, a yes/no, or triples as N-Triples.
ANY_KIND = {"solutions": "json", "boolean": "json", "graph": "ntriples"}

VOID_COUNTS = "void-counts"  # the per-build cache of Service.void_counts


def dataset_stats(store: ox.Store, manifest: dict | None = None) -> dict:
    """Counts for VoID, the service description and /healthz, before the query workers are forked.

    Read from the build's manifest when it has them (load_build checked the store against it:
    its files' sha256 and the store's quad count), as the queries below would count them: at
    1,000 sources those queries took 9.5 s of every start in memory, 12 s on disk. VoID's
    distinct subjects and properties are not in a manifest; `void_counts` asks for them."""
    m = manifest or {}
    graphs, triples, classes = m.get("graphs"), m.get("triples"), m.get("classes")
    if isinstance(graphs, dict) and isinstance(triples, int) and isinstance(classes, dict):
        return {"triples": triples, "graphs": dict(graphs),
                "classes": {expand_prefixed(c): n for c, n in classes.items()}}
    counted_graphs = {}
    for row in store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
        counted_graphs[row[0].value] = int(row[1].value)
    counted_classes = {}
    for row in store.query("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c"):
        if isinstance(row[0], ox.NamedNode):
            counted_classes[row[0].value] = int(row[1].value)
    count = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
    return {"triples": int(next(iter(store.query(count)))[0].value), "graphs": counted_graphs,
            "classes": counted_classes}


def served_iri_base(dist_dir) -> str:
    """The IRI base the build was published under (manifest "iri_base"; canonical before that)."""
    manifest = read_manifest(Path(dist_dir)) if dist_dir is not None else None
    return (manifest or {}).get("iri_base") or CANONICAL_BASE


class Service:
    """The served graph as the routes see it (one per app; app.extensions["mineralgraph"].service)."""

    def __init__(self, settings: Settings, pool: WorkerPool, stats: dict, iri_base: str):
        self.settings, self.pool, self.stats = settings, pool, stats
        self.iri_base = iri_base
        self._catalog: dict[str, StoredQuery] | None = None
        self._resolver: Resolver | None = None
        self._cache: dict[str, object] = {}
        # per-build caches worth making before the first request (reload.warm): (name, make)
        self.warmers: list[tuple[str, object]] = [(VOID_COUNTS, self._count_subjects_and_properties)]

    # -- the IRI base: the one place the server holds it -----------------------------------
    @property
    def iri_base(self) -> str:
        return self._iri_base

    @iri_base.setter
    def iri_base(self, base: str) -> None:
        self._iri_base = base if base.endswith("/") else base + "/"
        # for serialising RDF answers and the JSON-LD @context
        self.prefixes = served_prefixes(self._iri_base)

    @property
    def id_base(self) -> str:
        return self._iri_base + "id/"

    # -- running requests -------------------------------------------------------------------
    def run(self, request: Query | ReadGraph) -> dict:
        """Answer `request` in a query worker; pool failures become HTTP errors (503, 500).
        RDF answers are written with the served graph's prefixes (JSON-LD: its @context)."""
        if request.prefixes is None:
            request = dataclasses.replace(request, prefixes=self.prefixes)
        if not request.max_bytes:
            request = dataclasses.replace(request, max_bytes=self.settings.max_answer_bytes)
        try:
            answer, waited = self.pool.run(request, self.settings.timeout)
        except QueryTimeout as err:
            raise ProtocolError(503, f"Query timeout: {err}. Narrow the query or add a LIMIT.",
                                {"Retry-After": "1"}) from None
        except Busy as err:
            raise ProtocolError(503, f"Server busy: {err}.", {"Retry-After": "1"}) from None
        except EngineAborted as err:
            # The query itself ends the engine (issue 18: an ORDER BY over literals of mixed
            # types aborts pyoxigraph 0.5.13: "comparison function does not implement a total order").
            raise ProtocolError(422, f"This query cannot be answered: {err}. Rewrite it (for example "
                                     "sort on STR(?x), or on one datatype at a time).") from None
        except WorkerCrashed as err:  # killed from outside, twice in a row: worth another try
            raise ProtocolError(503, f"Query worker lost: {err}. Try again.", {"Retry-After": "1"}) from None
        g.server_timing = [("queue", waited), ("query", answer.get("seconds", 0.0))]
        if answer.get("error") == "too_large":  # bounded in bytes as well as rows: a clear refusal
            raise ProtocolError(413, f"Answer too large: {answer['message']} (this server's "
                                     f"--max-answer-mb). Ask for fewer rows (LIMIT) or shorter values "
                                     "(SUBSTR), or download the dumps at /dump/.")
        return answer

    def query(self, text: str, formats: dict, cap: int | None = None, **dataset) -> dict:
        """Run SPARQL text (capped at the endpoint's row limit unless `cap` says otherwise)."""
        return self.run(Query(text, formats, cap or self.settings.max_results, **dataset))

    def read_graph(self, graph: str | None, key: str, cap: int | None = None) -> dict:
        return self.run(ReadGraph(graph, key, cap or self.settings.max_results))

    def _index_rows(self, sparql: str) -> list[dict]:
        """Rows as {variable: lexical value}, for the entity index."""
        answer = self.query(sparql, {"solutions": "json"}, cap=1_000_000)
        if answer.get("error"):
            raise ProtocolError(500, f"entity index query failed: {answer.get('message')}")
        names, bindings = rows_of(answer["body"])
        return [{n: b[n]["value"] for n in names if n in b} for b in bindings]

    def void_counts(self) -> dict:
        """VoID's distinct subjects and properties of the default graph (the union): counted
        once per served build, in a query worker (1.4 + 1.0 s at 1,000 sources in memory),
        when the build is loaded (a warm cache: reload.warm) rather than before the server is ready."""
        return self.cached(VOID_COUNTS, self._count_subjects_and_properties)

    def _count_subjects_and_properties(self) -> dict:
        answer = self.query("SELECT (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?p) AS ?properties) "
                            "WHERE { ?s ?p ?o }", {"solutions": "json"}, cap=1)
        names, rows = rows_of(answer["body"])
        return {n: int(rows[0][n]["value"]) for n in names}

    # -- stored queries ---------------------------------------------------------------------
    def stored_queries(self) -> dict[str, StoredQuery]:
        """The stored-query catalog, read and checked once (QuerySpecError for a bad file)."""
        if self._catalog is None:
            self._catalog = load_all(self._queries_dir())
        return self._catalog

    def editor_queries(self) -> dict:
        """The catalog, or when a query file fails its checks, what the files' headers say, so the
        query editor still gets its tabs (the /queries routes answer the error)."""
        try:
            return self.stored_queries()
        except Exception as err:  # whatever stops the catalog loading must not take the editor down
            log.warning("stored-query registry unavailable (%s); reading query headers directly", err)
            return read_headers(self._queries_dir())

    @staticmethod
    def _queries_dir() -> Path:
        """app.config["MINERALGRAPH_QUERIES"] for an embedder's own queries, else the project's queries/."""
        return Path(current_app.config.get("MINERALGRAPH_QUERIES") or query_dir())

    def resolver(self) -> Resolver:
        """The entity index parameters resolve against, read once per build through the workers."""
        if self._resolver is None:
            self._resolver = Resolver(self._index_rows)
        return self._resolver

    def prepare(self, query: StoredQuery, given: dict[str, list[str]]) -> str:
        """The stored query's text with `given` validated, resolved and bound (BindError)."""
        return prepare(query, given, self.resolver())

    # -- per-build caches -------------------------------------------------------------------
    def warm_with(self, name: str, make) -> None:
        """Make `cached(name, make)` when a build starts being served, not on a first request."""
        self.warmers.append((name, make))

    def cached(self, name: str, make):
        """`make()`, computed once per served build."""
        if name not in self._cache:
            self._cache[name] = make()
        return self._cache[name]

    def serve(self, pool: WorkerPool, stats: dict) -> WorkerPool:
        """Another build is served (hot reload): its pool and counts replace the old; what was
        derived from the old build goes. Returns the old pool."""
        old, self.pool, self.stats = self.pool, pool, stats
        self._resolver = None
        self._cache.clear()
        return old


@dataclass
class State:
    """What the app keeps (app.extensions["mineralgraph"])."""
    settings: Settings
    service: Service
    built: datetime = field(default_factory=lambda: datetime.now(timezone.utc))  # the build's time (caching.py)
    build_hash: str = ""    # the build's inputs_sha256 (caching.py): keys every cached answer
    answers: object = None  # the AnswerCache in front of the app (answercache.py)
    http: object = None     # HTTP caching (caching.py): its ETags follow the build served
    failed_build: str | None = None  # a new build that could not be loaded (reload.py)
    stores: object = None   # store.ondisk.StoreDirectory when served on disk: where reload.py loads a new build


def state() -> State:
    return current_app.extensions["mineralgraph"]


def service() -> Service:
    """The service of the app handling the current request."""
    return current_app.extensions["mineralgraph"].service
