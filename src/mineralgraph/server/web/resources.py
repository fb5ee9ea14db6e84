"""The data behind a resource page: labels, kinds, properties, the statements about an entity
with every supporting claim, a source's claims, a claim's statements. Plain dicts for the templates."""
from __future__ import annotations

from collections import defaultdict

from mineralgraph.core.dates import DateAsGiven

from .. import iris
from ..iris import href, short, term
from . import graph
from .graph import MG, ORG, PROV, RDF, RDFS, SKOS, best_label, labels, select

# A claim's first and last covered day (mg:asOfEarliest/asOfLatest) are there for queries to compare a
# year with a day; shown, "2024" would read as "2024-01-01". The page shows mg:asOf as the source gives
# it; the RDF formats keep both.
HIDDEN_PROPS = {RDF + "type", SKOS + "prefLabel", RDFS + "label", MG + "asOfEarliest", MG + "asOfLatest",
                MG + "mentionCount", MG + "mentionSourceCount"}  # the last two: under "Mentioned in"
# Statement properties not worth a column (the statement's type and its provenance links).
# The build's support summary (sources, their count, earliest/latest date) is left out of the
# columns: a card leads with it as one line (how many sources, which dates, who disagrees).
STATEMENT_SKIP = {RDF + "type", MG + "supportedBy", PROV + "wasDerivedFrom", MG + "supportingSource",
                  MG + "sourceCount", MG + "sourceIds", MG + "earliestAsOf", MG + "latestAsOf",
                  MG + "claimCount", MG + "disputedBy"}
# what "disputed by" means on a card, by kind of fact (rules/membership-dissent.rq, statistic-dissent.rq)
DISSENT_WHY = {
    MG + "MembershipStatement": "a closed list of the same body leaves this member out, for a date no earlier than the first naming",
    MG + "StatisticStatement": "gives another value for the same figure (subject, indicator, minerals, year, unit) that no bound or range reconciles",
}
MAX_INCOMING = 300
MAX_VALUES = 20      # values of one property shown in the Properties table
# A fact with up to this many claims shows them on the card (the seeds' five sources: every claim
# stays in view); a fact with more shows its summary and links to its evidence, paged.
INLINE_CLAIMS = 5
EVIDENCE_PAGE = 20   # claims per page of a statement's evidence
MENTION_SOURCES = 12  # up to this many sources are named under "Mentioned in"; more are counted
SHOWN_IDS = 8        # source ids listed on a card before "… and N more"


def _val(t: dict, names: dict) -> dict:
    """A SPARQL JSON term as something a template can show: label, link, language, datatype."""
    kind, value = t["type"], t["value"]
    if kind == "uri":
        return {"kind": "iri", "value": value, "label": best_label(names.get(value), short(value)),
                "href": href(value), "short": short(value), "local": iris.local_path(value) is not None}
    if kind == "bnode":
        return {"kind": "bnode", "value": value, "label": "_:" + value}
    dt = t.get("datatype")
    return {"kind": "literal", "value": value, "label": value, "lang": t.get("xml:lang"),
            "datatype": short(dt) if dt else None}


def _uris(rows, *keys) -> list[str]:
    return [r[k]["value"] for r in rows for k in keys if k in r and r[k]["type"] == "uri"]


def describe(iri: str) -> dict:
    t = term(iri)
    # a property with many values (mg:mentionedIn: one per claim, 12,600 for the United States at
    # 1,000 sources) is counted and only its first MAX_VALUES read; the Turtle has them all
    per_prop = {r["p"]["value"]: int(r["n"]["value"])
                for r in select(f"SELECT ?p (COUNT(DISTINCT ?o) AS ?n) WHERE {{ {t} ?p ?o }} GROUP BY ?p")}
    many = [p for p, n in per_prop.items() if n > MAX_VALUES and p != RDF + "type"]
    skip = f"FILTER(?p NOT IN ({', '.join(term(p) for p in many)}))" if many else ""
    out_rows = select(f"SELECT DISTINCT ?p ?o WHERE {{ {t} ?p ?o {skip} }}", cap=5000)
    for p in many:
        out_rows += select(f"SELECT DISTINCT ?p ?o WHERE {{ VALUES ?p {{ {term(p)} }} {t} ?p ?o }} LIMIT {MAX_VALUES}")
    # what points here from other entities and from sources (a publisher's documents): not the
    # mentions, claims, wordings, statements and roster stances, which the sections above sum up,
    # nor a source's mg:mentions (counted under "Mentioned in").
    # Read from the named things' side: at 1,000 sources 64,000 per-source nodes point at the
    # United States, each of which a check of its type would look up (1 s a page)
    in_rows = select(f"""SELECT DISTINCT ?s ?p WHERE {{
                           {{ SELECT DISTINCT ?s WHERE {{ {{ ?s skos:prefLabel ?label }} UNION {{ ?s a mg:SourceDocument }} }} }}
                           ?s ?p {t} FILTER(?p NOT IN (oa:hasBody, mg:mentions, mg:supports, mg:supportedBy, mg:rosterOf)) }}
                         ORDER BY ?p ?s LIMIT {MAX_INCOMING + 1}""")
    names = labels([iri] + _uris(out_rows, "p", "o") + _uris(in_rows, "s", "p"))
    own = names.get(iri, {})
    types = [r["o"]["value"] for r in out_rows if r["p"]["value"] == RDF + "type" and r["o"]["type"] == "uri"]
    props: dict[str, list] = defaultdict(list)
    for r in out_rows:
        p = r["p"]["value"]
        if p in HIDDEN_PROPS:
            continue
        props[p].append(_val(r["o"], names))
    properties = [{"iri": p, "label": best_label(names.get(p), short(p)), "short": short(p), "href": href(p),
                   "vals": sorted(vs, key=lambda v: (v.get("lang") or "", v["label"])),
                   "more": max(per_prop[p] - MAX_VALUES, 0)}
                  for p, vs in sorted(props.items(), key=lambda kv: short(kv[0]))]
    incoming = [{"subject": _val(r["s"], names), "property": _val(r["p"], names)} for r in in_rows[:MAX_INCOMING]]
    return {
        "iri": iri,
        "path": iris.local_path(iri),
        "label": best_label(own, short(iri)),
        "labels": {lang: own[lang] for lang in graph.LANGS if own.get(lang)},
        "types": [_val({"type": "uri", "value": c}, names) for c in _kinds(types)],
        "all_types": types,
        "properties": properties,
        "incoming": incoming,
        "incoming_truncated": len(in_rows) > MAX_INCOMING,
        "literals": {r["p"]["value"]: r["o"]["value"] for r in out_rows if r["o"]["type"] == "literal"},
    }


def _kinds(types: list[str]) -> list[str]:
    """The types worth showing as the kind: our own classes first, then the rest."""
    ours = sorted(t for t in types if t.startswith(MG))
    return ours or sorted(types)


# -- statements and their claims ------------------------------------------------------------
# the per-source links and the summary come from _summaries(); fetching them here would multiply
# the rows by the number of sources
_SKIP_FILTER = ("FILTER(?p NOT IN (mg:supportedBy, prov:wasDerivedFrom, mg:supportingSource, mg:disputedBy, mg:sourceCount,"
                " mg:sourceIds, mg:earliestAsOf, mg:latestAsOf, mg:claimCount))")


def statements_about(iri: str) -> list[dict]:
    """Statements with `iri` as a value, grouped by statement class, each with its support summary
    and, where there are few, its claims."""
    t = term(iri)
    # the mentions, claims and stances pointing here (tens of thousands at 1,000 sources) are ruled
    # out by their property first; then each node left is looked up (LATERAL: not joined with
    # every statement in the graph)
    rows = select(f"""SELECT DISTINCT ?stmt ?p ?o WHERE {{
                        {{ SELECT DISTINCT ?stmt WHERE {{ ?stmt ?x {t} FILTER(?x NOT IN (oa:hasBody, mg:mentions, mg:rosterOf)) }} }}
                        LATERAL {{ ?stmt a mg:Statement . ?stmt ?p ?o {_SKIP_FILTER} }} }}""", cap=20000)
    return _statement_groups(rows)


def statement_self(iri: str) -> list[dict]:
    """The statement alone, its claims left to `evidence()` (paged)."""
    t = term(iri)
    rows = select(f"SELECT DISTINCT ?stmt ?p ?o WHERE {{ VALUES ?stmt {{ {t} }} ?stmt a mg:Statement . ?stmt ?p ?o {_SKIP_FILTER} }}")
    return _statement_groups(rows, with_claims=False)


# The build's per-fact summary (support-summary.rq, claim-count.rq, membership-dissent.rq): one
# node read per statement, never its claims (a fact 1,000 sources repeat has 1,000 of them).
SUMMARY_QUERY = """SELECT ?stmt ?count ?ids ?earliest ?latest ?claims ?dissent WHERE {
  VALUES ?stmt { %s }
  OPTIONAL { ?stmt mg:sourceCount ?count } OPTIONAL { ?stmt mg:sourceIds ?ids }
  OPTIONAL { ?stmt mg:earliestAsOf ?earliest } OPTIONAL { ?stmt mg:latestAsOf ?latest }
  OPTIONAL { ?stmt mg:claimCount ?claims }
  OPTIONAL { ?stmt mg:disputedBy/dcterms:identifier ?dissent } }"""


def _summaries(stmts: list[str]) -> dict[str, dict]:
    """The build's support summary per statement, its number of claims and the sources that
    disagree (mg:disputedBy: a closed list that leaves the member out)."""
    out: dict[str, dict] = {}
    for chunk in (stmts[i:i + 150] for i in range(0, len(stmts), 150)):
        for r in select(SUMMARY_QUERY % " ".join(term(s) for s in chunk), cap=1_000_000):
            s = r["stmt"]["value"]
            if s not in out:
                ids = (r.get("ids", {}).get("value") or "").split()
                out[s] = {
                    "sources": int(r["count"]["value"]) if "count" in r else len(ids),
                    "source_ids": ids[:SHOWN_IDS], "more_sources": max(len(ids) - SHOWN_IDS, 0),
                    "earliest": r.get("earliest", {}).get("value"), "latest": r.get("latest", {}).get("value"),
                    "claims": int(r["claims"]["value"]) if "claims" in r else 0}
            if "dissent" in r:
                out[s].setdefault("dissent", []).append(r["dissent"]["value"])
    for summary in out.values():
        if "dissent" in summary:
            summary["dissent"] = sorted(set(summary["dissent"]))
    return out


def _statement_groups(rows, with_claims: bool = True) -> list[dict]:
    stmts: dict[str, dict] = {}
    names = labels(_uris(rows, "stmt", "p", "o"))
    for r in rows:
        s = r["stmt"]["value"]
        st = stmts.setdefault(s, {"iri": s, "href": href(s), "short": short(s), "types": [], "props": defaultdict(list)})
        p = r["p"]["value"]
        if p == RDF + "type":
            if r["o"]["type"] == "uri":
                st["types"].append(r["o"]["value"])
            continue
        if p in STATEMENT_SKIP:
            continue
        st["props"][p].append(_val(r["o"], names))
    _label_intervals(stmts)
    summaries = _summaries(list(stmts))
    few = [s for s in stmts if summaries.get(s, {}).get("claims", 0) <= INLINE_CLAIMS]
    claims = claims_supporting(few) if with_claims else {}
    groups: dict[str, dict] = {}
    for s, st in stmts.items():
        cls = _statement_class(st["types"])
        st["props"] = [{"label": best_label(names.get(p), short(p)), "short": short(p), "vals": vs}
                       for p, vs in sorted(st["props"].items(), key=lambda kv: _prop_order(kv[0]))]
        st["summary"] = summaries.get(s, {"sources": 0, "claims": 0})
        st["dissent_why"] = DISSENT_WHY.get(cls, DISSENT_WHY[MG + "MembershipStatement"])
        st["claims"] = claims.get(s, [])
        st["claims_inline"] = with_claims and s in few
        g = groups.setdefault(cls, {"class": cls, "label": best_label(names.get(cls), short(cls)), "statements": []})
        g["statements"].append(st)
    missing = [cls for cls in groups if cls not in names]  # the classes are among the rows' values: labelled above
    class_names = labels(missing) if missing else {}
    for cls, g in groups.items():
        g["label"] = best_label(names.get(cls) or class_names.get(cls), short(cls))
    for g in groups.values():
        g["statements"].sort(key=lambda st: st["short"])
    # membership first: "which mechanisms is Japan in" is the first question on an actor's page
    ordered = sorted(groups.values(), key=lambda g: (g["class"] != MG + "MembershipStatement", g["label"]))
    _mark_repeats(ordered)
    return ordered


def _mark_repeats(groups: list[dict]) -> None:
    """Each quote once per page: one roster sentence supports a dozen memberships; after its
    first card the others point back to it."""
    seen: set[str] = set()
    for g in groups:
        for st in g["statements"]:
            for c in st["claims"]:
                c["repeat"] = c["iri"] in seen
                seen.add(c["iri"])


def evidence(stmt: str, page: int, source_id: str | None = None, publisher: str | None = None,
             since: DateAsGiven | None = None, until: DateAsGiven | None = None) -> tuple[list[dict], int]:
    """One page of the claims behind a statement, by source and position, and how many there are
    (those that pass the filters: one source by id, a publisher by name or id, case-insensitively,
    claims speaking for some day from `since` to `until`, each as precise as given)."""
    t = term(stmt)
    filters = []
    if source_id:
        filters.append(f"FILTER(?sid0 = {iris.string(source_id)})")
    if publisher:
        # the publisher's label in any language, its literal name or its IRI (rfi, epoch-times)
        filters.append(f"""FILTER EXISTS {{ ?src0 dcterms:publisher ?pub0 .
                             OPTIONAL {{ ?pub0 skos:prefLabel|rdfs:label ?pubName0 }}
                             FILTER(CONTAINS(LCASE(STR(COALESCE(?pubName0, ?pub0))), {iris.string(publisher.casefold())})
                                    || CONTAINS(LCASE(STR(?pub0)), {iris.string(publisher.casefold())})) }}""")
    if since:  # the claim's last covered day is on or after the first day of `since`
        filters.append(f'?claim mg:asOfLatest ?last0 . FILTER(?last0 >= "{since.earliest.isoformat()}"^^xsd:date)')
    if until:
        filters.append(f'?claim mg:asOfEarliest ?first0 . FILTER(?first0 <= "{until.latest.isoformat()}"^^xsd:date)')
    where = f"""?claim mg:supports {t} ; prov:wasQuotedFrom ?src0 . OPTIONAL {{ ?src0 dcterms:identifier ?sid0 }}
                {" ".join(filters)}"""
    total = int(select(f"SELECT (COUNT(DISTINCT ?claim) AS ?n) WHERE {{ {where} }}")[0]["n"]["value"])
    pattern = f"""{{ SELECT DISTINCT ?claim WHERE {{ {where}
        OPTIONAL {{ ?claim mg:anchor/oa:hasSelector ?p0 . ?p0 a oa:TextPositionSelector ; oa:start ?st0 }} }}
        ORDER BY ?sid0 ?st0 ?claim LIMIT {EVIDENCE_PAGE} OFFSET {max(page - 1, 0) * EVIDENCE_PAGE} }}
      BIND({t} AS ?key)"""
    return _claims([stmt], pattern, values=False).get(stmt, []), total


INTERVAL_QUERY = """SELECT ?i ?b ?e WHERE { VALUES ?i { %s } ?i a time:Interval .
  OPTIONAL { ?i time:hasBeginning/(time:inXSDgYear|time:inXSDgYearMonth|time:inXSDDate|time:inXSDDateTimeStamp) ?b }
  OPTIONAL { ?i time:hasEnd/(time:inXSDgYear|time:inXSDgYearMonth|time:inXSDDate|time:inXSDDateTimeStamp) ?e } }"""


def _label_intervals(stmts: dict) -> None:
    """A value that is a time interval (org:memberDuring) reads as its dates, "from 2011", not as
    the interval's own IRI (…/JPN#during); the dates as precise as the source gives them."""
    values = [v for st in stmts.values() for vs in st["props"].values() for v in vs
              if v["kind"] == "iri" and "#" in v["value"]]
    if not values:
        return
    rows = select(INTERVAL_QUERY % " ".join(term(i) for i in {v["value"] for v in values}))
    spans = {r["i"]["value"]: (r.get("b", {}).get("value"), r.get("e", {}).get("value")) for r in rows}
    for v in values:
        if v["value"] in spans:
            begin, end = spans[v["value"]]
            v["label"] = (f"{begin} – {end}" if begin and end else f"from {begin}" if begin
                          else f"until {end}" if end else "a period the source does not date")


def _statement_class(types: list[str]) -> str:
    specific = [t for t in types if t.startswith(MG) and t.endswith("Statement") and t != MG + "Statement"]
    return sorted(specific)[0] if specific else MG + "Statement"


def _prop_order(p: str) -> tuple:
    first = [ORG + "organization", MG + "mechanism", ORG + "member", MG + "subject"]
    return (first.index(p) if p in first else len(first), short(p))


CLAIM_QUERY = """SELECT ?key ?claim ?quote ?clean ?asOf ?source ?sourceId ?start ?end ?prefix ?suffix ?comment ?gloss ?valueText ?label WHERE {
  VALUES ?key { %s }
  %s
  ?claim prov:value ?quote ; prov:wasQuotedFrom ?source .
  OPTIONAL { ?source dcterms:identifier ?sourceId }
  OPTIONAL { ?claim mg:asOf ?asOf }
  OPTIONAL { ?claim rdfs:comment ?comment }
  OPTIONAL { ?claim mg:cleanText ?clean }
  OPTIONAL { ?claim mg:gloss ?gloss }
  OPTIONAL { ?claim mg:wording ?w . ?w mg:ofStatement ?key . OPTIONAL { ?w mg:valueText ?valueText } OPTIONAL { ?w dcterms:description ?label } }
  OPTIONAL { ?claim mg:anchor ?a . ?a oa:hasSelector ?pos . ?pos a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end }
  OPTIONAL { ?claim mg:anchor ?a2 . ?a2 oa:hasSelector ?q . ?q a oa:TextQuoteSelector .
             OPTIONAL { ?q oa:prefix ?prefix } OPTIONAL { ?q oa:suffix ?suffix } }
}"""


def _claims(keys: list[str], pattern: str, values: bool = True) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    if not keys:
        return out
    rows = []
    for chunk in (keys[i:i + 150] for i in range(0, len(keys), 150)):
        query = CLAIM_QUERY % (" ".join(term(k) for k in chunk), pattern)
        if not values:  # the pattern binds ?key itself (a subquery cannot see an outer VALUES)
            query = query.replace("VALUES ?key { %s }" % " ".join(term(k) for k in chunk), "", 1)
        rows += select(query, cap=20000)
    source_names = labels(_uris(rows, "source"))
    seen = set()
    for r in rows:
        key, c = r["key"]["value"], r["claim"]["value"]
        if (key, c) in seen:
            continue
        seen.add((key, c))
        out[key].append(claim_dict(r, source_names))
    for v in out.values():
        v.sort(key=lambda c: (c["source_id"] or "", c["start"] if c["start"] is not None else -1))
    return out


def claims_supporting(statements: list[str]) -> dict[str, list[dict]]:
    return _claims(statements, "?claim mg:supports ?key .")


def claim_dict(r: dict, source_names: dict) -> dict:
    c, source = r["claim"]["value"], r["source"]["value"]
    start = int(r["start"]["value"]) if "start" in r else None
    end = int(r["end"]["value"]) if "end" in r else None
    anchor = f"claim-{start}-{end}" if start is not None else None
    source_path = iris.local_path(source)
    return {
        "iri": c, "href": href(c), "short": short(c),
        "quote": r["quote"]["value"], "lang": r["quote"].get("xml:lang"),
        "prefix": r.get("prefix", {}).get("value", ""), "suffix": r.get("suffix", {}).get("value", ""),
        # for reading: the quote without markup or pinyin glosses (mg:cleanText, made by the build)
        "clean": _worth_reading(r.get("clean", {}).get("value"), r["quote"]["value"]),
        "as_of": r.get("asOf", {}).get("value"), "comment": r.get("comment", {}).get("value"),
        "gloss": r.get("gloss", {}).get("value"),  # the annotator's English, where the annotation gives one
        "source": source, "source_id": r.get("sourceId", {}).get("value"),
        "source_label": best_label(source_names.get(source), short(source)),
        "source_href": (source_path + (f"#{anchor}" if anchor else "")) if source_path else source,
        "start": start, "end": end, "anchor": anchor,
        # where the key is a statement: this claim's own wording of it (issue 21)
        "value_text": r.get("valueText", {}).get("value"), "label": r.get("label", {}).get("value"),
    }


def _worth_reading(clean: str | None, quote: str) -> str | None:
    """The clean text when it takes out more than whitespace (a table row reads better with its tabs)."""
    if clean and "".join(clean.split()) != "".join(quote.split()):
        return clean
    return None


def claim(iri: str) -> dict | None:
    rows = select(CLAIM_QUERY % (term(iri), "BIND(?key AS ?claim)"))
    if not rows:
        return None
    return claim_dict(rows[0], labels(_uris(rows, "source")))


def claim_statements(iri: str) -> list[dict]:
    t = term(iri)
    rows = select(f"SELECT DISTINCT ?stmt ?p ?o WHERE {{ {t} mg:supports ?stmt . ?stmt ?p ?o {_SKIP_FILTER} }}", cap=20000)
    return _statement_groups(rows, with_claims=False)


def claim_wordings(iri: str) -> list[dict]:
    """This claim's own words for each statement it supports (issue 21: mg:Wording): the figure as
    written, its label of an event, the parties it names; shown beside its own quote."""
    rows = select(f"""SELECT ?stmt ?text ?label ?party ?what ?of WHERE {{ {term(iri)} mg:wording ?w . ?w mg:ofStatement ?stmt .
                        OPTIONAL {{ ?w mg:valueText ?text }} OPTIONAL {{ ?w dcterms:description ?label }}
                        OPTIONAL {{ ?w mg:participant ?party }}
                        OPTIONAL {{ ?stmt mg:indicator|mg:eventType ?what }} OPTIONAL {{ ?stmt mg:subject|mg:about ?of }} }}""")
    names = labels(_uris(rows, "stmt", "party", "what", "of"))
    out: dict[str, dict] = {}
    for r in rows:
        st = out.get(r["stmt"]["value"])
        if st is None:
            statement = _val(r["stmt"], names)
            # named by what it says ("investment amount · US–Australia framework"), not by its IRI's slug
            said = [_val(r[k], names)["label"] for k in ("what", "of") if r.get(k)]
            if said:
                statement["label"] = " · ".join(said)
            st = out[r["stmt"]["value"]] = {"statement": statement, "text": None, "label": None, "parties": []}
        st["text"] = st["text"] or (r.get("text") or {}).get("value")
        st["label"] = st["label"] or (r.get("label") or {}).get("value")
        if r.get("party") and all(p["value"] != r["party"]["value"] for p in st["parties"]):
            st["parties"].append(_val(r["party"], names))
    return sorted(out.values(), key=lambda w: w["statement"]["value"])


def claim_mentions(iri: str) -> list[dict]:
    rows = select(f"SELECT DISTINCT ?e WHERE {{ {term(iri)} mg:mentions ?e }}")
    names = labels(_uris(rows, "e"))
    return sorted((_val(r["e"], names) for r in rows), key=lambda v: v["label"])


def mentions(iri: str, literals: dict) -> dict | None:
    """How often the sources mention the entity, from the build's summary on it
    (rules/mention-summary.rq), and per source where there are few."""
    times, sources = literals.get(MG + "mentionCount"), literals.get(MG + "mentionSourceCount")
    if not times or not sources:
        return None
    by_source = _mentions_by_source(iri) if int(sources) <= MENTION_SOURCES else []
    return {"times": int(times), "sources": int(sources), "by_source": by_source}


def _mentions_by_source(iri: str) -> list[dict]:
    rows = select(f"""SELECT ?source ?sourceId (COUNT(DISTINCT ?m) AS ?n) WHERE {{
                        ?m a mg:Mention ; oa:hasBody {term(iri)} ; oa:hasTarget ?t . ?t oa:hasSource ?source .
                        OPTIONAL {{ ?source dcterms:identifier ?sourceId }} }} GROUP BY ?source ?sourceId ORDER BY ?sourceId""")
    names = labels(_uris(rows, "source"))
    return [{"source": _val(r["source"], names), "id": r.get("sourceId", {}).get("value"),
             "count": int(r["n"]["value"])} for r in rows]


# -- sources --------------------------------------------------------------------------------
def source_claims(iri: str) -> list[dict]:
    rows = select(CLAIM_QUERY % (term(iri), "?claim prov:wasQuotedFrom ?key ."), cap=20000)
    names = labels(_uris(rows, "source"))
    claims, seen = [], set()
    for r in rows:
        if r["claim"]["value"] in seen:
            continue
        seen.add(r["claim"]["value"])
        claims.append(claim_dict(r, names))
    counts = select(f"""SELECT ?claim (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?claim prov:wasQuotedFrom {term(iri)} ;
                          mg:supports ?s }} GROUP BY ?claim""")
    n = {r["claim"]["value"]: int(r["n"]["value"]) for r in counts}
    for c in claims:
        c["statements"] = n.get(c["iri"], 0)
    return sorted(claims, key=lambda c: (c["start"] if c["start"] is not None else -1, -(c["end"] or 0)))


def sources() -> list[dict]:
    rows = select("""SELECT ?s ?id ?issued ?notBefore ?lang ?kind ?chars (COUNT(DISTINCT ?c) AS ?claims) WHERE {
                       ?s a mg:SourceDocument .
                       OPTIONAL { ?s dcterms:identifier ?id } OPTIONAL { ?s dcterms:issued ?issued }
                       OPTIONAL { ?s mg:notBefore ?notBefore } OPTIONAL { ?s dcterms:language ?lang }
                       OPTIONAL { ?s mg:documentKind ?kind } OPTIONAL { ?s mg:characterCount ?chars }
                       OPTIONAL { ?c prov:wasQuotedFrom ?s } }
                     GROUP BY ?s ?id ?issued ?notBefore ?lang ?kind ?chars ORDER BY ?id""")
    titles = select("SELECT ?s ?t WHERE { ?s a mg:SourceDocument ; dcterms:title ?t }")
    by = defaultdict(dict)
    for r in titles:
        by[r["s"]["value"]][graph.lang_key(r["t"].get("xml:lang", ""))] = r["t"]["value"]
    out = []
    for r in rows:
        s = r["s"]["value"]
        get = lambda k: r.get(k, {}).get("value")  # noqa: E731
        out.append({"iri": s, "href": href(s), "id": get("id"), "titles": by.get(s, {}),
                    "title": best_label(by.get(s), short(s)), "date": get("issued") or (get("notBefore") and f"not before {get('notBefore')}"),
                    "language": get("lang"), "kind": get("kind"), "chars": get("chars"), "claims": int(get("claims") or 0)})
    return out


def class_counts(stats: dict) -> list[dict]:
    classes = {c: n for c, n in (stats.get("classes") or {}).items() if c.startswith(MG)}
    names = labels(list(classes))
    return sorted(({"iri": c, "short": short(c), "count": n, "label": best_label(names.get(c), short(c)),
                    "zh": (names.get(c) or {}).get("zh-Hans")} for c, n in classes.items()),
                  key=lambda d: d["label"])


def examples(limit: int = 6) -> list[dict]:
    """A few entities to start browsing from: the mechanisms with the most supported statements."""
    rows = select(f"""SELECT ?e (COUNT(DISTINCT ?st) AS ?n) WHERE {{ ?e a mg:Mechanism .
                        ?st a mg:Statement ; ?p ?e . FILTER(!STRSTARTS(STR(?e), "{iris.id_base()}stmt/")) }}
                      GROUP BY ?e ORDER BY DESC(?n) LIMIT {int(limit)}""")
    names = labels(_uris(rows, "e"))
    return [_val(r["e"], names) for r in rows]

