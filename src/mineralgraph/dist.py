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

# (file name, rdflib format, whole dataset or union graph)
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


def write_dist(ds: Dataset, manifest: dict, target: Path) -> None:
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".dist-", dir=target.parent))
    try:
        union = union_graph(ds)
        for name, fmt, scope in OUTPUTS:
            graph = ds if scope == "dataset" else union
            if fmt in ("nt", "nquads"):
                lines = sorted(set(graph.serialize(format=fmt).splitlines()))
                (tmp / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
            else:
                graph.serialize(destination=str(tmp / name), format=fmt, encoding="utf-8")
        files = {}
        for name, _, _ in OUTPUTS:
            data = (tmp / name).read_bytes()
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
