"""Writing dist/: every output written into a fresh directory that replaces the old one only
when all files are complete, so a failed build never leaves a half-written dist/."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import gzip

import pyoxigraph as ox

from . import __version__
from .namespaces import PREFIXES
from .ntriples import restore_language_case
from .paths import ProjectPaths

# The dump files: N-Quads and N-Triples are written directly from the graphs' sorted lines; the
# other formats are serialised by pyoxigraph, streaming, from those.
NQUADS, NTRIPLES = "mineralgraph.nq", "mineralgraph.nt"
DERIVED_FORMATS = [  # (file, pyoxigraph format, read from)
    ("mineralgraph.trig", ox.RdfFormat.TRIG, NQUADS),
    ("mineralgraph.ttl", ox.RdfFormat.TURTLE, NTRIPLES),
    ("mineralgraph.jsonld", ox.RdfFormat.JSON_LD, NQUADS),
]
MANIFEST = "manifest.json"
INPUT_GLOBS = ["seeds/**/*", "ontology/**/*.ttl", "shapes/**/*.ttl", "queries/rules/*.rq", "queries/checks/**/*.rq",
               "schemas/*.json"]


def inputs_digest(paths: ProjectPaths) -> str:
    """One hash over every input file and the code version: dist/ is stale when it changes."""
    h = hashlib.sha256(__version__.encode())
    code = Path(__file__).parent
    files = sorted({p for g in INPUT_GLOBS for p in paths.root.glob(g) if p.is_file()})
    files += sorted(p for p in code.rglob("*.py"))
    for p in files:
        rel = p.relative_to(paths.root) if p.is_relative_to(paths.root) else p.relative_to(code)
        h.update(str(rel).encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def write_dumps(graphs, directory: Path) -> dict[str, dict]:
    """Every dump file of the graphs (GraphChunk: graph IRI + sorted N-Triples lines) into
    `directory`, plus a gzip copy of each; returns {file: {bytes, sha256}}. Graphs go in IRI
    order and lines are sorted, so the same graphs always give the same bytes."""
    ordered = sorted(graphs, key=lambda g: g.graph)
    seen: set[int] = set()
    with open(directory / NQUADS, "wb") as nq, open(directory / NTRIPLES, "wb") as nt:
        for g in ordered:
            suffix = f"<{g.graph}> .\n".encode()
            for line in g.data.splitlines(keepends=True):
                nq.write(line[:-2] + suffix)
                h = hash(line)  # union: a triple stated in several graphs is written once
                if h not in seen:
                    seen.add(h)
                    nt.write(line)
    del seen
    prefixes = {p: str(ns) for p, ns in PREFIXES.items()}
    for name, fmt, source in DERIVED_FORMATS:
        raw = directory / (name + ".raw")
        ox.serialize(ox.parse(path=str(directory / source), format=_FORMAT_OF[source]), str(raw), fmt, prefixes=prefixes)
        with open(raw, "rb") as src, open(directory / name, "wb") as out:
            for line in src:
                out.write(restore_language_case(line))
        raw.unlink()
    files = {}
    for name in [NQUADS, NTRIPLES, *(n for n, _f, _s in DERIVED_FORMATS)]:
        files[name] = _describe(directory / name)
        with open(directory / name, "rb") as src, gzip.GzipFile(directory / (name + ".gz"), "wb", compresslevel=6, mtime=0) as gz:
            shutil.copyfileobj(src, gz, 1 << 20)
        files[name + ".gz"] = _describe(directory / (name + ".gz"))
    return files


_FORMAT_OF = {NQUADS: ox.RdfFormat.N_QUADS, NTRIPLES: ox.RdfFormat.N_TRIPLES}


def _describe(path: Path) -> dict:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
            size += len(block)
    return {"bytes": size, "sha256": h.hexdigest()}


def write_dist(graphs, manifest: dict, target: Path) -> None:
    """dist/ written into a fresh directory that replaces the old one only when complete."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".dist-", dir=target.parent))
    try:
        files = write_dumps(graphs, tmp)
        manifest = {**manifest, "files": files}
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
        _swap(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _swap(new: Path, target: Path) -> None:
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}-old-{os.getpid()}")
        os.rename(target, old)
    try:
        os.rename(new, target)
    except BaseException:
        if old is not None:
            os.rename(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def read_manifest(dist: Path) -> dict | None:
    try:
        return json.loads((dist / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
