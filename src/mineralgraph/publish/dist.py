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
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import pyoxigraph as ox

from .. import __version__
from ..core.namespaces import PREFIXES
from ..core.ntriples import restore_language_case
from ..core.paths import PACKAGE_DIR, ProjectPaths

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
    code = PACKAGE_DIR
    files = sorted({p for g in INPUT_GLOBS for p in paths.root.glob(g) if p.is_file()})
    files += sorted(p for p in code.rglob("*.py"))
    for p in files:
        rel = p.relative_to(paths.root) if p.is_relative_to(paths.root) else p.relative_to(code)
        h.update(str(rel).encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def write_dumps(graphs, directory: Path, jobs: int | None = None) -> dict[str, dict]:
    """Every dump file of the graphs (GraphChunk: graph IRI + sorted N-Triples lines) into
    `directory`, plus a gzip copy of each; returns {file: {bytes, sha256}}. Graphs go in IRI
    order and lines are sorted, so the same graphs always give the same bytes."""
    ordered = sorted(graphs, key=lambda g: g.graph)
    seen: set[int] = set()
    with open(directory / NQUADS, "wb") as nq, open(directory / NTRIPLES, "wb") as nt:
        for g in ordered:
            data = g.data
            # every N-Triples line ends in " .\n" and nothing else does (newlines in literals are escaped)
            nq.write(data.replace(b" .\n", f" <{g.graph}> .\n".encode()))
            # union: a triple stated in several graphs is written once
            nt.write(b"".join(line for line in data.splitlines(keepends=True) if not ((h := hash(line)) in seen or seen.add(h))))
    del seen
    # The other formats, and every file's .gz and checksum, in parallel worker processes.
    names = [NQUADS, NTRIPLES, *(n for n, _f, _s in DERIVED_FORMATS)]
    workers = max(1, min(len(names), jobs or os.cpu_count() or 1))
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        done = dict(zip(names, pool.map(_finish, [(directory, name) for name in names])))
    return {k: v for name in names for k, v in done[name].items()}


def _finish(job) -> dict[str, dict]:
    """One dump file: serialised (for a derived format), gzipped and described."""
    directory, name = job
    derived = {n: (fmt, source) for n, fmt, source in DERIVED_FORMATS}
    if name in derived:
        fmt, source = derived[name]
        raw = directory / (name + ".raw")
        prefixes = {p: str(ns) for p, ns in PREFIXES.items()}
        ox.serialize(ox.parse(path=str(directory / source), format=_FORMAT_OF[source]), str(raw), fmt, prefixes=prefixes)
        with open(raw, "rb") as src, open(directory / name, "wb") as out:
            _copy_restoring_language_case(src, out)
        raw.unlink()
    with open(directory / name, "rb") as src, gzip.GzipFile(directory / (name + ".gz"), "wb", compresslevel=6, mtime=0) as gz:
        shutil.copyfileobj(src, gz, 1 << 20)
    return {name: _describe(directory / name), name + ".gz": _describe(directory / (name + ".gz"))}


def _copy_restoring_language_case(src, out, block: int = 1 << 22) -> None:
    """restore_language_case over a file of any shape (JSON-LD comes as one line), in blocks cut
    after a newline or brace, which no language tag pattern spans."""
    rest = b""
    while chunk := src.read(block):
        data = rest + chunk
        cut = max(data.rfind(b"\n"), data.rfind(b"}")) + 1
        if cut == 0:
            rest = data
            continue
        out.write(restore_language_case(data[:cut]))
        rest = data[cut:]
    out.write(restore_language_case(rest))


_FORMAT_OF = {NQUADS: ox.RdfFormat.N_QUADS, NTRIPLES: ox.RdfFormat.N_TRIPLES}


def _describe(path: Path) -> dict:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
            size += len(block)
    return {"bytes": size, "sha256": h.hexdigest()}


def write_dist(graphs, manifest: dict, target: Path, jobs: int | None = None) -> None:
    """dist/ written into a fresh directory that replaces the old one only when complete."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".dist-", dir=target.parent))
    try:
        files = write_dumps(graphs, tmp, jobs)
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
