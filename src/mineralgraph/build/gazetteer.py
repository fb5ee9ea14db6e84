"""The bilingual gazetteer: every named thing, its IRI, labels and the names sources use.

Loaded from seeds/gazetteer/*.yaml. Names are matched on Simplified text, longest first; a
one-character `short` name (美, 澳 …) is never matched alone — it only resolves compounds.
An entry marked `match: enumeration` (金 gold, 银 silver) is matched only inside enumerations,
because its name is also part of everyday words (资金, 银行).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import URIRef

from ..core.dates import DateAsGiven, parse_date
from ..core.errors import InputError
from ..core.namespaces import entity_iri, is_valid_slug
from ..core.yamlio import line_of, load_yaml
from .dataschema import check
from .homonyms import check_names
from .text import AnalysisText, to_simplified

ACTOR_FAMILIES = {"country", "org", "person"}
# Vocabulary named by annotations, never looked for in the text.
UNMATCHED_FAMILIES = {"category"}
LABEL_KEYS = ("en", "zh-Hans", "zh-Hant")


@dataclass(eq=False)  # identity: one object per gazetteer entry, usable in sets
class Entity:
    family: str
    id: str
    labels: dict  # language tag -> preferred label
    variants: list = field(default_factory=list)
    short: list = field(default_factory=list)
    data: dict = field(default_factory=dict)  # every other key of the entry (iso3, type, issuer …)
    file: Path | None = None
    line: int | None = None

    @property
    def iri(self) -> URIRef:
        return entity_iri(self.family, self.id)

    @property
    def label(self) -> str:
        return self.labels.get("en") or self.labels.get("zh-Hans") or self.id

    @property
    def abbreviations(self) -> list[str]:
        abbr = self.data.get("abbreviations") or []
        if self.data.get("abbreviation"):
            abbr = [self.data["abbreviation"], *abbr]
        return [str(a) for a in abbr]

    @property
    def period(self):
        """(first day, day it ended) of `valid:`, either end None when open; None without `valid`."""
        valid = self.data.get("valid")
        if not valid:
            return None
        return (parse_date(valid["from"]).earliest if valid.get("from") else None,
                parse_date(valid["to"]).earliest if valid.get("to") else None)

    def valid_at(self, when: DateAsGiven) -> bool:
        if self.period is None:
            return True
        start, end = self.period
        return (start is None or when.latest >= start) and (end is None or when.earliest < end)

    def names(self) -> list[str]:
        """Every name this entity may be written as (not the one-character shorts)."""
        out = [v for v in self.labels.values() if v]
        out += [str(v) for v in self.variants]
        out += self.abbreviations
        return list(dict.fromkeys(out))


@dataclass(frozen=True)
class Mention:
    entity: Entity
    start: int  # analysis-text offsets
    end: int
    surface: str


class Gazetteer:
    def __init__(self, entities: list[Entity]):
        self.entities = entities
        self.by_key: dict[tuple[str, str], Entity] = {(e.family, e.id): e for e in entities}
        self._by_id: dict[str, list[Entity]] = {}  # ids repeat across families (country:eu, org:eu)
        for e in entities:
            self._by_id.setdefault(e.id, []).append(e)
        self._by_name: dict[str, list[Entity]] = {}
        for e in entities:
            for name in e.names():
                for key in {_name_key(name), _name_key(to_simplified(name))}:
                    bucket = self._by_name.setdefault(key, [])
                    if e not in bucket:
                        bucket.append(e)
        self._matcher = self._compile(enumeration=False)
        self._enum_matcher = self._compile(enumeration=True)

    # -- lookup -------------------------------------------------------------------------
    def get(self, family: str, slug: str) -> Entity | None:
        return self.by_key.get((family, slug))

    def resolve(self, ref, families: set[str] | None = None, *, where: str = "") -> Entity:
        """An entity by id or by any of its names; an unknown reference suggests close names."""
        text = str(ref).strip()
        candidates = [e for e in self._by_id.get(text, []) if not families or e.family in families]
        family, colon, slug = text.partition(":")
        if not candidates and colon:  # family:id, the form an ambiguity offers (org:eu)
            candidates = [e for e in self.entities if (e.family, e.id) == (family, slug)
                          and (not families or e.family in families)]
        if not candidates:
            candidates = [e for e in self._by_name.get(_name_key(text), []) if not families or e.family in families]
            if not candidates:
                candidates = [
                    e for e in self._by_name.get(_name_key(to_simplified(text)), []) if not families or e.family in families
                ]
        if len(candidates) == 1:
            return candidates[0]
        fam = "/".join(sorted(families)) if families else "entity"
        if len(candidates) > 1:
            options = ", ".join(f"{e.family}:{e.id}" for e in candidates)
            raise LookupError(f"{where}{fam} reference {text!r} is ambiguous ({options}); write one of these")
        raise LookupError(f"{where}unknown {fam} {text!r}{self.suggest(text, families)}")

    def suggest(self, text: str, families: set[str] | None = None) -> str:
        pool = {}
        for e in self.entities:
            if families and e.family not in families:
                continue
            pool[e.id] = e.id
            for name in e.names():
                pool[name] = e.id
        close = difflib.get_close_matches(text, list(pool), n=5, cutoff=0.5)
        ids = list(dict.fromkeys(pool[c] for c in close))
        return f"; did you mean {', '.join(ids)}?" if ids else ""

    def with_short(self, ch: str, families: set[str] | None = None) -> list[Entity]:
        return [e for e in self.entities if ch in e.short and (not families or e.family in families)]

    # -- matching -----------------------------------------------------------------------
    def _compile(self, enumeration: bool):
        names: dict[str, list[Entity]] = {}
        for e in self.entities:
            if e.data.get("match") == "enumeration" and not enumeration:
                continue
            if e.family in UNMATCHED_FAMILIES:
                continue
            for name in e.names():
                simplified = to_simplified(name)
                names.setdefault(simplified, [])
                if e not in names[simplified]:
                    names[simplified].append(e)
        if enumeration:
            self._enum_table = names
        else:
            self._match_table = names
        return re.compile(trie_pattern(names)) if names else None

    def find_mentions(
        self, text: AnalysisText, start: int = 0, end: int | None = None, *, enumeration: bool = False,
        when: DateAsGiven | None = None,
    ) -> list[Mention]:
        """Leftmost-longest, non-overlapping mentions in the analysis text (Simplified). `when`: the
        source's date, which picks among entries sharing a name those valid then (`valid:`)."""
        matcher, table = (self._enum_matcher, self._enum_table) if enumeration else (self._matcher, self._match_table)
        if matcher is None:
            return []
        end = len(text.simplified) if end is None else end
        out = []
        for m in matcher.finditer(text.simplified, start, end):
            entities = table[m.group(0)]
            if when is not None and len(entities) > 1:
                entities = at_date(entities, when)
            for entity in entities:
                out.append(Mention(entity, m.start(), m.end(), text.clean[m.start() : m.end()]))
        return out

    def ambiguous_names(self) -> dict[str, list[Entity]]:
        return {n: es for n, es in self._match_table.items() if len(es) > 1}


_ALNUM = re.compile(r"[A-Za-z0-9]")
_NOT_AFTER_ALNUM, _NOT_BEFORE_ALNUM = r"(?<![A-Za-z0-9])", r"(?![A-Za-z0-9])"


def trie_pattern(names) -> str:
    """One regex matching any of `names`, leftmost-longest, a Latin name only as a whole word.

    The names are laid out as a trie (`(?:ab(?:c|)|d)` for ab, abc, d) rather than as one
    alternative per name: Python's `re` tries alternatives one by one at every position of the
    text, so a flat list of the gazetteer's thousands of names costs thousands of tries per
    character; a trie costs one per character matched. At each node only one child can follow the
    text, and continuing is tried before stopping, so the longest name (whose word boundary holds)
    wins, as it did with the names sorted longest first."""
    root: dict = {}
    for name in names:
        node = root
        for ch in name:
            node = node.setdefault(ch, {})
        node[""] = True

    def pattern(node: dict, last: str) -> str:
        branches = [re.escape(ch) + pattern(child, ch) for ch, child in sorted(node.items()) if ch]
        if "" in node:
            branches.append(_NOT_BEFORE_ALNUM if _ALNUM.match(last) else "")
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return "|".join((_NOT_AFTER_ALNUM if _ALNUM.match(ch) else "") + re.escape(ch) + pattern(child, ch)
                    for ch, child in sorted(root.items()))


def at_date(entities: list[Entity], when: DateAsGiven) -> list[Entity]:
    """Of entries sharing a name, those a source of date `when` means: the ones valid then; when no
    dated one is (a 2024 text on 特朗普政府, between two administrations), the latest begun before."""
    dated = [e for e in entities if e.period]
    if not dated:
        return entities
    keep = [e for e in entities if e.valid_at(when)]
    if not any(e.period for e in keep):
        begun = [e for e in dated if e.period[0] is not None and e.period[0] <= when.earliest]
        if begun:
            keep.append(max(begun, key=lambda e: e.period[0]))
    return keep or entities


def _name_key(name: str) -> str:
    return re.sub(r"\s+", " ", name.strip()).casefold()


def load_gazetteer(directory: Path) -> Gazetteer:
    entities: list[Entity] = []
    seen: dict[tuple[str, str], Path] = {}
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise InputError("no gazetteer files (*.yaml)", directory)
    for path in files:
        data = load_yaml(path)
        check("gazetteer", data, path)  # keys and types by family: schemas/gazetteer.schema.json
        family = data["family"]
        for entry in data["entries"] or []:
            line = line_of(entry)
            slug = str(entry["id"])
            if not is_valid_slug(slug):
                raise InputError(f"id {slug!r} is not a valid IRI slug (letters, digits, . _ - /)", path, line)
            if (family, slug) in seen:
                raise InputError(f"duplicate {family} id {slug!r} (first in {seen[(family, slug)].name})", path, line)
            seen[(family, slug)] = path
            labels = {k: str(entry[k]) for k in LABEL_KEYS if entry.get(k)}
            if not labels:
                raise InputError(f"{family} {slug!r} has no label (en, zh-Hans or zh-Hant)", path, line)
            short = entry.get("short") or []
            short = [short] if isinstance(short, str) else [str(s) for s in short]
            extra = {k: v for k, v in entry.items() if k not in (*LABEL_KEYS, "id", "variants", "short")}
            entities.append(
                Entity(
                    family=family,
                    id=slug,
                    labels=labels,
                    variants=[str(v) for v in entry.get("variants") or []],
                    short=short,
                    data=extra,
                    file=path,
                    line=line,
                )
            )
    check_names(entities)  # two entries sharing a name: exit 2 naming both (homonyms.py)
    return Gazetteer(entities)
