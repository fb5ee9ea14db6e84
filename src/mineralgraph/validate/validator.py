"""Validation: pySHACL with the shapes in shapes/, plus SPARQL checks that must return no rows.

The report is written for the person who has to fix the data: which node, which property,
what is wrong, and which shape or check said so.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path

from pyparsing import ParseBaseException
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF, SH

from ..build.ontology import parse_rdf_file
from ..core.concurrentqueries import solutions
from ..core.errors import InputError
from ..core.namespaces import ONTOLOGY_GRAPH, PREFIXES
from ..core.sparqlfiles import read_dir
from .shaclsparql import run, to_rdflib


@dataclass
class Finding:
    severity: str  # Violation | Warning | Info
    focus: str
    path: str | None
    message: str
    source: str  # the shape or check that reported it
    value: str | None = None
    component: str | None = None  # the SHACL constraint component, e.g. MinCountConstraintComponent

    def line(self) -> str:
        where = self.focus + (f" {self.path}" if self.path else "")
        value = f" (value: {self.value})" if self.value else ""
        return f"{self.severity}: {where}: {self.message}{value}  [{self.source}]"


class Verdict:
    """What a report's findings come to (a report of the build's graph or of someone's data):
    it conforms when no finding is a Violation; warnings and infos do not count."""
    findings: list

    @property
    def violations(self) -> list:
        return [f for f in self.findings if f.severity == "Violation"]

    @property
    def conforms(self) -> bool:
        return not self.violations


@dataclass
class Report(Verdict):
    findings: list[Finding] = field(default_factory=list)
    shapes: int = 0
    checks: int = 0

    # -- the findings kept between builds (validate/delta.py starts from the last build's) ------
    def to_json(self) -> str:
        return json.dumps({"shapes": self.shapes, "checks": self.checks,
                           "findings": [dataclasses.asdict(f) for f in self.findings]}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "Report":
        data = json.loads(text)
        return cls(findings=[Finding(**f) for f in data["findings"]], shapes=data["shapes"], checks=data["checks"])

    def summary(self) -> str:
        counts = {}
        for f in self.findings:
            counts[f.severity] = counts.get(f.severity, 0) + 1
        detail = ", ".join(f"{n} {s.lower()}{'s' if n != 1 else ''}" for s, n in sorted(counts.items())) or "no findings"
        verdict = "conforms" if self.conforms else "does NOT conform"
        return f"graph {verdict}: {detail} ({self.shapes} shapes, {self.checks} checks)"

    def text(self, limit: int | None = 200) -> str:
        ordered = sorted(self.findings, key=lambda f: ({"Violation": 0, "Warning": 1}.get(f.severity, 2), f.source, f.focus))
        lines = [f.line() for f in ordered[:limit]]
        if limit is not None and len(ordered) > limit:
            lines.append(f"… and {len(ordered) - limit} more")
        return "\n".join([self.summary(), *lines])


def data_graph(ds: Dataset) -> Graph:
    """Every graph but the ontology: the data that shapes and reasoning look at."""
    g = Graph()
    for s, p, o, ctx in ds.quads((None, None, None, None)):
        if ctx != ONTOLOGY_GRAPH and getattr(ctx, "identifier", ctx) != ONTOLOGY_GRAPH:
            g.add((s, p, o))
    return g


def load_shapes(directory: Path) -> Graph:
    shapes = Graph()
    for path in sorted(directory.glob("*.ttl")):
        shapes += parse_rdf_file(path)
    return shapes


def shacl(data: Graph, shapes: Graph, ontology: Graph) -> list[Finding]:
    # pySHACL only for `mineralgraph validate` and the tests: importing it costs about a second
    # (measured), which the build, which runs the compiled shapes, does not pay
    from pyshacl import validate as pyshacl_validate

    _conforms, results, _text = pyshacl_validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
        meta_shacl=False,
        advanced=True,
    )
    findings = []
    for r in results.subjects(RDF.type, SH.ValidationResult):
        severity = str(results.value(r, SH.resultSeverity)).rsplit("#", 1)[-1]
        path = results.value(r, SH.resultPath)
        value = results.value(r, SH.value)
        shape = results.value(r, SH.sourceShape)
        message = results.value(r, SH.resultMessage)
        component = str(results.value(r, SH.sourceConstraintComponent) or "").rsplit("#", 1)[-1]
        findings.append(
            Finding(
                severity=severity,
                focus=_short(data, results.value(r, SH.focusNode)),
                path=_short(data, path) if isinstance(path, URIRef) else None,
                message=str(message) if message else component,
                source=_short(shapes, shape) if isinstance(shape, URIRef) else f"shape ({component})",
                value=_short(data, value) if value is not None else None,
                component=component,
            )
        )
    return findings


def sparql_checks(data: Graph, checks_dir: Path) -> tuple[list[Finding], int]:
    """Each check is a SELECT whose rows are problems: ?focus and ?message, optional ?severity."""
    findings, files = [], read_dir(checks_dir)
    for check in files:
        try:
            rows = data.query(check.text, initNs=PREFIXES)
        except ParseBaseException as exc:  # read_dir checked it as pyoxigraph reads it, not as rdflib does
            raise InputError(f"SPARQL that rdflib cannot read: {exc.msg}", check.path, exc.lineno) from None
        for row in rows:
            d = row.asdict()
            findings.append(
                Finding(
                    severity=str(d.get("severity", "Violation")),
                    focus=_short(data, d.get("focus")),
                    path=None,
                    message=str(d.get("message", check.header.splitlines()[0] if check.header else check.name)),
                    source=f"check {check.name}",
                )
            )
    return findings, len(files)


def shacl_store(query_fn, shapes: Graph, jobs: int | None = None) -> list[Finding]:
    """The shapes compiled to SPARQL (shaclsparql.py), run by query_fn on the data + ontology,
    which pySHACL sees mixed together (`ont_graph`), up to `jobs` queries at a time."""
    return [finding_of(shapes, r) for r in run(query_fn, shapes, jobs)]


def finding_of(shapes: Graph, r) -> Finding:
    """A compiled shape's result (shaclsparql.Result) as the report names it."""
    return Finding(
        severity=r.severity,
        focus=_short(shapes, to_rdflib(r.focus)),
        path=_short(shapes, r.path) if r.path is not None else None,
        message=r.message,
        source=_short(shapes, r.shape) if isinstance(r.shape, URIRef) else f"shape ({r.component})",
        value=_short(shapes, to_rdflib(r.value)) if r.value is not None else None,
        component=r.component,
    )


def validate_store(bstore, shapes: Graph, checks_dir: Path, jobs: int | None = None) -> Report:
    """What `validate` reports, computed on the build store (buildstore.BuildStore): the shapes
    compiled to SPARQL over data + ontology, and the checks over the data; up to `jobs` queries
    run at a time."""
    report = Report(shapes=shape_count(shapes))
    report.findings += shacl_store(bstore.query_with_ontology, shapes, jobs)
    checks = 0
    for directory in (checks_dir / "asserted", checks_dir):
        report.findings += store_checks(bstore, directory, jobs)
        checks += len(read_dir(directory, parse=False))  # store_checks read and checked them (1 s)
    report.checks = checks
    report.findings = canonical_order(report.findings)
    return report


# -- one order for the build's findings, whatever order the store gave the rows in: a report
# recomputed in part (validate/delta.py) then lists them exactly as a full run does
def canonical_order(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: ({"Violation": 0, "Warning": 1}.get(f.severity, 2), f.source, f.focus,
                                           f.path or "", f.component or "", f.value or "", f.message))


def shape_count(shapes: Graph) -> int:
    return len(set(shapes.subjects(RDF.type, SH.NodeShape))) + len(set(shapes.subjects(RDF.type, SH.PropertyShape)))


def store_checks(bstore, checks_dir: Path, jobs: int | None = None) -> list[Finding]:
    """The SPARQL checks of a directory run on the build store (see sparql_checks)."""
    findings = []
    checks = read_dir(checks_dir)
    for check, rows in zip(checks, solutions(bstore.query, [c.text for c in checks], jobs)):
        findings += check_findings(check, rows)
    return findings


def check_findings(check, rows) -> list[Finding]:
    """The findings a check's rows stand for (store_checks and validate/delta.py)."""
    findings = []
    for row in rows:
        severity, message, focus = (_binding(row, v) for v in ("severity", "message", "focus"))
        findings.append(
            Finding(
                severity=severity.value if severity is not None else "Violation",
                focus=_short_iri(focus.value) if focus is not None else "?",
                path=None,
                message=message.value if message is not None else (check.header.splitlines()[0] if check.header else check.name),
                source=f"check {check.name}",
            )
        )
    return findings


def _binding(row, name: str):
    try:
        return row[name]
    except KeyError:  # not projected by this check
        return None


def _short_iri(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(str(ns)):
            return f"{prefix}:{iri[len(str(ns)):]}"
    return f"<{iri}>"


def validate(data: Graph, shapes: Graph, ontology: Graph, checks_dir: Path) -> Report:
    report = Report(shapes=len(set(shapes.subjects(RDF.type, SH.NodeShape))) + len(set(shapes.subjects(RDF.type, SH.PropertyShape))))
    report.findings += shacl(data, shapes, ontology)
    # the checks meant for asserted data also hold after reasoning; run both sets
    checks = 0
    for directory in (checks_dir / "asserted", checks_dir):
        findings, n = sparql_checks(data, directory)
        report.findings += findings
        checks += n
    report.checks = checks
    return report


def _short(graph: Graph, node) -> str:
    if node is None:
        return "?"
    if isinstance(node, URIRef):
        for prefix, ns in PREFIXES.items():
            if str(node).startswith(str(ns)):
                return f"{prefix}:{str(node)[len(str(ns)):]}"
        return f"<{node}>"
    return repr(str(node)) if not hasattr(node, "n3") else node.n3()
