"""SHACL validation compiled to SPARQL, for the build: the shapes in shapes/ run as one query per
constraint over all focus nodes at once, on the build's pyoxigraph store.

pySHACL checks 40k triples in ~6 s and evaluates SPARQL constraints once per focus node; it
cannot check a thousand sources. This compiler knows the SHACL Core and SHACL-SPARQL features
the shapes use (listed in COMPILED below) and refuses any other, so a new shape can never be
skipped silently. pySHACL stays the validator of `mineralgraph validate` (CI), and
tests/test_shacl_sparql.py shows both give the same results on every fixture and on the seeds.

Two store quirks are taken into account where a constraint looks at literals: pyoxigraph keeps
language tags lower-cased (languageIn and uniqueLang compare tags case-insensitively anyway) and
stores integer subtypes such as xsd:nonNegativeInteger as xsd:integer, so `sh:datatype
xsd:nonNegativeInteger` accepts an xsd:integer in that type's range: the store cannot tell the two
apart, and the build writes these literals with their declared type.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD

from .errors import InputError

# Shape predicates this compiler understands (everything else on a shape is refused).
COMPILED = {
    SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target, SH.property, SH.path,
    SH.minCount, SH.maxCount, SH["class"], SH.datatype, SH.nodeKind, SH["in"], SH.hasValue, SH.pattern,
    SH.flags, SH.minLength, SH.maxLength, SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive,
    SH.lessThan, SH.languageIn, SH.uniqueLang, SH["or"], SH["not"], SH.qualifiedValueShape,
    SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.sparql, SH.severity, SH.message, SH.name, SH.description,
    RDF.type, RDFS.comment, RDFS.label,
}
_INTEGER_SUBTYPES = {XSD.nonNegativeInteger: ">= 0", XSD.positiveInteger: "> 0", XSD.nonPositiveInteger: "<= 0",
                     XSD.negativeInteger: "< 0"}
_counter = itertools.count()


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


class Compiler:
    def __init__(self, shapes: Graph, ontology: Graph):
        self.g = shapes
        self.prefixes = "".join(
            f"PREFIX {self.g.value(d, SH.prefix)}: <{self.g.value(d, SH.namespace)}>\n"
            for d in sorted(set(self.g.objects(None, SH.declare)), key=lambda d: str(self.g.value(d, SH.prefix)))
        )
        subs = defaultdict(set)
        for c, d in itertools.chain(ontology.subject_objects(RDFS.subClassOf), shapes.subject_objects(RDFS.subClassOf)):
            subs[d].add(c)
        self._subclasses = subs

    # -- helpers -------------------------------------------------------------------------------
    def instances_of(self, cls) -> list:
        """The class and all its sub-classes (SHACL instances: rdf:type/rdfs:subClassOf*)."""
        seen, todo = set(), [cls]
        while todo:
            c = todo.pop()
            if c in seen:
                continue
            seen.add(c)
            todo.extend(self._subclasses.get(c, ()))
        return sorted(seen, key=str)

    def path(self, node) -> str:
        if isinstance(node, URIRef):
            return node.n3()
        inverse = self.g.value(node, SH.inversePath)
        if inverse is not None:
            return f"^{self.path(inverse)}"
        alternatives = self.g.value(node, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(self.path(p) for p in Collection(self.g, alternatives)) + ")"
        if (node, RDF.first, None) in self.g:
            return "(" + "/".join(self.path(p) for p in Collection(self.g, node)) + ")"
        raise InputError(f"shape path {node} is not supported by the build's SHACL compiler (shaclsparql.py)")

    def severity(self, shape) -> str:
        return str(self.g.value(shape, SH.severity) or SH.Violation).rsplit("#", 1)[-1]

    def check_supported(self, shape) -> None:
        unknown = {p for p in self.g.predicates(shape, None) if p not in COMPILED and p not in (SH.prefixes, SH.select)}
        if unknown:
            names = ", ".join(sorted(p.n3(self.g.namespace_manager) for p in unknown))
            raise InputError(f"shape {shape.n3(self.g.namespace_manager)} uses {names}, which the build's SHACL compiler "
                             "(src/mineralgraph/shaclsparql.py) does not implement")

    def focus(self, shape) -> str | None:
        """A group pattern binding ?this to the shape's focus nodes, or None without targets."""
        parts = []
        for cls in self.g.objects(shape, SH.targetClass):
            v = _var("c")
            parts.append(f"{{ ?this a {v} VALUES {v} {{ {' '.join(c.n3() for c in self.instances_of(cls))} }} }}")
        for p in self.g.objects(shape, SH.targetSubjectsOf):
            parts.append(f"{{ ?this {p.n3()} {_var('o')} }}")
        for p in self.g.objects(shape, SH.targetObjectsOf):
            parts.append(f"{{ {_var('s')} {p.n3()} ?this }}")
        for t in self.g.objects(shape, SH.target):
            select = self.g.value(t, SH.select)
            if select is None:
                raise InputError(f"target {t} of {shape} is not a SPARQL target (sh:select)")
            parts.append("{ " + str(select).replace("$this", "?this") + " }")
        return " UNION ".join(parts) if parts else None

    # -- conditions: does ?x conform to a small inline shape (sh:or / sh:not / qualified) -------
    def conforms(self, shape, x: str) -> str:
        self.check_supported(shape)
        conds = []
        path = self.g.value(shape, SH.path)
        if path is not None:
            for n in self.g.objects(shape, SH.minCount):
                if int(n) != 1:
                    raise InputError(f"inline shape {shape}: only sh:minCount 1 is supported inside sh:or/sh:not")
                conds.append(f"EXISTS {{ {x} {self.path(path)} {_var('y')} }}")
            rest = set(self.g.predicates(shape, None)) - {SH.path, SH.minCount, RDF.type}
            if rest:
                raise InputError(f"inline property shape {shape}: only sh:path with sh:minCount 1 is supported")
            return "(" + " && ".join(conds) + ")"
        for cls in self.g.objects(shape, SH["class"]):
            t = _var("t")
            conds.append(f"EXISTS {{ {x} a {t} VALUES {t} {{ {' '.join(c.n3() for c in self.instances_of(cls))} }} }}")
        for dt in self.g.objects(shape, SH.datatype):
            conds.append(datatype_ok(x, dt))
        for kind in self.g.objects(shape, SH.nodeKind):
            conds.append(node_kind_ok(x, kind))
        for v in self.g.objects(shape, SH.hasValue):
            conds.append(f"sameTerm({x}, {v.n3()})")
        for lst in self.g.objects(shape, SH["in"]):
            conds.append("(" + " || ".join(f"sameTerm({x}, {m.n3()})" for m in Collection(self.g, lst)) + ")")
        for lst in self.g.objects(shape, SH.languageIn):
            conds.append(language_in(x, lst, self.g))
        if not conds:
            raise InputError(f"inline shape {shape} has no constraint the build's SHACL compiler can test")
        return "(" + " && ".join(conds) + ")"

    # -- the queries ---------------------------------------------------------------------------
    def compile(self) -> list[_Query]:
        queries = []
        for shape in sorted(set(self.g.subjects(RDF.type, SH.NodeShape)) | set(self.g.subjects(SH.targetClass, None))
                            | set(self.g.subjects(SH.target, None)), key=str):
            self.check_supported(shape)
            focus = self.focus(shape)
            if focus is None:
                continue
            queries += self.constraints(shape, focus, value_pattern="BIND(?this AS ?value)", path=None)
            for prop in sorted(self.g.objects(shape, SH.property), key=str):
                self.check_supported(prop)
                path = self.g.value(prop, SH.path)
                pattern = f"?this {self.path(path)} ?value ."
                queries += self.constraints(prop, focus, value_pattern=pattern, path=path)
        return queries

    def constraints(self, shape, focus: str, value_pattern: str, path) -> list[_Query]:
        g, out = self.g, []
        severity, message = self.severity(shape), g.value(shape, SH.message)
        reported_path = path if isinstance(path, URIRef) else None
        sp = self.path(path) if path is not None else None

        def q(component, sparql, value=True, template=None):
            out.append(_Query(shape, component, severity, reported_path, str(message) if message is not None else None,
                              sparql, template))

        def per_value(component, condition):
            q(component, f"SELECT DISTINCT ?this ?value WHERE {{ {{ {focus} }} {value_pattern} FILTER({condition}) }}")

        for n in g.objects(shape, SH.minCount):
            q("MinCountConstraintComponent", f"SELECT ?this WHERE {{ {{ {focus} }} OPTIONAL {{ ?this {sp} ?value }} }} "
              f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {int(n)})")
        for n in g.objects(shape, SH.maxCount):
            q("MaxCountConstraintComponent", f"SELECT ?this WHERE {{ {{ {focus} }} ?this {sp} ?value }} "
              f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {int(n)})")
        for cls in g.objects(shape, SH["class"]):
            t = _var("t")
            per_value("ClassConstraintComponent",
                      f"NOT EXISTS {{ ?value a {t} VALUES {t} {{ {' '.join(c.n3() for c in self.instances_of(cls))} }} }}")
        for dt in g.objects(shape, SH.datatype):
            per_value("DatatypeConstraintComponent", f"!{datatype_ok('?value', dt)}")
        for kind in g.objects(shape, SH.nodeKind):
            per_value("NodeKindConstraintComponent", f"!{node_kind_ok('?value', kind)}")
        for lst in g.objects(shape, SH["in"]):
            per_value("InConstraintComponent", "!(" + " || ".join(f"sameTerm(?value, {m.n3()})" for m in Collection(g, lst)) + ")")
        for v in g.objects(shape, SH.hasValue):
            if sp is None:
                per_value("HasValueConstraintComponent", f"!sameTerm(?value, {v.n3()})")
            else:
                x = _var("x")
                q("HasValueConstraintComponent", f"SELECT DISTINCT ?this WHERE {{ {{ {focus} }} "
                  f"FILTER NOT EXISTS {{ ?this {sp} {x} FILTER(sameTerm({x}, {v.n3()})) }} }}")
        for pattern in g.objects(shape, SH.pattern):
            flags = g.value(shape, SH.flags)
            args = f"{_sparql_string(str(pattern))}" + (f", {_sparql_string(str(flags))}" if flags else "")
            per_value("PatternConstraintComponent", f"isBlank(?value) || !REGEX(STR(?value), {args})")
        for n in g.objects(shape, SH.minLength):
            per_value("MinLengthConstraintComponent", f"isBlank(?value) || STRLEN(STR(?value)) < {int(n)}")
        for n in g.objects(shape, SH.maxLength):
            per_value("MaxLengthConstraintComponent", f"isBlank(?value) || STRLEN(STR(?value)) > {int(n)}")
        for pred, op, name in ((SH.minInclusive, ">=", "MinInclusive"), (SH.maxInclusive, "<=", "MaxInclusive"),
                               (SH.minExclusive, ">", "MinExclusive"), (SH.maxExclusive, "<", "MaxExclusive")):
            for bound in g.objects(shape, pred):
                per_value(f"{name}ConstraintComponent", f"!COALESCE(?value {op} {bound.n3()}, false)")
        for other in g.objects(shape, SH.lessThan):
            w = _var("w")
            q("LessThanConstraintComponent", f"SELECT DISTINCT ?this ?value WHERE {{ {{ {focus} }} {value_pattern} "
              f"?this {other.n3()} {w} FILTER(!COALESCE(?value < {w}, false)) }}")
        for lst in g.objects(shape, SH.languageIn):
            per_value("LanguageInConstraintComponent", f"!{language_in('?value', lst, g)}")
        for unique in g.objects(shape, SH.uniqueLang):
            if unique.toPython() is True:
                q("UniqueLangConstraintComponent", f"SELECT DISTINCT ?this WHERE {{ {{ {focus} }} ?this {sp} ?value , ?other "
                  "FILTER(!sameTerm(?value, ?other) && LANG(?value) != \"\" && LCASE(LANG(?value)) = LCASE(LANG(?other))) }")
        for lst in g.objects(shape, SH["or"]):
            alternatives = " || ".join(self.conforms(s, "?value") for s in Collection(g, lst))
            per_value("OrConstraintComponent", f"!({alternatives})")
        for inner in g.objects(shape, SH["not"]):
            per_value("NotConstraintComponent", self.conforms(inner, "?value"))
        for inner in g.objects(shape, SH.qualifiedValueShape):
            cond = self.conforms(inner, "?value")
            count = f"SUM(IF(BOUND(?value) && {cond}, 1, 0))"
            for n in g.objects(shape, SH.qualifiedMinCount):
                q("QualifiedMinCountConstraintComponent", f"SELECT ?this WHERE {{ {{ {focus} }} OPTIONAL {{ ?this {sp} ?value }} }} "
                  f"GROUP BY ?this HAVING ({count} < {int(n)})")
            for n in g.objects(shape, SH.qualifiedMaxCount):
                q("QualifiedMaxCountConstraintComponent", f"SELECT ?this WHERE {{ {{ {focus} }} OPTIONAL {{ ?this {sp} ?value }} }} "
                  f"GROUP BY ?this HAVING ({count} > {int(n)})")
        for constraint in g.objects(shape, SH.sparql):
            select = g.value(constraint, SH.select)
            if select is None or sp is not None:
                raise InputError(f"SPARQL constraint {constraint}: only node-shape sh:select constraints are supported")
            inner = _project_this(str(select).replace("$this", "?this"))
            cmsg = g.value(constraint, SH.message)
            out.append(_Query(shape, "SPARQLConstraintComponent", self.severity(constraint) if (constraint, SH.severity, None) in g
                              else severity, None, None, f"SELECT * WHERE {{ {{ {focus} }} {{ {inner} }} }}",
                              str(cmsg) if cmsg is not None else (str(message) if message is not None else None)))
        return out


def datatype_ok(x: str, dt) -> str:
    if dt in _INTEGER_SUBTYPES:
        return (f"(isLiteral({x}) && (DATATYPE({x}) = {dt.n3()} || (DATATYPE({x}) = {XSD.integer.n3()} "
                f"&& {x} {_INTEGER_SUBTYPES[dt]})))")
    check = f"(isLiteral({x}) && DATATYPE({x}) = {dt.n3()}"
    if dt in (XSD.integer, XSD.decimal, XSD.double, XSD.float):
        check += f" && isNumeric({x})"  # an ill-formed number is not of its datatype
    return check + ")"


def language_in(x: str, lst, g: Graph) -> str:
    ok = " || ".join(f'langMatches(LANG({x}), "{t}")' for t in Collection(g, lst))
    return f"(isLiteral({x}) && LANG({x}) != \"\" && ({ok}))"


def node_kind_ok(x: str, kind) -> str:
    return {
        SH.IRI: f"isIRI({x})", SH.Literal: f"isLiteral({x})", SH.BlankNode: f"isBlank({x})",
        SH.BlankNodeOrIRI: f"(isIRI({x}) || isBlank({x}))", SH.IRIOrLiteral: f"(isIRI({x}) || isLiteral({x}))",
        SH.BlankNodeOrLiteral: f"(isBlank({x}) || isLiteral({x}))",
    }[kind]


def _sparql_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _project_this(select: str) -> str:
    """A SHACL-SPARQL select with ?this in its projection, so it joins with the focus nodes
    (SHACL pre-binds $this; evaluating once over all focus nodes needs it as a column)."""
    head, sep, body = select.partition("WHERE")
    if not sep:
        head, sep, body = select.partition("{")
    words = head.split()
    if "*" in words or "?this" in words:
        return select
    i = next(k for k, w in enumerate(words) if w.upper() == "SELECT") + 1
    if i < len(words) and words[i].upper() in ("DISTINCT", "REDUCED"):
        i += 1
    words.insert(i, "?this")
    return " ".join(words) + f" {sep}{body}"


def run(query_fn, shapes: Graph, ontology: Graph) -> list[Result]:
    """Every result of the compiled shapes; query_fn(sparql) evaluates on the data."""
    compiler = Compiler(shapes, ontology)
    results = []
    for q in compiler.compile():
        for row in query_fn(compiler.prefixes + q.sparql):
            value = _get(row, "value")
            path = q.path
            if q.component == "SPARQLConstraintComponent":
                p = _get(row, "path")
                path = URIRef(p.value) if p is not None else None
            message = q.message
            if q.template is not None:
                message = _substitute(q.template, row)
            results.append(Result(q.severity, row["this"], path, q.shape, q.component, value,
                                  message or q.component.replace("ConstraintComponent", "")))
    return results


def _get(row, name):
    try:
        return row[name]
    except KeyError:
        return None


def _substitute(template: str, row) -> str:
    import re

    def repl(m):
        name = m.group(2)
        term = _get(row, "this" if name == "this" else name)
        return term.value if term is not None else m.group(0)

    return re.sub(r"\{([?$])([A-Za-z_][A-Za-z0-9_]*)\}", repl, template)


def to_rdflib(term):
    """A pyoxigraph term as rdflib's, language tags in their conventional case."""
    import pyoxigraph as ox

    from .ntriples import bcp47_case

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=bcp47_case(term.language))
    if term.datatype.value == str(XSD.string):
        return Literal(term.value)  # a simple literal, as rdflib writes it
    return Literal(term.value, datatype=URIRef(term.datatype.value))
