"""Validation of what an edit touched: the findings of a full `validate_store` run, recomputed
only for the focus nodes whose result an edit of the union can have changed.

API (the incremental build calls these; nothing here writes files):

    Delta triples: `added` and `removed` are iterables of pyoxigraph `Triple`s (or N-Triples
    lines, bytes or str, turned into triples by `triples()`): what the edit added to and
    removed from the union of the data graphs (the build store's default graph). `bstore` is
    the build store AFTER the edit (build/workstore.py BuildStore).

    affected_focus(bstore, shapes, added, removed) -> Affected
        per finding source (a shape's name as findings give it), the focus nodes whose SHACL
        result can differ from the last run's, or "run in full" for that source.
    validate_delta(bstore, shapes, checks_dir, previous, added, removed, jobs=None) -> Report
        the Report `validate_store(bstore, shapes, checks_dir, jobs)` gives, finding for finding
        and in the same order, from `previous` (the last run's Report, e.g. Report.from_json of
        what the build cached) and the edit.
    Report.to_json() / Report.from_json() (validator.py): the findings kept between builds.
    reach(shapes) -> {finding source: the longest walk in triples, or None: unbounded}.
    triples(lines) -> [pyoxigraph Triple]: N-Triples lines parsed.

How the reach is found. Each shape is read as walks from its focus node: a walk is a sequence
of steps (predicates, direction) along which the shape reads triples; a changed triple (s p o)
matching step i of a walk can change the result of every node that reaches s (or o) by the
first i-1 steps, followed backwards in the store after the edit plus the removed triples (so a
walk that only existed before the edit is found too). The walks come from the shapes:
- targets: sh:targetClass (and implicit class targets) -> rdf:type of the node; targetSubjectsOf
  p -> (node p ?); targetObjectsOf p -> (? p node); SPARQL targets -> as SPARQL constraints below;
- a property shape: its path (sequences, inverse and alternative paths expanded into steps), then
  from each value node the value's own walks: sh:class -> rdf:type of the value; sh:or, sh:not,
  sh:qualifiedValueShape -> the nested shape's path and walks from the value; sh:lessThan q ->
  (node q ?); the other constraints read only the path's triples;
- a node shape: the same value walks from the node itself;
- SPARQL constraints and targets: parsed (rdflib's SPARQL algebra); each triple pattern is
  reached by the shortest chain of patterns joined to it (the same group, the enclosing groups'
  required patterns, never a sibling UNION branch or OPTIONAL) from $this. A pattern with no
  such chain (or an unsupported construct: LIMIT, GRAPH, SERVICE, arbitrary-length paths)
  makes its shape "run in full" whenever a changed triple matches it.
The sh:class and targetClass checks are compiled with the subclass closure read from the store:
a changed rdfs:subClassOf triple re-runs every shape.

The affected nodes of a shape are then narrowed to its focus nodes (after the edit) and the
nodes it reported before (_keep_focus_nodes), and its queries run for those only: the nodes in a
VALUES block, the query evaluated with each bound (LATERAL; restricted(), in chunks of CHUNK),
or in full when the affected set is larger than FULL_ABOVE or holds a blank node (a VALUES block
cannot name one). Shapes whose findings share a source name (blank-node shapes report "shape
(component)") share one focus set, so every query that can report a finding re-runs the nodes
whose old findings are dropped. The SPARQL checks of queries/checks/ are read the same way, from
?focus: restricted when ?focus is bound in every solution of their top-level group, otherwise
run in full when touched (all ten take ~2 s at 200 sources).

Assumed, not checked: `previous` is the report of the same shapes and checks (a changed shape
or check file needs a full validate_store), on the store before the edit; the edit is exactly
the difference of the union (a triple both added and removed is harmless, a missing one is not).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef, Variable
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH

from ..core.atomic import write_text_atomic
from ..core.concurrentqueries import in_threads, solutions
from ..core.namespaces import PREFIXES
from ..core.sparqlfiles import read_dir
from .shaclsparql import Compiler, results, subclass_edges, to_rdflib, top_where
from .validator import (Report, _short, _short_iri, canonical_order, check_findings, finding_of, shape_count,
                        validate_store)

_ANALYSIS_VERSION = 1  # bump when sparql_walks changes: cached walks are then re-read
FULL_ABOVE = 20000  # affected nodes of one shape above which it is cheaper to run it in full
# Affected nodes of all shapes together above which a whole validate_store run is cheaper: at 200
# sources a source added touched 39,166 (its focus queries took 7.1 s, the whole validation of the
# 1.18 M triples 4.9 s); a note edited touches a handful.
WHOLE_RUN_FLOOR = 5000
WHOLE_RUN_SHARE = 0.02  # of the triples in the store
CHUNK = 2000  # focus nodes per VALUES block

_SUBCLASS = str(RDFS.subClassOf)

# A step of a walk: (predicate IRIs or None for any, inverse?[, closure?]); a closure step is
# followed any number of times (p+ / p* in a SPARQL select). A walk: (steps, full) where full
# means the last step's triple has no chain back to $this: the shape runs in full.
Step = tuple  # (frozenset[str] | None, bool[, bool])


@dataclass
class Affected:
    """What an edit can have changed: per finding source, the focus nodes (pyoxigraph terms), or
    the source in `full` (to run in full); `everything` when every shape runs in full."""
    focus: dict[str, set] = field(default_factory=dict)
    full: set[str] = field(default_factory=set)
    everything: bool = False

    @property
    def nodes(self) -> set:
        return set().union(*self.focus.values()) if self.focus else set()


def triples(lines) -> list[ox.Triple]:
    """N-Triples lines (str or bytes; blank and comment lines skipped) as pyoxigraph triples."""
    text = b"\n".join(line.encode() if isinstance(line, str) else line for line in lines)
    if not text.strip():
        return []
    return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(text, format=ox.RdfFormat.N_TRIPLES)]


def _as_triples(items) -> list[ox.Triple]:
    items = list(items)
    if items and isinstance(items[0], (str, bytes)):
        return triples(items)
    return [t if isinstance(t, ox.Triple) else ox.Triple(t.subject, t.predicate, t.object) for t in items]


# -- the walks of the shapes ------------------------------------------------------------------
class _Walks:
    """The walks of every finding source (label), read from the shapes graph."""

    def __init__(self, shapes: Graph, cache_file: Path | None = None):
        self.g = shapes
        self.compiler = Compiler(shapes, [])  # for names, prefixes and SPARQL texts only
        self._by_label = None
        # parsing the SPARQL selects takes ~3 s (pyparsing): their walks can be kept in a file
        self.cache_file = cache_file
        self._sparql_cache: dict = {}
        if cache_file is not None and cache_file.exists():
            try:
                self._sparql_cache = {k: _walks_from_json(v) for k, v in json.loads(cache_file.read_text()).items()}
            except (ValueError, KeyError, TypeError):
                self._sparql_cache = {}  # a damaged cache is rebuilt
        self._dirty = False

    def save(self) -> None:
        if self.cache_file is not None and self._dirty:
            self.cache_file.parent.mkdir(parents=True, exist_ok=True)
            write_text_atomic(self.cache_file, json.dumps({k: _walks_to_json(v) for k, v in self._sparql_cache.items()}))
            self._dirty = False

    def path(self, node) -> list[list[Step]]:
        """The path as alternatives, each a sequence of steps."""
        g = self.g
        if isinstance(node, URIRef):
            return [[(frozenset([str(node)]), False)]]
        inverse = g.value(node, SH.inversePath)
        if inverse is not None:
            return [[(p, not inv) for p, inv in reversed(seq)] for seq in self.path(inverse)]
        alternatives = g.value(node, SH.alternativePath)
        if alternatives is not None:
            return [seq for member in Collection(g, alternatives) for seq in self.path(member)]
        if (node, RDF.first, None) in g:
            parts = [self.path(p) for p in Collection(g, node)]
            return [[step for seq in combo for step in seq] for combo in itertools.product(*parts)]
        raise ValueError(f"unsupported path {node}")  # the compiler refuses it first

    def value_walks(self, shape) -> list[tuple]:
        """Walks from a value node (or a node shape's focus) that its per-value constraints read."""
        g, out = self.g, []
        if (shape, SH["class"], None) in g:
            out.append(([(frozenset([str(RDF.type)]), False)], False))
        nested = []
        for lst in g.objects(shape, SH["or"]):
            nested += list(Collection(g, lst))
        nested += list(g.objects(shape, SH["not"])) + list(g.objects(shape, SH.qualifiedValueShape))
        for inner in nested:
            out += self.nested_walks(inner)
        return out

    def nested_walks(self, shape) -> list[tuple]:
        path = self.g.value(shape, SH.path)
        if path is None:
            return self.value_walks(shape)
        return self.property_walks(shape, path)

    def property_walks(self, shape, path) -> list[tuple]:
        out = []
        inner = self.value_walks(shape)
        for seq in self.path(path):
            out.append((seq, False))
            out += [(seq + steps, full) for steps, full in inner]
        for other in self.g.objects(shape, SH.lessThan):
            out.append(([(frozenset([str(other)]), False)], False))
        return out

    def target_walks(self, shape) -> list[tuple]:
        g, out = self.g, []
        class_types = {RDFS.Class, OWL.Class, *g.subjects(RDFS.subClassOf, RDFS.Class)}
        if (shape, SH.targetClass, None) in g or any(t in class_types for t in g.objects(shape, RDF.type)):
            out.append(([(frozenset([str(RDF.type)]), False)], False))
        for p in g.objects(shape, SH.targetSubjectsOf):
            out.append(([(frozenset([str(p)]), False)], False))
        for p in g.objects(shape, SH.targetObjectsOf):
            out.append(([(frozenset([str(p)]), True)], False))
        for t in g.objects(shape, SH.target):
            out += self.sparql_walks(t, shape)[0]
        return out

    def sparql_walks(self, node, shape) -> tuple[list[tuple], bool]:
        """The walks of a SPARQL constraint or target, and whether $this is bound by a required
        pattern of its top-level group (then the select asked with ?this bound, restricted(), gives
        its solutions for that node)."""
        self.compiler.owner = shape
        text, prefixes = self.compiler.select(node, shape, "SPARQL constraint or target")
        return self.sparql_walks_of(text, prefixes, "this")

    def sparql_walks_of(self, text: str, prefixes: dict, focus: str) -> tuple[list[tuple], bool]:
        key = hashlib.sha256(json.dumps([_ANALYSIS_VERSION, text, sorted((str(k), str(v)) for k, v in prefixes.items()),
                                         focus]).encode()).hexdigest()
        if key not in self._sparql_cache:
            self._sparql_cache[key] = sparql_walks(text, prefixes, focus)
            self._dirty = True
        return self._sparql_cache[key]

    def by_label(self) -> tuple[dict[str, list[tuple]], dict[str, bool]]:
        """Walks per finding source, as the compiler pairs focus nodes and constraints; and per
        source whether its SPARQL selects may be restricted too."""
        if self._by_label is None:
            self._by_label = self._read_by_label()
        return self._by_label

    def _read_by_label(self):
        g, walks, safe = self.g, defaultdict(list), defaultdict(lambda: True)
        targeted = set(g.subjects(RDF.type, SH.NodeShape)) | {s for t in (SH.targetClass, SH.targetSubjectsOf,
                                                                          SH.targetObjectsOf, SH.target)
                                                              for s in g.subjects(t, None)}
        for shape in sorted(targeted, key=str):
            focus = self.target_walks(shape)
            if not focus:
                continue  # no targets: the compiler makes no query of it
            for t in g.objects(shape, SH.target):
                safe_t = self.sparql_walks(t, shape)[1]
                for label in self.labels(shape) + [lbl for p in g.objects(shape, SH.property) for lbl in self.labels(p)]:
                    safe[label] &= safe_t
            path = g.value(shape, SH.path)
            if path is not None:
                for label in self.labels(shape):
                    walks[label] += focus + self.property_walks(shape, path)
                continue
            own = self.value_walks(shape)
            for c in g.objects(shape, SH.sparql):
                w, ok = self.sparql_walks(c, shape)
                own += w
                for label in self.labels(shape):
                    safe[label] &= ok
            for label in self.labels(shape):
                walks[label] += focus + own
            for prop in g.objects(shape, SH.property):
                for label in self.labels(prop):
                    walks[label] += focus + self.property_walks(prop, g.value(prop, SH.path))
        return dict(walks), dict(safe)

    def labels(self, shape) -> list[str]:
        """The finding sources a shape's results carry (validator.finding_of): its name, or for
        a blank-node shape one per constraint component it can report."""
        if isinstance(shape, URIRef):
            return [_short(self.g, shape)]
        components = {"SPARQLConstraintComponent", "MinCountConstraintComponent", "MaxCountConstraintComponent",
                      "HasValueConstraintComponent", "LessThanConstraintComponent", "UniqueLangConstraintComponent",
                      "QualifiedMinCountConstraintComponent", "QualifiedMaxCountConstraintComponent"}
        components |= {c for c, _ in self.compiler.value_tests(shape, "?x")}
        return sorted(f"shape ({c})" for c in components)


def _walks_to_json(value):
    walks, safe = value
    return {"safe": safe, "walks": [[[[sorted(st[0]) if st[0] is not None else None, *st[1:]] for st in steps], full]
                                    for steps, full in walks]}


def _walks_from_json(data):
    return ([([(frozenset(st[0]) if st[0] is not None else None, *st[1:]) for st in steps], full)
             for steps, full in data["walks"]], data["safe"])


# -- SPARQL patterns as walks -----------------------------------------------------------------
class _Unbounded(Exception):
    pass


def sparql_walks(text: str, prefixes: dict, focus: str) -> tuple[list[tuple], bool]:
    """Walks from ?focus to each triple pattern of a SELECT, and whether ?focus is bound by a
    required pattern of the top-level group. A pattern with no chain to ?focus gives a walk
    of one step (its predicates) marked full."""
    from rdflib.plugins.sparql import prepareQuery  # a second to import; only when shapes have SPARQL

    algebra = prepareQuery(text, initNs=prefixes).algebra
    root = algebra["p"]
    while getattr(root, "name", None) in ("Distinct", "Reduced", "OrderBy"):
        root = root["p"]
    a = _Analysis(root)
    top = a.top
    try:
        a.assign(algebra["p"], frozenset(), top)
    except _Unbounded:
        return [([(None, False)], True)], False
    start = a.var_key(Variable(focus), top)
    walks = []
    for eid, edge in enumerate(a.edges):
        steps = a.chain(eid, start)
        if steps is None:
            walks.append(([(edge[1], False)], True))
        else:
            walks.append((steps, False))
    safe = start in a.binds(algebra["p"], top)
    return walks, safe


class _Scope:
    _ids = itertools.count()

    def __init__(self, parent, projected):
        self.parent, self.projected, self.id = parent, projected, next(self._ids)


class _Analysis:
    def __init__(self, top_project):
        self.edges: list[tuple] = []  # (subject key, predicates or None, object key)
        self.context: dict[int, frozenset] = {}  # edge -> edges matched in the same solution
        self.top_project = top_project  # the query's own projection: its variables are the query's
        self.top = _Scope(None, set())
        self._fresh = itertools.count()
        self._built: dict = {}  # id(algebra node) -> its edges, a subquery's scope, an EXISTS translated
        self._keep: list = []  # the translated EXISTS patterns, alive while their ids are keys

    def var_key(self, v, scope):
        while scope.parent is not None and str(v) in scope.projected:
            scope = scope.parent
        return f"?{v}#{scope.id}"

    def key(self, term, scope):
        if isinstance(term, Variable):
            return self.var_key(term, scope)
        if isinstance(term, BNode):  # a blank node in a pattern is a variable
            return self.var_key(Variable("_b" + str(term)), scope)
        return term.n3()

    def bgp(self, node, scope) -> list[int]:
        if id(node) in self._built:
            return self._built[id(node)]
        ids = []
        for s, p, o in node["triples"]:
            ids += self.add_path(self.key(s, scope), p, self.key(o, scope), scope)
        self._built[id(node)] = ids
        return ids

    def add_path(self, s, p, o, scope) -> list[int]:
        from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, SequencePath

        if isinstance(p, URIRef):
            self.edges.append((s, frozenset([str(p)]), o))
            return [len(self.edges) - 1]
        if isinstance(p, Variable):
            self.edges.append((s, None, o))
            return [len(self.edges) - 1]
        if isinstance(p, InvPath):
            return self.add_path(o, p.arg, s, scope)
        if isinstance(p, SequencePath):
            ids, here = [], s
            for i, part in enumerate(p.args):
                there = o if i == len(p.args) - 1 else f"?_seq{next(self._fresh)}"
                ids += self.add_path(here, part, there, scope)
                here = there
            return ids
        if isinstance(p, AlternativePath) and all(isinstance(a, URIRef) for a in p.args):
            self.edges.append((s, frozenset(str(a) for a in p.args), o))
            return [len(self.edges) - 1]
        if isinstance(p, MulPath) and isinstance(p.path, (URIRef, InvPath)):
            # p+ / p* / p?: followed to its closure in the data (reflexive: a superset for + and ?)
            inner, forward = (p.path, True) if isinstance(p.path, URIRef) else (p.path.arg, False)
            if not isinstance(inner, URIRef):
                raise _Unbounded()
            a, b = (s, o) if forward else (o, s)
            self.edges.append((a, frozenset([str(inner)]), b, True))
            return [len(self.edges) - 1]
        if isinstance(p, (AlternativePath, MulPath, NegatedPath)):
            raise _Unbounded()
        raise _Unbounded()

    def _exists(self, expr):
        """The group patterns of the EXISTS / NOT EXISTS inside an expression."""
        from rdflib.plugins.sparql.parserutils import CompValue

        found = []

        def walk(x):
            if isinstance(x, CompValue):
                if x.name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
                    found.append(x["graph"])
                    return
                for v in x.values():
                    walk(v)
            elif isinstance(x, (list, tuple)):
                for v in x:
                    walk(v)

        walk(expr)
        return found

    def required(self, node, scope) -> set[int]:
        """Edges matched in every solution of the pattern."""
        name = getattr(node, "name", None)
        if name == "BGP":
            return set(self.bgp(node, scope))
        if name == "Join":
            return self.required(node["p1"], scope) | self.required(node["p2"], scope)
        if name in ("LeftJoin", "Minus"):
            return self.required(node["p1"], scope)
        if name == "Union":
            return set()
        if name in ("Filter", "Extend", "Distinct", "Reduced", "OrderBy", "ToMultiSet", "Group", "AggregateJoin"):
            return self.required(node["p"] if name != "AggregateJoin" else node["p"], scope)
        if name == "Project":
            inner = self.project_scope(node, scope)
            return self.required(node["p"], inner)
        if name in ("values", "ToMultiSet"):
            return set()
        if name == "SelectQuery":
            return self.required(node["p"], scope)
        if name in ("Slice", "Graph", "ServiceGraphPattern"):
            raise _Unbounded()
        return set()

    def project_scope(self, node, scope):
        """A subquery's own scope: its variables are its own but for those it projects."""
        if node is self.top_project:
            return scope
        key = ("project", id(node))
        if key not in self._built:
            self._built[key] = _Scope(scope, {str(v) for v in node["PV"]})
        return self._built[key]

    def assign(self, node, ctx: frozenset, scope) -> None:
        """Record, for every edge, the edges matched in the same solution (its context)."""
        name = getattr(node, "name", None)
        if name is None:
            return
        if name == "BGP":
            own = frozenset(self.bgp(node, scope))
            for e in own:
                self.context[e] = ctx | own
        elif name == "Join":
            r1, r2 = self.required(node["p1"], scope), self.required(node["p2"], scope)
            self.assign(node["p1"], ctx | r2, scope)
            self.assign(node["p2"], ctx | r1, scope)
        elif name == "LeftJoin":
            r1 = self.required(node["p1"], scope)
            self.assign(node["p1"], ctx, scope)
            self.assign(node["p2"], ctx | r1, scope)
            r2 = self.required(node["p2"], scope)
            for g in self._exists(node.get("expr")):
                self.assign_group(g, ctx | r1 | r2, scope)
        elif name == "Union":
            self.assign(node["p1"], ctx, scope)
            self.assign(node["p2"], ctx, scope)
        elif name == "Minus":
            r1 = self.required(node["p1"], scope)
            self.assign(node["p1"], ctx, scope)
            self.assign(node["p2"], ctx | r1, scope)
        elif name in ("Filter", "Extend"):
            if name == "Extend" and isinstance(node["expr"], Variable):
                pass  # BIND(?x AS ?y): no chain through it is assumed (conservative)
            r = self.required(node["p"], scope)
            self.assign(node["p"], ctx, scope)
            for g in self._exists(node["expr"]):
                self.assign_group(g, ctx | r, scope)
        elif name == "Project":
            self.assign(node["p"], ctx, self.project_scope(node, scope))
        elif name in ("Distinct", "Reduced", "OrderBy", "ToMultiSet", "Group", "AggregateJoin", "SelectQuery"):
            if name == "Group" and node.get("expr"):
                for g in self._exists(node["expr"]):
                    raise _Unbounded()
            self.assign(node["p"], ctx, scope)
        elif name in ("Slice", "Graph", "ServiceGraphPattern"):
            raise _Unbounded()

    def assign_group(self, group, ctx, scope) -> None:
        """An EXISTS pattern, translated to the algebra (rdflib leaves it as parsed)."""
        if getattr(group, "name", None) == "GroupGraphPatternSub":
            from rdflib.plugins.sparql.algebra import translateGroupGraphPattern

            key = ("exists", id(group))
            if key not in self._built:
                self._keep.append(group)
                self._built[key] = translateGroupGraphPattern(group)
            group = self._built[key]
        self.assign(group, ctx, scope)

    def binds(self, node, scope) -> set:
        """Variables bound in every solution of the pattern."""
        name = getattr(node, "name", None)
        if name == "BGP":
            return {k for e in self.bgp(node, scope) for k in (self.edges[e][0], self.edges[e][2]) if k.startswith("?")}
        if name == "Join":
            return self.binds(node["p1"], scope) | self.binds(node["p2"], scope)
        if name in ("LeftJoin", "Minus"):
            return self.binds(node["p1"], scope)
        if name == "Union":
            return self.binds(node["p1"], scope) & self.binds(node["p2"], scope)
        if name in ("Filter", "Distinct", "Reduced", "OrderBy", "ToMultiSet", "SelectQuery", "Extend", "Group",
                    "AggregateJoin"):
            return self.binds(node["p"], scope)  # for a grouped query: bound in every solution grouped
        if name == "Project":
            return self.binds(node["p"], self.project_scope(node, scope))
        return set()  # VALUES: not relied upon

    def chain(self, eid: int, start) -> list[Step] | None:
        """The steps from `start` to edge eid through its context, ending with eid itself."""
        edge = self.edges[eid]
        s, o = edge[0], edge[2]
        if start in (s, o):
            return [_step(edge, start == o)]
        usable = [e for e in self.context.get(eid, ()) if e != eid]
        # breadth-first from start over the usable edges, until s or o is reached
        prev = {start: None}
        frontier = [start]
        while frontier:
            nxt = []
            for n in frontier:
                for e in usable:
                    here_edge = self.edges[e]
                    es, eo = here_edge[0], here_edge[2]
                    for here, there, inverse in ((es, eo, False), (eo, es, True)):
                        if here == n and there not in prev and there.startswith("?"):  # never through a constant
                            prev[there] = (n, _step(here_edge, inverse))
                            nxt.append(there)
            frontier = nxt
            for end in (s, o):
                if end in prev:
                    steps = []
                    n = end
                    while prev[n] is not None:
                        n, step = prev[n]
                        steps.append(step)
                    steps.reverse()
                    return steps + [_step(edge, end == o)]
        return None


def _step(edge, inverse: bool) -> Step:
    return (edge[1], inverse, len(edge) > 3 and edge[3])


# -- the reach in the data --------------------------------------------------------------------
class _TooMany(Exception):
    pass


class _Data:
    """The store after the edit plus the removed triples: every walk of before or after."""

    def __init__(self, store: ox.Store, removed: list[ox.Triple]):
        self.store = store
        self.by_subject, self.by_object = defaultdict(list), defaultdict(list)
        for t in removed:
            self.by_subject[t.subject].append(t)
            self.by_object[t.object].append(t)
        # many shapes walk the same steps back from the same nodes (a source added at 1,000
        # sources: 418,000 walks back, of far fewer distinct ones); callers do not change the sets
        self._seen: dict[tuple, set] = {}

    def back(self, node, step: Step) -> set:
        """The nodes from which `step` leads to node (a closure step: any number of times)."""
        key = (node, step)
        if key not in self._seen:
            self._seen[key] = self._back(node, step)
        return self._seen[key]

    def _back(self, node, step: Step) -> set:
        if len(step) > 2 and step[2]:
            seen, todo = {node}, [node]
            while todo:
                for m in self._back_once(todo.pop(), step[0], step[1]):
                    if m not in seen:
                        seen.add(m)
                        todo.append(m)
                if len(seen) > FULL_ABOVE:
                    raise _TooMany()  # a partial closure could miss a node: the shape runs in full
            return seen
        return self._back_once(node, step[0], step[1])

    def _back_once(self, node, preds, inverse) -> set:
        out = set()
        if inverse:  # the step went node <-p- ... : from x, (node p x) was read backwards
            if not isinstance(node, (ox.NamedNode, ox.BlankNode)):
                return out
            for p in (preds or [None]):
                pn = ox.NamedNode(p) if p else None
                out.update(q.object for q in self.store.quads_for_pattern(node, pn, None, None))
            out.update(t.object for t in self.by_subject.get(node, ()) if preds is None or t.predicate.value in preds)
        else:
            for p in (preds or [None]):
                pn = ox.NamedNode(p) if p else None
                out.update(q.subject for q in self.store.quads_for_pattern(None, pn, node, None))
            out.update(t.subject for t in self.by_object.get(node, ()) if preds is None or t.predicate.value in preds)
        return out


def reach(shapes: Graph, cache_file: Path | None = None) -> dict[str, int | None]:
    """Per finding source, how many triples away from its focus node a shape reads (its longest
    walk; a closure step counts once), or None when some triple it reads has no chain back to
    the focus node (the shape then runs in full whenever such a triple changes)."""
    walks = _Walks(shapes, cache_file)
    out = {label: (None if any(full for _, full in ws) else max(len(steps) for steps, _ in ws))
           for label, ws in walks.by_label()[0].items()}
    walks.save()
    return out


def affected_focus(bstore, shapes: Graph, added, removed, walks: _Walks | None = None) -> Affected:
    """Per finding source, the focus nodes whose result the edit (added and removed triples of
    the union, bstore after the edit) can have changed; see the module's docstring."""
    added, removed = _as_triples(added), _as_triples(removed)
    labels_walks, _safe = (walks or _Walks(shapes)).by_label()  # walks: given by validate_delta
    if any(t.predicate.value == _SUBCLASS for t in added + removed):
        return Affected(full=set(labels_walks), everything=True)
    return _affected(bstore, labels_walks, added, removed)


def _affected(bstore, labels_walks: dict[str, list[tuple]], added: list, removed: list) -> Affected:
    data = _Data(bstore.store, removed)
    # predicate (None: any) -> a walk up to a step reading it -> (label, full) of the shapes
    # walking it: a walk shared by many shapes is followed back once per changed triple
    by_pred: dict = defaultdict(lambda: defaultdict(list))
    for label, ws in labels_walks.items():
        for steps, full in ws:
            for i, step in enumerate(steps):
                for p in (step[0] if step[0] is not None else [None]):
                    by_pred[p][tuple(steps[:i + 1])].append((label, full))
    users_full = {walk: {label for label, full in users if full} for walks in by_pred.values()
                  for walk, users in walks.items()}
    users_live = {walk: {label for label, full in users if not full} for walks in by_pred.values()
                  for walk, users in walks.items()}
    out = Affected()
    # the nodes each walk reaches, gathered over every changed triple and given to the shapes
    # walking it at the end: at 1,000 sources a source added is 17,800 triples, each read by
    # walks that dozens of shapes share
    reached: dict[tuple, set] = {}
    too_many: set[tuple] = set()
    for t in added + removed:
        for walks in (by_pred.get(t.predicate.value, {}), by_pred.get(None, {})):
            for walk in walks:
                out.full |= users_full[walk]
                if not users_live[walk] or walk in too_many:
                    continue
                try:
                    nodes = _walk_back(data, t, walk)
                except _TooMany:
                    too_many.add(walk)
                    continue
                acc = reached.setdefault(walk, set())
                acc |= nodes
                if len(acc) > FULL_ABOVE:
                    too_many.add(walk)
    for walk in too_many:
        out.full |= users_live[walk]
    for walk, nodes in reached.items():
        if walk in too_many:
            continue
        for label in users_live[walk]:
            if label not in out.full:
                out.focus.setdefault(label, set()).update(nodes)
    out.full |= {label for label, focus in out.focus.items() if len(focus) > FULL_ABOVE}
    for label in out.full:
        out.focus.pop(label, None)
    return out


def _walk_back(data: _Data, t: ox.Triple, walk: tuple) -> set:
    """The focus nodes from which `walk` reaches the changed triple t at its last step."""
    last = walk[-1]
    start = t.object if last[1] else t.subject  # the node the walk is at before its last step
    nodes = data.back(start, last) if len(last) > 2 and last[2] else {start}
    for step in reversed(walk[:-1]):
        if len(nodes) > FULL_ABOVE:
            raise _TooMany()
        nodes = set().union(*(data.back(n, step) for n in nodes)) if nodes else set()
    return nodes


# -- the delta run ------------------------------------------------------------------------------
def validate_delta(bstore, shapes: Graph, checks_dir: Path, previous: Report, added, removed,
                   jobs: int | None = None, cache_file: Path | None = None) -> Report:
    """The Report validate_store(bstore, shapes, checks_dir) would give on bstore (after the
    edit), from `previous` (the Report of the same shapes and checks on the store before the
    edit) and the edit: the previous findings of unaffected focus nodes kept, the compiled shapes
    and the SPARQL checks re-run for the affected ones (or in full). `cache_file`: where
    the walks of the shapes' SPARQL selects are kept between runs (None: read each time, ~3 s)."""
    added, removed = _as_triples(added), _as_triples(removed)  # read twice below: no iterator
    walks = _Walks(shapes, cache_file)
    affected = affected_focus(bstore, shapes, added, removed, walks)
    _, safe = walks.by_label()
    walks.save()
    queries = Compiler(shapes, subclass_edges(bstore.query_with_ontology)).compile()
    labels = [_query_labels(q, walks) for q in queries]
    # Sources that share a query (a blank-node shape reports one per component) share a focus
    # set: every query of a source then re-runs exactly the nodes whose old findings are dropped.
    parent: dict[str, str] = {}

    def root(x):
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for ls in labels:
        for other in ls[1:]:
            parent[root(other)] = root(ls[0])
    group_focus, group_full = defaultdict(set), set()
    for label in {lbl for ls in labels for lbl in ls}:
        r = root(label)
        group_focus[r] |= affected.focus.get(label, set())
        # restricted, a SPARQL select is asked with ?this bound (restricted()): right only where
        # ?this is bound in every solution of it
        if affected.everything or label in affected.full or not safe.get(label, True):
            group_full.add(r)
    for r, focus in group_focus.items():
        # a blank node cannot be named in a VALUES block; a large set is cheaper in full
        if len(focus) > FULL_ABOVE or any(not _sparql_term(t) for t in focus):
            group_full.add(r)
    _keep_focus_nodes(bstore, shapes, queries, labels, root, group_focus, group_full, previous, jobs)
    touched = sum(len(focus) for r, focus in group_focus.items() if r not in group_full)
    if touched > WHOLE_RUN_FLOOR and touched > WHOLE_RUN_SHARE * len(bstore.store):
        return validate_store(bstore, shapes, checks_dir, jobs)

    per_query, texts, terms_of = [], [], {}
    for q, ls in zip(queries, labels):
        r = root(ls[0])
        if r in group_full:
            per_query.append(q)
            texts.append(q.sparql)
            continue
        if r not in terms_of:
            terms_of[r] = _sparql_terms(group_focus[r])
        for text in restricted(q.sparql, "this", terms_of[r]):
            per_query.append(q)
            texts.append(text)
    # the same files the last full run read and checked (a changed check needs a full run)
    check_files = [c for directory in (checks_dir / "asserted", checks_dir) for c in read_dir(directory, parse=False)]
    checks = _DeltaChecks(bstore, check_files, added, removed, walks)
    # the checks and the shapes' queries on the same threads, the checks run in full first: one
    # of them alone took 0.9 s at 1,000 sources, while the other thread had nothing to do
    asked = [(bstore.query, t) for t in checks.texts] + [(bstore.query_with_ontology, t) for t in texts]
    answers = in_threads(lambda job: list(job[0](job[1])), asked, jobs)
    fresh = []
    for q, rows in zip(per_query, answers[len(checks.texts):]):
        fresh += [finding_of(shapes, r) for r in results(q, rows)]
    names = {r: {_short_focus(shapes, t) for t in focus} for r, focus in group_focus.items() if r not in group_full}
    known = set(parent)

    def still_holds(f) -> bool:
        if f.source.startswith("check "):
            return False  # the checks' findings: _DeltaChecks
        if f.source not in known:
            return True  # no compiled query reports it (its shape has no focus nodes): never re-run
        r = root(f.source)
        return r not in group_full and f.focus not in names.get(r, ())

    report = Report(shapes=shape_count(shapes))
    report.findings = [f for f in previous.findings if still_holds(f)] + fresh
    report.findings += checks.findings(previous, answers[:len(checks.texts)])
    walks.save()
    report.checks = len(check_files)
    report.findings = canonical_order(report.findings)
    return report


def _keep_focus_nodes(bstore, shapes, queries, labels, root, group_focus, group_full, previous: Report, jobs) -> None:
    """Narrow each restricted group's affected nodes to those its shapes must run on again: the
    nodes that are focus nodes of one of them now, and those that had a finding of one of them
    before (dropped, then found again or not). Any other node is no focus node after the edit
    and had no finding before it: it has none either way. The walks lead back from a changed
    triple to every node that can reach it, of any class: a source added touched 4,015 nodes
    at 1,000 sources, each counted for most shapes (710,000 in all), which made the whole run
    cheaper than the restricted one; its new mentions, claims and selectors are a few hundred."""
    texts: dict[str, set[str]] = defaultdict(set)  # group -> its shapes' focus queries
    asked: dict[str, set] = defaultdict(set)  # focus query -> the nodes of every group using it
    for q, ls in zip(queries, labels):
        r = root(ls[0])
        if r not in group_full and group_focus.get(r) and q.focus:
            texts[r].add(q.focus)
            asked[q.focus] |= group_focus[r]
    runs, sparql = [], []
    for text, nodes in sorted(asked.items()):  # one focus query serves every group sharing it
        for chunk in restricted(text, "this", _sparql_terms(nodes)):
            runs.append(text)
            sparql.append(chunk)
    focus_of: dict[str, set] = defaultdict(set)
    for text, rows in zip(runs, solutions(bstore.query_with_ontology, sparql, jobs)):
        focus_of[text].update(row["this"] for row in rows)
    now = {r: set().union(*(focus_of[text] for text in ts)) for r, ts in texts.items()}
    known = {label for ls in labels for label in ls}
    reported: dict[str, set[str]] = defaultdict(set)
    for f in previous.findings:
        if f.source in known:
            reported[root(f.source)].add(f.focus)
    names: dict = {}  # a node's name in findings, made once per node (of 4,015, not per shape)

    def reported_before(r, t) -> bool:
        if not reported[r]:
            return False
        if t not in names:
            names[t] = _short_focus(shapes, t)
        return names[t] in reported[r]

    for r in list(group_focus):
        if r not in group_full:
            group_focus[r] = {t for t in group_focus[r] if t in now.get(r, ()) or reported_before(r, t)}


class _DeltaChecks:
    """The checks of queries/checks/ the same way: each check's walks from ?focus; restricted by
    a VALUES ?focus block at the start of its WHERE group when ?focus is bound in every solution
    there; otherwise, or when a changed triple has no chain to ?focus, run in full. `texts` are
    the queries to run (on the union default graph; those run in full first, the longest),
    `findings` reads their rows."""

    def __init__(self, bstore, check_files, added, removed, walks: _Walks):
        self.check_files = check_files
        label_walks, safe = defaultdict(list), defaultdict(lambda: True)
        for c in check_files:
            w, ok = walks.sparql_walks_of(c.text, PREFIXES, "focus")
            label_walks[f"check {c.name}"] += w
            safe[f"check {c.name}"] &= ok and top_where(c.text) is not None
        self.affected = _affected(bstore, label_walks, added, removed)
        full = set(self.affected.full) | {lbl for lbl, ok in safe.items() if not ok and self.affected.focus.get(lbl)}
        full |= {lbl for lbl, ts in self.affected.focus.items() if any(not _sparql_term(t) for t in ts)}
        self.full = full
        self.runs, self.texts = [], []
        for c in sorted(check_files, key=lambda c: f"check {c.name}" not in full):
            label = f"check {c.name}"
            if label in full:
                self.runs.append(c)
                self.texts.append(c.text)
                continue
            for text in restricted(c.text, "focus", _sparql_terms(self.affected.focus.get(label, ()))):
                self.runs.append(c)
                self.texts.append(text)

    def findings(self, previous: Report, answers: list) -> list:
        """The checks' findings now: the fresh ones, and the previous ones of nodes not run again."""
        out = []
        for c, rows in zip(self.runs, answers):
            out += check_findings(c, rows)
        full = self.full
        names = {lbl: {_short_iri(t.value) for t in ts} for lbl, ts in self.affected.focus.items() if lbl not in full}
        labels = {f"check {c.name}" for c in self.check_files}
        kept = [f for f in previous.findings if f.source in labels and f.source not in full
                and f.focus not in names.get(f.source, ())]
        return kept + out


_QUERY_FORM = re.compile(r"^[ \t]*SELECT\b", re.IGNORECASE | re.MULTILINE)


def restricted(sparql: str, var: str, terms: list[str]) -> list[str]:
    """`sparql` (a SELECT binding ?var in every solution) asked for these nodes (`terms`, as
    _sparql_terms writes them) as ?var only, in chunks of CHUNK: the nodes in a VALUES block, the
    query evaluated for each of them (LATERAL).
    A VALUES block joined to the query as it is was slower than the whole query: pyoxigraph
    0.5 read every match of a triple pattern for each row of the block (2,000 nodes against
    `?this a oa:Mention`, 320,000 mentions at 1,000 sources: 12.7 s; with LATERAL 6 ms)."""
    form = _QUERY_FORM.search(sparql) or re.search(r"\bSELECT\b", sparql, flags=re.IGNORECASE)
    at = form.start()  # after the prologue (PREFIX lines, comments)
    head, body = sparql[:at], sparql[at:]
    return [f"{head}SELECT * WHERE {{ VALUES ?{var} {{ {' '.join(terms[i:i + CHUNK])} }}\nLATERAL {{\n{body}\n}} }}"
            for i in range(0, len(terms), CHUNK)]


def _query_labels(q, walks: _Walks) -> list[str]:
    """The finding sources a compiled query's results carry."""
    if isinstance(q.shape, URIRef):
        return walks.labels(q.shape)
    return sorted(f"shape ({c})" for c in (q.components or [q.component]))


def _short_focus(shapes, term) -> str:
    return _short(shapes, to_rdflib(term))


def _sparql_terms(nodes) -> list[str]:
    return sorted(_sparql_term(t) for t in nodes)


def _sparql_term(t) -> str | None:
    if isinstance(t, ox.NamedNode):
        return f"<{t.value}>"
    if isinstance(t, ox.Literal):
        return str(t)
    return None  # a blank node cannot be named in a query: its shapes run in full
