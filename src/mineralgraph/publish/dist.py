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
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pyoxigraph as ox

from .. import __version__
from ..core.namespaces import PREFIXES
from ..core.ntriples import in_graph, restore_language_case
from ..core.paths import PACKAGE_DIR, ProjectPaths

# The dump files: the N-Quads of record is written directly from the graphs' sorted lines; the
# N-Triples union is made from it (each triple once), the other formats serialised by pyoxigraph,
# streaming, from those two.
NQUADS, NTRIPLES = "mineralgraph.nq", "mineralgraph.nt"
# The N-Quads' entry in the manifest lists where each graph's lines are in it and a version id
# of them: {graph: [offset, bytes, id]}; the server loads a new build on disk from the last
# one's store and the graphs that changed (store/load.py)
BLOCKS = "graph_blocks"
DERIVED_FORMATS = [  # (file, pyoxigraph format, read from)
    ("mineralgraph.trig", ox.RdfFormat.TRIG, NQUADS),
    ("mineralgraph.ttl", ox.RdfFormat.TURTLE, NTRIPLES),
    ("mineralgraph.jsonld", ox.RdfFormat.JSON_LD, NQUADS),
]
_DERIVED = {n: (fmt, source) for n, fmt, source in DERIVED_FORMATS}
# Written by every build: the N-Quads of record only. The server makes the union default graph
# inside its store (store/load.py), so the N-Triples union (as large again: 0.9 GB at 1,000 sources)
# is DEFERRED with the rest: made on first request or by `export --dumps`.
BUILD_FILES = (NQUADS,)
DUMP_NAMES = (NQUADS, NTRIPLES, *_DERIVED)
DEFERRED = (NTRIPLES, *_DERIVED, *(n + ".gz" for n in DUMP_NAMES))
MANIFEST = "manifest.json"


def made_from(name: str) -> str:
    """The build file (BUILD_FILES) a deferred dump is made from, through any dump between them
    (Turtle from the N-Triples union, which comes from the N-Quads): its bytes are those of that file."""
    plain = name.removesuffix(".gz")
    step = NQUADS if plain == NTRIPLES else _DERIVED[plain][1] if plain in _DERIVED else plain
    return step if step == plain or step in BUILD_FILES else made_from(step)


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


def write_dumps(graphs, directory: Path, jobs: int | None = None, all_dumps: bool = True) -> dict[str, dict]:
    """The dump files of the graphs (GraphChunk: graph IRI + sorted N-Triples lines) into
    `directory`; returns {file: {bytes, sha256}}. Graphs go in IRI order and lines are sorted, so
    the same graphs always give the same bytes. With `all_dumps` every format and a gzip copy of
    each; without, the BUILD_FILES only (the others are made on demand by `deferred_file`)."""
    ordered = sorted(graphs, key=lambda g: g.graph)
    digest, size, blocks = hashlib.sha256(), 0, {}
    # described as written (1.4 GB at 1,000 sources is not read back); each block is hashed on a
    # thread while the next is read and written (both without the GIL): 1.66 s -> 1.0 s at 1,000
    with open(directory / NQUADS, "wb") as nq, ThreadPoolExecutor(max_workers=1) as hasher:
        hashed = None
        for g in ordered:
            # a source graph's N-Quads are in the build cache, made with the graph: copied
            block = g.nquads.read_bytes() if g.nquads is not None else in_graph(g.data, g.graph)
            nq.write(block)
            if hashed is not None:
                hashed.result()  # in order
            hashed = hasher.submit(digest.update, block)
            blocks[g.graph] = [size, len(block), _block_id(g, block)]
            size += len(block)
        if hashed is not None:
            hashed.result()
    files = {NQUADS: {"bytes": size, "sha256": digest.hexdigest(), BLOCKS: blocks}}
    if not all_dumps:
        return files
    _produce(NTRIPLES, lambda n: directory / n, directory / NTRIPLES)  # Turtle is made from it
    # The other formats, and every file's .gz and checksum, in parallel worker processes.
    names = [NQUADS, NTRIPLES, *(n for n, _f, _s in DERIVED_FORMATS)]
    workers = max(1, min(len(names), jobs or os.cpu_count() or 1))
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        done = dict(zip(names, pool.map(_finish, [(directory, name) for name in names])))
    out = {k: v for name in names for k, v in done[name].items()}
    out[NQUADS][BLOCKS] = blocks
    return out


def _block_id(chunk, block: bytes) -> str:
    """What tells one graph's lines from another version of them: the build cache's file name
    (its key is the hash of everything the graph is made from) with the length, else the
    lines' own hash (graph/inferred, graph/derived, a graph moved to another IRI base)."""
    if chunk.nquads is not None:
        return f"{chunk.nquads.name}:{len(block)}"
    return hashlib.sha256(block).hexdigest()[:32]


def _finish(job) -> dict[str, dict]:
    """One dump file: serialised (for a derived format), gzipped and described."""
    directory, name = job
    if name in _DERIVED:
        _produce(name, lambda n: directory / n, directory / name)
    _produce(name + ".gz", lambda n: directory / n, directory / (name + ".gz"))
    return {name: _describe(directory / name), name + ".gz": _describe(directory / (name + ".gz"))}


def _produce(name: str, read_from, out: Path) -> None:
    """Write the dump file `name` to `out`, from the files `read_from(name)` finds: a gzip copy of
    another dump, or a derived format serialised from N-Quads or N-Triples. The one way each file
    is made, at build time (`--all-dumps`) or on demand, so both give the same bytes."""
    if name.endswith(".gz"):
        # filename: the name inside the gzip header is the dump's, not the temporary file's
        with open(read_from(name[:-3]), "rb") as src, open(out, "wb") as f, \
                gzip.GzipFile(filename=name, mode="wb", compresslevel=6, fileobj=f, mtime=0) as gz:
            shutil.copyfileobj(src, gz, 1 << 20)
        return
    if name == NTRIPLES:
        _union_of(read_from(NQUADS), out)
        return
    fmt, source = _DERIVED[name]
    raw = out.with_name(out.name + ".raw")
    try:
        prefixes = {p: str(ns) for p, ns in PREFIXES.items()}
        ox.serialize(ox.parse(path=str(read_from(source)), format=_FORMAT_OF[source]), str(raw), fmt, prefixes=prefixes)
        with open(raw, "rb") as src, open(out, "wb") as dst:
            _copy_restoring_language_case(src, dst)
    finally:
        raw.unlink(missing_ok=True)


def _union_of(nquads: Path, out: Path) -> None:
    """The N-Triples union of an N-Quads dump this module wrote: each line without its graph, the
    first time it comes. Graphs are in IRI order and each graph's lines sorted, so these are the
    bytes the graphs' own lines would give, deduplicated in the same order."""
    seen: set[bytes] = set()
    with open(nquads, "rb") as src, open(out, "wb") as dst:
        for line in src:
            # the graph is the line's last term, " <IRI> .\n": an IRI holds no space or "<"
            triple = line[: line.rindex(b" <")] + b" .\n"
            key = hashlib.blake2b(triple, digest_size=16).digest()  # a set of lines would hold 0.9 GB
            if key not in seen:
                seen.add(key)
                dst.write(triple)


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


class DistWriter:
    """dist/ written into a fresh directory that replaces the old one only when complete, in two
    steps, so that the dumps can be written while the build still validates: the dumps into a
    directory beside dist/ (`write_dumps`), then the manifest and the swap (`finish`), or nothing
    of it (`discard`). The manifest's "files" are the files written (size, sha256); "deferred_files"
    the dumps made on demand from them (publish/dumpcache.py): none with `all_dumps`."""

    def __init__(self, target: Path, jobs: int | None = None, all_dumps: bool = False):
        self.target, self.jobs, self.all_dumps = Path(target), jobs, all_dumps
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(tempfile.mkdtemp(prefix=".dist-", dir=self.target.parent))
        self.files: dict[str, dict] | None = None

    def write_dumps(self, graphs) -> None:
        self.files = write_dumps(graphs, self.tmp, self.jobs, self.all_dumps)

    def finish(self, manifest: dict) -> None:
        """The manifest written and the directory made dist/ (the old one removed)."""
        files = self.files
        manifest = {**manifest, "files": files, "deferred_files": [n for n in DEFERRED if n not in files]}
        (self.tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n",
                                         encoding="utf-8")
        _swap(self.tmp, self.target)

    def discard(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


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
