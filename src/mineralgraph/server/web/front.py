"""The front page (/): short answers to the questions analysts come with, each linking to its full
answer, with the corpus's coverage and the search box. Every answer is a stored query's rows
(queries/*.rq, run through the service like any other), summed up here; no SPARQL is written in
Python. Computed once per served build (the graph does not change under a build)."""
from __future__ import annotations

from collections import Counter, defaultdict
from urllib.parse import urlencode

from mineralgraph.storedqueries.model import BindError

from ..frame import page
from ..iris import href
from ..service import service
from .graph import select
from .views import bp

TOP_MECHANISMS = 6  # the mechanisms most sources speak about, on the front page
TOP_FIGURES = 5
NEWEST = 4


def _rows(name: str, **params) -> list[dict]:
    """A stored query's rows as {variable: lexical value}; [] when the query is absent."""
    svc = service()
    query = svc.stored_queries().get(name)
    if query is None:
        return []
    try:
        text = svc.prepare(query, {k: [v] for k, v in params.items()})
    except BindError:
        return []
    return [{k: v["value"] for k, v in r.items()} for r in select(text, cap=100_000)]


def _query_link(name: str, **params) -> str:
    return f"/queries/{name}" + ("?" + urlencode(params) if params else "")


def coverage(sources: list[dict]) -> dict:
    """How many sources, from how many publishers, over which dates; the newest."""
    dated = [(s.get("date") or s.get("notBefore"), s) for s in sources]
    dated = sorted(((d, s) for d, s in dated if d), key=lambda x: x[0])  # sources may share a date
    newest = [s | {"when": d, "href": href(s["source"]), "approx": not s.get("date")}
              for d, s in sorted(dated, key=lambda x: x[0], reverse=True)[:NEWEST]]
    return {"sources": len(sources), "publishers": len({s.get("publisher") for s in sources if s.get("publisher")}),
            "first": dated[0][0] if dated else None, "last": dated[-1][0] if dated else None,
            "claims": sum(int(s.get("claims") or 0) for s in sources), "newest": newest}


def mechanisms(labels: dict) -> dict:
    """The mechanisms most sources name members of, each with its disagreements (roster-disagreements)."""
    network = _rows("membership-network")
    members, sources, names = defaultdict(set), defaultdict(set), {}
    for r in network:
        members[r["mechanism"]].add(r["member"])
        sources[r["mechanism"]].update(r.get("sources", "").split())
        names[r["mechanism"]] = (r.get("mechanismLabel") or r["mechanismId"], r["mechanismId"])
    ranked = sorted(members, key=lambda m: (-len(sources[m]), -len(members[m]), names[m][0]))
    out = []
    for m in ranked[:TOP_MECHANISMS]:
        kinds = Counter(r["kind"] for r in _rows("roster-disagreements", mechanism=m))
        out.append({"label": names[m][0], "id": names[m][1], "href": href(m) + "#matrix",
                    "members": len(members[m]), "sources": len(sources[m]),
                    "contradictions": kinds.get("contradiction", 0), "later": kinds.get("change over time", 0),
                    "open": kinds.get("open-list omission", 0),
                    "disagreements": _query_link("roster-disagreements", mechanism=names[m][1])})
    return {"top": out, "count": len(members)}


def lists() -> list[dict]:
    """Each list series: its versions' sizes, and what its latest change added and removed, saying
    whether the source states the change or it is computed from two full lists."""
    series: dict[str, dict] = {}
    for r in _rows("list-evolution"):
        s = series.setdefault(r["listId"], {"label": r.get("listLabel") or r["listId"], "versions": [],
                                            "href": _query_link("list-evolution", list=r["listId"]), "changes": []})
        size = r.get("declaredCount") or r.get("coveredCount")
        s["versions"].append({"year": r["year"], "size": size, "id": r["versionId"]})
        if r.get("previousId") and (r.get("added") or r.get("removed") or r.get("addedCount") or r.get("removedCount")):
            stated = bool(r.get("addedCount") or r.get("removedCount"))
            s["changes"].append({
                "from": r["previousId"], "to": r["versionId"], "stated": stated,
                "added": r.get("addedCount") or r.get("added") or "0",
                "removed": r.get("removedCount") or r.get("removed") or "0",
                "named_added": [i for i in (r.get("addedIds") or "").split() if i],
                "named_removed": [i for i in (r.get("removedIds") or "").split() if i],
                "href": _query_link("list-changes", **{"from": r["previousId"], "to": r["versionId"]})})
    return sorted(series.values(), key=lambda s: (-len(s["versions"]), s["label"]))


def figures(labels: dict) -> dict:
    """The figures the sources disagree on, one line per (subject, indicator, mineral, year)."""
    groups: dict[tuple, list[dict]] = {}
    for r in _rows("conflicting-statistics"):
        key = (r.get("subjectId"), r.get("indicatorId"), r.get("mineralId"), r.get("year"))
        groups.setdefault(key, []).append(r)
    out = []
    for (subject, indicator, mineral, year), rows in groups.items():
        values = {}
        for r in rows:
            values.setdefault(r.get("valueText") or r.get("value"), set()).add(r.get("sourceId"))
        out.append({"subject": labels.get(subject, subject), "indicator": labels.get(indicator, indicator),
                    "mineral": labels.get(mineral, mineral) if mineral else None, "year": year,
                    "readings": [(v, " ".join(sorted(s))) for v, s in sorted(values.items())],
                    "href": _query_link("conflicting-statistics", **({"subject": subject} if subject else {}),
                                        **({"mineral": mineral} if mineral else {}))})
    return {"top": out[:TOP_FIGURES], "count": len(out)}


def events(labels: dict) -> list[dict]:
    """The latest events the sources report as having happened, newest first."""
    rows = [r for r in _rows("events", status="occurred") if r.get("date")]
    rows.sort(key=lambda r: r["date"], reverse=True)
    return [{"date": r["date"], "source": r.get("sourceId"),
             "what": r.get("description") or "{}: {}".format(
                 r.get("eventType", "event"), ", ".join(labels.get(i, i) for i in r.get("about", "").split())),
             "href": href(r["event"])} for r in rows[:NEWEST + 1]]


def answers() -> dict:
    svc = service()
    labels = {e.id: e.label for e in svc.resolver().entries.values()}
    sources = _rows("sources")
    queries = svc.stored_queries()
    return {"coverage": coverage(sources), "mechanisms": mechanisms(labels), "lists": lists(),
            "figures": figures(labels), "events": events(labels),
            "query_labels": {n: (q.label or q.title) for n, q in queries.items()}}


@bp.get("/")
def front():
    svc = service()
    return page("front.html", a=svc.cached("front-page", answers))
