"""Hot reload: a new build in dist/ is served without a restart.

A thread polls dist/manifest.json; when its inputs_sha256 changes, it loads the new dump into a
new store (in memory, or on disk beside the one being served: store/ondisk.py), starts a new
worker pool on it, and swaps the app's state to it in one step
(new requests see only the new build). Queries already running keep their old pool: its busy
workers finish their answer and are retired then (workers.py), its idle ones go at once. Cached
answers are keyed by the build hash, so none of the old build's is ever sent again.

The thread never ends while the server runs: the new zygote is forked from it and the kernel
ends a zygote whose parent thread ends (PR_SET_PDEATHSIG). An on-disk store is never replaced
under the workers reading it: each build has its own directory; after a swap the store of
the build before the replaced one is removed, once no server holds it (store/ondisk.py).
"""
from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from mineralgraph.store.load import load_build

from .caching import build_identity
from .service import dataset_stats, served_iri_base
from .workers import WorkerPool

log = logging.getLogger("mineralgraph.reload")


def watch(app, every: float) -> threading.Thread:
    """Start polling the served dist/ every `every` seconds (daemon thread)."""
    thread = threading.Thread(target=_loop, args=(app, every), name="reload", daemon=True)
    thread.start()
    return thread


def _loop(app, every: float) -> None:
    state = app.extensions["mineralgraph"]
    while not state.service.pool.closed:
        time.sleep(every)
        build_hash, _ = build_identity(state.settings.dist_dir)
        if build_hash == state.build_hash or build_hash.startswith("unbuilt-"):
            continue
        try:
            swap(app, build_hash)
        except Exception:  # a half-written or broken build: keep serving the old one, say why
            log.exception("could not load the new build %s; still serving %s", build_hash, state.build_hash)
            state.failed_build = build_hash


def swap(app, build_hash: str) -> None:
    state = app.extensions["mineralgraph"]
    if state.failed_build == build_hash:
        return  # already tried and failed: wait for the next build
    settings = state.settings
    if served_iri_base(settings.dist_dir) != state.service.iri_base:
        raise ValueError("the new build has another IRI base: restart the server to serve it")
    started = time.perf_counter()
    if state.stores is not None:  # on disk: beside the build being served
        store, manifest, store_path = state.stores.load(Path(settings.dist_dir))
    else:
        (store, manifest), store_path = load_build(Path(settings.dist_dir)), None
    stats = dataset_stats(store, manifest)
    pool = WorkerPool(store, settings.workers, store_path, settings.queue,
                      isolate_network=not settings.allow_service,
                      memory_limit=settings.worker_memory_mb << 20)
    _, built = build_identity(settings.dist_dir)
    # The swap: everything a request reads about the build, replaced together (the service
    # drops what it derived from the old build: the entity index, the dump listing).
    old = state.service.serve(pool, stats)
    state.build_hash, state.built = build_hash, built
    state.http.rebuild(build_hash, built)
    old.retire()
    if state.stores is not None:  # the store before the one just replaced is nobody's now
        state.stores.release_all_but(store_path, old.store_path)
    log.info("now serving build %s (%d triples), loaded in %.1f s", build_hash, stats["triples"],
             time.perf_counter() - started)
    warm(app)


def warm(app) -> None:
    """Read the new build's entity index now, once, rather than on the first burst of requests
    (which would each wait for it: the index is read under a lock); then the other per-build
    caches the pages registered (Service.warm_with: every source's heading, say)."""
    started = time.perf_counter()
    try:
        with app.app_context():
            svc = app.extensions["mineralgraph"].service
            entries = len(svc.resolver().entries)
            for name, make in svc.warmers:
                svc.cached(name, make)
    except Exception:  # a page asking for it later reports the problem; serving goes on
        log.exception("could not read the entity index and the page caches ahead of requests")
        return
    log.info("entity index ready (%d entities) and %d page caches made in %.1f s", entries, len(svc.warmers),
             time.perf_counter() - started)
