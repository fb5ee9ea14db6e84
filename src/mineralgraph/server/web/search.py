"""Finding things by name: GET /search?q= over every label, variant and code of the entities the
stored queries accept (English, zh-Hans, zh-Hant; Traditional and Simplified match each other),
and the closest names for an unknown /id/… path ("did you mean"). The names come from the entity
index the stored-query parameters resolve against (storedqueries.resolve), read once from the graph."""
from __future__ import annotations

import difflib
import re
import unicodedata

from mineralgraph.storedqueries.resolve import MG, TYPE_CLASSES, Entry
from mineralgraph.build.text import to_simplified

from ..iris import href, id_base

# the class shown as an entity's type: the most specific of those the index knows
TYPE_ORDER = [("Country", "country"), ("ListVersion", "list version"), ("CriticalMineralList", "list"),
              ("Mineral", "mineral"), ("Mechanism", "mechanism"), ("SourceDocument", "source"),
              ("Policy", "policy"), ("Indicator", "indicator"), ("Region", "region"), ("Unit", "unit"),
              ("Person", "person"), ("Organisation", "organisation"), ("MechanismKind", "mechanism kind"),
              ("Actor", "actor")]
MAX_QUERY = 200
_INDEXES: dict[int, list[tuple[Entry, list[str], set[str]]]] = {}


def _fold(text: str) -> str:
    """Width, case and script folded: ＭＳＰ = msp, 礦產 = 矿产."""
    return to_simplified(re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip().casefold())


def _index(resolver) -> list[tuple[Entry, list[str], set[str]]]:
    """(entry, folded names, folded codes) for every entity, built once per resolver."""
    key = id(resolver)
    if key not in _INDEXES:
        _INDEXES.clear()
        _INDEXES[key] = [(e, sorted({_fold(n) for n in e.names | e.codes}), {_fold(c) for c in e.codes})
                         for e in resolver.entries.values() if "/id/stmt/" not in e.iri]
    return _INDEXES[key]


def entity_type(e: Entry) -> str:
    for local, words in TYPE_ORDER:
        if MG + local in e.classes:
            return words
    return "entity"


def _rank(wanted: str, names: list[str], codes: set[str]) -> int | None:
    if wanted in codes:
        return 0
    if wanted in names:
        return 1
    if any(n.startswith(wanted) for n in names):
        return 2
    if any(wanted in n for n in names):
        return 3
    return None


def search(resolver, q: str, type_: str | None = None, limit: int = 20) -> list[dict]:
    """Entities whose names or codes contain `q`, best first: exact code, exact name, prefix, substring."""
    wanted = _fold(q[:MAX_QUERY])
    if not wanted:
        return []
    classes = set(TYPE_CLASSES.get(type_ or "", [])) if type_ else None
    hits = []
    for e, names, codes in _index(resolver):
        if classes is not None and not e.classes & classes:
            continue
        rank = _rank(wanted, names, codes)
        if rank is not None:
            hits.append((rank, len(e.label), e.label.casefold(), e))
    hits.sort(key=lambda h: h[:3])
    return [as_result(e) for *_, e in hits[:limit]]


def as_result(e: Entry) -> dict:
    label = e.label
    if not e.labels and e.names:  # a source has titles, not labels: "004: The Critical Minerals …"
        label = f"{e.id}: {min(e.names, key=lambda n: (not n.isascii(), len(n)))}"
    return {"iri": e.iri, "label": label, "type": entity_type(e), "id": e.id, "href": href(e.iri),
            "names": sorted(n for n in e.names if n != label and not label.endswith(n))[:4]}


def did_you_mean(resolver, iri: str, n: int = 5) -> list[dict]:
    """For an IRI the graph does not know (/id/mechanism/MSP): the entities of the same family whose
    id, code or name is closest to its last part (msp), exact case-insensitive matches first."""
    base = id_base()
    if not iri.startswith(base):
        return []
    family, _, wanted = iri[len(base):].partition("/")
    family_base = f"{base}{family}/"
    pool = [(e, names, codes) for e, names, codes in _index(resolver) if e.iri.startswith(family_base)]
    wanted = _fold(wanted)
    if not pool or not wanted:
        return []
    exact = [e for e, names, codes in pool if wanted in codes or wanted in names]
    return [as_result(e) for e in _closest(pool, wanted, n, exact)]


def close_names(resolver, q: str, n: int = 3) -> list[dict]:
    """For a search that finds nothing ("Minerls Security"): the entities with the most similar names."""
    wanted = _fold(q[:MAX_QUERY])
    return [as_result(e) for e in _closest(_index(resolver), wanted, n)] if wanted else []


def _closest(pool, wanted: str, n: int, first: list[Entry] = ()) -> list[Entry]:
    """`first`, then the entries of `pool` whose names are closest to `wanted` (difflib), up to n."""
    keys: dict[str, list[Entry]] = {}
    for e, names, _codes in pool:
        for k in names:
            keys.setdefault(k, []).append(e)
    close = difflib.get_close_matches(wanted, list(keys), n=n * 2, cutoff=0.6)
    found = {e.iri: e for e in list(first) + [e for k in close for e in keys[k]]}  # first seen first
    return list(found.values())[:n]
