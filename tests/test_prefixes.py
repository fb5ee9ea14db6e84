"""One prefix table (core/namespaces.py): every PREFIX line of a stored query, rule or check, and
every @prefix of the shapes and the ontology, binds the name to the table's namespace."""
from __future__ import annotations

import re
from pathlib import Path

from mineralgraph.core.namespaces import PREFIXES

ROOT = Path(__file__).resolve().parents[1]
DECLARED = re.compile(r"^\s*(?:PREFIX|@prefix)\s+([A-Za-z][\w-]*)?:\s*<([^>]*)>", re.I | re.M)


def _declarations():
    files = [*ROOT.glob("queries/**/*.rq"), *ROOT.glob("shapes/*.ttl"), *ROOT.glob("ontology/*.ttl")]
    for path in sorted(files):
        for m in DECLARED.finditer(path.read_text(encoding="utf-8")):
            yield path.relative_to(ROOT), m.group(1) or "", m.group(2)


# Vocabularies only the shapes and the ontology's own metadata use, never the data or the queries.
SHAPES_ONLY = {"sh": "http://www.w3.org/ns/shacl#", "mgsh": "https://w3id.org/mineralgraph/shapes#",
               "vann": "http://purl.org/vocab/vann/"}


def test_every_declared_prefix_agrees_with_the_table():
    table = {p: str(ns) for p, ns in PREFIXES.items()}
    seen, wrong = 0, []
    for path, name, iri in _declarations():
        seen += 1
        expected = table.get(name) or (SHAPES_ONLY.get(name) if path.parts[0] in ("shapes", "ontology") else None)
        if expected != iri:
            wrong.append(f"{path}: {name}: <{iri}>, the table says <{expected}>")
    assert seen > 100  # the files were read
    assert not wrong, "\n".join(wrong)
