"""`mineralgraph validate --data FILE...`: someone else's RDF checked against our shapes in the
context of the built graph (dist/: ontology, gazetteer, the other sources' claims).

The data goes into the build's store in place of what it replaces: a named graph of the data
replaces the build's graph of that name; the data's default graph replaces the build's graph of
each source it describes (a subject typed mg:SourceDocument, id/source/NNN -> graph/source/NNN),
so an edited export of a source is checked as that source's new version, not merged with the old
one. The shapes then run as in the build (compiled to SPARQL, shaclsparql.py), and only the
findings whose focus node occurs in the data (as subject or object) are reported: the rest of the
graph is ours to keep valid.

Reports: text (one line per finding), json, turtle (a SHACL validation report) and junit (one
test case per finding, a failure per violation, for CI systems).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import quoteattr, escape

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from ..build.workstore import BuildStore
from ..core.errors import InputError
from ..core.namespaces import MG, ONTOLOGY_GRAPH, bind_prefixes
from .shaclsparql import run, to_rdflib
from .validator import Verdict

# file name ending -> format; --format takes the names on the left of FORMAT_NAMES
EXTENSIONS = {".ttl": "turtle", ".nt": "ntriples", ".nq": "nquads", ".trig": "trig", ".jsonld": "jsonld", ".json": "jsonld"}
FORMAT_NAMES = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "nquads": ox.RdfFormat.N_QUADS,
                "trig": ox.RdfFormat.TRIG, "jsonld": ox.RdfFormat.JSON_LD}
REPORTS = ("text", "json", "turtle", "junit")
SOURCE_DOCUMENT = ox.NamedNode(str(MG.SourceDocument))


@dataclass
class DataFinding:
    severity: str  # Violation | Warning | Info
    focus: object  # pyoxigraph term
    path: URIRef | None
    shape: URIRef | BNode
    component: str
    value: object | None  # pyoxigraph term
    message: str


@dataclass
class DataReport(Verdict):
    files: list[Path]
    findings: list[DataFinding] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)  # the build's graphs the data took the place of
    triples: int = 0


def read_data(files: list[Path], fmt: str | None = None) -> list[ox.Quad]:
    """Every quad of the files (triples in the default graph); InputError naming file and line
    for a file that cannot be read or parsed."""
    quads = []
    for path in files:
        name = fmt or EXTENSIONS.get(path.suffix.lower())
        if name is None:
            raise InputError(f"cannot tell the RDF format from the name: give --format "
                             f"({', '.join(FORMAT_NAMES)}); known endings: {', '.join(EXTENSIONS)}", path)
        if not path.is_file():
            raise InputError("no such file", path)
        try:
            # no base IRI and no remote JSON-LD contexts: relative IRIs and loads are errors, not guesses
            quads += ox.parse(path=str(path), format=FORMAT_NAMES[name])
        except SyntaxError as err:
            raise InputError(f"does not parse as {name}: {err.msg}", path, err.lineno) from None
        except (OSError, ValueError) as err:
            raise InputError(f"cannot be read as {name}: {err}", path) from None
    return quads


def _replaced_graphs(quads: list[ox.Quad], build_graphs: set[str]) -> set[str]:
    named = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    sources = {q.subject.value for q in quads if isinstance(q.graph_name, ox.DefaultGraph)
               and q.predicate == ox.NamedNode(str(RDF.type)) and q.object == SOURCE_DOCUMENT
               and isinstance(q.subject, ox.NamedNode)}
    # id/source/NNN -> graph/source/NNN, under whatever IRI base the build was made with
    by_source = {s.replace("/id/source/", "/graph/source/") for s in sources if "/id/source/" in s}
    return (named | by_source) & build_graphs - {str(ONTOLOGY_GRAPH)}


def check(dist: Path, files: list[Path], shapes: Graph, fmt: str | None = None, jobs: int | None = None) -> DataReport:
    """The findings of our shapes about the data of `files`, validated with the build of `dist`."""

    quads = read_data(files, fmt)
    dump = dist / "mineralgraph.nq"
    if not dump.is_file():
        raise InputError("no built graph here (the data is checked in its context): run `mineralgraph build` first", dump)
    build = ox.Store()
    build.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
    replaced = _replaced_graphs(quads, {g.value for g in build.named_graphs()})
    ontology = ox.NamedNode(str(ONTOLOGY_GRAPH))
    bstore = BuildStore()
    # as the build lays it out: the data graphs' union as the default graph, the ontology apart
    bstore.store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, ontology if q.graph_name == ontology
                                     else ox.DefaultGraph()) for q in build if q.graph_name.value not in replaced)
    bstore.store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads)
    nodes = {q.subject for q in quads} | {q.object for q in quads if not isinstance(q.object, ox.Literal)}
    report = DataReport(list(files), replaced=sorted(replaced), triples=len({q.triple for q in quads}))
    for r in run(bstore.query_with_ontology, shapes, jobs):
        if r.focus in nodes:
            report.findings.append(DataFinding(r.severity, r.focus, r.path, r.shape, r.component, r.value, r.message))
    report.findings.sort(key=lambda f: ({"Violation": 0, "Warning": 1}.get(f.severity, 2), str(f.focus), str(f.shape)))
    return report


# -- reports ----------------------------------------------------------------------------------
def _n3(term) -> str:
    if term is None:
        return ""
    return f"<{term}>" if isinstance(term, URIRef) else str(term)


def text(report: DataReport) -> str:
    counts: dict[str, int] = {}
    for f in report.findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    detail = ", ".join(f"{n} {s.lower()}{'s' if n != 1 else ''}" for s, n in sorted(counts.items())) or "no findings"
    verdict = "conforms" if report.conforms else "does NOT conform"
    replaced = f"; in place of {', '.join(report.replaced)}" if report.replaced else ""
    lines = [f"data ({report.triples} triples in {len(report.files)} file{'s' if len(report.files) != 1 else ''}"
             f"{replaced}) {verdict}: {detail}"]
    for f in report.findings:
        where = str(f.focus) + (f" {_n3(f.path)}" if f.path is not None else "")
        value = f" (value: {f.value})" if f.value is not None else ""
        lines.append(f"{f.severity}: {where}: {f.message}{value}  [{_n3(f.shape)} {f.component}]")
    return "\n".join(lines)


def as_json(report: DataReport) -> str:
    return json.dumps({
        "conforms": report.conforms,
        "files": [str(p) for p in report.files],
        "replaced_graphs": report.replaced,
        "findings": [{"severity": f.severity, "focus": _plain(f.focus), "path": str(f.path) if f.path is not None else None,
                      "shape": str(f.shape), "component": f.component, "value": _plain(f.value), "message": f.message}
                     for f in report.findings],
    }, ensure_ascii=False, indent=2)


def _plain(term):
    return None if term is None else term.value if not isinstance(term, ox.Literal) else str(term)


def report_graph(report: DataReport, shapes: Graph) -> Graph:
    """The SHACL validation report (sh:conforms is true only without any result, as SHACL says)."""

    g = Graph()
    bind_prefixes(g)
    g.bind("sh", SH)
    root = BNode()
    g.add((root, RDF.type, SH.ValidationReport))
    g.add((root, SH.conforms, Literal(not report.findings)))
    for f in report.findings:
        r = BNode()
        g.add((root, SH.result, r))
        g.add((r, RDF.type, SH.ValidationResult))
        g.add((r, SH.focusNode, to_rdflib(f.focus)))
        g.add((r, SH.resultSeverity, SH[f.severity]))
        g.add((r, SH.sourceShape, f.shape))
        g.add((r, SH.sourceConstraintComponent, SH[f.component]))
        g.add((r, SH.resultMessage, Literal(f.message)))
        if f.value is not None:
            g.add((r, SH.value, to_rdflib(f.value)))
        path = f.path if f.path is not None else shapes.value(f.shape, SH.path)
        if path is not None:
            g.add((r, SH.resultPath, path))
            if isinstance(path, BNode):  # an inverse or alternative path: its description too
                for t in shapes.cbd(path):
                    g.add(t)
    return g


def junit(report: DataReport) -> str:
    """JUnit XML: one test case per finding (named by its focus node), a failure per violation;
    a data file that conforms is one passing test case."""
    cases = []
    for f in report.findings:
        name = quoteattr(f"{_plain(f.focus)}")
        classname = quoteattr(f"{f.shape}")
        detail = escape(f"{f.message}\nfocus node: {_plain(f.focus)}\npath: {f.path or ''}\nvalue: {_plain(f.value) or ''}\n"
                        f"shape: {f.shape} ({f.component})")
        if f.severity == "Violation":
            body = f'<failure type="sh:{f.component}" message={quoteattr(f.message)}>{detail}</failure>'
        else:
            body = f"<system-out>{escape(f.severity)}: {detail}</system-out>"
        cases.append(f"    <testcase name={name} classname={classname}>{body}</testcase>")
    if not cases:
        cases.append(f'    <testcase name={quoteattr(", ".join(str(p) for p in report.files))} classname="mineralgraph.shapes"/>')
    failures = len(report.violations)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<testsuites tests="{len(cases)}" failures="{failures}">\n'
            f'  <testsuite name="mineralgraph shapes" tests="{len(cases)}" failures="{failures}" errors="0">\n'
            + "\n".join(cases) + "\n  </testsuite>\n</testsuites>\n")


def render(report: DataReport, kind: str, shapes: Graph) -> str:
    if kind == "json":
        return as_json(report) + "\n"
    if kind == "turtle":
        return report_graph(report, shapes).serialize(format="turtle")
    if kind == "junit":
        return junit(report)
    return text(report) + "\n"
