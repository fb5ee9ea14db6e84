"""Finding things by name: GET /search?q= over every label, variant and code of the entities the
stored queries accept (English, zh-Hans, zh-Hant; Traditional and Simplified match each other),
and the closest names for an unknown /id/… path ("did you mean"). The names come from the entity
index the stored-query parameters resolve against (storedqueries.resolve), read once from the graph.

Search forgives: English plurals and hyphens ("rare earths" = rare-earth elements), Taiwan and
Hong Kong phrasing through OpenCC's regional phrase tables (寮國 = 老挝; names OpenCC does not
know, such as 澳洲, are gazetteer variants), a typo answered with the closest names (marked
`"match": "close"`, in JSON as on the page). A short acronym (REE) matches whole words only, not
inside "Freeland". Quotes and glosses are searched in full text (fulltext.py), hits typed Claim."""
from __future__ import annotations

import difflib
import re
import unicodedata

from functools import lru_cache

from mineralgraph.storedqueries.resolve import MG, TYPE_CLASSES, Entry
from mineralgraph.build.text import is_cjk, to_simplified

from ..iris import href, id_base
from . import fulltext

# the class shown as an entity's type: the most specific of those the index knows
TYPE_ORDER = [("Country", "country"), ("ListVersion", "list version"), ("CriticalMineralList", "list"),
              ("Mineral", "mineral"), ("Mechanism", "mechanism"), ("SourceDocument", "source"),
              ("Policy", "policy"), ("Indicator", "indicator"), ("Region", "region"), ("Unit", "unit"),
              ("Person", "person"), ("Organisation", "organisation"), ("MechanismKind", "mechanism kind"),
              ("Actor", "actor")]
MAX_QUERY = 200
TYPES = sorted(TYPE_CLASSES) + ["claim"]  # what ?type= accepts: the entity families and the quotes
# Regional Traditional Chinese to mainland Simplified, phrase by phrase: Taiwan (with its idioms:
# 寮國 → 老挝), Hong Kong. The query is tried in each; the names are stored as the sources write them.
REGIONAL = ("tw2sp", "hk2s")
_ACRONYM = re.compile(r"[a-z0-9]{1,4}")  # a query this short matches whole words only
_INDEXES: dict[int, list[tuple[Entry, list[str], set[str]]]] = {}


def _fold(text: str) -> str:
    """Width, case and script folded: ＭＳＰ = msp, 礦產 = 矿产."""
    return to_simplified(re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip().casefold())


def _singular(word: str) -> str:
    """An English plural's singular, near enough to match on (earths, minerals, batteries)."""
    if len(word) < 4 or not word.isascii() or not word.isalpha() or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    return word[:-1] if word.endswith("s") else word


def _key(folded: str) -> str:
    """A folded name as words: hyphens and punctuation as spaces, each word singular."""
    return " ".join(_singular(w) for w in re.split(r"[\s\-‐–—/,.()·'’]+", folded) if w)


@lru_cache(maxsize=4)
def _converter(config: str):
    import opencc  # at the first Chinese search, not when the server starts (as build/text.py)

    return opencc.OpenCC(config)


def _forms(q: str) -> list[str]:
    """The ways `q` is looked for: folded, as words, and through the regional phrase tables."""
    wanted = _fold(q)
    forms = [wanted, _key(wanted)]
    if any(is_cjk(ch) for ch in q):
        forms += [_fold(_converter(c).convert(q)) for c in REGIONAL]
    return [f for f in dict.fromkeys(forms) if f]


def _index(resolver) -> list[tuple[Entry, list[str], set[str]]]:
    """(entry, folded names and their word forms, folded codes) for every entity, built once per resolver."""
    key = id(resolver)
    if key not in _INDEXES:
        _INDEXES.clear()
        index = []
        for e in resolver.entries.values():
            if "/id/stmt/" in e.iri:
                continue
            folded = {_fold(n) for n in e.names | e.codes}
            index.append((e, sorted(folded | {_key(n) for n in folded} - {""}), {_fold(c) for c in e.codes}))
        _INDEXES[key] = index
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
    if _ACRONYM.fullmatch(wanted):  # REE: a whole word of a name (not inside "freeland")
        whole = re.compile(rf"(?<![a-z0-9]){re.escape(wanted)}(?![a-z0-9])")
        return 3 if any(whole.search(n) for n in names) else None
    if any(wanted in n for n in names):
        return 3
    return None


def search(resolver, q: str, type_: str | None = None, limit: int = 20) -> list[dict]:
    """Entities whose names or codes contain `q`, best first: exact code, exact name, prefix, substring
    (of any of the query's forms: as typed, as words, in mainland phrasing)."""
    forms = _forms(q[:MAX_QUERY])
    if not forms or type_ == "claim":
        return []
    classes = set(TYPE_CLASSES.get(type_ or "", [])) if type_ else None
    hits = []
    for e, names, codes in _index(resolver):
        if classes is not None and not e.classes & classes:
            continue
        ranks = [r for r in (_rank(f, names, codes) for f in forms) if r is not None]
        if ranks:
            hits.append((min(ranks), len(e.label), e.label.casefold(), e))
    hits.sort(key=lambda h: h[:3])
    return [as_result(e) for *_, e in hits[:limit]]


def find(resolver, q: str, type_: str | None = None, limit: int = 20) -> dict:
    """Everything /search answers: entities by name (`results`); the closest names when none
    matches (`suggestions`, "did you mean"); claims whose quote or gloss holds the words (`claims`).
    Claims take at most a quarter of `limit` while entities fill it, the rest when they do not."""
    q = q[:MAX_QUERY]
    results = search(resolver, q, type_, limit)
    # a typo in a name; not for an acronym, whose closest names are guesses (REE → Reuters)
    guessable = q.strip() and not _ACRONYM.fullmatch(_fold(q))
    suggestions = close_names(resolver, q, type_=type_) if guessable and not results else []
    claims = []
    if q.strip() and type_ in (None, "claim"):
        room = max(limit - len(results), limit // 4 if results else limit)
        claims = fulltext.index(_fold).search(q, room)
        results = results[:limit - len(claims)] if len(results) + len(claims) > limit else results
    return {"results": results, "suggestions": suggestions, "claims": claims}


def as_json(found: dict) -> list[dict]:
    """One list, best first: entities found by name, else the closest names, then the claims."""
    keys = ("iri", "label", "type", "id", "href")
    rows = [{**{k: r[k] for k in keys}, "match": "name"} for r in found["results"]]
    rows += [{**{k: r[k] for k in keys}, "match": "close"} for r in found["suggestions"]]
    return rows + found["claims"]


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


def close_names(resolver, q: str, n: int = 3, type_: str | None = None) -> list[dict]:
    """For a search that finds nothing ("Minerls Security", "Austrlia"): the entities with the most
    similar names (of the family asked for)."""
    wanted = _fold(q[:MAX_QUERY])
    if not wanted or type_ == "claim":
        return []
    pool = _index(resolver)
    if type_:
        classes = set(TYPE_CLASSES.get(type_, []))
        pool = [row for row in pool if row[0].classes & classes]
    return [as_result(e) for e in _closest(pool, wanted, n)]


def _closest(pool, wanted: str, n: int, first: list[Entry] = ()) -> list[Entry]:
    """`first`, then the entries of `pool` whose names are closest to `wanted` (difflib), up to n."""
    keys: dict[str, list[Entry]] = {}
    for e, names, _codes in pool:
        for k in names:
            keys.setdefault(k, []).append(e)
    close = difflib.get_close_matches(wanted, list(keys), n=n * 2, cutoff=0.6)
    found = {e.iri: e for e in list(first) + [e for k in close for e in keys[k]]}  # first seen first
    return list(found.values())[:n]
