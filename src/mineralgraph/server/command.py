"""`mineralgraph serve`: build dist/ if needed, load it, serve the endpoint with waitress.

Production (one process; parallelism comes from the query worker processes, I/O from
waitress threads):

    mineralgraph serve --host 0.0.0.0 --port 8000 --workers 4 --threads 16 \
        --store /var/lib/mineralgraph/stores --timeout 30

or through any WSGI server, configured by environment (see mineralgraph.server.wsgi):

    MINERALGRAPH_WORKERS=4 waitress-serve --threads 16 --port 8000 mineralgraph.server.wsgi:application
    MINERALGRAPH_WORKERS=2 gunicorn -w 2 --threads 8 -b 0.0.0.0:8000 mineralgraph.server.wsgi:application
    (gunicorn: no --preload, each gunicorn process loads the store and owns its query workers)
"""
from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path

import click

from mineralgraph.core import namespaces
from mineralgraph.core.errors import InputError, ValidationFailed, error_lines
from mineralgraph.core.paths import ProjectPaths, project_root
from mineralgraph.core.progress import stderr_progress
from mineralgraph.publish import dist as built
from mineralgraph.store.load import DistMismatch, load_build
from mineralgraph.store.ondisk import StoreDirectory, default_root

from . import reload
from .limits import Settings

log = logging.getLogger("mineralgraph.server")


def resolve_dist(dist: Path | None, build: bool = True, base: str | None = None, progress=None) -> Path:
    """The dist directory to serve: given explicitly, else built/refreshed by the pipeline (for
    the IRI base `base`, checked first). A dist/ built for another base than `base` is refused:
    the server answers for the IRIs the graph holds, so the two must agree."""
    if base is not None:
        try:
            base = namespaces.iri_base(base)
        except ValueError as err:
            raise click.BadParameter(str(err), param_hint="--iri-base") from None
    if dist is None and build:
        return _build_first(base, progress)
    dist = dist if dist is not None else project_root() / "dist"
    if base is not None:
        built_for = (built.read_manifest(Path(dist)) or {}).get("iri_base", namespaces.CANONICAL_BASE)
        if built_for != base:
            raise click.UsageError(f"{dist} was built for the IRI base {built_for}, not {base}: "
                                   f"run `mineralgraph build --iri-base {base}` (or serve without --iri-base)")
    return dist


def _build_first(base: str | None, progress) -> Path:
    """dist/, rebuilt first when it is missing or older than its inputs; a bad input stops serve
    the way it stops `build` (exit 2 with the file and line, exit 1 when the graph violates its shapes)."""
    from mineralgraph.pipeline import ensure_built, is_stale  # the whole build (~500 ms): only when serving from source

    if progress is not None and is_stale(ProjectPaths.default(), base):
        progress("dist/ is missing or older than its inputs: building it first")
    try:
        return Path(ensure_built(progress=progress, base=base))
    except InputError as exc:
        for line in error_lines(exc):
            click.echo(line, err=True)
        sys.exit(2)
    except ValidationFailed as exc:
        click.echo(exc.report.text(), err=True)
        click.echo("not serving: the graph violates its shapes; dist/ was left as it was.", err=True)
        sys.exit(1)


_DRAIN = {"since": None}  # set by the first stop signal: stop accepting, finish what is in flight


def _stop(signum, frame):
    if _DRAIN["since"] is None and _DRAIN.get("serving"):
        _DRAIN["since"] = time.monotonic()  # the serve loop drains and returns
        log.info("%s: no new connections; finishing the requests in flight, then stopping "
                 "(a second signal stops at once)", signal.Signals(signum).name)
        return
    raise KeyboardInterrupt(signal.Signals(signum).name)


def handle_stop_signals() -> None:
    """SIGINT, SIGTERM and SIGHUP stop the server the same orderly way, whatever the parent left
    us: a shell running us in the background starts us with SIGINT ignored, and a blocked signal
    stays blocked across exec. The first signal drains (the listening socket closes, requests in
    flight are answered, for at most the query timeout), a second one stops at once. SIGHUP (a
    closed terminal, or an operator's "reload") used to end the process at once, dropping requests
    in flight; a new build is picked up by --reload-seconds."""
    stops = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
    signal.pthread_sigmask(signal.SIG_UNBLOCK, stops)
    for sig in stops:
        signal.signal(sig, _stop)


def serve_until_stopped(server, drain_seconds: float) -> None:
    """waitress's loop, one poll at a time, so a stop signal can drain it: the listening sockets
    close, and the loop ends once no request is being answered or waiting to be sent (or after
    `drain_seconds`)."""
    from waitress.channel import HTTPChannel

    socket_map = getattr(server, "map", None) or server._map
    listeners = [d for d in list(socket_map.values()) if hasattr(d, "accepting") and not isinstance(d, HTTPChannel)]
    dispatcher = getattr(server, "task_dispatcher", None) or next(
        (d.task_dispatcher for d in listeners if hasattr(d, "task_dispatcher")), None)
    _DRAIN["serving"] = True
    try:
        while True:
            server.asyncore.loop(timeout=0.2, map=socket_map, use_poll=True, count=1)
            if _DRAIN["since"] is None:
                continue
            for listener in listeners:
                if listener.accepting:
                    listener.close()
            channels = [d for d in list(socket_map.values()) if isinstance(d, HTTPChannel)]
            busy = any(c.requests or c.total_outbufs_len for c in channels)
            working = dispatcher is not None and (dispatcher.active_count or dispatcher.queue)
            if not busy and not working:
                return
            if time.monotonic() - _DRAIN["since"] > drain_seconds:
                log.warning("stopping with requests still in flight after %.0f s", drain_seconds)
                return
    finally:
        _DRAIN["serving"] = False
        if dispatcher is not None:
            dispatcher.shutdown()


def limit_malloc_arenas(arenas: int = 2) -> None:
    """Fewer glibc malloc arenas than its default (8 per core): with one arena per HTTP thread,
    large request buffers fragment memory and the server's RSS creeps up under hostile input
    (measured: +20 MB per pass of the hostile corpus with the default, flat with 2)."""
    try:
        ctypes.CDLL("libc.so.6").mallopt(-8, arenas)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass  # not glibc: nothing to tune


def _waitress_server(app, **options):
    """waitress, minus one hang: waitress 3.0 answers `Expect: 100-continue` on a request without
    a body with "100 Continue" and then waits for a body that never comes, so the client hangs.
    Such a request is already whole: keep it complete so it is served."""
    import waitress
    from waitress.channel import HTTPChannel

    class Channel(HTTPChannel):
        def send_continue(self):
            whole = self.request.completed
            super().send_continue()
            self.request.completed = whole

    server = waitress.create_server(app, **options)
    listeners = server.map.values() if hasattr(server, "map") else [server]  # several sockets, or one
    for listener in listeners:
        if hasattr(listener, "channel_class"):
            listener.channel_class = Channel
    return server


def connection_options() -> dict:
    """Sockets enough that a slowloris does not starve everyone else. waitress multiplexes every
    connection on one thread, so idle sockets cost a file descriptor each, not a thread: raise the
    descriptor limit to what the system allows, watch sockets with poll() (select() stops at 1,024
    descriptors), allow that many connections, and close a connection idle for 30 s. Measured
    (bench/faults.py): 1,050 half-sent sockets used to reach the old limit of 1,000 and time out
    /healthz for the whole attack."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        wanted = 65536 if hard == resource.RLIM_INFINITY else min(hard, 65536)
        if soft < wanted:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
    except (ImportError, ValueError, OSError):
        soft = 1024
    return {"connection_limit": max(100, min(16384, soft - 512)), "asyncore_use_poll": True,
            "channel_timeout": 30}


def configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")


def load_served(settings: Settings, store_dir: Path | None, memory: bool):
    """The build in settings.dist_dir loaded as served: on disk under `store_dir` (default
    beside dist/; settings.store_path is set to the build's store) or in memory. Returns the
    store, the manifest it was checked against and the StoreDirectory (None in memory).
    A default place that cannot be written (a read-only dist/) falls back to memory, with a warning."""
    if not memory:
        root = store_dir or default_root(settings.dist_dir)
        try:
            stores = StoreDirectory(root)
        except ValueError as err:
            raise click.UsageError(str(err)) from None
        except OSError as err:
            if store_dir is not None:
                raise click.UsageError(f"--store {root}: {err.strerror or err}") from None
            log.warning("cannot keep the store on disk in %s (%s): serving it in memory", root, err.strerror or err)
        else:
            try:
                store, manifest, settings.store_path = stores.load(settings.dist_dir)
            except OSError as err:
                raise click.ClickException(str(err)) from None
            return store, manifest, stores
    log.info("loading %s into memory …", settings.dist_dir)
    return (*load_build(settings.dist_dir), None)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--store", "store_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Directory of the on-disk stores, one per build, each loaded once and reused at every later "
                   "start (default: .mineralgraph-cache/store beside dist/).")
@click.option("--memory", is_flag=True,
              help="Keep the store in memory instead (loaded at every start; no files written).")
@click.option("--dist", type=click.Path(path_type=Path, exists=True, file_okay=False),
              help="Serve this built directory instead of building dist/.")
@click.option("--no-build", is_flag=True, help="Serve dist/ as it is, without checking it is fresh.")
@click.option("--workers", default=2, show_default=True, help="Query worker processes.")
@click.option("--threads", default=40, show_default=True,
              help="HTTP threads (waitress); more than --workers + --queue, so excess requests reach the "
                   "admission check (503 at once) instead of waiting unseen in waitress's queue.")
@click.option("--timeout", default=30.0, show_default=True, help="Seconds per query, then the query is killed.")
@click.option("--queue", default=30, show_default=True,
              help="Requests that may wait for a busy query worker; beyond that, 503 with Retry-After at once.")
@click.option("--cache-mb", default=64, show_default=True,
              help="Memory for answers to repeated GETs (the data is read-only); 0 turns the cache off.")
@click.option("--reload-seconds", default=2.0, show_default=True,
              help="Check dist/ this often and serve a new build without a restart; 0 = never.")
@click.option("--max-results", default=10_000, show_default=True, help="Rows/triples per answer.")
@click.option("--max-answer-mb", default=16, show_default=True,
              help="Bytes per answer, as the values it holds: a bigger answer gets 413 instead of filling memory.")
@click.option("--public-url", default=None,
              help="The URL clients reach this server at (behind a proxy), for the links in /queries, "
                   "/openapi.json, the Service Description and VoID. Default: the request's Host when it "
                   "names this machine (localhost, a loopback address, the bound host), else the bound address.")
@click.option("--max-body", default=1 << 20, show_default=True, help="Request body bytes.")
@click.option("--worker-memory-mb", default=1024, show_default=True,
              help="A query worker holding more memory of its own than this is replaced after its answer; "
                   "twice this is a hard limit (the query fails, the worker is replaced). 0 = no limit.")
@click.option("--allow-service", is_flag=True, help="Allow SERVICE: lets clients make the server fetch URLs.")
@click.option("--iri-base", envvar="MINERALGRAPH_IRI_BASE", default=None,
              help="IRI base of the served graph: /id/REST resolves BASE + id/REST (default https://w3id.org/mineralgraph/); "
                   "dist/ is built for it, or must have been (--dist, --no-build).")
def serve_command(host, port, store_dir, memory, dist, no_build, workers, threads, timeout, queue, cache_mb, reload_seconds,
                  max_results, max_answer_mb, public_url,
                  max_body, worker_memory_mb, allow_service, iri_base):
    """Serve the graph read-only as a SPARQL 1.1 endpoint (to load it into a writable store: `publish`)."""
    from .app import close_app, create_app  # Flask (~190 ms of imports): not at every `mineralgraph` start

    configure_logging()
    handle_stop_signals()
    limit_malloc_arenas()
    try:
        settings = Settings(workers=workers, timeout=timeout, queue=queue, cache_bytes=cache_mb << 20,
                            reload_seconds=reload_seconds,
                            max_results=max_results, max_body=max_body,
                            max_answer_bytes=max_answer_mb << 20, public_url=public_url,
                            allow_service=allow_service,
                            worker_memory_mb=worker_memory_mb)
    except ValueError as err:
        raise click.UsageError(str(err)) from None
    if memory and store_dir is not None:
        raise click.UsageError("--memory and --store exclude each other")
    settings.dist_dir = resolve_dist(dist, build=not no_build, base=iri_base, progress=stderr_progress())
    try:
        store, manifest, stores = load_served(settings, store_dir, memory)
    except DistMismatch as err:
        click.echo(f"error: {err}", err=True)
        click.echo("not serving: dist/ is not the build its manifest describes (half-copied or altered); "
                   "run `mineralgraph build` or copy it again.", err=True)
        sys.exit(2)
    app = create_app(store, settings, manifest, stores)  # the IRI base comes from the build's manifest
    threading.Thread(target=reload.warm, args=(app,), name="warm", daemon=True).start()
    try:
        server = _waitress_server(app, host=host, port=port, threads=threads, ident="mineralgraph",
                                  max_request_body_size=max_body + 1, **connection_options())
        click.echo(f"mineralgraph: SPARQL endpoint at http://{host}:{port}/sparql "
                   f"({workers} query workers, {timeout:g} s timeout, pid {os.getpid()})")
        try:
            serve_until_stopped(server, drain_seconds=timeout + 5)
        except KeyboardInterrupt:  # a second signal: at once
            pass
    finally:
        close_app(app)  # the query workers and their zygote end with us
