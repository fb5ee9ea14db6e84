"""A content-addressed cache for work the build does per input: one entry per (unit, hash of
everything the unit's result depends on). Entries are written atomically, so a build that is
killed half-way leaves either a whole entry or none; stale entries of a unit are removed when a
new one is stored, so the cache stays the size of one build.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..core import ntriples
from ..core.paths import PACKAGE_DIR
from .dataschema import schema_files


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))  # length-prefixed: ("ab","c") != ("a","bc")
        h.update(data)
    return h.hexdigest()


def files_digest(paths) -> str:
    """One hash over some files' names and bytes (order-independent)."""
    h = hashlib.sha256()
    for p in sorted(Path(x) for x in paths):
        h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def code_digest() -> str:
    """The package's own code: a change to how graphs are made invalidates every entry."""
    here = PACKAGE_DIR
    return digest(__version__, files_digest([*sorted(here.rglob("*.py")), *schema_files()]))


@dataclass(frozen=True)
class Entry:
    ntriples: Path  # the unit's graph, sorted N-Triples lines
    report: dict
    lines: int | None = None  # how many (None: an entry from before they were counted)
    nquads: Path | None = None  # the same lines in the unit's named graph, as dist/'s N-Quads holds them


class BuildCache:
    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def _paths(self, unit: str, key: str) -> tuple[Path, Path, Path]:
        stem = self.directory / f"{unit}.{key[:32]}"
        return tuple(stem.with_name(stem.name + suffix) for suffix in (".nt", ".json", ".nq"))

    def get(self, unit: str, key: str) -> Entry | None:
        """The entry, if a complete one for this key exists."""
        nt, meta, nq = self._paths(unit, key)
        try:
            info = json.loads(meta.read_text(encoding="utf-8"))
            size = nt.stat().st_size
        except (FileNotFoundError, ValueError):
            return None
        if info.get("key") != key or info.get("bytes") != size:
            return None
        try:
            quads = nq if nq.stat().st_size == info.get("nquads_bytes") else None
        except FileNotFoundError:
            quads = None
        return Entry(nt, info["report"], info.get("lines"), quads)

    def put(self, unit: str, key: str, data: bytes, report: dict, graph: str | None = None) -> Entry:
        """Store an entry; with `graph`, its lines as N-Quads in that graph too, so that writing
        dist/ copies them rather than making them again (most of writing dist/ at 1,000 sources)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        nt, meta, nq = self._paths(unit, key)
        for old in self.directory.glob(f"{unit}.*"):
            if old not in (nt, meta, nq):
                old.unlink(missing_ok=True)
        _write_atomic(nt, data)
        info = {"key": key, "bytes": len(data), "lines": data.count(b"\n"), "report": report}
        if graph is not None:
            quads = ntriples.in_graph(data, graph)
            _write_atomic(nq, quads)
            info["nquads_bytes"] = len(quads)
        # the metadata goes last: an entry counts only once its data is complete
        _write_atomic(meta, json.dumps(info, ensure_ascii=False).encode())
        return Entry(nt, report, info["lines"], nq if graph is not None else None)


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
