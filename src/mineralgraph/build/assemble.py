"""Assemble the asserted graphs: the gazetteer's and one named graph per source (sourcegraphs.py
caches them, runs them in parallel and adds the ontology's).

A source graph holds the document's description, its mention index, its claims (each with the
verbatim quote and Web Annotation selectors) and the statements they support.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from ..core.dates import parse_date
from ..core.errors import InputError
from ..core.namespaces import (
    FOAF,
    ID,
    MG,
    OA,
    ORG,
    WD,
    claim_iri,
    mention_iri,
    source_iri,
    table_iri,
)
from .annotations import ClaimSpec, StatementSpec, parse_annotation_file
from .extract.compounds import compound_prefix, resolve_compound
from .extract.table import find_tables
from .gazetteer import Entity, Gazetteer
from .ontology import Vocabulary
from .quotes import Located, locate
from .sources import Source
from .statements import BUILDERS, ClaimContext, build_founding, classification, membership
from .text import AnalysisText, is_cjk, normalise, to_simplified
from .tripleset import TripleSet

MINERAL_SCHEME = ID["mineral"]

# How gazetteer families and their `type:` become classes of the ontology.
FAMILY_CLASS = {
    "country": MG.Country,
    "org": MG.Organisation,
    "region": MG.Region,
    "person": MG.Person,
    "mechanism": MG.Mechanism,
    "policy": MG.Policy,
    "mineral": MG.Mineral,
    "list": MG.CriticalMineralList,
    "indicator": MG.Indicator,
    "unit": MG.Unit,
    "category": MG.StatisticCategory,
}
ORG_TYPE_CLASS = {
    "supranational": MG.SupranationalUnion,
    "agency": MG.GovernmentAgency,
    "company": MG.Company,
    "research": MG.ResearchBody,
    "media": MG.MediaOrganisation,
}
POLICY_TYPE_CLASS = {
    "executive-order": MG.ExecutiveOrder,
    "legislation": MG.Legislation,
    "strategy": MG.Strategy,
    "report": MG.Report,
    "programme": MG.Programme,
    "agreement": MG.Agreement,
    "mou": MG.MemorandumOfUnderstanding,
    "statement": MG.Declaration,
}
# SKOS vocabularies kept in the gazetteer: concept schemes, not things the sources mention.
VOCABULARY_FAMILIES = {"indicator": "Indicators", "unit": "Units", "category": "Statistic categories"}
QUOTE_CONTEXT = 32  # characters of prefix/suffix kept in a TextQuoteSelector


@dataclass
class SourceReport:
    """What the build made of one source, for the coverage report."""

    source: Source
    claims: int = 0
    mentions: int = 0
    statements: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)


def describe_gazetteer(gazetteer: Gazetteer, vocab: Vocabulary) -> Graph:
    g = Graph()
    g.add((MINERAL_SCHEME, RDF.type, SKOS.ConceptScheme))
    g.add((MINERAL_SCHEME, SKOS.prefLabel, Literal("Minerals", lang="en")))
    g.add((MINERAL_SCHEME, SKOS.prefLabel, Literal("矿产", lang="zh-Hans")))
    for e in gazetteer.entities:
        iri = e.iri
        g.add((iri, RDF.type, _entity_class(e)))
        for lang, label in e.labels.items():
            g.add((iri, SKOS.prefLabel, Literal(label, lang=lang)))
        for variant in e.variants:
            g.add((iri, SKOS.altLabel, Literal(variant, lang=_guess_lang(variant))))
        for abbr in e.abbreviations:
            g.add((iri, MG.abbreviation, Literal(abbr)))
        for s in e.short:
            g.add((iri, MG.shortName, Literal(s, lang="zh")))
        d = e.data
        if d.get("iso3"):
            g.add((iri, MG.iso3166Alpha3, Literal(str(d["iso3"]))))
        if d.get("symbol"):
            g.add((iri, MG.elementSymbol, Literal(str(d["symbol"]))))
        if d.get("wikidata"):
            g.add((iri, SKOS.exactMatch, WD[str(d["wikidata"])]))
        if d.get("qudt"):
            g.add((iri, SKOS.exactMatch, URIRef(str(d["qudt"]))))
        if d.get("definition"):
            g.add((iri, SKOS.definition, Literal(str(d["definition"]), lang="en")))
        if e.family == "mechanism" and d.get("form"):
            form = vocab.forms.get(str(d["form"]))
            if form is None:
                raise InputError(f"unknown form {d['form']!r}; one of {sorted(vocab.forms)}", e.file, e.line)
            g.add((iri, MG.form, form))
        if e.family == "mineral":
            g.add((iri, SKOS.inScheme, MINERAL_SCHEME))
            for narrower in d.get("narrower") or []:
                g.add((iri, SKOS.narrower, _ref(gazetteer, "mineral", narrower, e).iri))
            if d.get("broader"):
                g.add((iri, SKOS.broader, _ref(gazetteer, "mineral", d["broader"], e).iri))
        if e.family == "org":
            for key, prop in (("parent", ORG.subOrganizationOf), ("acts_for", MG.actsFor)):
                if d.get(key):
                    target = _ref_any(gazetteer, d[key], e, {"country", "org"})
                    g.add((iri, prop, target.iri))
        if e.family == "policy":  # like a list's issuer, a policy's number and issuer identify it
            if d.get("number"):
                g.add((iri, MG.documentNumber, Literal(str(d["number"]))))
            issuers = d.get("issuer") or []
            for issuer in [issuers] if isinstance(issuers, str) else issuers:
                g.add((iri, MG.issuer, _ref_any(gazetteer, issuer, e, {"country", "org", "mechanism"}).iri))
        if e.family == "list" and d.get("issuer"):
            # a list series is identified by who keeps it ("the US list"): part of its identity
            g.add((iri, MG.issuer, _ref_any(gazetteer, d["issuer"], e, {"country", "org"}).iri))
        if e.family in VOCABULARY_FAMILIES:
            g.add((iri, SKOS.inScheme, ID[e.family]))
        # issue 21: a currency's ISO 4217 code, and the indicators a reader compares with this one
        if e.family == "unit" and d.get("iso4217"):
            g.add((iri, SKOS.notation, Literal(str(d["iso4217"]), datatype=MG.iso4217)))
        if e.family == "indicator":
            for other in d.get("related") or []:
                g.add((iri, SKOS.related, _ref(gazetteer, "indicator", other, e).iri))
    for family in VOCABULARY_FAMILIES:
        g.add((ID[family], RDF.type, SKOS.ConceptScheme))
        g.add((ID[family], SKOS.prefLabel, Literal(VOCABULARY_FAMILIES[family], lang="en")))
    return g


def _entity_class(e: Entity) -> URIRef:
    if e.family == "org":
        return ORG_TYPE_CLASS.get(str(e.data.get("type")), MG.Organisation)
    if e.family == "policy":
        return POLICY_TYPE_CLASS.get(str(e.data.get("type")), MG.Policy)
    if e.family == "mineral" and e.data.get("group"):
        return MG.MineralGroup
    return FAMILY_CLASS[e.family]


def _ref(gazetteer: Gazetteer, family: str, slug, owner: Entity) -> Entity:
    target = gazetteer.get(family, str(slug))
    if target is None:
        raise InputError(f"{owner.family} {owner.id!r} refers to unknown {family} {slug!r}", owner.file, owner.line)
    return target


def _ref_any(gazetteer: Gazetteer, ref, owner: Entity, families) -> Entity:
    try:
        return gazetteer.resolve(ref, families)
    except LookupError as exc:
        raise InputError(f"{owner.family} {owner.id!r}: {exc}", owner.file, owner.line) from None


def _guess_lang(text: str) -> str:
    if all(ord(c) < 0x2E80 for c in text):
        return "en"
    return "zh-Hans" if to_simplified(text) == text else "zh-Hant"


# ----------------------------------------------------------------------------------------------


def describe_quote(g: Graph, claim: URIRef, source: URIRef, text: str, start: int, end: int, lang: str) -> None:
    """A claim's verbatim quote and where it stands: a Web Annotation specific resource on the
    source with a TextPositionSelector (code-point offsets) and a TextQuoteSelector (exact text
    with some context, so the quote can be found again if offsets are ever in doubt)."""
    exact = text[start:end]
    anchor, position, quote = (URIRef(f"{claim}#{x}") for x in ("anchor", "position", "quote"))
    g.add((claim, PROV.wasQuotedFrom, source))
    g.add((claim, PROV.value, Literal(exact, lang=lang)))
    g.add((claim, MG.anchor, anchor))
    g.add((anchor, RDF.type, OA.SpecificResource))
    g.add((anchor, OA.hasSource, source))
    g.add((anchor, OA.hasSelector, position))
    g.add((anchor, OA.hasSelector, quote))
    g.add((position, RDF.type, OA.TextPositionSelector))
    g.add((position, OA.start, Literal(start, datatype=XSD.nonNegativeInteger)))
    g.add((position, OA.end, Literal(end, datatype=XSD.nonNegativeInteger)))
    g.add((quote, RDF.type, OA.TextQuoteSelector))
    g.add((quote, OA.exact, Literal(exact)))
    g.add((quote, OA.prefix, Literal(text[max(0, start - QUOTE_CONTEXT) : start])))
    g.add((quote, OA.suffix, Literal(text[end : end + QUOTE_CONTEXT])))


class SourceAssembler:
    """Builds one source's named graph."""

    def __init__(self, source: Source, gazetteer: Gazetteer, vocab: Vocabulary):
        self.source = source
        self.gazetteer = gazetteer
        self.vocab = vocab
        self.text: AnalysisText = normalise(source.text, source.markup, source.pinyin_annotations)
        self.graph = TripleSet()
        self.report = SourceReport(source)
        # a name shared by entries valid at different times goes to the one of the source's date
        when = parse_date(source.as_of) if source.as_of else None
        self.mentions = gazetteer.find_mentions(self.text, when=when)
        self._mention_starts = [m.start for m in self.mentions]  # in order: found left to right
        self._claims: dict[URIRef, URIRef] = {}

    # -- the document ---------------------------------------------------------------------
    def describe_source(self) -> None:
        s, g, src = source_iri(self.source.id), self.graph, self.source
        g.add((s, RDF.type, MG.SourceDocument))
        g.add((s, DCTERMS.identifier, Literal(src.id)))
        g.add((s, RDFS.label, Literal(f"{src.id}: {src.title.get('en') or next(iter(src.title.values()))}", lang="en")))
        for lang, title in src.title.items():
            g.add((s, DCTERMS.title, Literal(title, lang=lang)))
        for creator in src.creator:
            g.add((s, DCTERMS.creator, Literal(creator)))
        if isinstance(src.publisher, dict) and src.publisher.get("org"):
            try:
                g.add((s, DCTERMS.publisher, self.gazetteer.resolve(src.publisher["org"], {"org"}).iri))
            except LookupError as exc:
                raise InputError(f"source {src.id} publisher: {exc}", None, src.line) from None
        elif isinstance(src.publisher, dict):
            for lang, name in src.publisher.items():
                g.add((s, DCTERMS.publisher, Literal(name, lang=lang)))
        if src.date:
            g.add((s, DCTERMS.issued, parse_date(src.date).literal))
        if src.not_before:
            g.add((s, MG.notBefore, parse_date(src.not_before).literal))
        if src.url:
            g.add((s, FOAF.page, URIRef(src.url)))
        g.add((s, DCTERMS.language, Literal(src.language)))
        g.add((s, DCTERMS.format, Literal("text/plain; charset=utf-8")))
        g.add((s, MG.documentKind, Literal(src.kind)))
        g.add((s, MG.sha256, Literal(src.sha256)))
        g.add((s, MG.characterCount, Literal(len(src.text), datatype=XSD.nonNegativeInteger)))

    def index_mentions(self) -> None:
        """The mention index: each place a gazetteer entity is named (Web Annotation, motivation identifying)."""
        s, g = source_iri(self.source.id), self.graph
        # the terms looked up once, not per mention (a namespace attribute is a slow lookup, and a
        # source has hundreds of mentions: 5% of extraction)
        a, count = RDF.type, XSD.nonNegativeInteger
        mention, surface, mentions = MG.Mention, MG.surfaceForm, MG.mentions
        motivated_by, identifying, body, target_of = OA.motivatedBy, OA.identifying, OA.hasBody, OA.hasTarget
        specific, has_source, has_selector = OA.SpecificResource, OA.hasSource, OA.hasSelector
        position, at_start, at_end = OA.TextPositionSelector, OA.start, OA.end
        for m in self.mentions:
            start, end = self.text.original_span(m.start, m.end)
            iri = mention_iri(self.source.id, start, end)
            if m.entity.family in VOCABULARY_FAMILIES:
                continue
            target = URIRef(f"{iri}#target")
            selector = URIRef(f"{iri}#position")
            g.add((iri, a, mention))
            g.add((iri, motivated_by, identifying))
            g.add((iri, body, m.entity.iri))
            g.add((iri, target_of, target))
            g.add((iri, surface, Literal(m.surface, lang=self.source.language)))
            g.add((target, a, specific))
            g.add((target, has_source, s))
            g.add((target, has_selector, selector))
            g.add((selector, a, position))
            g.add((selector, at_start, Literal(start, datatype=count)))
            g.add((selector, at_end, Literal(end, datatype=count)))
            g.add((s, mentions, m.entity.iri))
            self.report.mentions += 1

    # -- claims ---------------------------------------------------------------------------
    def add_claim(self, spec: ClaimSpec) -> URIRef:
        located = locate(self.source, self.text, spec.quote, spec.occurrence, path=spec.path, line=spec.line)
        return self.add_located_claim(located, spec.statements, spec.as_of, spec.exhaustive, spec.path, spec.line, spec.note, spec.gloss)

    def add_located_claim(self, located: Located, statements: list[StatementSpec], as_of, exhaustive, path, line, note=None,
                          gloss=None) -> URIRef:
        claim = self._claim_node(located, as_of, path, line)
        ctx = ClaimContext(self.gazetteer, self.vocab, self.source, self.text, located, self.graph, path, line, exhaustive)
        ctx.claim = claim  # the claim's own wording of each statement is keyed on it
        for st in statements:
            for iri in BUILDERS[st.type](ctx, st.fields, st.line):
                self.graph.add((claim, MG.supports, iri))
            self.report.statements[st.type] += 1
        complete = exhaustive if exhaustive is not None else ctx.enumeration_complete
        if complete is not None:
            self.graph.set((claim, MG.enumerationComplete, Literal(bool(complete))))
        if note:
            self.graph.add((claim, RDFS.comment, Literal(str(note), lang="en")))
        if gloss:
            self.graph.add((claim, MG.gloss, Literal(str(gloss), lang="en")))
        return claim

    def _claim_node(self, located: Located, as_of, path, line) -> URIRef:
        g, src = self.graph, self.source
        claim = claim_iri(src.id, located.start, located.end)
        if claim in self._claims:
            return claim
        self._claims[claim] = claim
        self.report.claims += 1
        s = source_iri(src.id)
        when = as_of or src.as_of
        if when is None:
            raise InputError(f"claim needs `as_of:`: source {src.id} has no date", path, line)
        try:
            date = parse_date(when)
        except ValueError as exc:
            raise InputError(f"as_of: {exc}", path, line) from None
        g.add((claim, RDF.type, MG.Claim))
        # A quote from an English footnote or abstract is English, whatever the source's language.
        lang = src.language if any(is_cjk(c) for c in located.exact) else "en"
        describe_quote(g, claim, s, src.text, located.start, located.end, lang)
        clean = self.text.clean[located.a_start : located.a_end]
        if clean != located.exact:
            g.add((claim, MG.cleanText, Literal(clean, lang=lang)))
        g.add((claim, MG.asOf, date.literal))
        g.add((claim, MG.asOfPrecision, date.precision))
        # the days it covers, so that queries can compare a year with a day
        g.add((claim, MG.asOfEarliest, date.earliest_literal))
        g.add((claim, MG.asOfLatest, date.latest_literal))
        # the mentions inside the quote (a claim looked at every mention of the source: 4% of extraction)
        first = bisect_left(self._mention_starts, located.a_start)
        last = bisect_left(self._mention_starts, located.a_end, first)
        for m in self.mentions[first:last]:
            if m.end <= located.a_end and m.entity.family not in VOCABULARY_FAMILIES:
                g.add((claim, MG.mentions, m.entity.iri))
        return claim

    # -- tables ---------------------------------------------------------------------------
    def extract_tables(self) -> None:
        """Mechanism tables: each row a claim for the mechanism's kind, founding year and abbreviation;
        parties of bilateral rows from the compound in the name (美巴 …), resolved from context."""
        for position, rows in enumerate(find_tables(self.source.text, set(self.vocab.kind_labels)), 1):
            if not rows:
                continue
            table = self._describe_table(rows[0].caption, position)
            for number, row in enumerate(rows, 1):
                self._table_row(row, table, number)

    def _describe_table(self, caption: str | None, position: int) -> URIRef:
        """The table as a resource, part of its source; numbered as its caption numbers it (表1)."""
        match = re.match(r"^表\s*(\d+)", caption or "")
        number = int(match.group(1)) if match else position
        table = table_iri(self.source.id, number)
        g = self.graph
        g.add((table, RDF.type, MG.SourceTable))
        g.add((table, DCTERMS.isPartOf, source_iri(self.source.id)))
        g.add((table, DCTERMS.identifier, Literal(f"{self.source.id}/table/{number}")))
        g.add((table, MG.tableNumber, Literal(number, datatype=XSD.positiveInteger)))
        g.add((table, SKOS.prefLabel, Literal(f"Table {number} of source {self.source.id}", lang="en")))
        if caption:
            g.add((table, DCTERMS.title, Literal(caption, lang=self.source.language)))
        return table

    def _table_row(self, row, table: URIRef, number: int) -> None:
        try:
            mech = self.gazetteer.resolve(row.name, {"mechanism"})
        except LookupError as exc:
            raise InputError(f"table row {row.text!r}: {exc}", self.source.path) from None
        exact = self.source.text[row.line_start : row.line_end]
        a_start = self.text.analysis_index(row.line_start)
        a_end = self.text.analysis_index(row.line_end)
        located = Located(row.line_start, row.line_end, exact, a_start, a_end)
        claim = self._claim_node(located, None, self.source.path, None)
        self.graph.add((claim, MG.inTable, table))
        self.graph.add((claim, MG.tableRow, Literal(number, datatype=XSD.positiveInteger)))
        ctx = ClaimContext(self.gazetteer, self.vocab, self.source, self.text, located, self.graph, self.source.path, None)
        supported = []
        if row.type_label:
            supported.append(classification(ctx, mech, self.vocab.kind_labels[row.type_label]))
            self.report.statements["classification"] += 1
        if row.year:
            supported += build_founding(ctx, {"mechanism": mech.id, "date": row.year}, None)
            self.report.statements["founding"] += 1
        if row.abbreviation:
            self.graph.add((mech.iri, MG.abbreviation, Literal(row.abbreviation)))
        for st in supported:
            self.graph.add((claim, MG.supports, st))
        self._table_parties(row, mech, claim, ctx)

    def _table_parties(self, row, mech: Entity, claim: URIRef, ctx: ClaimContext) -> None:
        prefix = compound_prefix(row.name, self.gazetteer)
        if not prefix:
            return
        a_row = (self.text.analysis_index(row.line_start), self.text.analysis_index(row.line_end))
        for res in resolve_compound(prefix, mech, self.text, self.mentions, self.gazetteer, exclude_span=a_row):
            if res.entity is None:
                options = ", ".join(e.id for e in res.candidates) or "none"
                self.report.notes.append(f"{mech.id}: party {res.char!r} of {row.name} not resolved from context (candidates: {options})")
                continue
            party = res.entity
            st = membership(ctx, mech, party, None, self.vocab.roles.get("party"), None, None)
            self.graph.add((claim, MG.supports, st))
            self.report.statements["membership"] += 1
            if res.evidence is not None:
                self._context_claim(res.evidence, st)

    def _context_claim(self, mention, statement: URIRef) -> None:
        """The sentence that names the party in full next to the mechanism supports the membership too."""
        original = self.source.text
        m_start, m_end = self.text.original_span(mention.start, mention.end)
        start = max(original.rfind(ch, 0, m_start) for ch in "。；！？\n") + 1
        ends = [i for i in (original.find(ch, m_end) for ch in "。；！？\n") if i != -1]
        end = min(ends) + 1 if ends else len(original)
        while start < end and original[start].isspace():
            start += 1
        while end > start and original[end - 1].isspace():
            end -= 1
        located = Located(start, end, original[start:end], self.text.analysis_index(start), self.text.analysis_index(end))
        claim = self._claim_node(located, None, self.source.path, None)
        self.graph.add((claim, MG.supports, statement))


def assemble_source(source: Source, gazetteer: Gazetteer, vocab: Vocabulary, annotation_paths) -> SourceAssembler:
    """One source's graph, every step in order: its description, the mention index, its tables,
    then the claims of its annotation files. The one sequence the build and `check` both run."""
    asm = SourceAssembler(source, gazetteer, vocab)
    asm.describe_source()
    asm.index_mentions()
    asm.extract_tables()
    for path in annotation_paths:
        ann = parse_annotation_file(path)
        if ann.source_id != source.id:
            raise InputError(
                f"this file is named for source {source.id} but says `source: {ann.source_id!r}`; "
                f"use source: \"{source.id}\" or rename the file",
                path,
                1,
            )
        for spec in ann.claims:
            asm.add_claim(spec)
    return asm
