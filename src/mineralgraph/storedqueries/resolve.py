"""Entity parameters: the full IRI, or the short form a person types, resolved against the graph.

A country by ISO 3166-1 alpha-3 (JPN), a mechanism by abbreviation (MSP) or id (msp), a mineral
by name (lithium, 锂) or symbol (Li), a list version by id (us/2022), a source by id (004) or
file name (004_468225cd9f189c16.txt), anything by one of its labels in any script. The index is
read from the graph itself (labels, codes, identifiers), never from the YAML seeds.
"""
from __future__ import annotations

import threading

import difflib
import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..core import namespaces as NS
from .model import BindError, Param, normalise, suggest

MG = str(NS.MG)

# parameter type -> classes whose instances it accepts
TYPE_CLASSES = {
    "country": [MG + "Country"],
    "mechanism": [MG + "Mechanism"],
    "mineral": [MG + "Mineral"],
    "list": [MG + "CriticalMineralList"],
    "list-version": [MG + "ListVersion"],
    "source": [MG + "SourceDocument"],
    "actor": [MG + "Actor"],
    "indicator": [MG + "Indicator"],
    "policy": [MG + "Policy"],
    "mechanism-kind": [MG + "MechanismKind"],
    "table": [MG + "SourceTable"],
    "event-type": [MG + "EventType"],
    "category": [MG + "StatisticCategory"],
}
# controlled values and tables are parameters of their own types, not "any entity"
VOCABULARY_CLASSES = {MG + "MechanismKind", MG + "EventType", MG + "StatisticCategory", MG + "SourceTable"}
TYPE_CLASSES["entity"] = sorted({c for cs in TYPE_CLASSES.values() for c in cs if c not in VOCABULARY_CLASSES}
                                | {MG + "Region", MG + "Unit", MG + "Organisation", MG + "Person"})
_ALL_CLASSES = sorted({c for cs in TYPE_CLASSES.values() for c in cs})

INDEX_QUERY = NS.sparql_prologue(("mg", "skos", "dcterms")) + """SELECT DISTINCT ?e ?class ?key ?how ?lang WHERE {
  VALUES ?class { %s }
  ?e a ?class .
  OPTIONAL {
    VALUES (?property ?how) {
      (skos:prefLabel "pref") (skos:altLabel "label") (dcterms:title "label")
      (mg:iso3166Alpha3 "code") (mg:abbreviation "code") (mg:elementSymbol "code")
      (skos:notation "code") (dcterms:identifier "code")
    }
    ?e ?property ?key .
    BIND(LANG(?key) AS ?lang)
  }
}
""" % " ".join(f"<{c}>" for c in _ALL_CLASSES)


def typed_id(iri: str) -> str | None:
    """id/org/eu -> org/eu: the IRI's path under /id/, type segment included (None outside it)."""
    at = iri.rfind("/id/")
    return iri[at + len("/id/"):] if at >= 0 and not iri.startswith(MG) else None


def local_id(iri: str) -> str | None:
    """id/country/JPN -> JPN; id/list/us/2022 -> us/2022; id/source/004 -> 004. Under any IRI
    base (a graph may be published under another base), so found by its /id/ segment."""
    at = iri.rfind("/id/")
    if at >= 0 and not iri.startswith(MG):
        rest = iri[at + len("/id/"):]
        return rest.split("/", 1)[1] if "/" in rest else rest
    if iri.startswith(MG):
        return iri[len(MG):]
    return None


@dataclass
class Entry:
    iri: str
    classes: set[str] = field(default_factory=set)
    labels: dict[str, str] = field(default_factory=dict)  # lang -> preferred label
    codes: set[str] = field(default_factory=set)  # ids, ISO codes, abbreviations, notations
    names: set[str] = field(default_factory=set)  # every label, any script

    @property
    def id(self) -> str:
        return local_id(self.iri) or self.iri

    @property
    def label(self) -> str:
        for lang in ("en", ""):
            if lang in self.labels:
                return self.labels[lang]
        return next(iter(self.labels.values()), self.id)

    def display(self) -> str:
        # shortest code, preferring the upper-case form a person types (MSP over msp); sets have no order
        short = sorted(self.codes, key=lambda c: (len(c), not c.isupper(), c))[0] if self.codes else self.id
        return f"{short} ({self.label})" if self.label != short else short


class Resolver:
    """Resolves entity parameter values against an index read from the graph.

    `select(sparql)` runs a SELECT and returns rows as {variable: lexical value}."""

    def __init__(self, select):
        self._select = select
        self._entries: dict[str, Entry] | None = None
        # Requests arriving together on a cold index wait for one read of it, not one read each.
        self._loading = threading.Lock()

    @property
    def entries(self) -> dict[str, Entry]:
        if self._entries is not None:
            return self._entries
        with self._loading:
            if self._entries is None:
                self._entries = self._read()
        return self._entries

    def _read(self) -> dict[str, Entry]:
        entries: dict[str, Entry] = {}
        for row in self._select(INDEX_QUERY):
            e = entries.setdefault(row["e"], Entry(row["e"]))
            e.classes.add(row["class"])
            key, how, lang = row.get("key"), row.get("how"), (row.get("lang") or "").lower()
            if not key:
                continue
            if how == "code":
                e.codes.add(key)
            elif how in ("pref", "label"):
                e.names.add(key)
                if how == "pref":
                    e.labels.setdefault(lang.split("-")[0] if lang.startswith("en") else lang, key)
        for e in entries.values():
            lid = local_id(e.iri)
            if lid:
                e.codes.add(lid)
        return entries

    def of_type(self, type_: str) -> list[Entry]:
        classes = set(TYPE_CLASSES[type_])
        # Statements are never parameters (a classification statement is inferred to be a
        # mechanism of its kind through the mg:kind restriction).
        return [e for e in self.entries.values() if e.classes & classes and "/id/stmt/" not in e.iri]

    def label(self, iri: str) -> str | None:
        e = self.entries.get(iri)
        return e.label if e else None

    def resolve(self, p: Param, value: str):
        value = value.strip()
        pool = self.of_type(p.type)
        what = p.type.replace("-", " ")
        if re.match(r"^(https?|urn):", value):
            if any(e.iri == value for e in pool):
                return ox.NamedNode(value)
            raise BindError(f"{p.name}: no {what} with IRI {value}"
                            + suggest(value, [e.iri for e in pool]))
        if p.type == "source":
            m = re.fullmatch(r"(\d{3})_[0-9a-fA-F]+(?:\.txt)?", value)
            if m:  # a source file name: NNN_<hash>.txt (docs/DATA.md)
                value = m.group(1)
        exact = [e for e in pool if value in e.codes]
        if not exact:  # the typed form an ambiguity offers: org:eu, or the IRI's path org/eu
            typed = value.replace(":", "/", 1) if ":" in value else value
            exact = [e for e in pool if typed_id(e.iri) == typed]
        if not exact:
            wanted = normalise(value)
            exact = [e for e in pool if any(normalise(k) == wanted for k in e.codes)]
        if not exact:
            wanted = normalise(value)
            exact = [e for e in pool if any(normalise(k) == wanted for k in e.names)]
        if len(exact) == 1:
            return ox.NamedNode(exact[0].iri)
        if len(exact) > 1:
            # the ids alone may be the same (list eu, org eu): offer the typed form, which resolves
            options = ", ".join(sorted(f"{(typed_id(e.iri) or e.id).replace('/', ':', 1)} ({e.label})" for e in exact))
            plural = what[:-1] + "ies" if what.endswith("y") else what + "s"
            raise BindError(f"{p.name}: {value!r} names several {plural}: {options}; give one of these or an IRI")
        hint = self.suggest_entities(value, pool)
        if not pool:
            hint = f" (the graph has no {what} yet)"
        raise BindError(f"{p.name}: unknown {what} {value!r}{hint}")

    @staticmethod
    def suggest_entities(value: str, pool: list[Entry]) -> str:
        keys: dict[str, list[Entry]] = {}
        for e in pool:
            for k in e.codes | e.names:
                keys.setdefault(normalise(k), []).append(e)
        wanted = normalise(value)
        close = difflib.get_close_matches(wanted, list(keys), n=8, cutoff=0.6)
        close += [k for k in keys if len(wanted) >= 2 and wanted in k and k not in close]
        shown = list(dict.fromkeys(e.display() for k in close for e in keys[k]))[:6]
        return f"; did you mean: {', '.join(shown)}?" if shown else ""

    def allowed(self, type_: str) -> list[str]:
        """Short forms of every entity a parameter type accepts (for listings and OpenAPI)."""
        return sorted(e.id for e in self.of_type(type_))
