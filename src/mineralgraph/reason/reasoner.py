"""OWL 2 RL reasoning, kept to the new facts users query.

The build runs the OWL 2 RL rules this ontology needs, generated from its axioms (owl2rl.py), as
SPARQL updates on a pyoxigraph store of their own, to a fixpoint. The evaluation is semi-naive:
after a first round over all the data, each round only joins what the previous round added, so a
round costs what it adds, not the size of the graph. owlrl's full closure computes the same
inferred graph about 100x slower; it stays in the tests as the reference.

What is reasoned over and what is kept are owlrl's old semantics: the input is the ontology plus
the asserted data minus the mention index and selectors (they add nothing to reason about), and
an inferred triple is kept only if it is about one of our entities (owlrl's full closure is
mostly noise: axiomatic triples about the vocabulary, `x owl:sameAs x`, literals as subjects,
every resource typed owl:Thing).
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from ..core import ntriples
from ..core.errors import InputError
from ..core.namespaces import BASE, MG, OA
from .owl2rl import SCHEMA_PREDICATES, SCHEMA_TYPES, Rule, functional_properties, generate

# Types that say nothing a user would query.
NOISE_TYPES = {OWL.Thing, RDFS.Resource, OWL.NamedIndividual, RDFS.Class, OWL.Class}
# Triples about our data that are bookkeeping, not facts.
SKIP_FROM_INPUT = {MG.Mention, OA.SpecificResource, OA.TextPositionSelector, OA.TextQuoteSelector}
SKIP_PREDICATES = {OA.exact, OA.prefix, OA.suffix}
# Inferred predicates that are never kept.
DROP_PREDICATES = {OWL.sameAs, OWL.differentFrom, OWL.topObjectProperty, OWL.topDataProperty}

# The reasoner's own graphs in its work store (the default graph holds everything known so far).
NEW = "urn:mineralgraph:reasoning:new"  # NEW/r: what round r added
ASIDE = "urn:mineralgraph:reasoning:aside"  # asserted but not reasoned over (mentions, selectors)
DERIVED = "urn:mineralgraph:reasoning:derived"  # every conclusion (the default graph less the input)
# pyoxigraph canonicalises typed literals ("05"^^xsd:nonNegativeInteger is stored as "5"^^xsd:integer,
# "1.50" as "1.5"), but a literal copied by a rule must come out exactly as it went in. Inside the
# work store every typed literal carries its datatype behind this prefix, which the store does not
# know and so leaves alone; the prefix is taken off the output.
VERBATIM = "urn:mineralgraph:verbatim:"


def _encode(ntriples_text: bytes) -> bytes:
    return ntriples_text.replace(b'"^^<', b'"^^<' + VERBATIM.encode())


def _decode(ntriples_text: bytes) -> bytes:
    return ntriples_text.replace(b'"^^<' + VERBATIM.encode(), b'"^^<')


def infer_store(store: ox.Store, ontology: Graph, data_files, max_rounds: int = 100) -> bytes:
    """The meaningful triples OWL 2 RL adds to the data, as sorted N-Triples (language tags in
    their BCP 47 case), ready to load as graph/inferred.

    `store` holds the asserted data in its default graph (the build store); `data_files` are the
    same data as N-Triples (bytes, one per graph, an iterable read once): the exact literals,
    which the store canonicalises. Data that states ontology axioms, or gives a functional
    property two values (OWL would make them owl:sameAs), is refused with an InputError."""
    return infer_work(store, ontology, data_files, max_rounds)[0]


def infer_work(store: ox.Store, ontology: Graph, data_files, max_rounds: int = 100) -> tuple[bytes, ox.Store]:
    """infer_store's triples, and the work store they came from, with every conclusion also in the
    graph DERIVED (what reason/delta.py keeps up to date from one build to the next)."""
    rules = generate(ontology)
    refuse_schema_in_data(store)
    work = _reasoning_input(store, ontology, data_files, rules)
    rounds = _run_to_fixpoint(work, rules, max_rounds)
    _refuse_equalities(work, ontology)
    kept = _kept(work, [f"{NEW}/{r}" for r in range(rounds)])
    for r in range(rounds + 1):
        work.update(f"ADD SILENT <{NEW}/{r}> TO <{DERIVED}> ; DROP SILENT GRAPH <{NEW}/{r}>")
    return kept, work


def _reasoning_input(store: ox.Store, ontology: Graph, data_files, rules: list[Rule]) -> ox.Store:
    """A store with the ontology and the data in its default graph, except the mention index and
    selectors: of those, only the triples a rule could also conclude are kept, set aside in their
    own graph, so that a conclusion already asserted there is not taken for new."""
    split = InputSplit(rules, skipped_subjects(store))
    work = ox.Store()
    work.load(_encode(ntriples.lines(ontology)), format=ox.RdfFormat.N_TRIPLES)
    for data in data_files:
        reasoned, aside = split(data.splitlines(keepends=True))
        work.load(_encode(b"".join(reasoned)), format=ox.RdfFormat.N_TRIPLES)
        work.load(_encode(b"".join(aside)), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(ASIDE))
    return work


def skipped_subjects(store: ox.Store, subjects=None) -> set[bytes]:
    """The subjects (as N-Triples terms) of the mention index and selectors in the store's default
    graph; only among `subjects` (N-Triples terms) when given."""
    if subjects is not None:
        # each subject's types looked up: a VALUES block of the 3,105 subjects a source added at
        # 1,000 sources brings made the store's query take 349 s
        return {s for s in subjects if s.startswith(b"<") and any(has_type(store, s, t) for t in SKIP_FROM_INPUT)}
    types = " ".join(f"<{t}>" for t in SKIP_FROM_INPUT)
    return {f"<{row['s'].value}>".encode()
            for row in store.query(f"SELECT DISTINCT ?s WHERE {{ VALUES ?t {{ {types} }} ?s a ?t }}")}


def has_type(store: ox.Store, iri: bytes, t) -> bool:
    """Whether the store's default graph types `iri` (an N-Triples IRI term) as `t`."""
    return next(store.quads_for_pattern(ox.NamedNode(iri[1:-1].decode()), ox.NamedNode(str(RDF.type)),
                                        ox.NamedNode(str(t)), ox.DefaultGraph()), None) is not None


class InputSplit:
    """Which asserted lines are reasoned over and which are set aside (see _reasoning_input)."""

    def __init__(self, rules: list[Rule], skip: set[bytes]):
        self.rules, self.skip = rules, skip
        self.skip_predicates = {f"<{p}>".encode() for p in SKIP_PREDICATES}
        self.concluded = conclusions(rules)
        self.any_object = {p for p, o in self.concluded if o is None}

    def __call__(self, lines) -> tuple[list[bytes], list[bytes]]:
        reasoned, aside = [], []
        for line in lines:
            s, p, o = line.split(b" ", 2)
            if s not in self.skip and p not in self.skip_predicates:
                reasoned.append(line)
            elif p in self.any_object or (p, o[:-3]) in self.concluded:  # o ends in " .\n"
                aside.append(line)
        return reasoned, aside


def conclusions(rules: list[Rule]) -> set[tuple[bytes, bytes | None]]:
    """(predicate, object) of every triple a rule can conclude, as N-Triples terms; the object
    None where it can be anything."""
    out = set()
    for rule in rules:
        rows = rule.table or [()]
        for row in rows:
            p, o = (row[rule.columns.index(t)] if t in rule.columns else t for t in rule.head[1:])
            # a literal's N-Triples spelling varies (escapes), so it stands for any object
            out.add((f"<{p}>".encode(), ntriples.term(o).encode() if isinstance(o, URIRef) else None))
    return out


def _is_variable(t) -> bool:
    return not isinstance(t, (URIRef, Literal))


def _run_to_fixpoint(work: ox.Store, rules: list[Rule], max_rounds: int) -> int:
    """Rounds of all rules until one adds nothing. Round r's conclusions go to graph NEW/r (and
    the default graph), which is round r+1's delta; returns the number of rounds that added."""
    for round_number in range(max_rounds):
        delta = f"{NEW}/{round_number - 1}" if round_number else None
        target = f"{NEW}/{round_number}"
        predicates = graph_predicates(work, delta) if delta else None
        for rule in rules:
            for update in rule_updates(rule, target, delta, predicates):
                work.update(update)
        if next(work.quads_for_pattern(None, None, None, ox.NamedNode(target)), None) is None:
            return round_number
        work.update(f"ADD <{target}> TO DEFAULT")
    raise RuntimeError(f"reasoning did not reach a fixpoint in {max_rounds} rounds")


def rule_updates(rule: Rule, target: str, delta: str | None, delta_predicates: set[str] | None = None) -> list[str]:
    """SPARQL updates adding the rule's new consequences to the graph `target`. Without a delta
    (the first round) the body joins all the data; otherwise one body triple must come from the
    `delta` graph (semi-naive evaluation), so a rule with k body triples is k updates, but for
    the body triples whose predicate is none of `delta_predicates` (the delta's, when given)."""
    head = _pattern(rule.head)
    values = ""
    if rule.columns:
        rows = " ".join("(" + " ".join(_term(t) for t in row) + ")" for row in rule.table)
        values = f"VALUES ({' '.join(rule.columns)}) {{ {rows} }} "
    literal_filter = f"FILTER(!isLiteral({rule.no_literal})) " if rule.no_literal else ""
    bodies = [[_pattern(p) for p in rule.body]] if delta is None else [
        [f"GRAPH <{delta}> {{ {_pattern(p)} }}" if i == j else _pattern(p) for j, p in enumerate(rule.body)]
        for i in delta_positions(rule, delta_predicates)]
    return [f"INSERT {{ GRAPH <{target}> {{ {head} }} }} WHERE {{ {values}{' . '.join(body)} . "
            f"{literal_filter}FILTER NOT EXISTS {{ {head} }} }}" for body in bodies]


def delta_positions(rule: Rule, predicates: set[str] | None) -> list[int]:
    """The body triples of the rule that a triple with one of these predicates can match (all
    of them when `predicates` is None): a semi-naive update whose delta triple cannot match
    finds nothing, and most rules have no predicate in a small delta (a one-edit rebuild)."""
    if predicates is None:
        return list(range(len(rule.body)))
    out = []
    for i, pattern in enumerate(rule.body):
        p = pattern[1]
        if not _is_variable(p):
            can = {str(p)}
        elif p in rule.columns:
            can = {str(row[rule.columns.index(p)]) for row in rule.table}
        else:
            can = predicates  # any predicate
        if can & predicates:
            out.append(i)
    return out


def graph_predicates(work: ox.Store, graph: str) -> set[str]:
    """The predicates of a graph of the work store (a round's delta)."""
    return {row["p"].value for row in work.query(f"SELECT DISTINCT ?p WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")}


def _pattern(triple) -> str:
    return " ".join(_term(t) for t in triple)


def _term(t) -> str:
    if _is_variable(t):
        return t
    if isinstance(t, (URIRef, Literal)):
        return _encode(ntriples.term(t).encode()).decode()
    raise TypeError(f"not a rule term: {t!r}")


def refuse_schema_in_data(store: ox.Store) -> None:
    predicates = " ".join(f"<{p}>" for p in SCHEMA_PREDICATES)
    types = " ".join(f"<{t}>" for t in SCHEMA_TYPES)
    q = (f"SELECT ?s ?p ?o WHERE {{ {{ VALUES ?p {{ {predicates} }} ?s ?p ?o }} UNION "
         f"{{ VALUES ?o {{ {types} }} ?s ?p ?o FILTER(?p = <{RDF.type}>) }} }} LIMIT 1")
    for row in store.query(q):
        raise InputError(f"the data states an ontology axiom ({row['s']} {row['p']} {row['o']}); axioms belong in "
                         "ontology/, where the reasoner's rules are generated from")


def _refuse_equalities(work: ox.Store, ontology: Graph, among: str | None = None) -> None:
    """OWL 2 RL makes two values of a functional property the same thing (prp-fp); the rules do
    not implement equality, so such data is an error (it is one in this model anyway). `among`:
    a graph one of the two values must be in (what changed, when the rest was checked before)."""
    props = functional_properties(ontology)
    if not props:
        return
    new = f"GRAPH <{among}> {{ ?x ?p ?b }} " if among else ""
    q = (f"SELECT ?x ?p ?a ?b WHERE {{ VALUES ?p {{ {' '.join(f'<{p}>' for p in props)} }} "
         f"{new}?x ?p ?a . ?x ?p ?b FILTER(!sameTerm(?a, ?b)) }} LIMIT 1")
    for row in work.query(q):
        values = _decode(f"{row['a']} and {row['b']}".encode()).decode()
        raise InputError(f"{row['x']} has two values of the functional property {row['p']}: {values}; "
                         "OWL would make them one (owl:sameAs)")


def _kept(work: ox.Store, graphs: list[str], within: str | None = None) -> bytes:
    """The new triples (those in `graphs`; and in the graph `within`, if given) worth keeping, as
    sorted N-Triples: about one of our entities (an id/ IRI as subject), not a blank node, not
    noise, not asserted among the triples set aside."""
    if not graphs:
        return b""
    noise = ", ".join(f"<{t}>" for t in NOISE_TYPES)
    dropped = ", ".join(f"<{p}>" for p in DROP_PREDICATES)
    also = f"GRAPH <{within}> {{ ?s ?p ?o }}" if within else ""
    query = f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{
        {{ {" UNION ".join(f"{{ GRAPH <{g}> {{ ?s ?p ?o }} }}" for g in graphs)} {also}
           FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{BASE}id/") && !isBlank(?o))
           FILTER(?p NOT IN ({dropped}))
           FILTER(?p != <{RDF.type}> || ?o NOT IN ({noise})) }}
        MINUS {{ GRAPH <{ASIDE}> {{ ?s ?p ?o }} }}
    }}"""  # MINUS, a hash anti-join, is several times faster here than FILTER NOT EXISTS
    data = _decode(work.query(query).serialize(format=ox.RdfFormat.N_TRIPLES))
    return ntriples.sorted_lines(data)
