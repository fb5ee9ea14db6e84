"""The web front: the query editor at /editor, resource pages at /id/… (HTML for browsers, RDF by
content negotiation or suffix), source pages with every claim highlighted at its offsets."""
from __future__ import annotations

import json
from urllib.parse import urlencode

from flask import Blueprint, Response, redirect, request
from markupsafe import Markup

from mineralgraph.core.dates import parse_date
from mineralgraph.storedqueries.catalog import editor_tabs
from mineralgraph.storedqueries.resolve import local_id

from .. import conneg, iris
from ..frame import MEDIA, RESOURCE_OFFERS, SUFFIX_OF, SUFFIXES, page, wanted_key, wants_html
from ..service import service
from . import graph, reading, resources, roster, search, succession, texts
from .graph import MG

bp = Blueprint("web", __name__)


@bp.app_template_filter("reading")
def _reading_filter(fragment: str) -> str:
    return reading.clean_context(fragment)


@bp.app_template_filter("ticks")
def _ticks_filter(text: str) -> Markup:
    """Stored-query descriptions name columns and values in `backticks`: shown as code, the rest escaped."""
    parts = str(text or "").split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: leave the text as written
        return Markup.escape(text)
    return Markup("").join(Markup("<code>{}</code>").format(p) if i % 2 else Markup.escape(p)
                           for i, p in enumerate(parts))


# -- the query editor and the guide (the front page is front.py) -----------------------------
@bp.get("/editor")
def index():
    svc = service()
    stats = svc.stats
    return page("index.html", tabs=editor_tabs(svc.editor_queries(), svc.resolver()), classes=resources.class_counts(stats),
                sources=resources.sources(), stats=stats, examples=resources.examples())


# -- resources ------------------------------------------------------------------------------
@bp.get("/id/")
@bp.get("/id")
def id_root():
    return redirect("/editor#guide", code=303)


@bp.get("/id/<path:rest>")
def resource(rest: str):
    iri, key, negotiated = None, None, True
    for suffix, k in SUFFIXES.items():
        if rest.endswith(suffix) and len(rest) > len(suffix):
            candidate = iris.iri_for_path(rest[: -len(suffix)])
            if candidate and graph.exists(candidate):
                iri, key, negotiated = candidate, k, False
                break
    if iri is None:
        iri = iris.iri_for_path(rest)
        if iri is None or not graph.exists(iri):
            return not_found(iri or iris.id_base() + rest)
        key = wanted_key()
        if key is None:
            offered = ", ".join(dict.fromkeys(m for m, _ in RESOURCE_OFFERS))
            return Response(f"Not acceptable. Available: {offered}\n", 406,
                            {"Content-Type": "text/plain; charset=utf-8", "Vary": "Accept"})
    path = iris.local_path(iri)
    headers = {"Vary": "Accept", "Link": _alternates(path)}
    if negotiated:
        headers["Content-Location"] = path + SUFFIX_OF[key]
    if key == "html":
        return resource_page(iri, headers)
    body, truncated = graph.construct(_description_query(iri), key)
    headers["Content-Type"] = f"{MEDIA[key]}; charset=utf-8"
    if truncated:
        headers["X-SPARQL-Truncated"] = "true"
    return Response(body, 200, headers)


def _alternates(path: str) -> str:
    return ", ".join(f'<{path}{SUFFIX_OF[k]}>; rel="alternate"; type="{MEDIA[k]}"'
                     for k in ("html", "turtle", "jsonld", "ntriples", "rdfxml"))


def _description_query(iri: str) -> str:
    """The resource's own triples, those of its `#…` parts (a claim's anchor and selectors), and
    the triples that point at it (the mention index aside)."""
    t, hash_ = iris.term(iri), iris.string(iri + "#")
    return f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{
      {{ BIND({t} AS ?s) ?s ?p ?o }}
      UNION {{ {t} ?p1 ?s . FILTER(isIRI(?s) && STRSTARTS(STR(?s), {hash_})) ?s ?p ?o }}
      UNION {{ {t} ?p1 ?x . FILTER(isIRI(?x) && STRSTARTS(STR(?x), {hash_}))
               ?x ?p2 ?s . FILTER(isIRI(?s) && STRSTARTS(STR(?s), {hash_})) ?s ?p ?o }}
      UNION {{ ?s ?p {t} . BIND({t} AS ?o) FILTER NOT EXISTS {{ ?s a mg:Mention }} }}
    }} }}"""


def not_found(iri: str) -> Response:
    suggestions = search.did_you_mean(service().resolver(), iri)
    if wants_html():
        return page("notfound.html", status=404, iri=iri, suggestions=suggestions)
    hint = ("\nDid you mean: " + ", ".join(f"{s['href']} ({s['label']})" for s in suggestions) + "?") if suggestions else ""
    return Response(f"404 Not Found: the graph says nothing about {iri}{hint}\n", 404,
                    {"Content-Type": "text/plain; charset=utf-8", "Vary": "Accept"})


# -- search ---------------------------------------------------------------------------------
@bp.get("/search")
def search_page():
    q = request.args.get("q", "")
    type_ = request.args.get("type") or None
    if type_ is not None and type_ not in search.TYPES:
        return Response(f"Unknown type {type_!r}; one of: {', '.join(search.TYPES)}\n", 400,
                        {"Content-Type": "text/plain; charset=utf-8"})
    try:
        limit = min(max(int(request.args.get("limit", 20)), 1), 100)
    except ValueError:
        return Response("limit must be a whole number (1-100)\n", 400, {"Content-Type": "text/plain; charset=utf-8"})
    found = search.find(service().resolver(), q, type_, limit)
    wants = conneg.negotiate(request.headers.get("Accept"), [("application/json", "json"), ("text/html", "html")])
    if request.args.get("format") == "json" or (wants is not None and wants.key == "json"):
        response = Response(json.dumps(search.as_json(found), ensure_ascii=False), 200,
                            {"Content-Type": "application/json; charset=utf-8"})
    else:
        response = page("search.html", q=q, limit=limit, **found)
    response.headers["Vary"] = "Accept"
    return response


def resource_page(iri: str, headers: dict) -> Response:
    r = resources.describe(iri)
    types = set(r["all_types"])
    if MG + "SourceDocument" in types:
        return source_page(r, headers)
    if MG + "Claim" in types:
        return claim_page(r, headers)
    if MG + "Statement" in types:
        groups = resources.statement_self(iri)
        return page("resource.html", headers=headers, r=r, groups=groups, mentions=None, is_statement=True,
                    evidence=_evidence(iri, r["path"]))
    mechanism = MG + "Mechanism" in types
    return page("resource.html", headers=headers, r=r, groups=resources.statements_about(iri),
                mentions=resources.mentions(iri, r["literals"]), is_statement=False, inline_claims=resources.INLINE_CLAIMS,
                mention_sources=resources.MENTION_SOURCES,
                matrix=roster.matrix(iri) if mechanism else None,
                succession=succession.lines(iri) if mechanism else None,
                mechanism_id=local_id(iri) if mechanism else None,
                actor_id=local_id(iri) if MG + "Actor" in types and not mechanism else None)


def _evidence(iri: str, path: str) -> dict:
    """A statement's claims, a page at a time (?page=N), optionally from one source (?source=ID),
    one publisher (?publisher=NAME or id) and the claims speaking for dates from ?since to ?until
    (YYYY, YYYY-MM or YYYY-MM-DD). A value that is not one is left out and said, never an error page."""
    try:
        n = min(max(int(request.args.get("page", 1)), 1), 100_000)
    except ValueError:
        n = 1  # a page number that is not one: the first page, never an error page
    given = {k: (request.args.get(k) or "").strip()[:64] or None for k in ("source", "publisher", "since", "until")}
    dates, problems = {}, []
    for k in ("since", "until"):
        if given[k]:
            try:
                dates[k] = parse_date(given[k])
            except ValueError:
                problems.append(f"{k} {given[k]!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD): left out")
                given[k] = None
    claims, total = resources.evidence(iri, n, given["source"], given["publisher"], dates.get("since"), dates.get("until"))
    size = resources.EVIDENCE_PAGE
    pages = max((total + size - 1) // size, 1)
    kept = [(k, v) for k, v in given.items() if v]

    def at(k):
        return path + "?" + urlencode([("page", k)] + kept) + "#evidence"
    return {"claims": claims, "total": total, "page": n, "pages": pages, "source": given["source"],
            "publisher": given["publisher"], "since": given["since"], "until": given["until"],
            "filtered": bool(kept), "problems": problems,
            "first": (n - 1) * size + 1, "last": min(n * size, total),
            "prev": at(n - 1) if n > 1 else None, "next": at(n + 1) if n < pages else None}


def source_page(r: dict, headers: dict) -> Response:
    lit = r["literals"]
    source_id = lit.get("http://purl.org/dc/terms/identifier")
    text, note = texts.source_text(source_id, lit.get(MG + "sha256"))
    claims = resources.source_claims(r["iri"])
    segments = []
    reading_view = request.args.get("view") == "reading"
    if text is not None:
        # a highlight's tooltip: the annotator's English where there is one, else the quote
        spans = [texts.Span(c["start"], c["end"], c["anchor"], c["href"],
                            f"English gloss: {c['gloss'][:300]}" if c["gloss"] else c["quote"][:200])
                 for c in claims if c["start"] is not None]
        if reading_view:
            segments = reading.reading_segments(text, *reading.source_flags(source_id), spans)
        else:
            segments = texts.segments(text, spans)
    return page("source.html", headers=headers, r=r, claims=claims, segments=segments, text_note=note,
                has_text=text is not None, source_id=source_id, reading_view=reading_view)


def claim_page(r: dict, headers: dict) -> Response:
    c = resources.claim(r["iri"])
    before = after = None
    if c and c["start"] is not None:
        lit = {}
        if c["source"]:
            src = resources.describe(c["source"])
            lit = src["literals"]
        text, _ = texts.source_text(lit.get("http://purl.org/dc/terms/identifier"), lit.get(MG + "sha256"))
        if text is not None and c["end"] <= len(text):
            before, _quote, after = texts.context(text, c["start"], c["end"], 160)
    if c:  # the quote, its clean text and its gloss are shown above: not again among the properties
        shown = {"http://www.w3.org/ns/prov#value", MG + "cleanText", MG + "gloss"}
        r = {**r, "properties": [p for p in r.get("properties", []) if p.get("iri") not in shown]}
    return page("claim.html", headers=headers, r=r, c=c, before=before, after=after,
                groups=resources.claim_statements(r["iri"]), mentions=resources.claim_mentions(r["iri"]),
                wordings=resources.claim_wordings(r["iri"]))
