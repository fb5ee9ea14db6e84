"""SHACL validation compiled to SPARQL, for the build: the shapes in shapes/ run as one query per
constraint over all focus nodes at once, on the build's pyoxigraph store.

pySHACL checks 40k triples in ~6 s and evaluates SPARQL constraints once per focus node; it
cannot check a thousand sources. This compiler knows the SHACL Core and SHACL-SPARQL features
the shapes use and refuses every other one (naming the shape), so a new shape can never be
skipped silently. pySHACL stays the validator of `mineralgraph validate` (CI), and
tests/test_shacl_sparql.py shows both give the same results on every fixture and on the seeds.

What "the same" means, feature by feature, is pySHACL's reading as validator.shacl() runs it: the
ontology mixed into the data (`ont_graph`, no inference), so the class hierarchy used by
sh:class and sh:targetClass is the rdfs:subClassOf closure found in data + ontology (read from
the store, never from the shapes graph); a shape typed rdfs:Class/owl:Class targets its instances.

Two store quirks are taken into account where a constraint looks at literals: pyoxigraph keeps
language tags lower-cased (languageIn and uniqueLang compare tags case-insensitively anyway) and
stores the derived integer types (xsd:nonNegativeInteger, xsd:int, ...) as xsd:integer, so
`sh:datatype xsd:nonNegativeInteger` accepts an xsd:integer in that type's range: the store cannot
tell the two apart, and the build writes these literals with their declared type.

A literal is of its datatype only when well-formed for it (SHACL: "not an ill-typed literal").
The build checks well-formedness for the types pySHACL checks (rdflib converts numbers,
booleans, dates and times; it assumes any lexical form fits xsd:gYear and the other XSD types):
findings stay identical, and the shapes pair such types with an sh:pattern. Known remaining
differences, in lexical forms the build never writes: rdflib accepts "2022-01-01T00:00:00" as an
xsd:date and "1e3" as an xsd:decimal, the store does not.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

from ..core.concurrentqueries import solutions
from ..core.errors import InputError
from ..core.ntriples import bcp47_case

# What a shape may say, by the role it plays. Anything else is refused, naming the shape.
_ABOUT = {RDF.type, RDFS.comment, RDFS.label, SH.name, SH.description, SH.message, SH.severity}
_TARGETS = {SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target}
_PER_VALUE = {SH["class"], SH.datatype, SH.nodeKind, SH["in"], SH.hasValue, SH.pattern, SH.flags, SH.minLength,
              SH.maxLength, SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive, SH.languageIn,
              SH["or"], SH["not"]}
_PATH_ONLY = {SH.minCount, SH.maxCount, SH.lessThan, SH.uniqueLang, SH.qualifiedValueShape, SH.qualifiedMinCount,
              SH.qualifiedMaxCount}
NODE_SHAPE = _ABOUT | _TARGETS | _PER_VALUE | {SH.property, SH.sparql}
PROPERTY_SHAPE = _ABOUT | _TARGETS | _PER_VALUE | _PATH_ONLY | {SH.path}
SPARQL_CONSTRAINT = {RDF.type, RDFS.comment, RDFS.label, SH.select, SH.prefixes, SH.message}
SPARQL_TARGET = {RDF.type, SH.select, SH.prefixes}

# Derived integer types the store keeps as xsd:integer, with the range that makes one of them.
_INTEGER_RANGES = {
    XSD.nonNegativeInteger: (0, None), XSD.positiveInteger: (1, None), XSD.nonPositiveInteger: (None, 0),
    XSD.negativeInteger: (None, -1), XSD.long: (-2**63, 2**63 - 1), XSD.int: (-2**31, 2**31 - 1),
    XSD.short: (-2**15, 2**15 - 1), XSD.byte: (-128, 127), XSD.unsignedLong: (0, 2**64 - 1),
    XSD.unsignedInt: (0, 2**32 - 1), XSD.unsignedShort: (0, 2**16 - 1), XSD.unsignedByte: (0, 255),
}
# Types whose well-formedness pySHACL (rdflib) checks; the store tests it by casting the lexical form.
_CHECKED = {XSD.boolean, XSD.integer, XSD.decimal, XSD.float, XSD.double, XSD.date, XSD.dateTime, XSD.time}
_SUBCLASS_EDGES = f"SELECT ?sub ?super WHERE {{ ?sub <{RDFS.subClassOf}> ?super }}"
_counter = itertools.count()


def _prologue(prefixes: dict | None) -> str:
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted((prefixes or {}).items()))


def _var(stem: str) -> str:
    return f"?_{stem}{next(_counter)}"


@dataclass
class Result:
    severity: str  # Violation | Warning | Info
    focus: object  # pyoxigraph term
    path: URIRef | None
    shape: URIRef | BNode
    component: str  # e.g. MinCountConstraintComponent
    value: object | None  # pyoxigraph term
    message: str


@dataclass
class _Query:
    shape: URIRef | BNode
    component: str
    severity: str
    path: URIRef | None
    message: str | None
    sparql: str  # SELECT ?this [?value] [?path] [message variables]
    template: str | None = None  # SPARQL constraint message with {?var} / {$this}
    value_is_focus: bool = False  # a node shape's SPARQL constraint without ?value reports the focus node
    components: list[str] | None = None  # several per-value constraints in one query: ?_k picks one
    focus: str | None = None  # SELECT ?this over the shape's focus nodes alone (validate/delta.py)


class Compiler:
    def __init__(self, shapes: Graph, subclass_edges):
        """shapes: the shapes graph; subclass_edges: (sub, super) rdfs:subClassOf pairs of data + ontology."""
        self.g = shapes
        subs = defaultdict(set)
        for sub, sup in subclass_edges:
            subs[sup].add(sub)
        self._subclasses = subs
        self.owner = None  # the named shape being compiled, for error messages

    # -- helpers -------------------------------------------------------------------------------
    def name(self, node) -> str:
        if isinstance(node, URIRef):
            return node.n3(self.g.namespace_manager)
        # a blank node means nothing to the shape's author: name the named shape that holds it
        owner = self.owner.n3(self.g.namespace_manager) if isinstance(self.owner, URIRef) else "?"
        return f"{owner} (its blank node {node.n3()})"

    def refuse(self, node, what: str):
        raise InputError(f"shape {self.name(node)}: {what}, which the build's SHACL compiler "
                         "(src/mineralgraph/validate/shaclsparql.py) does not implement")

    def require_only(self, node, allowed: set, role: str) -> None:
        unknown = {p for p in self.g.predicates(node, None) if p not in allowed}
        if unknown:
            names = ", ".join(sorted(p.n3(self.g.namespace_manager) for p in unknown))
            self.refuse(node, f"uses {names} on a {role}")

    def instances_of(self, cls) -> str:
        """VALUES members for the class and all its sub-classes (SHACL instance: rdf:type/rdfs:subClassOf*)."""
        seen, todo = set(), [cls]
        while todo:
            c = todo.pop()
            if c in seen:
                continue
            seen.add(c)
            todo.extend(self._subclasses.get(c, ()))
        return " ".join(sorted(_n3(c) for c in seen))

    def path(self, node, shape) -> str:
        if isinstance(node, URIRef):
            return node.n3()
        inverse = self.g.value(node, SH.inversePath)
        if inverse is not None:
            return f"^{self.path(inverse, shape)}"
        alternatives = self.g.value(node, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(self.path(p, shape) for p in Collection(self.g, alternatives)) + ")"
        if (node, RDF.first, None) in self.g:
            return "(" + "/".join(self.path(p, shape) for p in Collection(self.g, node)) + ")"
        self.refuse(shape, f"has a path other than IRIs, sh:inversePath, sh:alternativePath and sequences "
                           f"({', '.join(p.n3(self.g.namespace_manager) for p in self.g.predicates(node, None))})")

    def severity(self, shape) -> str:
        return str(self.g.value(shape, SH.severity) or SH.Violation).rsplit("#", 1)[-1]

    def prefixes(self, node) -> dict[str, str]:
        """The prefixes a SPARQL constraint or target declares through sh:prefixes/sh:declare."""
        out = {}
        for ontology in self.g.objects(node, SH.prefixes):
            for d in self.g.objects(ontology, SH.declare):
                out[str(self.g.value(d, SH.prefix))] = str(self.g.value(d, SH.namespace))
        return out

    def select(self, node, shape, role: str) -> tuple[str, dict[str, str]]:
        """The sh:select text of a SPARQL constraint/target with $this as ?this, and its prefixes."""
        select = self.g.value(node, SH.select)
        if select is None:
            self.refuse(shape, f"has a {role} without sh:select")
        text = str(select)
        for var in ("PATH", "currentShape", "shapesGraph", "value"):
            if re.search(rf"\${var}\b", text):
                self.refuse(shape, f"has a {role} using ${var}")
        return re.sub(r"\$this\b", "?this", text), self.prefixes(node)

    # -- focus nodes ---------------------------------------------------------------------------
    def focus(self, shape) -> tuple[str | None, dict[str, str]]:
        """A group pattern binding ?this (once) to the shape's focus nodes, or None without targets."""
        parts, prefixes = [], {}
        classes = list(self.g.objects(shape, SH.targetClass))
        class_types = {RDFS.Class, OWL.Class, *self.g.subjects(RDFS.subClassOf, RDFS.Class)}
        if any(t in class_types for t in self.g.objects(shape, RDF.type)):
            classes.append(shape)  # an implicit class target
        for cls in classes:
            v = _var("c")
            parts.append(f"{{ ?this a {v} VALUES {v} {{ {self.instances_of(cls)} }} }}")
        for p in self.g.objects(shape, SH.targetSubjectsOf):
            parts.append(f"{{ ?this {p.n3()} {_var('o')} }}")
        for p in self.g.objects(shape, SH.targetObjectsOf):
            parts.append(f"{{ {_var('s')} {p.n3()} ?this }}")
        for t in self.g.objects(shape, SH.target):
            self.require_only(t, SPARQL_TARGET, "SPARQL target")
            if (t, RDF.type, SH.SPARQLTarget) not in self.g:
                self.refuse(shape, "has an sh:target that is not an sh:SPARQLTarget")
            text, declared = self.select(t, shape, "SPARQL target")
            _merge(prefixes, declared, shape, self)
            parts.append("{ { " + text + " } }")
        if not parts:
            return None, prefixes
        return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(parts) + " } }", prefixes

    # -- value conditions: does the term x meet the per-value constraints of a shape ----------
    def value_tests(self, shape, x: str) -> list[tuple[str, str]]:
        """(component, SPARQL expression true when x meets the constraint) for the per-value
        constraints of a shape. Each expression is total (never an error: COALESCE to false)."""
        g, out = self.g, []

        def add(component, expr):
            out.append((component, f"COALESCE({expr}, false)"))

        for cls in g.objects(shape, SH["class"]):
            t = _var("t")
            # the classes first: with the type pattern first the store matched every typed node
            # for each value (3x slower on the claims of 1,000 sources)
            add("ClassConstraintComponent", f"EXISTS {{ VALUES {t} {{ {self.instances_of(cls)} }} {x} a {t} }}")
        for dt in g.objects(shape, SH.datatype):
            add("DatatypeConstraintComponent", datatype_ok(x, dt))
        for kind in g.objects(shape, SH.nodeKind):
            add("NodeKindConstraintComponent", node_kind_ok(x, kind))
        for lst in g.objects(shape, SH["in"]):
            add("InConstraintComponent", "(" + " || ".join(f"sameTerm({x}, {_n3(m)})" for m in Collection(g, lst)) + ")"
                if list(Collection(g, lst)) else "false")
        if g.value(shape, SH.path) is None:  # on a property shape, hasValue asks for some value, not each
            for v in g.objects(shape, SH.hasValue):
                add("HasValueConstraintComponent", f"sameTerm({x}, {_n3(v)})")
        flags = g.value(shape, SH.flags)
        if flags is not None and not set(str(flags)) <= set("imsx"):
            self.refuse(shape, f"has sh:flags {str(flags)!r}")
        for pattern in g.objects(shape, SH.pattern):
            args = _sparql_string(str(pattern)) + (f", {_sparql_string(str(flags))}" if flags else "")
            add("PatternConstraintComponent", f"!isBlank({x}) && REGEX(STR({x}), {args})")
        for n in g.objects(shape, SH.minLength):
            add("MinLengthConstraintComponent", f"!isBlank({x}) && STRLEN(STR({x})) >= {int(n)}")
        for n in g.objects(shape, SH.maxLength):
            add("MaxLengthConstraintComponent", f"!isBlank({x}) && STRLEN(STR({x})) <= {int(n)}")
        for pred, op, name in ((SH.minInclusive, ">=", "MinInclusive"), (SH.maxInclusive, "<=", "MaxInclusive"),
                               (SH.minExclusive, ">", "MinExclusive"), (SH.maxExclusive, "<", "MaxExclusive")):
            for bound in g.objects(shape, pred):
                add(f"{name}ConstraintComponent", f"{x} {op} {_n3(bound)}")
        for lst in g.objects(shape, SH.languageIn):
            tags = " || ".join(f"langMatches(LANG({x}), {_sparql_string(str(t))})" for t in Collection(g, lst))
            add("LanguageInConstraintComponent", f"isLiteral({x}) && LANG({x}) != \"\" && ({tags or 'false'})")
        for lst in g.objects(shape, SH["or"]):
            add("OrConstraintComponent", "(" + " || ".join(self.conforms(s, x) for s in Collection(g, lst)) + ")")
        for inner in g.objects(shape, SH["not"]):
            add("NotConstraintComponent", f"!{self.conforms(inner, x)}")
        return out

    def conforms(self, shape, x: str) -> str:
        """An expression true when x conforms to an inline shape (inside sh:or, sh:not or a
        qualified value shape): per-value constraints, or a path with minCount 1 / maxCount 0."""
        path = self.g.value(shape, SH.path)
        if path is None:
            self.require_only(shape, _ABOUT | _PER_VALUE, "shape nested in sh:or/sh:not/sh:qualifiedValueShape")
            tests = [expr for _, expr in self.value_tests(shape, x)]
        else:
            self.require_only(shape, _ABOUT | _PER_VALUE | {SH.path, SH.minCount, SH.maxCount},
                              "property shape nested in sh:or/sh:not/sh:qualifiedValueShape")
            sp, y, tests = self.path(path, shape), _var("y"), []
            for n in self.g.objects(shape, SH.minCount):
                if int(n) > 1:
                    self.refuse(shape, f"has sh:minCount {n} inside sh:or/sh:not (only 0 or 1 there)")
                if int(n) == 1:
                    tests.append(f"EXISTS {{ {x} {sp} {_var('y')} }}")
            for n in self.g.objects(shape, SH.maxCount):
                if int(n) != 0:
                    self.refuse(shape, f"has sh:maxCount {n} inside sh:or/sh:not (only 0 there)")
                tests.append(f"NOT EXISTS {{ {x} {sp} {_var('y')} }}")
            for v in self.g.objects(shape, SH.hasValue):
                tests.append(f"EXISTS {{ {x} {sp} {_n3(v)} }}")
            each = [expr for _, expr in self.value_tests(shape, y)]
            if each:
                tests.append(f"NOT EXISTS {{ {x} {sp} {y} FILTER(!({' && '.join(each)})) }}")
        if not tests:
            self.refuse(shape, "is a nested shape without any constraint")
        return "(" + " && ".join(tests) + ")"

    # -- the queries ---------------------------------------------------------------------------
    def compile(self) -> list[_Query]:
        queries = []
        targeted = set(self.g.subjects(RDF.type, SH.NodeShape)) | {s for t in _TARGETS for s in self.g.subjects(t, None)}
        for shape in sorted(targeted, key=str):
            self.owner = shape
            focus, prefixes = self.focus(shape)
            shape_queries = []
            if self.g.value(shape, SH.path) is not None:  # a property shape with targets of its own
                self.require_only(shape, PROPERTY_SHAPE, "property shape")
                if focus is not None:
                    shape_queries += self.property_constraints(shape, focus, prefixes)
            else:
                self.require_only(shape, NODE_SHAPE, "node shape")
                if focus is None:
                    continue  # no targets: SHACL validates it only where another shape refers to it
                shape_queries += self.node_constraints(shape, focus, prefixes)
                for prop in sorted(self.g.objects(shape, SH.property), key=str):
                    self.owner = prop if isinstance(prop, URIRef) else shape
                    self.require_only(prop, PROPERTY_SHAPE - _TARGETS, "property shape")
                    if self.g.value(prop, SH.path) is None:
                        self.refuse(prop, "is a property shape without sh:path")
                    shape_queries += self.property_constraints(prop, focus, prefixes)
            for q in shape_queries:  # a shape without targets has none
                q.focus = _prologue(prefixes) + "SELECT DISTINCT ?this WHERE " + focus
            queries += shape_queries
        return queries

    def _query(self, shape, component, sparql, path=None, prefixes=None, **kw) -> _Query:
        message = self.g.value(shape, SH.message)
        return _Query(shape, component, self.severity(shape), path if isinstance(path, URIRef) else None,
                      str(message) if message is not None else None, _prologue(prefixes) + sparql, **kw)

    def per_value(self, shape, values: str, path=None, prefixes=None) -> list[_Query]:
        """One query for all per-value constraints of a shape: the values are read once, those
        failing any test kept, then paired with each test they fail (?_k numbers the test)."""
        tests = self.value_tests(shape, "?value")
        if not tests:
            return []
        any_fails = " || ".join(f"!{ok}" for _, ok in tests)
        which = " || ".join(f"(?_k = {k} && !{ok})" for k, (_, ok) in enumerate(tests))
        sparql = (f"SELECT DISTINCT ?this ?value ?_k WHERE {{ {{ {values} FILTER({any_fails}) }} "
                  f"VALUES ?_k {{ {' '.join(str(k) for k in range(len(tests)))} }} FILTER({which}) }}")
        return [self._query(shape, "per-value", sparql, path=path, prefixes=prefixes, components=[c for c, _ in tests])]

    def node_constraints(self, shape, focus: str, prefixes) -> list[_Query]:
        out = self.per_value(shape, f"{focus} BIND(?this AS ?value)", prefixes=prefixes)
        for constraint in self.g.objects(shape, SH.sparql):
            self.require_only(constraint, SPARQL_CONSTRAINT, "SPARQL constraint")
            text, declared = self.select(constraint, shape, "SPARQL constraint")
            merged = dict(prefixes)
            _merge(merged, declared, shape, self)
            if "?this" not in text.split("WHERE", 1)[0].split("{", 1)[0] or re.search(r"\?failure\b", text):
                self.refuse(shape, "has a SPARQL constraint that does not project $this (or uses ?failure)")
            # the constraint's results joined with all focus nodes at once; pySHACL pre-binds $this
            # per focus node, which is the same for a select that projects $this
            cmsg = self.g.value(constraint, SH.message)
            q = self._query(shape, "SPARQLConstraintComponent", f"SELECT * WHERE {{ {focus} {{ {text} }} }}",
                            prefixes=merged, value_is_focus=True)
            q.template = str(cmsg) if cmsg is not None else q.message
            out.append(q)
        return out

    def property_constraints(self, shape, focus: str, prefixes) -> list[_Query]:
        g, out = self.g, []
        path = g.value(shape, SH.path)
        sp = self.path(path, shape)

        def q(component, sparql):
            out.append(self._query(shape, component, sparql, path=path, prefixes=prefixes))

        out += self.per_value(shape, f"{focus} ?this {sp} ?value", path=path, prefixes=prefixes)
        # the common counts as existence tests, several times faster than grouping every focus node
        for n in g.objects(shape, SH.minCount):
            if int(n) == 1:
                q("MinCountConstraintComponent", f"SELECT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ ?this {sp} ?value }} }}")
            elif int(n) > 1:
                q("MinCountConstraintComponent", f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {sp} ?value }} }} "
                  f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {int(n)})")
        for n in g.objects(shape, SH.maxCount):
            if int(n) == 1:
                q("MaxCountConstraintComponent", f"SELECT DISTINCT ?this WHERE {{ {focus} ?this {sp} ?value , ?other "
                  "FILTER(!sameTerm(?value, ?other)) }")
            else:
                q("MaxCountConstraintComponent", f"SELECT ?this WHERE {{ {focus} ?this {sp} ?value }} "
                  f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {int(n)})")
        for v in g.objects(shape, SH.hasValue):
            q("HasValueConstraintComponent", f"SELECT DISTINCT ?this WHERE {{ {focus} "
              f"FILTER NOT EXISTS {{ ?this {sp} {_n3(v)} }} }}")
        for other in g.objects(shape, SH.lessThan):
            w = _var("w")
            q("LessThanConstraintComponent", f"SELECT DISTINCT ?this ?value WHERE {{ {focus} ?this {sp} ?value . "
              f"?this {other.n3()} {w} FILTER(!COALESCE(?value < {w}, false)) }}")
        for unique in g.objects(shape, SH.uniqueLang):
            if unique.toPython() is True:
                q("UniqueLangConstraintComponent", f"SELECT DISTINCT ?this WHERE {{ {focus} ?this {sp} ?value , ?other "
                  "FILTER(!sameTerm(?value, ?other) && LANG(?value) != \"\" && LCASE(LANG(?value)) = LCASE(LANG(?other))) }")
        inners = list(g.objects(shape, SH.qualifiedValueShape))
        if len(inners) > 1 or (inners and (shape, SH.qualifiedValueShapesDisjoint, None) in g):
            self.refuse(shape, "has several (or disjoint) qualified value shapes")
        for inner in inners:
            v = _var("q")
            counted = f"{focus} OPTIONAL {{ ?this {sp} {v} FILTER({self.conforms(inner, v)}) }}"
            for n in g.objects(shape, SH.qualifiedMinCount):
                q("QualifiedMinCountConstraintComponent",
                  f"SELECT ?this WHERE {{ {counted} }} GROUP BY ?this HAVING (COUNT(DISTINCT {v}) < {int(n)})")
            for n in g.objects(shape, SH.qualifiedMaxCount):
                q("QualifiedMaxCountConstraintComponent",
                  f"SELECT ?this WHERE {{ {counted} }} GROUP BY ?this HAVING (COUNT(DISTINCT {v}) > {int(n)})")
        return out


def top_where(text: str) -> int | None:
    """Where the top-level group of a SELECT starts (just after `WHERE {`), or None when that
    is not certain: a brace before it (a subquery's WHERE), or a comment on its line."""
    where = re.search(r"\bWHERE\s*\{", text, flags=re.IGNORECASE)
    if where is None or "{" in text[:where.start()]:
        return None
    line = text[text.rfind("\n", 0, where.start()) + 1:where.start()]
    return None if "#" in line else where.end()


def _merge(into: dict, declared: dict, shape, compiler: Compiler) -> None:
    for p, ns in declared.items():
        if into.get(p, ns) != ns:
            compiler.refuse(shape, f"declares the prefix {p}: twice, for {into[p]} and {ns}")
        into[p] = ns


def datatype_ok(x: str, dt) -> str:
    if dt == RDFS.Literal:
        return f"isLiteral({x})"
    if dt == RDF.langString:
        return f"(isLiteral({x}) && LANG({x}) != \"\")"
    if dt in _INTEGER_RANGES:
        lo, hi = _INTEGER_RANGES[dt]
        as_int = f"{XSD.integer.n3()}(STR({x}))"
        bounds = "".join([f" && {as_int} >= {lo}" if lo is not None else "", f" && {as_int} <= {hi}" if hi is not None else ""])
        return (f"(isLiteral({x}) && (DATATYPE({x}) = {dt.n3()} || DATATYPE({x}) = {XSD.integer.n3()}) "
                f"&& isLiteral({as_int}){bounds})")
    check = f"(isLiteral({x}) && DATATYPE({x}) = {dt.n3()}"
    if dt in _CHECKED:
        check += f" && isLiteral({dt.n3()}(STR({x})))"  # an ill-formed literal is not of its datatype
    return check + ")"


def node_kind_ok(x: str, kind) -> str:
    return {
        SH.IRI: f"isIRI({x})", SH.Literal: f"isLiteral({x})", SH.BlankNode: f"isBlank({x})",
        SH.BlankNodeOrIRI: f"(isIRI({x}) || isBlank({x}))", SH.IRIOrLiteral: f"(isIRI({x}) || isLiteral({x}))",
        SH.BlankNodeOrLiteral: f"(isBlank({x}) || isLiteral({x}))",
    }[kind]


def _n3(term) -> str:
    if isinstance(term, BNode):
        raise InputError(f"a blank node ({term.n3()}) as a constraint value cannot be compiled to SPARQL")
    if isinstance(term, Literal) and term.language:  # the store keeps language tags lower-cased
        return Literal(str(term), lang=term.language.lower()).n3()
    return term.n3()


def _sparql_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def subclass_edges(query_fn) -> list[tuple[URIRef, URIRef]]:
    """rdfs:subClassOf pairs as the validated data (data + ontology) holds them."""
    return [(_iri(row["sub"]), _iri(row["super"])) for row in query_fn(_SUBCLASS_EDGES)]


def run(query_fn, shapes: Graph, jobs: int | None = None) -> list[Result]:
    """Every result of the compiled shapes; query_fn(sparql) evaluates on the data + ontology
    (up to `jobs` queries at a time; the results come in the order of the compiled queries)."""
    compiler = Compiler(shapes, subclass_edges(query_fn))
    queries = compiler.compile()
    out = []
    for q, rows in zip(queries, solutions(query_fn, [q.sparql for q in queries], jobs)):
        out += results(q, rows)
    return out


def results(q: _Query, rows) -> list[Result]:
    """The results a compiled query's solutions stand for (run() and validate/delta.py)."""
    out = []
    for row in rows:
        component = q.components[int(row["_k"].value)] if q.components else q.component
        value = _get(row, "value")
        if value is None and q.value_is_focus:
            value = row["this"]
        path = q.path
        if q.component == "SPARQLConstraintComponent":
            p = _get(row, "path")
            path = URIRef(p.value) if p is not None else None
        message = q.message
        if q.template is not None:
            message = _substitute(q.template, row, value)
        out.append(Result(q.severity, row["this"], path, q.shape, component, value,
                          message or component.replace("ConstraintComponent", "")))
    return out


def _iri(term):
    return URIRef(term.value) if term.__class__.__name__ == "NamedNode" else BNode(term.value)


def _get(row, name):
    try:
        return row[name]
    except KeyError:
        return None


def _substitute(template: str, row, value) -> str:
    """{?var} and {$var} replaced by the lexical form (or IRI) of the row's binding, as pySHACL does."""

    def repl(m):
        name = m.group(2)
        term = value if name == "value" else _get(row, name)
        return term.value if term is not None else m.group(0)

    return re.sub(r"\{([?$])([A-Za-z_][A-Za-z0-9_]*)\}", repl, template)


def as_stored(n3: str) -> str:
    """A term written in N3 as the store keeps it: derived integer types as xsd:integer, language
    tags lower-cased. Findings of pySHACL and of the compiled shapes compare equal through it."""
    n3 = re.sub(r"\^\^<http://www\.w3\.org/2001/XMLSchema#(" + "|".join(t.rsplit("#", 1)[1] for t in _INTEGER_RANGES)
                + r")>$", f"^^<{XSD.integer}>", n3)
    return re.sub(r"@([A-Za-z0-9-]+)$", lambda m: "@" + m.group(1).lower(), n3)


def to_rdflib(term):
    """A pyoxigraph term as rdflib's, language tags in their conventional case."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=bcp47_case(term.language))
    if term.datatype.value == str(XSD.string):
        return Literal(term.value)  # a simple literal, as rdflib writes it
    return Literal(term.value, datatype=URIRef(term.datatype.value))
