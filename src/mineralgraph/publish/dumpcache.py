"""The dump files a build does not write (the N-Triples union, TriG, Turtle, JSON-LD and every
.gz: the manifest's "deferred_files"), made from dist/'s N-Quads (Turtle from the union, made
first) on first request (/dump/NAME) or by `mineralgraph export --dumps`, byte for byte what
`build --all-dumps` writes (the same code, publish/dist.py `_produce`).

They are kept in a cache directory, never in dist/ (a running server reads dist/, and a build
replaces it whole), one folder per build: the key is the N-Quads' sha256 from the manifest plus
the code and pyoxigraph versions, so a new build never gets an old file. Each file is written
under a temporary name and renamed when complete, its size and sha256 beside it (NAME.json,
written last); two requests for the same file at once take a lock, the second waits and then
reads what the first made. Older builds' folders are removed when a new one is made.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import pyoxigraph as ox

from .. import __version__
from ..core import ntriples
from . import dist as dist_module
from .dist import BUILD_FILES, DEFERRED, MANIFEST, NQUADS, _describe, _produce, read_manifest

CACHE_ENV = "MINERALGRAPH_DUMP_CACHE"
_WRITER_CODE = [Path(dist_module.__file__), Path(ntriples.__file__)]


class BuildChanged(RuntimeError):
    """dist/ holds another build than the one asked about (replaced meanwhile)."""


def cache_root(dist: Path) -> Path:
    """$MINERALGRAPH_DUMP_CACHE, else .mineralgraph-cache/dumps beside dist/ (where the build's
    own cache is)."""
    env = os.environ.get(CACHE_ENV)
    return Path(env) if env else Path(dist).resolve().parent / ".mineralgraph-cache" / "dumps"


def build_key(manifest: dict) -> str | None:
    """What a deferred file depends on: the N-Quads of record (the N-Triples union is made from the
    same lines) and the code that serialises them (its version, pyoxigraph's, and the files of it). None for a build without a manifest entry."""
    nq = (manifest.get("files") or {}).get(NQUADS) or {}
    if not nq.get("sha256"):
        return None
    h = hashlib.sha256("\0".join((nq["sha256"], __version__, getattr(ox, "__version__", ""))).encode())
    for code in _WRITER_CODE:  # the code that writes the files: a change to it is a new key
        h.update(b"\0" + code.read_bytes())
    return h.hexdigest()[:32]


def known(dist: Path, name: str, key: str | None) -> dict | None:
    """Size and sha256 of a deferred file already made for this build, else None."""
    if key is None:
        return None
    folder = cache_root(dist) / key
    try:
        meta = json.loads((folder / (name + ".json")).read_text(encoding="utf-8"))
        if (folder / name).stat().st_size == meta["bytes"]:
            return meta
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def made(dist: Path, name: str, key: str | None) -> Path | None:
    """The deferred file `name` already made for the build `key`, else None: it can be sent
    whatever dist/ holds now (a new build being copied in), since it is that build's."""
    return cache_root(dist) / key / name if known(dist, name, key) is not None else None


def deferred_file(dist: Path, name: str, key: str | None = None) -> tuple[Path, dict]:
    """The file `name` of the build in `dist` and its {bytes, sha256}: in dist/ when the build
    wrote it, else from the cache, made there first if need be. `key`: the build the caller
    serves (build_key); BuildChanged when dist/ now holds another one. KeyError: no such dump."""
    dist = Path(dist)
    manifest = read_manifest(dist) or {}
    current = build_key(manifest)
    if key is not None and current != key:
        raise BuildChanged(f"{dist} now holds another build than the one asked about")
    files = manifest.get("files") or {}
    if name in files:
        return dist / name, files[name]
    if name not in DEFERRED or name not in (manifest.get("deferred_files") or []) or current is None:
        raise KeyError(name)
    folder = cache_root(dist) / current
    folder.mkdir(parents=True, exist_ok=True)
    if (meta := known(dist, name, current)) is not None:
        return folder / name, meta
    with open(folder / f".lock-{name}", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the second of two requests waits here, then finds the file
        if (meta := known(dist, name, current)) is not None:
            return folder / name, meta
        _prune(folder)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=folder)
        os.close(fd)
        try:
            _produce(name, lambda n: _source(dist, n, current), Path(tmp))
            if build_key(read_manifest(dist) or {}) != current:  # dist/ replaced while we read it
                raise BuildChanged(f"{dist} was replaced while {name} was being made")
            meta = _describe(Path(tmp))
            os.replace(tmp, folder / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _write_json(folder / (name + ".json"), meta)  # last: the entry counts once this exists
    return folder / name, meta


def _source(dist: Path, name: str, key: str) -> Path:
    """A file `_produce` reads: a build file from dist/, or another deferred one (a .gz of TriG)."""
    if name in BUILD_FILES:
        return dist / name
    return deferred_file(dist, name, key)[0]


def make_all(dist: Path) -> dict[str, tuple[Path, dict]]:
    """Every deferred file of the build in `dist`, made where missing: `export --dumps`."""
    manifest = read_manifest(Path(dist)) or {}
    key = build_key(manifest)
    return {name: deferred_file(dist, name, key) for name in manifest.get("deferred_files") or []}


def _prune(keep: Path) -> None:
    """Other builds' folders: the cache holds the files of one build, as the build cache does."""
    for other in keep.parent.iterdir():
        if other.is_dir() and other != keep:
            shutil.rmtree(other, ignore_errors=True)


def _write_json(path: Path, data: dict) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f)
    os.replace(tmp, path)


__all__ = ["BuildChanged", "build_key", "cache_root", "deferred_file", "known", "made", "make_all", "MANIFEST"]
