"""Load the built dataset (dist/) into an embedded pyoxigraph store.

In memory by default. With a path, the store lives on disk and is reused across restarts as
long as it was loaded from the same build (a sidecar file records the build's manifest hash).
"""
from __future__ import annotations

import gc
import hashlib
import json
from pathlib import Path

import pyoxigraph as ox

# Best first: N-Quads is the fastest to parse; TriG carries the same named graphs.
_DUMPS = (("mineralgraph.nq", ox.RdfFormat.N_QUADS), ("mineralgraph.trig", ox.RdfFormat.TRIG))


def _dump(dist: Path) -> tuple[Path, ox.RdfFormat]:
    for name, fmt in _DUMPS:
        if (dist / name).is_file():
            return dist / name, fmt
    raise FileNotFoundError(f"no mineralgraph.nq or mineralgraph.trig in {dist}")


def _fingerprint(dump: Path) -> str:
    manifest = dump.parent / "manifest.json"
    if manifest.is_file():
        try:
            inputs = json.loads(manifest.read_text()).get("inputs_sha256")
            if inputs:
                return f"inputs:{inputs}"
        except ValueError:
            pass
    return "dump:" + hashlib.sha256(dump.read_bytes()).hexdigest()


def load_file(path: Path, fmt: ox.RdfFormat | None = None, store_path: Path | None = None) -> ox.Store:
    """Load one RDF file (a dataset format keeps its named graphs) and make the default graph
    the union of its named graphs, each triple once.

    The union is materialised rather than asked for per query (`use_default_graph_as_union`):
    pyoxigraph's union yields one solution per named graph that holds a triple, and a fact
    repeated by N sources would make a join over k of its triples return N^k rows."""
    store = ox.Store(str(store_path)) if store_path else ox.Store()
    union = path.with_name("mineralgraph.nt")
    if store_path:
        store.clear()
        store.bulk_load(path=str(path), format=fmt)
        if union.is_file():
            store.bulk_load(path=str(union), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
        else:
            store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
        store.flush()
    else:
        store.load(path=str(path), format=fmt)
        if union.is_file():
            store.load(path=str(union), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
        else:
            store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    return store


def load_dist(dist: Path, store_path: Path | None = None) -> ox.Store:
    """Store holding every named graph of the build in `dist`."""
    dump, fmt = _dump(Path(dist))
    if store_path is None:
        return load_file(dump, fmt)
    store_path = Path(store_path)
    marker = store_path.with_name(store_path.name + ".loaded")
    fingerprint = _fingerprint(dump)
    if not (store_path.exists() and marker.is_file() and marker.read_text() == fingerprint):
        marker.unlink(missing_ok=True)
        store = load_file(dump, fmt, store_path)
        store.optimize()
        del store  # closes RocksDB: a live writer compacts in the background under readers' feet
        gc.collect()
        marker.write_text(fingerprint)
    # Served read-only: the query workers open their own read-only handles on the same files.
    return ox.Store.read_only(str(store_path))
