"""`build --watch`: build, then build again each time an input changes, in one process.

The process keeps its build store between builds (incremental.KeptStore), so an incremental
build updates it instead of loading every data graph again. Inputs are looked at by polling their
names, sizes and modification times (no file-system events: they differ from one OS to the next
and miss changes on network and container mounts); a change is built once the files have stopped
changing for a moment, since an editor or `add-source` writes several files one after another.
A change to the code is not picked up: the process runs the code it started with.
"""

from __future__ import annotations

import signal
import time
from typing import Callable

from .core.errors import InputError, ValidationFailed
from .core.paths import ProjectPaths
from .incremental import KeptStore
from .pipeline import BuildResult, build
from .publish.dist import INPUT_GLOBS


def inputs_signature(paths: ProjectPaths) -> tuple:
    """Every input file's path, size and modification time: equal signatures, unchanged inputs."""
    out = []
    for pattern in INPUT_GLOBS:
        for p in paths.root.glob(pattern):
            try:
                st = p.stat()
            except OSError:  # removed between the listing and the look
                continue
            if p.is_file():
                out.append((str(p.relative_to(paths.root)), st.st_size, st.st_mtime_ns))
    return tuple(sorted(out))


def watch(paths: ProjectPaths, build_once: Callable[[], None], interval: float = 0.5, settle: float = 0.3,
          stop: Callable[[], bool] = lambda: False, sleep: Callable[[float], None] = time.sleep) -> int:
    """Run `build_once` now and after every change to the inputs until `stop()`; returns how
    many builds ran. The inputs are read before each build, so a change made during one is built
    next."""
    builds = 0
    seen = inputs_signature(paths)
    build_once()
    builds += 1
    while not stop():
        sleep(interval)
        now = inputs_signature(paths)
        if now == seen:
            continue
        while True:  # until the writing has settled
            sleep(settle)
            again = inputs_signature(paths)
            if again == now:
                break
            now = again
        seen = now
        build_once()
        builds += 1
    return builds


def stop_on_signals() -> None:
    """SIGINT and SIGTERM end the watch (as KeyboardInterrupt), whatever the parent left us: a
    shell running us in the background starts us with SIGINT ignored (a CI run's Ctrl-C test did
    not stop), and a blocked signal stays blocked across exec."""
    stops = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_UNBLOCK, stops)
    for sig in stops:
        signal.signal(sig, _interrupt)


def _interrupt(signum, _frame) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def watch_builds(paths: ProjectPaths, report: Callable[[BuildResult | InputError | ValidationFailed], None],
                 interval: float = 0.5, clean: bool = False, **options) -> int:
    """`build --watch`: pipeline.build (with `options`) on every change, sharing one kept build
    store; each outcome, a result or the error that stopped the build, goes to `report`, and the
    watch goes on. `clean`: the first build is a clean one."""
    stop_on_signals()
    kept = KeptStore()
    builds = []

    def build_once() -> None:
        builds.append(None)
        try:
            report(build(paths, kept=kept, clean=clean and len(builds) == 1, **options))
        except (InputError, ValidationFailed) as stopped:
            report(stopped)

    return watch(paths, build_once, interval=interval)
