"""The server's on-disk stores: one directory of RocksDB files per build, under one root.

`serve` keeps its store on disk by default (`--memory` keeps it in memory). Measured at 1,000
sources (bench/stored_queries_bench.py, `--store` against in memory, one session): the stored
queries answer 2.2x faster on disk (geometric mean of the 69 examples; 60 under 250 ms against
51), a later start opens the store in 1.8 s where loading it in memory takes 24 s, and a worker
holds 84 MB instead of 3.6 GB. The first load of a build on disk is slower (47-59 s against
24-30 s in memory, in four runs): it is paid once per build, and a hot reload pays it beside the
build being served, which answers meanwhile.

Each build loads into ROOT/<its dump's sha256>, so a new build is loaded beside the one being
served (RocksDB files cannot be replaced under the workers reading them) and swapped in.
Several servers may share a root (gunicorn processes, a test suite): a lock file per store says
who uses it. Loading takes it exclusively (a second server loading the same build waits, then
reuses what the first wrote); serving holds it shared; a store is removed only when nobody holds it.
"""
from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from .load import StoreNotCurrent, dump_of, fingerprint, load_build, marker_of, read_manifest

log = logging.getLogger("mineralgraph.store")

LOAD_PATIENCE = 3600.0  # seconds to wait for a store another server loads or holds in a state not ours


def default_root(dist: Path) -> Path:
    """Where `serve` keeps the stores of the builds in `dist` unless told: beside it, in the cache."""
    return Path(dist).resolve().parent / ".mineralgraph-cache" / "store"


class StoreDirectory:
    """On-disk stores of the builds this process serves, under `root`."""

    def __init__(self, root: Path):
        self.root = Path(root)
        if (self.root / "CURRENT").is_file():
            raise ValueError(f"{self.root} is a store written by an earlier version (one store, not a "
                             "directory of them): remove it or choose another --store directory")
        self.root.mkdir(parents=True, exist_ok=True)
        self._held: dict[Path, int] = {}  # store path -> descriptor of its lock file, held shared

    def store_path(self, dist: Path) -> Path:
        """Where the build in `dist` is (or will be) loaded: named by its dump's sha256."""
        dump, _ = dump_of(Path(dist))
        listed = (read_manifest(Path(dist)).get("files") or {}).get(dump.name)
        digest = listed.get("sha256") if isinstance(listed, dict) else None
        if not isinstance(digest, str):  # a dist/ whose manifest lists no files: what it was built from
            digest = hashlib.sha256(fingerprint(dump).encode()).hexdigest()
        return self.root / f"build-{digest[:16]}"

    def load(self, dist: Path) -> tuple[ox.Store, dict, Path]:
        """The build in `dist` on disk, checked as store.load.load_build checks it; the store is
        held (shared) until `release_all_but`. Stores of other builds nobody holds are removed."""
        path = self.store_path(dist)
        fd, store, manifest = self._hold(dist, path)
        if path in self._held:
            os.close(self._held.pop(path))
        self._held[path] = fd
        self._remove_unused()
        return store, manifest, path

    def _hold(self, dist: Path, path: Path, patience: float = LOAD_PATIENCE):
        """(descriptor, store, manifest): `path`'s lock held shared with the store current, loaded
        under the lock held exclusively if it was not. A server loading it meanwhile holds it
        exclusively: taking it shared waits for that load, which is then reused."""
        lock = self.root / (path.name + ".lock")
        deadline, waited = time.monotonic() + patience, False
        while True:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_SH)
                if self._same_file(fd, lock):
                    try:
                        return (fd, *load_build(dist, path, rebuild=False))
                    except StoreNotCurrent:
                        pass
                fcntl.flock(fd, fcntl.LOCK_UN)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    pass  # another server loads it, or serves it as it is: look again
                else:
                    if self._same_file(fd, lock):
                        started = time.monotonic()
                        log.info("loading %s into the on-disk store %s (once per build: later starts open it "
                                 "in seconds) …", dist, path)
                        with self._previous(path) as previous:
                            # loaded (from the last build's store where it can), or reused if another server just did
                            store, manifest = load_build(dist, path, previous=previous)
                        log.info("on-disk store %s ready in %.1f s", path, time.monotonic() - started)
                        fcntl.flock(fd, fcntl.LOCK_SH)
                        return fd, store, manifest
            except BaseException:
                os.close(fd)
                raise
            os.close(fd)
            if not waited:
                log.info("waiting for %s: another server is loading it, or serves it as another build", path)
                waited = True
            if time.monotonic() > deadline:
                raise OSError(f"{path}: in use by another server and not the build in {dist} "
                              "as loaded then; stop that server, or choose another --store directory")
            time.sleep(0.2)

    @contextmanager
    def _previous(self, path: Path):
        """The store of another build to load `path` from (store/load.py from_previous), held
        shared meanwhile so that no server removes it: one this process serves, else the most
        recently loaded one; None when there is none."""
        held = [p for p in self._held if p != path]
        others = []
        for m in self.root.glob("build-*.loaded"):
            try:
                others.append((m.stat().st_mtime, m.with_suffix("")))
            except FileNotFoundError:
                continue  # removed meanwhile
        others = [p for _t, p in sorted(others, reverse=True) if p != path and p not in held]
        for candidate in held:
            if marker_of(candidate).is_file():
                yield candidate
                return
        for candidate in others:
            try:
                fd = os.open(self.root / (candidate.name + ".lock"), os.O_RDWR)
            except FileNotFoundError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)  # being loaded or removed
                continue
            try:
                if marker_of(candidate).is_file():
                    yield candidate
                    return
            finally:
                os.close(fd)
        yield None

    @staticmethod
    def _same_file(fd: int, lock: Path) -> bool:
        """The lock file held is still the one at its path (_remove_unused may remove it)."""
        try:
            return os.fstat(fd).st_ino == os.stat(lock).st_ino
        except FileNotFoundError:
            return False

    def release_all_but(self, *keep: Path) -> None:
        """Stop holding every store but `keep` (after a hot reload: the new one, and the one it
        replaced, whose retired workers may still be answering), and remove those nobody holds:
        at most two stores stay. (A store released here was replaced two builds ago: a query
        still reading it would have outlived a whole build and load; the workers' --timeout
        ends queries long before.)"""
        for path in [p for p in self._held if p not in keep]:
            os.close(self._held.pop(path))
        self._remove_unused()

    def _remove_unused(self) -> None:
        for lock in self.root.glob("build-*.lock"):
            path = lock.with_suffix("")
            if path in self._held:
                continue
            try:
                fd = os.open(lock, os.O_RDWR)
            except FileNotFoundError:
                continue  # another server removed it meanwhile
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue  # another server serves it
            try:
                shutil.rmtree(path, ignore_errors=True)
                marker_of(path).unlink(missing_ok=True)
                lock.unlink(missing_ok=True)
                log.info("removed the on-disk store of an earlier build: %s", path)
            finally:
                os.close(fd)
