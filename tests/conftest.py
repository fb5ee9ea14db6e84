"""Shared fixtures: the project's own data, a throw-away copy of it, and the built graph."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Dataset

ROOT = Path(__file__).resolve().parents[1]
DATA_DIRS = ["seeds", "ontology", "shapes", "queries"]


@pytest.fixture
def project_copy(tmp_path) -> Path:
    """A copy of the project's data files, to break in a test without touching the real ones."""
    for d in DATA_DIRS:
        shutil.copytree(ROOT / d, tmp_path / d)
    return tmp_path


@pytest.fixture(scope="session")
def dist_dir() -> Path:
    """dist/ of the real project, built if missing or stale (one build per test session)."""
    from mineralgraph.pipeline import ensure_built

    return ensure_built(ROOT)


@pytest.fixture(scope="session")
def built(dist_dir) -> Dataset:
    ds = Dataset()
    ds.parse(dist_dir / "mineralgraph.trig", format="trig")
    return ds


@pytest.fixture(scope="session")
def union(built):
    from rdflib import Graph

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
