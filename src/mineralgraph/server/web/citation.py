"""Citations for a source or a claim: the publisher, the creators, the title (as published and in
English), the date as precise as the source gives it, the source's own URL and the persistent IRI.
Shown on source and claim pages as a plain-text block to copy (the template global `citation`),
and at /cite/<source or claim path>?format=text|csl|bibtex as a file for a reference manager:
CSL-JSON (the format Zotero, Mendeley and pandoc read) and BibTeX (biblatex @online, with year and
month as classic BibTeX reads them). Everything comes from the graph (seeds/sources.yaml as built);
when no date is stated the citation says "n.d." and the latest date the text refers to."""
from __future__ import annotations

import json
import re

from flask import Response, abort, request

from .. import iris
from .graph import best_label, labels, lang_key, select
from .views import bp

FORMATS = {"text": ("text/plain", "txt"), "csl": ("application/vnd.citationstyles.csl+json", "json"),
           "bibtex": ("application/x-bibtex", "bib")}
CSL_TYPE = {"news": "article-newspaper", "analysis": "article", "report": "report"}  # mg:documentKind → CSL
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def _source_of(iri: str) -> tuple[str, dict | None]:
    """(the source's IRI, the claim's quote and offsets, or None when `iri` is the source)."""
    t = iris.term(iri)
    rows = select(f"""SELECT ?source ?quote ?clean ?start ?end WHERE {{ {t} prov:wasQuotedFrom ?source ; prov:value ?quote .
                        OPTIONAL {{ {t} mg:cleanText ?clean }}
                        OPTIONAL {{ {t} mg:anchor ?a . ?a oa:hasSelector ?pos . ?pos a oa:TextPositionSelector ;
                                    oa:start ?start ; oa:end ?end }} }} LIMIT 1""")
    if not rows:
        return iri, None
    r = rows[0]
    get = lambda k: r.get(k, {}).get("value")  # noqa: E731
    return r["source"]["value"], {"quote": get("clean") or get("quote"), "start": get("start"), "end": get("end")}


def citation(iri: str) -> dict | None:
    """What a citation of the source or claim `iri` says, or None when `iri` is neither."""
    source, claim = _source_of(iri)
    t = iris.term(source)
    rows = select(f"""SELECT ?p ?o WHERE {{ {t} a mg:SourceDocument ; ?p ?o .
                        VALUES ?p {{ dcterms:identifier dcterms:title dcterms:creator dcterms:publisher dcterms:issued
                                     mg:notBefore foaf:page dcterms:language mg:documentKind }} }}""")
    if not rows:
        return None
    one, titles, creators, publishers = {}, {}, [], []
    for r in rows:
        p, o = r["p"]["value"].rsplit("/", 1)[-1].rsplit("#", 1)[-1], r["o"]
        if p == "title":
            titles[lang_key(o.get("xml:lang", ""))] = o["value"]
        elif p == "creator":
            creators.append(o["value"])
        elif p == "publisher":
            publishers.append(o["value"])
        else:
            one[p] = o["value"]
    names = labels(publishers)
    language = one.get("language", "")
    original = titles.get(lang_key(language)) or best_label(titles, one.get("identifier", ""))
    c = {"id": one.get("identifier", ""), "iri": source, "kind": one.get("documentKind"), "language": language,
         "title": original, "title_en": titles.get("en") if titles.get("en") != original else None,
         "creators": sorted(creators), "publisher": "; ".join(best_label(names.get(p), iris.href(p)) for p in publishers),
         "date": one.get("issued"), "not_before": one.get("notBefore"), "url": one.get("page"), "claim": None}
    if claim:
        c["claim"] = {**claim, "iri": iri}
    c["text"] = as_text(c)
    return c


def as_text(c: dict) -> str:
    """One paragraph, as a reference list has it: creators, “title” [English title], publisher, date, URL."""
    parts = []
    if c["creators"]:
        parts.append(", ".join(c["creators"]) + ".")
    parts.append(f"“{c['title']}”" + (f" [{c['title_en']}]." if c["title_en"] else "."))
    if c["publisher"]:
        parts.append(c["publisher"] + ",")
    parts.append((c["date"] or ("n.d. (not before " + c["not_before"] + ")" if c["not_before"] else "n.d.")) + ".")
    if c["url"]:
        parts.append(c["url"] + ".")
    text = " ".join(parts)
    if c["claim"]:
        cl = c["claim"]
        quote = " ".join(cl["quote"].split())
        where = f", characters {cl['start']}–{cl['end']}" if cl["start"] is not None else ""
        return f"“{quote}” — {text} Quoted as claim {cl['iri']}{where}; source {c['iri']}."
    return f"{text} Source {c['id']} in mineralgraph: {c['iri']}."


def as_csl(c: dict) -> list[dict]:
    item = {"id": f"mineralgraph-{c['id']}", "type": CSL_TYPE.get(c["kind"] or "", "article"), "title": c["title"],
            "language": c["language"] or None, "URL": c["url"] or c["iri"],
            "author": [{"literal": name} for name in c["creators"]] or None,
            "publisher": c["publisher"] or None,
            "container-title": c["publisher"] if c["kind"] == "news" and c["publisher"] else None,
            "issued": {"date-parts": [[int(x) for x in c["date"].split("-")]]} if c["date"] else None,
            "note": "; ".join(x for x in (c["title_en"] and f"English title: {c['title_en']}",
                                          not c["date"] and c["not_before"] and f"undated; not before {c['not_before']}",
                                          f"mineralgraph: {c['iri']}") if x)}
    if c["claim"]:
        cl = c["claim"]
        item["id"] += "-" + cl["iri"].rsplit("/", 1)[-1]
        item["note"] += f"; quoted: “{' '.join(cl['quote'].split())}” ({cl['iri']})"
    return [{k: v for k, v in item.items() if v is not None}]


def _bib(value: str) -> str:
    """A BibTeX field value: braces balanced, the special characters escaped."""
    value = re.sub(r"([\\{}])", r"\\\1", value)
    return re.sub(r"([&%$#_])", r"\\\1", value)


def as_bibtex(c: dict) -> str:
    key = f"mineralgraph{c['id']}" + (f"-{c['claim']['iri'].rsplit('/', 1)[-1]}" if c["claim"] else "")
    fields = [("title", c["title"]), ("titleaddon", c["title_en"]),
              ("author", " and ".join("{" + _bib(n) + "}" for n in c["creators"]) or None),
              ("organization", c["publisher"] or None), ("publisher", c["publisher"] or None),
              ("date", c["date"]), ("year", c["date"][:4] if c["date"] else None),
              ("month", MONTHS[int(c["date"][5:7]) - 1] if c["date"] and len(c["date"]) >= 7 else None),
              ("url", c["url"] or c["iri"]), ("langid", c["language"] or None),
              ("note", (f"Undated; not before {c['not_before']}. " if not c["date"] and c["not_before"] else "")
               + f"mineralgraph: {c['iri']}"
               + (f". Quoted: {' '.join(c['claim']['quote'].split())} ({c['claim']['iri']})" if c["claim"] else ""))]
    body = ",\n".join(f"  {k} = {v}" if k == "month" else
                      f"  {k} = {{{v if k in ('author', 'url') else _bib(v)}}}" for k, v in fields if v)
    return f"@online{{{key},\n{body}\n}}\n"


@bp.app_template_global("citation")
def _citation_global(iri: str) -> dict | None:
    return citation(iri)


@bp.get("/cite/<path:rest>")
def cite(rest: str):
    fmt = request.args.get("format", "text")
    if fmt not in FORMATS:
        return Response(f"Unknown format {fmt!r}; one of: {', '.join(FORMATS)}\n", 400,
                        {"Content-Type": "text/plain; charset=utf-8"})
    iri = iris.iri_for_path(rest)
    c = citation(iri) if iri else None
    if c is None:
        abort(404)
    media, ext = FORMATS[fmt]
    body = {"text": lambda: c["text"] + "\n", "bibtex": lambda: as_bibtex(c),
            "csl": lambda: json.dumps(as_csl(c), ensure_ascii=False, indent=2) + "\n"}[fmt]()
    name = "mineralgraph-" + rest.strip("/").replace("/", "-")
    return Response(body, 200, {"Content-Type": f"{media}; charset=utf-8",
                                "Content-Disposition": f'attachment; filename="{name}.{ext}"'})
