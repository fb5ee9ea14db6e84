"""A source graph under construction: a set of rdflib triples with the part of rdflib's Graph
API the statement builders use.

rdflib's Graph keeps three indexes and contexts for every add; a source graph is written once,
read back only in small ways, then serialised. With a thousand sources this class makes source
assembly about a quarter faster (bench/scale.py)."""

from __future__ import annotations

from collections import defaultdict


class TripleSet:
    def __init__(self):
        self._by_sp: dict[tuple, dict] = defaultdict(dict)  # (s, p) -> {o: None}, in insertion order

    def add(self, triple) -> None:
        s, p, o = triple
        self._by_sp[(s, p)][o] = None

    def set(self, triple) -> None:
        """Replace every value of (s, p) by o, as rdflib's Graph.set does."""
        s, p, o = triple
        self._by_sp[(s, p)] = {o: None}

    def remove(self, triple) -> None:
        for s, p, o in list(self.triples(triple)):
            del self._by_sp[(s, p)][o]

    def __iter__(self):
        for (s, p), objects in self._by_sp.items():
            for o in objects:
                yield s, p, o

    def __len__(self) -> int:
        return sum(len(objects) for objects in self._by_sp.values())

    def __contains__(self, triple) -> bool:
        s, p, o = triple
        return o in self._by_sp.get((s, p), ())

    def triples(self, pattern):
        s, p, o = pattern
        if s is not None and p is not None:
            objects = self._by_sp.get((s, p), {})
            yield from ((s, p, x) for x in objects if o is None or x == o)
            return
        for t in self:
            if (s is None or t[0] == s) and (p is None or t[1] == p) and (o is None or t[2] == o):
                yield t

    def objects(self, subject=None, predicate=None):
        return (o for _s, _p, o in self.triples((subject, predicate, None)))

    def subjects(self, predicate=None, object=None):  # noqa: A002 - rdflib's parameter name
        return (s for s, _p, _o in self.triples((None, predicate, object)))

    def value(self, subject=None, predicate=None, object=None):  # noqa: A002
        for s, _p, o in self.triples((subject, predicate, object)):
            return o if object is None else s
        return None
