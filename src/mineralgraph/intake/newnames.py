"""Names the gazetteer lacks, proposed as gazetteer entries by `mineralgraph draft`.

Spotted: capitalised multi-word English names with an acronym in parentheses (`Forum on Resource
Geostrategic Engagement (FORGE)`) or ending in a word such as Framework, Forum, Partnership, Act
(drafting/names.yaml); Chinese names in 「」“”《》 or before an acronym in （）, or ending in 框架,
论坛, 倡议, 伙伴关系, 协议, 计划 …; people after a title (Prime Minister Sanae Takaichi, 首相高市早苗).
Each comes out as a ready-to-edit entry: a guessed family and form, the label in the text's
script, the other script's label `"?"`, the acronym as abbreviation. A guess, for a curator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .drafting import load
from ..build.gazetteer import Gazetteer, _name_key
from ..build.text import AnalysisText, to_simplified

CJK = r"\u3400-\u9fff"
ACRONYM = r"[A-Z][A-Za-z0-9&]{1,9}"


@dataclass(eq=False)  # identity: one object per proposed name
class Proposal:
    family: str
    name: str  # as written in the text
    script: str  # en | zh-Hans
    kind: str | None = None  # mechanism form, policy / org type
    abbreviation: str | None = None
    start: int = 0  # first occurrence, analysis offsets
    contexts: list = field(default_factory=list)
    loose: bool = False  # found only by a Chinese name ending, with no quotes or acronym: a weaker guess

    @property
    def names(self) -> list[str]:
        return [self.name] + ([self.abbreviation] if self.abbreviation else [])

    @property
    def id(self) -> str:
        if self.script == "en":
            words = re.findall(r"[A-Za-z0-9]+", self.name)
            slug = "-".join(w.lower() for w in words if w.lower() not in ("the", "of", "for", "on", "and", "in", "to"))
            return (self.abbreviation.lower() if self.abbreviation and self.family == "mechanism" else slug)[:60]
        return self.abbreviation.lower() if self.abbreviation else "?"

    def entry(self) -> dict:
        """The gazetteer entry, keys in the order of seeds/gazetteer/*.yaml."""
        out = {"id": self.id}
        for key in ("en", "zh-Hans", "zh-Hant"):
            out[key] = self.name if key == self.script else "?"
        if self.family == "mechanism":
            if self.abbreviation:
                out["abbreviation"] = self.abbreviation
            out["form"] = self.kind or "?"
        else:
            if self.abbreviation:
                out["variants"] = [self.abbreviation]
            if self.family in ("org", "policy"):
                out["type"] = self.kind or "?"
        return out


@lru_cache(maxsize=1)
def _data():
    d = load("names")
    endings = {str(k): v for k, v in d["endings"].items()}
    en_endings = sorted((k for k in endings if k.isascii()), key=len, reverse=True)
    zh_endings = sorted((k for k in endings if not k.isascii()), key=len, reverse=True)
    connectors = set(d["en_connectors"].split())
    not_names = set(d["en_not_names"].split())
    titles = sorted(d["en_titles"], key=len, reverse=True)
    zh_titles = sorted(d["zh_titles"], key=len, reverse=True)
    bounds = sorted(d["zh_left_bounds"], key=len, reverse=True)
    return d, endings, en_endings, zh_endings, connectors, not_names, titles, zh_titles, bounds


def _en_family(name: str) -> tuple[str, str | None] | None:
    """The family an English name's head word suggests: its last word, or the word before its first `of`/`for`/`on`."""
    _, endings, en_endings, *_ = _data()
    heads = [name]
    m = re.match(r"(.+?)\s+(?:of|for|on|to)\s+", name)
    if m:
        heads.append(m.group(1))
    for head in heads:
        for ending in en_endings:
            if re.search(rf"(?<![A-Za-z]){re.escape(ending)}$", head):
                return tuple(endings[ending])
    return None


def _zh_family(name: str) -> tuple[str, str | None] | None:
    _, endings, _, zh_endings, *_ = _data()
    for ending in zh_endings:
        if name.endswith(ending) and len(name) > len(ending):
            return tuple(endings[ending])
    return None


def _known(gazetteer: Gazetteer, name: str) -> bool:
    key = _name_key(name)
    return bool(gazetteer._by_name.get(key) or gazetteer._by_name.get(_name_key(to_simplified(name))))


def propose(text: AnalysisText, gazetteer: Gazetteer, spans: list[tuple[int, int]] | None = None) -> list[Proposal]:
    """New names in the text (in each of its sentence `spans`: a name never crosses one), first
    occurrence first, one proposal per name."""
    found: dict[str, Proposal] = {}

    def add(p: Proposal, context: str) -> None:
        p.name = p.name.strip(" -")
        if len(p.name) < 2 or _known(gazetteer, p.name) or (p.abbreviation and _known(gazetteer, p.abbreviation)
                                                             and not _en_family(p.name) and not _zh_family(p.name)):
            return
        key = _name_key(to_simplified(p.name))
        if key in found:
            if p.abbreviation and not found[key].abbreviation:
                found[key].abbreviation = p.abbreviation
            return
        if any(key in _name_key(to_simplified(q.name)) for q in found.values()):
            return  # part of a longer name already proposed
        p.contexts.append(context)
        found[key] = p

    for start, end in spans or [(0, len(text.clean))]:
        # blank out the rest of the text: offsets stay those of the whole text
        s = " " * start + text.simplified[start:end] + " " * (len(text.clean) - end)
        clean = " " * start + text.clean[start:end] + " " * (len(text.clean) - end)
        _en(clean, add)
        _zh(s, clean, add)
    return sorted(found.values(), key=lambda p: p.start)


def _en(clean: str, add) -> None:
    d, endings, en_endings, zh_endings, connectors, not_names, titles, *_ = _data()
    word = r"(?:[A-Z][A-Za-z0-9'’.&]*(?:-[A-Za-z0-9][A-Za-z0-9'’.]*)*|G\d+)"
    conn = "|".join(sorted(connectors, key=len, reverse=True))
    name_rx = re.compile(rf"{word}(?:\s+(?:(?:{conn})\s+)*{word})*")
    for m in name_rx.finditer(clean):
        name, start = m.group(0), m.start()
        tokens = name.split()
        while tokens and tokens[0] in not_names:  # a capital that only starts a sentence
            start += len(tokens[0]) + 1
            tokens = tokens[1:]
        cut = next((i for i, t in enumerate(tokens) if i and t in not_names), None)
        if cut is not None:  # "European Commission on Wednesday": the name ends before the day
            tokens = tokens[:cut]
            while tokens and tokens[-1] in connectors:
                tokens = tokens[:-1]
            after_end = None
        else:
            after_end = m.end()
        name = " ".join(tokens).rstrip(".")
        after = re.match(rf"\s*\(({ACRONYM})\)", clean[after_end:]) if after_end else None
        family = _en_family(name)
        if len(tokens) < 2 and not after:
            continue
        if after:
            fam = family or ("org" if not family else family)
            add(Proposal(fam[0], name, "en", fam[1], after.group(1), start), clean[max(0, start - 40): m.end() + 20])
        elif family:
            add(Proposal(family[0], name, "en", family[1], None, start), clean[max(0, start - 40): m.end() + 20])
    title_rx = re.compile(rf"(?<![A-Za-z])(?:{'|'.join(re.escape(t) for t in titles)})\s+((?:[A-Z][a-z'’-]+\s+){{1,2}}[A-Z][a-z'’-]+)")
    for m in title_rx.finditer(clean):
        add(Proposal("person", m.group(1), "en", None, None, m.start(1)), clean[max(0, m.start() - 20): m.end() + 20])


def _zh(s: str, clean: str, add) -> None:
    d, endings, en_endings, zh_endings, connectors, not_names, titles, zh_titles, bounds = _data()
    for m in re.finditer(r"[“「《『]([^”」》』，。！？；]{2,30})[”」》』]", s):
        name = clean[m.start(1): m.end(1)]
        if not re.search(f"[{CJK}]", name):
            continue
        family = _zh_family(to_simplified(name)) or _en_family(name)
        after = re.match(rf"\s*[（(]({ACRONYM})[)）]", s[m.end():])
        if not family and not after:  # a quoted word is a name only with a name's ending or acronym
            if m.group(0)[0] != "《" or len(name) < d["zh_title_min"]:
                continue
        if not family:
            family = ("policy", None) if m.group(0)[0] == "《" else ("mechanism", None)
        add(Proposal(family[0], name, "zh-Hans", family[1], after.group(1) if after else None, m.start(1)),
            clean[max(0, m.start() - 20): m.end() + 20])
    bound_rx = "|".join(re.escape(b) for b in bounds)
    # a run of Chinese characters before an acronym in brackets, or ending in a name word
    for m in re.finditer(rf"([{CJK}]{{3,30}})\s*[（(]({ACRONYM})[)）]", s):
        name = _left_bounded(m.group(1), bound_rx)
        if len(name) >= 3:
            family = _zh_family(name) or ("org", None)
            off = m.end(1) - len(name)
            add(Proposal(family[0], clean[off: m.end(1)], "zh-Hans", family[1], m.group(2), off), clean[max(0, off - 20): m.end() + 20])
    ending_rx = "|".join(re.escape(e) for e in zh_endings if len(e) >= 2)
    for m in re.finditer(rf"([{CJK}]{{2,24}}?)({ending_rx})", s):
        name = _left_bounded(m.group(0), bound_rx)
        head = name[: len(name) - len(m.group(2))]
        if len(head) >= 2 and not _zh_family(head) and head not in endings:
            family = _zh_family(name)
            off = m.end() - len(name)
            add(Proposal(family[0], clean[off: m.end()], "zh-Hans", family[1], None, off, loose=True),
                clean[max(0, off - 20): m.end() + 20])
    stops = "|".join(re.escape(w) for w in d["zh_name_stops"])
    title_rx = "|".join(re.escape(t) for t in zh_titles)
    for m in re.finditer(rf"(?:{title_rx})([{CJK}·]{{2,10}}?)(?={stops}|[，。、（\d\s]|$)", s):
        add(Proposal("person", clean[m.start(1): m.end(1)], "zh-Hans", None, None, m.start(1)), clean[max(0, m.start() - 20): m.end() + 20])


def _left_bounded(run: str, bound_rx: str) -> str:
    """The part of a run of characters after the last word that cannot be inside a name."""
    cut = 0
    for m in re.finditer(bound_rx, run[:-2] if len(run) > 2 else ""):
        cut = max(cut, m.end())
    return run[cut:]


def to_yaml_comment(proposals: list[Proposal]) -> list[str]:
    """The proposals as commented YAML, grouped by gazetteer file: uncomment, fill in every "?"."""
    import json

    files = {"mechanism": "mechanisms", "policy": "policies", "org": "organisations", "person": "persons",
             "list": "lists", "country": "countries", "region": "regions", "mineral": "minerals"}
    lines = ["", "# Names the gazetteer lacks, proposed as entries (family and form are guesses): paste each into",
             '# seeds/gazetteer/<file>.yaml, fill in every "?" (the id, the other script\'s label), check the family.']
    for family in files:
        group = [p for p in proposals if p.family == family]
        if not group:
            continue
        lines.append(f"# --- seeds/gazetteer/{files[family]}.yaml")
        for p in group:
            lines.append(f"#   # seen in: {json.dumps(p.contexts[0].strip(), ensure_ascii=False)}")
            for i, (k, v) in enumerate(p.entry().items()):
                value = json.dumps(v, ensure_ascii=False) if not isinstance(v, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 ._/-]*", v) else v
                lines.append(f"#   {'- ' if i == 0 else '  '}{k}: {value}")
    return lines if len(lines) > 3 else []
