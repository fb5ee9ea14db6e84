"""Statement builders: one function per statement type of the annotation format (docs/DATA.md).

Each builder writes the statement node (and the few direct triples users query without
unfolding statements) into the claim's source graph and returns the IRIs the claim supports.
Statement IRIs are minted from their content, so two sources reporting the same fact support
one statement, and two sources reporting different values give two statements.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS, TIME, XSD

from ..core.dates import DateAsGiven, parse_date
from ..core.errors import InputError
from ..core.namespaces import MG, ORG, list_version_iri, source_iri, statement_iri
from .extract.enumeration import enumeration_in, mentions_in
from .gazetteer import Entity, Gazetteer, Mention
from .ontology import Vocabulary
from .quotes import Located
from .sources import Source
from .text import AnalysisText

ACTORS = {"country", "org", "person"}
ISSUERS = ACTORS | {"mechanism"}  # IGOs in Table 1 (IEA, IRENA) are mechanisms that publish
MEMBER_FAMILIES = {"country", "org"}
PARTY_FAMILIES = ACTORS | {"mechanism", "policy", "region"}  # who may fund, receive, partner or estimate


@dataclass
class ClaimContext:
    gazetteer: Gazetteer
    vocab: Vocabulary
    source: Source
    text: AnalysisText
    located: Located
    graph: Graph  # the source's named graph
    path: Path
    line: int | None
    exhaustive: bool | None = None  # the annotation's override
    enumeration_complete: bool | None = None  # set by builders that read an enumeration
    mentioned: list[Entity] = field(default_factory=list)
    claim: URIRef | None = None  # the claim being built: its own wording of each statement hangs on it

    def fail(self, message: str, line: int | None = None) -> InputError:
        return InputError(message, self.path, line or self.line)

    def resolve(self, ref, families: set[str], line: int | None = None) -> Entity:
        try:
            return self.gazetteer.resolve(ref, families)
        except LookupError as exc:
            raise self.fail(str(exc), line) from None

    def resolve_list(self, refs, families: set[str], line=None) -> list[Entity]:
        if isinstance(refs, (str, int)):
            refs = [refs]
        return [self.resolve(r, families, line) for r in refs or []]

    def quote_mentions(self, families: set[str]) -> list[Mention]:
        return mentions_in(self.gazetteer, self.text, self.located.a_start, self.located.a_end, families)


# ----------------------------------------------------------------------------------------------
# wording: what one claim says of one statement in its own words (issue 21)


def wording(ctx: ClaimContext, st: URIRef, value_text=None, label=None, participants=()) -> URIRef | None:
    """The claim's own words for a statement two sources may share: the figure as written, an
    event's label, the parties this claim names. Keyed on (claim, statement), since one claim
    supports several statements and one statement has claims from several sources."""
    if ctx.claim is None or not (value_text or label or participants):
        return None
    w = URIRef(f"{ctx.claim}/wording/{hashlib.sha1(str(st).encode()).hexdigest()[:8]}")
    g = ctx.graph
    g.add((ctx.claim, MG.wording, w))
    g.add((w, RDF.type, MG.Wording))
    g.add((w, MG.ofStatement, st))
    if value_text:
        g.add((w, MG.valueText, Literal(str(value_text))))
    if label:
        g.add((w, DCTERMS.description, Literal(str(label), lang="en")))
    for p in participants:
        g.add((w, MG.participant, p.iri))
    return w


def date_literal(value, ctx: ClaimContext, line=None) -> DateAsGiven:
    """'2022', '2022-06' or '2022-06-14' -> the date at the precision the source gives."""
    try:
        return parse_date(value)
    except ValueError as exc:
        raise ctx.fail(str(exc), line) from None


def year_literal(value, ctx: ClaimContext, line=None) -> Literal:
    text = str(value)[:4]
    if not (text.isdigit() and 1800 <= int(text) <= 2100):
        raise ctx.fail(f"year must be between 1800 and 2100, not {value!r}", line)
    return Literal(text, datatype=XSD.gYear)


def _slug(value) -> str:
    return str(value).replace(" ", "-")


def _actors_from_quote(ctx: ClaimContext, exclude: set[Entity]) -> list[tuple[Entity, Entity | None]]:
    """(party, body named) for every actor the quote names; a body that acts for a party counts as that party."""
    out: list[tuple[Entity, Entity | None]] = []
    for m in ctx.quote_mentions(MEMBER_FAMILIES):
        party, body = _as_party(ctx.gazetteer, m.entity)
        if party in exclude or any(party is p for p, _ in out):
            continue
        out.append((party, body))
    return out


def _as_party(gazetteer: Gazetteer, entity: Entity) -> tuple[Entity, Entity | None]:
    acts_for = entity.data.get("acts_for")
    if acts_for:
        try:
            return gazetteer.resolve(acts_for, MEMBER_FAMILIES), entity
        except LookupError:
            return entity, None
    return entity, None


# ----------------------------------------------------------------------------------------------
# membership


def build_membership(ctx: ClaimContext, f: dict, line) -> list[URIRef]:
    mech = ctx.resolve(f.get("mechanism"), {"mechanism"}, line)
    spec = f.get("members", "auto")
    if spec == "auto":
        members = _actors_from_quote(ctx, exclude=set())
        enum = enumeration_in(ctx.gazetteer, ctx.text, ctx.located.a_start, ctx.located.a_end, MEMBER_FAMILIES)
        ctx.enumeration_complete = enum.complete if f.get("exhaustive") is None else bool(f["exhaustive"])
    else:
        members = [_as_party(ctx.gazetteer, e) for e in ctx.resolve_list(spec, MEMBER_FAMILIES, line)]
        if f.get("exhaustive") is not None:
            ctx.enumeration_complete = bool(f["exhaustive"])
    excluded = {e.id for e in ctx.resolve_list(f.get("exclude"), MEMBER_FAMILIES, line)}
    members = [(p, b) for p, b in members if p.id not in excluded]
    members += [_as_party(ctx.gazetteer, e) for e in ctx.resolve_list(f.get("add"), MEMBER_FAMILIES, line)]
    if not members:
        raise ctx.fail(f"membership of {mech.id}: no members found in the quote; list them with `members:`", line)
    role = None
    if f.get("role"):
        role = ctx.vocab.roles.get(str(f["role"]))
        if role is None:
            raise ctx.fail(f"unknown role {f['role']!r}; one of {sorted(ctx.vocab.roles)}", line)
    until = f.get("until")
    return [membership(ctx, mech, party, body, role, f.get("since"), line, until) for party, body in members]


def membership(ctx: ClaimContext, mech: Entity, party: Entity, body: Entity | None, role, since, line, until=None) -> URIRef:
    g = ctx.graph
    # A role is part of what is stated (the US as leader is another fact than the US as member),
    # and so is its end: a chair until 2026-06 (or a member that left) is another fact than one that goes on.
    parts = [mech.id, party.id] + ([str(role).rsplit("role-", 1)[-1]] if role is not None else [])
    if until:
        parts.append(f"until-{until}")
    st = statement_iri("membership", *parts)
    g.add((st, RDF.type, MG.MembershipStatement))
    g.add((st, ORG.member, party.iri))
    g.add((st, ORG.organization, mech.iri))
    if body is not None:
        g.add((st, MG.representedBy, body.iri))
    if role is not None:
        g.add((st, ORG.role, role))
    # the period: one time:Interval, its beginning and its end (the last date it holds, included:
    # docs/DATA.md), each an instant as precise as the source
    for given, edge, fragment in ((since, TIME.hasBeginning, "#beginning"), (until, TIME.hasEnd, "#end")):
        if not given:
            continue
        date = date_literal(given, ctx, line)
        interval, instant = URIRef(str(st) + "#during"), URIRef(str(st) + fragment)
        g.add((st, ORG.memberDuring, interval))
        g.add((interval, RDF.type, TIME.Interval))
        g.add((interval, edge, instant))
        g.add((instant, RDF.type, TIME.Instant))
        g.add((instant, date.instant_property, date.literal))
    return st


# ----------------------------------------------------------------------------------------------
# founding and classification


def build_founding(ctx: ClaimContext, f: dict, line) -> list[URIRef]:
    mech = ctx.resolve(f.get("mechanism"), {"mechanism"}, line)
    if not f.get("date"):
        raise ctx.fail(f"founding of {mech.id} needs a date (YYYY, YYYY-MM or YYYY-MM-DD)", line)
    date = date_literal(f["date"], ctx, line)
    st = statement_iri("founding", mech.id, str(f["date"]))
    g = ctx.graph
    g.add((st, RDF.type, MG.FoundingStatement))
    g.add((st, MG.mechanism, mech.iri))
    g.add((st, MG.foundingDate, date.literal))
    g.add((st, MG.foundingYear, year_literal(f["date"], ctx, line)))
    g.add((st, MG.datePrecision, date.precision))
    founders = f.get("founders")
    if founders == "auto":
        for party, _ in _actors_from_quote(ctx, exclude=set()):
            g.add((st, MG.founder, party.iri))
    else:
        for e in ctx.resolve_list(founders, ACTORS, line):
            g.add((st, MG.founder, _as_party(ctx.gazetteer, e)[0].iri))
    return [st]


def build_classification(ctx: ClaimContext, f: dict, line) -> list[URIRef]:
    mech = ctx.resolve(f.get("mechanism"), {"mechanism"}, line)
    kind = ctx.vocab.kinds.get(str(f.get("kind")))
    if kind is None:
        raise ctx.fail(f"kind must be one of {sorted(ctx.vocab.kinds)}, not {f.get('kind')!r}", line)
    return [classification(ctx, mech, kind)]


def classification(ctx: ClaimContext, mech: Entity, kind: URIRef) -> URIRef:
    g = ctx.graph
    st = statement_iri("classification", mech.id, str(kind).rsplit("#", 1)[-1])
    g.add((st, RDF.type, MG.ClassificationStatement))
    g.add((st, MG.mechanism, mech.iri))
    g.add((st, MG.classifiedAs, kind))
    g.add((mech.iri, MG.kind, kind))  # direct form; the reasoner types the mechanism from it
    return st


# ----------------------------------------------------------------------------------------------
# statistics


def build_statistic(ctx: ClaimContext, f: dict, line) -> list[URIRef]:
    subject = ctx.resolve(f.get("subject"), None, line)
    indicator = ctx.resolve(f.get("indicator"), {"indicator"}, line)
    unit = ctx.resolve(f.get("unit"), {"unit"}, line)
    if f.get("mineral") and f.get("minerals"):
        raise ctx.fail("a statistic names `mineral:` or `minerals:` (a figure over several), not both", line)
    mineral = ctx.resolve(f["mineral"], {"mineral"}, line) if f.get("mineral") else None
    try:
        value = Decimal(str(f.get("value")))
    except (InvalidOperation, ValueError):
        raise ctx.fail(f"statistic value must be a number, not {f.get('value')!r}", line) from None
    return [statistic(ctx, subject, indicator, unit, mineral, value, f, line)]


# The parties of a figure besides its subject, each a role of its own (docs/DATA.md).
STATISTIC_ROLES = {"funder": MG.funder, "recipient": MG.recipient, "partner": MG.partner, "estimated_by": MG.estimatedBy}


def statistic(ctx, subject: Entity, indicator: Entity, unit: Entity, mineral, value: Decimal, f: dict, line) -> URIRef:
    year = f.get("year")
    bound = ctx.vocab.bounds.get(str(f.get("bound", "exact")))
    if bound is None:
        raise ctx.fail(f"bound must be one of {sorted(ctx.vocab.bounds)}, not {f.get('bound')!r}", line)
    parties = {key: ctx.resolve_list(f.get(key), PARTY_FAMILIES, line) for key in STATISTIC_ROLES}
    category = ctx.resolve(f["category"], {"category"}, line) if f.get("category") else None
    period = _period(ctx, f.get("period"), line)
    # issue 21: one figure over several minerals, a value for each party, the policy behind it
    minerals = sorted(ctx.resolve_list(f.get("minerals"), {"mineral"}, line), key=lambda e: e.id)
    if mineral is None and minerals:
        mineral = minerals[0]  # the IRI's mineral part; every one is an mg:mineral below
    each = bool(f.get("each", False))
    policy = ctx.resolve(f["policy"], {"policy"}, line) if f.get("policy") else None
    extra = [",".join(e.id for e in minerals), "each" if each else "", policy.id if policy else ""]
    # Everything that makes two figures different facts is in the key (bound, parties, category, period).
    key = "|".join(
        str(x)
        for x in (
            subject.id, indicator.id, mineral.id if mineral else "", year or "", f.get("target_year") or "", value, unit.id,
            f.get("qualifier") or "", f.get("bound", "exact"), f.get("upper_value") or "", category.id if category else "",
            "-".join(period), *(",".join(e.id for e in parties[k]) for k in STATISTIC_ROLES),
        )
    )
    if any(extra):  # only then: the IRIs of figures written before issue 21 stay as they were
        key += "|" + "|".join(extra)
    digest = hashlib.sha1(key.encode()).hexdigest()[:8]
    parts = [subject.family, subject.id, indicator.id] + ([mineral.id] if mineral else []) + [str(year or "undated"), digest]
    st = statement_iri("statistic", *[_slug(p) for p in parts])
    g = ctx.graph
    g.add((st, RDF.type, MG.StatisticStatement))
    g.add((st, MG.subject, subject.iri))
    g.add((st, MG.indicator, indicator.iri))
    g.add((st, MG.unit, unit.iri))
    g.add((st, MG.value, Literal(value, datatype=XSD.decimal)))
    if mineral is not None:
        g.add((st, MG.mineral, mineral.iri))
    if year:
        g.add((st, MG.referenceYear, year_literal(year, ctx, line)))
    if f.get("target_year"):
        g.add((st, MG.targetYear, year_literal(f["target_year"], ctx, line)))
    # the figure as this source writes it: on the claim's wording, not on the shared statement
    wording(ctx, st, value_text=f.get("value_text"))
    if f.get("qualifier"):
        g.add((st, MG.qualifier, Literal(str(f["qualifier"]), lang="en")))
    g.add((st, MG.bound, bound))
    if f.get("upper_value") is not None:
        try:
            g.add((st, MG.upperValue, Literal(Decimal(str(f["upper_value"])), datatype=XSD.decimal)))
        except InvalidOperation:
            raise ctx.fail(f"upper_value must be a number, not {f['upper_value']!r}", line) from None
    for key, prop in STATISTIC_ROLES.items():
        for party in parties[key]:
            g.add((st, prop, party.iri))
    if category is not None:
        g.add((st, MG.category, category.iri))
    if period:
        g.add((st, MG.periodStart, year_literal(period[0], ctx, line)))
        g.add((st, MG.periodEnd, year_literal(period[1], ctx, line)))
    for m in minerals:
        g.add((st, MG.mineral, m.iri))
    if each:
        g.add((st, MG.perParty, Literal(True)))
    if policy is not None:
        g.add((st, MG.underPolicy, policy.iri))
    return st


def _period(ctx, value, line) -> tuple[str, ...]:
    """'2016-2020' -> ('2016', '2020'): the years a figure covers."""
    if value is None:
        return ()
    parts = str(value).split("-")
    if len(parts) != 2 or not all(p.isdigit() and len(p) == 4 for p in parts) or parts[0] > parts[1]:
        raise ctx.fail(f"period must be YYYY-YYYY, first year not after the last, not {value!r}", line)
    return tuple(parts)


def build_member_count(ctx: ClaimContext, f: dict, line) -> list[URIRef]:
    mech = ctx.resolve(f.get("mechanism"), {"mechanism"}, line)
    indicator = ctx.resolve(f.get("indicator", "member-count"), {"indicator"}, line)
    unit = ctx.resolve(f.get("unit", "country"), {"unit"}, line)
    try:
        count = Decimal(int(f.get("count")))
    except (TypeError, ValueError):
        raise ctx.fail(f"member_count needs a whole `count:`, not {f.get('count')!r}", line) from None
    out = [statistic(ctx, mech, indicator, unit, None, count, f, line)]
    for e in ctx.resolve_list(f.get("plus"), MEMBER_FAMILIES, line):
        party, body = _as_party(ctx.gazetteer, e)
        out.append(membership(ctx, mech, party, body, None, None, line))
    return out


# ----------------------------------------------------------------------------------------------
# policies


def build_policy(ctx: ClaimContext, f: dict, line) -> list[URIRef]:
    policy = ctx.resolve(f.get("policy"), {"policy"}, line)
    g = ctx.graph
    st = statement_iri("policy", policy.id, str(f.get("date") or "undated"))
    g.add((st, RDF.type, MG.PolicyStatement))
    g.add((st, MG.policy, policy.iri))
    if f.get("date"):
        date = date_literal(f["date"], ctx, line)
        g.add((st, MG.date, date.literal))
        g.add((st, MG.datePrecision, date.precision))
        g.add((policy.iri, DCTERMS.issued, year_literal(f["date"], ctx, line)))
    for issuer in ctx.resolve_list(f.get("issuer"), ISSUERS, line):
        g.add((st, MG.issuer, issuer.iri))
        g.add((policy.iri, MG.issuer, issuer.iri))
    for signer in ctx.resolve_list(f.get("signed_by"), {"person"}, line):
        g.add((st, MG.signedBy, signer.iri))
    if f.get("number"):
        g.add((st, MG.documentNumber, Literal(str(f["number"]))))
        g.add((policy.iri, MG.documentNumber, Literal(str(f["number"]))))
    return [st]


# ----------------------------------------------------------------------------------------------
# critical-mineral lists


def _version(ctx, ref, line) -> URIRef:
    text = str(ref)
    if "/" not in text:
        raise ctx.fail(f"a list version is written LIST/VERSION (us/2022), not {text!r}", line)
    list_id = text.split("/", 1)[0]
    if ctx.gazetteer.get("list", list_id) is None:
        raise ctx.fail(f"unknown list {list_id!r}{ctx.gazetteer.suggest(list_id, {'list'})}", line)
    return list_version_iri(text)


def build_list_version(ctx: ClaimContext, f: dict, line) -> list[URIRef]:
    series = ctx.resolve(f.get("list"), {"list"}, line)
    version = _version(ctx, f.get("version"), line)
    g = ctx.graph
    g.add((version, RDF.type, MG.ListVersion))
    g.add((version, DCTERMS.isVersionOf, series.iri))
    year = f.get("year") or str(f.get("version")).split("/", 1)[1][:4]
    g.add((version, MG.versionYear, year_literal(year, ctx, line)))
    draft = str(f.get("status")) == "proposed"
    for lang, label in series.labels.items():
        if lang == "en":
            text = f"{label} ({year}{' draft' if draft else ''})"
        else:
            text = f"{label}（{year}年{'草案' if draft else ''}）"
        g.add((version, SKOS.prefLabel, Literal(text, lang=lang)))
    for issuer in ctx.resolve_list(f.get("issuer"), ISSUERS, line):
        g.add((version, MG.issuer, issuer.iri))
    if f.get("previous"):
        g.add((version, PROV.wasRevisionOf, _version(ctx, f["previous"], line)))
    status = ctx.vocab.list_statuses.get(str(f.get("status", "final")))
    if status is None:
        raise ctx.fail(f"status must be one of {sorted(ctx.vocab.list_statuses)}, not {f.get('status')!r}", line)
    g.add((version, MG.versionStatus, status))
    if f.get("final_version"):
        if str(f.get("status")) != "proposed":
            raise ctx.fail("`final_version:` belongs on a proposed version (`status: proposed`): the final version that followed the draft", line)
        g.add((version, MG.finalVersion, _version(ctx, f["final_version"], line)))
    out = [version]
    minerals = f.get("minerals", "auto")
    if minerals == "auto":
        enum = enumeration_in(ctx.gazetteer, ctx.text, ctx.located.a_start, ctx.located.a_end, {"mineral"})
        if not enum.items:
            raise ctx.fail(f"list version {f.get('version')}: no minerals found in the quote", line)
        items = [(m.entity, m.surface) for m in enum.items]
        ctx.enumeration_complete = enum.complete if f.get("exhaustive") is None else bool(f["exhaustive"])
        declared = f.get("declared_count", enum.count)
    else:
        items = [(e, None) for e in ctx.resolve_list(minerals, {"mineral"}, line)]
        declared = f.get("declared_count")
        if f.get("exhaustive") is not None:
            ctx.enumeration_complete = bool(f["exhaustive"])
    if declared is not None:
        g.add((version, MG.declaredCount, Literal(int(declared), datatype=XSD.nonNegativeInteger)))
    first_listed = bool(f.get("first_listed", False))
    for mineral, surface in items:
        # "first listed in this version" is a fact of its own, said by fewer sources than the entry
        st = statement_iri("list-entry", *str(f.get("version")).split("/"), mineral.id, *(["first-listed"] if first_listed else []))
        g.add((st, RDF.type, MG.ListEntryStatement))
        g.add((st, MG.listVersion, version))
        g.add((st, MG.mineral, mineral.iri))
        if first_listed:
            g.add((st, MG.firstListed, Literal(True)))
        if surface:
            g.add((st, MG.surfaceForm, Literal(surface, lang=ctx.source.language)))
        out.append(st)
    return out


def build_list_change(ctx: ClaimContext, f: dict, line) -> list[URIRef]:
    src, dst = _version(ctx, f.get("from"), line), _version(ctx, f.get("to"), line)
    st = statement_iri("list-change", *str(f["from"]).split("/"), "to", *str(f["to"]).split("/"))
    g = ctx.graph
    g.add((st, RDF.type, MG.ListChangeStatement))
    g.add((st, MG.fromVersion, src))
    g.add((st, MG.toVersion, dst))
    for key, prop in (("removed", MG.removed), ("added", MG.added)):
        spec = f.get(key)
        if spec == "auto":
            enum = enumeration_in(ctx.gazetteer, ctx.text, ctx.located.a_start, ctx.located.a_end, {"mineral"})
            minerals = [m.entity for m in enum.items]
            ctx.enumeration_complete = enum.complete
            if f.get(f"{key}_count") is None and enum.count is not None:
                f[f"{key}_count"] = enum.count
        else:
            minerals = ctx.resolve_list(spec, {"mineral"}, line)
        for m in minerals:
            g.add((st, prop, m.iri))
    for key, prop in (("removed_count", MG.removedCount), ("added_count", MG.addedCount)):
        if f.get(key) is not None:
            g.add((st, prop, Literal(int(f[key]), datatype=XSD.nonNegativeInteger)))
    return [st]


# ----------------------------------------------------------------------------------------------
# events and relations


def build_event(ctx: ClaimContext, f: dict, line) -> list[URIRef]:
    etype = ctx.vocab.events.get(str(f.get("event")))
    if etype is None:
        raise ctx.fail(f"event must be one of {sorted(ctx.vocab.events)}, not {f.get('event')!r}", line)
    status_name = str(f.get("status", "occurred"))
    status = ctx.vocab.statuses.get(status_name)
    if status is None:
        raise ctx.fail(f"status must be one of {sorted(ctx.vocab.statuses)}, not {status_name!r}", line)
    about = ctx.resolve_list(f.get("about"), None, line)
    if not about:
        raise ctx.fail("an event needs `about:` (the mechanism, policy or actor it concerns)", line)
    date = f.get("date")
    parts = [about[0].id, str(f["event"]), str(date or "undated")]
    if status_name != "occurred":  # a planned launch is another fact than the launch
        parts += [status_name] + ([f"by-{f['due_by']}"] if f.get("due_by") else [])
    attendance = f.get("attendance")
    if attendance:  # two sources counting the attendance differently give two statements
        parts += [f"attended-{attendance.get('bound', 'exact')}-{attendance.get('count')}"]
    st = statement_iri("event", *parts)
    g = ctx.graph
    g.add((st, RDF.type, MG.EventStatement))
    g.add((st, MG.eventType, etype))
    g.add((st, MG.eventStatus, status))
    if f.get("due_by"):
        due = date_literal(f["due_by"], ctx, line)
        g.add((st, MG.dueBy, due.literal))
        g.add((st, MG.dueByPrecision, due.precision))
    period = _period(ctx, f.get("period"), line)
    if period:  # "2022年至2023年期间": the span the event falls in
        g.add((st, MG.periodStart, year_literal(period[0], ctx, line)))
        g.add((st, MG.periodEnd, year_literal(period[1], ctx, line)))
    out = [st]
    plans = f.get("plans") or []
    if not isinstance(plans, list):
        raise ctx.fail("`plans:` is a list of events (each with event, about, date or due_by)", line)
    for planned in plans:
        if not isinstance(planned, dict):
            raise ctx.fail("each item of `plans:` is an event mapping", line)
        planned_iris = build_event(ctx, {**planned, "status": "planned"}, line)
        g.add((st, MG.plans, planned_iris[0]))
        out += planned_iris
    for a in about:
        g.add((st, MG.about, a.iri))
    if date:
        when = date_literal(date, ctx, line)
        g.add((st, MG.date, when.literal))
        g.add((st, MG.datePrecision, when.precision))
    participants = f.get("participants")
    if participants == "auto":
        parties = [p for p, _ in _actors_from_quote(ctx, exclude=set())]
    else:
        parties = [_as_party(ctx.gazetteer, e)[0] for e in ctx.resolve_list(participants, ISSUERS, line)]
    for p in parties:
        g.add((st, MG.participant, p.iri))  # the statement: every party any source names
    # this claim's own label and parties, beside its quote (two sources word one event differently)
    wording(ctx, st, label=f.get("label"), participants=parties)
    # a measure (export control, sanction, tariff): who imposes it and whom it is aimed at
    for issuer in ctx.resolve_list(f.get("issuer"), ISSUERS, line):
        g.add((st, MG.issuer, issuer.iri))  # the body the source names (as for policies)
    for target in ctx.resolve_list(f.get("target"), ISSUERS, line):
        g.add((st, MG.target, target.iri))
    if attendance:
        _attendance(ctx, st, attendance, line)
    return out


def _attendance(ctx: ClaimContext, st: URIRef, attendance: dict, line) -> None:
    """How many attended a meeting: on the event, never a membership of what it concerns."""
    unit = ctx.resolve(attendance.get("unit", "country"), {"unit"}, line)
    bound = ctx.vocab.bounds.get(str(attendance.get("bound", "exact")))
    if bound is None:
        raise ctx.fail(f"attendance bound must be one of {sorted(ctx.vocab.bounds)}, not {attendance.get('bound')!r}", line)
    g = ctx.graph
    g.add((st, MG.attendance, Literal(int(attendance["count"]), datatype=XSD.nonNegativeInteger)))
    g.add((st, MG.attendanceUnit, unit.iri))
    g.add((st, MG.attendanceBound, bound))


# ----------------------------------------------------------------------------------------------
# derived works


def build_derivation(ctx: ClaimContext, f: dict, line) -> list[URIRef]:
    """The source says it translates or republishes another work: prov:wasDerivedFrom that work."""
    kind = ctx.vocab.derivations.get(str(f.get("kind")))
    if kind is None:
        raise ctx.fail(f"derivation kind must be one of {sorted(ctx.vocab.derivations)}, not {f.get('kind')!r}", line)
    outlet = ctx.resolve(f.get("outlet"), {"org"}, line)
    source = source_iri(ctx.source.id)
    original = URIRef(f"{source}/original")
    g = ctx.graph
    g.add((original, RDF.type, MG.OriginalWork))
    g.add((original, DCTERMS.publisher, outlet.iri))
    g.add((original, SKOS.prefLabel, Literal(f"The original of source {ctx.source.id} ({outlet.labels.get('en', outlet.id)})", lang="en")))
    if f.get("date"):
        issued = date_literal(f["date"], ctx, line)
        g.add((original, DCTERMS.issued, issued.literal))
    title = f.get("title")
    if title:
        if not isinstance(title, dict):
            raise ctx.fail("title is a mapping of language to title: {en: ...}", line)
        for lang, text in title.items():
            g.add((original, DCTERMS.title, Literal(str(text), lang=str(lang))))
    g.add((source, PROV.wasDerivedFrom, original))
    st = statement_iri("derivation", ctx.source.id)
    g.add((st, RDF.type, MG.DerivationStatement))
    g.add((st, MG.derivedSource, source))
    g.add((st, MG.original, original))
    g.add((st, MG.derivation, kind))
    return [st]


def build_relation(ctx: ClaimContext, f: dict, line) -> list[URIRef]:
    prop = ctx.vocab.relations.get(str(f.get("relation")))
    if prop is None:
        raise ctx.fail(f"relation must be one of {sorted(ctx.vocab.relations)}, not {f.get('relation')!r}", line)
    subject = ctx.resolve(f.get("subject"), {"mechanism", "policy"}, line)
    obj = ctx.resolve(f.get("object"), {"mechanism", "policy"}, line)
    since = f.get("since")
    # a dated succession is another statement than an undated one: each source's date stays with it
    st = statement_iri("relation", subject.id, str(f["relation"]), obj.id, *([f"since-{since}"] if since else []))
    g = ctx.graph
    g.add((st, RDF.type, MG.RelationStatement))
    g.add((st, MG.relationSubject, subject.iri))
    g.add((st, MG.relation, prop))
    g.add((st, MG.relationObject, obj.iri))
    if since:
        when = date_literal(since, ctx, line)
        g.add((st, MG.since, when.literal))
        g.add((st, MG.datePrecision, when.precision))
    g.add((subject.iri, prop, obj.iri))
    return [st]


BUILDERS = {
    "membership": build_membership,
    "founding": build_founding,
    "classification": build_classification,
    "statistic": build_statistic,
    "member_count": build_member_count,
    "policy": build_policy,
    "list_version": build_list_version,
    "list_change": build_list_change,
    "event": build_event,
    "relation": build_relation,
    "derivation": build_derivation,
}
