"""The roster matrix at the top of a mechanism page: one row per member and one column per source
(named by its publisher and date), each cell linking to the quote behind it, made from the build's
roster stances (rules/roster-stance.rq); the cells are the rows of the stored query `roster-matrix`,
which downloads them as CSV. With more than GROUP_OVER sources, one column per group of sources
saying the same about every member, aggregated in SPARQL so that the page's cost does not grow with
the sources that agree."""
from __future__ import annotations

from ..iris import href, short, term
from ..service import service
from . import graph
from .graph import best_label, labels, select, value

# status -> (mark, words for the cell's tooltip and the legend)
STATUS = {
    "named": ("●", "named"),
    "omitted-closed": ("✕", "left out of a closed list"),
    "omitted-open": ("○", "not in an open list (等, 和其他国家): no disagreement"),
    "no-roster": ("·", "gives no list of members"),
}
# a conflict has its own shape, not only its own colour: ✕ may be a member who joined later
CONFLICT = ("‼", "conflict: left out of a closed list although another source names it for the same or an earlier date")


# Each source's declared member count, with the members its claim adds to the count ("14 countries
# + the EU"): one row per source that declares one.
DECLARED_PART = """  { SELECT ?part ?source (MAX(?n) AS ?declaredCount) (SAMPLE(?uid) AS ?declaredUnit) (SAMPLE(?vt) AS ?declaredText)
           (SAMPLE(?plusIds) AS ?declaredPlus) (SAMPLE(?cc) AS ?declaredBy) WHERE {
      ?st a mg:StatisticStatement ; mg:subject %(m)s ; mg:indicator ?indicator ; mg:value ?n ; mg:unit ?u .
      FILTER(STRENDS(STR(?indicator), "/indicator/member-count"))
      ?cc mg:supports ?st ; prov:wasQuotedFrom ?source .
      LATERAL { OPTIONAL { ?cc mg:wording ?ccWording . ?ccWording mg:ofStatement ?st ; mg:valueText ?vt } }
      BIND(REPLACE(STR(?u), "^.*/", "") AS ?uid)
      OPTIONAL {
        SELECT ?cc (GROUP_CONCAT(DISTINCT ?pid; separator=" ") AS ?plusIds) WHERE {
          ?st2 a mg:StatisticStatement ; mg:subject %(m)s ; mg:indicator ?i2 ; mg:unit ?u2 .
          FILTER(STRENDS(STR(?i2), "/indicator/member-count"))
          ?cc mg:supports ?st2 .
          ?cc mg:supports ?ps . ?ps org:organization %(m)s ; org:member ?plus .
          BIND(REPLACE(STR(?u2), "^.*/", "") AS ?u2id)
          FILTER NOT EXISTS { ?plus a mg:Country FILTER(?u2id = "country") }
          FILTER NOT EXISTS { ?plus a mg:Organisation FILTER(?u2id = "organisation") }
          BIND(REPLACE(STR(?plus), "^.*/id/[^/]+/", "") AS ?pid)
        }
        GROUP BY ?cc
      }
      BIND("declared" AS ?part)
    } GROUP BY ?part ?source }
"""
DECLARED_QUERY = "SELECT * WHERE {\n" + DECLARED_PART + "}"

# Each member with its English label and the first date any source names it for (the memberships' summaries).
MEMBERS_PART = """  { SELECT ?part ?member ?memberId ?memberLabel (MIN(STR(?earliest)) AS ?firstNamed) WHERE {
      ?s org:organization %(m)s ; org:member ?member ; mg:earliestAsOf ?earliest .
      OPTIONAL { ?member skos:prefLabel ?memberLabel FILTER(langMatches(lang(?memberLabel), "en")) }
      BIND(REPLACE(STR(?member), "^.*/id/[^/]+/", "") AS ?memberId)
      BIND("member" AS ?part)
    } GROUP BY ?part ?member ?memberId ?memberLabel }
"""

# What the matrix reads, in one query: each source's stance (rules/roster-stance.rq: its kind of
# list, the claim and date standing for it), each member with the first date any source names it
# for (the memberships' summaries), the claim by which each source names each member, and the
# member counts sources declare (as roster-matrix.rq finds them). The cells are crossed here, not
# in SPARQL: the stored query `roster-matrix` gives the same cells as rows (1.9 MB of JSON at 200
# sources for the MSP); tests/web/test_aggregate_pages.py checks the two agree.
PARTS_QUERY = """SELECT ?part ?source ?sourceId ?kind ?rosterClaim ?rosterAsOf ?rosterLatest
       ?member ?memberId ?memberLabel ?firstNamed ?namingKey
       ?declaredCount ?declaredUnit ?declaredPlus ?declaredText ?declaredBy WHERE {
  { ?stance mg:rosterOf %(m)s ; mg:rosterSource ?source ; mg:rosterKind ?kind ; mg:rosterClaim ?rosterClaim ;
            mg:rosterAsOf ?rosterAsOf ; mg:rosterLatest ?rosterLatest .
    ?source dcterms:identifier ?sourceId .
    BIND("stance" AS ?part) }
  UNION
""" + MEMBERS_PART + """  UNION
  { SELECT ?part ?member ?source (MIN(CONCAT(STR(?e), "|", STR(?d), "|", STR(?c))) AS ?namingKey) WHERE {
      ?s org:organization %(m)s ; org:member ?member .
      ?c mg:supports ?s ; prov:wasQuotedFrom ?source ; mg:asOf ?d ; mg:asOfEarliest ?e .
      BIND("named" AS ?part)
    } GROUP BY ?part ?member ?source }
  UNION
""" + DECLARED_PART + "}"


def _rows(mechanism_iri: str) -> list[dict]:
    """The rows of the stored query `roster-matrix` (one per member and source), made from the parts."""
    parts = select(PARTS_QUERY % {"m": term(mechanism_iri)}, cap=1_000_000)
    stances, members, named, counts = [], [], {}, {}
    for r in parts:
        part = value(r, "part")
        if part == "stance":
            stances.append(r)
        elif part == "member":
            members.append(r)
        elif part == "named":
            named[(value(r, "member"), value(r, "source"))] = value(r, "namingKey").split("|", 2)
        elif part == "declared" and value(r, "declaredCount"):
            counts[value(r, "source")] = {k: r[k] for k in ("declaredCount", "declaredUnit", "declaredPlus", "declaredText", "declaredBy") if k in r}
    rows = []
    for mem in members:
        for st in stances:
            naming = named.get((value(mem, "member"), value(st, "source")))
            kind = value(st, "kind")
            status = "named" if naming else {"closed": "omitted-closed", "open": "omitted-open"}.get(kind, "no-roster")
            conflict = status == "omitted-closed" and value(mem, "firstNamed") <= value(st, "rosterLatest")
            row = {"member": mem["member"], "memberId": mem["memberId"], "source": st["source"], "sourceId": st["sourceId"],
                   "status": {"value": status}, "conflict": {"value": "true" if conflict else "false"},
                   "asOf": {"value": naming[1] if naming else value(st, "rosterAsOf")},
                   "claim": {"value": naming[2] if naming else value(st, "rosterClaim")}, **counts.get(value(st, "source"), {})}
            if "memberLabel" in mem:
                row["memberLabel"] = mem["memberLabel"]
            rows.append(row)
    return rows


def matrix(mechanism_iri: str) -> dict | None:
    """{sources: [...], members: [{..., cells: [...]}], conflicts: n} or None when no source speaks
    about members. Up to GROUP_OVER sources, one column per source; more, one column per group of
    sources saying the same about every member."""
    groups = select(GROUPS_QUERY % {"m": term(mechanism_iri)}, cap=100_000)
    if not groups:
        return None
    if sum(int(g["count"]["value"]) for g in groups) <= GROUP_OVER:
        return _by_source(mechanism_iri)
    return _by_group(mechanism_iri, groups)


def _by_source(mechanism_iri: str) -> dict | None:
    rows = _rows(mechanism_iri)
    if not rows:
        return None
    sources = source_headings(list(dict.fromkeys(value(r, "source") for r in rows)))
    columns = sorted(sources.values(), key=lambda s: (s["sort"], s["id"]))
    members: dict[str, dict] = {}
    for r in rows:
        m = members.setdefault(value(r, "member"), {
            "iri": value(r, "member"), "href": href(value(r, "member")), "id": value(r, "memberId"),
            "label": value(r, "memberLabel") or value(r, "memberId"), "cells": {}, "named": 0})
        status = value(r, "status")
        source = sources[value(r, "source")]
        conflict = value(r, "conflict") == "true"
        m["named"] += status == "named"
        if value(r, "declaredCount") and "declared" not in source:
            source["declared"] = _declared(r)
        m["cells"][source["iri"]] = {"status": status, "as_of": value(r, "asOf"), "conflict": conflict,
                                     "claim": value(r, "claim"), "source": source}
    ordered = sorted(members.values(), key=lambda m: (-m["named"], m["label"].casefold()))
    for m in ordered:
        m["cells"] = [m["cells"].get(s["iri"]) for s in columns]
    return _finished(columns, ordered, grouped=False, source_count=len(sources))


def _finished(columns: list[dict], members: list[dict], grouped: bool, source_count: int) -> dict:
    for m in members:
        for c in m["cells"]:
            if c:
                _shown(c)
    return {"sources": columns, "members": members, "legend": [(s, *STATUS[s]) for s in STATUS],
            "counts": reconcile(columns, members), "conflict_mark": CONFLICT,
            "conflicts": sum(c.get("conflicts", c["conflict"]) for m in members for c in m["cells"] if c),
            "grouped": grouped, "source_count": source_count}


def _declared(r: dict) -> dict:
    """A source's declared member count ("14 countries + the EU"), from the `declared` part's row."""
    return {"count": int(float(value(r, "declaredCount"))), "unit": value(r, "declaredUnit"),
            "plus": (value(r, "declaredPlus") or "").split(), "text": value(r, "declaredText"),
            "href": href(value(r, "declaredBy")) if value(r, "declaredBy") else None}


GROUP_OVER = 8  # more sources than this: one column per group of sources saying the same thing

# The groups, read off the stances: sources of the same kind of list naming the same members say
# the same about every member. A page's cost no longer grows with the sources that agree: a
# group's dates, latest covered day and first claim are aggregated here, and its named cells below.
GROUPS_QUERY = """SELECT ?kind ?named (COUNT(?source) AS ?count) (GROUP_CONCAT(STR(?source); separator=" ") AS ?sources)
       (MIN(STR(?asOf)) AS ?asOfMin) (MAX(STR(?asOf)) AS ?asOfMax) (GROUP_CONCAT(STR(?latest); separator=" ") AS ?latests)
       (MIN(CONCAT(STR(?asOf), "|", STR(?claim))) AS ?claimKey) WHERE {
  ?stance mg:rosterOf %(m)s ; mg:rosterSource ?source ; mg:rosterKind ?kind ; mg:rosterClaim ?claim ;
          mg:rosterAsOf ?asOf ; mg:rosterLatest ?latest ; mg:namedMemberIds ?named .
} GROUP BY ?kind ?named"""

# Per group and member it names: the dates its sources name the member for (each source's earliest
# naming claim, as roster-matrix.rq picks it) and the earliest of those claims; with each member's
# label and the first date any source names it for.
GROUP_CELLS_QUERY = """SELECT ?part ?kind ?named ?member ?memberId ?memberLabel ?firstNamed
       ?asOfMin ?asOfMax ?firstKey WHERE {
  { SELECT ?part ?kind ?named ?member (MIN(?asOf) AS ?asOfMin) (MAX(?asOf) AS ?asOfMax) (MIN(?key) AS ?firstKey) WHERE {
      { SELECT ?source ?member (MIN(CONCAT(STR(?e), "|", STR(?d), "|", STR(?c))) AS ?key) WHERE {
          ?s org:organization %(m)s ; org:member ?member .
          ?c mg:supports ?s ; prov:wasQuotedFrom ?source ; mg:asOf ?d ; mg:asOfEarliest ?e .
        } GROUP BY ?source ?member }
      ?stance mg:rosterOf %(m)s ; mg:rosterSource ?source ; mg:rosterKind ?kind ; mg:namedMemberIds ?named .
      BIND(STRBEFORE(STRAFTER(?key, "|"), "|") AS ?asOf)
      BIND("named" AS ?part)
    } GROUP BY ?part ?kind ?named ?member }
  UNION
""" + MEMBERS_PART + "}"


def _span(lo: str | None, hi: str | None) -> str:
    """A range of dates as given, the second without the year they share ("2022-06-15 – 07-21"):
    a group's column stays narrow enough for seven to fit a desktop screen."""
    if not lo or lo == hi:
        return lo or ""
    if len(lo) == len(hi) > 4 and lo[:5] == hi[:5]:
        return f"{lo} – {hi[5:]}"
    return f"{lo} – {hi}"


def _by_group(mechanism_iri: str, groups: list[dict]) -> dict:
    """One column per set of sources that say the same about every member (the same status for
    each), with its count, the range of dates it speaks for, what it says and its sources; the
    groups that disagree (a conflict, then a closed list leaving someone out) first, then the largest."""
    rows = select(GROUP_CELLS_QUERY % {"m": term(mechanism_iri)}, cap=100_000)
    members = {value(r, "member"): r for r in rows if value(r, "part") == "member"}
    named = {(value(r, "kind"), value(r, "named"), value(r, "member")): r for r in rows if value(r, "part") == "named"}
    ids = {value(r, "member"): value(r, "memberId") for r in members.values()}
    headings = source_headings([i for g in groups for i in value(g, "sources").split()])
    declared = {value(r, "source"): _declared(r) for r in select(DECLARED_QUERY % {"m": term(mechanism_iri)}, cap=100_000)
                if value(r, "declaredCount")}
    for iri, d in declared.items():
        if iri in headings:
            headings[iri]["declared"] = d
    # (kind, named ids) -> the status of each member; kinds naming everyone say the same: one group
    merged: dict[tuple, dict] = {}
    for g in groups:
        kind, ids_named = value(g, "kind"), set(value(g, "named").split())
        statuses = tuple("named" if ids[m] in ids_named else {"closed": "omitted-closed", "open": "omitted-open"}.get(kind, "no-roster")
                         for m in members)
        into = merged.setdefault(statuses, {"statuses": statuses, "parts": []})
        into["parts"].append(g)
    columns, cells = [], []
    for key, group in merged.items():
        parts = group["parts"]
        sources = sorted((headings[i] for g in parts for i in value(g, "sources").split() if i in headings),
                         key=lambda s: (s["sort"], s["id"]))
        latests = [d for g in parts for d in value(g, "latests").split()]
        per_member = []
        for m, status in zip(members, key):
            if status == "named":
                found = [named[(value(g, "kind"), value(g, "named"), m)] for g in parts if (value(g, "kind"), value(g, "named"), m) in named]
                lo, hi = min(value(r, "asOfMin") for r in found), max(value(r, "asOfMax") for r in found)
                claim = min(value(r, "firstKey") for r in found).split("|", 2)[2]
            else:
                lo, hi = min(value(g, "asOfMin") for g in parts), max(value(g, "asOfMax") for g in parts)
                claim = min(value(g, "claimKey") for g in parts).split("|", 1)[1]
            # sources whose closed list leaves out a member named for a date it covers
            conflicts = sum(value(members[m], "firstNamed") <= d for d in latests) if status == "omitted-closed" else 0
            span = _span(lo, hi)
            count = len(sources)
            per_member.append({"status": status, "as_of": span, "dates": (lo, hi), "conflict": conflicts > 0, "conflicts": conflicts,
                               "claim": claim, "count": count,
                               "title": f"{count} source{'s' if count != 1 else ''}: {STATUS[status][1]}; "
                                        f"speak for {span or 'no date'} (the link opens the earliest one's quote)"})
        dates = [s["sort"] for s in sources]
        conflict = any(c["conflict"] for c in per_member)
        closed_omission = "omitted-closed" in key
        columns.append({"group": True, "count": len(sources), "sources": sources, "conflict": conflict,
                        "disagrees": conflict or closed_omission, "says": _says(parts, key, members),
                        "date": _span(min(dates), max(dates)) if dates else "",
                        "sort_key": (not conflict, not closed_omission, -len(sources), min(dates, default=""))})
        cells.append(per_member)
    order = sorted(range(len(columns)), key=lambda g: columns[g]["sort_key"])
    out = []
    for j, m in enumerate(members):
        r = members[m]
        row = [cells[g][j] for g in order]
        out.append({"iri": m, "href": href(m), "id": ids[m], "label": value(r, "memberLabel") or ids[m], "cells": row,
                    "named": sum(c["count"] for c in row if c["status"] == "named")})
    out.sort(key=lambda m: (-m["named"], m["label"].casefold()))
    columns = [columns[g] for g in order]
    return _finished(columns, out, grouped=True, source_count=sum(c["count"] for c in columns))


def _says(parts: list[dict], statuses: tuple, members: dict) -> str:
    """What a group says of the roster, in a few words: "closed list without Sweden"."""
    labels = [(members[m].get("memberLabel") or {}).get("value") or m.rsplit("/", 1)[-1] for m in members]
    left = [label for label, s in zip(labels, statuses) if s != "named"]
    kinds = {p["kind"]["value"] for p in parts}
    kind = kinds.pop() if len(kinds) == 1 else "mixed"
    if not left:
        return {"closed": "closed list naming every member", "open": "open list naming every member"}.get(
            kind, "names every member")
    shown = ", ".join(left[:3]) + (f" and {len(left) - 3} more" if len(left) > 3 else "")
    if kind == "closed":
        return f"closed list without {shown}"
    if kind == "open":
        return f"open list (等) without {shown}"
    return f"no list; names {len(labels) - len(left)} of the {len(labels)} members"


def _shown(c: dict) -> None:
    """A cell as the page shows it: its mark, the link to its quote, its tooltip (a group's has its own)."""
    words = STATUS[c["status"]][1]
    c["mark"] = CONFLICT[0] if c["conflict"] else STATUS[c["status"]][0]
    c["href"] = href(c["claim"]) if c["claim"] else None
    if "title" not in c:
        c["title"] = (f"{c['source']['label']}: {words}"
                      + (" (conflict: another source names it for the same or an earlier date)" if c["conflict"] else "")
                      + f"; speaks for {c['as_of']}")


def reconcile(columns: list[dict], members: list[dict]) -> list[dict]:
    """Each declared member count against the names: "004: 14 countries + the EU; 13 named" and how
    many members no source names (the declared total less every member any source names). Sources
    declaring the same count are one line (a grown corpus repeats a count in many sources)."""
    named = len(members)
    labels = {m["id"]: m["label"] for m in members}
    lines: dict[tuple, dict] = {}
    for s in (x for c in columns for x in (c["sources"] if c.get("group") else [c])):
        d = s.get("declared")
        if not d:
            continue
        unit = d["unit"] or "member"
        plural = {"country": "countries"}.get(unit, unit + "s") if d["count"] != 1 else unit
        plus = [labels.get(i, i) for i in d["plus"]]
        declared = f"{d['count']} {plural}" + "".join(f" + {x}" for x in plus)
        total = d["count"] + len(plus)
        line = lines.setdefault((declared, d["text"]), {
            "sources": [], "declared": declared, "text": d["text"], "href": d["href"], "total": total,
            "named": named, "unnamed": max(total - named, 0)})
        line["sources"].append(s)
    out = list(lines.values())
    for line in out:
        line["source"] = line["sources"][0]
    return out


def source_headings(iris: list[str]) -> dict[str, dict]:
    """A source as an analyst knows it: its publisher and date (id and title on hover). Every
    source's heading is read once per served build (a page naming 200 sources asked two queries
    each time); copies, as a page adds to them."""
    known = service().cached(HEADINGS, all_headings)
    out = {i: dict(known[i]) for i in iris if i in known}
    missing = [i for i in iris if i not in known]
    return {**out, **_headings(missing)} if missing else out


HEADINGS = "source-headings"  # the per-build cache of every source's heading (app.py makes it at start)


def all_headings() -> dict[str, dict]:
    return _headings([r["s"]["value"] for r in select("SELECT ?s WHERE { ?s a mg:SourceDocument }", cap=1_000_000)])


def _headings(iris: list[str]) -> dict[str, dict]:
    if not iris:
        return {}
    values = " ".join(term(i) for i in iris)
    rows = select(f"""SELECT ?s ?id ?issued ?notBefore ?publisher ?creator WHERE {{ VALUES ?s {{ {values} }}
                        OPTIONAL {{ ?s dcterms:identifier ?id }} OPTIONAL {{ ?s dcterms:issued ?issued }}
                        OPTIONAL {{ ?s mg:notBefore ?notBefore }}
                        OPTIONAL {{ ?s dcterms:publisher ?publisher }} OPTIONAL {{ ?s dcterms:creator ?creator }} }}""")
    publisher_iris = [r["publisher"]["value"] for r in rows if r.get("publisher", {}).get("type") == "uri"]
    names = labels(iris + publisher_iris)
    out: dict[str, dict] = {}
    for r in rows:
        s = r["s"]["value"]
        h = out.setdefault(s, {"iri": s, "href": href(s), "id": r.get("id", {}).get("value", short(s)),
                               "title": best_label(names.get(s), short(s)), "publishers": {}})
        p = r.get("publisher")
        if p and p["type"] == "uri":
            h["publishers"]["en"] = best_label(names.get(p["value"]), short(p["value"]))
        elif p:
            h["publishers"].setdefault(graph.lang_key(p.get("xml:lang", "")), p["value"])
        if r.get("creator"):  # an author stands in for a paper's missing publisher
            h["creator"] = r["creator"]["value"]
        issued, not_before = r.get("issued", {}).get("value"), r.get("notBefore", {}).get("value")
        h["date"] = issued or (f"not before {not_before}" if not_before else "undated")
        h["sort"] = issued or not_before or "9999"
    for h in out.values():
        h["publisher"] = best_label(h.pop("publishers"), h.pop("creator", None) or "source " + h["id"])
        h["label"] = f"{h['publisher']}, {h['date']}"
    return out

