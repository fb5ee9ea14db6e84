"""The browser view of a stored query (/queries/NAME with Accept: text/html): a form for its
parameters (allowed values as choices), the results as a table with labels and links, and
CSV / JSON download links; and the list of stored queries (/queries). The /queries blueprint
(server/queries.py) owns the routes and calls `query_page` / `query_list_page` for HTML;
`render_query_page` only renders."""
from __future__ import annotations

import json
import re
from urllib.parse import urlencode

from mineralgraph.storedqueries import BindError

from ..common import ProtocolError, page_url, paged_text
from ..frame import page
from ..iris import href, id_base, short
from ..service import ANY_KIND, service
from . import graph
from .reading import clean_context
from .roster import source_headings

LONG_ID_LISTS = {"sourceIds", "disputedBy", "sources"}  # space-separated source ids
CITED_LISTS = {"kindBy", "foundedBy"}  # "value (who); …": a value with the source or table row giving it
SHOWN_IDS = 8  # ids shown in a cell before "… and N more", as on an entity page
_CITED = re.compile(r"(.+?) \((.+)\)")
MAX_SELECT = 80  # up to this many choices: a <select>; more: a text box with suggestions


def choices(p, resolver) -> list[tuple[str, str]]:
    """(value, label) pairs a parameter accepts: its allowed values, or the graph's entities."""
    if p.allowed:
        return [(v, v) for v in p.allowed]
    if p.type == "boolean":
        return [("true", "true"), ("false", "false")]
    if resolver is None:
        return []
    try:
        entries = resolver.of_type(p.type)
    except (KeyError, Exception):  # scalar types have no entities
        return []
    out = []
    for e in entries:
        label = e.label if e.label != e.id else ""
        out.append((e.id, f"{e.id} — {label}" if label else e.id))
    return sorted(out, key=lambda kv: kv[0].lower())


def _as_choice(p, value: str, choices, resolver) -> str:
    """The choice a given value stands for (MSP -> msp, Japan -> JPN), else the value itself."""
    if not choices or any(value == v for v, _ in choices) or resolver is None or not hasattr(resolver, "resolve"):
        return value
    try:
        iri = resolver.resolve(p, value).value
    except Exception:
        return value
    for entry in resolver.of_type(p.type):
        if entry.iri == iri:
            return entry.id
    return value


def _fields(query, params: dict[str, list[str]], resolver) -> list[dict]:
    fields = []
    for p in getattr(query, "params", []):
        given = [v for v in params.get(p.name, []) if v.strip()]
        if p.multiple:
            given = [part.strip() for v in given for part in v.split(",") if part.strip()]
        options = choices(p, resolver)
        given = [_as_choice(p, v, options, resolver) for v in given]
        known = {value for value, _ in options}
        options += [(v, v) for v in given if v not in known]  # keep what was typed, even if unknown
        widget = "text"
        if options and (len(options) <= MAX_SELECT or p.allowed):
            widget = "select"
        elif options:
            widget = "datalist"
        fields.append({"name": p.name, "type": p.type, "required": p.required, "multiple": p.multiple,
                       "description": p.description, "default": p.default, "example": p.example,
                       "given": given, "value": ", ".join(given), "choices": options, "widget": widget,
                       "input_type": "date" if p.type == "date" else "text"})
    return fields


def _table(results) -> dict | None:
    if results is None:
        return None
    data = json.loads(results) if isinstance(results, (bytes, str)) else results
    names = data["head"]["vars"]
    bindings = data["results"]["bindings"]
    iris = [b[n]["value"] for b in bindings for n in names if n in b and b[n]["type"] == "uri"]
    found = graph.labels(iris)
    shown = _shown_columns(names, bindings)
    # a column no row of this page fills is left out (a query's other mode: the quote columns of
    # one row per fact, the summary columns of one row per quote); an empty answer keeps them all
    empty = [n for n in shown if bindings and not any(n in b for b in bindings)]
    shown = [n for n in shown if n not in empty]
    sources = _sources_by_id(bindings) if "sourceId" in shown else {}
    rows, previous_claim = [], None
    for b in bindings:
        row = []
        for n in shown:
            t = b.get(n)
            if t is None:
                row.append(None)
            elif t["type"] == "uri":
                v = t["value"]
                row.append({"kind": "iri", "label": graph.best_label(found.get(v), short(v)),
                            "href": href(v), "iri": v})
            elif n == "sourceId" and t["value"] in sources:
                s = sources[t["value"]]  # a source as an analyst knows it: publisher and date
                row.append({"kind": "iri", "label": f"{s['publisher']}, {s['date']} ({t['value']})",
                            "href": s["href"], "iri": s["iri"]})
            elif n == "quote" and "claim" in b:
                # the quote reads without markup or pinyin glosses and opens at its place in the source;
                # the same claim as the row above is said once (one sentence often gives many rows:
                # seven list changes from one quote), still linking to its place
                claim = b["claim"]["value"]
                row.append({"kind": "literal", "label": clean_context(t["value"]), "lang": t.get("xml:lang"),
                            "href": _place_in_source(claim), "verbatim": t["value"], "repeat": claim == previous_claim})
                previous_claim = claim
            elif n in CITED_LISTS and (grouped := _grouped_citations(t["value"])):
                row.append({"kind": "literal", "label": grouped, "lang": None})
            elif n in LONG_ID_LISTS and len(ids := t["value"].split()) > SHOWN_IDS:
                # a fact 1,000 sources support: the first ids and a count (all of them in CSV/JSON)
                row.append({"kind": "literal", "label": _first_ones(ids, " "), "lang": None})
            else:
                row.append({"kind": "literal", "label": t["value"], "lang": t.get("xml:lang")})
        rows.append(row)
    return {"vars": shown, "rows": rows, "hidden": [n for n in names if n not in shown and n not in empty],
            "empty": empty}


def _grouped_citations(text: str) -> str | None:
    """A long "value (who); …" cell read at a glance: each value once, with its first givers and
    a count ("minilateral (002); minilateral (007); …" -> "minilateral (002, 007 … and 38 more)").
    None when the cell is short enough to show as it is, or not of that form."""
    items = text.split("; ")
    if len(items) <= SHOWN_IDS:
        return None
    givers: dict[str, list[str]] = {}
    for item in items:
        m = _CITED.fullmatch(item)
        if not m:
            return None
        givers.setdefault(m.group(1), []).append(m.group(2))
    return "; ".join(f"{value} ({_first_ones(who, ', ')})" for value, who in givers.items())


def _first_ones(items: list[str], separator: str) -> str:
    """The first SHOWN_IDS items, and how many more there are."""
    more = f" … and {len(items) - SHOWN_IDS} more" if len(items) > SHOWN_IDS else ""
    return separator.join(items[:SHOWN_IDS]) + more


def _shown_columns(names: list[str], bindings: list[dict]) -> list[str]:
    """The columns worth a person's reading: an IRI column already shows its label and links to
    its page, so `xId` and `xLabel` beside an IRI column `x` are left to the CSV and JSON, and `x`
    takes the place of the first of them (queries put `memberId` first and the IRI `member` last:
    the row should still start with the member); the claim and source IRIs are left out when the
    quote and the source id carry them."""
    def carried(n):  # the claim and source IRIs, when the quote and the source id stand for them
        return (n == "claim" and "quote" in names) or (n == "source" and "sourceId" in names)

    out = []
    for n in names:
        if n == "sourceId":  # shown as the source's publisher and date, linking to it
            out.append(n)
            continue
        for suffix in ("Id", "Label"):
            base = n[: -len(suffix)] if n.endswith(suffix) else None
            if base and base in names and any(b.get(base, {}).get("type") == "uri" for b in bindings):
                if base not in out and not carried(base):
                    out.append(base)
                break
        else:
            if not carried(n) and n not in out:
                out.append(n)
    return out


def _sources_by_id(bindings: list[dict]) -> dict[str, dict]:
    ids = {b["sourceId"]["value"] for b in bindings if "sourceId" in b}
    iris = [id_base() + "source/" + i for i in sorted(ids) if re.fullmatch(r"[0-9A-Za-z_-]+", i)]
    return {h["id"]: h for h in source_headings(iris).values()}


def _place_in_source(claim_iri: str) -> str | None:
    """id/claim/NNN/START-END -> /id/source/NNN#claim-START-END (the source page's highlight)."""
    m = re.search(r"/id/claim/([^/]+)/(\d+)-(\d+)$", claim_iri)
    return f"/id/source/{m.group(1)}#claim-{m.group(2)}-{m.group(3)}" if m else href(claim_iri)


def _url(name: str, params: dict[str, list[str]], **extra) -> str:
    pairs = [(k, v) for k, vs in params.items() for v in vs if v.strip()] + list(extra.items())
    return f"/queries/{name}" + ("?" + urlencode(pairs) if pairs else "")


def render_query_page(query_meta, params: dict[str, list[str]], results, *, error: str | None = None,
                      truncated: bool = False, resolver=None, query_text: str | None = None, status: int = 200,
                      pager: dict | None = None):
    """HTML for one stored query: `params` as given ({name: [values]}), `results` a SPARQL JSON
    document (bytes, str or parsed) or None when the query was not run."""
    name = query_meta.name
    examples = [{"text": line, "href": _url(name, ex)}
                for line, ex in zip(getattr(query_meta, "example_lines", []), getattr(query_meta, "examples", []))]
    return page(
        "query.html", status, {"Vary": "Accept"}, q=query_meta, fields=_fields(query_meta, params, resolver),
        table=_table(results), error=error, truncated=truncated, examples=examples,
        cap=service().settings.max_results,
        csv_href=_url(name, params, format="csv"), xlsx_href=_url(name, params, format="xlsx"),
        json_href=_url(name, params, format="json"),
        editor_href="/?" + urlencode({"query": query_text}) if query_text else None,
        ran=results is not None, pager=pager)


def query_list_page(items: list[dict]):
    """/queries for a browser: every stored query with its parameters and examples, in the site's frame."""
    return page("queries.html", headers={"Vary": "Accept"}, items=items)


def query_page(query, given: dict[str, list[str]], limit: int | None = None, offset: int = 0):
    """Validate, run (through the query workers) and render a stored query for a browser: one page
    of `limit` rows from `offset` (all up to the endpoint's cap when no limit is given)."""
    svc = service()
    resolver = svc.resolver()
    required = [p for p in query.params if p.required]
    if not any(v.strip() for vs in given.values() for v in vs) and required:
        return render_query_page(query, given, None, resolver=resolver)  # the empty form
    try:
        text = svc.prepare(query, given)
    except BindError as err:
        return render_query_page(query, given, None, error=str(err), resolver=resolver, status=400)
    limit = limit or svc.settings.max_results
    try:
        answer = svc.query(paged_text(text, limit, offset), ANY_KIND, cap=limit)
    except ProtocolError as err:
        return render_query_page(query, given, None, error=err.description, resolver=resolver,
                                 query_text=text, status=err.code)
    if answer.get("error") or answer.get("kind") != "solutions":
        message = answer.get("message") or "the query did not return a table"
        return render_query_page(query, given, None, error=message, resolver=resolver, query_text=text, status=500)
    pairs = [(k, v) for k, vs in given.items() for v in vs]
    shown = len(json.loads(answer["body"])["results"]["bindings"])
    pager = {"first": offset + 1, "last": offset + shown, "limit": limit,
             "prev": page_url(f"/queries/{query.name}", pairs, limit, max(offset - limit, 0)) if offset else None,
             "next": page_url(f"/queries/{query.name}", pairs, limit, offset + limit) if answer["truncated"] else None}
    return render_query_page(query, given, answer["body"], resolver=resolver, query_text=text, pager=pager)
