"""Shared fixtures: the project's own data (ontology, shapes), a throw-away copy of it, and the built graph."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Dataset, Graph

from mineralgraph.build.ontology import load_ontology
from mineralgraph.pipeline import ensure_built
from mineralgraph.validate.validator import load_shapes

from seedscope import DATA_DIRS, ROOT, SEED_IDS  # noqa: F401  (shared with the test modules)


@pytest.fixture
def project_copy(tmp_path) -> Path:
    """A copy of the project's data files, to break in a test without touching the real ones."""
    for d in DATA_DIRS:
        shutil.copytree(ROOT / d, tmp_path / d)
    return tmp_path


@pytest.fixture(scope="session")
def dist_dir() -> Path:
    """dist/ of the real project, built if missing or stale (one build per test session)."""
    return ensure_built(ROOT)


@pytest.fixture(scope="session")
def dump_paths(dist_dir) -> dict[str, Path]:
    """Every dump file of the build by name: dist/'s own (N-Quads, N-Triples) and the ones made
    on demand (TriG, Turtle, JSON-LD, every .gz) as /dump/ and `export --dumps` make them."""
    from mineralgraph.publish.dist import read_manifest
    from mineralgraph.publish.dumpcache import make_all

    made = {name: dist_dir / name for name in read_manifest(dist_dir)["files"]}
    return made | {name: path for name, (path, _meta) in make_all(dist_dir).items()}


# module scope, as the SHACL tests had them: a test that adds to the graph spoils one module at most
@pytest.fixture(scope="module")
def ontology() -> Graph:
    """The project's ontology (ontology/*.ttl), as the build reads it."""
    return load_ontology(ROOT / "ontology")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    """The project's shapes (shapes/*.ttl), as the build reads them."""
    return load_shapes(ROOT / "shapes")


@pytest.fixture(scope="session")
def built(dist_dir) -> Dataset:
    ds = Dataset()
    ds.parse(dist_dir / "mineralgraph.nq", format="nquads")  # the dump of record (TriG is made on demand)
    return ds


@pytest.fixture(scope="session")
def union(built):
    g = Graph()
    for s, p, o, _ in built.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


@pytest.fixture(scope="session")
def jena(tmp_path_factory):
    """Apache Jena's command-line tools (tests/jena.py), or a skip that says what is missing."""
    import jena as jena_tools

    gone = jena_tools.missing()
    if gone:
        pytest.skip(jena_tools.MISSING_REASON.format(", ".join(gone)))
    return jena_tools.Jena(tmp_path_factory.mktemp("jena"))


@pytest.fixture(scope="session")
def comunica():
    """Comunica, the JavaScript SPARQL engine (tests/comunica.py), or a skip that says what is missing."""
    import comunica as comunica_tools

    gone = comunica_tools.missing()
    if gone:
        pytest.skip(comunica_tools.MISSING_REASON.format(version=comunica_tools.VERSION, missing=", ".join(gone)))
    return comunica_tools.Comunica()
