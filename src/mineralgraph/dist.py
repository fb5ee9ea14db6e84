"""Writing dist/: every output written into a fresh directory that replaces the old one only
when all files are complete, so a failed build never leaves a half-written dist/."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from rdflib import Dataset, Graph

from . import __version__
from .namespaces import bind_prefixes
from .paths import ProjectPaths

# (file name, rdflib format, whole dataset or union of all graphs)
OUTPUTS = [
    ("mineralgraph.trig", "trig", "dataset"),
    ("mineralgraph.nq", "nquads", "dataset"),
    ("mineralgraph.jsonld", "json-ld", "dataset"),
    ("mineralgraph.ttl", "turtle", "union"),
    ("mineralgraph.nt", "nt", "union"),
]
MANIFEST = "manifest.json"
INPUT_GLOBS = ["seeds/**/*", "ontology/**/*.ttl", "shapes/**/*.ttl", "queries/rules/*.rq", "queries/checks/**/*.rq"]


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


def union_graph(ds: Dataset) -> Graph:
    g = Graph()
    bind_prefixes(g)
    for s, p, o, _g in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def serialise_all(ds: Dataset) -> dict[str, bytes]:
    """Every output file's bytes, with rdflib. (pyoxigraph writes these formats far faster, but
    its store turns xsd:nonNegativeInteger into xsd:integer and lower-cases language tags, so the
    files would no longer say what the graph says.) rdflib's order of graphs and nodes varies from
    run to run; each format is put in a fixed order, so the same graph gives the same bytes."""
    union = union_graph(ds)
    out = {}
    for name, fmt, scope in OUTPUTS:
        if fmt == "trig":
            out[name] = _trig(ds)
            continue
        data = (ds if scope == "dataset" else union).serialize(format=fmt, encoding="utf-8")
        if fmt in ("nt", "nquads"):
            data = b"\n".join(sorted(set(data.splitlines()))) + b"\n"
        elif fmt == "json-ld":
            data = json.dumps(_sorted_json(json.loads(data)), ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
        out[name] = data
    return out


def _trig(ds: Dataset) -> bytes:
    """TriG as one Turtle block per named graph, graphs in IRI order."""
    prefixes: set[str] = set()
    blocks = []
    for graph in sorted((g for g in ds.graphs() if len(g)), key=lambda g: str(g.identifier)):
        g = Graph()
        bind_prefixes(g)
        for triple in graph:
            g.add(triple)
        lines = g.serialize(format="turtle").splitlines()
        prefixes.update(line for line in lines if line.startswith("@prefix"))
        body = [("    " + line) if line else "" for line in lines if not line.startswith("@prefix")]
        blocks.append(f"<{graph.identifier}> {{\n" + "\n".join(body).strip("\n") + "\n}\n")
    return ("\n".join(sorted(prefixes)) + "\n\n" + "\n".join(blocks)).encode("utf-8")


def _sorted_json(node, key: str | None = None):
    """JSON-LD with every array sorted, except @list (its order is the data)."""
    if isinstance(node, dict):
        return {k: _sorted_json(v, k) for k, v in node.items()}
    if isinstance(node, list):
        items = [_sorted_json(v) for v in node]
        return items if key == "@list" else sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return node


def write_dist(ds: Dataset, manifest: dict, target: Path) -> None:
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".dist-", dir=target.parent))
    try:
        files = {}
        for name, data in serialise_all(ds).items():
            (tmp / name).write_bytes(data)
            files[name] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
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
