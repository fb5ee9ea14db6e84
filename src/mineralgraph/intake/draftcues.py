"""Cue-driven draft statements for English and Chinese news (`mineralgraph draft`, issue 20).

draft.py's own cues lean on the gazetteer (tuned on the seeds); these fire on what any news text
has even when its names are new: the words of each statement kind, figures with currencies and
units, counts of members, list sizes and changes, and dates resolved against the article. The
words are data (drafting/cues.yaml); this module only says what each kind needs besides its cue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .drafting import load
from .reldates import FoundDate

CJK = re.compile(r"[\u3400-\u9fff]")


@lru_cache(maxsize=1)
def _cues():
    d = load("cues")
    rx = lambda pats: re.compile("|".join(f"(?:{p})" for p in pats), re.I) if pats else None  # noqa: E731
    kinds = {k: rx([*(v.get("en") or []), *(v.get("zh") or [])]) for k, v in d["kinds"].items()}
    relations = [(name, rx(p)) for name, p in d["relations"].items()]
    events = [(name, rx(p)) for name, p in d["event_types"].items()]
    bounds = [(name, rx(p)) for name, p in d["bounds"].items()]
    return d, kinds, relations, events, rx(d["planned"]), bounds


def joined(sentence: str) -> bool:
    """Does the sentence say someone joined (so its date is when a membership began)?"""
    d = _cues()[0]
    return bool(re.search("|".join(f"(?:{p})" for p in d["joining"]), sentence, re.I))


def cued(kind: str, sentence: str) -> bool:
    pattern = _cues()[1].get(kind)
    return bool(pattern and pattern.search(sentence))


@dataclass(frozen=True)
class Figure:
    value: float
    unit: str
    text: str
    start: int
    bound: str | None = None
    upper: float | None = None


@lru_cache(maxsize=1)
def _figure_rx():
    d = _cues()[0]
    alt = lambda keys: "|".join(re.escape(str(k)) for k in sorted(keys, key=lambda k: len(str(k)), reverse=True))  # noqa: E731
    before, after, scales, units = d["currencies_before"], d["currencies_after"], d["scales"], d["units_after"]
    unit_alt = "|".join(sorted((str(k) for k in units), key=len, reverse=True))  # units are patterns (percentage points?)
    number = r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    # US$1 billion, $10bn, A$13 billion, Rs 16,300 crore, EUR 3 billion, 130亿澳元, 10亿美元, 90%, 60 days, 60天
    rx = re.compile(
        rf"(?:(?<![A-Za-z])({alt(before)})\s?)?{number}"
        rf"(?:\s*(?:-|–|—|to|至|到)\s*{number})?"
        rf"(?:\s?({alt(scales)})(?![A-Za-z]))?"
        rf"(?:\s?(?:({alt(after)})|({unit_alt}))(?![A-Za-z]))?", re.I)
    return rx, before, after, scales, units


def figures(sentence: str) -> list[Figure]:
    """Amounts with a currency, percentages and quantities with a unit; a bare number is not a figure."""
    rx, before, after, scales, units = _figure_rx()
    bounds = _cues()[5]
    out = []
    for m in rx.finditer(sentence):
        cur_b, n1, n2, scale, cur_a, unit = m.groups()
        if re.match(r"(?:19|20)\d\d$", n1) and not (cur_b or cur_a or (unit and unit not in ("年",))):
            continue  # a year
        if not (cur_b or cur_a or unit):
            continue
        if cur_b and cur_b.lower() == "r" and not scale:
            continue  # a lone R is rand only before an amount in words
        value = float(n1.replace(",", ""))
        factor = _lookup(scales, scale) or 1
        value *= factor
        upper = float(n2.replace(",", "")) * factor if n2 else None
        code = _lookup(before, cur_b) or _lookup(after, cur_a) or next(
            (u for p, u in units.items() if unit and re.fullmatch(str(p), unit, re.I)), None)
        if code is None:
            continue
        left = sentence[max(0, m.start() - 25) : m.start()]
        bound = next((name for name, b in bounds if b.search(left[-14:])), None)
        if upper is not None:
            bound = "at-least"
        out.append(Figure(int(value) if value.is_integer() else value, code, m.group(0).strip(), m.start(), bound,
                          int(upper) if upper is not None and upper.is_integer() else upper))
    return out


def _lookup(table: dict, key):
    if not key:
        return None
    for k, v in table.items():
        if str(k).lower() == key.lower():
            return v
    return None


def _first(pattern: str, sentence: str):
    return re.search(pattern, sentence, re.I)


def _count(token: str) -> int | str:
    numbers = {str(k): v for k, v in load("dates")["numbers"].items()}
    token = token.strip()
    if token.isdigit():
        return int(token)
    return numbers.get(token.lower(), numbers.get(token, "?"))


def statements(sentence: str, *, mechanisms: list[str], actors: list[str], minerals: list[str], policies: list[str],
               lists: list[str], new_names: list, dates: list[FoundDate], have: set[str],
               list_context: bool = False) -> list[tuple[str, dict]]:
    """Statements the cues suggest for one sentence, for the kinds not in `have` (draft.py's own).
    `new_names`: proposals of newnames.py found in the sentence (by position); `list_context`: the
    sentence before spoke of a list (so "it adds three" is a list change)."""
    d, kinds, relations, events, planned_rx, _ = _cues()
    s = sentence
    new_mech = [p.name for p in new_names if p.family == "mechanism"]
    # a loose guess (a Chinese name ending alone) names a policy only in a dated sentence
    new_pol = [p.name for p in new_names if p.family in ("policy", "list") and (dates or not p.loose)]
    named = mechanisms + new_mech
    about = named or policies + new_pol or actors
    when = [f.value for f in dates]
    out: list[tuple[str, dict]] = []

    def want(kind):
        return kind not in have and cued(kind, s)

    if want("membership") and (actors or named or any(p.family == "person" for p in new_names)):
        fields = {"mechanism": named[0] if named else "?", "members": "auto"}
        if when and joined(s):
            fields["since"] = when[0]
        out.append(("membership", fields))
    if want("founding") and (named or new_pol or new_names or _first(r"\b(forum|alliance|group|network|fund|centre|center|club|body|reserve)\b|论坛|联盟|小组|网络|基金|中心|机制|储备", s)):
        out.append(("founding", {"mechanism": (named or new_pol or ["?"])[0], "date": when[0] if when else "?", "founders": "auto"}))
    if want("relation") and named:  # a relation is between named bodies
        relation = next((name for name, rx in relations if rx.search(s)), "?")
        out.append(("relation", {"subject": named[0] if named else "?", "relation": relation,
                                 "object": named[1] if len(named) > 1 else "?"}))
    if want("classification") and named:
        hit = re.search(r"minilateral|bilateral|plurilateral|multilateral|小多边|双边|多边", s, re.I)
        word = hit.group(0).lower() if hit else "global"
        kind = {"minilateral": "minilateral", "plurilateral": "minilateral", "小多边": "minilateral",
                "bilateral": "bilateral", "双边": "bilateral"}.get(word, "global")
        out.append(("classification", {"mechanism": named[0] if named else "?", "kind": kind}))
    counts = re.search(d["member_counts"]["en"], s, re.I) or re.search(d["member_counts"]["zh"], s)
    if "member_count" not in have and counts:
        number = counts.group(1) if counts.re.pattern == d["member_counts"]["en"] else counts.group(2)
        out.append(("member_count", {"mechanism": named[0] if named else "?", "count": _count(number),
                                     "unit": "country", "value_text": counts.group(0)}))
    figs = figures(s)
    if "statistic" not in have and figs:
        subject = (actors or named or new_pol or minerals or ["?"])[0]
        for f in figs[:3]:
            stat = {"subject": subject, "indicator": "?", "value": f.value, "unit": f.unit, "value_text": f.text}
            if f.bound:
                stat["bound"] = f.bound
            if f.upper is not None:
                stat["upper_value"] = f.upper
            if minerals:
                stat["mineral"] = minerals[0]
            _each(stat, s, actors)
            out.append(("statistic", stat))
    listed = lists or cued("list_version", s) or list_context
    list_count = re.search(d["list_counts"]["en"], s, re.I) or re.search(d["list_counts"]["zh"], s)
    list_year = re.search(d["list_years"]["en"], s, re.I) or re.search(d["list_years"]["zh"] + r"[^，。]{0,12}(?:清单|目录|名录)", s)
    if listed and "list_change" not in have and (cued("list_change", s) or any(re.search(p, s, re.I) for p in d["change_counts"]["none_removed"])):
        change = {"from": "?", "to": "?", "added": "auto", "removed": "auto"}
        for key, pats in (("added_count", d["change_counts"]["added"]), ("removed_count", d["change_counts"]["removed"])):
            hit = next((m for m in (re.search(p, s, re.I) for p in pats) if m), None)
            if hit and _count(hit.group(1)) != "?":
                change[key] = _count(hit.group(1))
        if any(re.search(p, s, re.I) for p in d["change_counts"]["none_removed"]):
            change["removed"], change["removed_count"] = [], 0
        out.append(("list_change", change))
    if listed and "list_version" not in have and (list_count or list_year):
        version = {"list": lists[0] if lists else "?", "version": "?", "minerals": "auto"}
        if list_year:
            version["year"] = int(next(g for g in list_year.groups() if g))
        if list_count and _count(list_count.group(1)) != "?":
            version["declared_count"] = _count(list_count.group(1))
        out.append(("list_version", version))
    # a policy: a named one, or a strong policy word (an act, export controls) with a date
    if "policy" not in have and (policies or new_pol or (cued("policy", s) and when)):
        fields = {"policy": (policies + new_pol + new_mech or ["?"])[0]}
        if when:
            fields["date"] = when[0]
        out.append(("policy", fields))
    kind = next((name for name, rx in events if rx.search(s)), "announcement")
    # an event: a dated one, or one whose verb says what happened (signed, launched, met, invested)
    if want("event") and (when or kind not in ("announcement", "plan")):
        status = "planned" if planned_rx.search(s) else "occurred"
        for value in (when or ["?"])[:3]:
            fields = {"event": kind, "about": about[0] if about else "?", "date": value, "participants": "auto"}
            if status == "planned":
                fields["status"] = "planned"
            out.append(("event", fields))
    if want("derivation"):
        out.append(("derivation", {"kind": "translation" if re.search(r"translat|译", s, re.I) else "republication",
                                   "outlet": "?"}))
    return out


def _each(stat: dict, sentence: str, actors: list[str]) -> None:
    """An amount for each party ("each commit US$1 billion", 各出资): `each: true`, the parties as funders."""
    if stat.get("unit") in ("percent", "fraction") or not any(re.search(p, sentence, re.I) for p in _cues()[0]["each_party"]):
        return
    stat["each"] = True
    stat["funder"] = actors if len(actors) >= 2 else ["?", "?"]


def not_name_spans(sentence: str) -> list[tuple[int, int]]:
    """Spans of everyday words that contain a gazetteer name (黄金时代 is not gold)."""
    words = _cues()[0]["not_names"]
    return [(m.start(), m.end()) for w in words for m in re.finditer(re.escape(w), sentence, re.I)]


def fill_dates(out: list[tuple[str, dict]], when: list[str], sentence: str) -> None:
    """Date the statements draft.py's gazetteer cues left undated, from the sentence's first date."""
    if not when:
        return
    events = [fields for kind, fields in out if kind == "event"]
    dated = {fields.get("date") for fields in events}
    for value in list(dict.fromkeys(when))[:3]:  # one event per date of the sentence
        if events and value not in dated and "?" not in dated:
            out.append(("event", {**events[0], "date": value}))
            dated.add(value)
    for kind, fields in out:
        if kind == "membership" and "since" not in fields and joined(sentence):
            fields["since"] = when[0]
        elif kind in ("founding", "event") and fields.get("date") == "?":
            fields["date"] = when[0]
        elif kind == "policy" and "date" not in fields:
            fields["date"] = when[0]


def enrich(out: list[tuple[str, dict]], sentence: str) -> None:
    """Give the statements of draft.py's gazetteer cues what the sentence adds: a figure's bound, a list's count and year."""
    d = _cues()[0]
    figs = figures(sentence)
    for kind, fields in out:
        if kind == "statistic" and "bound" not in fields:  # 约 / at least before the figure
            bound = next((f.bound for f in figs if f.bound and str(fields.get("value_text", "")) in f.text), None)
            if bound:
                fields["bound"] = bound
        if kind == "statistic" and "each" not in fields:
            _each(fields, sentence, [])
        if kind != "list_version":
            continue
        count = re.search(d["list_counts"]["en"], sentence, re.I) or re.search(d["list_counts"]["zh"], sentence)
        if count and "declared_count" not in fields and _count(count.group(1)) != "?":
            fields["declared_count"] = _count(count.group(1))
        year = re.search(d["list_years"]["en"], sentence, re.I) or re.search(d["list_years"]["zh"] + r"[^，。]{0,12}(?:清单|目录|名录)", sentence)
        if year and "year" not in fields:
            fields["year"] = int(next(g for g in year.groups() if g))


def _first_cue(table: dict, sentence: str) -> str | None:
    """The first name of a {name: [patterns]} table of drafting/cues.yaml whose patterns match."""
    for name, pats in table.items():
        if re.search("|".join(f"(?:{p})" for p in pats), sentence, re.I):
            return name
    return None


def periods(out: list[tuple[str, dict]], sentence: str, when: list[str]) -> None:
    """Issue 21: what the sentence says of periods and kinds, on every drafted statement: a
    membership's role (chairs …) and its end (`until`: until, left, 至2026年6月, 退出); a dated
    succession (`since`); a draft list (`status: proposed`); an event that is a measure (export
    controls, sanctions, tariffs, stockpiles)."""
    d = _cues()[0]
    ends = bool(re.search("|".join(f"(?:{p})" for p in d["ending"]), sentence, re.I))
    for kind, fields in out:
        if kind == "membership":
            role = _first_cue(d["roles"], sentence)
            if role and "role" not in fields:
                fields["role"] = role
            if when and ends and "until" not in fields:
                fields["until"] = when[-1]  # "joined in February and left in May": the last date ends it
                if fields.get("since") == when[-1] and len(when) == 1:
                    del fields["since"]
        elif kind == "relation":
            if fields.get("relation") == "?":
                fields["relation"] = next((name for name, rx in _cues()[2] if rx.search(sentence)), "?")
            if fields.get("relation") == "succeeds" and when and "since" not in fields:
                fields["since"] = when[0]
        elif kind == "list_version":
            if re.search("|".join(f"(?:{p})" for p in d["proposed_list"]), sentence, re.I) and "status" not in fields:
                fields["status"] = "proposed"
        elif kind == "event" and fields.get("event") not in ("signing", "meeting", "negotiation", "investment"):
            measure = _first_cue(d["measures"], sentence)
            if measure:
                fields["event"] = measure
