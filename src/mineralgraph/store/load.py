"""Load the built dataset (dist/) into an embedded pyoxigraph store, verified.

A build is served only as the manifest describes it: before loading, every file the manifest
lists must have its size and sha256 (a half-copied dist/ fails here); after loading, the store
must hold the manifest's number of quads (named graphs plus the union default graph). Anything
else raises DistMismatch naming the file or graph, and the caller keeps what it had.

In memory by default. With a path, the store lives on disk and is reused across restarts as
long as it was loaded from the same build and its files are the ones written then: a sidecar
JSON records the build's fingerprint, the quad count and the size and sha256 of every store
file; a store that does not match (flipped bytes, a truncated or deleted file) is rebuilt from dist/.
"""
from __future__ import annotations

import gc
import hashlib
import json
import logging
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox

from ..publish.dist import BLOCKS

log = logging.getLogger("mineralgraph.store")


class DistMismatch(ValueError):
    """dist/ (or an on-disk store) is not what its manifest says: partial, truncated or altered."""


class StoreNotCurrent(Exception):
    """The on-disk store does not hold the build as loaded then, and was not to be rebuilt."""


# Best first: N-Quads is the fastest to parse; TriG carries the same named graphs.
_DUMPS = (("mineralgraph.nq", ox.RdfFormat.N_QUADS), ("mineralgraph.trig", ox.RdfFormat.TRIG))


def dump_of(dist: Path) -> tuple[Path, ox.RdfFormat]:
    for name, fmt in _DUMPS:
        if (dist / name).is_file():
            return dist / name, fmt
    raise FileNotFoundError(f"no mineralgraph.nq or mineralgraph.trig in {dist}")


def fingerprint(dump: Path) -> str:
    manifest = dump.parent / "manifest.json"
    if manifest.is_file():
        try:
            inputs = json.loads(manifest.read_text()).get("inputs_sha256")
            if inputs:
                return f"inputs:{inputs}"
        except ValueError:
            pass
    return "dump:" + hashlib.sha256(dump.read_bytes()).hexdigest()


def _sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _digests(paths: list[Path]) -> dict[Path, str]:
    # hashlib releases the GIL on large buffers: files hash in parallel.
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(paths, pool.map(_sha256, paths)))


def read_manifest(dist: Path) -> dict:
    path = Path(dist) / "manifest.json"
    if not path.is_file():
        return {}
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as err:
        raise DistMismatch(f"{path}: not valid JSON ({err})") from None
    if not isinstance(manifest, dict):
        raise DistMismatch(f"{path}: not a JSON object")
    return manifest


def verify_files(dist: Path, manifest: dict) -> None:
    """Every file the manifest lists is there with its size and sha256 (sizes first: cheap)."""
    files = manifest.get("files") or {}
    for name, meta in sorted(files.items()):
        path = Path(dist) / name
        if not path.is_file():
            raise DistMismatch(f"{path}: listed in manifest.json but missing")
        size = path.stat().st_size
        if size != meta.get("bytes"):
            raise DistMismatch(f"{path}: {size:,} bytes, manifest.json says {meta.get('bytes'):,}")
    digests = _digests([Path(dist) / name for name in sorted(files)])
    for path, digest in digests.items():
        if digest != files[path.name].get("sha256"):
            raise DistMismatch(f"{path}: sha256 {digest[:12]}…, manifest.json says "
                               f"{str(files[path.name].get('sha256'))[:12]}…")


def expected_quads(manifest: dict) -> int | None:
    """Quads a store loaded from this build holds: every named graph plus the union default graph."""
    graphs, triples = manifest.get("graphs"), manifest.get("triples")
    if not isinstance(graphs, dict) or not isinstance(triples, int):
        return None
    return sum(graphs.values()) + triples


def verify_counts(store: ox.Store, manifest: dict, where: object) -> int:
    """The store holds what the manifest announces; returns the quad count."""
    held = len(store)
    expected = expected_quads(manifest)
    if expected is not None and held != expected:
        short = [f"{g} {n:,} announced" for g, n in sorted(manifest["graphs"].items())
                 if not any(True for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(g)))][:3]
        raise DistMismatch(f"{where}: the store holds {held:,} quads, manifest.json announces "
                           f"{expected:,}" + (f" (empty: {'; '.join(short)})" if short else ""))
    return held


def _graph_runs(data: bytes):
    """`data` (whole N-Quads lines, each graph's lines together as the build writes them) as
    N-Triples: per run of one graph, its term " <IRI> .\n" replaced at once (bytes.replace, in C),
    the run's end found by bisecting the lines. A line ending in that term ends in it only."""
    pos, size = 0, len(data)
    while pos < size:
        eol = data.index(b"\n", pos)
        term = data[data.rindex(b" <", pos, eol):eol + 1]
        lo, hi = eol + 1, size  # the run ends at a line start in [lo, hi]
        while lo < hi:
            mid = (lo + hi) // 2
            start, end = data.rfind(b"\n", 0, mid) + 1, data.index(b"\n", mid) + 1
            if data[end - len(term):end] == term:
                lo = end
            else:
                hi = start
        yield data[pos:lo].replace(term, b" .\n")
        pos = lo


def _triples_blocks(path: Path, block: int = 1 << 24):
    """An N-Quads file of the build's as N-Triples, 16 MB at a time (the store keeps each triple once)."""
    rest = b""
    with open(path, "rb") as f:
        while chunk := f.read(block):
            data = rest + chunk
            cut = data.rfind(b"\n") + 1
            rest = data[cut:]
            yield b"".join(_graph_runs(data[:cut]))
    if rest:
        raise DistMismatch(f"{path}: the last line has no end")


def load_file(path: Path, fmt: ox.RdfFormat | None = None, store_path: Path | None = None,
              lenient: bool = False) -> ox.Store:
    """Load one RDF file (a dataset format keeps its named graphs) and make the default graph
    the union of its named graphs, each triple once. `lenient`: skip pyoxigraph's IRI checks, for
    a file whose bytes are known to be the build's (load_dist verifies their sha256 first).

    The union is materialised rather than asked for per query (`use_default_graph_as_union`):
    pyoxigraph's union yields one solution per named graph that holds a triple, and a fact
    repeated by N sources would make a join over k of its triples return N^k rows. From the
    build's N-Quads it is loaded from the same file read as N-Triples, about as fast as the
    N-Triples union the build used to write (bench/load_bench.py); else made by one INSERT."""
    store = ox.Store(str(store_path)) if store_path else ox.Store()
    if store_path:
        store.clear()
    load = store.bulk_load if store_path else store.load  # bulk: RocksDB's own files, written directly
    load(path=str(path), format=fmt, lenient=lenient)
    if fmt == ox.RdfFormat.N_QUADS and lenient:  # the build's own N-Quads: each graph's lines together
        for triples in _triples_blocks(path):
            load(triples, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph(), lenient=True)
    else:
        store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    if store_path:
        store.flush()
    return store


def load_dist(dist: Path, store_path: Path | None = None) -> ox.Store:
    """Store holding every named graph of the build in `dist`, checked against its manifest.
    Raises DistMismatch (the caller keeps serving what it had) or FileNotFoundError."""
    return load_build(dist, store_path)[0]


def load_build(dist: Path, store_path: Path | None = None, rebuild: bool = True,
               previous: Path | None = None) -> tuple[ox.Store, dict]:
    """load_dist's store, with the manifest it was checked against (a later read of
    manifest.json may already be the next build's). `rebuild=False`: an on-disk store that is
    not current raises StoreNotCurrent instead of being loaded again. `previous`: the on-disk
    store of another build (not to be changed), which a store to load starts from where it can
    (from_previous)."""
    dist = Path(dist)
    manifest = read_manifest(dist)
    dump, fmt = dump_of(dist)
    problem = None
    if store_path is not None:
        # the store is checked before the dist's files are hashed (0.9 s at 1,000 sources): a caller
        # that may not rebuild it learns so at once, and loads it under its own lock, hashing them then
        store_path = Path(store_path)
        build_fingerprint = fingerprint(dump)
        problem = _store_problem(store_path, marker_of(store_path), build_fingerprint)
        if problem and not rebuild:
            raise StoreNotCurrent(problem)
    verify_files(dist, manifest)
    verified = dump.name in (manifest.get("files") or {})  # its sha256 is the build's: IRIs need no check
    if store_path is None:
        store = load_file(dump, fmt, lenient=verified)
        verify_counts(store, manifest, dump)
        return store, manifest
    marker = marker_of(store_path)
    if problem:
        if store_path.exists():
            log.warning("rebuilding the on-disk store %s from %s: %s", store_path, dist, problem)
        marker.unlink(missing_ok=True)
        _remove_store(store_path)  # from empty: a damaged store cannot even be cleared
        store = from_previous(previous, dump, manifest, store_path) if previous is not None and verified else None
        if store is None:
            store = load_file(dump, fmt, store_path, lenient=verified)
            store.optimize()
        quads = verify_counts(store, manifest, store_path)
        del store  # closes RocksDB: a live writer compacts in the background under readers' feet
        gc.collect()
        _write_marker(marker, build_fingerprint, quads, store_path, _blocks(manifest, dump))
    # Served read-only: the query workers open their own read-only handles on the same files.
    return ox.Store.read_only(str(store_path)), manifest


# A new build is loaded from the last one's store when the graphs that changed are at most this
# share of the N-Quads' bytes; past it, loading everything is quicker than the changes one by one
DELTA_SHARE = 0.3


def from_previous(previous: Path, dump: Path, manifest: dict, store_path: Path) -> ox.Store | None:
    """The build's store made at `store_path` from `previous`, the store of another build on
    disk: a copy of it (hard links to its files: RocksDB's backup) with the graphs that changed
    between the two builds (the manifests' version ids of each graph's lines) brought to the new
    dump's lines, and the union default graph with them: a triple that entered a graph enters
    it, one that left every graph leaves it. None (and nothing at `store_path`) when the builds
    cannot be compared, too much changed, or the result does not hold the manifest's counts.
    At 1,000 sources the whole load takes 44-51 s; from the last store, a source added took 10.0 s
    and a source removed 11 s (the new graph, graph/inferred and graph/derived compared, 733,000
    lines; measured)."""
    new_blocks = _blocks(manifest, dump)
    try:
        old_blocks = json.loads(marker_of(previous).read_text()).get(BLOCKS)
    except (OSError, ValueError, AttributeError):
        return None
    if not new_blocks or not isinstance(old_blocks, dict):
        return None
    changed = sorted(g for g in set(new_blocks) | set(old_blocks)
                     if g not in new_blocks or old_blocks.get(g) != new_blocks[g][2])
    if sum(new_blocks[g][1] for g in changed if g in new_blocks) > DELTA_SHARE * sum(b[1] for b in new_blocks.values()):
        return None
    store = None
    try:
        ox.Store.read_only(str(previous)).backup(str(store_path))
        store = ox.Store(str(store_path))
        _apply_changes(store, dump, changed, old_blocks, new_blocks)
        store.flush()
        verify_counts(store, manifest, store_path)
    except (OSError, ValueError, SyntaxError) as err:  # DistMismatch is a ValueError
        problem = str(err)
    else:
        log.info("loaded from the store of the last build: %d of %d graphs changed", len(changed), len(new_blocks))
        return store
    # the error and its frames are gone here: the store closes (RocksDB's lock with it) and goes
    store = None
    gc.collect()
    shutil.rmtree(store_path, ignore_errors=True)
    log.warning("loading %s from the store of the last build did not work (%s); loading all of it", dump, problem)
    return None


def _apply_changes(store: ox.Store, dump: Path, changed: list[str], old_blocks: dict, new_blocks: dict) -> None:
    """Each changed graph's quads made the dump's; then the union default graph. Quads are
    compared as the store and the parser give them: a triple spelt otherwise ("05" for "5")
    leaves and comes back, which changes nothing. All graphs are changed before the union is, so
    a triple is taken out of the union only when no graph holds it after the change."""
    default = ox.DefaultGraph()
    left, entered = set(), set()
    with open(dump, "rb") as f:
        for g in changed:
            name = ox.NamedNode(g)
            old = {q.triple for q in store.quads_for_pattern(None, None, None, name)} if g in old_blocks else set()
            new = set()
            if g in new_blocks:
                offset, length, _id = new_blocks[g]
                f.seek(offset)
                new = {q.triple for q in ox.parse(f.read(length), format=ox.RdfFormat.N_QUADS, lenient=True)}
            for t in old - new:
                store.remove(ox.Quad(t.subject, t.predicate, t.object, name))
            store.extend([ox.Quad(t.subject, t.predicate, t.object, name) for t in new - old])
            left |= old - new
            entered |= new - old
    store.extend([ox.Quad(t.subject, t.predicate, t.object, default) for t in entered])
    for t in left:
        # the object compared again: on disk, pyoxigraph 0.5.13's quads_for_pattern also gives
        # quads of other integer objects (asked for 1791 it gave those of 1800 too; SPARQL does not)
        if not any(q.graph_name != default and q.object == t.object
                   for q in store.quads_for_pattern(t.subject, t.predicate, t.object, None)):
            store.remove(ox.Quad(t.subject, t.predicate, t.object, default))


def _blocks(manifest: dict, dump: Path) -> dict | None:
    """The N-Quads' graph blocks the build lists ({graph: [offset, bytes, id]}), if it does."""
    blocks = ((manifest.get("files") or {}).get(dump.name) or {}).get(BLOCKS)
    if not isinstance(blocks, dict) or not all(isinstance(b, list) and len(b) == 3 for b in blocks.values()):
        return None
    return blocks


def marker_of(store_path: Path) -> Path:
    """The sidecar recording what an on-disk store was loaded from and its files' checksums."""
    return store_path.with_name(store_path.name + ".loaded")


def _remove_store(store_path: Path) -> None:
    if not store_path.exists():
        return
    if not (store_path / "CURRENT").is_file():
        raise DistMismatch(f"{store_path}: exists but is not a store written by mineralgraph; "
                           "refusing to overwrite it (choose another --store path)")
    shutil.rmtree(store_path)


def _store_files(store_path: Path) -> list[Path]:
    # RocksDB's data and metadata; its LOG files change on every open and are not data.
    return sorted(p for p in store_path.iterdir() if p.is_file() and not p.name.startswith("LOG")
                  and p.name != "LOCK")


def _write_marker(marker: Path, fingerprint: str, quads: int, store_path: Path, blocks: dict | None = None) -> None:
    digests = _digests(_store_files(store_path))
    record = {"fingerprint": fingerprint, "quads": quads,
              "files": {p.name: [p.stat().st_size, d] for p, d in digests.items()}}
    if blocks:
        record[BLOCKS] = {g: b[2] for g, b in blocks.items()}  # each graph's version id, for from_previous
    tmp = marker.with_name(marker.name + ".tmp")
    tmp.write_text(json.dumps(record, indent=1, sort_keys=True))
    tmp.replace(marker)


def _store_problem(store_path: Path, marker: Path, fingerprint: str) -> str | None:
    """Why the on-disk store cannot be reused as it is, or None when it matches what was loaded."""
    if not store_path.is_dir():
        return "no store yet"
    try:
        record = json.loads(marker.read_text())
    except (OSError, ValueError):
        return "no record of what was loaded (first load with this version, or interrupted)"
    if not isinstance(record, dict) or record.get("fingerprint") != fingerprint:
        return "it was loaded from another build"
    files = record.get("files") or {}
    present = {p.name: p for p in _store_files(store_path)}
    if set(present) != set(files):
        gone, extra = sorted(set(files) - set(present)), sorted(set(present) - set(files))
        return f"store files differ from those loaded (missing {gone[:3]}, unexpected {extra[:3]})"
    for name, (size, _) in files.items():
        if present[name].stat().st_size != size:
            return f"{name} is {present[name].stat().st_size:,} bytes, {size:,} when loaded"
    for path, digest in _digests(list(present.values())).items():
        if digest != files[path.name][1]:
            return f"{path.name} does not have the checksum it had when loaded"
    return None
